"""asyncdemoctl against asyncdemod over TLS: bench (the h2o engine, the default for https://, beside libcurl's;
also with request shaping and --no-keepalive), compare and stats over https:// with --cacert or -k; an
unverified certificate is an unreachable target (exit 2); --h2 over https:// and over the same daemon's
cleartext port takes bench's nghttp2 engine. Then bench's own TLS client against a small TLS server of the
test's (TlsFakeServer) that lets the target probe (libcurl) through and treats the run's connections
otherwise: a certificate for another address, TLS 1.2, a close in the middle of the handshake, session
resumption."""

import ctypes
import json
import os
import shutil
import ssl
import tempfile
import time
import unittest

import fake_server
import harness


class TlsFakeServer(fake_server.FakeServer):
    """HTTP/1.1 over TLS, answering 200 "ok" to every request. The first connection (bench's target probe)
    gets `first`, an ssl.SSLContext; the later ones (the run's) `later`, or bytes: sent in answer to the
    ClientHello, then closed (b"": closed in the middle of the handshake). resumed: per later connection,
    whether it resumed a session."""

    def __init__(self, first, later):
        self.first, self.later, self.served, self.resumed = first, later, 0, []
        super().__init__()

    def serve_requests(self, conn):
        with self.lock:
            self.served += 1
            n = self.served  # the probe's handshake may end after later ones begin
            ctx = self.first if n == 1 else self.later
        if isinstance(ctx, bytes):
            with conn:
                conn.settimeout(10)
                try:
                    conn.recv(65536)  # the ClientHello
                    conn.sendall(ctx)
                except OSError:
                    pass
            return
        try:
            tls = ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            conn.close()
            return  # the client refused the certificate
        if n > 1:
            with self.lock:
                self.resumed.append(tls.session_reused)
        super().serve_requests(tls)

    def answer(self, conn, path, served):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        return True


def server_context(cert, key, tls12=False, alpn=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    if tls12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if alpn is not None:
        ctx.set_alpn_protocols(alpn)
    return ctx


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
        """https:// runs on the h2o engine by default and reports what libcurl's engine does: 20 answers of
        30,000 bytes (several TLS records each), the same statuses and bytes, on 4 kept connections (4
        handshakes, and the probe's, for the h2o engine)."""
        runs = {}
        for engine in ("auto", "curl"):
            before = self.d.stats()["tls"]["handshakes"]
            proc = harness.run_ctl("bench", "--cacert", self.cert, "--engine", engine, "-n", 20, "-c", 4,
                                   "--threads", 1, "--no-progress", "--json", self.https + "/bytes/30000", timeout=60)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            runs[engine] = json.loads(proc.stdout)["runs"][0]
            handshakes = self.d.stats()["tls"]["handshakes"] - before
            if engine == "auto":
                self.assertEqual(handshakes, 5)
            else:  # libcurl sometimes opens one connection more than -c (before one is free again to reuse)
                self.assertGreaterEqual(handshakes, 5)
        fast, curl = runs["auto"], runs["curl"]
        self.assertEqual((fast["engine"], curl["engine"]), ("h2o", "curl"))
        for key in ("sent", "completed", "ok", "statuses", "errors", "bytes_received", "first_error"):
            self.assertEqual(fast[key], curl[key], key)
        self.assertEqual((fast["ok"], fast["bytes_received"]), (20, 20 * 30000))
        st = self.d.stats()
        self.assertEqual(st["tls"]["handshake_failures"], 0)
        self.assertEqual(st["endpoints"]["/bytes"]["completed"], 40)

    def test_bench_https_no_keepalive(self):
        """--no-keepalive over https://: a handshake per request on the h2o engine, every answer 200."""
        proc = harness.run_ctl("bench", "-k", "--engine", "h2o", "--no-keepalive", "-n", 30, "-c", 3,
                               "--no-progress", "--json", self.https + "/non-blocking?delay=0", timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        run = json.loads(proc.stdout)["runs"][0]
        self.assertEqual((run["engine"], run["ok"]), ("h2o", 30))
        st = self.d.stats()
        self.assertEqual(st["tls"]["handshakes"], 31, "one per request, and the probe's")
        self.assertEqual(st["tls"]["handshake_failures"], 0)

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
        """--h2 -c 2 -m 10 over TLS: 2 h2 connections carry 20 requests at once (bench's nghttp2 engine; libcurl's
        with --engine curl)."""
        before = self.d.stats()["connections"]["protocols"]["h2"]
        proc = harness.run_ctl("bench", "--cacert", self.cert, "--h2", "-c", 2, "-m", 10, "-n", 200, "--threads", 1,
                               "--no-progress", "--json", self.https + "/non-blocking?delay=0.01", timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        run = json.loads(proc.stdout)["runs"][0]
        self.assertEqual((run["engine"], run["ok"], run["concurrency"], run["streams"]), ("nghttp2", 200, 20, 10))
        st = self.d.stats()
        self.assertEqual(st["connections"]["protocols"]["h2"] - before, 2, "two connections, ten streams each")
        self.assertEqual(st["endpoints"]["/non-blocking"]["peak_in_flight"], 20)
        proc = harness.run_ctl("bench", "--cacert", self.cert, "--h2", "-m", 4, "-c", 1, "-n", 4, "--no-progress",
                               "--engine", "curl", self.https + "/healthz", timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("(concurrency 4, engine curl, 1 loop, HTTP/2 4 streams per connection, protocol h2, 1 connection opened)", proc.stdout)

    def test_bench_h2_lesson_ratio(self):
        """The lesson over HTTP/2: five streams of one connection, /blocking 5 x 0.2 s, /non-blocking 0.2 s."""
        harness.assert_h2_lesson(self, "-k", self.https)

    def test_bench_h2c_by_the_nghttp2_engine(self):
        """--h2 goes through bench's own HTTP/2 engine: h2c over http://, whatever libcurl's version, and h2 by ALPN
        over the same daemon's https://. More in test_ctl_h2.py."""
        proc = harness.run_ctl("bench", "--h2", "-m", 3, "-n", 9, "--no-progress", "--json", self.d.url("/healthz"),
                               timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        run = json.loads(proc.stdout)["runs"][0]
        self.assertEqual((run["engine"], run["protocol"], run["ok"]), ("nghttp2", "h2c", 9))
        proc = harness.run_ctl("bench", "-k", "--h2", "-n", 2, "--no-progress", "--json", self.https + "/healthz",
                               timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        run = json.loads(proc.stdout)["runs"][0]
        self.assertEqual((run["engine"], run["protocol"], run["ok"]), ("nghttp2", "h2", 2))

    def test_bench_h2c_through_libcurl_refused_when_old(self):
        """h2c through libcurl (--engine curl) needs libcurl 8.0 or later."""
        proc = harness.run_ctl("bench", "--h2", "-n", 1, "--no-progress", "--engine", "curl", self.d.url("/healthz"),
                               timeout=30)
        if proc.returncode == 0:
            self.skipTest("libcurl 8.0 or later: h2c through libcurl works")
        self.assertEqual(proc.returncode, 64, proc.stderr)
        self.assertIn("--h2 over http:// (h2c) with --engine curl needs libcurl 8.0 or later", proc.stderr)

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
        self.assertIn("HTTP/2 2 streams per connection, protocol h2, 1 connection opened)", proc.stdout)
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


class CtlTlsClientTest(unittest.TestCase):
    """bench's own TLS client (ctl/engine/tls_client.c through the h2o engine) against TlsFakeServer."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ad-ctl-tls-client-")
        cls.cert, cls.key = harness.make_tls_cert(cls.dir, "asyncdemo-good")
        cls.other, cls.other_key = harness.make_tls_cert(cls.dir, "asyncdemo-other", address="127.0.0.2")
        cls.both = os.path.join(cls.dir, "both.pem")  # trusts either certificate
        with open(cls.both, "w") as out:
            for path in (cls.cert, cls.other):
                with open(path) as f:
                    out.write(f.read())

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def serve(self, later, first=None):
        server = TlsFakeServer(first or server_context(self.cert, self.key), later)
        self.addCleanup(server.close)
        return server

    def bench(self, server, *args, n=4):
        started = time.monotonic()
        proc = harness.run_ctl("bench", *args, "-n", n, "-c", 2, "--threads", 1, "--no-progress", "--json",
                               f"https://127.0.0.1:{server.port}/x", timeout=30)
        return proc, time.monotonic() - started

    def test_certificate_for_another_address_is_refused(self):
        """The run's connections get a trusted certificate for 127.0.0.2: refused, named, exit 1."""
        server = self.serve(server_context(self.other, self.other_key))
        proc, _ = self.bench(server, "--cacert", self.both)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        run = json.loads(proc.stdout)["runs"][0]
        self.assertEqual((run["engine"], run["ok"], run["errors"]["connect"]), ("h2o", 0, 4))
        self.assertEqual(run["first_error"], "connect: certificate verify failed: IP address mismatch")
        # untrusted (only the probe's certificate in the file): refused the same way
        proc, _ = self.bench(self.serve(server_context(self.other, self.other_key)), "--cacert", self.cert)
        self.assertEqual(json.loads(proc.stdout)["runs"][0]["first_error"],
                         "connect: certificate verify failed: self-signed certificate")
        # --insecure checks nothing
        proc, _ = self.bench(self.serve(server_context(self.other, self.other_key)), "-k")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(json.loads(proc.stdout)["runs"][0]["ok"], 4)

    def test_h2_not_chosen_by_alpn(self):
        """bench --h2 (the nghttp2 engine, offering h2 alone) against a TLS server that knows only http/1.1 by ALPN,
        or no ALPN: nothing is chosen, every connection fails, named, exit 1, no hang."""
        for alpn in (["http/1.1"], []):
            with self.subTest(alpn=alpn):
                server = self.serve(server_context(self.cert, self.key, alpn=alpn))
                proc, took = self.bench(server, "--cacert", self.cert, "--h2", "-m", 2)
                self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
                run = json.loads(proc.stdout)["runs"][0]
                self.assertEqual((run["engine"], run["ok"], run["errors"]["connect"]), ("nghttp2", 0, 4))
                self.assertTrue(run["first_error"].startswith("connect: no HTTP/2 from the server: ALPN chose none"),
                                run["first_error"])
                self.assertLess(took, 10)

    def test_tls12(self):
        """TLS 1.2 (libh2o checks the name itself there, DNS names only): an IP-address certificate verified
        by --cacert passes, and so does another address's with -k."""
        for cert, key, args in ((self.cert, self.key, ("--cacert", self.cert)), (self.other, self.other_key, ("-k",))):
            with self.subTest(args=args):
                server = self.serve(server_context(cert, key, tls12=True))
                proc, _ = self.bench(server, *args)
                self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
                self.assertEqual(json.loads(proc.stdout)["runs"][0]["ok"], 4)

    def test_close_mid_handshake_is_a_clear_error(self):
        for later, why in ((b"", "the server closed the connection"),
                           (b"HTTP/1.1 400 Bad Request\r\n\r\n", "wrong version number")):
            with self.subTest(why=why):
                proc, took = self.bench(self.serve(later), "--cacert", self.cert)
                self.assertEqual(proc.returncode, 1, proc.stderr)
                run = json.loads(proc.stdout)["runs"][0]
                self.assertEqual((run["ok"], run["errors"]["connect"]), (0, 4))
                self.assertEqual(run["first_error"], f"connect: TLS handshake failed: {why}")
                self.assertLess(took, 10, "no wait for a timeout")

    def test_sessions_are_resumed(self):
        """--no-keepalive: after the first connections, new ones resume the session the server gave."""
        server = self.serve(server_context(self.cert, self.key))
        proc, _ = self.bench(server, "--cacert", self.cert, "--no-keepalive", n=12)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(len(server.resumed), 12)
        self.assertGreaterEqual(sum(server.resumed), 8, server.resumed)


if __name__ == "__main__":
    harness.main()
