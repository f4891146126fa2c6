"""Lab 01 (chapter 01_ioloop): one turn of the loop and the timer heap (README.md)."""

LAB = {
    "lab": "01",
    "package": "01_ioloop",
    "production": ["loop_turn.cc"],
    "student": ["loop_turn.cc"],
    "tests": [
        "//01_ioloop:ioloop_test",
        "//01_ioloop:ioloop_thread_test",
        "//01_ioloop:periodic_callback_test",
    ],
}
