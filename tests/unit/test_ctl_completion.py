"""asyncdemoctl's bash completion (packaging/asyncdemoctl.bash-completion), run in bash for real.

Two ways: the completion function called with COMP_WORDS / COMP_CWORD / COMP_LINE / COMP_POINT set as
bash sets them (bash splits words at COMP_WORDBREAKS, "=" and ":" among them: "--url=http://127"
arrives as "--url", "=", "http", ":", "//127"), and an interactive bash on a pseudo-terminal in which
TAB is pressed and the completed command line is run.
Python 3 standard library only.
"""
import os
import pty
import re
import select
import shutil
import subprocess
import tempfile
import time
import unittest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "packaging",
                      "asyncdemoctl.bash-completion")


def bash_words(line):
    """COMP_WORDS and COMP_CWORD as bash makes them for line, cursor at the end (default COMP_WORDBREAKS)."""
    words = []
    for token in line.split():
        words += [w for w in re.split(r"([=:]+)", token) if w]
    if line.endswith(" "):
        words.append("")
    return words, len(words) - 1


def complete(line):
    """COMPREPLY for line: the replacements of the last of COMP_WORDS."""
    words, cword = bash_words(line)
    prog = r'''
source "$1"
line=$2
shift 2
COMP_WORDS=("$@")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE=$line
COMP_POINT=${#line}
_asyncdemoctl asyncdemoctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
'''
    r = subprocess.run(["bash", "-c", prog, "bash", SCRIPT, line] + words, capture_output=True, text=True)
    if r.returncode != 0 or r.stderr:
        raise AssertionError("completing %r: %s" % (line, r.stderr.strip()))
    return [w for w in r.stdout.split("\n") if w]


class CompWordsTest(unittest.TestCase):
    def assert_completes(self, line, want):
        self.assertEqual(sorted(complete(line)), sorted(want), line)

    def test_bash_splits_as_captured(self):
        # What bash 5 gave a completion function for these lines (captured on a pseudo-terminal).
        self.assertEqual(bash_words("asyncdemoctl bench --color="), (["asyncdemoctl", "bench", "--color", "="], 3))
        self.assertEqual(bash_words("asyncdemoctl bench -u http://127"),
                         (["asyncdemoctl", "bench", "-u", "http", ":", "//127"], 5))

    def test_flag_equals_value(self):
        # After "--color=" bash replaces the word "=": the reply keeps it.
        self.assert_completes("asyncdemoctl bench --color=", ["=auto", "=always", "=never"])
        self.assert_completes("asyncdemoctl bench --color=al", ["always"])
        self.assert_completes("asyncdemoctl stats --url=h", ["http://127.0.0.1:8000", "http://[::1]:8000"])
        self.assert_completes("asyncdemoctl bench --url=http://127", ["//127.0.0.1:8000"])
        self.assert_completes("asyncdemoctl bench --engine=c", ["curl"])
        self.assert_completes("asyncdemoctl bench --engine n", ["nghttp2"])
        self.assert_completes("asyncdemoctl compare --modes=async,th", ["async,threads"])

    def test_flag_space_value(self):
        self.assert_completes("asyncdemoctl bench -u http://127", ["//127.0.0.1:8000"])
        self.assert_completes("asyncdemoctl bench --url h", ["http://127.0.0.1:8000", "http://[::1]:8000"])
        self.assert_completes("asyncdemoctl bench --color ", ["auto", "always", "never"])
        self.assert_completes("asyncdemoctl demo --color n", ["never"])
        self.assert_completes("asyncdemoctl compare --modes sequential,a", ["sequential,async"])
        self.assert_completes("asyncdemoctl bench --endpoint /non", ["/non-blocking"])

    def test_flags_and_commands(self):
        self.assert_completes("asyncdemoctl ",
                              ["bench", "compare", "stats", "demo", "report", "help", "--help", "--version"])
        self.assert_completes("asyncdemoctl report --no-t", ["--no-timeline"])
        self.assert_completes(f"asyncdemoctl report {SCRIPT[:-4]}", [SCRIPT])
        self.assert_completes("asyncdemoctl bench --con", ["--concurrency", "--content-type"])
        self.assert_completes("asyncdemoctl bench -X P", ["POST", "PUT", "PATCH"])
        self.assert_completes("asyncdemoctl compare --max", ["--max-parallel"])
        self.assert_completes("asyncdemoctl bench -n ", [])
        # --color's value is optional: after "--color" other flags still complete.
        self.assert_completes("asyncdemoctl stats --color --w", ["--watch"])


@unittest.skipUnless(shutil.which("bash"), "bash not installed")
class InteractiveTest(unittest.TestCase):
    """TAB pressed in a real interactive bash; the completed line is run and its arguments recorded."""

    def run_line(self, typed):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "args")
            pid, fd = pty.fork()
            if pid == 0:
                os.execvpe("bash", ["bash", "--norc", "--noprofile", "-i"],
                           dict(os.environ, PS1="$ ", TERM="dumb", INPUTRC="/dev/null"))
            try:
                setup = (f"source '{SCRIPT}'; asyncdemoctl() {{ printf '%s\\n' \"$@\" > '{out}'; }}; "
                         "bind 'set show-all-if-ambiguous off' 2>/dev/null\n")
                os.write(fd, setup.encode())
                os.write(fd, typed.encode() + b"\t")
                time.sleep(0.3)  # readline completes on TAB; the Enter must come after it
                os.write(fd, b"\nexit\n")
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    r, _, _ = select.select([fd], [], [], 0.1)
                    if r:
                        try:
                            if not os.read(fd, 4096):
                                break
                        except OSError:
                            break
                os.waitpid(pid, 0)
            finally:
                os.close(fd)
            with open(out) as f:
                return f.read().split("\n")[:-1]

    def test_tab_completes_values(self):
        self.assertEqual(self.run_line("asyncdemoctl bench --color=al"), ["bench", "--color=always"])
        self.assertEqual(self.run_line("asyncdemoctl stats --url=http://127"),
                         ["stats", "--url=http://127.0.0.1:8000"])
        self.assertEqual(self.run_line("asyncdemoctl stats -u http://127"), ["stats", "-u", "http://127.0.0.1:8000"])
        self.assertEqual(self.run_line("asyncdemoctl compare --color al"), ["compare", "--color", "always"])


if __name__ == "__main__":
    unittest.main()
