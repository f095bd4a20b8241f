"""asyncdemod over TLS (--tls-cert/--tls-key): ALPN, the lesson over https and h2, the certificate reload,
bad files refused, handshakes and their failures counted (docs/asyncdemod.conf.md, "TLS").

Certificates are made by the test with openssl (EC P-256, a second of a day's validity), in a temporary
directory. A daemon here listens in cleartext first (for /stats) and over TLS second.
"""

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

import apicheck
import harness

OPENSSL = shutil.which("openssl")
CURL = shutil.which("curl")
TLS_LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+) \(TLS: h2, http/1\.1\)")


def der_of(pem_path):
    with open(pem_path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


class TlsCase(harness.DaemonTestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ad-tls-")
        cls.cert, cls.key = harness.make_tls_cert(cls.dir, "asyncdemo-a")
        cls.cert_b, cls.key_b = harness.make_tls_cert(cls.dir, "asyncdemo-b")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def start_tls(self, *extra, cert=None, key=None):
        """A daemon on a cleartext port (addresses[0]) and a TLS port (self.tls_port)."""
        d = self.start_daemon(*extra, "--tls-cert", cert or self.cert, "--tls-key", key or self.key,
                              listen=("127.0.0.1:0", "127.0.0.1:0"))
        self.tls_port = d.addresses[1][1]
        self.assertRegex(d.stderr, TLS_LISTENING)
        return d

    def client_context(self, alpn=("h2", "http/1.1"), cafile=None, max_version=None):
        ctx = ssl.create_default_context(cafile=cafile or self.cert)
        if alpn:
            ctx.set_alpn_protocols(list(alpn))
        if max_version is not None:
            ctx.maximum_version = max_version
        return ctx

    def tls_connect(self, ctx=None, timeout=5.0):
        sock = socket.create_connection(("127.0.0.1", self.tls_port), timeout=timeout)
        return (ctx or self.client_context()).wrap_socket(sock, server_hostname="127.0.0.1")

    def https_get(self, path, ctx=None, conn=None, timeout=10.0):
        """GET over TLS and HTTP/1.1 (ALPN http/1.1); (status, body, the connection)."""
        import http.client
        conn = conn or http.client.HTTPSConnection("127.0.0.1", self.tls_port, timeout=timeout,
                                                   context=ctx or self.client_context(alpn=("http/1.1",)))
        conn.request("GET", path)
        res = conn.getresponse()
        return res.status, res.read(), conn

    def hsts_of(self, path, http2=False):
        """The Strict-Transport-Security header of path's answer over TLS (HTTP/1.1, or h2 through curl)."""
        if http2:
            out = harness.curl("--cacert", self.cert, "--http2", "-o", "/dev/null", "-D", "-", "-w", "%{http_version}",
                               f"https://127.0.0.1:{self.tls_port}{path}")
            self.assertEqual(out.returncode, 0, out.stderr)
            text = out.stdout.decode()
            self.assertTrue(text.endswith("2"), text)  # over h2
            found = re.search(r"(?im)^strict-transport-security: (.*?)\r?$", text)
            return found.group(1) if found else None
        import http.client
        conn = http.client.HTTPSConnection("127.0.0.1", self.tls_port, context=self.client_context(alpn=("http/1.1",)))
        try:
            conn.request("GET", path)
            res = conn.getresponse()
            res.read()
            return res.getheader("Strict-Transport-Security")
        finally:
            conn.close()


class TlsServeTest(TlsCase):
    def setUp(self):
        self.d = self.start_tls()

    def test_alpn_picks_what_the_client_asks(self):
        for offered, chosen in ((("h2", "http/1.1"), "h2"), (("http/1.1",), "http/1.1"), (("h2",), "h2"),
                                (None, None)):
            with self.subTest(offered=offered):
                with self.tls_connect(self.client_context(alpn=offered)) as s:
                    self.assertEqual(s.selected_alpn_protocol(), chosen)
                    self.assertEqual(s.version(), "TLSv1.3")
        # without ALPN a client gets HTTP/1.1; an answer proves the connection is served
        status, body, conn = self.https_get("/non-blocking?delay=0", ctx=self.client_context(alpn=None))
        conn.close()
        self.assertEqual(status, 200)
        self.assertIn(b'"endpoint":"/non-blocking"', body)

    def test_no_hsts_by_default(self):
        self.assertIsNone(self.hsts_of("/healthz"))

    def test_tls12_and_counts_by_version_and_protocol(self):
        with self.tls_connect(self.client_context(max_version=ssl.TLSVersion.TLSv1_2)) as s:
            self.assertEqual(s.version(), "TLSv1.2")
            self.assertEqual(s.selected_alpn_protocol(), "h2")
            cipher = s.cipher()[0]
            self.assertTrue(cipher.startswith("ECDHE-") and ("GCM" in cipher or "CHACHA20" in cipher), cipher)
        status, _, conn = self.https_get("/healthz")
        conn.close()
        self.assertEqual(status, 200)
        st = self.d.wait_stats(lambda s: s["tls"]["handshakes"] == 2)
        apicheck.check_stats(self, st, pid=self.d.pid)
        self.assertEqual(st["tls"]["versions"], {"tls1_2": 1, "tls1_3": 1})
        self.assertEqual(st["tls"]["handshake_failures"], 0)
        # the TLS 1.2 connection sent no request: only the https GET is counted by protocol
        self.assertEqual(st["connections"]["protocols"]["http1_1"], 1 + 1)  # + this /stats over cleartext
        metrics = self.d.get("/metrics").body.decode()
        self.assertIn("\nasyncdemo_tls_handshakes_total 2\n", metrics)
        self.assertIn('\nasyncdemo_tls_connections_total{version="tls1_2"} 1\n', metrics)
        self.assertIn('\nasyncdemo_connections_by_protocol_total{protocol="http1_1"} ', metrics)

    def test_lesson_ratio_over_https(self):
        """5 concurrent requests of 0.2 s over https (one TLS connection each): /blocking takes about 1 s,
        /non-blocking about 0.2 s."""
        def run(path):
            results, barrier = [None] * 5, threading.Barrier(5)

            def one(i):
                import http.client
                conn = http.client.HTTPSConnection("127.0.0.1", self.tls_port, timeout=10,
                                                   context=self.client_context(alpn=("http/1.1",)))
                conn.connect()  # the handshake before the barrier: the time measured is the lesson's
                barrier.wait()
                t0 = time.monotonic()
                status, _, _ = self.https_get(path, conn=conn)
                results[i] = (status, t0, time.monotonic())
                conn.close()

            threads = [threading.Thread(target=one, args=(i,)) for i in range(5)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(20)
            self.assertTrue(all(r is not None and r[0] == 200 for r in results), results)
            return max(r[2] for r in results) - min(r[1] for r in results)

        blocking = run("/blocking?delay=0.2")
        non_blocking = run("/non-blocking?delay=0.2")
        self.assertGreater(blocking, 0.95, "five 0.2 s sleeps on one loop take about 1 s")
        self.assertLess(non_blocking, 0.6)
        self.assertGreater(blocking / non_blocking, 2.5, (blocking, non_blocking))

    def test_lesson_ratio_over_h2(self):
        """The same five requests as streams of one HTTP/2 connection (curl multiplexes them)."""
        if CURL is None:
            self.skipTest("curl not installed")
        url = f"https://127.0.0.1:{self.tls_port}"

        def run(path):
            argv = [CURL, "-s", "--cacert", self.cert, "--http2", "-Z", "--parallel-immediate",
                    "-w", "%{http_version} %{http_code}\\n"]
            for _ in range(5):
                argv += ["-o", os.devnull, url + path]
            t0 = time.monotonic()
            out = subprocess.run(argv, capture_output=True, text=True, timeout=20)
            took = time.monotonic() - t0
            self.assertEqual(out.stdout.split("\n")[:5], ["2 200"] * 5, out.stderr)
            return took

        before = self.d.stats()["connections"]["protocols"]["h2"]
        blocking = run("/blocking?delay=0.2")
        non_blocking = run("/non-blocking?delay=0.2")
        self.assertGreater(blocking, 0.95)
        self.assertLess(non_blocking, 0.8)
        self.assertGreater(blocking / non_blocking, 2.0, (blocking, non_blocking))
        st = self.d.wait_stats(lambda s: s["connections"]["protocols"]["h2"] >= before + 1)
        self.assertEqual(st["tls"]["handshake_failures"], 0)

    def test_old_tls_refused(self):
        """A TLS 1.1 client (its own security level lowered so that it offers it) gets no certificate."""
        out = subprocess.run([OPENSSL, "s_client", "-connect", f"127.0.0.1:{self.tls_port}", "-tls1_1", "-cipher",
                              "DEFAULT:@SECLEVEL=0"], input="", capture_output=True, text=True, timeout=10)
        self.assertIn("no peer certificate available", out.stdout + out.stderr)
        self.d.wait_stats(lambda s: s["tls"]["handshake_failures"] == 1 and s["tls"]["handshakes"] == 0)

    def test_clients_vanishing_mid_handshake_are_counted(self):
        base = self.d.stats()["connections"]["open"]
        # connects and leaves without a byte
        socket.create_connection(("127.0.0.1", self.tls_port), timeout=5).close()
        # half a ClientHello, then gone
        hello = socket.create_connection(("127.0.0.1", self.tls_port), timeout=5)
        hello.sendall(bytes.fromhex("160301020001"))
        hello.close()
        self.d.wait_stats(lambda s: s["tls"]["handshake_failures"] == 2 and s["connections"]["open"] == base)
        # a full handshake and a request, then a reset during the delay: cancelled, as over cleartext
        s = self.tls_connect(self.client_context(alpn=("http/1.1",)))
        s.sendall(harness.get_request("/non-blocking?delay=5"))
        self.d.wait_stats(lambda st: st["endpoints"]["/non-blocking"]["in_flight"] == 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
        st = self.d.wait_stats(lambda st: st["endpoints"]["/non-blocking"]["cancelled"] == 1
                               and st["connections"]["open"] == base)
        self.assertEqual(st["tls"]["handshakes"], 1)
        self.assertEqual(st["endpoints"]["/non-blocking"]["in_flight"], 0)


class TlsHstsTest(TlsCase):
    def test_hsts_over_tls_only(self):
        """--hsts-max-age: every answer over TLS (errors too, h2 too) says it; cleartext answers never do."""
        d = self.start_tls("--hsts-max-age", "300")
        for path, http2 in (("/healthz", False), ("/nope", False), ("/non-blocking?delay=0", True),
                            ("/drip?duration=0&numbytes=2", False)):
            with self.subTest(path=path, http2=http2):
                self.assertEqual(self.hsts_of(path, http2), "max-age=300")
        self.assertIsNone(d.get("/healthz").header("Strict-Transport-Security"))


class TlsTimeoutTest(TlsCase):
    def test_silent_client_closed_at_header_timeout(self):
        d = self.start_tls("--header-timeout", "300ms")
        silent = socket.create_connection(("127.0.0.1", self.tls_port), timeout=5)
        t0 = time.monotonic()
        self.assertEqual(silent.recv(1), b"", "the daemon closes a connection that never starts its handshake")
        took = time.monotonic() - t0
        silent.close()
        self.assertGreater(took, 0.25)
        self.assertLess(took, 2.0)
        d.wait_stats(lambda s: s["tls"]["handshake_failures"] == 1 and s["connections"]["open"] == 1)


class TlsResumptionTest(TlsCase):
    def test_sessions_resume_across_threads(self):
        """With --threads 2 connections go to the loops in turn; a session from one resumes on the next, for TLS
        1.3 (a ticket) and 1.2 (a ticket or the shared session cache)."""
        d = self.start_tls("--threads", "2")
        for version in (ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2):
            with self.subTest(version=version.name):
                ctx = self.client_context(alpn=("http/1.1",), max_version=version)
                session, threads = None, set()
                for i in range(4):
                    sock = socket.create_connection(("127.0.0.1", self.tls_port), timeout=5)
                    with ctx.wrap_socket(sock, server_hostname="127.0.0.1", session=session) as s:
                        s.sendall(harness.get_request("/non-blocking?delay=0", extra="Connection: close\r\n"))
                        answer = b""
                        while chunk := s.recv(4096):  # to the end: TLS 1.3 tickets arrive after the handshake
                            answer += chunk
                        self.assertEqual(s.session_reused, session is not None, f"connection {i}")
                        threads.add(re.search(rb'"thread":"(loop-\d)"', answer).group(1))
                        session = s.session
                self.assertEqual(threads, {b"loop-0", b"loop-1"}, "the resumed sessions were served by both loops")
        self.assertEqual(d.stats()["tls"]["handshake_failures"], 0)


class TlsDrainTest(TlsCase):
    def test_stop_with_a_handshake_pending_and_a_request_waiting(self):
        """SIGTERM while one client sits mid-handshake and another waits on a delay over TLS: the waiting one
        is answered, the silent one is closed after the first-request grace, the daemon exits 0."""
        d = harness.Daemon("--tls-cert", self.cert, "--tls-key", self.key, listen=("127.0.0.1:0", "127.0.0.1:0"))
        d.start()
        self.tls_port = d.addresses[1][1]
        silent = socket.create_connection(("127.0.0.1", self.tls_port), timeout=10)
        waiting = self.tls_connect(self.client_context(alpn=("http/1.1",)), timeout=10)
        waiting.sendall(harness.get_request("/non-blocking?delay=0.5"))
        d.wait_stats(lambda st: st["endpoints"]["/non-blocking"]["in_flight"] == 1)
        t0 = time.monotonic()
        os.kill(d.pid, signal.SIGTERM)
        head = waiting.recv(4096)
        self.assertTrue(head.startswith(b"HTTP/1.1 200 "), head[:100])
        self.assertEqual(d.wait_exit(10), 0, d.stderr)
        self.assertLess(time.monotonic() - t0, 5.0)
        self.assertEqual(silent.recv(1), b"")
        silent.close()
        waiting.close()
        d.check_exit()


class TlsLimitTest(TlsCase):
    def test_max_connections_closes_without_the_cleartext_503(self):
        d = self.start_tls("--max-connections", "1")
        held = self.tls_connect()
        with socket.create_connection(("127.0.0.1", self.tls_port), timeout=5) as refused:
            # closed at once: no plaintext "HTTP/1.1 503" bytes on a port that speaks TLS
            self.assertEqual(refused.recv(4096), b"")
        held.close()
        # until the daemon has seen the close, /stats itself is refused (503, counted too)
        answers = []
        harness.wait_until(lambda: answers.append(d.get("/stats")) or answers[-1].status == 200, 5,
                           message="/stats answered once the held connection closed")
        st = answers[-1].json()
        self.assertEqual(st["connections"]["refused"], 1 + sum(a.status == 503 for a in answers))
        self.assertEqual(st["tls"]["handshakes"], 1)
        self.assertEqual(st["tls"]["handshake_failures"], 0, "a refused connection is not a failed handshake")

    def test_h2_body_budget(self):
        """The HTTP/2 body budget (16 bodies of max-body a connection) holds over TLS, where the frames are
        read from the decrypted input."""
        d = self.start_tls("--max-body", str(64 * 1024))
        url = f"https://127.0.0.1:{self.tls_port}/delay/0"
        with tempfile.NamedTemporaryFile() as body:
            body.truncate(64 * 1024)
            body.flush()
            within, past = (subprocess.run(["nghttp", "-n", flag, "-m", str(m), "-d", body.name, url],
                                           capture_output=True, text=True, timeout=30).stdout
                            for m, flag in ((16, "-s"), (32, "-v")))
        self.assertEqual(len(re.findall(r" 200 \S+ /delay/0$", within, re.M)), 16, within[-2000:])
        # The daemon closes the connection while the client still sends: the client may see the reset before it
        # reads the GOAWAY, so the counter is what is checked, and the GOAWAY's code when it was read.
        for code in re.findall(r"recv GOAWAY frame .*\n.*error_code=(\w+)", past):
            self.assertEqual(code, "ENHANCE_YOUR_CALM", past[-2000:])
        self.assertNotIn(":status: 200", past)
        d.wait_stats(lambda s: s["connections"]["closed"]["bodies_too_large"] == 1, 3, "one connection closed")


@unittest.skipUnless(shutil.which("systemd-socket-activate"), "systemd-socket-activate not installed")
class TlsSocketActivationTest(TlsCase):
    def check_plain_and_tls(self, fdnames, tls_entry):
        """Two sockets from systemd, plain then tls, named fdnames (None: unnamed) and a --listen tls_entry ("plain"
        or "tls": the address it names) with --tls-cert: the plain one answers in cleartext, the tls one speaks TLS."""
        plain, tls = harness.free_port(), harness.free_port()
        launcher = ["systemd-socket-activate"] + ([f"--fdname={fdnames}"] if fdnames else [])
        launcher += ["-l", f"127.0.0.1:{plain}", "-l", f"127.0.0.1:{tls}"]
        entry = plain if tls_entry == "plain" else tls
        d = self.start_daemon("--tls-cert", self.cert, "--tls-key", self.key, listen=(f"127.0.0.1:{entry}",),
                              launcher=launcher, ready=None)
        d.wait_for_log(r"Listening on \S+ as \d+", nth=1)  # systemd-socket-activate's
        # the first connection execs the daemon
        self.assertEqual(harness.http_request("127.0.0.1", plain, "/healthz",
                                              timeout=harness.DEFAULT_READY_TIMEOUT).status, 200)
        d.wait_for_log(rf"listening on 127\.0\.0\.1:{tls} \(TLS: h2, http/1\.1\)")
        self.tls_port = tls
        with self.tls_connect() as s:
            self.assertEqual(s.selected_alpn_protocol(), "h2")
        self.assertNotIn(f"127.0.0.1:{plain} (TLS", d.stderr)

    def test_passed_sockets_tls_by_address(self):
        """Unnamed: the one whose address a --listen with --tls-cert names speaks TLS."""
        self.check_plain_and_tls(None, "tls")

    def test_passed_sockets_tls_by_name(self):
        """FileDescriptorName= (here systemd-socket-activate's --fdname) tells which is which, before the address:
        "tls" speaks TLS with the config's TLS entry though that names another address; "http" stays cleartext
        though its address has a TLS entry."""
        self.check_plain_and_tls("http:tls", "plain")


class TlsReloadTest(TlsCase):
    def setUp(self):
        # the daemon reads copies, so that the test can replace them
        self.live_cert = os.path.join(self.dir, f"live-{self._testMethodName}.crt")
        self.live_key = os.path.join(self.dir, f"live-{self._testMethodName}.key")
        shutil.copy(self.cert, self.live_cert)
        shutil.copy(self.key, self.live_key)

    def peer_der(self):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with self.tls_connect(ctx) as s:
            return s.getpeercert(binary_form=True)

    def test_sighup_swaps_the_certificate_and_keeps_connections(self):
        d = self.start_tls(cert=self.live_cert, key=self.live_key)
        self.assertEqual(self.peer_der(), der_of(self.cert))
        status, _, kept = self.https_get("/healthz", ctx=self.client_context(alpn=("http/1.1",), cafile=self.cert))
        self.assertEqual(status, 200)

        shutil.copy(self.cert_b, self.live_cert)
        shutil.copy(self.key_b, self.live_key)
        mark = d.log_count()
        os.kill(d.pid, signal.SIGHUP)
        d.wait_for_log(r"reload: TLS on 127\.0\.0\.1:\d+: certificate loaded from .*live-", since=mark)
        self.assertEqual(self.peer_der(), der_of(self.cert_b), "a new connection gets the new certificate")
        status, _, _ = self.https_get("/healthz", conn=kept)
        self.assertEqual(status, 200, "a connection opened before the reload still works")
        kept.close()

    def test_bad_file_on_reload_keeps_the_current_certificate(self):
        d = self.start_tls(cert=self.live_cert, key=self.live_key)
        with open(self.live_key, "w") as f:
            f.write("not a key\n")
        mark = d.log_count()
        os.kill(d.pid, signal.SIGHUP)
        d.wait_for_log(r"reload: TLS on 127\.0\.0\.1:\d+ keeps its current certificate: .*live-.*\.key: "
                       r"not a PEM private key", since=mark)
        self.assertEqual(self.peer_der(), der_of(self.cert))
        # a key that does not match the certificate
        shutil.copy(self.key_b, self.live_key)
        mark = d.log_count()
        os.kill(d.pid, signal.SIGHUP)
        d.wait_for_log(r"keeps its current certificate: .*: the key does not match the certificate", since=mark)
        self.assertEqual(self.peer_der(), der_of(self.cert))


class TlsBadStartTest(TlsCase):
    def refused(self, *args, status):
        d = harness.Daemon(*args, listen=("127.0.0.1:0",), ready=None, expect_exit=None)
        d.start()
        code = d.wait_exit(10)
        if code is None:
            d.stop()
        self.assertEqual(code, status, d.stderr)
        self.assertFalse(harness.has_sanitizer_report(d.stderr), d.stderr)
        return d.stderr

    def test_bad_key_refused_clearly(self):
        # a configuration error: 64, so systemd's RestartPreventExitStatus=64 does not restart in a loop
        err = self.refused("--tls-cert", self.cert, "--tls-key", self.key_b, status=64)
        self.assertRegex(err, r"cannot serve TLS on 127\.0\.0\.1:0: .*asyncdemo-b\.key: the key does not match "
                              r"the certificate")
        err = self.refused("--tls-cert", self.cert, "--tls-key", os.path.join(self.dir, "missing.key"), status=64)
        self.assertIn("missing.key: cannot open: No such file or directory", err)
        err = self.refused("--tls-cert", self.key, "--tls-key", self.key, status=64)
        self.assertIn("asyncdemo-a.key: not a PEM certificate", err)

    def test_half_of_tls_is_a_usage_error(self):
        err = self.refused("--tls-cert", self.cert, status=64)
        self.assertIn("listen 127.0.0.1:0: tls-cert given without tls-key (TLS needs both)", err)


if __name__ == "__main__":
    harness.main()
