#!/usr/bin/env python3
"""Static checks of the files systemd and the packaging install (Python 3 standard library only).

- the journal catalog has exactly one entry per MESSAGE_ID of lib/messages.h, and journalctl
  compiles it (journalctl --root --update-catalog);
- the man pages render without groff warnings (as lintian checks them);
- the bash completion parses and completes subcommands and flags.
Usage: check_files.py SOURCE_DIR BUILD_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

failures = []


def check(name, fn):
    try:
        detail = fn()
        print("ok - %s: %s" % (name, detail), flush=True)
    except AssertionError as e:
        failures.append(name)
        print("not ok - %s: %s" % (name, e), flush=True)


def msgids(src):
    with open(os.path.join(src, "lib", "messages.h")) as f:
        ids = dict(re.findall(r'#define\s+AD_MSGID_(\w+)\s+"([0-9a-f]{32})"', f.read()))
    assert ids, "no MESSAGE_IDs in lib/messages.h"
    return ids


def catalog_entries(src):
    with open(os.path.join(src, "systemd", "asyncdemo.catalog")) as f:
        text = f.read()
    return re.findall(r"^-- ([0-9a-f]{32})$", text, re.M)


def check_catalog_ids(src):
    ids = msgids(src)
    entries = catalog_entries(src)
    dup = sorted({e for e in entries if entries.count(e) > 1})
    missing = sorted(n for n, i in ids.items() if i not in entries)
    extra = sorted(set(entries) - set(ids.values()))
    assert not dup, "entries given twice: %s" % dup
    assert not missing, "no catalog entry for %s" % missing
    assert not extra, "catalog entries for IDs not in messages.h: %s" % extra
    return "%d IDs, one entry each" % len(ids)


def check_catalog_compiles(src):
    if not shutil.which("journalctl"):
        return "journalctl not installed: syntax not checked"
    with tempfile.TemporaryDirectory() as root:
        cat = os.path.join(root, "usr", "lib", "systemd", "catalog")
        os.makedirs(cat)
        shutil.copy(os.path.join(src, "systemd", "asyncdemo.catalog"), cat)
        r = subprocess.run(["journalctl", "--root", root, "--update-catalog"], capture_output=True, text=True)
        assert r.returncode == 0 and not r.stderr.strip(), "journalctl --update-catalog: %s" % r.stderr.strip()
        r = subprocess.run(["journalctl", "--root", root, "--list-catalog"], capture_output=True, text=True)
        listed = re.findall(r"^([0-9a-f]{32}) ", r.stdout, re.M)
    want = set(msgids(src).values())
    assert set(listed) == want, "journalctl lists %d entries, messages.h has %d" % (len(set(listed)), len(want))
    return "journalctl compiles all %d entries" % len(listed)


def check_man(build):
    pages = []
    for dirpath, _, files in os.walk(os.path.join(build, "packaging", "man")):
        pages += [os.path.join(dirpath, f) for f in files if re.search(r"\.\d$", f)]
    assert len(pages) == 3, "expected 3 man pages in the build tree, found %s" % pages
    for page in sorted(pages):
        # What lintian's groff-message check runs, more or less.
        r = subprocess.run(["man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", page],
                           env=dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="80", MANROFFSEQ=""),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert r.returncode == 0 and not r.stderr.strip(), "%s: %s" % (os.path.basename(page), r.stderr.strip())
    return ", ".join(os.path.basename(p) for p in sorted(pages)) + ": no groff warnings"


def complete(script, line):
    """The words bash would offer for line (cursor at the end)."""
    prog = r'''
source "$1"
line=$2
read -r -a COMP_WORDS <<<"$line"
[[ $line == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE=$line
COMP_POINT=${#line}
_asyncdemoctl asyncdemoctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
'''
    r = subprocess.run(["bash", "-c", prog, "bash", script, line], capture_output=True, text=True)
    assert r.returncode == 0, "completing %r: %s" % (line, r.stderr.strip())
    return [w for w in r.stdout.split("\n") if w]


def check_completion(src):
    script = os.path.join(src, "packaging", "asyncdemoctl.bash-completion")
    r = subprocess.run(["bash", "-n", script], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr.strip()
    cases = [
        ("asyncdemoctl ", {"bench", "compare", "stats", "demo", "help"}),
        ("asyncdemoctl be", {"bench"}),
        ("asyncdemoctl bench --con", {"--concurrency"}),
        ("asyncdemoctl compare --modes ", {"sequential", "async", "threads", "processes"}),
        ("asyncdemoctl bench --endpoint /non", {"/non-blocking"}),
        ("asyncdemoctl stats --w", {"--watch"}),
    ]
    for line, want in cases:
        got = set(complete(script, line))
        assert want <= got, "%r completes to %s, missing %s" % (line, sorted(got), sorted(want - got))
    got = complete(script, "asyncdemoctl bench --con")
    assert got == ["--concurrency"], "%r completes to %s" % ("asyncdemoctl bench --con", got)
    return "%d cases" % (len(cases) + 1)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 64
    src, build = sys.argv[1], sys.argv[2]
    check("catalog covers lib/messages.h", lambda: check_catalog_ids(src))
    check("catalog compiles", lambda: check_catalog_compiles(src))
    check("man pages render cleanly", lambda: check_man(build))
    check("bash completion", lambda: check_completion(src))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
