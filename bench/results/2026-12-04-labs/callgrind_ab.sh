#!/usr/bin/env bash
# cg.sh BINARY PORT OUT: callgrind instructions of BINARY serving 20,000 keep-alive requests (ab -k -c 10).
bin="$1"; port="$2"; out="$3"
EDDY_LOG_LEVEL=warning valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" --port="$port" >/dev/null 2>&1 &
pid=$!
for i in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
ab -q -k -n 20000 -c 10 "http://127.0.0.1:$port/" 2>&1 | grep -E "Complete requests|Failed requests"
kill -INT $pid; wait $pid 2>/dev/null
callgrind_annotate "$out" 2>/dev/null | grep -m1 "PROGRAM TOTALS"
