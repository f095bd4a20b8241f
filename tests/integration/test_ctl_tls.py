"""asyncdemoctl against asyncdemod over TLS: bench (the curl engine, also with request shaping), compare and
stats over https:// with --cacert or -k; an unverified certificate is an unreachable target (exit 2); --h2
over the same daemon's cleartext port takes bench's nghttp2 engine."""

import json
import shutil
import tempfile

import harness


class CtlTlsTest(harness.DaemonTestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ad-ctl-tls-")
        cls.cert, cls.key = harness.make_tls_cert(cls.dir, "asyncdemo-test")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.d = self.start_daemon("--tls-cert", self.cert, "--tls-key", self.key,
                                   listen=("127.0.0.1:0", "127.0.0.1:0"))
        self.https = f"https://127.0.0.1:{self.d.addresses[1][1]}"

    def test_bench_over_https(self):
        proc = harness.run_ctl("bench", "--cacert", self.cert, "-n", 20, "-c", 4, "--no-progress", "--json",
                               self.https + "/non-blocking?delay=0", timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        run = json.loads(proc.stdout)["runs"][0]
        self.assertEqual((run["engine"], run["ok"]), ("curl", 20))
        st = self.d.stats()
        self.assertGreaterEqual(st["tls"]["handshakes"], 4)
        self.assertEqual(st["tls"]["handshake_failures"], 0)
        self.assertEqual(st["endpoints"]["/non-blocking"]["completed"], 20)

    def test_shaped_post_over_https_with_insecure(self):
        proc = harness.run_ctl("bench", "-k", "-n", 3, "-c", 1, "--no-progress", "-X", "POST", "--content-type",
                               "application/json", "--body", '{"a":1}', self.https + "/delay/0", timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(self.d.stats()["endpoints"]["/delay"]["completed"], 3)

    def test_stats_and_compare_over_https(self):
        proc = harness.run_ctl("stats", "--cacert", self.cert, "--json", self.https, timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("handshakes", json.loads(proc.stdout)["tls"])
        proc = harness.run_ctl("compare", "-k", "-n", 2, "--modes", "sequential,async", "--no-progress",
                               self.https + "/delay/0", timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

    def test_bench_h2_multiplexes_streams(self):
        """--h2 -c 2 -m 10 over TLS: 2 h2 connections carry 20 requests at once."""
        before = self.d.stats()["connections"]["protocols"]["h2"]
        proc = harness.run_ctl("bench", "--cacert", self.cert, "--h2", "-c", 2, "-m", 10, "-n", 200, "--threads", 1,
                               "--no-progress", "--json", self.https + "/non-blocking?delay=0.01", timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        run = json.loads(proc.stdout)["runs"][0]
        self.assertEqual((run["engine"], run["ok"], run["concurrency"], run["streams"]), ("curl", 200, 20, 10))
        st = self.d.stats()
        self.assertEqual(st["connections"]["protocols"]["h2"] - before, 2, "two connections, ten streams each")
        self.assertEqual(st["endpoints"]["/non-blocking"]["peak_in_flight"], 20)
        proc = harness.run_ctl("bench", "--cacert", self.cert, "--h2", "-m", 4, "-c", 1, "-n", 4, "--no-progress",
                               self.https + "/healthz", timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("(concurrency 4, engine curl, 1 loop, HTTP/2 4 streams per connection)", proc.stdout)

    def test_bench_h2_lesson_ratio(self):
        """The lesson over HTTP/2: five streams of one connection, /blocking 5 x 0.2 s, /non-blocking 0.2 s."""
        harness.assert_h2_lesson(self, "-k", self.https)

    def test_bench_h2c_by_the_nghttp2_engine(self):
        """--h2 over http:// (h2c) goes through bench's own HTTP/2 engine, whatever libcurl's version; over the
        same daemon's https:// through libcurl. More in test_ctl_h2.py."""
        proc = harness.run_ctl("bench", "--h2", "-m", 3, "-n", 9, "--no-progress", "--json", self.d.url("/healthz"),
                               timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        run = json.loads(proc.stdout)["runs"][0]
        self.assertEqual((run["engine"], run["protocol"], run["ok"]), ("nghttp2", "h2c", 9))
        proc = harness.run_ctl("bench", "-k", "--h2", "-n", 2, "--no-progress", "--json", self.https + "/healthz",
                               timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        run = json.loads(proc.stdout)["runs"][0]
        self.assertEqual((run["engine"], run["protocol"], run["ok"]), ("curl", "h2", 2))

    def test_bench_h2c_through_libcurl_refused_when_old(self):
        """h2c through libcurl (--engine curl) needs libcurl 8.0 or later."""
        proc = harness.run_ctl("bench", "--h2", "-n", 1, "--no-progress", "--engine", "curl", self.d.url("/healthz"),
                               timeout=30)
        if proc.returncode == 0:
            self.skipTest("libcurl 8.0 or later: h2c through libcurl works")
        self.assertEqual(proc.returncode, 64, proc.stderr)
        self.assertIn("--h2 over http:// (h2c) with --engine curl needs libcurl 8.0 or later", proc.stderr)

    def test_unverified_certificate_is_unreachable(self):
        for args in (("bench", "-n", 1), ("stats",), ("compare", "-n", 1, "--modes", "sequential")):
            with self.subTest(command=args[0]):
                proc = harness.run_ctl(*args, "--no-progress" if args[0] != "stats" else "--json",
                                       self.https + ("/delay/0" if args[0] == "compare" else ""), timeout=30)
                self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
                self.assertRegex(proc.stderr, r"(?i)certificate")
        self.assertEqual(self.d.stats()["tls"]["handshakes"], 0)


if __name__ == "__main__":
    harness.main()
