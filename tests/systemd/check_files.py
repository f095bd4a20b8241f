#!/usr/bin/env python3
"""Static checks of the files systemd and the packaging install (Python 3 standard library only).

- the journal catalog has exactly one entry per MESSAGE_ID of lib/messages.h, and journalctl
  compiles it (journalctl --root --update-catalog);
- the man pages render without groff warnings (as lintian checks them);
- the bash completion parses and completes subcommands and flags;
- the man pages and the completion know every flag the programs' --help lists, with the same
  defaults (they are written by hand, so this catches drift).
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
    got = complete(script, "asyncdemoctl bench --conc")
    assert got == ["--concurrency"], "%r completes to %s" % ("asyncdemoctl bench --conc", got)
    return "%d cases" % (len(cases) + 1)


def help_flags(argv):
    """{flag: default or None} from a --help text's option lines."""
    r = subprocess.run(argv, capture_output=True, text=True)
    assert r.returncode == 0, "%s: exit %d" % (" ".join(argv), r.returncode)
    flags = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s+(?:-\w, )?--([a-z][a-z-]*)(?:\[=\w+\])?\s", line)
        if m:
            d = re.search(r"\(default ([^,;)]+)", line)
            flags[m.group(1)] = d.group(1) if d and d.group(1)[0].isdigit() else None
    assert flags, "no options in %s" % " ".join(argv)
    return flags


def man_text(src, page):
    with open(os.path.join(src, "packaging", "man", page + ".in")) as f:
        return f.read().replace("\\-", "-")


def check_daemon_flags(src, build):
    flags = help_flags([os.path.join(build, "daemon", "asyncdemod"), "--help"])
    text = man_text(src, "asyncdemod.8")
    conf = man_text(src, "asyncdemod.conf.5")
    for flag, default in flags.items():
        assert "--" + flag in text, "asyncdemod(8) does not describe --%s" % flag
        if default is None:
            continue
        block = text[text.index("--" + flag):].split(".TP", 1)[0]
        assert re.search(r"default:?\s+" + re.escape(default), block, re.I), \
            "asyncdemod(8): --%s should say default %s" % (flag, default)
        if flag not in ("config",):
            key = conf[conf.index(flag + " \" = "):] if (flag + " \" = ") in conf else ""
            assert key, "asyncdemod.conf(5) does not describe key %s" % flag
            assert re.search(r"default:?\s+" + re.escape(default), key.split(".TP", 1)[0], re.I) or \
                flag == "listen", "asyncdemod.conf(5): %s should say default %s" % (flag, default)
    return "%d flags of asyncdemod --help in asyncdemod(8) and asyncdemod.conf(5)" % len(flags)


def check_ctl_flags(src, build):
    ctl = os.path.join(build, "ctl", "asyncdemoctl")
    text = man_text(src, "asyncdemoctl.1")
    with open(os.path.join(src, "packaging", "asyncdemoctl.bash-completion")) as f:
        completion = f.read()
    total = 0
    for cmd in ("bench", "compare", "stats", "demo"):
        flags = help_flags([ctl, cmd, "--help"])
        opts = re.search(r"\n\s+%s\)\n\s+opts=\"([^\"]*)\"" % cmd, completion)
        assert opts, "the completion has no option list for %s" % cmd
        for flag, default in flags.items():
            assert "--" + flag in text, "asyncdemoctl(1) does not describe %s --%s" % (cmd, flag)
            assert "--" + flag in opts.group(1).split(), "the completion lacks %s --%s" % (cmd, flag)
        total += len(flags)
    return "%d flags of asyncdemoctl's subcommands in asyncdemoctl(1) and the completion" % total


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 64
    src, build = sys.argv[1], sys.argv[2]
    check("catalog covers lib/messages.h", lambda: check_catalog_ids(src))
    check("catalog compiles", lambda: check_catalog_compiles(src))
    check("man pages render cleanly", lambda: check_man(build))
    check("bash completion", lambda: check_completion(src))
    check("asyncdemod's flags documented", lambda: check_daemon_flags(src, build))
    check("asyncdemoctl's flags documented and completed", lambda: check_ctl_flags(src, build))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
