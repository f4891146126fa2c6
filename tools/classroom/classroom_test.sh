#!/usr/bin/env bash
# Runs classroom_test.py (arguments: see BUILD.bazel).
exec python3 "$(dirname "$0")/classroom_test.py" "$@"
