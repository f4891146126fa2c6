#!/usr/bin/env bash
# The walkthrough cites code by stable tags (`DOC: name`), never by line
# numbers. This test fails when README.md cites a tag that no source file of
# this chapter carries, so the walkthrough cannot silently rot.
set -euo pipefail
dir="04_httputil"
status=0
cited=$(grep -o 'DOC: [a-z0-9-]*' "$dir/README.md" | sort -u | sed 's/DOC: //')
[[ -n "$cited" ]] || { echo "README.md cites no DOC tags"; exit 1; }
# A student handout (tools/handout) lists the tags of the code it left out.
left_out="tools/lab/handout.txt"
for tag in $cited; do
  if [[ -f "$left_out" ]] && grep -qx "tag $tag" "$left_out"; then
    continue
  fi
  if ! grep -q "// DOC: $tag\." "$dir"/*.cc; then
    echo "README.md cites DOC: $tag, which no $dir/*.cc carries"
    status=1
  fi
done
exit $status
