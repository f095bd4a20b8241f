"""scripts/check_includes.py: finds a cycle between modules, and passes a tree that only includes downwards."""

import contextlib
import io
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import check_includes  # noqa: E402


def tree(files):
    """A temporary folder holding files {relative path: text}."""
    d = tempfile.TemporaryDirectory()
    for name, text in files.items():
        path = os.path.join(d.name, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return d


def run(*dirs):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = check_includes.main(["check_includes.py", *dirs])
    return rc, out.getvalue()


class CheckIncludesTest(unittest.TestCase):
    def test_layers_pass(self):
        with tree({"core/state.h": "", "core/state.c": '#include "state.h"\n',
                   "app/handler.h": '#include "state.h"\n', "app/handler.c": '#include "handler.h"\n',
                   "top/main.c": '#include "handler.h"\n#include "state.h"\n#include <stdio.h>\n'}) as d:
            rc, out = run(os.path.join(d, "core"), os.path.join(d, "app"), os.path.join(d, "top"))
            self.assertEqual(rc, 0, out)
            self.assertIn("no include cycle among 3 modules", out)

    def test_cycle_through_a_source_file_fails(self):
        # the header includes nothing upwards, but its module's .c does: still a cycle between modules
        with tree({"a.h": "", "a.c": '#include "a.h"\n#include "b.h"\n', "b.h": '#include "c.h"\n',
                   "c.h": "", "c.c": '#include "a.h"\n'}) as d:
            rc, out = run(d)
            self.assertEqual(rc, 1, out)
            self.assertRegex(out, r"include cycle: .*a -> .*b -> .*c -> .*a")

    def test_folders_fail(self):
        # no module cycle, but core includes from app while app includes from core
        with tree({"core/a.h": "", "core/b.c": '#include "c.h"\n', "app/c.h": "",
                   "app/d.c": '#include "a.h"\n'}) as d:
            rc, out = run(os.path.join(d, "core"), os.path.join(d, "app"))
            self.assertEqual(rc, 1, out)
            self.assertIn("include cycle between folders", out)

    def test_two_headers_fail(self):
        with tree({"x/p.h": '#include "q.h"\n', "x/q.h": '#  include "p.h"\n'}) as d:
            rc, out = run(d)
            self.assertEqual(rc, 1, out)


if __name__ == "__main__":
    unittest.main()
