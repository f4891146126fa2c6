#!/usr/bin/env bash
# check_cases.sh MODE WHAT -- LABEL BINARY [LABEL BINARY ...]: the two checks
# of tools/lab/lab.bzl, run by Bazel from the test's runfiles.
#
#   starter LAB   each BINARY (a graded test built on lab LAB's starters)
#                 fails cleanly: exit status 1 within STARTER_TIMEOUT seconds
#                 (default 120), GoogleTest reports FAILED cases, and the
#                 output names the missing piece ("TODO(lab LAB)").
#   pass LAB      each BINARY (a graded test built on lab LAB's reference
#                 solution) passes.
#   manifest FILE the test cases the BINARYs hold (--gtest_list_tests) are
#                 exactly FILE's lines, `<label> <Suite.Case>`.
set -uo pipefail
mode="$1"
what="$2"
shift 3  # MODE WHAT --

# The graded binaries run inside this test: they must not overwrite its
# result files.
unset XML_OUTPUT_FILE TEST_PREMATURE_EXIT_FILE GTEST_OUTPUT TEST_SHARD_STATUS_FILE

# list_cases LABEL BINARY: "LABEL Suite.Case" per case of the binary.
list_cases() {
  local label="$1" binary="$2" suite="" line
  "$binary" --gtest_list_tests | while IFS= read -r line; do
    line="${line%%#*}"
    line="${line%"${line##*[![:space:]]}"}"
    [[ -z "$line" ]] && continue
    if [[ "$line" == " "* ]]; then
      echo "$label $suite${line##*[[:space:]]}"
    else
      suite="$line"
    fi
  done
}

status=0
case "$mode" in
  starter)
    while [[ $# -ge 2 ]]; do
      label="$1" binary="$2"
      shift 2
      out="$(timeout --kill-after=5 "${STARTER_TIMEOUT:-120}" "$binary" 2>&1)"
      code=$?
      failed=$(grep -c '^\[  FAILED  \] [A-Za-z_]' <<<"$out")
      if [[ $code -eq 0 ]]; then
        echo "$out" | tail -20
        echo "FAIL: $label passes on the starter of lab $what: its tests must fail on a starter." >&2
        status=1
      elif [[ $code -ne 1 ]] || ! grep -q '^\[  FAILED  \]' <<<"$out"; then
        echo "$out" | tail -40
        echo "FAIL: $label did not fail cleanly on the starter of lab $what (exit status" \
             "$code; 124 = timed out, >128 = killed by a signal): a starter must fail" \
             "with GoogleTest failures, not crash or hang." >&2
        status=1
      elif ! grep -q "TODO(lab $what)" <<<"$out"; then
        echo "$out" | tail -40
        echo "FAIL: $label fails on the starter of lab $what, but its output never says" \
             "\"TODO(lab $what)\": a student must see which piece is missing." >&2
        status=1
      else
        echo "ok: $label fails $((failed / 2)) test case(s) on the starter of lab $what."
      fi
    done
    ;;
  pass)
    while [[ $# -ge 2 ]]; do
      label="$1" binary="$2"
      shift 2
      if out="$(timeout --kill-after=5 "${SOLUTION_TIMEOUT:-240}" "$binary" 2>&1)"; then
        echo "ok: $label passes on the reference solution of lab $what."
      else
        echo "$out" | tail -60
        echo "FAIL: $label fails on the reference solution of lab $what." >&2
        status=1
      fi
    done
    ;;
  manifest)
    manifest="$what"
    actual="$(mktemp)"
    while [[ $# -ge 2 ]]; do
      list_cases "$1" "$2" >>"$actual" || { echo "FAIL: cannot list the cases of $1" >&2; status=1; }
      shift 2
    done
    sort -o "$actual" "$actual"
    if ! diff <(grep -v '^#' "$manifest" | sed '/^$/d' | sort) "$actual" >/tmp/manifest.diff.$$ 2>&1; then
      echo "FAIL: $manifest is not the list of the graded test cases (< manifest, > tests):" >&2
      cat /tmp/manifest.diff.$$ >&2
      echo "Update it with: tools/grade --write-manifest <lab or exercise>" >&2
      status=1
    else
      echo "ok: $manifest lists the $(wc -l <"$actual") graded test cases."
    fi
    rm -f "$actual" /tmp/manifest.diff.$$
    ;;
  *)
    echo "check_cases.sh: unknown mode $mode" >&2
    exit 2
    ;;
esac
exit $status
