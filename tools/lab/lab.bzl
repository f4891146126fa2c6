"""Labs: the heart of each chapter, written by the student, graded by the
chapter's own tests (docs/teachers.md, "Labs"; a student's view is in each
NN_name/lab/README.md).

A lab is described once, in `NN_name/lab/lab.bzl`, by a dict named LAB:

    LAB = {
        "lab": "01",                       # its number
        "package": "01_ioloop",            # the chapter
        "production": ["loop_turn.cc"],    # files of //01_ioloop: the
                                           # production bodies of the piece
        "student": ["loop_turn.cc"],       # files of //01_ioloop/lab: the
                                           # student's (starters here)
        "tests": ["//01_ioloop:ioloop_test"],  # the graded test targets
        "solution": ["loop_turn.cc"],      # optional: files of
                                           # //solutions/01_ioloop/lab, a
                                           # reference solution in the
                                           # lab's own style (default: the
                                           # production files are it)
    }

(plain literals only: tools/grade and tools/handout read the same file.)
The chapter's BUILD.bazel puts `lab_srcs(LAB)` in the srcs of the library
that holds the piece. Then:

  tools/bazel test //01_ioloop/...              production code
  tools/bazel test --config=lab01 //...         the student's lab 01, under
                                                every chapter's tests
  tools/grade 01                                the same, checked against
                                                NN_name/lab/manifest.txt

and in //solutions/NN_name/lab (not in a handout):

  lab_starter_fails_test   every graded test, built with the starter,
                           fails cleanly with "TODO(lab NN)" in its output
                           (no crash, no hang): the tests are not vacuous.
  lab_solution_test        every graded test, built with the reference
                           solution (LAB["solution"]), passes.

and in //NN_name/lab:

  lab_manifest_test        the manifest lists exactly the test cases the
                           graded targets hold (the grader passes a lab only
                           if every one of them ran and passed).
"""

load(":mode.bzl", "HANDOUT")

LABS = ["01", "02", "03", "04", "05", "06"]

_FLAGS = ["//tools/lab:lab" + lab for lab in LABS]

def _lab_flag_impl(ctx):
    _ignore = [ctx]  # @unused
    return []

# Where lab NN's piece comes from: --//tools/lab:labNN=production (the
# default), =student (NN_name/lab/, what --config=labNN sets) or =solution
# (solutions/NN_name/lab/, the teacher's reference, for lab_solution_test).
lab_flag = rule(
    implementation = _lab_flag_impl,
    build_setting = config.string(flag = True),
)

SOURCES = ["production", "student", "solution"]

def lab_srcs(lab, production = None, student = None):
    """The sources of a lab piece, for the srcs of the library that holds it.

    Args:
      lab: the LAB dict of NN_name/lab/lab.bzl.
      production: a subset of lab["production"], when the piece spans
        several libraries (default: all of them).
      student: the matching subset of lab["student"].

    Returns:
      The production files, or the student's files of NN_name/lab/ under
      --config=labNN and in a handout (which has no production files).
    """
    production = lab["production"] if production == None else production
    student = lab["student"] if student == None else student
    student_labels = ["//%s/lab:%s" % (lab["package"], f) for f in student]
    if HANDOUT:
        return student_labels
    if "solution" in lab and production == lab["production"]:
        solution = ["//solutions/%s/lab:%s" % (lab["package"], f) for f in lab["solution"]]
    else:
        solution = production
    return select({
        "//tools/lab:lab%s_student" % lab["lab"]: student_labels,
        "//tools/lab:lab%s_solution" % lab["lab"]: solution,
        "//conditions:default": production,
    })

# ---- The checks ---------------------------------------------------------------

def _to_lab_sources_impl(settings, attr):
    values = {flag: settings[flag] for flag in _FLAGS}
    for lab in attr.labs:
        values["//tools/lab:lab" + lab] = attr.sources
    return values

# Builds the graded tests with the named labs' pieces taken from
# attr.sources: "student" (the starters) or "solution".
_to_lab_sources = transition(
    implementation = _to_lab_sources_impl,
    inputs = _FLAGS,
    outputs = _FLAGS,
)

def _check_cases_test_impl(ctx):
    args = [ctx.attr.mode, ctx.attr.what, "--"]
    runfiles = ctx.runfiles(files = [ctx.file._script] + ctx.files.manifest)
    for target in ctx.attr.tests:
        info = target[DefaultInfo]
        executable = info.files_to_run.executable
        args += [str(target.label), executable.short_path]
        runfiles = runfiles.merge(ctx.runfiles(files = [executable]))
        runfiles = runfiles.merge(info.default_runfiles)
    if ctx.files.manifest:
        args[1] = ctx.files.manifest[0].short_path
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(
        output = script,
        content = "#!/usr/bin/env bash\nexec %s %s\n" % (
            ctx.file._script.short_path,
            " ".join(["'%s'" % a for a in args]),
        ),
        is_executable = True,
    )
    return [DefaultInfo(executable = script, runfiles = runfiles)]

_COMMON_ATTRS = {
    "mode": attr.string(mandatory = True),
    "what": attr.string(),
    "manifest": attr.label(allow_single_file = True),
    "_script": attr.label(
        default = "//tools/lab:check_cases.sh",
        allow_single_file = True,
    ),
}

_lab_check_test = rule(
    implementation = _check_cases_test_impl,
    test = True,
    attrs = dict(_COMMON_ATTRS, **{
        "labs": attr.string_list(mandatory = True),
        "sources": attr.string(mandatory = True, values = ["student", "solution"]),
        "tests": attr.label_list(cfg = _to_lab_sources, mandatory = True),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    }),
)

_manifest_check_test = rule(
    implementation = _check_cases_test_impl,
    test = True,
    attrs = dict(_COMMON_ATTRS, **{
        "tests": attr.label_list(mandatory = True),
    }),
)

def lab_starter_fails_test(name, lab, size = "medium", tests = None):
    """Every graded test of `lab`, built on the lab's starters, fails cleanly.

    Clean means: GoogleTest ran and reported FAILED cases, the binary exited
    with status 1 within its time limit, and its output says "TODO(lab NN)".
    Tagged "lab_check": .ci/run's sanitizer runs leave it out (it proves the
    tests are not vacuous, which does not change under a sanitizer).
    """
    _lab_check_test(
        name = name,
        mode = "starter",
        what = lab["lab"],
        labs = [lab["lab"]],
        sources = "student",
        tests = lab["tests"] if tests == None else tests,
        size = size,
        tags = ["lab_check"],
    )

def lab_solution_test(name, lab, size = "medium", tests = None):
    """Every graded test of `lab`, built on its reference solution, passes.

    The solution is LAB["solution"] (files of //solutions/NN_name/lab); a lab
    without one is solved by its production files, which //... tests anyway.
    Tagged "lab_check", as lab_starter_fails_test.
    """
    _lab_check_test(
        name = name,
        mode = "pass",
        what = lab["lab"],
        labs = [lab["lab"]],
        sources = "solution",
        tests = lab["tests"] if tests == None else tests,
        size = size,
        tags = ["lab_check"],
    )

def lab_manifest_test(name, manifest, tests, size = "small"):
    """`manifest` lists exactly the test cases that `tests` hold.

    One line per case, `<test label> <Suite.Case>`, sorted; write it with
    `tools/grade --write-manifest LAB` (or exercise name).
    """
    _manifest_check_test(
        name = name,
        mode = "manifest",
        manifest = manifest,
        tests = tests,
        size = size,
    )
