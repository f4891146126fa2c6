#!/usr/bin/env python3
"""The GitHub Classroom files grade what exists.

autograding.json parses, and each of its tests runs `tools/grade ITEM...`;
classroom.yml's steps do the same, each with an id that the reporter's
`runners` and its `<ID>_RESULTS` variable name. Every ITEM is a lab or an
exercise that has a manifest (the manifests are the arguments).

Usage: classroom_test.py AUTOGRADING_JSON CLASSROOM_YML MANIFEST...
"""

import json
import re
import sys


def known_items(manifests):
    items = set()
    for path in manifests:
        for line in open(path):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            label = line.split()[0]
            lab = re.match(r"//\d\d_\w+", label)
            if "/lab/" in path:
                items.add(re.search(r"(\d\d)_[^/]+/lab/manifest\.txt$", path).group(1))
            else:
                exercise = re.search(r":(\w+)_test$", label)
                if lab and exercise:
                    items.add(exercise.group(1))
    return items


def graded_items(command, where, problems, items):
    words = command.split()
    if words[:1] != ["tools/grade"] or len(words) < 2:
        problems.append("%s: %r is not `tools/grade ITEM...`" % (where, command))
        return
    for item in words[1:]:
        if not item.startswith("-") and item not in items:
            problems.append("%s: %s is neither a lab nor an exercise with a manifest"
                            % (where, item))


def main(argv):
    autograding, workflow = argv[:2]
    items = known_items(argv[2:])
    problems = []
    tests = json.load(open(autograding))["tests"]
    for test in tests:
        for key in ("name", "run", "timeout", "points", "comparison"):
            if key not in test:
                problems.append("autograding.json: %s lacks %s" % (test.get("name"), key))
        graded_items(test.get("run", ""), "autograding.json", problems, items)
    text = open(workflow).read()
    ids = re.findall(r"^\s+id: (\S+)", text, re.M)
    commands = re.findall(r"^\s+command: (.+)$", text, re.M)
    if len(ids) != len(commands) or not ids:
        problems.append("classroom.yml: %d step ids for %d commands" % (len(ids), len(commands)))
    for command in commands:
        graded_items(command.strip(), "classroom.yml", problems, items)
    runners = re.search(r"^\s+runners: (\S+)", text, re.M)
    if not runners or set(runners.group(1).split(",")) != set(ids):
        problems.append("classroom.yml: runners must list the step ids %s" % ",".join(ids))
    for step in ids:
        if "%s_RESULTS: \"${{steps.%s.outputs.result}}\"" % (step.upper(), step) not in text:
            problems.append("classroom.yml: no %s_RESULTS for the reporter" % step.upper())
    for problem in problems:
        print("FAIL: " + problem, file=sys.stderr)
    if not problems:
        print("ok: %d autograding tests and %d workflow steps grade existing items"
              % (len(tests), len(ids)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
