"""asyncdemoctl bench against the real daemon: the lesson (the blocking/non-blocking ratio, the timeline),
and the load-tool flags (-n/-c, --duration, --rate, --warmup, --no-keepalive, --threads)."""

import json
import os
import pty
import re
import select
import socket
import subprocess
import tempfile

import harness

ctl = harness.run_ctl

DELAY = 0.3
N = 5



def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


class BenchTest(harness.SharedDaemonTestCase):
    # More pool workers than requests, so /offload overlaps fully.
    daemon_args = ("--pool-size", 8)

    def bench_json(self, *args):
        proc = ctl("bench", "--url", self.daemon.base_url, "--json", *args)
        self.assertEqual(proc.returncode, 0, proc)
        self.assertEqual(proc.stderr, "", "no progress or noise on stderr when it is not a terminal")
        return json.loads(proc.stdout)

    def endpoint_requests(self, stats, name):
        return stats["endpoints"][name]["requests"]

    def test_lesson_text(self):
        """No load flags: 5 concurrent requests each to /blocking, /non-blocking, /offload; per-request
        lines, totals, the ratio line and the timeline."""
        proc = ctl("bench", "--url", self.daemon.base_url, "--delay", DELAY)
        self.assertEqual(proc.returncode, 0, proc)
        out = proc.stdout
        for endpoint in ("/blocking", "/non-blocking", "/offload"):
            self.assertRegex(out, rf"(?m)^{re.escape(endpoint)}\s+http://\S+{re.escape(endpoint)}\?delay=")
        # 15 per-request lines ("#1 sent +0.000s finished +0.301s took 0.301s 200 ...").
        self.assertEqual(len(re.findall(r"(?m)^\s+#\d+ sent \+", out)), 3 * N, out)
        m = re.search(r"/blocking was ([0-9.]+)x slower than /non-blocking", out)
        self.assertIsNotNone(m, out)
        self.assertGreaterEqual(float(m.group(1)), 4.0, out)
        self.assertIn("timeline", out)
        # The timeline has one row per request of each run.
        self.assertEqual(len(re.findall(r"(?m)^\s+#\d+ \|", out)), 3 * N, out)

    def test_demo_ends_with_the_lesson(self):
        """demo ends with the lesson's conclusion, worded from the figures its report just showed (one daemon
        loop, so /blocking is the lesson's staircase on any machine)."""
        daemon = self.start_daemon("--threads", 1, "--pool-size", 8)
        proc = ctl("demo", "--url", daemon.base_url, "--delay", 0.2, "-n", 3, "--no-progress")
        self.assertEqual(proc.returncode, 0, proc)
        out = proc.stdout
        end = out[out.index("\nWhat this shows\n"):]
        self.assertTrue(out.rstrip().endswith("loop stayed free."), out[-600:])
        part2 = out[out.index("=== Part 2"):]
        totals = dict(re.findall(r"(?m)^(/[a-z-]+)  http\S+  \(.*\n(?:  #.*\n)*  3 requests in ([0-9.]+s)", part2))
        self.assertEqual(set(totals), {"/blocking", "/non-blocking", "/offload"}, part2)
        self.assertIn(f"3 requests to /non-blocking took {totals['/non-blocking']} in all", end)
        ratio = re.search(r"/blocking was ([0-9.]+)x slower than /non-blocking", part2).group(1)
        self.assertIn(f"Never sleep on it: /blocking took {totals['/blocking']}, {ratio}x as long", end)
        self.assertIn(f"Move blocking work to a pool: /offload took {totals['/offload']} (", end)

    def test_runs_sharing_a_path_have_distinct_names(self):
        """Two endpoints of one path are named with their queries: report, ratio, timeline and JSON."""
        args = ("bench", "--url", self.daemon.base_url, "-n", 2, "-e", "/non-blocking?delay=0.2",
                "-e", "/non-blocking?delay=0.05", "-e", "/non-blocking?delay=0.05")
        proc = ctl(*args)
        self.assertEqual(proc.returncode, 0, proc)
        self.assertRegex(proc.stdout, r"/non-blocking\?delay=0\.2 was [0-9.]+x slower than /non-blocking\?delay=0\.05 #[12]\n")
        self.assertIn("\n/non-blocking?delay=0.05 #2\n", proc.stdout)  # a timeline title
        doc = json.loads(ctl(*args, "--json").stdout)
        self.assertEqual([r["name"] for r in doc["runs"]],
                         ["/non-blocking?delay=0.2", "/non-blocking?delay=0.05 #1", "/non-blocking?delay=0.05 #2"])

    def test_lesson_ratio_json(self):
        doc = self.bench_json("--delay", DELAY)
        runs = {r["name"]: r for r in doc["runs"]}
        self.assertEqual(list(runs), ["/blocking", "/non-blocking", "/offload"])
        for run in runs.values():
            self.assertEqual((run["sent"], run["completed"], run["ok"]), (N, N, N), run["name"])
            self.assertEqual(len(run["requests"]), N)
            # The engine kept each answer's sequence number and the daemon's own wait.
            seqs = [r["server_seq"] for r in run["requests"]]
            self.assertEqual(len(set(seqs)), N, seqs)
            for r in run["requests"]:
                self.assertGreaterEqual(r["server_wait_seconds"], DELAY)
                self.assertLess(r["server_wait_seconds"], DELAY + 0.1)
        ratio = runs["/blocking"]["elapsed_seconds"] / runs["/non-blocking"]["elapsed_seconds"]
        self.assertGreaterEqual(ratio, 4.0, doc["runs"])
        self.assertGreaterEqual(runs["/blocking"]["elapsed_seconds"], 4.5 * DELAY)
        self.assertLess(runs["/non-blocking"]["elapsed_seconds"], 2 * DELAY)
        self.assertLess(runs["/offload"]["elapsed_seconds"], 2 * DELAY)
        cmp = {(c["slower"], c["faster"]): c["ratio"] for c in doc["comparisons"]}
        self.assertGreaterEqual(cmp[("/blocking", "/non-blocking")], 4.0, cmp)
        # /blocking is served in arrival order: its answers' sequence numbers rise with completion.
        done = sorted(runs["/blocking"]["requests"], key=lambda r: r["done_seconds"])
        self.assertEqual([r["server_seq"] for r in done], sorted(r["server_seq"] for r in done))

    def test_requests_and_concurrency_match_daemon_counts(self):
        before = self.daemon.stats()
        doc = self.bench_json("--endpoint", "/non-blocking?delay=0", "-n", 300, "-c", 10)
        after = self.daemon.stats()
        run = doc["runs"][0]
        self.assertEqual((run["sent"], run["completed"], run["ok"]), (300, 300, 300))
        self.assertEqual(run["statuses"], {"200": 300})
        self.assertEqual(run["concurrency"], 10)
        self.assertEqual(run["latency"]["count"], 300)
        self.assertEqual(len(run["requests"]), 300)
        # Recorded as they finish; numbered in send order.
        self.assertEqual(sorted(r["index"] for r in run["requests"]), list(range(1, 301)))
        self.assertGreater(run["bytes_received"], 300 * 100)
        served = self.endpoint_requests(after, "/non-blocking") - self.endpoint_requests(before, "/non-blocking")
        self.assertEqual(served, 300)
        # Keep-alive: 10 connections (and the target check's one), not 300; the run says how many it opened.
        new_conns = after["connections"]["total"] - before["connections"]["total"]
        self.assertLessEqual(new_conns, 10 + 2, after["connections"])
        self.assertEqual(run["connections"], 10)

    def test_no_keepalive_opens_a_connection_per_request(self):
        before = self.daemon.stats()
        doc = self.bench_json("--endpoint", "/non-blocking?delay=0", "-n", 40, "-c", 4, "--no-keepalive")
        after = self.daemon.stats()
        self.assertEqual((doc["runs"][0]["ok"], doc["runs"][0]["connections"]), (40, 40))
        new_conns = after["connections"]["total"] - before["connections"]["total"]
        self.assertGreaterEqual(new_conns, 40, after["connections"])

    def test_duration(self):
        doc = self.bench_json("--endpoint", "/non-blocking?delay=0.05", "-c", 4, "--duration", "0.6s")
        run = doc["runs"][0]
        # 4 connections x ~0.05 s per request for 0.6 s: about 48, loosely.
        self.assertGreater(run["completed"], 10, run["completed"])
        self.assertLess(run["completed"], 60, run["completed"])
        self.assertEqual(run["ok"], run["completed"])
        self.assertGreaterEqual(run["elapsed_seconds"], 0.6)
        self.assertLess(run["elapsed_seconds"], 0.6 + 0.5)

    def test_open_model_rate(self):
        doc = self.bench_json("--endpoint", "/non-blocking?delay=0", "-n", 50, "-c", 5, "--rate", 100)
        run = doc["runs"][0]
        self.assertEqual(run["ok"], 50)
        self.assertEqual(run["rate"], 100)
        # 50 requests at 100/s: the last is due at 0.49 s.
        self.assertGreaterEqual(run["elapsed_seconds"], 0.48)
        self.assertLess(run["elapsed_seconds"], 0.49 + 0.4)
        # (requests are listed as the daemon served them; index is the send order)
        intended = [r["intended_seconds"] for r in sorted(run["requests"], key=lambda r: r["index"])]
        for i, t in enumerate(intended):
            self.assertAlmostEqual(t, i / 100.0, delta=0.002)
        for r in run["requests"]:
            self.assertGreaterEqual(r["sent_seconds"], r["intended_seconds"] - 1e-6)
        # Corrected latency (from the intended time) is never below the raw one (from the actual send).
        self.assertGreaterEqual(run["latency"]["max"], run["latency_raw"]["max"] - 1e-6)
        self.assertGreaterEqual(run["latency"]["mean"], run["latency_raw"]["mean"] - 1e-6)

    def test_open_model_shows_coordinated_omission(self):
        """/blocking answers one at a time: at 20/s with 0.2 s each, requests queue up. The corrected
        latency counts the queueing from the intended send time; the raw one only from the send."""
        doc = self.bench_json("--endpoint", "/blocking?delay=0.2", "-n", 6, "-c", 1, "--rate", 20)
        run = doc["runs"][0]
        self.assertEqual(run["ok"], 6)
        # Raw: about 0.2 s each (one connection, one at a time). Corrected: the last one was due at
        # 0.25 s and answered at about 1.2 s.
        self.assertLess(run["latency_raw"]["max"], 0.35, run["latency_raw"])
        self.assertGreater(run["latency"]["max"], 0.8, run["latency"])

    def test_warmup_is_not_counted(self):
        before = self.daemon.stats()
        doc = self.bench_json("--endpoint", "/non-blocking?delay=0.01", "-n", 20, "-c", 2, "--warmup", "0.3s")
        after = self.daemon.stats()
        run = doc["runs"][0]
        self.assertEqual((run["sent"], run["completed"]), (20, 20))
        served = self.endpoint_requests(after, "/non-blocking") - self.endpoint_requests(before, "/non-blocking")
        self.assertGreater(served, 20 + 10, "warm-up requests reach the daemon but are not counted")

    def test_threads_merge_exactly(self):
        doc = self.bench_json("--endpoint", "/non-blocking?delay=0", "-n", 1001, "-c", 9, "--threads", 3)
        run = doc["runs"][0]
        self.assertEqual((run["sent"], run["completed"], run["ok"]), (1001, 1001, 1001))
        self.assertEqual(run["concurrency"], 9)
        self.assertEqual(run["latency"]["count"], 1001)
        self.assertEqual(sum(c for _, c in run["latency"]["histogram"]["buckets"]), 1001)
        self.assertEqual(len(run["requests"]), 1000)
        # The loops' records merged and numbered in send order; listed as the daemon served them.
        by_index = sorted(run["requests"], key=lambda r: r["index"])
        self.assertEqual([r["index"] for r in by_index], list(range(1, 1001)))
        sent = [r["sent_seconds"] for r in by_index]
        self.assertEqual(sent, sorted(sent))

    def bench_on_terminal(self, *args):
        """Runs bench against the shared daemon with stderr on a terminal (a pty): (exit status, what the
        terminal received until the child closed it, stdout)."""
        master, slave = pty.openpty()
        argv = [harness.ctl_path(), "bench", "--url", self.daemon.base_url, "--endpoint", "/non-blocking?delay=0.3",
                *args]
        proc = subprocess.Popen([str(a) for a in argv], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=slave, env=harness.clean_env())
        os.close(slave)
        seen = b""
        while True:
            ready, _, _ = select.select([master], [], [], 10)
            if not ready:
                break
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        out, _ = proc.communicate(timeout=30)
        os.close(master)
        return proc.returncode, seen, out.decode()

    def test_progress_line_on_a_terminal(self):
        """stderr a terminal: one line redrawn in place ("\\r...\\033[K"), erased before the report."""
        code, seen, out = self.bench_on_terminal("-n", 6, "-c", 2, "--no-timeline")
        self.assertEqual(code, 0, seen)
        text = seen.decode()
        self.assertNotIn("\n", text, "one line, redrawn in place")
        lines = [part for part in text.split("\r") if part]
        self.assertGreaterEqual(len(lines), 4, text)  # ~0.9 s at a redraw every 0.1 s
        self.assertRegex(lines[0], r"^bench /non-blocking  \d/6  \d+ req/s  0 errors  \d")
        self.assertTrue(text.endswith("\r\x1b[K"), "the line is erased before the report")
        self.assertIn("6 requests", out)

    def test_no_progress_flag_on_a_terminal(self):
        code, seen, _ = self.bench_on_terminal("-n", 2, "-c", 1, "--no-progress")
        self.assertEqual(code, 0)
        self.assertEqual(seen, b"")

    def test_ipv6_both_engines(self):
        if not socket.has_ipv6:
            self.skipTest("no IPv6")
        d6 = self.start_daemon(listen=("[::1]:0",))
        for engine in ("h2o", "curl"):
            with self.subTest(engine=engine):
                proc = ctl("bench", "--url", d6.base_url, "--endpoint", "/non-blocking?delay=0", "-n", 5, "-c", 2,
                           "--json", env={"ASYNCDEMOCTL_ENGINE": engine})
                self.assertEqual(proc.returncode, 0, proc)
                run = json.loads(proc.stdout)["runs"][0]
                self.assertEqual(run["ok"], 5)
                self.assertTrue(run["url"].startswith("http://[::1]:"), run["url"])

    def test_output_file(self):
        path = self.daemon_tmp("out.json")
        proc = ctl("bench", "--url", self.daemon.base_url, "--endpoint", "/non-blocking?delay=0", "-n", 3, "-c", 1,
                   "--json", "--output", path)
        self.assertEqual(proc.returncode, 0, proc)
        self.assertEqual(proc.stdout, "")
        with open(path) as f:
            self.assertEqual(json.load(f)["runs"][0]["ok"], 3)
        text = self.daemon_tmp("out.txt")
        proc = ctl("bench", "--url", self.daemon.base_url, "--endpoint", "/non-blocking?delay=0", "-n", 3, "-c", 1,
                   "--output", text)
        self.assertEqual(proc.returncode, 0, proc)
        with open(text) as f:
            self.assertIn("3 requests", f.read())

    def test_output_file_replaced_whole(self):
        """-o FILE replaces an existing FILE with the whole result (mode as a new file gets); -o - is stdout."""
        path = self.daemon_tmp("out.txt")
        with open(path, "w") as f:
            f.write("x" * 100000)
        args = ("bench", "--url", self.daemon.base_url, "--endpoint", "/non-blocking?delay=0", "-n", 2, "-c", 1)
        proc = ctl(*args, "-o", path)
        self.assertEqual(proc.returncode, 0, proc)
        with open(path) as f:
            text = f.read()
        self.assertTrue(text.startswith("/non-blocking"), text[:200])
        self.assertNotIn("xxx", text)
        self.assertEqual(os.listdir(os.path.dirname(path)), ["out.txt"])
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o666 & ~current_umask())
        proc = ctl(*args, "--json", "-o", "-")
        self.assertEqual(proc.returncode, 0, proc)
        self.assertEqual(json.loads(proc.stdout)["runs"][0]["ok"], 2)
        self.assertFalse(os.path.exists("-"))

    def test_output_file_unwritable(self):
        proc = ctl("bench", "--url", self.daemon.base_url, "--output", "/nonexistent-dir/x.json", "--json")
        self.assertEqual(proc.returncode, 64, proc)
        self.assertIn("/nonexistent-dir/x.json", proc.stderr)

    def daemon_tmp(self, name):
        """A path in a private temporary directory removed after the test."""
        d = tempfile.TemporaryDirectory(prefix="asyncdemoctl-test-")
        self.addCleanup(d.cleanup)
        return f"{d.name}/{name}"

class StaircaseTest(harness.DaemonTestCase):
    """The lesson's staircase whatever the daemon's --threads and the client's loops: 5 concurrent /blocking
    requests are drawn (and listed in JSON) in the order the daemon began serving them, so each row ends no
    earlier than the one above it. The client runs two loops, as on a 2-CPU machine, which merge their
    records in send order - not the order a daemon with several loops serves them in."""

    def check_staircase(self, threads):
        daemon = self.start_daemon("--threads", threads)
        args = ("bench", "--url", daemon.base_url, "--delay", 0.1, "-e", "/blocking", "--threads", 2)
        proc = ctl(*args)
        self.assertEqual(proc.returncode, 0, proc)
        took = [float(t) for t in re.findall(r"(?m)^\s+#\d+ \|.*\| ([0-9.]+)s$", proc.stdout)]
        self.assertEqual(len(took), N, proc.stdout)
        # Requests served side by side by two loops end within a jitter of each other, in either order; a
        # row out of order ends a whole 0.1 s step before the one above it.
        for prev, nxt in zip(took, took[1:]):
            self.assertGreater(nxt, prev - 0.05, f"--threads {threads}: rows out of order\n{proc.stdout}")
        doc = json.loads(ctl(*args, "--json").stdout)
        done = [r["done_seconds"] for r in doc["runs"][0]["requests"]]
        for prev, nxt in zip(done, done[1:]):
            self.assertGreater(nxt, prev - 0.05, f"--threads {threads}: JSON requests out of order: {done}")
        if threads == 1:  # one loop serves one after another, in arrival order: a clean staircase of 5 steps
            seqs = [r["server_seq"] for r in doc["runs"][0]["requests"]]
            self.assertEqual(seqs, sorted(seqs), doc["runs"][0]["requests"])
            self.assertGreaterEqual(done[-1], N * 0.1 * 0.9, done)  # serial: in parallel it would be ~0.1 s

    def test_threads_1(self):
        self.check_staircase(1)

    def test_threads_2(self):
        self.check_staircase(2)

    def test_threads_4(self):
        self.check_staircase(4)


if __name__ == "__main__":
    harness.main()
