"""Graded exercises: one macro per exercise, one per reference solution.

An exercise `x` in `NN_name/exercises/` is four targets:

  :x_contract  cc_library, hdrs only: the header the student implements (the
               contract) and every library the student may use.
  :x           cc_library, srcs: the student's file(s), x.cc (starts as the
               starter, with TODOs).
  :x_tests     cc_library (testonly, alwayslink): the grading tests, written
               against the contract only.
  :x_test      cc_test = :x + :x_tests, tagged "manual" so that
               `tools/bazel test //...` stays green while starters are unsolved.

A chapter's `test_suite(name = "all", tests = [...], tags = ["manual"])` makes
`tools/bazel test //NN_name/exercises:all` run them: Bazel resolves `:all` to
a target of that name when one exists (it prints an "ambiguous" warning), and a
test_suite runs the manual tests it lists explicitly.

`solution()` (in `solutions/NN_name/exercises/BUILD.bazel`) builds two checks
that run in `//...`:

  :x_solution_test       the same :x_tests linked against solutions/.../x.cc:
                         the solution passes.
  :x_starter_fails_test  runs the starter's :x_test binary and expects it to
                         fail cleanly (gtest reports FAILED, no crash, no hang):
                         the tests are not vacuous.
"""

_GTEST = "@googletest//:gtest"
_GTEST_MAIN = "@googletest//:gtest_main"

def exercise(name, hdrs, test_srcs, srcs = None, deps = [], test_deps = [], size = "small", data = []):
    """Declares exercise `name` (see the module docstring)."""
    native.cc_library(
        name = name + "_contract",
        hdrs = hdrs,
        deps = deps,
        visibility = ["//visibility:public"],
    )
    native.cc_library(
        name = name,
        srcs = srcs if srcs != None else [name + ".cc"],
        deps = [":" + name + "_contract"],
    )
    native.cc_library(
        name = name + "_tests",
        testonly = True,
        srcs = test_srcs,
        deps = [":" + name + "_contract", _GTEST] + test_deps,
        data = data,
        alwayslink = True,
        visibility = ["//visibility:public"],
    )
    native.cc_test(
        name = name + "_test",
        size = size,
        deps = [":" + name, ":" + name + "_tests", _GTEST_MAIN],
        tags = ["manual", "exercise"],
        visibility = ["//visibility:public"],
    )

def solution(name, exercises, srcs = None, size = "small"):
    """Checks the reference solution of exercise `name` of package `exercises`.

    Args:
      name: the exercise's name (its starter is `<exercises>/<name>.cc`).
      exercises: the exercise package, e.g. "//01_ioloop/exercises".
      srcs: the solution's files; default [name + ".cc"].
      size: the tests' size.
    """
    native.cc_test(
        name = name + "_solution_test",
        size = size,
        srcs = srcs if srcs != None else [name + ".cc"],
        deps = [
            exercises + ":" + name + "_contract",
            exercises + ":" + name + "_tests",
            _GTEST_MAIN,
        ],
    )
    native.sh_test(
        name = name + "_starter_fails_test",
        size = size,
        srcs = ["//solutions:starter_fails.sh"],
        args = ["$(rootpath %s:%s_test)" % (exercises, name)],
        data = [exercises + ":" + name + "_test"],
    )
