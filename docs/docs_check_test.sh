#!/usr/bin/env bash
# //docs:docs_check_test: runs docs/check_docs.py over the test's runfiles
# (the Markdown files and sources it declares as data), with the labels the
# docs cite as proven by //docs:cited_labels. Arguments (from BUILD.bazel)
# are passed through (--unverified-labels ...).
set -euo pipefail
root="${TEST_SRCDIR}/${TEST_WORKSPACE}"
python=/usr/bin/python3
[[ -x $python ]] || python=python3
mapfile -t labels <"$root/docs/cited_labels.txt"
exec "$python" "$root/docs/check_docs.py" --root "$root" "$@" --declared-labels "${labels[@]}"
