"""Lab 03 (README.md here): the read rules and the write queue of IOStream."""

LAB = {
    "lab": "03",
    "package": "03_iostream",
    "production": [
        "read_rules.cc",
        "write_queue.cc",
    ],
    "student": [
        "read_rules.cc",
        "write_queue.cc",
    ],
    "solution": [
        "read_rules.cc",
        "write_queue.cc",
    ],
    "tests": [
        "//03_iostream:iostream_test",
        "//03_iostream:ssl_iostream_test",
        "//03_iostream:tcpserver_test",
    ],
}
