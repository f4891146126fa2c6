#!/usr/bin/env bash
# Builds the four 04_httputil libFuzzer targets with clang-14 (in a separate
# Bazel output base, so the gcc build cache is untouched) and runs each for
# SECONDS (default 600), two at a time at the lowest CPU priority.
#
#   04_httputil/fuzz/run_fuzzers.sh [SECONDS]
#
# Working corpora grow in $WORK/corpus/<target> (seeded from the checked-in
# 04_httputil/corpus/<target>); logs and crash files go to $WORK/logs.
# A crash file is a regression input: minimise it (-minimize_crash=1), copy
# it to 04_httputil/corpus/<target>/regress_<what>, fix the bug, and
# corpus_replay_test will keep it fixed.
set -euo pipefail
seconds="${1:-600}"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
WORK="${WORK:-/tmp/ch04-fuzz-work}"
output_base="${OUTPUT_BASE:-/tmp/ch04-fuzz}"
targets=(headers start_line parse_qs multipart)

tools/bazel --output_base="$output_base" build --symlink_prefix=/ --config=fuzz --repo_env=CC=clang-14 \
  $(printf '//04_httputil:%s_fuzzer ' "${targets[@]}")
bin="$(tools/bazel --output_base="$output_base" info --config=fuzz --repo_env=CC=clang-14 bazel-bin)"

mkdir -p "$WORK/logs"
run() {
  local target="$1"
  local status=0
  mkdir -p "$WORK/corpus/$target"
  EDDY_LOG_LEVEL=none nice -n 19 "$bin/04_httputil/${target}_fuzzer" \
    -max_total_time="$seconds" -print_final_stats=1 \
    -dict=04_httputil/fuzz/http.dict -artifact_prefix="$WORK/logs/$target-" \
    "$WORK/corpus/$target" "04_httputil/corpus/$target" >"$WORK/logs/$target.log" 2>&1 || status=$?
  echo "$target: exit $status ($(grep -E '^stat::number_of_executed_units' "$WORK/logs/$target.log" || true))"
}
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  run "${targets[i]}" &
  run "${targets[i + 1]}" &
  wait
done
