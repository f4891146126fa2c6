"""Whether this checkout is a student handout (tools/handout rewrites it).

In the repository, HANDOUT is False: every lab piece builds from its
production file unless `--config=labNN` switches the student's file in.
In a handout the production files are gone and HANDOUT is True: the lab files
are the only sources, so `tools/bazel test //...` grades the student.
"""

HANDOUT = False
