"""asyncdemoctl compare against the daemon's /delay/N: the four modes order as the lesson says
(sequential ~ n x delay; async and threads ~ delay; processes ~ delay plus fork cost, distinct PIDs),
per-request lines, the ranking and the timeline; a child process that dies is reported, not lost."""

import json
import os
import re
import resource
import signal
import subprocess
import unittest

import harness

ctl = harness.run_ctl

DELAY = 0.4
N = 4


class CompareTest(harness.SharedDaemonTestCase):
    def url(self, delay=DELAY):
        return self.daemon.url(f"/delay/{delay}")

    def test_modes_order(self):
        proc = ctl("compare", self.url(), "-n", N, "--json")
        self.assertEqual(proc.returncode, 0, proc)
        doc = json.loads(proc.stdout)
        self.assertEqual(doc["command"], "compare")
        runs = {r["name"]: r for r in doc["runs"]}
        self.assertEqual(list(runs), ["sequential", "async", "threads", "processes"])
        for run in runs.values():
            self.assertEqual((run["completed"], run["ok"]), (N, N), run["name"])
            # Every answer came from the daemon's /delay, each its own request.
            self.assertEqual(len({r["server_seq"] for r in run["requests"]}), N, run["name"])
        t = {name: run["elapsed_seconds"] for name, run in runs.items()}
        self.assertGreaterEqual(t["sequential"], N * DELAY, t)
        self.assertLess(t["sequential"], N * DELAY + 1.0, t)
        self.assertGreaterEqual(t["async"], DELAY, t)
        self.assertLess(t["async"], DELAY + 0.3, t)
        self.assertGreaterEqual(t["threads"], DELAY, t)
        self.assertLess(t["threads"], DELAY + 0.3, t)
        self.assertGreaterEqual(t["processes"], DELAY, t)
        self.assertLess(t["processes"], DELAY + 1.0, t)  # fork cost, generously
        for fast in ("async", "threads", "processes"):
            self.assertLess(t[fast], t["sequential"] / 2, t)
        # Sequential: one after the other. The others: all in flight at once.
        seq = sorted(runs["sequential"]["requests"], key=lambda r: r["sent_seconds"])
        for prev, nxt in zip(seq, seq[1:]):
            self.assertGreaterEqual(nxt["sent_seconds"], prev["done_seconds"] - 1e-6)
        for name in ("async", "threads", "processes"):
            reqs = runs[name]["requests"]
            self.assertLess(max(r["sent_seconds"] for r in reqs), min(r["done_seconds"] for r in reqs), name)
        # Processes: one distinct child per request, none of them the ctl itself; no PIDs elsewhere.
        pids = [r["pid"] for r in runs["processes"]["requests"]]
        self.assertEqual(len(set(pids)), N, pids)
        self.assertTrue(all(p > 0 for p in pids), pids)
        for name in ("sequential", "async", "threads"):
            self.assertEqual({r["pid"] for r in runs[name]["requests"]}, {0}, name)
        # Ranking: sequential is the slowest, about N times the fastest.
        slower = [c for c in doc["comparisons"] if c["slower"] == "sequential"]
        self.assertEqual(len(slower), 1, doc["comparisons"])
        self.assertGreater(slower[0]["ratio"], N * 0.7)

    def test_text_report(self):
        proc = ctl("compare", self.url(0.2), "-n", 3)
        self.assertEqual(proc.returncode, 0, proc)
        out = proc.stdout
        for mode in ("sequential", "async", "threads", "processes"):
            self.assertRegex(out, rf"(?m)^{mode}\s+http://")
        self.assertEqual(len(re.findall(r"(?m)^\s+#\d+ sent \+", out)), 4 * 3, out)
        # The parent names itself and each child's PID.
        m = re.search(r"parent PID (\d+)", out)
        self.assertIsNotNone(m, out)
        child_pids = re.findall(r"(?m)^\s+#\d+ sent .* pid (\d+)$", out)
        self.assertEqual(len(set(child_pids)), 3, out)
        self.assertNotIn(m.group(1), child_pids)
        # Ranking table and timeline.
        self.assertRegex(out, r"(?m)^\s+1\s+\S+\s+[0-9.]+s")
        self.assertRegex(out, r"(?m)^\s+4\s+sequential\s+[0-9.]+s")
        self.assertIn("timeline", out)

    def test_modes_subset_in_given_order(self):
        proc = ctl("compare", self.url(0.1), "-n", 2, "--modes", "threads,sequential", "--json")
        self.assertEqual(proc.returncode, 0, proc)
        self.assertEqual([r["name"] for r in json.loads(proc.stdout)["runs"]], ["threads", "sequential"])

    def test_dead_child_is_an_error_not_a_hang(self):
        argv = [harness.ctl_path(), "compare", self.url(3), "-n", 3, "--modes", "processes", "--json"]
        proc = subprocess.Popen([str(a) for a in argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=harness.clean_env())
        try:
            kids = harness.wait_until(lambda: len(harness.child_pids(proc.pid)) == 3 and harness.child_pids(proc.pid), 10,
                                      message="3 child processes")
            victim = kids[0]
            os.kill(victim, signal.SIGKILL)
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertFalse(harness.has_sanitizer_report(err), err)
        self.assertEqual(proc.returncode, 1, err)
        run = json.loads(out)["runs"][0]
        self.assertEqual((run["completed"], run["ok"], run["errors"]["other"]), (3, 2, 1), run)
        failed = [r for r in run["requests"] if r["error"] is not None]
        self.assertEqual([r["pid"] for r in failed], [victim])
        self.assertIn(f"child process {victim} was killed by signal 9", run["first_error"])
        # Reaped: no zombie children were left behind (the ctl has exited, so check what it reported).
        self.assertEqual(sorted(r["pid"] for r in run["requests"]), sorted(kids))

    def test_interrupt_prints_what_finished(self):
        before = self.daemon.stats()["endpoints"]["/delay"]["completed"]
        argv = [harness.ctl_path(), "compare", self.url(0.3), "-n", 3, "--modes", "sequential,async", "--json"]
        proc = subprocess.Popen([str(a) for a in argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=harness.clean_env())
        # Inside the sequential mode's second request: the first is answered, the second is waiting.
        self.daemon.wait_stats(lambda s: s["endpoints"]["/delay"]["completed"] >= before + 1
                               and s["endpoints"]["/delay"]["in_flight"] == 1, timeout=10,
                               message="the first request answered and the second one waiting")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        self.assertFalse(harness.has_sanitizer_report(err), err)
        self.assertEqual(proc.returncode, 130, err)
        runs = json.loads(out)["runs"]
        self.assertEqual([r["name"] for r in runs], ["sequential"])
        self.assertGreaterEqual(runs[0]["ok"], 1)


class MaxParallelTest(harness.DaemonTestCase):
    """--max-parallel caps the requests the threads and processes modes have going at once (they once
    started all -n at once), the report says the mode ran in waves, and a count the process limits cannot
    hold is refused before anything runs."""

    CAP, REQUESTS, WAIT = 3, 12, 0.2

    def test_cap_holds(self):
        for mode in ("threads", "processes"):
            with self.subTest(mode=mode):
                daemon = self.start_daemon()  # fresh: its /delay peak in flight is this run's
                url = daemon.url(f"/delay/{self.WAIT}")
                proc = ctl("compare", url, "--modes", mode, "-n", self.REQUESTS, "--max-parallel", self.CAP, "--json")
                self.assertEqual(proc.returncode, 0, proc)
                doc = json.loads(proc.stdout)
                run = doc["runs"][0]
                self.assertEqual((run["completed"], run["ok"], run["concurrency"]), (self.REQUESTS, self.REQUESTS, self.CAP))
                self.assertEqual(doc["options"]["max_parallel"], self.CAP)
                delay = daemon.stats()["endpoints"]["/delay"]
                self.assertEqual(delay["completed"], self.REQUESTS, delay)
                # Never more than the cap at once, and the cap was used (they did run side by side).
                self.assertEqual(delay["peak_in_flight"], self.CAP, delay)
                self.assertGreaterEqual(run["elapsed_seconds"], self.REQUESTS / self.CAP * self.WAIT, run)

                text = ctl("compare", url, "--modes", mode, "-n", 6, "--max-parallel", 2, "--no-timeline")
                self.assertEqual(text.returncode, 0, text)
                self.assertIn(f"{mode}: at most 2 of the 6 requests at once (--max-parallel)", text.stdout)
                self.assertIn(f"note: {mode} ran at most 2 requests at once (--max-parallel), in waves", text.stdout)

    @unittest.skipUnless(os.geteuid() == 0, "needs root to run the ctl as a user of its own (nobody)")
    def test_refused_past_rlimit_nproc(self):
        """As nobody under RLIMIT_NPROC 40 (enforced by the kernel for every user but root)."""
        limit = 40

        def as_nobody():
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))

        daemon = self.start_daemon()
        url = daemon.url("/delay/0.1")
        for mode in ("processes", "threads"):
            with self.subTest(mode=mode):
                proc = ctl("compare", url, "--modes", mode, "-n", 100, "--max-parallel", 100, preexec=as_nobody)
                self.assertEqual(proc.returncode, 64, proc)
                self.assertEqual(proc.stdout, "")
                self.assertRegex(proc.stderr, r"^asyncdemoctl: --max-parallel: 100 threads or processes at once do not "
                                 r"fit: RLIMIT_NPROC for this user is 40, \d+ in use, 5 kept free; lower --max-parallel "
                                 r"or -n\nTry 'asyncdemoctl compare --help' for more information\.\n$")
                # The default cap (256) does not fit either: refused, not 60 forks of which some fail.
                proc = ctl("compare", url, "--modes", mode, "-n", 60, preexec=as_nobody)
                self.assertEqual(proc.returncode, 64, proc)
                # Under the cap, 60 requests run in waves of 4 within the limit the kernel enforces.
                proc = ctl("compare", url, "--modes", mode, "-n", 60, "--max-parallel", 4, "--json", preexec=as_nobody)
                self.assertEqual(proc.returncode, 0, proc)
                run = json.loads(proc.stdout)["runs"][0]
                self.assertEqual((run["completed"], run["ok"]), (60, 60), run["first_error"])


if __name__ == "__main__":
    harness.main()
