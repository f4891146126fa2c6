#!/usr/bin/env python3
"""tools/grade: grades labs and exercises from the chapters' own tests.

    tools/grade [--json FILE] [--reference] LAB_OR_EXERCISE...
    tools/grade --write-manifest LAB_OR_EXERCISE...

A lab is named by its number (`01` ... `06`), an exercise by its name
(`call_at_wall`, `router`, ...). For each, the grader

  1. lints the student's files (NN_name/lab/*, NN_name/exercises/<name>.cc)
     for process-control calls and static initialisers, for the teacher to
     read; a file that touches the test framework (gtest, `testing::`) or
     the runner's files fails the grade, since it can rewrite the results
     from inside the test process;
  2. runs the graded tests with Bazel (`--config=labNN` for labs; with
     --reference, the production code instead: a lab's production files,
     an exercise's reference solution);
  3. reads every test's test.xml and passes the item only if every test case
     of its manifest (NN_name/lab/manifest.txt, NN_name/exercises/manifest.txt)
     ran and passed, and every test target passed.

So a submission that ends the process early (a static initialiser calling
`_Exit(0)`), narrows the tests (a gtest filter set from inside it) or skips
them (GTEST_SKIP from a global environment) is graded failed: its cases did
not run, or did not pass. A case counts as passed only when test.xml says so
once (a second case of the same name fails it), its start time is real
(gtest writes an environment-skipped case as passed with a start time of 0)
and the test's log shows its "[       OK ]" line; a binary that holds cases
its manifest does not list fails its item. A submission that forges the result files
(test.xml) is out of scope (docs/teachers.md says so).

--json FILE writes Gradescope's results.json (one entry per test case, with
score and output); the last line printed is a one-line summary. The exit
status is 0 when every item passed, 1 when one failed, 2 on bad usage.
"""

import argparse
import ast
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUTPUT_LIMIT = 4000  # characters of failure output kept per test case


class UsageError(Exception):
    pass


# ---- What to grade ------------------------------------------------------------


def read_lab(path):
    """The LAB dict of NN_name/lab/lab.bzl (plain literals, see lab.bzl)."""
    text = open(path, encoding="utf-8").read()
    match = re.search(r"^LAB\s*=\s*", text, re.M)
    if not match:
        raise UsageError("%s has no LAB = {...}" % path)
    body = re.sub(r"#[^\n]*", "", text[match.end():])
    return ast.literal_eval(body.strip())


def read_manifest(path):
    """The manifest's (label, case) pairs, in file order."""
    cases = []
    if not os.path.exists(path):
        raise UsageError("no manifest %s (write it with tools/grade --write-manifest)" % path)
    for line in open(path, encoding="utf-8"):
        line = line.split("#", 1)[0].strip()
        if line:
            label, case = line.split()
            cases.append((label, case))
    return cases


class Item:
    """One lab or exercise: its tests, its manifest, the files a student edits."""

    def __init__(self, kind, name, package, tests, manifest, student_files, config=None,
                 reference_tests=None):
        self.kind = kind  # "lab" or "exercise"
        self.name = name
        self.package = package
        self.tests = tests  # labels of the graded test targets
        self.manifest = manifest  # path of the manifest
        self.student_files = student_files  # paths, relative to the root
        self.config = config  # --config=labNN, or None
        # With --reference: label to run -> label the manifest names.
        self.reference_tests = reference_tests or {t: t for t in tests}

    def title(self):
        return "lab %s" % self.name if self.kind == "lab" else "exercise %s" % self.name


def find_item(root, name):
    if re.fullmatch(r"0[1-9]", name):
        paths = glob.glob(os.path.join(root, name + "_*", "lab", "lab.bzl"))
        if not paths:
            raise UsageError("lab %s: no %s_*/lab/lab.bzl" % (name, name))
        lab = read_lab(paths[0])
        lab_dir = os.path.dirname(paths[0])
        tests = list(lab["tests"])
        return Item("lab", name, lab["package"], tests, os.path.join(lab_dir, "manifest.txt"),
                    [os.path.join(lab["package"], "lab", f) for f in lab["student"]],
                    config="lab" + name)
    for build in sorted(glob.glob(os.path.join(root, "0*_*", "exercises", "BUILD.bazel"))):
        text = open(build, encoding="utf-8").read()
        if re.search(r'exercise\(\s*name\s*=\s*"%s"' % re.escape(name), text):
            package = os.path.relpath(os.path.dirname(build), root)
            test = "//%s:%s_test" % (package, name)
            solution = "//solutions/%s:%s_solution_test" % (package, name)
            source = os.path.join(package, name + ".cc")
            return Item("exercise", name, package, [test],
                        os.path.join(root, package, "manifest.txt"), [source],
                        reference_tests={solution: test})
    raise UsageError("%s is neither a lab (01-06) nor an exercise of */exercises/BUILD.bazel"
                     % name)


# ---- The lint -------------------------------------------------------------------

LINT_RULES = [
    (re.compile(r"\b(?:std::)?(?:_Exit|quick_exit|at_quick_exit|exit|abort|atexit|terminate)\s*\("),
     "ends the process"),
    (re.compile(r"\b(?:setenv|putenv|unsetenv|clearenv)\s*\("), "changes the environment"),
    (re.compile(r"\b(?:fork|vfork|posix_spawnp?|system|exec[lv]p?e?)\s*\("), "starts a process"),
    (re.compile(r"GTEST_|\btesting\b|\bgtest|\bgmock|\bTEST(?:_F|_P)?\s*\(|RegisterTest"),
     "touches the test framework"),
    (re.compile(r"__attribute__\s*\(\(\s*constructor|\binit_priority\b"), "runs code at load time"),
    (re.compile(r"\b(?:XML_OUTPUT_FILE|TEST_TMPDIR|TEST_SRCDIR|test\.xml)\b"),
     "names a test-runner file"),
]


# Findings that fail the grade: the student's code has no business with the
# test framework or the runner's files (a submission can make every failing
# case pass by intercepting GoogleTest's results in-process).
FATAL = ("touches the test framework", "names a test-runner file")


def strip_comments_and_strings(text):
    """The source with comments and string literals blanked (lines kept)."""
    pattern = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)) if not m.group(0).startswith('"')
                       else '""', text)


def static_initialisers(code):
    """Line numbers of namespace-scope statements that run code at start-up.

    Tracks brace depth, counting only `namespace ... {` and `extern "C" {`
    blocks as namespace scope; a statement there that calls something
    (`T x = f(...);`, a comma expression `T x = (g(), 0);`) is reported.
    Function bodies, declarations and constants of literals are not. A
    heuristic, for the teacher's eye: it misses `T x(args);` and lambdas.
    """
    findings = []
    scopes = []  # True for a namespace scope
    statement, start_line, line = "", 1, 1
    for char in code:
        if char == "\n":
            line += 1
        if char == "{":
            header = statement.strip()
            scopes.append(bool(re.search(r"\bnamespace\b[\w\s:]*$|extern\s*\"\"\s*$", header)))
            statement = ""
            continue
        if char == "}":
            if scopes:
                scopes.pop()
            statement = ""
            continue
        if char == ";":
            text = statement.strip()
            if all(scopes) and re.search(r"=[^=].*[\w)\]]\s*\(", text) and not re.match(
                    r"(using|typedef|template|static_assert)\b", text):
                findings.append((start_line, text + ";"))
            statement = ""
            continue
        if not statement.strip():
            start_line = line
        statement += char
    return findings


def lint(root, item):
    """(file, line, what) for each finding in the student's files; a `what`
    that starts with one of FATAL fails the grade (see evaluate)."""
    findings = []
    for path in item.student_files:
        full = os.path.join(root, path)
        if not os.path.exists(full):
            findings.append((path, 0, "the file is missing"))
            continue
        code = strip_comments_and_strings(open(full, encoding="utf-8", errors="replace").read())
        for number, text in enumerate(code.split("\n"), 1):
            for pattern, what in LINT_RULES:
                if what == "starts a process" and item.kind == "lab" and item.name == "06":
                    continue  # lab 06 is fork_processes
                if pattern.search(text):
                    findings.append((path, number, "%s: %s" % (what, text.strip())))
        for number, text in static_initialisers(code):
            findings.append((path, number, "namespace-scope object initialised by a call "
                             "(runs before main): %s" % " ".join(text.split())[:120]))
    return findings


# ---- Reading the results ----------------------------------------------------------


def read_results(xml_paths):
    """{ "Suite.Case": (status, output) } from gtest's (or Bazel's) test.xml files.

    status is "passed", "failed" or "skipped". A file Bazel generated because
    the binary wrote none holds one case named after the target, which no
    manifest lists.
    """
    results = {}
    for path in xml_paths:
        try:
            tree = ElementTree.parse(path)
        except (ElementTree.ParseError, OSError) as error:
            results["<unreadable %s>" % os.path.basename(path)] = ("failed", str(error))
            continue
        for case in tree.iter("testcase"):
            name = "%s.%s" % (case.get("classname", ""), case.get("name", ""))
            if name in results:
                # A second case of the same name (testing::RegisterTest) must
                # not hide the first one's failure.
                results[name] = ("failed", "the test binary reports this case more than once "
                                 "(a submission must not define tests)")
                continue
            problems = [e for e in case if e.tag in ("failure", "error")]
            skipped = (case.get("result") == "skipped" or case.get("status") == "notrun"
                       or any(e.tag == "skipped" for e in case))
            # A case that never started has a start time of 0, written in local
            # time (1970-01-01, or 1969-12-31 west of UTC).
            year = case.get("timestamp", "")[:4]
            never_started = year.isdigit() and int(year) < 1971
            if problems:
                output = "\n".join((e.get("message") or "") + "\n" + (e.text or "")
                                   for e in problems)
                results[name] = ("failed", output.strip())
            elif skipped:
                results[name] = ("skipped", "the test case was skipped")
            elif never_started:
                # gtest reports a case as passed when a global environment's
                # SetUp skipped it; it never started, so its start time is 0.
                results[name] = ("skipped", "the test case never started")
            else:
                results[name] = ("passed", "")
    return results


OK_LINE = re.compile(r"^\[       OK \] (\S+) \(", re.M)


def cases_reported_ok(log_text):
    """The cases GoogleTest's own output says passed ("[       OK ] S.C (n ms)")."""
    return set(OK_LINE.findall(log_text))


def confirm_with_log(results, log_text):
    """Demotes a case the XML calls passed but the test's log never shows passing."""
    reported = cases_reported_ok(log_text)
    return {case: (("skipped", "the test's log never shows this case passing")
                   if status == "passed" and case not in reported else (status, output))
            for case, (status, output) in results.items()}


def evaluate(manifest, results_by_label, target_passed, findings=()):
    """Grades one item.

    Args:
      manifest: (label, case) pairs that must all pass.
      results_by_label: {label: {case: (status, output)}} from read_results.
      target_passed: {label: bool}, Bazel's verdict per test target.
      findings: the lint's (file, line, what) for the item's files; one in a
        FATAL category fails the item.

    Returns:
      (entries, passed): one entry per manifest case, as dicts with name,
      passed and output, then one per failure that is not a case's (a target
      that failed as a whole, cases no manifest lists, a fatal finding); and
      whether the item passed (every case passed, every target passed, no
      extra case, no fatal finding).
    """
    entries = []
    for label, case in manifest:
        status, output = results_by_label.get(label, {}).get(case, (None, ""))
        if status is None:
            output = ("did not run: the test binary never reported this case (it exited "
                      "early, crashed before it, or ran with a filter)")
        elif status == "skipped":
            output = "skipped: a graded case must run and pass"
        entries.append({"label": label, "case": case, "passed": status == "passed",
                        "output": output[:OUTPUT_LIMIT]})
    passed = all(e["passed"] for e in entries) and bool(entries)
    for label in sorted({label for label, _ in manifest}):
        if not target_passed.get(label, False):
            passed = False
            if all(e["passed"] for e in entries if e["label"] == label):
                entries.append({"label": label, "case": "(the test binary's exit status)",
                                "passed": False,
                                "output": "every case passed, but %s failed as a whole "
                                          "(it did not build, crashed at exit, timed out, or "
                                          "a sanitizer reported): see its test.log" % label})
        expected = {case for l, case in manifest if l == label}
        extra = sorted(set(results_by_label.get(label, {})) - expected)
        if extra and results_by_label.get(label):
            passed = False
            entries.append({"label": label, "case": "(test cases no manifest lists)",
                            "passed": False,
                            "output": "the binary holds cases the manifest does not list (a "
                                      "submission must not define tests, and a binary that "
                                      "wrote no test.xml shows one case named after it): "
                                      + ", ".join(extra)[:OUTPUT_LIMIT]})
    fatal = [f for f in findings if f[2].startswith(FATAL)]
    if fatal:
        passed = False
        entries.append({"label": "(lint)", "case": "(the submission's code)", "passed": False,
                        "output": "the submission touches the test framework or the test "
                                  "runner's files, which no lab or exercise needs: "
                                  + "; ".join("%s:%d: %s" % f for f in fatal)[:OUTPUT_LIMIT]})
    return entries, passed


# ---- Running Bazel --------------------------------------------------------------


def bazel(root, args, capture=True):
    command = [os.path.join(root, "tools", "bazel")] + args
    return subprocess.run(command, cwd=root, stdin=subprocess.DEVNULL, text=True,
                          stdout=subprocess.PIPE if capture else None,
                          stderr=subprocess.STDOUT if capture else None)


SUMMARY = re.compile(r"^(//\S+)\s+(?:\(cached\) )?(PASSED|FLAKY|FAILED|TIMEOUT|NO STATUS|"
                     r"FAILED TO BUILD|INCOMPLETE|SKIPPED)", re.M)


def run_tests(root, labels, configs, extra):
    """Runs the labels once; returns ({label: passed}, testlogs dir, Bazel's output).

    The labels' old test logs are deleted first, so that a submission that does
    not build is never graded on the results of the one before it.
    """
    flags = ["--config=" + c for c in configs] + list(extra)
    info = bazel(root, ["info", "bazel-testlogs"] + flags)
    testlogs = info.stdout.strip().splitlines()[-1] if info.returncode == 0 else ""
    for label in labels:
        package, name = label[2:].split(":")
        if testlogs:
            shutil.rmtree(os.path.join(testlogs, package, name), ignore_errors=True)
    result = bazel(root, ["test", "--keep_going", "--test_output=errors", "--test_summary=short"]
                   + flags + ["--"] + sorted(labels))
    verdicts = {label: status in ("PASSED", "FLAKY")
                for label, status in SUMMARY.findall(result.stdout)}
    return verdicts, testlogs, result.stdout


def xml_files(testlogs, label):
    package, name = label[2:].split(":")
    base = os.path.join(testlogs, package, name)
    return sorted(glob.glob(os.path.join(base, "test.xml")) +
                  glob.glob(os.path.join(base, "shard_*", "test.xml")))


# ---- Output ---------------------------------------------------------------------


def gradescope(items_graded, lint_findings):
    tests = []
    for item, entries, _ in items_graded:
        for entry in entries:
            tests.append({
                "name": "%s: %s %s" % (item.title(), entry["label"], entry["case"]),
                "score": 1 if entry["passed"] else 0,
                "max_score": 1,
                "status": "passed" if entry["passed"] else "failed",
                "output": entry["output"],
            })
    output = [summary_line(items_graded)]
    if lint_findings:
        output.append("For the teacher, from the lint (not graded):")
        output += ["  %s:%d: %s" % f for f in lint_findings]
    return {
        "score": sum(t["score"] for t in tests),
        "output": "\n".join(output),
        "stdout_visibility": "visible",
        "tests": tests,
    }


def summary_line(items_graded):
    parts = []
    for item, entries, passed in items_graded:
        good = sum(1 for e in entries if e["passed"])
        parts.append("%s %s (%d/%d)" % (item.title(), "PASS" if passed else "FAIL", good,
                                        len(entries)))
    failed = sum(1 for _, _, passed in items_graded if not passed)
    return "grade: %s; %d of %d passed" % (", ".join(parts), len(items_graded) - failed,
                                           len(items_graded))


def write_manifests(root, items):
    """Writes each item's manifest from --gtest_list_tests of its test binaries."""
    labels = sorted({t for item in items for t in item.tests})
    built = bazel(root, ["build", "--"] + labels, capture=False)
    if built.returncode != 0:
        raise SystemExit("tools/grade: the tests did not build")
    bin_dir = bazel(root, ["info", "bazel-bin"]).stdout.strip().splitlines()[-1]
    by_manifest = {}
    for item in items:
        by_manifest.setdefault(item.manifest, set()).update(item.tests)
    for manifest, tests in by_manifest.items():
        lines = set()
        # An exercises manifest holds every exercise of the chapter.
        if os.path.exists(manifest):
            lines.update("%s %s" % pair for pair in read_manifest(manifest)
                         if pair[0] not in tests)
        for label in tests:
            package, name = label[2:].split(":")
            listing = subprocess.run([os.path.join(bin_dir, package, name), "--gtest_list_tests"],
                                     capture_output=True, text=True, check=True).stdout
            suite = ""
            for line in listing.splitlines():
                line = line.split("#", 1)[0].rstrip()
                if not line:
                    continue
                if line.startswith(" "):
                    lines.add("%s %s%s" % (label, suite, line.strip()))
                else:
                    suite = line.strip()
        with open(manifest, "w", encoding="utf-8") as out:
            out.write("# Every graded test case, `<test label> <Suite.Case>`: tools/grade passes\n"
                      "# only if all of them ran and passed. Regenerate with\n"
                      "#   tools/grade --write-manifest <lab or exercise>\n")
            out.write("".join(line + "\n" for line in sorted(lines)))
        print("tools/grade: wrote %s (%d cases)" % (os.path.relpath(manifest, root), len(lines)))


def main(argv):
    parser = argparse.ArgumentParser(prog="tools/grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("items", nargs="+", metavar="LAB_OR_EXERCISE")
    parser.add_argument("--json", metavar="FILE", help="write Gradescope's results.json")
    parser.add_argument("--reference", action="store_true",
                        help="grade the production code and reference solutions instead")
    parser.add_argument("--write-manifest", action="store_true",
                        help="write the items' manifests from their test binaries")
    parser.add_argument("--bazel-arg", action="append", default=[], metavar="ARG",
                        help="an extra Bazel flag (e.g. --config=asan)")
    args = parser.parse_args(argv)
    root = os.environ.get("EDDY_ROOT", ROOT)
    try:
        items = [find_item(root, name) for name in args.items]
        if args.write_manifest:
            write_manifests(root, items)
            return 0
        manifests = {item.name: read_manifest(item.manifest) for item in items}
    except UsageError as error:
        print("tools/grade: %s" % error, file=sys.stderr)
        return 2

    lint_findings = [] if args.reference else [f for item in items for f in lint(root, item)]
    for finding in lint_findings:
        print("tools/grade: lint: %s:%d: %s" % finding)
    configs = [] if args.reference else sorted({item.config for item in items if item.config})
    run_labels = {}
    for item in items:
        for label, manifest_label in item.reference_tests.items():
            run_labels[label if args.reference else manifest_label] = manifest_label
    verdicts, testlogs, output = run_tests(root, run_labels, configs, args.bazel_arg)
    if set(verdicts) != set(run_labels) or not all(verdicts.values()):
        # Compiler errors and failed tests' output, for the student.
        errors = [line for line in output.splitlines()
                  if line.startswith(("ERROR:", "FAIL:")) or ": error:" in line]
        print("\n".join(errors[:60]) if errors else output[-6000:])
    results = {}
    for label in run_labels:
        xmls = xml_files(testlogs, label)
        log = "".join(open(os.path.join(os.path.dirname(x), "test.log"), encoding="utf-8",
                           errors="replace").read()
                      for x in xmls if os.path.exists(os.path.join(os.path.dirname(x), "test.log")))
        results[run_labels[label]] = confirm_with_log(read_results(xmls), log)
    target_passed = {run_labels[label]: verdicts.get(label, False) for label in run_labels}

    graded = []
    for item in items:
        manifest = [pair for pair in manifests[item.name] if pair[0] in item.tests]
        if not manifest:
            print("tools/grade: %s: its manifest lists no case of %s" % (item.title(),
                                                                         " ".join(item.tests)),
                  file=sys.stderr)
        item_findings = [f for f in lint_findings if f[0] in item.student_files]
        entries, passed = evaluate(manifest, results, target_passed, item_findings)
        graded.append((item, entries, passed))
        for entry in entries:
            if not entry["passed"]:
                first = [l for l in entry["output"].strip().splitlines()
                         if l.strip() and l.strip() != "unknown file"][:1]
                print("tools/grade: %s: FAILED %s %s%s" % (item.title(), entry["label"],
                                                         entry["case"],
                                                         (": " + first[0]) if first else ""))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(gradescope(graded, lint_findings), out, indent=2)
    print(summary_line(graded))
    return 0 if all(passed for _, _, passed in graded) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
