#!/usr/bin/env python3
"""Dependency advisory check that needs no GitHub access (CI reaches crates.io only).

1. Every crates.io package in Cargo.lock is looked up in the crates.io sparse index; a yanked
   version fails the check (crates are yanked for security bugs, among other reasons).
2. security/advisories.toml (known RustSec advisories) is matched against Cargo.lock. An
   affected crate in the on-chain program's own dependency tree always fails; elsewhere it
   needs an entry in security/audit-exceptions.toml with a reason. A stale exception fails too.

Usage: scripts/audit.py [--offline]   (--offline skips the index lookups)
"""
import concurrent.futures
import json
import os
import subprocess
import sys
import tomllib
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, "target", "audit-index")
CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"


def version_tuple(v):
    core = v.split("+")[0].split("-")[0]
    return tuple(int(x) for x in core.split("."))


def matches(version, req):
    """RustSec requirement terms: '>= x.y.z', '< x.y.z', '^x.y.z'."""
    req = req.strip()
    v = version_tuple(version)
    if req.startswith(">="):
        return v >= version_tuple(req[2:].strip())
    if req.startswith("<"):
        return v < version_tuple(req[1:].strip())
    if req.startswith("^"):
        base = version_tuple(req[1:].strip())
        # Same left-most non-zero component, and not older.
        lead = next((i for i, x in enumerate(base) if x != 0), len(base) - 1)
        return v[: lead + 1] == base[: lead + 1] and v >= base
    raise ValueError(f"unsupported requirement {req!r}")


def index_path(name):
    n = name.lower()
    if len(n) <= 2:
        return f"{len(n)}/{n}"
    if len(n) == 3:
        return f"3/{n[0]}/{n}"
    return f"{n[:2]}/{n[2:4]}/{n}"


def index_entry(name, refresh=False):
    cached = os.path.join(CACHE, name.lower())
    if os.path.exists(cached) and not refresh:
        with open(cached, encoding="utf-8") as f:
            return f.read()
    url = f"https://index.crates.io/{index_path(name)}"
    req = urllib.request.Request(url, headers={"User-Agent": "backstop-audit"})
    with urllib.request.urlopen(req, timeout=30) as r:
        text = r.read().decode("utf-8")
    os.makedirs(CACHE, exist_ok=True)
    with open(cached, "w", encoding="utf-8") as f:
        f.write(text)
    return text


def find_version(text, version):
    for line in text.splitlines():
        entry = json.loads(line)
        if entry["vers"] == version:
            return entry
    return None


def yanked(pkg):
    entry = find_version(index_entry(pkg["name"]), pkg["version"])
    if entry is None:
        # The cached entry predates a version the lock now uses (target/ is cached between CI
        # runs): fetch it again before calling the version unknown.
        entry = find_version(index_entry(pkg["name"], refresh=True), pkg["version"])
    if entry is not None:
        return entry.get("yanked", False)
    raise LookupError(f"{pkg['name']} {pkg['version']} is not in the crates.io index")


def program_tree():
    out = subprocess.run(
        ["cargo", "tree", "--locked", "-p", "backstop", "-e", "normal", "--prefix", "none",
         "-f", "{p}", "--target", "all"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout
    deps = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            deps.add((parts[0], parts[1].lstrip("v")))
    return deps


def main():
    offline = "--offline" in sys.argv
    with open(os.path.join(ROOT, "Cargo.lock"), "rb") as f:
        lock = tomllib.load(f)
    pkgs = [p for p in lock["package"] if p.get("source") == CRATES_IO]
    failures = []

    if offline:
        print("audit: --offline, yanked-version lookups skipped")
    else:
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            for pkg, is_yanked in zip(pkgs, pool.map(yanked, pkgs)):
                if is_yanked:
                    failures.append(f"{pkg['name']} {pkg['version']} is yanked on crates.io")
        print(f"audit: {len(pkgs)} crates.io packages checked against the index")

    with open(os.path.join(ROOT, "security", "advisories.toml"), "rb") as f:
        advisories = tomllib.load(f)["advisory"]
    with open(os.path.join(ROOT, "security", "audit-exceptions.toml"), "rb") as f:
        exceptions = {(e["id"], e["package"]): e for e in tomllib.load(f)["exception"]}
    on_chain = program_tree()
    used = set()
    for adv in advisories:
        ok_reqs = adv.get("patched", []) + adv.get("unaffected", [])
        for pkg in (p for p in lock["package"] if p["name"] == adv["package"]):
            if any(matches(pkg["version"], r) for r in ok_reqs):
                continue
            what = f"{adv['id']} {pkg['name']} {pkg['version']}: {adv['title']}"
            key = (adv["id"], pkg["name"])
            if (pkg["name"], pkg["version"]) in on_chain:
                failures.append(f"{what} (in the on-chain program's dependencies)")
            elif key in exceptions:
                used.add(key)
                print(f"audit: accepted {what}: {exceptions[key]['reason']}")
            else:
                failures.append(f"{what} (no exception in security/audit-exceptions.toml)")
    for key in exceptions.keys() - used:
        failures.append(f"stale exception {key[0]} for {key[1]}: nothing locked is affected")

    print(f"audit: {len(advisories)} known advisories matched against {len(lock['package'])} locked packages")
    if failures:
        print("audit FAILED:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    print("audit: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
