#!/usr/bin/env bash
# solutions/check.sh: the classroom check, standalone.
#
# 1. Every exercise's reference solution passes its grading tests, and every
#    starter fails them cleanly (//solutions/...: <name>_solution_test and
#    <name>_starter_fails_test, see docs/exercise.bzl).
# 2. The docs check, in Bazel (//docs:all) and over the whole checkout
#    (python3 docs/check_docs.py also reads the walkthroughs the sandboxed
#    test cannot see).
#
# The Bazel tests also run in `tools/bazel test //...`; this script is for
# running them alone (e.g. after editing an exercise). Extra arguments go to
# Bazel (e.g. --config=asan). Exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

status=0
tools/bazel test //solutions/... //docs:all --test_output=errors "$@" </dev/null || status=1
python3 docs/check_docs.py || status=1
if [[ $status -eq 0 ]]; then
  echo "solutions/check.sh: every solution passes, every starter fails, the docs hold"
else
  echo "solutions/check.sh: FAILED (see above)" >&2
fi
exit $status
