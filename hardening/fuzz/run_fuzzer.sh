#!/usr/bin/env bash
# Builds //hardening:http1_fuzzer with clang-14 and libFuzzer (in a separate
# Bazel output base, so the gcc build cache is untouched) and runs it for
# SECONDS (default 600) at the lowest CPU priority.
#
#   hardening/fuzz/run_fuzzer.sh [SECONDS] [extra libFuzzer flags...]
#
# The working corpus grows in $WORK/corpus (seeded from the checked-in
# hardening/corpus/http1); the log and any crash file go to $WORK/logs.
# A crash file is a regression input: minimise it (-minimize_crash=1), copy
# it to hardening/corpus/http1/regress_<what>, fix the bug, and
# //hardening:http1_corpus_test keeps it fixed.
set -euo pipefail
seconds="${1:-600}"
shift || true
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
WORK="${WORK:-/tmp/ch08-fuzz-work}"
output_base="${OUTPUT_BASE:-/tmp/ch08-fuzz}"
# --symlink_prefix=/: no bazel-* convenience symlinks. Pointed at this other
# output base, they would make the next plain `tools/bazel test //...` in the
# checkout descend into them and fail.
flags=(--config=fuzz --repo_env=CC=clang-14 --symlink_prefix=/)

tools/bazel --output_base="$output_base" build "${flags[@]}" //hardening:http1_fuzzer
bin="$(tools/bazel --output_base="$output_base" info "${flags[@]}" bazel-bin)"

mkdir -p "$WORK/logs" "$WORK/corpus"
status=0
EDDY_LOG_LEVEL=none nice -n 19 "$bin/hardening/http1_fuzzer" \
  -max_total_time="$seconds" -print_final_stats=1 -max_len=4096 -timeout=20 \
  -dict=04_httputil/fuzz/http.dict -artifact_prefix="$WORK/logs/http1-" \
  "$@" "$WORK/corpus" hardening/corpus/http1 >"$WORK/logs/http1.log" 2>&1 ||
  status=$?
echo "http1: exit $status ($(grep -E '^stat::number_of_executed_units' "$WORK/logs/http1.log" || true))"
exit "$status"
