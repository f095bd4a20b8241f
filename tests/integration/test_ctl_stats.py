"""asyncdemoctl stats: the readable view, --json (the raw document), --watch until SIGINT/SIGTERM (exit 0),
and the errors (a path that is not /stats, a daemon that is down)."""

import json
import signal
import subprocess
import time

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
        # every field of the document shows, the ones the view once left out too
        for field in (r"refused \d+", r"max connections \d+", r"max waiting \d+", r"header timeout \S+",
                      r"idle timeout \S+"):
            self.assertRegex(proc.stdout, field)

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


if __name__ == "__main__":
    harness.main()
