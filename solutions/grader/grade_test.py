#!/usr/bin/env python3
"""Tests of tools/lab/grade.py on real test binaries of exercise call_at_wall.

Each binary is run as Bazel runs a test (XML_OUTPUT_FILE set; when the binary
writes no XML, the file Bazel's test-setup.sh would write instead), then
graded against the exercise's manifest with grade.evaluate():

  solution        passes
  starter         fails (its cases ran and failed)
  exit_early      fails: no case ran (std::_Exit(0) from a static initialiser,
                  so the process "succeeded")
  filter          fails: no case ran (a gtest filter set by the submission)
  skip            fails: every case skipped (GTEST_SKIP in a global environment)
  tz_skip         fails: the same west of UTC, with faked "[       OK ]" lines
  duplicate       fails: passing cases registered under the graded names, the
                  failing exit status hidden by an exit handler
  swallow         fails: every failure intercepted in-process; only the lint
                  sees it, and a finding of "touches the test framework" fails

and the lint reports each cheat's source, and results.json has the fields
Gradescope reads.

Usage (from BUILD.bazel): grade_test.py GRADE_PY MANIFEST SOLUTION STARTER
CHEAT_BINARY... CHEAT_SOURCE...
"""

import importlib.util
import json
import os
import subprocess
import sys
import tempfile

LABEL = "//01_ioloop/exercises:call_at_wall_test"

BAZEL_XML = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="{name}" tests="1" failures="0" errors="{errors}">
    <testcase name="{name}" status="run" duration="0" time="0">{error}</testcase>
  </testsuite>
</testsuites>
"""


def load_grade(path):
    spec = importlib.util.spec_from_file_location("grade", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_like_bazel(binary, workdir):
    """Runs a test binary as Bazel does; returns (passed, test.xml path, log)."""
    xml = os.path.join(workdir, os.path.basename(binary) + ".xml")
    env = dict(os.environ, XML_OUTPUT_FILE=xml)
    for name in ("TEST_PREMATURE_EXIT_FILE", "GTEST_OUTPUT"):
        env.pop(name, None)
    run = subprocess.run([binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, errors="replace", timeout=120)
    status = run.returncode
    if not os.path.exists(xml):
        error = '<error message="exited with error code %d"></error>' % status if status else ""
        with open(xml, "w") as out:
            out.write(BAZEL_XML.format(name=os.path.basename(binary), errors=int(bool(status)),
                                       error=error))
    return status == 0, xml, run.stdout


def main(argv):
    grade_py, manifest_path, solution, starter = argv[:4]
    rest = argv[4:]
    cheat_binaries, cheat_sources = rest[:len(rest) // 2], rest[len(rest) // 2:]
    grade = load_grade(grade_py)
    manifest = [pair for pair in grade.read_manifest(manifest_path) if pair[0] == LABEL]
    assert len(manifest) >= 3, "the manifest lists %d cases of %s" % (len(manifest), LABEL)

    failures = []
    workdir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))

    class Source:
        kind, name = "exercise", "call_at_wall"

        def __init__(self, path):
            self.student_files = [os.path.abspath(path)] if path else []

    def check(name, binary, expect_pass, reason=None, source=None):
        target_passed, xml, log = run_like_bazel(binary, workdir)
        results = {LABEL: grade.confirm_with_log(grade.read_results([xml]), log)}
        findings = grade.lint("/", Source(source)) if source else []
        entries, passed = grade.evaluate(manifest, results, {LABEL: target_passed}, findings)
        outputs = " | ".join(e["output"] for e in entries if not e["passed"])
        if passed != expect_pass:
            failures.append("%s: graded %s, expected %s (%s)" % (
                name, "passed" if passed else "failed", "passed" if expect_pass else "failed",
                outputs[:300]))
        elif reason and not any(reason in e["output"] for e in entries):
            failures.append("%s: failed, but not every case says %r: %s" % (name, reason,
                                                                           outputs[:300]))
        else:
            print("ok: %s graded %s%s" % (name, "passed" if passed else "failed",
                                         " (%s)" % reason if reason else ""))
        return entries, passed

    solution_entries = check("the reference solution", solution, True)
    check("the starter", starter, False)
    reasons = {"exit_early": "did not run", "filter": "did not run", "skip": "skipped",
               "tz_skip": "skipped", "duplicate": "more than once",
               "swallow": "touches the test framework"}
    sources = {os.path.basename(p)[len("call_at_wall_"):-len(".cc")]: p for p in cheat_sources}
    for binary in cheat_binaries:
        cheat = os.path.basename(binary)[len("call_at_wall_"):-len("_test")]
        # Only the swallow cheat needs its source: every case passes for real.
        check("the %s cheat" % cheat, binary, False, reasons[cheat],
              sources[cheat] if cheat == "swallow" else None)

    for source in cheat_sources:
        findings = grade.lint("/", Source(source))
        if not findings:
            failures.append("lint: nothing found in %s" % source)
        else:
            print("ok: lint reports %s: %s" % (os.path.basename(source), findings[0][2][:80]))

    class Item:
        def title(self):
            return "exercise call_at_wall"

    report = grade.gradescope([(Item(), solution_entries[0], True)], [("x.cc", 3, "finding")])
    json.loads(json.dumps(report))
    if not (report["tests"] and all({"name", "score", "max_score", "output", "status"} <= set(t)
                                    for t in report["tests"])
            and report["score"] == len(manifest) and "finding" in report["output"]):
        failures.append("results.json lacks Gradescope's fields: %s" % json.dumps(report)[:300])
    else:
        print("ok: results.json has %d tests, score %d" % (len(report["tests"]), report["score"]))

    for failure in failures:
        print("FAIL: " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
