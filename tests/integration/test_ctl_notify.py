"""asyncdemoctl under systemd (NOTIFY_SOCKET set): READY=1 at start, STATUS= progress lines while a run
goes ("bench /non-blocking: 2/4, 0 errors"), a summary STATUS= at the end; nothing without the socket."""

import re

import harness


def ctl(*args, timeout=120.0, env=None):
    """Runs asyncdemoctl to completion; a sanitizer report on its stderr fails the test."""
    proc = harness.run_program([harness.ctl_path(), *map(str, args)], timeout=timeout, env=env)
    if harness.has_sanitizer_report(proc.stderr):
        raise AssertionError(f"sanitizer report from asyncdemoctl {args}:\n{proc.stderr}")
    return proc


def statuses_until_summary(listener, command):
    """Every STATUS= received, once the summary ("<command> done: ...") has arrived (datagrams may still
    be on their way to the listener's thread when the program has exited)."""
    harness.wait_until(lambda: any(f["STATUS"].startswith(f"{command} done") for _, f in listener.all("STATUS")), 5,
                       message=f"the {command} summary STATUS")
    return [f["STATUS"] for _, f in listener.all("STATUS")]


class NotifyTest(harness.DaemonTestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = harness.Daemon()
        cls.daemon.start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()
        cls.daemon.check_exit()

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


if __name__ == "__main__":
    harness.main()
