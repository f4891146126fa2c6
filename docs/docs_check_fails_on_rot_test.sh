#!/usr/bin/env bash
# Proves that check_docs.py can fail: a rotted walkthrough (testdata/broken.md)
# must be rejected with each broken reference named (a drifted excerpt of
# testdata/excerpt_source.cc among them), and a sound one (testdata/fine.md,
# whose excerpts match) accepted.
set -uo pipefail
root="${TEST_SRCDIR}/${TEST_WORKSPACE}"
python=/usr/bin/python3
[[ -x $python ]] || python=python3
check() { "$python" "$root/docs/check_docs.py" --root "$root" --declared-labels //01_ioloop:ioloop -- "$@"; }

fail=0
out="$(check docs/testdata/fine.md)" || { echo "$out"; echo "FAIL: fine.md was rejected"; fail=1; }

out="$(check docs/testdata/broken.md)"
status=$?
echo "$out"
[[ $status -eq 1 ]] || { echo "FAIL: broken.md: exit status $status, want 1"; fail=1; }
for want in \
  "broken.md:3: file not found: 01_ioloop/ioloop_old.cc" \
  "broken.md:3: file not found: ../../01_ioloop/ioloop_v1.h" \
  "broken.md:4: label //01_ioloop:old_ticker is not among" \
  "broken.md:5: identifier not found in the sources: IOLoop::add_handler_v2" \
  "broken.md:9: identifier not found in the sources: IOLoop::no_such_method" \
  "broken.md:12: label //01_ioloop:renamed_test is not among" \
  "broken.md:15: identifier not found in the sources: add_handler_v3" \
  "broken.md:17: no source carries the tag \`DOC: no-such-tag\`" \
  "broken.md:21: excerpt of \`DOC: testdata-turn\` does not match docs/testdata/excerpt_source.cc: first mismatch at excerpt line 'int n = epoll_wait(epfd_, events_, kMax, timeout);'" \
  "broken.md:32: excerpt of \`DOC: testdata-swap\` does not match docs/testdata/excerpt_source.cc: the region goes on" \
  "broken.md:37: no source carries the tag \`DOC: no-such-excerpt\`" \
  "; 11 broken"; do
  grep -qF -- "$want" <<<"$out" || { echo "FAIL: missing: $want"; fail=1; }
done
grep -q "tornado_only_name" <<<"$out" && { echo "FAIL: the Tornado column was checked"; fail=1; }
exit $fail
