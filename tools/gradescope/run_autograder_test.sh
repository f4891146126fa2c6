#!/usr/bin/env bash
# run_autograder puts the submission's files where tools/grade grades them
# (from a whole-repository upload and from bare files), passes the items on,
# and turns tools/grade's "failed" exit status into a written grade.
set -euo pipefail
script="$(cd "$(dirname "$0")" && pwd)/run_autograder"
root="$TEST_TMPDIR/autograder"
mkdir -p "$root/source/01_fake/lab" "$root/source/02_fake/exercises" "$root/submission/01_fake/lab"
cat >"$root/source/01_fake/lab/lab.bzl" <<'LAB'
# A lab as tools/lab/lab.bzl describes it.
LAB = {
    "lab": "01",
    "package": "01_fake",
    "production": ["turn.cc"],
    "student": ["turn.cc", "heap.cc"],
    "tests": ["//01_fake:turn_test"],
}
LAB
printf 'exercise(\n    name = "wall",\n)\n' >"$root/source/02_fake/exercises/BUILD.bazel"
for f in turn.cc heap.cc; do echo starter >"$root/source/01_fake/lab/$f"; done
echo starter >"$root/source/02_fake/exercises/wall.cc"
echo "turn by student" >"$root/submission/01_fake/lab/turn.cc"   # repository layout
echo "wall by student" >"$root/submission/wall.cc"               # bare file
# heap.cc is not submitted: the starter stays.
cat >"$TEST_TMPDIR/fake_grade" <<'GRADE'
#!/usr/bin/env bash
echo "$@" >"$AUTOGRADER_ROOT/grade_args"
[[ "$1" == --json ]] && echo '{"score": 0, "tests": []}' >"$2"
exit 1
GRADE
chmod +x "$TEST_TMPDIR/fake_grade"

AUTOGRADER_ROOT="$root" EDDY_GRADE="$TEST_TMPDIR/fake_grade" "$script" 01 wall

fail() { echo "FAIL: $*" >&2; exit 1; }
[[ "$(cat "$root/source/01_fake/lab/turn.cc")" == "turn by student" ]] || fail "turn.cc not copied"
[[ "$(cat "$root/source/01_fake/lab/heap.cc")" == "starter" ]] || fail "heap.cc changed"
[[ "$(cat "$root/source/02_fake/exercises/wall.cc")" == "wall by student" ]] || fail "wall.cc not copied"
[[ "$(cat "$root/grade_args")" == "--json $root/results/results.json 01 wall" ]] ||
  fail "tools/grade got: $(cat "$root/grade_args")"
[[ -s "$root/results/results.json" ]] || fail "no results.json"
if AUTOGRADER_ROOT="$root" EDDY_GRADE="$TEST_TMPDIR/fake_grade" "$script" 2>/dev/null; then
  fail "run_autograder with no item succeeded"
fi
echo "ok: run_autograder copies both layouts, keeps starters, writes results.json"
