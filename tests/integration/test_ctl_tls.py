"""asyncdemoctl against asyncdemod over TLS: bench (the curl engine, also with request shaping), compare and
stats over https:// with --cacert or -k; an unverified certificate is an unreachable target (exit 2)."""

import ctypes
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
        self.assertIn("(concurrency 4, engine curl, 1 loop, HTTP/2 4 streams per connection, protocol h2)", proc.stdout)

    def test_bench_h2_lesson_ratio(self):
        """The lesson over HTTP/2: five streams of one connection, /blocking 5 x 0.2 s, /non-blocking 0.2 s."""
        proc = harness.run_ctl("bench", "-k", "--h2", "-c", 1, "-m", 5, "-n", 5, "--threads", 1, "--delay", "0.2",
                               "--no-progress", "--json", "-e", "/blocking", "-e", "/non-blocking", self.https,
                               timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        runs = {r["name"]: r for r in json.loads(proc.stdout)["runs"]}
        blocking, non_blocking = runs["/blocking"]["elapsed_seconds"], runs["/non-blocking"]["elapsed_seconds"]
        self.assertGreater(blocking, 0.95)
        self.assertLess(non_blocking, 0.6)
        self.assertGreater(blocking / non_blocking, 2.5, (blocking, non_blocking))

    def test_bench_h2c_refused_with_old_libcurl(self):
        proc = harness.run_ctl("bench", "--h2", "-n", 1, "--no-progress", self.d.url("/healthz"), timeout=30)
        if proc.returncode == 0:
            self.skipTest("libcurl 8.0 or later: h2c is used")
        self.assertEqual(proc.returncode, 64, proc.stderr)
        self.assertIn("--h2 over http:// (h2c) needs libcurl 8.0 or later", proc.stderr)

    def compare_h2(self, url, *args):
        """compare --h2 -n 4 against url/delay/0.25 in every mode: its runs by name, after checking the lesson's
        shape (sequential about 4 x 0.25 s, the others about 0.25 s) and that none failed."""
        proc = harness.run_ctl("compare", "--h2", *args, "-n", 4, "--no-progress", "--json", url + "/delay/0.25",
                               timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        doc = json.loads(proc.stdout)
        self.assertTrue(doc["options"]["h2"])
        runs = {r["name"]: r for r in doc["runs"]}
        for name, run in runs.items():
            self.assertEqual((run["ok"], sum(run["errors"].values())), (4, 0), name)
        sequential = runs["sequential"]["elapsed_seconds"]
        self.assertGreater(sequential, 0.95)
        for name in ("async", "threads", "processes"):
            self.assertLess(runs[name]["elapsed_seconds"], 0.7, name)
        self.assertGreater(sequential / runs["async"]["elapsed_seconds"], 2.5)
        return runs

    def test_compare_h2_over_tls(self):
        """compare --h2 over https: h2 by ALPN in every mode; async multiplexes its 4 requests on one connection."""
        before = self.d.stats()["connections"]["protocols"]
        runs = self.compare_h2(self.https, "--cacert", self.cert)
        self.assertEqual({r["protocol"] for r in runs.values()}, {"h2"})
        self.assertEqual(runs["async"]["streams"], 4)
        after = self.d.stats()["connections"]["protocols"]
        # sequential reuses its connection, async shares one, threads and processes open one per request
        self.assertEqual(after["h2"] - before["h2"], 1 + 1 + 4 + 4)
        self.assertEqual(after["http1_1"] - before["http1_1"], 1, "only compare's probe speaks HTTP/1.1")
        proc = harness.run_ctl("compare", "--h2", "-k", "-n", 2, "--modes", "async", "--no-progress",
                               self.https + "/delay/0", timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("HTTP/2 2 streams per connection, protocol h2)", proc.stdout)
        # more requests than a server takes streams at once (h2o: 100) spread over connections of 100 streams
        before = self.d.stats()["connections"]["protocols"]["h2"]
        proc = harness.run_ctl("compare", "--h2", "-k", "-n", 150, "--modes", "async", "--no-progress", "--json",
                               self.https + "/delay/0.2", timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        run = json.loads(proc.stdout)["runs"][0]
        self.assertEqual((run["ok"], run["streams"], run["protocol"]), (150, 100, "h2"))
        self.assertLess(run["elapsed_seconds"], 1.0)
        self.assertEqual(self.d.stats()["connections"]["protocols"]["h2"] - before, 2)

    def test_compare_h2c_by_prior_knowledge(self):
        """compare --h2 over http://: h2c by prior knowledge; with libcurl before 8.0, which breaks a reused h2c
        connection (curl issue 10634), every request has a connection of its own and no request fails."""
        version = ctypes.CDLL("libcurl.so.4")
        version.curl_version.restype = ctypes.c_char_p
        release = version.curl_version().decode().split()[0].split("/")[1]
        old = int(release.split(".")[0]) < 8
        before = self.d.stats()["connections"]["protocols"]["h2c"]
        runs = self.compare_h2(self.d.url(""))
        self.assertEqual({r["protocol"] for r in runs.values()}, {"h2c"})
        if old:
            self.assertEqual(runs["async"]["streams"], 1)
            self.assertEqual(self.d.stats()["connections"]["protocols"]["h2c"] - before, 4 * 4, release)
        else:
            self.assertEqual(runs["async"]["streams"], 4)

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
