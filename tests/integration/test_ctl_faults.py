"""asyncdemoctl under faults (issue 6, "The ctl under faults"): a name that does not resolve, a target
that goes down mid-run, an HTTP 500 storm and a mix of 200s and 500s, answers far larger than expected
(50 MB, an endless chunked body), a reset in the middle of a body, a server that accepts and never
answers, heads no server should send, a /stats that is not JSON or not the daemon's, SIGINT while
everything hangs, and compare's children dying. For bench (both engines, chosen by --engine or
$ASYNCDEMOCTL_ENGINE), compare (every mode), stats, stats --watch and demo: a clear message, partial
results kept (text and --json), the documented exit status, bounded time and bounded memory. Faults the real daemon cannot make are made by
FaultServer, a small threaded HTTP/1.1 server on a free loopback port.

The cases test_ctl_errors, test_ctl_http and test_ctl_compare already cover (nothing listening at all,
resets and truncation before or at the end of a head, 503s, one child killed) are not repeated here."""

import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time

import fake_server
import harness

EXIT_OK, EXIT_FAILURE, EXIT_UNAVAILABLE, EXIT_INTERRUPTED = 0, 1, 2, 130
ENGINES = ("h2o", "curl")
MODES = ("sequential", "async", "threads", "processes")
BODY = b'{"endpoint":"/x","waited_seconds":0.01,"sequence":3}'
BIG = 50 * 1024 * 1024  # bytes of /big's body
BLOCK = b"x" * 65536
# The ctl's memory must not grow with the size of an answer: its peak RSS with a 50 MB (or endless)
# body stays within this much of its peak with a small one.
RSS_SLACK_KB = 16 * 1024


def stats_document():
    """A /stats document as asyncdemod writes it, taken from a real daemon (so the view accepts it)."""
    with harness.Daemon() as d:
        d.get("/non-blocking?delay=0")
        return d.get("/stats").body


class FaultServer(fake_server.FakeServer):
    """What it answers depends on the request's path (answer())."""

    def __init__(self, default="/notfound", stats=b"{}", max_open=None):
        self.default = default
        self.stats = stats
        self.counts = {}
        super().__init__(max_open)

    def count(self, path):
        """How many requests to path were served before this one (per path, across connections)."""
        with self.lock:
            n = self.counts.get(path, 0)
            self.counts[path] = n + 1
            return n

    def wait_count(self, path, n, since=0):
        """Waits until n more requests to path than since have arrived."""
        harness.wait_until(lambda: self.counts.get(path, 0) >= since + n, 10, message=f"{n} requests to {path}")

    def send_simple(self, conn, status, body, ctype="application/json"):
        conn.sendall(b"HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (status, ctype.encode(),
                                                                                          len(body)) + body)
        return True

    def answer(self, conn, path, served=0):
        """Answers one request on conn; returns False when the connection must end."""
        if path not in ("/ok", "/slow", "/e500", "/mix", "/big", "/endless", "/reset-mid", "/hang", "/big-head",
                        "/many-headers", "/bad-length") and not path.startswith("/stats"):
            path = self.default
        if path == "/ok":
            return self.send_simple(conn, b"200 OK", BODY)
        if path == "/slow":
            time.sleep(1.0)
            return self.send_simple(conn, b"200 OK", BODY)
        if path == "/e500":
            return self.send_simple(conn, b"500 Internal Server Error", b'{"error":"boom"}')
        if path == "/mix":  # every other answer a 500, whatever the order of arrival
            if self.count(path) % 2 == 0:
                return self.send_simple(conn, b"200 OK", BODY)
            return self.send_simple(conn, b"500 Internal Server Error", b'{"error":"boom"}')
        if path == "/big":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % BIG)
            for _ in range(BIG // len(BLOCK)):
                conn.sendall(BLOCK)
            return True
        if path == "/endless":  # chunked, never ends: until the client goes away
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b"%x\r\n" % len(BLOCK) + BLOCK + b"\r\n"
            while not self.stopping:
                conn.sendall(chunk)
            return False
        if path == "/reset-mid":  # a head promising 1000 bytes, 100 of them, then a reset (RST)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"y" * 100)
            time.sleep(0.05)  # let the head and the first bytes arrive before the reset
            self.reset_on_close(conn)
            return False
        if path == "/big-head":  # a 1 MB header line
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"h" * (1024 * 1024) + b"\r\nContent-Length: %d\r\n\r\n" %
                         len(BODY) + BODY)
            return True
        if path == "/many-headers":  # 1,000 small headers (14 KB)
            conn.sendall(b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(1000)) +
                         b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY)
            return True
        if path == "/bad-length":  # a length no body can have; the connection stays open
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n" + BODY)
            return True
        if path == "/hang":  # accepts, reads the request, never answers; ends when the client does
            self.count(path)
            conn.settimeout(None)
            while conn.recv(65536):
                pass
            return False
        return self.stats_answer(conn, path)

    def stats_answer(self, conn, path):
        if path == "/stats":
            return self.send_simple(conn, b"200 OK", self.stats)
        if path == "/stats-html":
            return self.send_simple(conn, b"200 OK", b"<!DOCTYPE html><html><body>It works!</body></html>\n",
                                    "text/html")
        if path == "/stats-truncated":
            return self.send_simple(conn, b"200 OK", self.stats[:len(self.stats) // 2])
        if path == "/stats-shape":
            return self.send_simple(conn, b"200 OK", b'{"pid": "one", "endpoints": [1, 2]}')
        if path == "/stats-array":
            return self.send_simple(conn, b"200 OK", b"[1, 2, 3]")
        if path == "/stats-500":
            return self.send_simple(conn, b"500 Internal Server Error", b'{"error":"boom"}')
        if path == "/stats-big":
            return self.answer(conn, "/endless")
        if path == "/stats-flaky":  # good, HTML, never answered, good, HTML, ...
            turn = self.count(path) % 3
            if turn == 0:
                return self.send_simple(conn, b"200 OK", self.stats)
            if turn == 1:
                return self.stats_answer(conn, "/stats-html")
            return self.answer(conn, "/hang")
        if path == "/notfound":
            return self.send_simple(conn, b"404 Not Found", b"")
        return self.answer(conn, self.default)


GNU_TIME = "/usr/bin/time"  # its %M is the peak RSS of the command alone (wait4 of a clean fork)


def peak_rss_poller(pid, box):
    """Fallback without GNU time: VmHWM (the peak RSS) of pid, read until it exits."""
    while True:
        try:
            value = harness.proc_status(pid, "VmHWM")
        except (FileNotFoundError, ProcessLookupError):
            return
        if value:
            box["rss"] = int(value.split()[0])
        time.sleep(0.005)


def run_ctl(*args, timeout=60.0, engine=None):
    """Runs asyncdemoctl to completion (killed past timeout: the test fails). Returns (CompletedProcess,
    seconds taken, peak RSS in kB). The peak comes from GNU time when installed (a wait4 on the ctl in
    this process would also count this Python's own RSS, which a fork-and-exec inherits as its peak),
    else from polling /proc/PID/status."""
    # Under AddressSanitizer freed memory is held in a quarantine (256 MB by default) that would count as
    # RSS; a small one keeps the peak meaningful. Other builds ignore the variable.
    asan = os.environ.get("ASAN_OPTIONS", "")
    env = harness.clean_env({"ASYNCDEMOCTL_ENGINE": engine,
                             "ASAN_OPTIONS": (asan + ":" if asan else "") + "quarantine_size_mb=4"})
    argv = [harness.ctl_path(), *map(str, args)]
    box = {}
    with tempfile.NamedTemporaryFile("r") as rss_file:
        use_time = os.access(GNU_TIME, os.X_OK)
        full = [GNU_TIME, "-q", "-f", "%M", "-o", rss_file.name, *argv] if use_time else argv
        t0 = time.monotonic()
        proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=env, start_new_session=True)
        if not use_time:
            threading.Thread(target=peak_rss_poller, args=(proc.pid, box), daemon=True).start()
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise AssertionError(f"asyncdemoctl {args} did not finish within {timeout} s (killed)")
        took = time.monotonic() - t0
        if use_time:
            lines = rss_file.read().split()
            box["rss"] = int(lines[-1]) if lines else None
    res = subprocess.CompletedProcess(argv, proc.returncode, out.decode(errors="replace"),
                                      err.decode(errors="replace"))
    if harness.has_sanitizer_report(res.stderr):
        raise AssertionError(f"sanitizer report from asyncdemoctl {args}:\n{res.stderr}")
    return res, took, box.get("rss")



def alive(pid):
    """Whether pid exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


class FaultTestCase(harness.DaemonTestCase):
    """One FaultServer for the class; helpers that run the ctl and check what every fault must give."""

    server_default = "/notfound"

    @classmethod
    def setUpClass(cls):
        cls.server = FaultServer(default=cls.server_default, stats=getattr(cls, "stats_doc", b"{}"))

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def url(self, path):
        return self.server.base + path

    def bench_json(self, path, engine, n=4, c=2, extra=(), timeout=60.0, expect=EXIT_FAILURE):
        """bench --json of path with engine; checks the exit status and that every request is accounted."""
        proc, took, rss = run_ctl("bench", "--url", self.server.base, "--endpoint", path, "-n", n, "-c", c,
                                  "--json", *extra, engine=engine, timeout=timeout)
        self.assertEqual(proc.returncode, expect, (engine, proc.stderr))
        run = json.loads(proc.stdout)["runs"][0]
        self.assertEqual((run["sent"], run["completed"]), (n, n), (engine, run))
        self.assertEqual(run["ok"] + sum(run["errors"].values()), n, (engine, run["errors"]))
        self.assertEqual(len(run["requests"]), min(n, 1000), "per-request records: the first 1000")
        return run, took, rss

    def compare_json(self, path, mode, n=2, extra=(), timeout=60.0, expect=EXIT_FAILURE):
        proc, took, rss = run_ctl("compare", self.url(path), "-n", n, "--modes", mode, "--json", *extra,
                                  timeout=timeout)
        self.assertEqual(proc.returncode, expect, (mode, proc.stderr))
        run = json.loads(proc.stdout)["runs"][0]
        self.assertEqual(run["name"], mode)
        self.assertEqual((run["sent"], run["completed"]), (n, n), (mode, run))
        self.assertEqual(run["ok"] + sum(run["errors"].values()), n, (mode, run["errors"]))
        return run, took, rss

    def for_engines(self, check):
        for engine in ENGINES:
            with self.subTest(engine=engine):
                check(engine)

    def for_modes(self, check):
        for mode in MODES:
            with self.subTest(mode=mode):
                check(mode)

    def assert_one_line(self, proc, *fragments):
        """A failure told in exactly one line on stderr that names each fragment."""
        lines = proc.stderr.splitlines()
        self.assertEqual(len(lines), 1, proc.stderr)
        for fragment in fragments:
            self.assertIn(fragment, lines[0])

    def assert_stats_fails(self, path, reason, *extra, within=None):
        """stats of path (and extra options): exit 1, one line naming path and reason, nothing on stdout,
        and done within that many seconds when given."""
        proc, took, _ = run_ctl("stats", self.url(path), *extra, timeout=30.0)
        self.assertEqual(proc.returncode, EXIT_FAILURE, proc.stderr)
        self.assert_one_line(proc, path, reason)
        self.assertEqual(proc.stdout, "")
        if within is not None:
            self.assertLess(took, within)


class UnresolvableNameTest(harness.DaemonTestCase):
    """A name that cannot resolve (.invalid never does, RFC 6761): exit 2, one line naming the host,
    nothing on stdout, and no hang, for every subcommand and both engines."""

    URL = "http://nonexistent.invalid:8000"

    def assert_unresolvable(self, *args, engine=None):
        proc, took, _ = run_ctl(*args, engine=engine, timeout=30.0)
        self.assertEqual(proc.returncode, EXIT_UNAVAILABLE, (args, proc.stderr))
        self.assertEqual(proc.stdout, "", args)
        lines = proc.stderr.splitlines()
        self.assertEqual(len(lines), 1, (args, proc.stderr))
        self.assertIn("nonexistent.invalid:8000", lines[0])
        self.assertRegex(lines[0], r"(?i)resolve", "the line says why")
        self.assertNotIn("is asyncdemod running", lines[0], "no loopback hint for a remote name")
        self.assertLess(took, 20.0, args)

    def test_bench(self):
        for engine in ENGINES:
            with self.subTest(engine=engine):
                self.assert_unresolvable("bench", "--url", self.URL, "-n", 2, engine=engine)
                self.assert_unresolvable("bench", "--url", self.URL, "-n", 2, "--json", engine=engine)

    def test_compare(self):
        self.assert_unresolvable("compare", self.URL + "/delay/1", "-n", 2)
        self.assert_unresolvable("compare", self.URL + "/delay/1", "-n", 2, "--modes", "processes", "--json")

    def test_stats(self):
        self.assert_unresolvable("stats", "--url", self.URL)
        self.assert_unresolvable("stats", "--url", self.URL, "--json")
        self.assert_unresolvable("stats", "--url", self.URL, "--watch", "--interval", "0.1")

    def test_demo(self):
        self.assert_unresolvable("demo", "--url", self.URL, "-n", 2)


class TargetGoesDownTest(harness.DaemonTestCase):
    """The target stops listening between two runs (or two compare modes): the first run's answers are
    kept, every request of the next is refused and counted as a connect error, both are reported, exit 1.
    The server closes its listening socket once it has accepted the check's connection and the first
    run's (kept alive), so the refusals are certain, not a race."""

    def server(self, connections):
        s = FaultServer()
        s.accept_limit = 1 + connections  # the target check's connection, then the first run's
        self.addCleanup(s.close)
        return s

    def test_bench(self):
        def check(engine):
            s = self.server(2)
            proc, took, _ = run_ctl("bench", "--url", s.base, "--endpoint", "/ok", "--endpoint", "/ok?again",
                                    "-n", 4, "-c", 2, "--json", engine=engine, timeout=30.0)
            self.assertEqual(proc.returncode, EXIT_FAILURE, proc.stderr)
            first, second = json.loads(proc.stdout)["runs"]
            self.assertEqual((first["completed"], first["ok"]), (4, 4), first)
            self.assertEqual((second["completed"], second["ok"], second["errors"]["connect"]), (4, 0, 4), second)
            self.assertTrue(second["first_error"].startswith("connect: "), second["first_error"])
            self.assertLess(took, 15.0)
        for engine in ENGINES:
            with self.subTest(engine=engine):
                check(engine)

    def test_compare(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                # sequential makes its 2 requests on 1 connection, async on 2.
                first, conns = ("async", 2) if mode == "sequential" else ("sequential", 1)
                s = self.server(conns)
                proc, _, _ = run_ctl("compare", s.base + "/ok", "-n", 2, "--modes", f"{first},{mode}", "--json",
                                     timeout=30.0)
                self.assertEqual(proc.returncode, EXIT_FAILURE, proc.stderr)
                runs = json.loads(proc.stdout)["runs"]
                self.assertEqual(runs[0]["ok"], 2, runs[0])
                run = runs[1]
                self.assertEqual((run["completed"], run["ok"], run["errors"]["connect"]), (2, 0, 2), run)
                self.assertTrue(run["first_error"].startswith("connect: "), run["first_error"])

    def test_bench_text_report(self):
        s = self.server(1)
        proc, _, _ = run_ctl("bench", "--url", s.base, "--endpoint", "/ok", "--endpoint", "/ok?again", "-n", 3,
                             "-c", 1, "--no-timeline", timeout=30.0)
        self.assertEqual(proc.returncode, EXIT_FAILURE, proc.stderr)
        self.assertIn("3 requests in", proc.stdout)
        self.assertIn("3 ok, 0 errors", proc.stdout)
        self.assertIn("0 ok, 3 errors", proc.stdout)
        self.assertIn("connect x3", proc.stdout)
        self.assertIn("first error: connect: ", proc.stdout)


class ConnectionCapTest(harness.DaemonTestCase):
    """A server that serves 4 connections at once and leaves the others in its accept queue, as standalone
    h2o does past its max-connections. bench must close each connection it has no more requests for:
    kept idle, they would hold the server's 4 places while the queued connections' requests time out."""

    def test_bench(self):
        def check(engine, n, c):
            s = FaultServer(max_open=4)
            self.addCleanup(s.close)
            proc, took, _ = run_ctl("bench", "--url", s.base, "--endpoint", "/ok", "-n", n, "-c", c,
                                    "--timeout", "5s", "--json", engine=engine, timeout=30.0)
            self.assertEqual(proc.returncode, EXIT_OK, proc.stderr)
            run = json.loads(proc.stdout)["runs"][0]
            self.assertEqual((run["completed"], run["ok"]), (n, n), run["errors"])
            self.assertLess(took, 5.0)
        # libcurl must be told before a transfer whether to keep its connection, so the curl engine
        # guesses once fewer requests remain than connections; it is exact when all go out at once.
        for engine, n, c in (("h2o", 16, 16), ("h2o", 32, 8), ("curl", 16, 16)):
            with self.subTest(engine=engine, n=n, c=c):
                check(engine, n, c)


class StatusStormTest(FaultTestCase):
    """Every answer a 500, or every other one: each request counted (ok and status errors side by side,
    in the text report and the JSON document), statuses by code, exit 1."""

    def test_bench_storm(self):
        def check(engine):
            run, took, _ = self.bench_json("/e500", engine, n=2000, c=20)
            self.assertEqual((run["ok"], run["errors"]["status"]), (0, 2000), run["errors"])
            self.assertEqual(run["statuses"], {"500": 2000})
            self.assertEqual(run["first_error"], "status: HTTP 500: boom")
            self.assertEqual(run["latency"]["count"], 2000, "a 500 is an answer: it has a latency")
        self.for_engines(check)

    def test_bench_mixed_json(self):
        # One loop, two loops (results merged), and the open model (--rate).
        for extra in ((), ("--threads", "2"), ("--rate", "200")):
            with self.subTest(extra=extra):
                def check(engine):
                    with self.server.lock:
                        self.server.counts.pop("/mix", None)
                    run, _, _ = self.bench_json("/mix", engine, n=20, c=4, extra=extra)
                    self.assertEqual((run["ok"], run["errors"]["status"]), (10, 10), run["errors"])
                    self.assertEqual(run["statuses"], {"200": 10, "500": 10})
                    self.assertEqual(sorted(r["status"] for r in run["requests"]), [200] * 10 + [500] * 10)
                    self.assertEqual(sum(r["error"] == "status" for r in run["requests"]), 10)
                    self.assertEqual(run["first_error"], "status: HTTP 500: boom")
                self.for_engines(check)

    def test_bench_mixed_text(self):
        def check(engine):
            proc, _, _ = run_ctl("bench", "--url", self.server.base, "--endpoint", "/mix", "-n", 10, "-c", 2,
                                 "--no-timeline", engine=engine)
            self.assertEqual(proc.returncode, EXIT_FAILURE, proc.stderr)
            out = proc.stdout
            self.assertIn("10 requests", out)
            self.assertEqual(len(re.findall(r"(?m)^\s+#\d+ .*\b200\b", out)), 5, out)
            self.assertEqual(len(re.findall(r"(?m)^\s+#\d+ .*\b500\b", out)), 5, out)
            self.assertIn("first error: status: HTTP 500", out)
        self.for_engines(check)

    def test_bench_one_endpoint_of_two_fails(self):
        def check(engine):
            proc, _, _ = run_ctl("bench", "--url", self.server.base, "--endpoint", "/ok", "--endpoint", "/e500",
                                 "-n", 3, "--json", engine=engine)
            self.assertEqual(proc.returncode, EXIT_FAILURE, proc.stderr)
            runs = json.loads(proc.stdout)["runs"]
            self.assertEqual([(r["name"], r["ok"], r["errors"]["status"]) for r in runs],
                             [("/ok", 3, 0), ("/e500", 0, 3)])
        self.for_engines(check)

    def test_compare_storm(self):
        def check(mode):
            run, _, _ = self.compare_json("/e500", mode, n=3)
            self.assertEqual((run["ok"], run["errors"]["status"], run["statuses"]), (0, 3, {"500": 3}), run)
            self.assertEqual(run["first_error"], "status: HTTP 500: boom")
        self.for_modes(check)

    def test_compare_mixed_all_modes(self):
        # 4 requests per mode, answers alternate: whatever the order, each mode gets 2 of each.
        proc, _, _ = run_ctl("compare", self.url("/mix"), "-n", 4, "--json")
        self.assertEqual(proc.returncode, EXIT_FAILURE, proc.stderr)
        runs = json.loads(proc.stdout)["runs"]
        self.assertEqual([r["name"] for r in runs], list(MODES))
        for run in runs:
            self.assertEqual((run["completed"], run["ok"], run["errors"]["status"]), (4, 2, 2), run["name"])
            self.assertEqual(run["statuses"], {"200": 2, "500": 2}, run["name"])


class StormDemoTest(FaultTestCase):
    """demo against a server that answers 500 to everything: both parts run and report, exit 1."""

    server_default = "/e500"

    def test_demo(self):
        proc, took, _ = run_ctl("demo", "--url", self.server.base, "-n", 2, "--delay", "0.1", "--no-progress",
                                timeout=60.0)
        self.assertEqual(proc.returncode, EXIT_FAILURE, proc.stderr)
        self.assertIn("Part 1", proc.stdout)
        self.assertIn("Part 2", proc.stdout)
        self.assertGreaterEqual(proc.stdout.count("first error: status: HTTP 500"), 4 + 3, proc.stdout)


class LargeAnswerTest(FaultTestCase):
    """An answer far larger than expected - 50 MB, or a chunked body that never ends - is counted, not
    kept: the ctl's peak memory stays near what a small answer costs, and an endless one ends at the
    timeout."""

    def baseline_rss(self, args, engine=None):
        proc, _, rss = run_ctl(*args, engine=engine)
        self.assertEqual(proc.returncode, EXIT_OK, proc.stderr)
        return rss

    def assert_modest(self, rss, base, what):
        self.assertLess(rss - base, RSS_SLACK_KB, f"{what}: peak RSS {rss} kB against {base} kB for a small answer")

    def test_bench_50mb(self):
        def check(engine):
            base = self.baseline_rss(("bench", "--url", self.server.base, "--endpoint", "/ok", "-n", 2, "-c", 2),
                                     engine)
            run, _, rss = self.bench_json("/big", engine, n=2, c=2, expect=EXIT_OK)
            self.assertEqual(run["ok"], 2)
            self.assertEqual(run["bytes_received"], 2 * BIG)
            self.assert_modest(rss, base, engine)
        self.for_engines(check)

    def test_bench_endless(self):
        def check(engine):
            base = self.baseline_rss(("bench", "--url", self.server.base, "--endpoint", "/ok", "-n", 2, "-c", 2),
                                     engine)
            run, took, rss = self.bench_json("/endless", engine, n=2, c=2, extra=("--timeout", "1"), timeout=30.0)
            self.assertEqual(run["errors"]["timeout"], 2, run["errors"])
            self.assertGreater(run["bytes_received"], 0)
            self.assertLess(took, 10.0)
            self.assert_modest(rss, base, engine)
        self.for_engines(check)

    def test_compare_50mb(self):
        base = self.baseline_rss(("compare", self.url("/ok"), "-n", 2))

        def check(mode):
            run, _, rss = self.compare_json("/big", mode, n=2, expect=EXIT_OK)
            self.assertEqual(run["bytes_received"], 2 * BIG)
            self.assert_modest(rss, base, mode)
        self.for_modes(check)

    def test_compare_endless(self):
        base = self.baseline_rss(("compare", self.url("/ok"), "-n", 2))

        def check(mode):
            run, took, rss = self.compare_json("/endless", mode, n=2, extra=("--timeout", "1"), timeout=30.0)
            self.assertEqual(run["errors"]["timeout"], 2, run["errors"])
            self.assertLess(took, 10.0)
            self.assert_modest(rss, base, mode)
        self.for_modes(check)

    def test_stats_endless(self):
        # /stats is a few KB: a body past the ctl's bound is refused as soon as it passes it, not at the timeout.
        for extra in ((), ("--json",)):
            with self.subTest(extra=extra):
                self.assert_stats_fails("/stats-big", "larger than", "--timeout", "20", *extra, within=10.0)


class MalformedHeadTest(FaultTestCase):
    """Heads no server should send - a 1 MB header line, a negative Content-Length: a read error from
    both engines and every compare mode, quickly (not a timeout, not a hang, not "out of memory").
    1,000 headers are unusual but valid: answered."""

    PATHS = ("/big-head", "/bad-length")

    def test_many_headers_are_fine(self):
        self.for_engines(lambda engine: self.bench_json("/many-headers", engine, n=3, c=1, expect=EXIT_OK))
        self.for_modes(lambda mode: self.compare_json("/many-headers", mode, n=2, expect=EXIT_OK))

    def test_bench(self):
        for path in self.PATHS:
            with self.subTest(path=path):
                def check(engine):
                    run, took, _ = self.bench_json(path, engine, n=2, c=1, extra=("--timeout", "10"), timeout=30.0)
                    self.assertEqual(run["errors"]["read"], 2, (run["errors"], run["first_error"]))
                    self.assertLess(took, 5.0)
                self.for_engines(check)

    def test_compare(self):
        for path in self.PATHS:
            with self.subTest(path=path):
                def check(mode):
                    run, took, _ = self.compare_json(path, mode, n=2, extra=("--timeout", "10"), timeout=30.0)
                    self.assertEqual(run["errors"]["read"], 2, (run["errors"], run["first_error"]))
                    self.assertLess(took, 5.0)
                self.for_modes(check)


class InterruptTest(FaultTestCase):
    """SIGINT while every request waits on a server that never answers: the run stops at once, what
    was in flight is abandoned (sent, not completed), the report is printed, exit 130."""

    def interrupt(self, argv, hanging, engine=None):
        """Runs argv and sends SIGINT once the server holds `hanging` of its requests."""
        since = self.server.counts.get("/hang", 0)
        proc = subprocess.Popen([str(a) for a in argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=harness.clean_env({"ASYNCDEMOCTL_ENGINE": engine}))
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))
        self.server.wait_count("/hang", hanging, since)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        self.assertLess(time.monotonic() - t0, 3.0, "stopped at once")
        self.assertFalse(harness.has_sanitizer_report(err), err)
        self.assertEqual(proc.returncode, EXIT_INTERRUPTED, err)
        return proc, out

    def test_bench(self):
        def check(engine):
            _, out = self.interrupt([harness.ctl_path(), "bench", "--url", self.server.base, "--endpoint", "/hang",
                                     "-n", 3, "-c", 3, "--threads", 2, "--timeout", "60", "--json"], 3, engine=engine)
            doc = json.loads(out)
            run = doc["runs"][0]
            self.assertEqual((run["sent"], run["completed"], run["ok"]), (3, 0, 0), run)
            # The document says it was interrupted, and which engine ran on how many loops.
            self.assertTrue(doc["interrupted"])
            self.assertTrue(run["interrupted"])
            self.assertEqual((run["engine"], run["loops"]), (engine or "h2o", 2), run)
        self.for_engines(check)

    def test_bench_text(self):
        """The text report of an interrupted bench says so, in its run's header and at its end."""
        def check(engine):
            _, out = self.interrupt([harness.ctl_path(), "bench", "--url", self.server.base, "--endpoint", "/hang",
                                     "-n", 3, "-c", 3, "--threads", 1, "--timeout", "60"], 3, engine=engine)
            self.assertIn(f"(concurrency 3, engine {engine or 'h2o'}, 1 loop, 3 connections opened)\n"
                          "  interrupted: requests still in flight were abandoned\n", out)
            self.assertTrue(out.rstrip("\n").endswith("Interrupted (SIGINT/SIGTERM): this report covers only the "
                                                       "requests that finished before."), out)
        self.for_engines(check)

    def test_compare(self):
        def check(mode):
            sent = 1 if mode == "sequential" else 2  # one after the other: the second was never sent
            _, out = self.interrupt([harness.ctl_path(), "compare", self.url("/hang"), "-n", 2, "--modes", mode,
                                     "--timeout", "60", "--json"], sent)
            run = json.loads(out)["runs"][0]
            self.assertEqual((run["sent"], run["completed"], run["ok"]), (sent, 0, 0), run)
        self.for_modes(check)


class EngineFlagTest(FaultTestCase):
    """bench --engine picks the engine (seen in how each words a timeout); it wins over
    $ASYNCDEMOCTL_ENGINE, which still chooses when the flag is not given."""

    WORDING = {"curl": "Operation timed out", "h2o": "no complete answer within"}

    def first_error(self, *extra, env_engine=None):
        proc, _, _ = run_ctl("bench", "--url", self.server.base, "--endpoint", "/hang", "-n", 1, "--timeout", "0.3",
                             "--json", *extra, engine=env_engine, timeout=30.0)
        self.assertEqual(proc.returncode, EXIT_FAILURE, proc.stderr)
        return json.loads(proc.stdout)["runs"][0]["first_error"]

    def test_flag(self):
        for engine in ENGINES:
            with self.subTest(engine=engine):
                self.assertIn(self.WORDING[engine], self.first_error("--engine", engine))
                other = "h2o" if engine == "curl" else "curl"
                self.assertIn(self.WORDING[engine], self.first_error(f"--engine={engine}", env_engine=other))
                self.assertIn(self.WORDING[engine], self.first_error(env_engine=engine))
        self.assertIn(self.WORDING["curl"], self.first_error("--engine", "curl", env_engine="turbo"))
        self.assertIn(self.WORDING["h2o"], self.first_error("--engine", "auto", env_engine="curl"))

    def test_refused(self):
        proc, _, _ = run_ctl("bench", "--url", self.server.base, "--engine", "turbo")
        self.assertEqual(proc.returncode, 64, proc.stderr)
        self.assertIn("--engine: 'turbo'", proc.stderr)
        # the h2o engine speaks https: not refused as a flag, only the target is missing
        proc, _, _ = run_ctl("bench", "--url", "https://127.0.0.1:1/", "--engine", "h2o")
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("cannot connect to 127.0.0.1:1", proc.stderr)


class ResetMidBodyTest(FaultTestCase):
    """The server resets the connection in the middle of a body: a read error, no status, no latency."""

    def test_bench(self):
        def check(engine):
            run, _, _ = self.bench_json("/reset-mid", engine, n=4, c=2)
            self.assertEqual((run["ok"], run["errors"]["read"]), (0, 4), (run["errors"], run["first_error"]))
            self.assertTrue(run["first_error"].startswith("read: "), run["first_error"])
            self.assertEqual(run["latency"]["count"], 0)
            self.assertEqual({r["status"] for r in run["requests"]}, {0})
        self.for_engines(check)

    def test_compare(self):
        def check(mode):
            run, _, _ = self.compare_json("/reset-mid", mode, n=2)
            self.assertEqual(run["errors"]["read"], 2, (run["errors"], run["first_error"]))
            self.assertTrue(run["first_error"].startswith("read: "), run["first_error"])
        self.for_modes(check)

    def test_stats(self):
        self.assert_stats_fails("/reset-mid", "read: ")


class SilentServerTest(FaultTestCase):
    """A server that accepts and reads the request but never answers: each request ends at its timeout
    (never earlier), counted as a timeout; the run ends in bounded time."""

    def test_bench(self):
        def check(engine):
            run, took, _ = self.bench_json("/hang", engine, n=3, c=3, extra=("--timeout", "0.5"), timeout=30.0)
            self.assertEqual(run["errors"]["timeout"], 3, run["errors"])
            for r in run["requests"]:
                self.assertGreaterEqual(r["done_seconds"] - r["sent_seconds"], 0.5 - 0.01, r)
            self.assertLess(took, 8.0)
        self.for_engines(check)

    def test_bench_open_model(self):
        # --rate: requests fall due whatever the answers do; with both connections stuck, the due ones
        # wait, and each still ends at its own timeout.
        def check(engine):
            run, took, _ = self.bench_json("/hang", engine, n=6, c=2, extra=("--rate", "50", "--timeout", "0.3"),
                                           timeout=30.0)
            self.assertEqual(run["errors"]["timeout"], 6, run["errors"])
            self.assertLess(took, 8.0)
        self.for_engines(check)

    def test_bench_partial(self):
        # Two endpoints, the second silent: the first run's answers are kept beside the second's timeouts.
        def check(engine):
            proc, _, _ = run_ctl("bench", "--url", self.server.base, "--endpoint", "/ok", "--endpoint", "/hang",
                                 "-n", 2, "--timeout", "0.4", "--json", engine=engine, timeout=30.0)
            self.assertEqual(proc.returncode, EXIT_FAILURE, proc.stderr)
            runs = json.loads(proc.stdout)["runs"]
            self.assertEqual([(r["ok"], r["errors"]["timeout"]) for r in runs], [(2, 0), (0, 2)])
        self.for_engines(check)

    def test_compare(self):
        def check(mode):
            run, took, _ = self.compare_json("/hang", mode, n=2, extra=("--timeout", "0.5"), timeout=30.0)
            self.assertEqual(run["errors"]["timeout"], 2, run["errors"])
            self.assertLess(took, 8.0)
        self.for_modes(check)

    def test_stats(self):
        for extra in ((), ("--json",)):
            with self.subTest(extra=extra):
                self.assert_stats_fails("/hang", "timeout", "--timeout", "0.5", *extra, within=5.0)


class SilentDemoTest(FaultTestCase):
    """demo against a server that never answers: both parts end at the timeout, exit 1, bounded time."""

    server_default = "/hang"

    def test_demo(self):
        proc, took, _ = run_ctl("demo", "--url", self.server.base, "-n", 2, "--delay", "0.1", "--timeout", "0.4",
                                "--no-progress", timeout=60.0)
        self.assertEqual(proc.returncode, EXIT_FAILURE, proc.stderr)
        self.assertIn("Part 2", proc.stdout)
        self.assertGreaterEqual(proc.stdout.count("first error: timeout: "), 4 + 3, proc.stdout)
        self.assertLess(took, 20.0)


class StatsNotTheDocumentTest(FaultTestCase):
    """A /stats that is HTML, truncated JSON, JSON of the wrong shape, or a 500: exit 1 and one line naming
    the URL and the reason, in the readable view and with --json alike (which must not pass on a document
    it did not check); a real document is accepted (so these can fail)."""

    @classmethod
    def setUpClass(cls):
        cls.stats_doc = stats_document()
        super().setUpClass()

    CASES = (("/stats-html", "not JSON"), ("/stats-truncated", "not JSON"), ("/stats-shape", "/stats document"),
             ("/stats-array", "expected a JSON object"), ("/stats-500", "HTTP 500"))

    def test_real_document_accepted(self):
        for extra in ((), ("--json",)):
            proc, _, _ = run_ctl("stats", self.url("/stats"), *extra)
            self.assertEqual(proc.returncode, EXIT_OK, proc.stderr)
            self.assertEqual(proc.stderr, "")
        self.assertEqual(json.loads(proc.stdout), json.loads(self.stats_doc))

    def test_refused(self):
        for path, reason in self.CASES:
            for extra in ((), ("--json",)):
                with self.subTest(path=path, extra=extra):
                    self.assert_stats_fails(path, reason, *extra)

    def test_watch_refuses_a_bad_first_document(self):
        proc, took, _ = run_ctl("stats", self.url("/stats-html"), "--watch", "--interval", "0.1", timeout=30.0)
        self.assertEqual(proc.returncode, EXIT_FAILURE, proc.stderr)
        self.assert_one_line(proc, "/stats-html", "not JSON")
        self.assertLess(took, 5.0)

    def test_watch_goes_on_after_failed_fetches(self):
        # The server cycles: a good document, HTML, no answer at all. The watch shows each failure's reason
        # in place of the view and goes on; SIGINT ends it with 0.
        for extra in ((), ("--json",)):
            with self.subTest(extra=extra):
                with self.server.lock:
                    self.server.counts.pop("/stats-flaky", None)  # the cycle starts with a good document
                argv = [harness.ctl_path(), "stats", self.url("/stats-flaky"), "--watch", "--interval", "0.1",
                        "--timeout", "0.3", *extra]
                proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env=harness.clean_env())
                time.sleep(2.5)  # about three cycles of good (0.1 s), HTML (0.1 s), silence (0.3 + 0.1 s)
                proc.send_signal(signal.SIGINT)
                out, err = proc.communicate(timeout=10)
                self.assertFalse(harness.has_sanitizer_report(err), err)
                self.assertEqual(proc.returncode, EXIT_OK, err)
                views = out.count('"pid"') if extra else out.count("asyncdemod ")
                self.assertGreaterEqual(views, 2, out)
                self.assertGreaterEqual(len(re.findall(r"/stats-flaky.*not JSON", out + err)), 2, (out, err))
                self.assertGreaterEqual(len(re.findall(r"/stats-flaky.*timeout", out + err)), 1, (out, err))


class ProcessesModeTest(FaultTestCase):
    """compare --modes processes with children that die or are interrupted: every child reaped (no
    zombie while the ctl runs on, none left after it), their requests reported, not lost."""

    def start(self, *args):
        argv = [harness.ctl_path(), "compare", *map(str, args), "--json"]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=harness.clean_env())
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))
        return proc

    def test_dead_children_reaped_while_running_on(self):
        proc = self.start(self.url("/slow"), "-n", 3, "--modes", "processes,sequential")
        kids = harness.wait_until(lambda: len(harness.child_pids(proc.pid)) == 3 and harness.child_pids(proc.pid), 10,
                                  message="3 child processes")
        os.kill(kids[0], signal.SIGKILL)
        os.kill(kids[1], signal.SIGABRT)  # as abort() would (not SIGSEGV: a sanitizer would report it)
        # The sequential mode (3 x 1 s) runs after the processes mode: by then every child is reaped.
        harness.wait_until(lambda: not harness.child_pids(proc.pid), 5, message="children reaped")
        time.sleep(0.5)
        self.assertEqual(harness.child_pids(proc.pid), [], "no zombie left while the ctl runs on")
        out, err = proc.communicate(timeout=30)
        self.assertFalse(harness.has_sanitizer_report(err), err)
        self.assertEqual(proc.returncode, EXIT_FAILURE, err)
        runs = {r["name"]: r for r in json.loads(out)["runs"]}
        p = runs["processes"]
        self.assertEqual((p["completed"], p["ok"], p["errors"]["other"]), (3, 1, 2), p)
        failed = sorted(r["pid"] for r in p["requests"] if r["error"] is not None)
        self.assertEqual(failed, sorted(kids[:2]))
        self.assertEqual(runs["sequential"]["ok"], 3)

    def test_every_child_dies(self):
        proc = self.start(self.url("/slow"), "-n", 2, "--modes", "processes")
        kids = harness.wait_until(lambda: len(harness.child_pids(proc.pid)) == 2 and harness.child_pids(proc.pid), 10,
                                  message="2 child processes")
        for pid in kids:
            os.kill(pid, signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, EXIT_FAILURE, err)
        run = json.loads(out)["runs"][0]
        self.assertEqual((run["completed"], run["ok"], run["errors"]["other"]), (2, 0, 2), run)
        self.assertRegex(run["first_error"], r"child process \d+ (was killed by signal|exited)")
        for pid in kids:
            self.assertFalse(alive(pid), pid)

    def test_interrupt_ends_children(self):
        # SIGINT to the ctl alone (not its process group, as a terminal's Ctrl-C would): its children are
        # waiting on a server that never answers; the ctl must end them, reap them and exit 130 at once.
        since = self.server.counts.get("/hang", 0)
        proc = self.start(self.url("/hang"), "-n", 3, "--modes", "processes", "--timeout", "60")
        kids = harness.wait_until(lambda: len(harness.child_pids(proc.pid)) == 3 and harness.child_pids(proc.pid), 10,
                                  message="3 child processes")
        self.server.wait_count("/hang", 3, since)  # every child's request has arrived
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        self.assertLess(time.monotonic() - t0, 5.0)
        self.assertFalse(harness.has_sanitizer_report(err), err)
        self.assertEqual(proc.returncode, EXIT_INTERRUPTED, err)
        run = json.loads(out)["runs"][0]
        self.assertEqual(run["ok"], 0)
        self.assertEqual(run["sent"], 3, run)
        for pid in kids:
            self.assertFalse(alive(pid), f"child {pid} outlived the ctl")


if __name__ == "__main__":
    harness.main()
