#!/usr/bin/env python3
"""Checks that the walkthroughs' code references still exist.

Every Markdown file (the chapters' README.md walkthroughs, docs/*.md, the
exercises' statements) cites code in three ways, and each is checked:

  files       `01_ioloop/ioloop.h`, `ioloop.cc`, [link](../02_netutil/README.md):
              the file must exist (a bare name: next to the Markdown file, or
              anywhere in the tree if that name is unique enough to find).
  labels      `//05_httpserver:hello_server`, `tools/bazel test //01_ioloop/...`:
              the package must exist and define the target (patterns `:all`,
              `/...` need the package only).
  identifiers `IOLoop::add_handler`, `run_until(condition, timeout)`: a
              backticked C++ name followed by `(` or containing `::`; every
              part of it must occur as a word in the sources (*.h, *.cc).
              In a backticked statement, its A::b names and .f( calls.
  tags        `DOC: headers-parse` (STYLE.md: cite code by stable tags): some
              source must carry the same `DOC: headers-parse` comment.
  excerpts    a fenced code block right after a line
                <!-- excerpt: DOC: loop-turn -->
              (blank lines between them allowed) quotes the source region
              the tag marks, and must still match it (see "Excerpts" below).

Excerpts. A source marks a region with a comment `// DOC: name.` (the tag
line; prose may follow on it and on the `//` lines right below it). The
region is the code after that comment block, up to the line
`// DOC: end name` when the same file has one, else up to and including the
first line that is `}` or `};` in column 0 (the end of the top-level
definition the tag sits on). Exactly one source may carry a tag. The excerpt
matches when its lines and the region's, both whitespace-normalised
(stripped, runs of blanks made one space) and without blank lines, are equal,
except that a line `...` (or `// ...`) in the excerpt stands for any number
of region lines (zero or more). So an excerpt that starts (ends) without
`...` quotes the region from its first (to its last) line; put `...` first
or last to quote from its middle. A mismatch is reported with the first
excerpt line that does not match, so a renamed variable or a reordered
statement fails the check until the walkthrough is updated.

Skipped on purpose: fenced code blocks except for labels and chapter paths
and excerpts (they hold shell sessions and snippets); table columns whose header names
Tornado or Python (the side-by-side tables); `std::` names; man-page
references like `poll(2)`; links with a scheme (https:, mailto:) or only an
anchor; names listed in ALLOWED below; placeholders (`<name>.h`); and lines
between <!-- docs-check: off --> and <!-- docs-check: on --> (a hypothetical
example of a file still to be written).

Two ways to run it:

  python3 docs/check_docs.py            from a checkout: checks every *.md of
                                        the tree; labels are looked up in the
                                        BUILD files (with the exercise()
                                        and solution() macros expanded).
  //docs:docs_check_test                the Bazel test: checks the files the
                                        test declares as data (its runfiles),
                                        and a label must be one the test
                                        depends on (so a vanished target
                                        breaks the test's build).

  python3 docs/check_docs.py --write-build   regenerates the data block of
                                        docs/BUILD.bazel after docs change.

Exit status 0 when every reference resolves; 1 with one line per broken
reference ("file:line: what is missing") otherwise.
"""

import argparse
import os
import re
import sys

# Names that look like C++ references but are not the project's: libc/POSIX
# calls and macros the walkthroughs mention, and the Python side of prose.
ALLOWED = {
    # POSIX / libc / kernel interfaces (checked only if a project file uses
    # them, which would be fine too; listed so prose can name them freely).
    "accept", "accept4", "bind", "close", "connect", "dup2", "epoll_create1",
    "epoll_ctl", "epoll_wait", "eventfd", "execve", "fcntl", "fork", "fstat",
    "getaddrinfo", "getsockname", "getpeername", "getsockopt", "inet_pton",
    "kill", "listen", "pipe", "pipe2", "poll", "read", "readv", "recv",
    "select", "send", "sendfile", "setsockopt", "shutdown", "sigaction",
    "signal", "socket", "socketpair", "waitpid", "write", "writev", "main",
    "SSL_CTX_new", "SSL_do_handshake", "SSL_read", "SSL_write", "deflate",
    "inflate", "deflateInit2", "inflateInit2", "sizeof", "assert", "clone",
    "vfork", "posix_spawn", "posix_spawnp", "prctl", "setsid", "umask",
}

DOC_EXTENSIONS = (".md",)
SOURCE_EXTENSIONS = (".h", ".cc", ".bzl", ".py", ".sh")
FILE_EXTENSIONS = ("h", "cc", "md", "bazel", "bzl", "py", "sh", "txt", "BUILD",
                   "json", "yml", "yaml", "pem")
SKIP_DIRS = {".git", "node_modules"}

LABEL_RE = re.compile(r"(?<![\w:/@])//([A-Za-z0-9_.-][A-Za-z0-9_./-]*|(?=:))(?::([A-Za-z0-9_.+=,@~-]+))?")
PATH_RE = re.compile(
    r"(?<![\w/.*<>-])((?:\.{1,2}/)*(?:[\w.-]+/)*[\w-]+(?:\.[\w-]+)*\.(?:%s))(?![\w/])"
    % "|".join(FILE_EXTENSIONS))
CHAPTER_DIR_RE = re.compile(r"^\d\d_[a-z]+$")
CHAPTER_PATH_RE = re.compile(r"(?<![\w/.-])(\d\d_[a-z]+/[\w./-]*[\w])")
IDENT_RE = re.compile(r"^(~?[A-Za-z_]\w*(?:::~?[A-Za-z_]\w*)*)(\(.*\))?(?:\s*(?:const|override))?;?$")
FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})")
LINK_RE = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
CODE_SPAN_RE = re.compile(r"(`+)(.+?)\1")
TAG_RE = re.compile(r"DOC: (?!end )([a-z0-9][a-z0-9-]*[a-z0-9])")
EXCERPT_RE = re.compile(r"<!--\s*excerpt:\s*DOC: ([a-z0-9][a-z0-9-]*[a-z0-9])\s*-->")
ELISION_RE = re.compile(r"^(?://\s*)?\.\.\.$")


HANDOUT_LISTING = "tools/lab/handout.txt"


class Tree:
    """The files the check can see: a checkout, or the test's runfiles."""

    def __init__(self, root):
        self.root = root
        self.files = set()
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            rel_dir = os.path.relpath(dirpath, root)
            dirnames[:] = [
                d for d in dirnames
                if d not in SKIP_DIRS and not d.startswith("bazel-")
                and not (rel_dir == "." and d in ("external", "_solib_k8"))
                and not d.endswith(".runfiles")
            ]
            for name in filenames:
                rel = os.path.normpath(os.path.join(rel_dir, name))
                self.files.add(rel)
        self.dirs = set()
        for f in self.files:
            d = os.path.dirname(f)
            while d:
                self.dirs.add(d)
                d = os.path.dirname(d)
        self.by_basename = {}
        for f in self.files:
            self.by_basename.setdefault(os.path.basename(f), []).append(f)
        # A student handout (tools/handout) leaves out the labs' production
        # files and solutions/, and lists them, with the DOC: tags they held,
        # in tools/lab/handout.txt: references to them are not errors there.
        self.left_out_files, self.left_out_tags = set(), set()
        listing = os.path.join(root, HANDOUT_LISTING)
        if os.path.exists(listing):
            for line in open(listing, encoding="utf-8"):
                kind, _, name = line.partition(" ")
                if kind == "file":
                    self.left_out_files.add(name.strip())
                elif kind == "tag":
                    self.left_out_tags.add(name.strip())

    def read(self, rel):
        with open(os.path.join(self.root, rel), encoding="utf-8") as handle:
            return handle.read()

    def docs(self):
        """The Markdown files to check (not the check's own test data)."""
        return sorted(f for f in self.files if f.endswith(DOC_EXTENSIONS)
                      and "/testdata/" not in "/" + f)

    def words(self):
        """Every identifier-like word of the sources; also fills self.tags
        with the stable tags the sources carry (`// DOC: name.`)."""
        words = set()
        self.tags = set()
        self.tagged = {}  # tag -> [(file, its lines)], for excerpts.
        for f in self.files:
            if f.startswith("docs/testdata/") and f.endswith(".cc"):
                # The rot test's excerpt source: its tags only.
                text = self.read(f)
                for tag in TAG_RE.findall(text):
                    self.tags.add(tag)
                    self.tagged.setdefault(tag, []).append((f, text.splitlines()))
                continue
            if f.startswith(("docs/testdata/", "docs/check_docs.py",
                             "docs/docs_check_fails_on_rot_test.sh")):
                continue  # The check itself and its test data name broken things.
            if f.endswith(SOURCE_EXTENSIONS) or os.path.basename(f).startswith("BUILD"):
                try:
                    text = self.read(f)
                except (UnicodeDecodeError, OSError):
                    continue
                words.update(re.findall(r"[A-Za-z_]\w*", text))
                found = set(TAG_RE.findall(text))
                self.tags.update(found)
                if f.endswith((".h", ".cc")):
                    for tag in found:
                        self.tagged.setdefault(tag, []).append((f, text.splitlines()))
        self.tags.update(self.left_out_tags)
        return words

    def packages(self):
        return {os.path.dirname(f) for f in self.files
                if os.path.basename(f) in ("BUILD", "BUILD.bazel")}


def build_targets(tree, package):
    """Target names a BUILD file defines, with eddy's macros expanded."""
    for name in ("BUILD.bazel", "BUILD"):
        path = os.path.join(package, name) if package else name
        if path in tree.files:
            text = tree.read(path)
            break
    else:
        return None
    targets = set()
    for comp in re.finditer(r'name\s*=\s*(?:"([^"]*)"\s*\+\s*)?(\w+)(?:\s*\+\s*"([^"]*)")?\s*,'
                            r'.*?\bfor\s+\2\s+in\s+\[([^\]]*)\]', text, re.S):
        prefix, suffix = comp.group(1) or "", comp.group(3) or ""
        for value in re.findall(r'"([^"]+)"', comp.group(4)):
            targets.add(prefix + value + suffix)
    for kind, body in top_level_calls(text):
        m = re.search(r'\bname\s*=\s*"([^"]+)"', body)
        if not m:
            if kind == "exports_files":  # Plain names; globs: exported_files().
                targets.update(n for n in re.findall(r'"([^"]+)"', body.split("visibility")[0])
                               if "*" not in n)
            continue
        name = m.group(1)
        targets.add(name)
        if kind == "exercise":
            targets.update({name + "_contract", name + "_tests", name + "_test",
                            name + ".cc"})
        elif kind == "solution":
            targets.update({name + "_solution_test", name + "_starter_fails_test",
                            name + ".cc"})
        for src in re.findall(r'"([\w./-]+\.\w+)"', body):
            targets.add(src)  # Source files used by a rule are targets too.
    return targets


def private_targets(tree, package):
    """Rule targets of `package` that another package may not depend on
    (no //visibility:public on the rule or as the package default)."""
    path = os.path.join(package, "BUILD.bazel") if package else "BUILD.bazel"
    if path not in tree.files:
        return set()
    text = tree.read(path)
    default = re.search(r"default_visibility\s*=\s*\[([^\]]*)\]", text)
    default_public = bool(default and "//visibility:public" in default.group(1))
    private = set()

    def visible(body):
        m = re.search(r"\bvisibility\s*=\s*\[([^\]]*)\]", body)
        return "//visibility:public" in m.group(1) if m else default_public

    for comp in re.finditer(r'\[(\w+)\(\s*name\s*=\s*(?:"([^"]*)"\s*\+\s*)?(\w+)'
                            r'(?:\s*\+\s*"([^"]*)")?(.*?)\bfor\s+\3\s+in\s+\[([^\]]*)\]',
                            text, re.S):
        if not visible(comp.group(5)):
            for value in re.findall(r'"([^"]+)"', comp.group(6)):
                private.add((comp.group(2) or "") + value + (comp.group(4) or ""))
    for kind, body in top_level_calls(text):
        m = re.search(r'\bname\s*=\s*"([^"]+)"', body)
        if not m or kind in ("exercise", "solution", "package", "load"):
            continue  # The macros set public visibility on what they export.
        if not visible(body):
            private.add(m.group(1))
    return private


def top_level_calls(text):
    """(kind, body) of each top-level call in a BUILD file: `kind(body)`."""
    text = re.sub(r"#[^\n]*", "", text)
    for m in re.finditer(r"^(\w+)\(", text, re.M):
        depth, i = 1, m.end()
        in_string = None
        while i < len(text) and depth:
            ch = text[i]
            if in_string:
                if ch == "\\":
                    i += 1
                elif ch == in_string:
                    in_string = None
            elif ch in "\"'":
                in_string = ch
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            i += 1
        yield m.group(1), text[m.end():i - 1]


def normalise(line):
    return " ".join(line.split())


def tagged_region(lines, tag):
    """The normalised, non-blank lines of the region `// DOC: tag.` marks
    (module docstring, "Excerpts"), or None when the tag line is absent."""
    start = next((i for i, l in enumerate(lines)
                  if re.search(r"DOC: %s(?![\w-])" % re.escape(tag), l)), None)
    if start is None:
        return None
    i = start + 1
    while i < len(lines) and lines[i].lstrip().startswith("//") and \
            "DOC:" not in lines[i]:
        i += 1  # The tag's comment block.
    end_marker = re.compile(r"^\s*//\s*DOC: end %s\s*$" % re.escape(tag))
    has_end = any(end_marker.match(l) for l in lines[i:])
    region = []
    for l in lines[i:]:
        if has_end and end_marker.match(l):
            break
        if l.strip():
            region.append(normalise(l))
        if not has_end and l.rstrip() in ("}", "};"):
            break
    return region


def match_excerpt(excerpt, region):
    """None when `excerpt` (normalised lines, `...` for elisions) matches
    `region`; else what is wrong, naming the first excerpt line that cannot
    match."""
    best = [0]

    def match(e, r):
        best[0] = max(best[0], e)
        if e == len(excerpt):
            return r == len(region)
        if ELISION_RE.match(excerpt[e]):
            return any(match(e + 1, k) for k in range(r, len(region) + 1))
        return r < len(region) and excerpt[e] == region[r] and match(e + 1, r + 1)

    if match(0, 0):
        return None
    if best[0] >= len(excerpt):
        return "the region goes on after the excerpt's last line (end it with `...`)"
    return "first mismatch at excerpt line %r" % excerpt[best[0]]


class Checker:
    def __init__(self, tree, declared_labels=None, unverified_labels=(),
                 opaque_packages=(), invisible_files=(), known_packages=()):
        self.tree = tree
        self.declared = declared_labels  # None: look labels up in BUILD files.
        # Labels the test cannot depend on (private targets): known to have
        # existed when the data block was generated; checked against their
        # BUILD file when the test can see it, else counted as unverified.
        self.unverified = set(unverified_labels)
        self.opaque = set(opaque_packages)
        # Files that exist but the test may not depend on (not exported).
        self.invisible = set(invisible_files) | tree.left_out_files
        self.resolved = set()  # Files the references resolved to.
        # (The test) every package of the tree, for //pkg/... and //pkg:all.
        self.known_packages = set(known_packages)
        self.unverified_seen = set()
        self.words = tree.words()
        self.packages = tree.packages()
        self.problems = []
        self.pending = set()  # Chapters cited but absent from the tree.
        self.counts = {"files": 0, "labels": 0, "identifiers": 0, "tags": 0,
                       "excerpts": 0}

    def problem(self, doc, line, message):
        self.problems.append("%s:%d: %s" % (doc, line, message))

    # -- files ---------------------------------------------------------------

    def resolve_path(self, doc, path):
        path = path.split("#")[0].rstrip("/")
        if not path:
            return True
        base = os.path.dirname(doc)
        candidates = [os.path.normpath(os.path.join(base, path))]
        if not path.startswith("."):
            candidates.append(os.path.normpath(path))
        for c in candidates:
            if c in self.tree.files or c in self.tree.dirs:
                self.resolved.add(c)
                return True
            if c in self.invisible:
                self.unverified_seen.add(c)
                return True
        if "/" not in path:
            if path in self.tree.by_basename:
                self.resolved.update(self.tree.by_basename[path])
                return True
            return path in {os.path.basename(f) for f in self.invisible}
        # A path given relative to a chapter: `exercises/README.md`.
        found = [f for f in self.tree.files if f.endswith("/" + path)]
        self.resolved.update(found)
        return bool(found) or any(f.endswith("/" + path) for f in self.invisible)

    def check_path(self, doc, line, path, strict_dirs_only=False):
        if path.startswith(("http:", "https:", "mailto:", "#")) or "://" in path:
            return
        if "*" in path or "<" in path or "NN_" in path or "{" in path:
            return  # A pattern or a placeholder, not a file.
        if strict_dirs_only and not re.match(r"\d\d_", path):
            return
        clean = path.split("#")[0]
        if clean.startswith("."):
            rooted = os.path.normpath(os.path.join(os.path.dirname(doc), clean))
        else:
            rooted = os.path.normpath(clean)
        first = rooted.split("/")[0]
        beside_doc = os.path.normpath(os.path.join(os.path.dirname(doc), first))
        if ("/" in clean and not clean.startswith(".") and first not in self.tree.dirs
                and beside_doc not in self.tree.dirs and not CHAPTER_DIR_RE.match(first)):
            return  # Not this project's: <openssl/ssl.h>, tornado/netutil.py.
        if os.path.basename(clean) in ("BUILD", "BUILD.bazel") and "/" not in clean:
            return  # "each package's BUILD.bazel": generic.
        if self.chapter_pending(first) and not self.in_opaque(rooted) and \
                not any(f.startswith(first + "/") for f in self.invisible):
            self.pending.add(first)
            return
        self.counts["files"] += 1
        if not self.resolve_path(doc, path):
            if self.in_opaque(rooted):
                self.unverified_seen.add(rooted)
                return
            self.problem(doc, line, "file not found: %s" % path)

    def in_opaque(self, rooted):
        """True when `rooted` lies in a package the test may not see."""
        d = os.path.dirname(rooted) if "." in os.path.basename(rooted) else rooted
        while d:
            if d in self.opaque:
                return True
            d = os.path.dirname(d)
        return False

    def chapter_pending(self, first):
        """A chapter directory that is not in this tree at all (its branch
        has not been merged yet), or solutions/ in a student handout: noted,
        not failed."""
        if first == "solutions":  # Absent from a handout (and the sandbox).
            return first not in self.tree.dirs
        return bool(CHAPTER_DIR_RE.match(first)) and first not in self.tree.dirs \
            and first not in self.known_packages

    # -- labels --------------------------------------------------------------

    def check_label(self, doc, line, package, target):
        package = package.rstrip("/")
        if "NN_" in package or "<" in package or (target and "<" in target):
            return  # A placeholder: //NN_name/exercises:<name>_test.
        if self.chapter_pending(package.split("/")[0]) and package not in self.opaque:
            self.pending.add(package.split("/")[0])
            return
        self.counts["labels"] += 1
        if package.endswith("..."):
            pkg = package[:-3].rstrip("/")
            if pkg and pkg not in self.tree.dirs and pkg not in self.known_packages:
                self.problem(doc, line, "no such directory for //%s" % package)
            return
        if target is None:  # `//01_ioloop`: the package, as docs mean it.
            if package not in self.tree.dirs and package not in self.packages:
                self.problem(doc, line, "no such package: //%s" % package)
            return
        label = "//%s:%s" % (package, target)
        if package not in self.packages and self.declared is None:
            self.problem(doc, line, "no such package: //%s (in %s)" % (package, label))
            return
        if target == "all" or target == "*":
            if self.declared is not None and package not in self.packages and \
                    package not in self.tree.dirs and package not in self.known_packages:
                self.problem(doc, line, "no such package: //%s" % package)
            return
        if self.declared is not None and package in self.opaque and label not in self.declared:
            self.unverified_seen.add(label)
            return
        if self.declared is not None and package in self.packages and \
                label not in self.declared:
            targets = build_targets(self.tree, package)
            if target not in targets:
                self.problem(doc, line, "no target %s" % label)
            return
        if self.declared is not None and label in self.unverified:
            targets = build_targets(self.tree, package)
            if targets is None:
                self.unverified_seen.add(label)
            elif target not in targets:
                self.problem(doc, line, "no target %s" % label)
            return
        if self.declared is not None:
            if label not in self.declared:
                self.problem(doc, line,
                             "label %s is not among //docs:docs_check_test's "
                             "data; run `python3 docs/check_docs.py "
                             "--write-build` (or fix the label)" % label)
            return
        targets = build_targets(self.tree, package)
        if targets is None or target not in targets:
            self.problem(doc, line, "no target %s" % label)

    def labels_in(self, text):
        for m in LABEL_RE.finditer(text):
            yield m.group(1), m.group(2)

    # -- identifiers ---------------------------------------------------------

    def check_identifier(self, doc, line, span):
        span = span.strip()
        m = IDENT_RE.match(span)
        if not m:
            self.check_statement(doc, line, span)
            return
        name, args = m.group(1), m.group(2)
        if "::" not in name and args is None:
            return
        if args is not None and re.fullmatch(r"\(\d\w?\)", args):
            return  # poll(2): a man page.
        parts = [p.lstrip("~") for p in name.split("::")]
        if parts[0] in ("std", "absl", "testing", "gflags", "benchmark"):
            return
        if parts[-1] in ALLOWED or name in ALLOWED:
            return
        self.counts["identifiers"] += 1
        missing = [p for p in parts if p not in self.words]
        if missing and self.opaque:
            self.unverified_seen.add(name)  # Maybe defined where we cannot see.
            return
        if missing:
            self.problem(doc, line, "identifier not found in the sources: %s "
                         "(no %s)" % (name, ", ".join(missing)))

    def check_statement(self, doc, line, span):
        """A C++ statement in backticks (`server.add_sockets(std::move(s));`):
        its qualified names (A::b) and member calls (.f( and ->f() are
        checked; free calls and declarations are not (they may be variables).
        Only spans that look like C++ (a `;`, `->`, `::` or `.x(`) count."""
        if not re.search(r";|->|::|\.\w+\(", span) or "/" in span.split("(")[0]:
            return
        if re.search(r"\bdef\b|\bimport\b|\byield\b|%|\bself\b", span):
            return  # Python.
        names = set()
        for q in re.findall(r"(?<![\w.>])((?:[A-Za-z_]\w*::)+~?[A-Za-z_]\w*)", span):
            if not q.startswith(("std::", "absl::", "testing::")):
                names.add(q)
        for member in re.findall(r"(?:\.|->)([A-Za-z_]\w*)\s*\(", span):
            names.add(member)
        for name in sorted(names):
            parts = [p.lstrip("~") for p in name.split("::")]
            if parts[-1] in ALLOWED:
                continue
            self.counts["identifiers"] += 1
            missing = [p for p in parts if p not in self.words]
            if missing and self.opaque:
                self.unverified_seen.add(name)
            elif missing:
                self.problem(doc, line, "identifier not found in the sources: %s "
                             "(no %s)" % (name, ", ".join(missing)))

    # -- a document ----------------------------------------------------------

    def check_excerpt(self, doc, line, tag, block):
        """`block`: the excerpt's lines (the fence's content)."""
        self.counts["excerpts"] += 1
        sources = self.tree.tagged.get(tag, [])
        if not sources:
            if self.opaque or tag in self.tree.left_out_tags:
                self.unverified_seen.add("excerpt DOC: " + tag)
            elif tag in self.tree.tags:
                self.problem(doc, line, "excerpt of `DOC: %s`: no .h/.cc carries the tag" % tag)
            return  # Else the marker line's tag check reports it.
        if len(sources) > 1:
            self.problem(doc, line, "excerpt of `DOC: %s`: the tag is in several "
                         "sources (%s); a tag must be unique" % (
                             tag, ", ".join(sorted(f for f, _ in sources))))
            return
        source, lines = sources[0]
        region = tagged_region(lines, tag)
        excerpt = [normalise(l) for l in block if l.strip()]
        if not excerpt:
            self.problem(doc, line, "excerpt of `DOC: %s` is empty" % tag)
            return
        bad = match_excerpt(excerpt, region or [])
        if bad is not None:
            self.problem(doc, line, "excerpt of `DOC: %s` does not match %s: %s"
                         % (tag, source, bad))

    def check_doc(self, doc):
        text = self.tree.read(doc)
        all_lines = text.splitlines()
        in_fence = False  # Else the opening fence (a closing one is as long).
        skip_columns = set()
        checking = True
        pending_excerpt = None  # (line, tag) of a marker awaiting its fence.
        excerpt = None  # (line, tag, lines) while inside an excerpt's fence.
        for number, raw in enumerate(all_lines, 1):
            # A hypothetical example (a file to be written) can be fenced
            # off with <!-- docs-check: off --> ... <!-- docs-check: on -->.
            if "<!-- docs-check: off -->" in raw:
                checking = False
            elif "<!-- docs-check: on -->" in raw:
                checking = True
            if not checking:
                continue
            for tag in TAG_RE.findall(raw):
                self.counts["tags"] += 1
                if tag not in self.tree.tags:
                    if self.opaque:
                        self.unverified_seen.add("DOC: " + tag)
                    else:
                        self.problem(doc, number, "no source carries the tag "
                                     "`DOC: %s`" % tag)
            marker = EXCERPT_RE.search(raw)
            if marker and not in_fence:
                if pending_excerpt:
                    self.problem(doc, pending_excerpt[0], "excerpt marker without a "
                                 "fenced block after it")
                pending_excerpt = (number, marker.group(1))
            elif pending_excerpt and raw.strip() and not FENCE_RE.match(raw):
                self.problem(doc, pending_excerpt[0], "excerpt marker without a "
                             "fenced block after it")
                pending_excerpt = None
            fence = FENCE_RE.match(raw)
            if fence and in_fence and not (fence.group(1)[0] == in_fence[0] and
                                           len(fence.group(1)) >= len(in_fence)
                                           and not raw.strip()[len(fence.group(1)):]):
                fence = None  # A shorter fence inside a longer one: content.
            if fence:
                in_fence = False if in_fence else fence.group(1)
                if in_fence and pending_excerpt:
                    excerpt = (pending_excerpt[0], pending_excerpt[1], [])
                    pending_excerpt = None
                elif not in_fence and excerpt:
                    self.check_excerpt(doc, excerpt[0], excerpt[1], excerpt[2])
                    excerpt = None
                continue
            if in_fence and excerpt:
                excerpt[2].append(raw)
            if in_fence:
                for package, target in self.labels_in(raw):
                    self.check_label(doc, number, package, target)
                for path in CHAPTER_PATH_RE.findall(raw):
                    if "." in os.path.basename(path):
                        self.check_path(doc, number, path, strict_dirs_only=True)
                continue
            cells = None
            if raw.lstrip().startswith("|"):
                cells = split_row(raw)
                if all(re.fullmatch(r":?-{3,}:?", c.strip()) for c in cells if c.strip()):
                    continue  # The separator row.
                if is_header_row(text.splitlines(), number - 1):
                    skip_columns = {i for i, c in enumerate(cells)
                                    if re.search(r"tornado|python", c, re.I)}
            else:
                skip_columns = set() if not raw.strip() else skip_columns
            segments = [raw] if cells is None else [
                c for i, c in enumerate(cells) if i not in skip_columns]
            for segment in segments:
                for target in LINK_RE.findall(segment):
                    self.check_path(doc, number, target)
                for _, span in CODE_SPAN_RE.findall(segment):
                    for package, target in self.labels_in(span):
                        self.check_label(doc, number, package, target)
                    span_without_labels = LABEL_RE.sub(" ", span)
                    for path in PATH_RE.findall(span_without_labels):
                        if path.endswith(".py") and "/" not in path:
                            continue  # Tornado's modules: ioloop.py.
                        self.check_path(doc, number, path)
                    self.check_identifier(doc, number, span)
        if pending_excerpt:
            self.problem(doc, pending_excerpt[0], "excerpt marker without a "
                         "fenced block after it")

    def run(self, docs):
        for doc in docs:
            self.check_doc(doc)
        return self.problems


def split_row(raw):
    row = raw.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|"):
        row = row[:-1]
    # Split on pipes that are not escaped (\|) and not inside a code span.
    cells, current, in_code = [], "", False
    i = 0
    while i < len(row):
        ch = row[i]
        if ch == "\\" and i + 1 < len(row):
            current += row[i:i + 2]
            i += 2
            continue
        if ch == "`":
            in_code = not in_code
        if ch == "|" and not in_code:
            cells.append(current)
            current = ""
        else:
            current += ch
        i += 1
    cells.append(current)
    return cells


def is_header_row(lines, index):
    """True when lines[index] is a table row followed by the separator row."""
    if index + 1 >= len(lines):
        return False
    nxt = lines[index + 1].strip()
    return nxt.startswith("|") and re.fullmatch(r"[|:\-\s]+", nxt) is not None


# -- regenerating docs/BUILD.bazel's data block ---------------------------------

BEGIN = "# BEGIN GENERATED by `python3 docs/check_docs.py --write-build`"
END = "# END GENERATED"


def package_visible_to_docs(tree, package):
    """True when //docs may depend on the package's source files: its
    default_visibility is public or names //docs."""
    path = os.path.join(package, "BUILD.bazel") if package else "BUILD.bazel"
    if path not in tree.files:
        return False
    m = re.search(r"default_visibility\s*=\s*\[([^\]]*)\]", tree.read(path))
    return bool(m and ("//visibility:public" in m.group(1) or "//docs" in m.group(1)))


def exported_files(tree, package):
    """Files a package exports to //docs with exports_files(): no visibility
    (public), public, or naming //docs. Globs over the package's own files
    are expanded."""
    path = os.path.join(package, "BUILD.bazel") if package else "BUILD.bazel"
    if path not in tree.files:
        return set()
    prefix = package + "/" if package else ""
    packages = tree.packages()

    def owner(f):  # The package a file belongs to: its deepest BUILD dir.
        d = os.path.dirname(f)
        while d and d not in packages:
            d = os.path.dirname(d)
        return d

    own = {f[len(prefix):] for f in tree.files
           if f.startswith(prefix) and owner(f) == package}
    result = set()
    for kind, body in top_level_calls(tree.read(path)):
        if kind != "exports_files":
            continue
        names = body.split("visibility")[0]
        if "visibility" in body and "//visibility:public" not in body and \
                "//docs" not in body:
            continue
        for glob_body in re.findall(r"glob\(\s*\[([^\]]*)\]", names):
            for pattern in re.findall(r'"([^"]+)"', glob_body):
                rx = re.compile("^" + re.escape(pattern).replace(r"\*\*/", "(?:.*/)?")
                                .replace(r"\*", "[^/]*") + "$")
                result.update(f for f in own if rx.match(f))
        names = re.sub(r"glob\(\s*\[[^\]]*\]\s*\)", "", names)
        result.update(re.findall(r'"([^"]+)"', names))
    return result


def referencable_files(tree):
    """(labels, opaque): the files of the tree the docs test may depend on
    (named by a BUILD file and visible to //docs), and the packages whose
    files it may not (their references are reported as unverified)."""
    result, opaque = set(), set()
    for package in sorted(tree.packages()):
        if package in ("docs",) or package.startswith(("third_party", "solutions")):
            continue
        visible = package_visible_to_docs(tree, package)
        exported = exported_files(tree, package)
        sources = {t for t in (build_targets(tree, package) or set())
                   if t.endswith((".h", ".cc"))}
        if not visible and package and not sources <= exported:
            opaque.add(package)  # (The root package exports README.md.)
        for t in (build_targets(tree, package) or set()) | exported:
            path = os.path.join(package, t) if package else t
            if path in tree.files and (visible or t in exported):
                result.add("//%s:%s" % (package, t))
    return result, opaque


def cited_labels(tree, docs):
    checker = Checker(tree)
    labels = set()
    for doc in docs:
        text = tree.read(doc)
        for package, target in LABEL_RE.findall(text):
            package = package.rstrip("/")
            if package.endswith("...") or target in ("all", "*"):
                continue
            if target == "":
                target = os.path.basename(package)
            targets = build_targets(tree, package)
            if targets is not None and target in targets:
                labels.add("//%s:%s" % (package, target))
    del checker
    return labels


def write_build(root):
    tree = Tree(root)
    docs = tree.docs()
    files, opaque = referencable_files(tree)
    doc_labels = sorted(
        l for l in files if l.endswith((".md",)) or l.endswith(SOURCE_EXTENSIONS)
        and not l.startswith("//solutions"))
    doc_labels = sorted(set(doc_labels) | {"//:README.md"})
    cited_all = cited_labels(tree, docs) - set(doc_labels)
    private = set()
    for label in cited_all:
        package, target = label[2:].split(":")
        if target in private_targets(tree, package):
            private.add(label)
    cited = sorted(cited_all - private)
    # Files the docs cite that exist but the test cannot depend on.
    resolver = Checker(tree)
    resolver.run(docs)
    visible_paths = {l[2:].replace(":", "/").lstrip("/") for l in doc_labels}
    invisible = sorted(f for f in resolver.resolved | set(docs)
                       if f in tree.files and f not in visible_paths
                       and not f.startswith(("docs/", "solutions/"))
                       and not any(f.startswith(p + "/") for p in opaque))
    lines = [BEGIN,
             "# A build error naming a file or target below that was renamed or deleted:",
             "# run `python3 docs/check_docs.py --write-build` and commit this file.",
             "# The Markdown files and sources the check reads."]
    lines.append("DOCS_CHECK_FILES = [")
    lines += ['    "%s",' % l for l in doc_labels]
    lines.append("]")
    lines.append("")
    lines.append("# The Bazel labels the docs cite (depending on them proves they exist).")
    lines.append("DOCS_CHECK_LABELS = [")
    lines += ['    "%s",' % l for l in cited]
    lines.append("]")
    lines.append("")
    lines.append("# Cited labels of private targets: the test cannot depend on them, so it")
    lines.append("# checks them against their package's BUILD file when it can see it.")
    lines.append("DOCS_CHECK_PRIVATE_LABELS = [")
    lines += ['    "%s",' % l for l in sorted(private)]
    lines.append("]")
    lines.append("")
    lines.append("# Packages whose files the test cannot see (not visible to //docs): their")
    lines.append("# references are counted as unverified, not failed. Give the package")
    lines.append("# default_visibility including \"//docs:__pkg__\" to check them here too.")
    lines.append("DOCS_CHECK_OPAQUE_PACKAGES = [")
    lines += ['    "%s",' % l for l in sorted(opaque)]
    lines.append("]")
    lines.append("")
    lines.append("# Cited files that exist but are not exported (a chapter README.md, tools/):")
    lines.append("# counted as unverified in the test; the standalone run checks them.")
    lines.append("DOCS_CHECK_INVISIBLE_FILES = [")
    lines += ['    "%s",' % l for l in invisible]
    lines.append("]")
    lines.append("")
    lines.append("# Every package, for //pkg/... and //pkg:all in the docs.")
    lines.append("DOCS_CHECK_PACKAGES = [")
    lines += ['    "%s",' % p for p in sorted(tree.packages()) if p]
    lines.append("]")
    lines.append(END)
    block = "\n".join(lines)
    path = os.path.join(root, "docs", "BUILD.bazel")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < 0:
        sys.exit("docs/BUILD.bazel has no generated block (%s ... %s)" % (BEGIN, END))
    text = text[:start] + block + text[end + len(END):]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    unexported = sorted(d for d in docs if "//%s:%s" % (os.path.dirname(d), os.path.basename(d))
                        not in files and not d.startswith(("docs/", "solutions/")) and d != "README.md")
    print("wrote docs/BUILD.bazel: %d files, %d labels" % (len(doc_labels), len(cited)))
    if unexported:
        print("not visible to the Bazel test (their package needs "
              "exports_files([\"README.md\"]) and, if its default_visibility is "
              "not public, \"//docs:__pkg__\" in it):\n  " + "\n  ".join(unexported))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", help="the tree to check (default: this checkout)")
    parser.add_argument("--declared-labels", nargs="*", default=None,
                        help="(the Bazel test) labels the test depends on")
    parser.add_argument("--unverified-labels", nargs="*", default=(),
                        help="(the Bazel test) cited labels of private targets")
    parser.add_argument("--opaque-packages", nargs="*", default=(),
                        help="(the Bazel test) packages whose files it cannot see")
    parser.add_argument("--invisible-files", nargs="*", default=(),
                        help="(the Bazel test) cited files it cannot depend on")
    parser.add_argument("--packages", nargs="*", default=(),
                        help="(the Bazel test) every package of the tree")
    parser.add_argument("--write-build", action="store_true",
                        help="regenerate docs/BUILD.bazel's data block")
    parser.add_argument("docs", nargs="*", help="Markdown files (default: all)")
    args = parser.parse_args()
    root = args.root or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if args.write_build:
        write_build(root)
        return 0
    tree = Tree(root)
    declared = None if args.declared_labels is None else set(args.declared_labels)
    checker = Checker(tree, declared, args.unverified_labels, args.opaque_packages,
                      args.invisible_files, args.packages)
    docs = args.docs or tree.docs()
    problems = checker.run(docs)
    for p in problems:
        print(p)
    if checker.unverified_seen:
        print("note: %d reference(s) not verifiable in the sandbox (private "
              "targets, or files of packages not visible to //docs; "
              "`python3 docs/check_docs.py` checks them): %s" % (
                  len(checker.unverified_seen), " ".join(sorted(checker.unverified_seen))))
    for chapter in sorted(checker.pending):
        print("note: %s/ is not in this tree (not merged yet?): references "
              "into it were not checked" % chapter)
    print("docs check: %d Markdown files, %d file references, %d labels, "
          "%d identifiers, %d tags, %d excerpts; %d broken" % (
              len(docs), checker.counts["files"], checker.counts["labels"],
              checker.counts["identifiers"], checker.counts["tags"],
              checker.counts["excerpts"], len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
