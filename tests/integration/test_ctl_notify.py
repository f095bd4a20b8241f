"""asyncdemoctl under systemd (NOTIFY_SOCKET set): READY=1 at start, STATUS= progress lines while a run
goes ("bench /non-blocking: 2/4, 0 errors"), a summary STATUS= at the end; nothing without the socket."""

import json
import os
import re
import subprocess

import harness

ctl = harness.run_ctl

DELAY = 0.3  # long enough that the bench ratio (2.0 ideally) stays above its bound on a busy machine


def statuses_until_summary(listener, command):
    """Every STATUS= received, once the summary ("<command> done: ...") has arrived (datagrams may still
    be on their way to the listener's thread when the program has exited)."""
    harness.wait_until(lambda: any(f["STATUS"].startswith(f"{command} done") for _, f in listener.all("STATUS")), 5,
                       message=f"the {command} summary STATUS")
    return [f["STATUS"] for _, f in listener.all("STATUS")]


class NotifyTest(harness.SharedDaemonTestCase):
    def test_bench_ready_progress_summary(self):
        with harness.NotifyListener() as listener:
            proc = ctl("bench", "--url", self.daemon.base_url, "--endpoint", "/non-blocking?delay=0.4", "-n", 4, "-c",
                       2, env=listener.env)
            self.assertEqual(proc.returncode, 0, proc)
            listener.wait_for("READY", "1")
            statuses = statuses_until_summary(listener, "bench")
        ready_at = min(t for t, f in listener.messages if f.get("READY") == "1")
        first_status_at = min(t for t, f in listener.messages if "STATUS" in f)
        self.assertLessEqual(ready_at, first_status_at, "READY=1 comes first")
        progress = [s for s in statuses if re.fullmatch(r"bench /non-blocking: \d+/4, \d+ errors?", s)]
        self.assertGreaterEqual(len(progress), 2, statuses)
        # The counts only grow.
        done = [int(re.search(r": (\d+)/", s).group(1)) for s in progress]
        self.assertEqual(done, sorted(done), statuses)
        summary = statuses[-1]
        self.assertTrue(summary.startswith("bench done: "), statuses)
        self.assertIn("/non-blocking", summary)

    def test_compare_progress_and_summary(self):
        with harness.NotifyListener() as listener:
            proc = ctl("compare", self.daemon.url("/delay/0.3"), "-n", 2, "--modes", "sequential,async",
                       env=listener.env)
            self.assertEqual(proc.returncode, 0, proc)
            listener.wait_for("READY", "1")
            statuses = statuses_until_summary(listener, "compare")
        self.assertTrue(any(s.startswith("compare sequential: ") for s in statuses), statuses)
        self.assertTrue(statuses[-1].startswith("compare done: "), statuses)
        self.assertIn("sequential", statuses[-1])
        self.assertIn("async", statuses[-1])

    def test_daemon_down_still_ready_then_exit_2(self):
        port = harness.free_port()
        with harness.NotifyListener() as listener:
            proc = ctl("bench", "--url", f"http://127.0.0.1:{port}", env=listener.env)
            self.assertEqual(proc.returncode, 2, proc)
            listener.wait_for("READY", "1")
        self.assertEqual(listener.all("STATUS"), [], "no progress for a run that never started")


class JournalTest(harness.SharedDaemonTestCase):
    """--journal: one structured entry per run. Where journald runs, they are read back with journalctl;
    where it does not (containers, CI), lib/log falls back to stderr lines carrying the same fields."""

    BENCH_MSGID = "09e81a19b8974145966f9ae435a97c62"
    COMPARE_MSGID = "d59c8c2b15844d45b4ed51f4257985e2"

    def entries(self, proc, msgid, count):
        """The entries' fields, from the journal (once count are there) or from the stderr fallback."""
        if os.path.exists("/run/systemd/journal/socket"):
            def read():
                out = subprocess.run(["journalctl", "-o", "json", "--no-pager", f"MESSAGE_ID={msgid}",
                                      f"_PID={proc.pid}"], capture_output=True, text=True, timeout=30)
                return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
            harness.wait_until(lambda: len(read()) >= count, 10, interval=0.2,  # journald may lag
                               message=f"{count} journal entries")
            return read()
        found = []
        for line in proc.stderr.splitlines():
            if "ASYNCDEMO_COMMAND=" in line:
                found.append(dict(kv.split("=", 1) for kv in re.findall(r"(ASYNCDEMO_[A-Z0-9_]+=\S*)", line)))
        return found

    def run_ctl(self, *args, rc=0):
        proc = subprocess.Popen([harness.ctl_path(), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=harness.clean_env())
        proc.stdout_text, proc.stderr = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, rc, proc.stderr)
        self.assertFalse(harness.has_sanitizer_report(proc.stderr), proc.stderr)
        return proc

    def test_bench_entries(self):
        proc = self.run_ctl("bench", "--url", self.daemon.base_url, "--delay", DELAY, "-n", 2, "-c", 2, "--journal")
        entries = self.entries(proc, self.BENCH_MSGID, 3)
        self.assertEqual([e["ASYNCDEMO_RUN"] for e in entries], ["/blocking", "/non-blocking", "/offload"], entries)
        for e in entries:
            self.assertEqual(e["ASYNCDEMO_COMMAND"], "bench")
            self.assertEqual(e["ASYNCDEMO_REQUESTS"], "2")
            self.assertEqual(e["ASYNCDEMO_OK"], "2")
            self.assertGreaterEqual(float(e["ASYNCDEMO_TOTAL_SECONDS"]), DELAY)
            self.assertGreaterEqual(float(e["ASYNCDEMO_P99_SECONDS"]), DELAY)
        blocking = entries[0]
        self.assertEqual(blocking["ASYNCDEMO_RATIO_TO"], "/non-blocking")
        self.assertGreater(float(blocking["ASYNCDEMO_RATIO"]), 1.5)

    def test_compare_entries(self):
        proc = self.run_ctl("compare", self.daemon.url("/delay/0.1"), "-n", 2, "--modes", "sequential,async",
                            "--journal")
        entries = self.entries(proc, self.COMPARE_MSGID, 2)
        self.assertEqual([e["ASYNCDEMO_MODE"] for e in entries], ["sequential", "async"], entries)

    def test_bench_entries_carry_broken_thresholds(self):
        proc = self.run_ctl("bench", "--url", self.daemon.base_url, "--delay", 0.05, "-n", 2, "-c", 2, "-e",
                            "/non-blocking", "-e", "/offload", "--fail-if", "/offload:p50>10ms", "--fail-if",
                            "all:errors>0", "--journal", rc=3)
        entries = {e["ASYNCDEMO_RUN"]: e for e in self.entries(proc, self.BENCH_MSGID, 2)}
        self.assertEqual(entries["/non-blocking"]["ASYNCDEMO_FAIL_IF_BROKEN"], "0", entries)
        self.assertNotIn("ASYNCDEMO_FAIL_IF", entries["/non-blocking"])
        self.assertEqual(entries["/offload"]["ASYNCDEMO_FAIL_IF_BROKEN"], "1", entries)
        # "/offload:p50>10ms: 50.2ms" (the stderr fallback quotes it; its fields are cut at a space here)
        self.assertTrue(entries["/offload"]["ASYNCDEMO_FAIL_IF"].lstrip('"').startswith("/offload:p50>10ms:"), entries)

    def test_no_entries_without_journal_flag_outside_systemd(self):
        proc = self.run_ctl("bench", "--url", self.daemon.base_url, "--delay", "0.1", "-n", 1, "-c", 1)
        self.assertEqual(proc.stderr, "")


if __name__ == "__main__":
    harness.main()
