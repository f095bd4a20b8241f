"""bench --html and report --html in a real browser (Debian's chromium, headless, over the DevTools protocol).

The page is one file with nothing from the network: it loads from file:// with no console error and no
Content-Security-Policy violation, has no script, and its charts are drawn (SVG bars and lines of a size
on screen) for every run; a screenshot is left in $AD_ARTIFACT_DIR (ctl-report.png). Run with Debian's
/usr/bin/python3.
"""

import os
import re
import tempfile

import browser
import harness

ctl = harness.run_ctl

CHARTS_JS = """Array.prototype.map.call(document.querySelectorAll('svg'), function (s) {
  var r = s.getBoundingClientRect();
  return {label: s.getAttribute('aria-label'), w: r.width, h: r.height,
          bars: s.querySelectorAll('rect').length,
          line: Array.prototype.reduce.call(s.querySelectorAll('polyline'), function (n, p) {
            return n + p.points.numberOfItems; }, 0)}; })"""


def open_chromium():
    """browser.py's chromium: Browser here, Chromium once the harness drives Firefox too (main's browser.py)."""
    if hasattr(browser, "Chromium"):
        return browser.Chromium()
    return browser.Browser(width=1100, height=900)


class HtmlReportTest(harness.DaemonTestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="asyncdemo-html-")
        self.addCleanup(self.tmp.cleanup)

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def test_bench_and_report_pages_in_a_browser(self):
        d = self.start_daemon()
        page, doc = self.path("bench.html"), self.path("bench.json")
        proc = ctl("bench", "--url", d.base_url, "--delay", "0.1", "-n", 5, "-c", 5, "--interval", "0.05s",
                   "--no-progress", "--html", page, "--fail-if", "/blocking:p99>0.2s")
        self.assertEqual(proc.returncode, 3, proc.stderr)  # /blocking's staircase breaks it
        proc = ctl("bench", "--url", d.base_url, "-e", "/non-blocking", "--delay", "0.05", "-n", 20, "-c", 4,
                   "--json", "-o", doc)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        merged = self.path("report.html")
        proc = ctl("report", doc, "--html", merged, "--no-timeline")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for f in (page, merged):
            with open(f, encoding="utf-8") as fh:
                text = fh.read()
            # self-contained: no script, no resource from anywhere
            self.assertNotIn("<script", text)
            self.assertIsNone(re.search(r"""(src|href)\s*=|url\(|@import""", text), f)

        b = open_chromium()
        self.addCleanup(b.close)
        b.navigate("file://" + page)
        b.wait_for("document.readyState === 'complete' && document.querySelectorAll('svg').length > 0", timeout=20,
                   message="the page loaded")
        self.assertEqual(b.errors, [], "console errors")
        self.assertEqual(b.csp_violations(), [], "CSP violations")
        self.assertEqual(b.evaluate("document.scripts.length"), 0)
        charts = b.evaluate(CHARTS_JS)
        labels = [c["label"] for c in charts]
        # three runs: histogram, percentile curve and figures over time each
        self.assertEqual(labels.count("latency histogram"), 3, labels)
        self.assertEqual(labels.count("latency by percentile"), 3, labels)
        self.assertEqual(labels.count("requests per second and p99 over time"), 3, labels)
        for c in charts:
            self.assertGreater(c["w"], 300, c)
            self.assertGreater(c["h"], 80, c)
            self.assertGreaterEqual(c["bars"] + c["line"], 1, c)
        text = b.evaluate("document.body.innerText")
        self.assertIn("/blocking", text)
        self.assertIn("FAILED /blocking:p99>0.2s", text)
        self.assertIn("Timeline: who waited for whom", text)
        self.assertIn("█", text)  # the terminal's bars
        artifacts = os.environ.get("AD_ARTIFACT_DIR")
        if artifacts:
            b.screenshot(os.path.join(artifacts, "ctl-report.png"))
        # the report page: the merged run's charts
        b.navigate("file://" + merged)
        b.wait_for("document.readyState === 'complete' && document.querySelectorAll('svg').length > 0", timeout=20,
                   message="the report page loaded")
        self.assertEqual(b.errors, [], "console errors")
        self.assertEqual(b.csp_violations(), [], "CSP violations")
        labels = [c["label"] for c in b.evaluate(CHARTS_JS)]
        self.assertEqual(len(labels), 3, labels)
        self.assertIn("report: 1 bench document merged", b.evaluate("document.body.innerText"))


if __name__ == "__main__":
    harness.main()
