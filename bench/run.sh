#!/usr/bin/env bash
# bench/run.sh: eddy against nginx, Tornado and a "machine limit" responder,
# in one run on one machine. See bench/README.md.
#
#   bench/run.sh                 # all servers, all scenarios -> bench/results/
#   bench/run.sh --quick         # 2 s per measurement, 2,000 idle connections
#   bench/run.sh --chapters      # also the chapter benchmarks (01, 03, 04)
#   bench/run.sh --only-chapters # just the chapter benchmarks
#   bench/run.sh --out DIR [harness options: --servers, --scenarios,
#                --duration, --warmup, --connections, --idle, --port]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
out="$repo/bench/results"
chapters=0
servers=1
harness_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    --chapters) chapters=1; shift ;;
    --only-chapters) chapters=1; servers=0; shift ;;
    --quick) harness_args+=(--duration 2 --warmup 1 --idle 2000); shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) harness_args+=("$1"); shift ;;
  esac
done

# 1. Benchmark-only Debian packages (not in tools/packages.txt: the build and
#    the tests do not need them).
bench_packages=(wrk nginx-light python3-tornado gnuplot-nox gcc)
missing=()
for p in "${bench_packages[@]}"; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "bench/run.sh: installing ${missing[*]}" >&2
  sudo_=(); [[ $(id -u) -eq 0 ]] || sudo_=(sudo)
  "${sudo_[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_[@]}" apt-get install -y -qq "${missing[@]}"
fi

# 2. eddy's servers and the chapter benchmarks, optimised. A target that does
#    not exist yet (or fails to build) is skipped, and the run says so.
build_one() {
  tools/bazel build -c opt "$1" >"$work/build-${1//[\/:]/_}.log" 2>&1 ||
    { echo "bench/run.sh: could not build $1 (see $work/build-${1//[\/:]/_}.log); skipping it" >&2; return 1; }
}
work="$(mktemp -d /tmp/eddy-bench-build.XXXXXX)"
trap 'rm -rf "$work"' EXIT
bin="$(tools/bazel info -c opt bazel-bin 2>/dev/null)"
mkdir -p "$out"

# 3. The bench's own helpers: the limit responder and the idle-connection
#    client.
cc -O2 -Wall -Wextra -o "$work/limit_responder" bench/limit_responder.c
cc -O2 -Wall -Wextra -o "$work/idle_client" bench/idle_client.c

if [[ $servers -eq 1 ]]; then
  eddy_args=()
  build_one //05_httpserver:hello_server && eddy_args+=(--eddy-hello "$bin/05_httpserver/hello_server")
  build_one //06_process:server && eddy_args+=(--eddy-process "$bin/06_process/server")
  ulimit -n "$(ulimit -Hn)"
  /usr/bin/python3 bench/harness.py --out "$out" --limit "$work/limit_responder" \
    --idle-client "$work/idle_client" "${eddy_args[@]}" "${harness_args[@]}"
  /usr/bin/python3 bench/report.py "$out" >/dev/null
  echo "tables: $out/tables.md; plots: $out/*.png"
fi

# 4. The chapter benchmarks (Google Benchmark), whichever exist, pinned to
#    core 0 so they are not moved mid-run.
if [[ $chapters -eq 1 ]]; then
  mkdir -p "$out/chapters"
  for target in //01_ioloop:ioloop_benchmark //03_iostream:iostream_benchmark \
                //04_httputil:httputil_benchmark; do
    build_one "$target" || continue
    name="${target##*:}"
    echo "== $target" >&2
    taskset -c 0 "$bin/$(echo "${target#//}" | tr : /)" \
      --benchmark_out="$out/chapters/$name.json" --benchmark_out_format=json \
      | tee "$out/chapters/$name.txt"
  done
fi
