#!/usr/bin/env python3
"""Fails on constructs banned from on-chain code (CI runs it beside clippy's own denies):
`unwrap`/`expect`, panicking macros, floats, and `unsafe` outside the one syscall wrapper.
Test code is skipped: `#[cfg(test)]` items (inline or file modules) and `tests/` directories.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BANNED = [
    (re.compile(r"\.unwrap\(\)"), "unwrap()"),
    (re.compile(r"\.expect\("), "expect()"),
    (re.compile(r"\b(panic|todo|unimplemented|unreachable)!\s*\("), "panicking macro"),
    (re.compile(r"\bf(32|64)\b"), "float"),
    (re.compile(r"\bunsafe\b"), "unsafe"),
]
UNSAFE_ALLOWED = {os.path.join("programs", "backstop", "src", "compute_units.rs")}


def strip_comments(line):
    # Good enough for this code base: no `//` inside string literals in program code.
    return line.split("//", 1)[0]


def test_module_files(src_dir):
    """Files declared as `#[cfg(test)] mod name;`."""
    skip = set()
    for dirpath, _, files in os.walk(src_dir):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(dirpath, name)
            text = open(path, encoding="utf-8").read()
            for m in re.finditer(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", text):
                base = os.path.dirname(path) if name in ("lib.rs", "mod.rs") else path[:-3]
                skip.add(os.path.join(base, m.group(1) + ".rs"))
                skip.add(os.path.join(base, m.group(1)))
    return skip


def code_lines(path):
    """Yields (line number, code) outside `#[cfg(test)]` items."""
    lines = open(path, encoding="utf-8").read().splitlines()
    depth_skip = None  # brace depth at which the skipped item ends
    depth = 0
    pending_cfg_test = False
    for no, raw in enumerate(lines, 1):
        line = strip_comments(raw)
        if depth_skip is None and re.match(r"\s*#\[cfg\(test\)\]", line):
            pending_cfg_test = True
            continue
        opens, closes = line.count("{"), line.count("}")
        if pending_cfg_test and depth_skip is None:
            if opens:
                depth_skip = depth
            pending_cfg_test = opens == 0 and not line.strip().endswith(";")
            depth += opens - closes
            if depth_skip is not None and depth <= depth_skip:
                depth_skip = None
            continue
        depth += opens - closes
        if depth_skip is not None:
            if depth <= depth_skip:
                depth_skip = None
            continue
        yield no, line


def main():
    failures = []
    for program in sorted(os.listdir(os.path.join(ROOT, "programs"))):
        src = os.path.join(ROOT, "programs", program, "src")
        skip = test_module_files(src)
        for dirpath, dirs, files in os.walk(src):
            dirs[:] = [d for d in dirs if d != "tests" and os.path.join(dirpath, d) not in skip]
            for name in sorted(files):
                path = os.path.join(dirpath, name)
                if not name.endswith(".rs") or path in skip:
                    continue
                rel = os.path.relpath(path, ROOT)
                for no, line in code_lines(path):
                    for pattern, what in BANNED:
                        if pattern.search(line) and not (what == "unsafe" and rel in UNSAFE_ALLOWED):
                            failures.append(f"{rel}:{no}: {what}: {line.strip()}")
    if failures:
        print("banned in program code:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    print("program code: no unwrap/expect, panicking macros, floats or stray unsafe")
    return 0


if __name__ == "__main__":
    sys.exit(main())
