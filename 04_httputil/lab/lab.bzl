"""Lab 04: the head parser (README.md here; machinery in //tools/lab:lab.bzl)."""

LAB = {
    "lab": "04",
    "package": "04_httputil",
    "production": ["head_parser.cc"],
    "student": ["head_parser.cc"],
    "tests": [
        "//04_httputil:corpus_replay_test",
        "//04_httputil:form_test",
        "//04_httputil:headers_test",
        "//04_httputil:start_line_test",
    ],
    "solution": ["head_parser.cc"],
}
