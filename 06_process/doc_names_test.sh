#!/usr/bin/env bash
# The walkthrough and docs/deployment.md cite code by name (`Class::member`),
# never by line number. This test fails when they cite a member that no
# header or source of the chapters declares, so the prose cannot silently
# rot when code is renamed. std:: names are the standard library's.
set -euo pipefail
status=0
sources=$(ls 0*/*.h 0*/*.cc)
docs=$(ls 06_process/README.md docs/deployment.md 2>/dev/null || true)
cited=$(grep -oh '`[A-Za-z0-9_]*::[a-z_0-9]*`' $docs |
  tr -d '`' | sort -u | grep -v '^std::')
[[ -n "$cited" ]] || { echo "nothing cited"; exit 1; }
for name in $cited; do
  class="${name%%::*}"
  member="${name##*::}"
  # Defined out of line (Class::member), or declared inside the class body:
  # a file that opens `class Class`/`struct Class` and mentions ` member`.
  if grep -q "$class::$member\b" $sources; then continue; fi
  found=0
  for file in $(grep -lE "(class|struct) $class\b" $sources); do
    if grep -qE "[ *&]$member( =|\(|;| \{)" "$file"; then found=1; fi
  done
  if [[ $found -eq 0 ]]; then
    echo "cited $name, which no chapter declares"
    status=1
  fi
done
exit $status
