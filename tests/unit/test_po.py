"""The translations are complete and in step with the sources (issue 17): for every language in po/LINGUAS,
`msgfmt --check --statistics` reports only translated messages (no fuzzy, no untranslated), and the messages
of po/asyncdemo.pot and of each LANG.po are exactly those xgettext finds in the sources now.

Usage: test_po.py SRCDIR XGETTEXT MSGFMT XGETTEXT_ARG... -- SOURCE...
When it fails: `cmake --build build --target asyncdemo_po_update`, then translate what is new in po/LANG.po."""

import ast
import os
import re
import subprocess
import sys
import tempfile


def messages(path):
    """The (msgctxt, msgid, msgid_plural) of every live entry of a .po/.pot file, the header left out."""
    found, entry, key = set(), {}, None

    def flush():
        if entry.get("msgid"):
            found.add((entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural")))
        entry.clear()

    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                flush()
            if not line or line.startswith("#"):  # comments, and obsolete entries ("#~")
                continue
            m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line)
            if m:
                key = m.group(1)
                if key == "msgctxt" or (key == "msgid" and any(k.startswith("msgstr") for k in entry)):
                    flush()
                entry[key] = ast.literal_eval(m.group(2))
            elif line.startswith('"') and key is not None:
                entry[key] += ast.literal_eval(line)
    flush()
    return found


def describe(items):
    return "\n".join(f"  {'[' + c + '] ' if c else ''}{i!r}" for c, i, _ in sorted(items, key=lambda m: m[1])[:20])


def main():
    srcdir, xgettext, msgfmt, *rest = sys.argv[1:]
    sep = rest.index("--")
    args, sources = rest[:sep], rest[sep + 1:]
    podir = os.path.join(srcdir, "po")
    failures = []
    with tempfile.TemporaryDirectory(prefix="asyncdemo-po-") as tmp:
        fresh_path = os.path.join(tmp, "fresh.pot")
        subprocess.run([xgettext, *args, "-o", fresh_path, *sources], cwd=srcdir, check=True,
                       stderr=subprocess.DEVNULL)
        fresh = messages(fresh_path)
    if len(fresh) < 100:
        failures.append(f"xgettext found only {len(fresh)} messages: are the sources and keywords right?")
    with open(os.path.join(podir, "LINGUAS")) as f:
        langs = [w for w in f.read().split() if not w.startswith("#")]
    for name in ["asyncdemo.pot"] + [f"{lang}.po" for lang in langs]:
        have = messages(os.path.join(podir, name))
        if fresh - have:
            failures.append(f"po/{name} lacks messages the sources have:\n{describe(fresh - have)}")
        if have - fresh:
            failures.append(f"po/{name} has messages the sources no longer have:\n{describe(have - fresh)}")
    for lang in langs:
        proc = subprocess.run([msgfmt, "--check", "--statistics", "-o", os.devnull, os.path.join(podir, f"{lang}.po")],
                              capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"})
        stats = proc.stderr.strip()
        if proc.returncode != 0 or not re.fullmatch(r"\d+ translated messages?\.", stats):
            failures.append(f"po/{lang}.po: msgfmt --check --statistics: {stats}")
        else:
            print(f"po/{lang}.po: {stats}")
    for failure in failures:
        print(failure, file=sys.stderr)
    if failures:
        print(__doc__.split("\n\n")[-1], file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
