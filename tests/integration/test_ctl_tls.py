"""asyncdemoctl against asyncdemod over TLS: bench (the curl engine, also with request shaping), compare and
stats over https:// with --cacert or -k; an unverified certificate is an unreachable target (exit 2)."""

import json
import os
import shutil
import subprocess
import tempfile

import harness

OPENSSL = shutil.which("openssl")


class CtlTlsTest(harness.DaemonTestCase):
    @classmethod
    def setUpClass(cls):
        if OPENSSL is None:
            raise AssertionError("openssl is needed to make the test's certificate (packaging/install-deps.sh)")
        cls.dir = tempfile.mkdtemp(prefix="ad-ctl-tls-")
        cls.cert, cls.key = os.path.join(cls.dir, "cert.pem"), os.path.join(cls.dir, "key.pem")
        subprocess.run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "1", "-subj", "/CN=asyncdemo-test", "-addext",
                        "subjectAltName=IP:127.0.0.1", "-keyout", cls.key, "-out", cls.cert], check=True,
                       capture_output=True, timeout=20)

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
