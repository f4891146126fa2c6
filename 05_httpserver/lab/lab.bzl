"""Lab 05: the request body readers and the keep-alive rules (README.md)."""

LAB = {
    "lab": "05",
    "package": "05_httpserver",
    "production": [
        "http1connection_body.cc",
        "keep_alive.cc",
    ],
    "student": [
        "http1connection_body.cc",
        "keep_alive.cc",
    ],
    "tests": [
        "//05_httpserver:httpserver_extra_test",
        "//05_httpserver:httpserver_test",
        "//05_httpserver:request_framing_test",
    ],
}
