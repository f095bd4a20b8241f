"""The messages docs/asyncdemoctl.md quotes are the ones asyncdemoctl prints (ctest integration.docs.examples).

The examples are read from the doc, not listed here: every quoted `http://127.0.0.1:8000/PATH: not asyncdemod's
/stats document: ...` is run as `asyncdemoctl stats` against a daemon's PATH, and every quoted `cannot connect to
127.0.0.1:8000 ...` as `asyncdemoctl stats` and `bench` against a loopback port where nothing listens; the
example's address is replaced by the test's. A quote ending in "..." is a prefix of the message.
"""

import os
import re
import unittest

import harness

DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "asyncdemoctl.md")
BASE = "http://127.0.0.1:8000"


def quotes(pattern):
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    return sorted(set(re.findall(r"`(" + pattern + r"[^`]*)`", text)))


def first_line(text):
    return text.splitlines()[0] if text else ""


class DocsExamplesTest(harness.SharedDaemonTestCase):
    def assertQuoted(self, quote, said):
        if quote.endswith("..."):
            self.assertTrue(said.startswith(quote[:-3].rstrip()), f"the doc quotes\n  {quote}\nthe program says\n  {said}")
        else:
            self.assertEqual(quote, said, "the doc quotes the first, the program says the second")

    def test_stats_refusal(self):
        found = quotes(re.escape(BASE) + r"/[^`:]*: not asyncdemod's")
        self.assertTrue(found, f"no stats refusal quoted in {DOC}")
        for quote in found:
            path = quote[len(BASE):].split(":", 1)[0]
            with self.subTest(quote=quote):
                proc = harness.run_ctl("stats", self.daemon.url(path))
                self.assertEqual(proc.returncode, 1, proc)
                said = first_line(proc.stderr).replace(self.daemon.base_url, BASE)
                self.assertQuoted(quote, said)

    def test_cannot_connect(self):
        found = quotes(r"cannot connect to 127\.0\.0\.1:8000")
        self.assertTrue(found, f"no 'cannot connect' quoted in {DOC}")
        port = harness.free_port()  # nothing listens on it
        for quote in found:
            for command in (("stats",), ("bench", "--no-progress")):
                with self.subTest(quote=quote, command=command[0]):
                    proc = harness.run_ctl(*command, f"http://127.0.0.1:{port}")
                    self.assertEqual(proc.returncode, 2, proc)
                    said = first_line(proc.stderr).replace(f"127.0.0.1:{port}", "127.0.0.1:8000")
                    self.assertQuoted(quote, said)


if __name__ == "__main__":
    unittest.main()
