"""The man pages, the docs and the example config say what the programs do (ctest unit.docs).

Everything is derived from the built programs: the flags from each `--help` (asyncdemoctl, each of
its subcommands, asyncdemod), the config keys from asyncdemod's `--help` (keys are its long flags
without "--"), each checked against the daemon's own config parser. Nothing is listed here, so the
test follows flags and keys as they are added:
  - every flag a `--help` prints is named in the man page (its section for that command) and in the
    docs (docs/asyncdemoctl.md, the command's section; for asyncdemod docs/asyncdemod.conf.md), and
    every flag they name exists in that `--help`;
  - every config key is in docs/asyncdemod.conf.md, asyncdemod.conf(5) and packaging/asyncdemod.conf,
    and nothing else is; the daemon accepts every key any of them names;
  - each key is reloadable or restart-only alike in all of them (docs/asyncdemod.conf.md's table
    is the reference; the reload itself is tested by tests/integration/test_signals.py);
  - docs/asyncdemod.conf.md names the config path this build installs (as the built man page says);
  - README.md and docs/ name no file outside the source tree, and every file they name is in it.
Usage: test_docs.py CTL DAEMON BUILT_MAN_DIR SOURCE_DIR
"""

import os
import re
import subprocess
import sys
import tempfile
import unittest

CTL, DAEMON, MAN_DIR, SRC = (sys.argv[1:5] if len(sys.argv) >= 5 else (None,) * 4)

LONG = re.compile(r"(?<![\w-])--[a-zA-Z][\w-]*")
SHORT = re.compile(r"(?<![\w/.-])-[a-zA-Z](?![\w-])")
GLOBAL = {"-h", "--help"}  # every command has them; the docs say so once, not in each section


def flags(text, short=True):
    # a code span that is another program's command line ("`cmake --install`") names none of ours
    text = re.sub(r"`(?!asyncdemo)[a-z][\w.-]* [^`]*`", "", text)
    found = set(LONG.findall(text))
    if short:
        found |= set(SHORT.findall(text))
    return found


def run(*args):
    out = subprocess.run(args, capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {out.returncode}: {out.stderr}")
    return out.stdout


def help_flags(text):
    """Flags of a --help: those of the option column, and long ones its descriptions name ("--no-color =
    never"). Prose at the left margin ('Options take "--opt value"') names none."""
    found = set()
    in_option = False
    for line in text.splitlines():
        m = re.match(r"^\s+(-\S.*?)(?:\s{2,}|$)", line)
        if m:
            found |= flags(m.group(1))
            in_option = True
        elif not (in_option and line.startswith("        ")):
            in_option = False
            continue
        found |= set(LONG.findall(line))
    return found


def roff(path):
    """A man page's text with the escapes that matter here undone: \\- is -, fonts dropped."""
    lines = []
    for line in read(path).splitlines():
        if line.startswith('.\\"'):
            continue
        lines.append(line)
    text = "\n".join(lines)
    for esc, plain in (("\\-", "-"), ("\\(dq", '"'), ("\\(mu", "x"), ("\\&", ""), ("\\e", "\\")):
        text = text.replace(esc, plain)
    # italics are placeholders: "--\fIoption\fR" names no flag
    text = re.sub(r"\\fI(.*?)\\f[RP]", r"<\1>", text)
    return re.sub(r"\\f[BIRP]", "", text)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def man_sections(text):
    """{"NAME": text, "BENCH OPTIONS": text, ...} of a man page (.SH headings, quotes removed)."""
    parts = re.split(r"^\.SH +(.*)$", text, flags=re.M)
    return {parts[i].strip().strip('"'): parts[i + 1] for i in range(1, len(parts), 2)}


def md_sections(text):
    """{"## heading": text} of a Markdown file, by second-level heading."""
    parts = re.split(r"^(## .*)$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def commands():
    """asyncdemoctl's subcommands, from its --help ("Commands:" block), without help."""
    text = run(CTL, "--help")
    block = text.split("Commands:", 1)[1]
    names = re.findall(r"^  ([a-z]+)\s{2,}", block, flags=re.M)
    return [n for n in names if n != "help"]


def daemon_keys():
    """Config keys: asyncdemod's long flags without "--" (asyncdemod.conf(5)), but --config, --help, --version
    and --no-ui (the flag for "ui = off")."""
    return sorted(f[2:] for f in help_flags(run(DAEMON, "--help"))
                  if f.startswith("--") and f not in ("--config", "--help", "--version", "--no-ui"))


def daemon_knows_key(key):
    """Whether asyncdemod's config parser takes key: a bad value or the unknown key on the next line
    stops it either way (exit 64, nothing started); only an unknown key names line 1 so."""
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        f.write(f"{key} = ???\nzz-no-such-key = 1\n")
    try:
        out = subprocess.run([DAEMON, "--config", f.name], capture_output=True, text=True, timeout=10)
    finally:
        os.unlink(f.name)
    if out.returncode != 64:
        raise AssertionError(f"asyncdemod --config with '{key} = ???' exited {out.returncode}: {out.stderr}")
    return f":1: key '{key}': unknown key" not in out.stderr


class Problems:
    def __init__(self):
        self.found = []

    def check(self, ok, message):
        if not ok:
            self.found.append(message)

    def both_ways(self, what, helped, named, where):
        """helped: flags of a --help; named: flags the document names there."""
        for f in sorted(helped - named):
            self.found.append(f"{where} does not name {f} ({what} --help has it)")
        for f in sorted(named - helped):
            self.found.append(f"{where} names {f}, which {what} --help does not have")


class DocsTest(unittest.TestCase):
    def assertNone(self, problems):
        self.assertFalse(problems.found, "\n" + "\n".join(problems.found))

    def test_ctl_flags(self):
        p = Problems()
        man = man_sections(roff(os.path.join(MAN_DIR, "asyncdemoctl.1")))
        doc_text = read(os.path.join(SRC, "docs", "asyncdemoctl.md"))
        doc = md_sections(doc_text)
        top = help_flags(run(CTL, "--help"))
        man_all = "\n".join(man.values())
        for f in sorted(top):
            p.check(f in flags(man_all), f"asyncdemoctl.1 does not name {f} (asyncdemoctl --help has it)")
            p.check(f in flags(doc_text), f"docs/asyncdemoctl.md does not name {f} (asyncdemoctl --help has it)")
        cmds = commands()
        self.assertTrue(cmds, "no commands in asyncdemoctl --help")
        for cmd in cmds:
            helped = help_flags(run(CTL, cmd, "--help")) - GLOBAL
            section = man.get(f"{cmd.upper()} OPTIONS")
            p.check(section is not None, f"asyncdemoctl.1 has no {cmd.upper()} OPTIONS section")
            if section is not None:
                p.both_ways(f"asyncdemoctl {cmd}", helped, flags(section) - GLOBAL,
                            f"asyncdemoctl.1, {cmd.upper()} OPTIONS,")
            heads = [h for h in doc if h.startswith(f"## `asyncdemoctl {cmd} ")]
            p.check(len(heads) == 1, f"docs/asyncdemoctl.md has no section '## `asyncdemoctl {cmd} ...`'")
            if heads:
                p.both_ways(f"asyncdemoctl {cmd}", helped, flags(doc[heads[0]]) - GLOBAL,
                            f"docs/asyncdemoctl.md, {heads[0]},")
        self.assertNone(p)

    def test_daemon_flags(self):
        p = Problems()
        helped = help_flags(run(DAEMON, "--help"))
        man = man_sections(roff(os.path.join(MAN_DIR, "asyncdemod.8")))
        p.both_ways("asyncdemod", helped, flags(man.get("OPTIONS", "")), "asyncdemod.8, OPTIONS,")
        # docs: every setting as its key, --config as the flag that reads the file
        conf_md = read(os.path.join(SRC, "docs", "asyncdemod.conf.md"))
        for f in sorted(helped - GLOBAL - {"-V", "--version"}):
            p.check(f in flags(conf_md) or f"`{f[2:]}`" in conf_md,
                    f"docs/asyncdemod.conf.md does not name {f} or its key (asyncdemod --help has it)")
        for f in sorted(flags(conf_md, short=False) - helped):
            p.check(False, f"docs/asyncdemod.conf.md names {f}, which asyncdemod --help does not have")
        self.assertNone(p)

    def test_example_command_lines(self):
        """Every asyncdemoctl or asyncdemod command line the README, docs/ and man pages show uses flags the
        program has."""
        p = Problems()
        helps = {cmd: help_flags(run(CTL, cmd, "--help")) for cmd in commands()}
        helps[None] = help_flags(run(DAEMON, "--help"))
        texts = [(os.path.join(SRC, "README.md"), read(os.path.join(SRC, "README.md")))]
        texts += [(path, read(path)) for path in sorted(
            os.path.join(SRC, "docs", n) for n in os.listdir(os.path.join(SRC, "docs")) if n.endswith(".md"))]
        texts += [(os.path.join(MAN_DIR, n), roff(os.path.join(MAN_DIR, n)))
                  for n in ("asyncdemoctl.1", "asyncdemod.8", "asyncdemod.conf.5")]
        # the program starts the command: at a line's start, after a backtick, a path's "/" or a "$ " prompt
        # ("journalctl -u asyncdemod -x" is journalctl's)
        start = r"(?:^|(?<=[`/])|(?<=\$ ))"
        shown = re.compile(start + r"asyncdemoctl (" + "|".join(c for c in helps if c) + r")\b([^`|#\n]*)"
                           r"|" + start + r"asyncdemod( [^`|#\n]*)", re.M)
        seen = 0
        for path, text in texts:
            for m in shown.finditer(text):
                cmd, rest = (m.group(1), m.group(2)) if m.group(1) else (None, m.group(3))
                seen += 1
                for f in sorted(flags(rest) - helps[cmd] - GLOBAL):
                    p.check(False, f"{os.path.basename(path)}: '{m.group(0).strip()}': "
                                   f"{'asyncdemoctl ' + cmd if cmd else 'asyncdemod'} has no {f}")
        self.assertGreater(seen, 10, "hardly any command lines found: the pattern is broken")
        self.assertNone(p)

    def test_files_named_are_in_the_tree(self):
        """README.md and docs/ stand on their own: every file they link or name by a relative path is in
        this source tree (a clone has nothing beside it)."""
        p = Problems()
        root = os.path.realpath(SRC)
        docs = [os.path.join(SRC, "README.md")] + sorted(
            os.path.join(SRC, "docs", n) for n in os.listdir(os.path.join(SRC, "docs")) if n.endswith(".md"))
        for doc in docs:
            text = read(doc)
            where = os.path.relpath(doc, SRC)
            links = [(m, os.path.dirname(doc)) for m in re.findall(r"\]\(([^)#\s]+)", text)
                     if not re.match(r"[a-z]+:", m)]
            # `dir/file.ext` in code: relative to the tree's root, as the docs write them
            named = re.findall(r"`(\.{0,2}/?[\w.-]+(?:/[\w.{}-]+)+\.(?:md|py|sh|c|h|in|cmake|conf|json|txt))`", text)
            links += [(n, SRC) for n in named if not n.startswith("/")]
            for target, base in links:
                path = os.path.realpath(os.path.join(base, target))
                p.check(path.startswith(root + os.sep), f"{where} names {target}, outside the source tree")
                p.check(os.path.exists(path) or not path.startswith(root + os.sep),
                        f"{where} names {target}, which is not in the source tree")
        self.assertNone(p)

    def test_config_defaults(self):
        """Each key's default as asyncdemod --help gives it is the one docs/asyncdemod.conf.md's table, the
        example config (its commented-out line) and asyncdemod.conf(5) ("(default X)", where it says so) give."""
        p = Problems()
        blocks, current = {}, None
        for line in run(DAEMON, "--help").splitlines():
            m = re.match(r"^\s+(--[\w-]+)", line)
            if m:
                current = m.group(1)
                blocks[current] = line
            elif current and line.startswith("        "):
                blocks[current] += " " + line.strip()
            else:
                current = None
        conf_md = read(os.path.join(SRC, "docs", "asyncdemod.conf.md"))
        example = read(os.path.join(SRC, "packaging", "asyncdemod.conf"))
        man5 = man_sections(roff(os.path.join(MAN_DIR, "asyncdemod.conf.5"))).get("KEYS", "")
        man_items = {}
        for item in re.split(r"^\.TP\s*$", man5, flags=re.M)[1:]:
            m = re.match(r"\s*\.BI? +([a-z][a-z-]*)", item)
            if m:
                man_items[m.group(1)] = " ".join(item.split())
        for key in daemon_keys():
            m = re.search(r"\(default ([^)]+)\)", blocks.get("--" + key, ""))
            if not m:
                continue
            default = m.group(1)
            row = re.search(r"^\| `" + re.escape(key) + r"` \|[^|]*\| `([^`]*)` \|", conf_md, flags=re.M)
            p.check(row is not None and row.group(1) == default,
                    f"docs/asyncdemod.conf.md's table: {key} defaults to {row.group(1) if row else '?'}, "
                    f"asyncdemod --help says {default}")
            lines = re.findall(r"^#" + re.escape(key) + r" = (\S+)", example, flags=re.M)
            p.check(default in lines, f"packaging/asyncdemod.conf: #{key} = {lines}, asyncdemod --help says {default}")
            said = re.search(r"\(default ([^)]+)\)", man_items.get(key, ""))
            p.check(said is None or said.group(1) == default,
                    f"asyncdemod.conf(5): {key} (default {said.group(1) if said else ''}), asyncdemod --help says {default}")
        self.assertNone(p)

    def test_config_path(self):
        """The path this build installs the config to (asyncdemod.conf(5) as built) is the one the docs name."""
        synopsis = man_sections(roff(os.path.join(MAN_DIR, "asyncdemod.conf.5"))).get("SYNOPSIS", "")
        path = re.search(r"(/\S+/asyncdemod\.conf)\b", synopsis)
        self.assertIsNotNone(path, f"no path in asyncdemod.conf(5)'s SYNOPSIS: {synopsis!r}")
        conf_md = read(os.path.join(SRC, "docs", "asyncdemod.conf.md"))
        self.assertTrue(f"`{path.group(1)}`" in conf_md,
                        f"docs/asyncdemod.conf.md does not name {path.group(1)}, where this build installs the config")

    def documented_keys(self):
        """{document: {key: "reload" | "restart"}} as each document says."""
        conf_md = read(os.path.join(SRC, "docs", "asyncdemod.conf.md"))
        table = {}
        for key, reload in re.findall(r"^\| `([a-z][a-z-]*)` \|.*\| ([A-Za-z]+) \|\s*$", conf_md, flags=re.M):
            table[key] = "reload" if reload == "SIGHUP" else "restart" if reload == "restart" else reload
        man5 = man_sections(roff(os.path.join(MAN_DIR, "asyncdemod.conf.5"))).get("KEYS", "")
        man_keys = {}
        for item in re.split(r"^\.TP\s*$", man5, flags=re.M)[1:]:
            m = re.match(r"\s*\.BI? +([a-z][a-z-]*)", item)
            if m:
                man_keys[m.group(1)] = reload_word(item)
        example = {}
        comment = []
        for line in read(os.path.join(SRC, "packaging", "asyncdemod.conf")).splitlines():
            m = re.match(r"^#([a-z][a-z-]*) = ", line)
            if m:
                example.setdefault(m.group(1), reload_word(" ".join(comment)))
            elif line.startswith("#"):
                comment.append(line)
            else:
                comment = []
        return {"docs/asyncdemod.conf.md": table, "asyncdemod.conf(5)": man_keys,
                "packaging/asyncdemod.conf": example}

    def test_config_keys(self):
        p = Problems()
        keys = daemon_keys()
        self.assertTrue(keys, "no config keys derived from asyncdemod --help")
        for key in keys:
            p.check(daemon_knows_key(key), f"asyncdemod --help has --{key}, but its config file takes no '{key}'")
        docs = self.documented_keys()
        named = set().union(*(d.keys() for d in docs.values()))
        for key in sorted(named - set(keys)):
            if daemon_knows_key(key):
                p.check(False, f"the config key '{key}' is documented, but asyncdemod --help has no --{key}")
            else:
                p.check(False, f"'{key}' is documented as a config key, but asyncdemod does not take it")
        for where, found in docs.items():
            for key in keys:
                p.check(key in found, f"{where} does not describe the key '{key}'")
        reference = docs["docs/asyncdemod.conf.md"]
        for where, found in docs.items():
            for key, how in sorted(found.items()):
                p.check(how in ("reload", "restart"), f"{where}: '{key}' says neither reloadable nor restart")
                if key in reference and how != reference[key]:
                    p.check(False, f"{where}: '{key}' says {how}, docs/asyncdemod.conf.md's table says "
                                   f"{reference[key]}")
        # the summaries: the example config's header, asyncdemod(8)'s SIGHUP
        header = read(os.path.join(SRC, "packaging", "asyncdemod.conf")).split("\n\n", 1)[0]
        sighup = man_sections(roff(os.path.join(MAN_DIR, "asyncdemod.8"))).get("SIGNALS", "")
        sighup = sighup.split("SIGHUP", 1)[-1].split(".TP", 1)[0]
        header = header.split("Reloaded on SIGHUP", 1)[-1]
        for where, text in (("packaging/asyncdemod.conf's header", header), ("asyncdemod.8, SIGHUP,", sighup)):
            listed = set(re.findall(r"[a-z][a-z-]*", text)) & set(keys)
            for key in keys:
                if reference.get(key) == "reload":
                    p.check(key in listed, f"{where} does not list '{key}' as reloadable")
                elif key in listed:
                    p.check(False, f"{where} lists '{key}' as reloadable; docs/asyncdemod.conf.md says restart")
        self.assertNone(p)


def reload_word(text):
    text = " ".join(text.split())
    if re.search(r"Reloadable|A reload applies it", text):
        return "reload"
    if re.search(r"Restart to apply|need a restart", text):
        return "restart"
    return "unsaid"


if __name__ == "__main__":
    if None in (CTL, DAEMON, MAN_DIR, SRC):
        sys.exit(__doc__)
    unittest.main(argv=sys.argv[:1])
