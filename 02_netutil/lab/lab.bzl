"""Lab 02 (chapter 02_netutil): bind_sockets and the accept loop (README.md)."""

LAB = {
    "lab": "02",
    "package": "02_netutil",
    "production": ["listener.cc"],
    "student": ["listener.cc"],
    "tests": [
        "//02_netutil:netutil_test",
        "//02_netutil:raw_echo_test",
    ],
}
