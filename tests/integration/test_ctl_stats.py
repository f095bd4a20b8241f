"""asyncdemoctl stats: the readable view, --json (the raw document), --watch until SIGINT/SIGTERM (exit 0),
and the errors (a path that is not /stats, a daemon that is down)."""

import json
import signal
import subprocess
import time

import fake_server
import harness

ctl = harness.run_ctl



class StatsTest(harness.SharedDaemonTestCase):
    def test_view(self):
        self.daemon.get("/non-blocking?delay=0")
        proc = ctl("stats", "--url", self.daemon.base_url)
        self.assertEqual(proc.returncode, 0, proc)
        self.assertIn(f"pid {self.daemon.pid}", proc.stdout)
        for endpoint in ("/non-blocking", "/blocking", "/offload", "/delay", "/stats"):
            self.assertRegex(proc.stdout, rf"(?m)^{endpoint}\s+\d+")

    def test_json_is_the_raw_document(self):
        proc = ctl("stats", self.daemon.url("/stats"), "--json")
        self.assertEqual(proc.returncode, 0, proc)
        doc = json.loads(proc.stdout)
        self.assertEqual(doc["pid"], self.daemon.pid)
        self.assertIn("/non-blocking", doc["endpoints"])

    def test_not_a_stats_document(self):
        proc = ctl("stats", self.daemon.url("/healthz"))
        self.assertEqual(proc.returncode, 1, proc)
        self.assertIn("/healthz", proc.stderr)
        self.assertEqual(proc.stdout, "")
        proc = ctl("stats", self.daemon.url("/nope"))
        self.assertEqual(proc.returncode, 1, proc)
        self.assertIn("404", proc.stderr)

    def watch(self, sig):
        argv = [harness.ctl_path(), "stats", "--url", self.daemon.base_url, "--watch", "--interval", "0.2"]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=harness.clean_env())
        time.sleep(1.1)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(err, "")
        # A refresh every 0.2 s for about a second: several views, each complete.
        views = out.count("asyncdemod ")
        self.assertGreaterEqual(views, 3, out)
        self.assertLessEqual(views, 8, out)
        self.assertEqual(out.count("/non-blocking"), views, out)

    def test_watch_until_sigint(self):
        self.watch(signal.SIGINT)

    def test_watch_until_sigterm(self):
        self.watch(signal.SIGTERM)


class HostileStatsServer(fake_server.FakeServer):
    """Answers /stats with the given document, whatever it says."""

    def __init__(self, doc):
        self.body = json.dumps(doc).encode()
        super().__init__()

    def answer(self, conn, path, served):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                     % (len(self.body), self.body))
        return True


class HostileNumbersTest(harness.SharedDaemonTestCase):
    """Numbers no daemon sends (issue 18): shown as out of range, never wrapped, zeroed or rounded through a
    double. The document is the real daemon's with its numbers replaced."""

    def test_out_of_range_numbers(self):
        doc = self.daemon.stats()
        doc["pid"] = 2**63 - 1
        doc["uptime_seconds"] = 1e308
        doc["loop"]["lag_seconds"] = 1e308
        doc["loop"]["stalls"] = 2**63 - 1
        doc["loop"]["stalled_seconds"] = -1e308
        doc["loop"]["longest_stall_seconds"] = -0.5
        doc["config"]["max_delay_seconds"] = 1e308
        doc["config"]["default_delay_seconds"] = -2
        blocking = doc["endpoints"]["/blocking"]
        blocking["requests"] = blocking["completed"] = 2**63 - 1
        blocking["latency_seconds"]["max"] = 1e308
        server = HostileStatsServer(doc)
        try:
            proc = ctl("stats", "--no-color", server.base)
        finally:
            server.close()
        self.assertEqual(proc.returncode, 0, proc)
        out = proc.stdout
        for want in ("pid 9223372036854775807", "up >292y", "lag >292y", "stalls 9223372036854775807",
                     "stalled <-292y in all", "longest -500.00ms", "max delay >292y", "default delay -2s"):
            self.assertIn(want, out)
        row = next(line for line in out.splitlines() if line.startswith("/blocking "))
        self.assertRegex(row, r"^/blocking\s+9223372036854775807\s")
        self.assertIn(">292y", row)
        self.assertNotIn("9223372036854775808", out)  # 2^63-1 through a double
        self.assertNotIn("-9223372036.", out)         # llround past int64
        self.assertNotIn("lag 0ns", out)


if __name__ == "__main__":
    harness.main()
