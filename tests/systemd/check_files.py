#!/usr/bin/env python3
"""Static checks of the files systemd and the packaging install (Python 3 standard library only).

- the journal catalog, and its Ukrainian one, have exactly one entry per MESSAGE_ID of lib/messages.h,
  and journalctl compiles them (journalctl --root --update-catalog) and shows the Ukrainian entry under
  a Ukrainian locale;
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


CATALOGS = ("asyncdemo.catalog", "asyncdemo.uk.catalog")  # the language is in the file name


def catalog_entries(src, name="asyncdemo.catalog"):
    with open(os.path.join(src, "systemd", name)) as f:
        text = f.read()
    return re.findall(r"^-- ([0-9a-f]{32})$", text, re.M)


def check_catalog_ids(src, name="asyncdemo.catalog"):
    ids = msgids(src)
    entries = catalog_entries(src, name)
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
        for name in CATALOGS:
            shutil.copy(os.path.join(src, "systemd", name), cat)
        r = subprocess.run(["journalctl", "--root", root, "--update-catalog"], capture_output=True, text=True)
        assert r.returncode == 0 and not r.stderr.strip(), "journalctl --update-catalog: %s" % r.stderr.strip()
        listed = {}
        for lang in ("C.UTF-8", "uk_UA.UTF-8"):
            r = subprocess.run(["journalctl", "--root", root, "--list-catalog"], capture_output=True, text=True,
                               env=dict(os.environ, LC_ALL=lang, LANGUAGE=""))
            listed[lang] = dict(re.findall(r"^([0-9a-f]{32}) (.*)$", r.stdout, re.M))
    want = set(msgids(src).values())
    for lang, entries in listed.items():
        assert set(entries) == want, "%s: journalctl lists %d entries, messages.h has %d" % (
            lang, len(entries), len(want))
    started = msgids(src)["DAEMON_STARTED"]
    assert "started" in listed["C.UTF-8"][started], listed["C.UTF-8"][started]
    if "uk_UA.utf8" in subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.split():
        assert listed["uk_UA.UTF-8"][started].endswith("asyncdemod запущено"), listed["uk_UA.UTF-8"][started]
        return "journalctl compiles all %d entries in English and Ukrainian" % len(want)
    return "journalctl compiles all %d entries (uk_UA.UTF-8 not installed: Ukrainian not shown)" % len(want)


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
    for cmd in ("bench", "compare", "stats", "demo", "report"):
        flags = help_flags([ctl, cmd, "--help"])
        opts = re.search(r"\n\s+%s\)\n\s+opts=\"([^\"]*)\"" % cmd, completion)
        assert opts, "the completion has no option list for %s" % cmd
        for flag, default in flags.items():
            assert "--" + flag in text, "asyncdemoctl(1) does not describe %s --%s" % (cmd, flag)
            assert "--" + flag in opts.group(1).split(), "the completion lacks %s --%s" % (cmd, flag)
        total += len(flags)
    return "%d flags of asyncdemoctl's subcommands in asyncdemoctl(1) and the completion" % total


def check_shard_template(build):
    """asyncdemo-bench@I-N.service: its ExecStart, with the instance's specifiers as systemd expands them, is a
    command line the built asyncdemoctl takes (against a port where nothing listens it gets as far as the
    target: exit 2, not 64), asking for shard I of N."""
    with open(os.path.join(build, "systemd", "asyncdemo-bench@.service")) as f:
        unit = f.read()
    line = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1)
    instance = "2-3"
    if shutil.which("systemd-escape"):
        unescaped = subprocess.run(["systemd-escape", "--unescape", instance], capture_output=True, text=True,
                                   check=True).stdout.strip()
        assert unescaped == "2/3", "systemd-escape --unescape 2-3 gave %r" % unescaped
    with tempfile.TemporaryDirectory() as tmp:
        env = {"ASYNCDEMO_BENCH_URL": "http://127.0.0.1:1", "ASYNCDEMO_BENCH_ARGS": "-n 6 -c 3 --delay 0"}
        words = []
        for w in line.replace("%I", "2/3").replace("%i", instance).split():
            if w.startswith("$") and not w.startswith("${"):
                words += env[w[1:]].split()
            else:
                words.append(re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], w))
        words[0] = os.path.join(build, "ctl", "asyncdemoctl")
        words = [w.replace("/var/lib/asyncdemo-bench", tmp) for w in words]
        assert "--shard" in words and words[words.index("--shard") + 1] == "2/3", words
        proc = subprocess.run(words, capture_output=True, text=True, timeout=30)
        assert proc.returncode == 2, "%s: exit %d, %s" % (" ".join(words), proc.returncode, proc.stderr.strip())
    return "ExecStart of asyncdemo-bench@2-3.service is a valid asyncdemoctl bench --shard 2/3"


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 64
    src, build = sys.argv[1], sys.argv[2]
    check("catalog covers lib/messages.h", lambda: check_catalog_ids(src))
    check("Ukrainian catalog covers lib/messages.h", lambda: check_catalog_ids(src, "asyncdemo.uk.catalog"))
    check("catalog compiles", lambda: check_catalog_compiles(src))
    check("man pages render cleanly", lambda: check_man(build))
    check("bash completion", lambda: check_completion(src))
    check("asyncdemod's flags documented", lambda: check_daemon_flags(src, build))
    check("asyncdemoctl's flags documented and completed", lambda: check_ctl_flags(src, build))
    check("the shard template unit", lambda: check_shard_template(build))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
