#!/usr/bin/env bash
# Gradescope's setup.sh for eddy: runs once when the autograder image is
# built (Ubuntu, as root). tools/bazel installs the Debian packages eddy needs
# (tools/packages.txt); building //... once fills Bazel's caches so that each
# submission only recompiles the student's files.
set -euo pipefail
cd /autograder/source
tools/bazel build //... </dev/null
