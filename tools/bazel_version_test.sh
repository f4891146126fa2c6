#!/usr/bin/env bash
# tools/bazel runs the Bazel a launcher hands it (BAZEL_REAL) when it is
# Bazel 4, including Debian's binary, which says "bazel no_version"; any other
# major version stops before the build with a message that names the version
# and the two ways out. Fake Bazels stand in for the real ones.
set -uo pipefail
wrapper="$(cd "$(dirname "$0")" && pwd)/bazel"
export EDDY_SKIP_INSTALL=1
fail() { echo "FAIL: $*" >&2; exit 1; }

# fake_bazel NAME VERSION_LINE: a Bazel that prints VERSION_LINE for
# --version and records any other call.
fake_bazel() {
  local path="$TEST_TMPDIR/$1"
  cat >"$path" <<FAKE
#!/usr/bin/env bash
if [[ "\$1" == --version ]]; then echo "$2"; exit 0; fi
echo "ran: \$*" >"$TEST_TMPDIR/$1.ran"
FAKE
  chmod +x "$path"
  echo "$path"
}

for line in "bazel 4.2.3" "bazel no_version" "bazel 4.2.2"; do
  fake="$(fake_bazel "ok_${line// /_}" "$line")"
  BAZEL_REAL="$fake" "$wrapper" test //x >/dev/null 2>&1 || fail "'$line' was refused"
  [[ "$(cat "$fake.ran" 2>/dev/null)" == "ran: test //x" ]] || fail "'$line' did not run the build"
done
echo "ok: Bazel 4.2.3, Debian's no_version and 4.2.2 run"

for line in "bazel 8.0.0" "bazel 7.4.1" "bazel 5.0.0"; do
  fake="$(fake_bazel "new_${line// /_}" "$line")"
  message="$(BAZEL_REAL="$fake" "$wrapper" test //x 2>&1)" && fail "'$line' was accepted"
  [[ -e "$fake.ran" ]] && fail "'$line' ran the build"
  version="${line#bazel }"
  for words in "this is Bazel $version" "needs Bazel 4" "WORKSPACE" ".bazelversion" \
               "bazel-bootstrap" "bazelisk"; do
    grep -qF "$words" <<<"$message" || fail "the message for $version lacks '$words': $message"
  done
done
echo "ok: Bazel 8.0.0, 7.4.1 and 5.0.0 are refused with a message naming the version and the ways out"

fake="$(fake_bazel any "bazel 8.0.0")"
EDDY_ANY_BAZEL=1 BAZEL_REAL="$fake" "$wrapper" build //x >/dev/null 2>&1 || fail "EDDY_ANY_BAZEL=1 refused"
[[ -e "$fake.ran" ]] || fail "EDDY_ANY_BAZEL=1 did not run the build"
echo "ok: EDDY_ANY_BAZEL=1 runs any version"

# Debian's launcher names a BAZEL_REAL after .bazelversion that it lacks.
if [[ -x /usr/bin/bazel-4 ]]; then
  out="$(BAZEL_REAL=/usr/bin/bazel-4.2.3-missing "$wrapper" --version 2>&1)" ||
    fail "a missing BAZEL_REAL did not fall back to /usr/bin/bazel-4: $out"
  echo "ok: a missing BAZEL_REAL falls back to /usr/bin/bazel-4 ($out)"
fi
