"""Both bench engines (libh2o's loop, the default for plain http; libcurl, forced with
ASYNCDEMOCTL_ENGINE=curl) against answers asyncdemod never gives: chunked bodies, Connection: close,
HTTP/1.0 bodies ending at the close, 1xx interim answers, 204, garbage, resets, truncated bodies and
idle keep-alive connections the server closes. Each must be counted in the right class, the same way
by both engines, and never hang or crash."""

import json
import time

import fake_server
import harness

BODY = b'{"endpoint":"/x","waited_seconds":0.25,"sequence":7}'


def chunked(body, size=7):
    out = b""
    for i in range(0, len(body), size):
        part = body[i:i + size]
        out += b"%x\r\n" % len(part) + part + b"\r\n"
    return out + b"0\r\n\r\n"


def answer(path, keep_count):
    """(bytes to send, close afterwards) for a request to path. keep_count: requests served on this
    connection so far (for /idle-close)."""
    length = b"Content-Length: %d\r\n" % len(BODY)
    if path == "/ok":
        return b"HTTP/1.1 200 OK\r\n" + length + b"\r\n" + BODY, False
    if path == "/chunked":
        return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(BODY), False
    if path == "/conn-close":
        return b"HTTP/1.1 200 OK\r\nConnection: close\r\n" + length + b"\r\n" + BODY, True
    if path == "/http10":
        return b"HTTP/1.0 200 OK\r\n\r\n" + BODY, True
    if path == "/interim":
        return b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n" + length + b"\r\n" + BODY, False
    if path == "/no-content":
        return b"HTTP/1.1 204 No Content\r\n\r\n", False
    if path == "/unavailable":
        return b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\n\r\n{}", False
    if path == "/garbage":
        return b"THIS IS NOT HTTP\r\n\r\n", True
    if path == "/reset":
        return b"", True
    if path == "/truncated":
        return b"HTTP/1.1 200 OK\r\n" + length + b"\r\n" + BODY[:10], True
    if path == "/idle-close":
        # Keep-alive answers, but the server drops every connection after its second answer.
        return b"HTTP/1.1 200 OK\r\n" + length + b"\r\n" + BODY, keep_count >= 1
    return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", False


class OddServer(fake_server.FakeServer):
    """Answers per path (answer() above)."""

    def answer(self, conn, path, served):
        data, close = answer(path, served)
        if path == "/reset":
            self.reset_on_close(conn)
        conn.sendall(data)
        return not close


def ctl(*args, engine, timeout=60.0):
    return harness.run_ctl(*args, timeout=timeout, env={"ASYNCDEMOCTL_ENGINE": engine})


class EnginesTest(harness.DaemonTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = OddServer()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def bench(self, path, engine, n=6, c=2, extra=()):
        proc = ctl("bench", "--url", f"http://127.0.0.1:{self.server.port}", "--endpoint", path, "-n", n, "-c", c,
                   "--timeout", "5", "--json", *extra, engine=engine)
        self.assertIn(proc.returncode, (0, 1), proc)
        run = json.loads(proc.stdout)["runs"][0]
        self.assertEqual(run["completed"], n, run)
        self.assertEqual(proc.returncode, 0 if run["ok"] == n else 1, run)
        return run

    def for_both(self, check):
        for engine in ("h2o", "curl"):
            with self.subTest(engine=engine):
                check(engine)

    def assert_all_ok(self, path, scanned=True, n=6):
        def check(engine):
            run = self.bench(path, engine, n=n)
            self.assertEqual(run["ok"], n, run)
            self.assertIsNone(run["first_error"])
            if scanned:
                for r in run["requests"]:
                    self.assertEqual(r["server_seq"], 7, r)
                    self.assertAlmostEqual(r["server_wait_seconds"], 0.25)
                self.assertEqual(run["bytes_received"], n * len(BODY))
        self.for_both(check)

    def assert_all_failed(self, path, cls, n=4):
        def check(engine):
            run = self.bench(path, engine, n=n)
            self.assertEqual(run["ok"], 0, run)
            self.assertEqual(run["errors"][cls], n, (engine, run["errors"], run["first_error"]))
            self.assertTrue(run["first_error"].startswith(cls + ": "), run["first_error"])
        self.for_both(check)

    def test_content_length(self):
        self.assert_all_ok("/ok")

    def test_chunked(self):
        self.assert_all_ok("/chunked")

    def test_connection_close(self):
        self.assert_all_ok("/conn-close")

    def test_http10_body_until_close(self):
        self.assert_all_ok("/http10")

    def test_interim_answer(self):
        self.assert_all_ok("/interim")

    def test_no_content(self):
        def check(engine):
            run = self.bench("/no-content", engine)
            self.assertEqual((run["ok"], run["statuses"], run["bytes_received"]), (6, {"204": 6}, 0), run)
        self.for_both(check)

    def test_idle_connections_closed_by_server(self):
        self.assert_all_ok("/idle-close", n=20)

    def test_status_errors(self):
        def check(engine):
            run = self.bench("/unavailable", engine)
            self.assertEqual((run["ok"], run["errors"]["status"], run["statuses"]), (0, 6, {"503": 6}), run)
            self.assertEqual(run["first_error"], "status: HTTP 503")
        self.for_both(check)

    def test_garbage(self):
        self.assert_all_failed("/garbage", "read")

    def test_reset_before_answer(self):
        self.assert_all_failed("/reset", "read")

    def test_truncated_body(self):
        self.assert_all_failed("/truncated", "read")

    def test_refused(self):
        port = harness.free_port()

        def check(engine):
            # The target check fails first; the engines' own connect errors show when the server goes
            # away mid-run, which test_ctl_errors covers through the daemon. Here: exit 2, one line.
            proc = ctl("bench", "--url", f"http://127.0.0.1:{port}", "-n", 3, engine=engine)
            self.assertEqual(proc.returncode, 2, proc)
        self.for_both(check)

    def settled_connections(self):
        """The server's connection count once its accept thread has caught up with the kernel."""
        last = -1
        while self.server.accepted != last:
            last = self.server.accepted
            time.sleep(0.1)
        return last

    def test_keepalive_reuses_connections(self):
        def check(engine):
            before = self.settled_connections()
            self.bench("/ok", engine, n=60, c=3)
            # About 3 connections for 60 requests (and the target check's own), not 60.
            self.assertLessEqual(self.settled_connections() - before, 3 + 1 + 2)
        self.for_both(check)

    def test_no_keepalive_opens_one_per_request(self):
        def check(engine):
            before = self.settled_connections()
            self.bench("/ok", engine, n=12, c=3, extra=("--no-keepalive",))
            self.assertGreaterEqual(self.settled_connections() - before, 12)
        self.for_both(check)

    def test_bad_engine_name(self):
        proc = ctl("bench", "--url", f"http://127.0.0.1:{self.server.port}", engine="turbo")
        self.assertEqual(proc.returncode, 64, proc)
        self.assertIn("ASYNCDEMOCTL_ENGINE", proc.stderr)


if __name__ == "__main__":
    harness.main()
