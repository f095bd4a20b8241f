"""The page at / in a real browser, the same checks in each (test_browser.py: chromium; test_firefox.py:
Firefox).

test_lesson_runs_on_load loads /?run=1&delay=0.3 against a real daemon: the lesson runs on load with the
default 5 requests per endpoint; the /blocking answers form a staircase (each started being served when
the one before it finished) and the /non-blocking ones overlap, in the answers the page received and in
the bars it drew; the live panel updates and shows the /blocking stalls; no console error, no CSP
violation. It saves a screenshot of the finished run ($AD_ARTIFACT_DIR/ui-lesson-BROWSER.png). The other
tests: lesson.js's figures and text.js's words on fixed input, more requests than the browser's
connections, the lesson with work=cpu (/blocking and /offload burn the CPU; the rows and the verdict name that
form), the keyboard (work=cpu chosen by it, and /non-blocking sent without it, saying why) and the patterns, the page under --threads 2, the page over https with h2 (more
requests at once than HTTP/1.1's connections allow), and the page in Ukrainian (the browser's language) with
its switch back to English, remembered.
"""

import os
import re
import shutil
import tempfile
import time

import harness

DELAY = 0.3
COUNT = 5
# The page's answers: how far a /blocking start may be from the previous finish (the loop goes straight
# from one sleep to the next handler), and how far apart /non-blocking starts may be (they arrive at once).
STAIR_TOLERANCE = 0.05
THREADS_COUNT, THREADS_DELAY = 3, 0.2  # --threads 2: two of three requests share a loop, a staircase there
OVERLAP_SPREAD = 0.15
# Over https with h2: more requests than HTTP/1.1's 6 connections, all on the wire at once (a short delay:
# /blocking's staircase is H2_COUNT delays long).
H2_COUNT, H2_DELAY = 10, 0.15
NUM = r"\d+\.\d+"  # a figure with its decimal point, in every language
UK_DELAY = 0.2  # the lesson in Ukrainian: /blocking and /non-blocking, 5 requests each
# work=cpu: 5 x CPU_DELAY of CPU burned on the loop (/blocking), one after the other, and on 5 workers at once
# (/offload), who can get at most this machine's cores for CPU_DELAY between them. The daemon's threads must show
# at least a tenth of that (other work may take most of a core; asleep, they use next to none): the loop's
# cpu_seconds in /stats, the workers' CPU from /proc.
CPU_DELAY = 0.2
CPU_SHARE = 0.1
# Latin words a Ukrainian page may show outside <code>: names of programs and protocols (paths, loop names
# and numbers are taken out first).
UK_LATIN_OK = {"asyncdemo", "asyncdemod", "HTTP", "HTTPS", "TLS", "JSON", "Prometheus", "Debian", "pid"}
# Everything a person or a screen reader gets from the page, <code> and the language switch left out (each
# language's button says its own name): the text, the aria-labels and the title.
PAGE_WORDS_JS = """(function () {
  var c = document.body.cloneNode(true);
  Array.prototype.forEach.call(c.querySelectorAll('code, #lang-switch'), function (e) { e.remove(); });
  var out = [document.title, c.textContent];
  Array.prototype.forEach.call(document.querySelectorAll('[aria-label]'), function (e) {
    if (!e.closest('#lang-switch button')) out.push(e.getAttribute('aria-label')); });
  return out.join('\\n'); })()"""

RUNS_JS = """window.asyncdemo.runs.map(function (r) { return {ep: r.ep,
  answers: r.rows.map(function (x) { return x.answer; }),
  laid: r.laid.map(function (o) { return {held: o.held, queued: o.queued, served: o.served, ok: o.ok}; }),
  bars: Array.prototype.map.call(r.box.querySelectorAll('.seg-served'), function (s) {
    return [parseFloat(s.style.left), parseFloat(s.style.width)]; }),
  texts: Array.prototype.map.call(r.list.children, function (li) { return li.querySelector('.row-text').textContent; }),
  wall: r.totals.wall}; })"""


class PageChecks:
    """The page's tests, for any browser of browser.py: a test file mixes this into a
    harness.DaemonTestCase and names the browser class in BROWSER. One browser serves the class's tests;
    each test loads the page from its own daemon."""

    BROWSER = None

    @classmethod
    def setUpClass(cls):
        cls.browser = cls.BROWSER()

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()

    def setUp(self):
        self.browser.errors.clear()  # what the previous test's page logged as it went away

    def tearDown(self):
        # Off the page before the cleanups stop the daemon, so no page is left reconnecting to /events.
        self.browser.navigate("about:blank")

    def open_page(self, query=""):
        """The page of a daemon of its own, loaded and ready (its /stats read): the browser."""
        d = self.start_daemon()
        self.browser.navigate(d.url("/" + query))
        self.browser.wait_for("window.asyncdemo && window.asyncdemo.info", timeout=15)
        return self.browser

    def assertNoErrors(self):
        self.assertEqual(self.browser.errors, [], "console errors")
        self.assertEqual(self.browser.csp_violations(), [], "CSP violations")

    def finishedRuns(self, endpoints, count):
        """The finished lesson's runs (RUNS_JS) by endpoint: those of endpoints, in order, count requests each,
        every one answered."""
        runs = {r["ep"]: r for r in self.browser.evaluate(RUNS_JS)}
        self.assertEqual(list(runs), endpoints)
        for ep, r in runs.items():
            self.assertEqual(len(r["answers"]), count, ep)
            self.assertTrue(all(o["ok"] for o in r["laid"]), (ep, r["laid"]))
        return runs

    def assertStaircase(self, answers):
        """The answers as the server served them: each started when the one before it finished."""
        answers = sorted(answers, key=lambda a: a["started_monotonic_seconds"])
        for prev, cur in zip(answers, answers[1:]):
            gap = cur["started_monotonic_seconds"] - prev["finished_monotonic_seconds"]
            self.assertLess(abs(gap), STAIR_TOLERANCE, ("not a staircase", answers))

    def assertStaircaseDrawn(self, run, delay):
        """run's bars (RUNS_JS) as the page drew them: queued parts of 0, 1, 2... delays, each served bar
        starting where the one before ended."""
        queued = sorted(o["queued"] for o in run["laid"])
        for i, q in enumerate(queued):
            self.assertAlmostEqual(q, i * delay, delta=0.1, msg=queued)
        bars = sorted(run["bars"])
        for (left0, width0), (left1, _) in zip(bars, bars[1:]):
            self.assertAlmostEqual(left1, left0 + width0, delta=2.0, msg=("served bars, % of the track", bars))

    def test_errors_are_seen(self):
        """assertNoErrors can fail in this browser: a console error, an uncaught exception, a 404 and a load
        the CSP refuses (another port of loopback is another origin) are all recorded."""
        b = self.open_page()
        status = b.evaluate("(function () { console.error('probe-console');"
                            " setTimeout(function () { null.x; }, 0);"
                            " var i = new Image(); i.src = 'http://127.0.0.1:9/probe.png';"
                            " document.body.appendChild(i);"
                            " return fetch('/probe-404').then(function (r) { return r.status; }); })()")
        self.assertEqual(status, 404)
        b.wait_for("window.__cspViolations.length > 0", timeout=5, message="the CSP violation")
        self.assertEqual(b.csp_violations(), ["img-src http://127.0.0.1:9/probe.png"])

        def missing():
            texts = " | ".join(text for _, text in b.errors)
            return [probe for probe in ("probe-console", "null", "probe-404") if probe not in texts]

        deadline = time.monotonic() + 5
        while missing() and time.monotonic() < deadline:
            b.evaluate("1")  # the browser's events arrive along with the answers
            time.sleep(0.05)
        self.assertEqual(missing(), [], b.errors)

    def test_lesson_runs_on_load(self):
        d = self.start_daemon()
        b = self.browser
        b.navigate(d.url(f"/?run=1&delay={DELAY}"))
        # While /blocking's requests wait (1.5 s in all), their bars grow (the track is about 1.9 s wide).
        longest_bar = ("(function () { var r = window.asyncdemo && window.asyncdemo.runs[0]; if (!r || r.laid) return 0;"
                       " return Math.max.apply(null, r.rows.map(function (x) {"
                       " return parseFloat(x.segs.waiting.style.width) || 0; })); })()")
        first = b.wait_for(longest_bar, timeout=15, interval=0.02, message="a growing bar")
        seen = b.evaluate("window.asyncdemo.messages")  # the live panel's messages so far (checked below)
        b.wait_for(f"{longest_bar} > {first} + 5", timeout=3, interval=0.02, message="a bar grew by 5% of the track")
        # 5 x 0.3 s of /blocking, then 0.3 s each of the others, on a loaded machine
        b.wait_for("window.asyncdemo && window.asyncdemo.done", timeout=30, message="the lesson's end")
        runs = {r["ep"]: r for r in b.evaluate(RUNS_JS)}
        self.assertEqual(list(runs), ["/blocking", "/non-blocking", "/offload"])
        for ep, r in runs.items():
            self.assertEqual(len(r["answers"]), COUNT, ep)
            self.assertTrue(all(a is not None for a in r["answers"]), (ep, r["answers"]))
            for a in r["answers"]:
                self.assertEqual(a["endpoint"], ep)
                self.assertAlmostEqual(a["requested_delay_seconds"], DELAY)

        self.assertStaircase(runs["/blocking"]["answers"])
        self.assertStaircaseDrawn(runs["/blocking"], DELAY)

        nb = runs["/non-blocking"]["answers"]
        starts = [a["started_monotonic_seconds"] for a in nb]
        ends = [a["finished_monotonic_seconds"] for a in nb]
        self.assertLess(max(starts) - min(starts), OVERLAP_SPREAD, nb)
        self.assertLess(max(starts), min(ends), ("the /non-blocking answers do not overlap", nb))
        self.assertTrue(all(o["queued"] < 0.1 for o in runs["/non-blocking"]["laid"]), runs["/non-blocking"]["laid"])

        self.assertGreater(runs["/blocking"]["wall"], (COUNT - 0.5) * DELAY)
        self.assertLess(runs["/non-blocking"]["wall"], 2 * DELAY + 0.3)
        verdict = b.evaluate("window.asyncdemo.verdict")
        self.assertEqual((verdict["slow"], verdict["fast"]), ("/blocking", "/non-blocking"))
        self.assertGreater(verdict["ratio"], 2.5)
        self.assertIn("/blocking was", b.evaluate("document.getElementById('verdict').textContent"))

        # The live panel: messages kept coming through the lesson, and the lag chart shows the stalls
        # /blocking caused.
        b.wait_for(f"window.asyncdemo.messages >= {seen + 2}", timeout=5, message="two more /events messages")
        b.wait_for("window.asyncdemo.series.some(function (p) { return p.stall && p.endpoint === '/blocking'; })",
                   timeout=5, message="a /blocking stall in the lag chart")
        self.assertIn("caused by /blocking", b.evaluate("document.getElementById('lag-desc').textContent"))
        self.assertGreater(b.evaluate("document.querySelectorAll('#lag-bars rect.stall').length"), 0)
        self.assertIn("/events", b.evaluate("document.getElementById('live-state').textContent"))
        self.assertIn("at most 5 requests", b.evaluate("document.getElementById('limit-note').textContent"))
        self.assertIn(d.stats()["version"], b.evaluate("document.getElementById('version').textContent"))

        out = os.environ.get("AD_ARTIFACT_DIR", ".")
        b.screenshot(os.path.join(out, f"ui-lesson-{b.name}.png"))
        self.assertNoErrors()

    def test_figures_module_on_fixed_input(self):
        """lesson.js's figures, checked on fixed answers (the same functions the page draws from), and text.js's
        words: Ukrainian's three plural forms by the browser's own plural rules, and a language for the
        browser's preferred ones."""
        b = self.open_page()
        L = "AsyncdemoLesson"

        def ans(s, f):
            return f"{{started_monotonic_seconds: {s}, finished_monotonic_seconds: {f}}}"

        stairs = f"[{ans(10, 10.3)}, {ans(10.3, 10.6)}, {ans(10.6, 10.9)}]"
        together = f"[{ans(10, 10.3)}, {ans(10.01, 10.31)}, {ans(10.02, 10.32)}]"
        self.assertTrue(b.evaluate(f"{L}.isStaircase({stairs}, 0.05)"))
        self.assertFalse(b.evaluate(f"{L}.isStaircase({together}, 0.05)"))
        self.assertTrue(b.evaluate(f"{L}.overlapAll({together})"))
        self.assertFalse(b.evaluate(f"{L}.overlapAll({stairs})"))
        # Three requests sent at 0 ms with room for two: the third is held until the first answer (300 ms).
        laid = b.evaluate(f"""{L}.layoutRun([
            {{sendMs: 0, recvMs: 305, answer: {ans(100, 100.3)}}},
            {{sendMs: 1, recvMs: 310, answer: {ans(100.001, 100.301)}}},
            {{sendMs: 2, recvMs: 620, answer: {ans(100.31, 100.61)}}}], 2)""")
        self.assertAlmostEqual(laid[2]["held"], 0.303, places=6)
        self.assertAlmostEqual(laid[2]["release"], 0.305, places=6)
        self.assertAlmostEqual(laid[0]["queued"], 0, places=6)
        self.assertAlmostEqual(laid[2]["served"], 0.3, places=6)
        self.assertAlmostEqual(laid[2]["queued"], 0.005, places=3)
        # Drawn by loop (numerically: loop-2 before loop-10), then by start; a failed row is left out.
        order = b.evaluate(f"""{L}.drawOrder([
            {{ok: true, index: 1, start: 0.0, answer: {{thread: 'loop-1'}}}}, {{ok: false, index: 2}},
            {{ok: true, index: 3, start: 0.3, answer: {{thread: 'loop-0'}}}},
            {{ok: true, index: 4, start: 0.0, answer: {{thread: 'loop-0'}}}},
            {{ok: true, index: 5, start: 0.1, answer: {{thread: 'loop-10'}}}},
            {{ok: true, index: 6, start: 0.2, answer: {{thread: 'loop-2'}}}}]).map(function (o) {{ return o.index; }})""")
        self.assertEqual(order, [4, 3, 1, 6, 5])
        self.assertEqual(b.evaluate(f"{L}.connectionLimit('http/1.1', true)"), 5)
        self.assertEqual(b.evaluate(f"{L}.connectionLimit('http/1.1', false)"), 6)
        self.assertIsNone(b.evaluate(f"isFinite({L}.connectionLimit('h2', true)) ? 1 : null"))
        v = b.evaluate(f"{L}.verdict({{'/blocking': {{wall: 1.5}}, '/non-blocking': {{wall: 0.3}}, '/offload': {{wall: 0.31}}}})")
        self.assertEqual(v["text"], "/blocking was 5.0x slower than /non-blocking")
        s = b.evaluate(f"{L}.parseSettings('?run=1&delay=0.3&count=99&endpoints=/offload,/x', "
                       "{count: 5, delay: 2, maxDelay: 30})")
        self.assertEqual(s, {"run": True, "count": 20, "delay": 0.3, "endpoints": ["/offload"], "work": "sleep"})
        s = b.evaluate(f"{L}.parseSettings('?work=cpu', {{count: 5, delay: 2, maxDelay: 30}}).work")
        self.assertEqual(s, "cpu")
        self.assertEqual(b.evaluate(f"{L}.parseSettings('?work=gpu', {{count: 5, delay: 2, maxDelay: 30}}).work"), "sleep")
        # work=cpu only where the daemon has that form: /non-blocking's timer does no work (400 there).
        urls = b.evaluate(f"['/blocking', '/non-blocking', '/offload'].map(function (ep) {{"
                          f" return [{L}.form(ep, 'cpu'), {L}.requestUrl(ep, 0.25, 'cpu'), {L}.requestUrl(ep, 0.25, 'sleep')]; }})")
        self.assertEqual(urls, [["/blocking?work=cpu", "/blocking?delay=0.25&work=cpu", "/blocking?delay=0.25"],
                                ["/non-blocking", "/non-blocking?delay=0.25", "/non-blocking?delay=0.25"],
                                ["/offload?work=cpu", "/offload?delay=0.25&work=cpu", "/offload?delay=0.25"]])
        v = b.evaluate(f"{L}.verdict({{'/blocking?work=cpu': {{wall: 1.5}}, '/non-blocking': {{wall: 0.3}}}})")
        self.assertEqual(v["text"], "/blocking?work=cpu was 5.0x slower than /non-blocking")
        p = b.evaluate(f"""{L}.lagPoint({{uptime_seconds: 12.5, stall_threshold_seconds: 0.1, loops: [
            {{thread: 'loop-0', lag_seconds: 0.0002, stall_endpoint: null, busy_seconds: 0.01}},
            {{thread: 'loop-1', lag_seconds: 0.9, stall_endpoint: '/blocking', busy_seconds: 0.02}}]}})""")
        self.assertEqual(p, {"t": 12.5, "lag": 0.9, "endpoint": "/blocking", "thread": "loop-1", "stall": True})
        # A loop stuck longer than the threshold counts before its late tick reports the stall.
        p = b.evaluate(f"""{L}.lagPoint({{uptime_seconds: 3, stall_threshold_seconds: 0.1, loops: [
            {{thread: 'loop-0', lag_seconds: 0.0002, stall_endpoint: null, busy_seconds: 1.5}}]}})""")
        self.assertEqual((p["lag"], p["stall"], p["endpoint"]), (1.5, True, None))
        kept = b.evaluate(f"{L}.pushPoint([{{t: 1}}, {{t: 30}}, {{t: 61}}], {{t: 62}}, 60)")
        self.assertEqual(kept, [{"t": 30}, {"t": 61}, {"t": 62}])
        # A stall seen in progress (not blamed yet) is blamed when that loop's late tick names the endpoint;
        # an earlier, separate one (a point between) and another loop's are left alone.
        blamed = b.evaluate(f"""{L}.pushPoint([
            {{t: 1, lag: 0.5, stall: true, endpoint: null, thread: 'loop-0'}},
            {{t: 2, lag: 0, stall: false, endpoint: null, thread: null}},
            {{t: 3, lag: 0.4, stall: true, endpoint: null, thread: 'loop-1'}},
            {{t: 4, lag: 0.9, stall: true, endpoint: null, thread: 'loop-0'}}],
            {{t: 5, lag: 0.3, stall: true, endpoint: '/blocking', thread: 'loop-0'}}, 60)
            .map(function (p) {{ return p.endpoint; }})""")
        self.assertEqual(blamed, [None, None, None, "/blocking", "/blocking"])
        self.assertEqual(b.evaluate(f"{L}.lagSummary([{{lag: 0.9, endpoint: '/blocking', stall: true}}, "
                                    "{lag: 0.001, endpoint: null, stall: false}], 0.1)"),
                         "Loop lag, last minute: worst 0.900 s (a stall, caused by /blocking); "
                         "1 second with a stall over 0.100 s.")

        T = "AsyncdemoText"
        forms = b.evaluate(f"[1, 2, 5, 11, 21, 22, 25, 104, 111].map(function (n) {{"
                           f" return {T}.t('uk', 'n_requests', {{n: n}}); }})")
        self.assertEqual(forms, ["1 запит", "2 запити", "5 запитів", "11 запитів", "21 запит", "22 запити", "25 запитів",
                                 "104 запити", "111 запитів"])
        self.assertEqual(b.evaluate(f"[1, 2].map(function (n) {{ return {T}.t('en', 'n_requests', {{n: n}}); }})"),
                         ["1 request", "2 requests"])
        self.assertEqual(b.evaluate(f"[{T}.t('uk', 'n_seconds', {{n: 1}}), {T}.t('uk', 'n_seconds', {{n: 3}}), "
                                    f"{T}.t('uk', 'n_seconds', {{n: 0}})]"), ["1 секунда", "3 секунди", "0 секунд"])
        self.assertEqual(b.evaluate(f"{L}.verdict({{'/blocking': {{wall: 1.5}}, '/non-blocking': {{wall: 0.3}}}}, 'uk').text"),
                         "/blocking повільніший за /non-blocking у 5.0 разів")
        self.assertEqual(b.evaluate(f"{L}.lagSummary([{{lag: 0.9, endpoint: '/blocking', stall: true}}, "
                                    "{lag: 1.25, endpoint: null, stall: true}], 0.1, 'uk')"),
                         "Відставання циклу за останню хвилину: найбільше 1.25 с (зависання); "
                         "2 секунди із зависанням понад 0.100 с.")
        # A language the page does not speak is English; a text's {name} not given stays for an element.
        self.assertEqual(b.evaluate(f"{T}.t('fr', 'seconds', {{s: '0.5'}})"), "0.5 s")
        self.assertEqual(b.evaluate(f"{T}.t('uk', 'live_connecting')"), "Під'єднання до {link}.")
        self.assertEqual(b.evaluate(f"[{T}.choose(['uk-UA', 'en']), {T}.choose(['de', 'UK']), {T}.choose(['ru', 'de']), "
                                    f"{T}.choose([])]"), ["uk", "uk", "en", "en"])
        self.assertNoErrors()

    def test_more_requests_than_connections(self):
        """8 requests with room for 5 on the wire: the last 3 wait in the browser, and are drawn so."""
        d = self.start_daemon()
        b = self.browser
        b.navigate(d.url("/?run=1&delay=0.3&count=8&endpoints=/non-blocking"))
        b.wait_for("window.asyncdemo && window.asyncdemo.done", timeout=20, message="the lesson's end")
        (run,) = b.evaluate(RUNS_JS)
        laid = run["laid"]
        self.assertTrue(all(o["ok"] for o in laid), laid)
        held = sorted(o["held"] for o in laid)
        self.assertTrue(all(h < 0.05 for h in held[:5]), held)
        self.assertTrue(all(abs(h - DELAY) < 0.15 for h in held[5:]), held)
        # Not a staircase in the server: every request was served as soon as it arrived.
        self.assertTrue(all(o["queued"] < 0.1 for o in laid), laid)
        note = b.evaluate("document.getElementById('limit-note').textContent")
        self.assertIn("3 wait inside the browser", note)
        # The way past the limit: the daemon's TLS listener, where the browser speaks h2.
        self.assertIn("Over HTTPS the daemon speaks HTTP/2", note)
        self.assertIn("waited in the browser", b.evaluate("document.querySelector('.run-total').textContent"))
        self.assertNoErrors()

    def test_page_over_https_h2(self):
        """A TLS listener (a certificate the test made): the browser takes the page over h2, so the page sets
        no connection limit and says so, and all 10 requests are on the wire at once: the /non-blocking
        ones all overlap in the server and none is held in the browser, while /blocking's 10 still form a
        staircase, queued in the server."""
        tmp = tempfile.mkdtemp(prefix="ad-page-tls-")
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        cert, key = harness.make_tls_cert(tmp, "asyncdemo-page")
        d = self.start_daemon("--tls-cert", cert, "--tls-key", key, listen=("127.0.0.1:0", "127.0.0.1:0"))
        b = self.browser
        b.navigate(f"https://127.0.0.1:{d.addresses[1][1]}/?run=1&delay={H2_DELAY}&count={H2_COUNT}"
                   "&endpoints=/blocking,/non-blocking")
        b.wait_for("window.asyncdemo && window.asyncdemo.done", timeout=20, message="the lesson's end")
        # The page and every request of the lesson came over h2.
        self.assertEqual(b.evaluate("performance.getEntriesByType('navigation')[0].nextHopProtocol"), "h2")
        lesson = b.evaluate("performance.getEntriesByType('resource').filter(function (e) {"
                            " return /\\/(non-)?blocking\\?/.test(e.name); }).map(function (e) { return e.nextHopProtocol; })")
        self.assertEqual(lesson, ["h2"] * 2 * H2_COUNT)
        self.assertEqual(b.evaluate("isFinite(window.asyncdemo.limit)"), False)
        note = self.text("#limit-note")
        self.assertIn("This page came over h2: all requests share one connection", note)
        self.assertNotIn("HTTP/1.1", note)
        self.assertFalse(b.evaluate("document.getElementById('limit-note').classList.contains('warn')"))

        runs = self.finishedRuns(["/blocking", "/non-blocking"], H2_COUNT)
        for ep, r in runs.items():
            self.assertTrue(all(o["held"] < 0.001 for o in r["laid"]), ("held in the browser", ep, r["laid"]))
        nb = runs["/non-blocking"]["answers"]
        starts = [a["started_monotonic_seconds"] for a in nb]
        self.assertLess(max(starts) - min(starts), OVERLAP_SPREAD, nb)
        self.assertLess(max(starts), min(a["finished_monotonic_seconds"] for a in nb),
                        ("the 10 /non-blocking answers do not overlap", nb))
        self.assertTrue(all(o["queued"] < 0.1 for o in runs["/non-blocking"]["laid"]), runs["/non-blocking"]["laid"])
        self.assertStaircase(runs["/blocking"]["answers"])
        self.assertStaircaseDrawn(runs["/blocking"], H2_DELAY)
        self.assertNotIn("waited in the browser", self.text(".run-total"))
        self.assertGreaterEqual(d.stats()["connections"]["protocols"]["h2"], 1)
        self.assertNoErrors()

    def test_keyboard_and_patterns(self):
        """The lesson runs from the keyboard alone, work=cpu chosen on the way (Space); /non-blocking, which has
        no such form, is sent without it and its run says so. Queued and served differ by pattern, not colour
        only."""
        b = self.open_page("?delay=0.2&count=2&endpoints=/non-blocking")
        for _ in range(20):  # Tab through the form to the work=cpu checkbox, Space, on to the Run button
            if b.evaluate("document.activeElement.id") == "work":
                break
            b.press("Tab")
        self.assertEqual(b.evaluate("document.activeElement.id"), "work")
        b.press("Space")
        self.assertTrue(b.evaluate("document.getElementById('work').checked"))
        b.press("Tab")
        self.assertEqual(b.evaluate("document.activeElement.id"), "run")
        b.press("Enter")
        b.wait_for("window.asyncdemo.done", timeout=15, message="the lesson started by Enter")
        (run,) = b.evaluate(RUNS_JS)
        self.assertEqual(run["ep"], "/non-blocking")
        self.assertTrue(all(o["ok"] for o in run["laid"]), run)  # a 400 (work=cpu sent here) would fail the rows
        sent = b.evaluate("performance.getEntriesByType('resource').map(function (e) { return e.name; })"
                          ".filter(function (n) { return n.indexOf('/non-blocking?') >= 0; })")
        self.assertEqual([n[n.index("/non-blocking"):] for n in sent], ["/non-blocking?delay=0.2"] * 2)
        self.assertEqual(self.text(".run-note"), "Sent without work=cpu: /non-blocking waits on a timer, which does no "
                         "work (the daemon refuses that form with 400).")
        self.assertEqual(self.text(".run h3"), "/non-blocking")
        # The note follows the language switch, its <code>s kept.
        b.evaluate("document.querySelector('#lang-switch button[data-lang=uk]').click()")
        self.assertEqual(self.text(".run-note"), "Надіслано без work=cpu: /non-blocking чекає на таймері, який роботи не "
                         "виконує (цю форму демон відхиляє з кодом 400).")
        self.assertEqual(b.evaluate("document.querySelectorAll('.run-note code').length"), 2)
        pattern = "getComputedStyle(document.querySelector('.legend .seg-{}')).backgroundImage"
        self.assertEqual(b.evaluate(pattern.format("served")), "none")  # solid
        self.assertIn("repeating-linear-gradient", b.evaluate(pattern.format("queued")))  # stripes
        self.assertIn("radial-gradient", b.evaluate(pattern.format("held")))  # dots
        self.assertNoErrors()

    def test_lesson_burning_cpu(self):
        """/?run=1&delay=0.2&work=cpu&endpoints=/blocking,/offload: the page sends work=cpu with both, the daemon
        burns the CPU for each delay (the loop's CPU time in /stats for /blocking, the workers' for /offload),
        /blocking's rows still form a staircase and /offload's overlap (5 requests, 8 workers by default),
        and the runs, the totals and the verdict name the form that ran."""
        d = self.start_daemon()
        b = self.browser
        b.navigate(d.url(f"/?run=1&delay={CPU_DELAY}&work=cpu&endpoints=/blocking,/offload"))
        b.wait_for("window.asyncdemo && window.asyncdemo.done", timeout=20, message="the lesson's end")
        self.assertTrue(b.evaluate("document.getElementById('work').checked"))
        runs = self.finishedRuns(["/blocking", "/offload"], COUNT)
        # Every request of the lesson carried work=cpu (the answers do not repeat the query).
        sent = b.evaluate("performance.getEntriesByType('resource').map(function (e) { return e.name; })"
                          ".filter(function (n) { return /\\/(blocking|offload)\\?/.test(n); })")
        self.assertEqual(sorted(re.sub(r"^https?://[^/]+", "", n) for n in sent),
                         [f"/blocking?delay={CPU_DELAY}&work=cpu"] * COUNT + [f"/offload?delay={CPU_DELAY}&work=cpu"] * COUNT)

        self.assertStaircase(runs["/blocking"]["answers"])
        self.assertStaircaseDrawn(runs["/blocking"], CPU_DELAY)
        off = runs["/offload"]["answers"]
        self.assertLess(max(a["started_monotonic_seconds"] for a in off), min(a["finished_monotonic_seconds"] for a in off),
                        ("the /offload answers do not overlap", off))
        self.assertTrue(all(o["queued"] < 0.1 for o in runs["/offload"]["laid"]), runs["/offload"]["laid"])

        self.assertEqual(b.evaluate("Array.prototype.map.call(document.querySelectorAll('.run h3'),"
                                    " function (h) { return h.textContent; })"), ["/blocking?work=cpu", "/offload?work=cpu"])
        self.assertRegex(self.text(".run-total"), rf"^/blocking\?work=cpu: all 5 answered after {NUM} s$")
        self.assertEqual(b.evaluate("window.asyncdemo.verdict.slow"), "/blocking?work=cpu")
        self.assertRegex(self.text("#verdict"), rf"^/blocking\?work=cpu was {NUM}x slower than /offload\?work=cpu\.$")
        self.assertEqual(b.evaluate("document.querySelectorAll('.run-note').length"), 0)  # both have the form

        # The daemon burned the CPU: the loop for /blocking (cpu_seconds is as of the loop's last probe tick,
        # and it has ticked every 50 ms through /offload's run since), the workers for /offload.
        s = d.stats()
        self.assertGreater(s["loop"]["cpu_seconds"], CPU_SHARE * COUNT * CPU_DELAY, s["loop"])
        self.assertGreater(harness.threads_cpu(d.pid, "worker-"), CPU_SHARE * min(COUNT, os.cpu_count()) * CPU_DELAY)
        self.assertNoErrors()

    def text(self, selector):
        return self.browser.evaluate(f"document.querySelector({selector!r}).textContent")

    def test_lesson_in_ukrainian(self):
        """The browser's language is Ukrainian: the page speaks it (<html lang>, every text and aria-label, the
        plural forms, numbers with a decimal point), and the lesson runs and draws its staircase. The switch,
        pressed from the keyboard, brings English back, and a reload keeps it though the browser still
        prefers Ukrainian (localStorage)."""
        d = self.start_daemon()
        b = self.browser
        b.set_language("uk")
        self.addCleanup(b.set_language, None)  # after tearDown left the page
        b.navigate(d.url(f"/?run=1&delay={UK_DELAY}&endpoints=/blocking,/non-blocking"))
        b.wait_for("window.asyncdemo && window.asyncdemo.done", timeout=20, message="the lesson's end")
        b.wait_for("window.asyncdemo.messages > 0", timeout=5, message="an /events message")
        self.assertEqual(b.evaluate("[document.documentElement.lang, navigator.languages]"), ["uk", ["uk"]])
        self.assertEqual(self.text("h1"), "Чого коштує блокування циклу подій")
        self.assertEqual(b.evaluate("document.title"), "asyncdemo: Чого коштує блокування циклу подій")

        runs = {r["ep"]: r for r in b.evaluate(RUNS_JS)}
        self.assertEqual(list(runs), ["/blocking", "/non-blocking"])
        self.assertStaircaseDrawn(runs["/blocking"], UK_DELAY)
        for t in runs["/blocking"]["texts"]:
            self.assertRegex(t, rf"^у черзі {NUM} с · обслуговано {NUM} с$")
        self.assertRegex(self.text(".run-total"), rf"^/blocking: усі 5 запитів отримали відповіді за {NUM} с$")
        self.assertRegex(self.text("#verdict"), rf"^/blocking повільніший за /non-blocking у {NUM} разів\.$")
        self.assertRegex(self.text("#status"), rf"^Готово: /blocking {NUM} с, /non-blocking {NUM} с\.$")
        self.assertRegex(b.evaluate("document.querySelector('#runs .row').getAttribute('aria-label')"),
                         rf"^Запит \d: у черзі {NUM} с, обслуговано {NUM} с, у циклі loop-0$")
        self.assertRegex(self.text("#settings"),
                         r"^· 1 цикл подій · 8 потоків /offload · затримки до 30 с · поріг зависання 0\.100 с · pid \d+$")
        self.assertIn("щонайбільше 6 з'єднань, і одне з них тримає жива панель: одночасно в мережі щонайбільше 5 запитів.",
                      self.text("#limit-note"))
        self.assertIn("Через HTTPS демон підтримує HTTP/2", self.text("#limit-note"))
        self.assertRegex(self.text("#live-state"), r"^Наживо з /events, щосекунди \(1 цикл подій, працює \d+ с\)\.$")
        self.assertRegex(self.text("#lag-desc"), rf"^Відставання циклу за останню хвилину: найбільше {NUM} с")
        self.assertEqual(self.text("#pool-busy"), "0 з 8")
        # The number fields keep the decimal point too (Firefox shows a field's number in its language).
        self.assertEqual(b.evaluate("[document.getElementById('delay').value, document.getElementById('delay').lang]"),
                         [str(UK_DELAY), "en"])
        words = b.evaluate(PAGE_WORDS_JS)
        rest = re.sub(r"\S*/\S*|loop-\d+", " ", words)  # paths, HTTP/1.1, loop names
        self.assertEqual(sorted(set(re.findall(r"[A-Za-z]{2,}", rest)) - UK_LATIN_OK), [], words)
        b.screenshot(os.path.join(os.environ.get("AD_ARTIFACT_DIR", "."), f"ui-lesson-{b.name}-uk.png"))

        # The switch, from the keyboard: the first thing Tab reaches.
        for _ in range(5):
            if b.evaluate("document.activeElement.getAttribute('data-lang')") == "en":
                break
            b.press("Tab")
        self.assertEqual(b.evaluate("[document.activeElement.textContent, document.activeElement.getAttribute('aria-pressed')]"),
                         ["EN", "false"])
        b.press("Enter")
        self.assertEqual(b.evaluate("[document.documentElement.lang, localStorage.getItem('asyncdemo.lang'), "
                                    "document.activeElement.getAttribute('aria-pressed')]"), ["en", "en", "true"])
        self.assertEqual(self.text("h1"), "What blocking an event loop costs")
        self.assertRegex(self.text("#verdict"), rf"^/blocking was {NUM}x slower than /non-blocking\.$")
        self.assertRegex(self.text(".run-total"), rf"^/blocking: all 5 answered after {NUM} s$")
        self.assertRegex(self.text("#runs .row-text"), rf"^queued {NUM} s · served {NUM} s$")
        self.assertIn("· 1 event loop · 8 offload workers ·", self.text("#settings"))
        self.assertIn("at most 5 requests are on the wire", self.text("#limit-note"))
        self.assertTrue(self.text("#lag-desc").startswith("Loop lag, last minute: worst"))
        self.assertNotRegex(b.evaluate(PAGE_WORDS_JS), "[А-Яа-яІіЇїЄєҐґ]")

        self.assertNoErrors()

        b.navigate(d.url("/"))  # the browser still says Ukrainian; the switch's choice wins
        b.wait_for("window.asyncdemo && window.asyncdemo.info", timeout=15)
        self.assertEqual(b.evaluate("[document.documentElement.lang, navigator.languages[0]]"), ["en", "uk"])
        self.assertEqual(self.text("#lesson-h"), "The lesson")
        self.assertEqual(self.text("#run"), "Run the lesson")
        # Leaving the first page ended its /events stream, which Firefox reports as aborted: nothing else.
        self.assertEqual([e for e in b.errors if not re.fullmatch(r"NS_BINDING_ABORTED http://\S+/events", e[1])], [])
        self.assertEqual(b.csp_violations(), [])

    def test_page_under_several_threads(self):
        """--threads 2: /blocking stalls only the loop a connection landed on, so each loop's rows form a
        staircase of their own; the page draws them one loop after the other and each row names its loop."""
        d = self.start_daemon("--threads", 2)
        b = self.browser
        b.navigate(d.url(f"/?run=1&delay={THREADS_DELAY}&count={THREADS_COUNT}"))
        b.wait_for("window.asyncdemo && window.asyncdemo.done", timeout=20, message="the lesson's end")
        b.wait_for("window.asyncdemo.last && window.asyncdemo.last.loops.length === 2", timeout=5)
        runs = {r["ep"]: r for r in b.evaluate(RUNS_JS)}
        self.assertEqual(list(runs), ["/blocking", "/non-blocking", "/offload"])
        for ep, r in runs.items():
            self.assertTrue(all(o["ok"] for o in r["laid"]), r)
            loops = [re.search(r"on (loop-\d+)$", t) for t in r["texts"]]
            self.assertTrue(all(loops), (ep, r["texts"]))
            loops = [m.group(1) for m in loops]
            self.assertEqual(sorted(loops), sorted(a["thread"] for a in r["answers"]), (ep, r["texts"]))
            self.assertEqual(loops, sorted(loops), ("rows not drawn one loop after the other", ep, r["texts"]))
        blocking = runs["/blocking"]["answers"]
        for loop in {a["thread"] for a in blocking}:
            self.assertStaircase([a for a in blocking if a["thread"] == loop])
        self.assertIn("2 event loops", b.evaluate("document.getElementById('settings').textContent"))
        self.assertNoErrors()
