#!/usr/bin/env bash
# Drives //05_httpserver:hello_server and :echo_server with real clients from
# Debian (curl, ab), the way a reader would. Every wait has a deadline.
set -euo pipefail

runfiles="${TEST_SRCDIR:-$0.runfiles}/eddy/05_httpserver"
hello="$runfiles/hello_server"
echo_server="$runfiles/echo_server"
write_certs="$runfiles/write_test_certificates"
work="${TEST_TMPDIR:-$(mktemp -d)}"
pids=()
failures=0

cleanup() { for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
check_eq() {  # name expected actual
  if [[ "$2" == "$3" ]]; then echo "ok: $1"; else fail "$1: expected [$2], got [$3]"; fi
}
check_contains() {  # name needle haystack
  if grep -qF -- "$2" <<<"$3"; then echo "ok: $1"; else fail "$1: [$2] not in [$3]"; fi
}

# start NAME BINARY ARGS...: starts a server on port 0 and sets PORT from the
# one line it prints ("... listening on http://127.0.0.1:PORT/").
start() {
  local name="$1"; shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  LAST_PID=$!
  for _ in $(seq 1 200); do
    if grep -q 'listening on' "$work/$name.out" 2>/dev/null; then
      PORT=$(sed -E 's/.*:([0-9]+)\/.*/\1/' "$work/$name.out" | head -1)
      return 0
    fi
    kill -0 "$LAST_PID" 2>/dev/null || break
    sleep 0.05  # polling a file for a process's start line, with a deadline
  done
  echo "$name did not start:"; cat "$work/$name.err"; exit 1
}

# ---- hello_server: the tutorial's response, several clients ----------------
start hello "$hello" --port=0 --address=127.0.0.1
base="http://127.0.0.1:$PORT"
check_eq "tutorial body" "You requested /hello?x=1" "$(curl -sS --max-time 10 "$base/hello?x=1")"
check_eq "tutorial body over HTTP/1.0" "You requested /old" "$(curl -sS --max-time 10 --http1.0 "$base/old")"
curl -sS --max-time 10 -i "$base/raw" -o "$work/raw.out"
printf 'HTTP/1.1 200 OK\r\nContent-Length: 19\r\n\r\nYou requested /raw\n' >"$work/raw.expected"
cmp -s "$work/raw.out" "$work/raw.expected" && echo "ok: tutorial response byte for byte" || fail "raw response differs: $(od -c "$work/raw.out" | head -5)"
verbose=$(curl -sS --max-time 10 -v "$base/one" "$base/two" "$base/three" 2>&1)
check_eq "three URLs over one connection" "2" "$(grep -c 'Re-using existing connection' <<<"$verbose")"
check_contains "third body" "You requested /three" "$verbose"
# HEAD then GET, pipelined on one connection (bash's /dev/tcp): the HEAD
# response ends with its head, so the GET's body is exactly its own
# (issue 15, item 3).
pipelined=$(timeout 10 bash -c '
  exec 3<>"/dev/tcp/127.0.0.1/$1"
  printf "HEAD /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" >&3
  cat <&3' _ "$PORT" | od -An -c | tr -s " \n" " ")
expected=$(printf 'HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\nYou requested /b\n' | od -An -c | tr -s " \n" " ")
check_eq "HEAD then GET pipelined: the HEAD response has no body" "$expected" "$pipelined"
# ab speaks HTTP/1.0: the tutorial's raw response has no "Connection:
# keep-alive", so by HTTP/1.0's rules each connection ends after it.
ab_out=$(timeout 60 ab -k -n 2000 -c 20 "$base/ab" 2>&1 || true)
check_contains "ab complete" "Complete requests:      2000" "$ab_out"
check_contains "ab no failures" "Failed requests:        0" "$ab_out"
kill -INT "$LAST_PID"
wait "$LAST_PID" && status=0 || status=$?
check_eq "hello_server exits 0 on SIGINT" "0" "$status"

# ---- echo_server: bodies, limits, flags ---------------------------------------
start echo "$echo_server" --port=0 --address=127.0.0.1 --max_body_size=2000000 --max_header_size=4096
echo_pid=$LAST_PID
base="http://127.0.0.1:$PORT"
head -c 100000 /dev/urandom >"$work/body.bin"
curl -sS --max-time 10 --data-binary @"$work/body.bin" -o "$work/echoed.bin" "$base/upload"
cmp -s "$work/body.bin" "$work/echoed.bin" && echo "ok: binary body echoed" || fail "binary body differs"
curl -sS --max-time 10 -H 'Transfer-Encoding: chunked' --data-binary @"$work/body.bin" -o "$work/chunked.bin" "$base/chunked"
cmp -s "$work/body.bin" "$work/chunked.bin" && echo "ok: chunked upload echoed" || fail "chunked upload differs"
head -c 1500000 /dev/urandom >"$work/large.bin"
verbose=$(curl -sS --max-time 10 -v -H 'Expect: 100-continue' --data-binary @"$work/large.bin" -o "$work/large.out" "$base/large" 2>&1)
check_contains "100 Continue" "HTTP/1.1 100 Continue" "$verbose"
cmp -s "$work/large.bin" "$work/large.out" && echo "ok: large body echoed" || fail "large body differs"
headers=$(curl -sS --max-time 10 -D - -o /dev/null -X PUT --data 'abc' "$base/h?q=1")
check_contains "X-Echo-Method" "X-Echo-Method: PUT" "$headers"
check_contains "X-Echo-Uri" "X-Echo-Uri: /h?q=1" "$headers"
check_contains "X-Echo-Body-Length" "X-Echo-Body-Length: 3" "$headers"
check_contains "X-Echo-Remote-Ip" "X-Echo-Remote-Ip: 127.0.0.1" "$headers"
check_contains "Date" "Date: " "$headers"
head -c 2000001 /dev/zero >"$work/toolarge.bin"
code=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' --data-binary @"$work/toolarge.bin" "$base/big" || true)
check_eq "413 for a body over --max_body_size" "413" "$code"
code=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 5000 /dev/zero | tr '\0' x)" "$base/" || true)
check_eq "431 for a head over --max_header_size" "431" "$code"
# The framed API announces keep-alive to HTTP/1.0 clients, so ab -k reuses.
ab_out=$(timeout 60 ab -k -n 2000 -c 20 "$base/ab" 2>&1 || true)
check_contains "ab -k complete (echo)" "Complete requests:      2000" "$ab_out"
check_contains "ab -k no failures (echo)" "Failed requests:        0" "$ab_out"
check_contains "ab -k keep-alive (echo)" "Keep-Alive requests:    2000" "$ab_out"
kill -TERM "$echo_pid"
wait "$echo_pid" && status=0 || status=$?
check_eq "echo_server exits 0 on SIGTERM" "0" "$status"

# ---- HTTPS -----------------------------------------------------------------------
mapfile -t certs < <("$write_certs" "$work/certs")
start tls "$echo_server" --port=0 --address=127.0.0.1 --certfile="${certs[1]}" --keyfile="${certs[2]}"
check_contains "https line" "https://" "$(cat "$work/tls.out")"
body=$(curl -sS --max-time 10 --cacert "${certs[0]}" --data 'over tls' "https://localhost:$PORT/tls" --resolve "localhost:$PORT:127.0.0.1")
check_eq "HTTPS echo" "over tls" "$body"
kill -TERM "$LAST_PID"; wait "$LAST_PID" || true

# ---- Bad flags and a port in use ----------------------------------------------------
if "$hello" --no_such_flag >/dev/null 2>&1; then fail "unknown flag accepted"; else echo "ok: unknown flag rejected"; fi
if "$hello" --port=70000 >/dev/null 2>&1; then fail "port 70000 accepted"; else echo "ok: bad port rejected"; fi
start busy "$hello" --port=0 --address=127.0.0.1
if "$hello" --port="$PORT" --address=127.0.0.1 >/dev/null 2>"$work/inuse.err"; then
  fail "second server on a busy port started"
else
  check_contains "port in use message" "in use" "$(cat "$work/inuse.err")"
fi

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
