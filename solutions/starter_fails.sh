#!/usr/bin/env bash
# starter_fails.sh TEST_BINARY: passes when the exercise's starter FAILS its
# grading tests cleanly: the binary exits 1 and GoogleTest reports at least one
# FAILED test (so the starter neither passes vacuously nor crashes or hangs).
#
# A student who solved the exercise in place will see this check fail: that is
# expected (the starter is gone). Hand out the repository without solutions/
# (docs/teachers.md, "Handing out a chapter").
set -uo pipefail
binary="$1"
out="$(timeout --kill-after=5 "${STARTER_TIMEOUT:-50}" "$binary" 2>&1)"
status=$?
name="$(basename "$binary")"
if [[ $status -eq 0 ]]; then
  echo "$out" | tail -20
  echo "FAIL: the starter of $name passes its tests; the tests must fail on the starter" \
       "(or the starter was replaced by a solution)." >&2
  exit 1
fi
if [[ $status -ne 1 ]] || ! grep -q '^\[  FAILED  \]' <<<"$out"; then
  echo "$out" | tail -40
  echo "FAIL: the starter of $name did not fail cleanly (exit status $status;" \
       "124 = timed out, >128 = killed by a signal): a starter must fail its" \
       "tests with GoogleTest failures, not crash or hang." >&2
  exit 1
fi
failed=$(grep '^\[  FAILED  \] [A-Za-z_]' <<<"$out" | sed 's/ (.*//' | sort -u | wc -l)
echo "ok: the starter of $name fails $failed test case(s), as it should."
