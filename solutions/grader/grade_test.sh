#!/usr/bin/env bash
# Runs grade_test.py (the arguments: see BUILD.bazel) from the runfiles.
exec python3 "$(dirname "$0")/grade_test.py" "$@"
