"""asyncdemoctl compare against the daemon's /delay/N: the four modes order as the lesson says
(sequential ~ n x delay; async and threads ~ delay; processes ~ delay plus fork cost, distinct PIDs),
per-request lines, the ranking and the timeline; a child process that dies is reported, not lost."""

import json
import os
import re
import signal
import subprocess

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


if __name__ == "__main__":
    harness.main()
