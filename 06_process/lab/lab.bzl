"""Lab 06: fork_processes' supervisor (README.md here; tools/lab/lab.bzl)."""

LAB = {
    "lab": "06",
    "package": "06_process",
    "production": ["supervisor.cc"],
    "student": ["supervisor.cc"],
    "tests": [
        "//06_process:process_test",
        "//06_process:server_test",
        "//06_process:tcpserver_start_test",
    ],
}
