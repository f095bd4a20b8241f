"""Bad input gets the documented status and a JSON error; nothing crashes, the daemon keeps serving."""

import socket
import time

import apicheck
import harness

DELAY_ENDPOINTS = ("/non-blocking", "/blocking", "/offload")
# Query values of delay (as they appear in the URL) that must be refused with 400.
BAD_VALUES = (
    "",  # empty
    "abc",
    "-1",
    "-0",
    "-0.5",
    "nan",
    "NaN",
    "inf",
    "Infinity",
    "1e309",
    "1e3",
    "0x10",
    "+1",  # '+' in a query is a space: " 1"
    "%2B1",  # a real '+1'
    "2sec",
    "2%20s",
    "1..2",
    "%zz",
    "%4",
    "1%00",
    "%",  # a lone percent sign
    "%0",  # one hex digit, at the end
    "%g0",
    "1%",
    "2S",  # units are lower-case
    "2Sec",
    "2ss",
    "2mss",
    "ms",  # a unit without a number
    "s",
    ".5",
    "5.",
    "2,5",
    "1_000",
    "%091",  # a tab before the number
    "%EF%BC%91",  # a full-width digit one
    "1" * 1000,  # a 1000-digit number
    "1" + "0" * 4999,  # a 5000-digit number
    "0." + "0" * 4998 + "1",  # 5000 characters, tiny but valid-looking: still within range? see test
)
OVER_MAX = ("1.001", "2", "1001ms", "0.1h", "1m", "99999999999999999999")  # with --max-delay 1s
PLAIN = {"abc", "-1", "-0", "-0.5", "nan", "NaN", "inf", "Infinity", "1e309", "1e3", "0x10", "2sec", "1..2", "2S",
         "2Sec", "2ss", "2mss", "ms", "s", ".5", "5.", "2,5", "1_000", "%", "%0", "%g0", "1%"}


class BadDelayTest(harness.SharedDaemonTestCase):
    # The default delay may not exceed max-delay: lower both.
    daemon_args = ("--max-delay", "1s", "--default-delay", "1s")

    def assert_refused(self, path, value, parameter=("delay",), allowed="0 to 1s"):
        res = self.daemon.get(path)
        body = apicheck.check_error(self, res, 400, allowed=allowed, value=lambda v: isinstance(v, str))
        self.assertIn(body["parameter"], parameter, body)
        if value in PLAIN or value in OVER_MAX:
            self.assertEqual(body["value"], value, body)
        self.assertLess(res.took, 0.5, "refused at once, without sleeping")
        return body

    def test_bad_values(self):
        for endpoint in DELAY_ENDPOINTS:
            for value in BAD_VALUES[:-1]:
                with self.subTest(endpoint=endpoint, value=value[:20]):
                    self.assert_refused(f"{endpoint}?delay={value}", value)

    def test_tiny_long_value_is_in_range(self):
        # 5000 characters that spell 1e-4998 s: a valid decimal, truncated to 0 ns. Accepting it is right;
        # what matters is a prompt, correct answer.
        res = self.daemon.get("/non-blocking?delay=" + BAD_VALUES[-1])
        self.assertIn(res.status, (200, 400), res)
        res.json()

    def test_over_max_delay(self):
        for endpoint in DELAY_ENDPOINTS:
            for value in OVER_MAX:
                with self.subTest(endpoint=endpoint, value=value):
                    self.assert_refused(f"{endpoint}?delay={value}", value)

    def test_repeated_and_valueless(self):
        for endpoint in DELAY_ENDPOINTS:
            for query in ("delay=0&delay=0", "delay=0.1&delay=", "delay=0&x=1&delay=0", "delay"):
                with self.subTest(endpoint=endpoint, query=query):
                    self.assert_refused(f"{endpoint}?{query}", None)

    def test_delay_path_parameter(self):
        # /delay/{n}: n has delay's syntax; the error names n (or delay) and the same range.
        for value in ("abc", "-1", "-0", "nan", "inf", "1e309", "0x10", "%2B1", "2sec", "%zz", "1" + "0" * 4999,
                      "2", "1001ms"):
            with self.subTest(value=value[:20]):
                self.assert_refused(f"/delay/{value}", value, parameter=("n", "delay"))

    def test_max_is_inclusive(self):
        with harness.Daemon("--max-delay", "200ms", "--default-delay", "0") as d:
            self.assertEqual(d.get("/non-blocking?delay=200ms").status, 200)
            self.assertEqual(d.get("/non-blocking?delay=0.2").status, 200)
            body = apicheck.check_error(self, d.get("/non-blocking?delay=201ms"), 400, parameter="delay",
                                        allowed="0 to 200ms")
            self.assertEqual(body["value"], "201ms")

    def test_default_range_text(self):
        with harness.Daemon() as d:
            apicheck.check_error(self, d.get("/offload?delay=31"), 400, parameter="delay", allowed="0 to 30s",
                                 value="31")

    def test_head_of_an_error_has_no_body(self):
        with self.daemon.raw() as c:
            c.send(harness.get_request("/non-blocking?delay=abc", method="HEAD") + harness.get_request("/healthz"))
            head = c.read_response(head=True)
            after = c.read_response()
        self.assertEqual(head.status, 400)
        self.assertGreater(int(head.header("Content-Length")), 0)
        self.assertEqual(after.status, 200)


class BadPathAndMethodTest(harness.DaemonTestCase):
    def setUp(self):
        self.d = self.start_daemon()

    def test_unknown_paths(self):
        for path in ("/index.html", "/ui/", "/ui", "/events/", "/nope", "/blocking/x", "/non-blocking/", "/stats/",
                     "/healthzz", "/Delay/1", "/delay", "/metrics.txt", "//blocking", "/%2e%2e/etc/passwd", "/" + "a" * 3000):
            with self.subTest(path=path[:30]):
                body = apicheck.check_error(self, self.d.get(path), 404, path=lambda p: isinstance(p, str))
                if "%" not in path:  # the path as received (a long one may be shortened)
                    self.assertTrue(body["path"] == path or path.startswith(body["path"][:100]), body["path"][:200])

    def test_other_methods(self):
        for method, path in (("POST", "/non-blocking"), ("PUT", "/stats"), ("DELETE", "/healthz"),
                             ("PATCH", "/blocking"), ("POST", "/metrics"), ("OPTIONS", "/blocking"),
                             ("POST", "/offload?delay=0"), ("OPTIONS", "/delay/1"), ("TRACE", "/delay/1")):
            with self.subTest(method=method, path=path):
                res = self.d.get(path, method=method, body=b"x=1" if method in ("POST", "PUT", "PATCH") else None)
                apicheck.check_error(self, res, 405)
                # /delay/{n} takes httpbin's methods besides GET and HEAD (test_httpbin.py)
                allow = "GET, HEAD, POST, PUT, PATCH, DELETE" if path.startswith("/delay/") else "GET, HEAD"
                self.assertEqual(res.header("Allow"), allow, res)

    def test_405_keeps_the_connection_usable(self):
        conn = self.d.connection()
        try:
            self.assertEqual(self.d.get("/stats", method="POST", body=b"a" * 10000, conn=conn).status, 405)
            self.assertEqual(self.d.get("/healthz", conn=conn).status, 200)
        finally:
            conn.close()

    def test_garbage_never_kills_the_daemon(self):
        garbage = [
            b"GARBAGE\r\n\r\n",
            b"GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n",
            b"GET /healthz HTTP/9.9\r\n\r\n",
            b"\x00\x01\x02\xff" * 100 + b"\r\n\r\n",
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 200000 + b"\r\n\r\n",
            b"GET /" + b"u" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET /healthz HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
            b"GET /healthz HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\xff" * 64,
            b"GET /non-blocking?delay=0.5 HTTP/1.1\r\nHost: x\r\n",  # incomplete, then gone
        ]
        for data in garbage:
            with self.subTest(data=data[:30]):
                try:
                    with self.d.raw(timeout=5) as c:
                        c.send(data)
                        c.sock.shutdown(socket.SHUT_WR)
                        reply = c.read_to_close()
                except (ConnectionError, socket.timeout, OSError):
                    reply = b""
                self.assertFalse(reply.startswith(b"HTTP/1.1 2") and data.startswith(b"GARBAGE"), reply[:200])
                self.assertEqual(self.d.get("/healthz").status, 200, "still serving")
        self.assertIsNone(self.d.proc.poll(), "still running")


def exchange(d, data, timeout=5.0):
    """Sends raw bytes, half-closes, and reads until the daemon closes; b"" when it closed unanswered (a reset
    while we were still sending counts as that: h2o closes at once on what it cannot parse)."""
    try:
        with d.raw(timeout=timeout) as c:
            try:
                c.send(data)
                c.sock.shutdown(socket.SHUT_WR)
            except OSError:  # EPIPE, ECONNRESET, ENOTCONN: the daemon closed first
                pass
            return c.read_to_close()
    except ConnectionResetError:
        return b""


class MalformedHttpTest(harness.SharedDaemonTestCase):
    """Requests h2o cannot parse: its own plain "400 Bad Request" with Connection: close, or a clean close.
    They never reach a handler, so /stats counts their connections but no request (issue 6 asks for a
    count; h2o 2.2.5 writes that 400 itself and offers no hook)."""

    def assert_refused_or_closed(self, data):
        reply = exchange(self.daemon, data)
        if reply:
            self.assertRegex(reply[:40], rb"^HTTP/1\.1 4\d\d ", reply[:300])
        self.assertEqual(self.daemon.get("/healthz").status, 200, "still serving")
        return reply

    def test_bad_request_lines(self):
        for line in (b"GET /healthz", b"GET  /healthz HTTP/1.1", b"GET /healthz HTTP/2.0", b"GET /healthz HTTP/1.1 x",
                     b"GET /heal\x01thz HTTP/1.1", b"GET /non-blocking?delay=1\x002 HTTP/1.1",
                     b" GET /healthz HTTP/1.1",
                     b"GET /healthz\tHTTP/1.1", b"GET\x00 /healthz HTTP/1.1", b"\xff\xfe /healthz HTTP/1.1",
                     b"GET /healthz HTTP/1.1 HTTP/1.1", b"GET /healthz HTTX/1.1", b"GET /healthz HTTP/1"):
            with self.subTest(line=line):
                reply = self.assert_refused_or_closed(line + b"\r\nHost: x\r\n\r\n")
                self.assertFalse(reply.startswith(b"HTTP/1.1 2"), reply[:200])

    def test_bad_header_lines(self):
        for header in (b"X-A: a\x00b", b"X-A a", b": empty-name", b"X A: b", b"X-A: a\rb",
                       b"".join(b"X-%d: v\r\n" % i for i in range(200)).rstrip(b"\r\n")):
            with self.subTest(header=header[:30]):
                reply = self.assert_refused_or_closed(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + header + b"\r\n\r\n")
                self.assertFalse(reply.startswith(b"HTTP/1.1 2"), reply[:200])

    def test_huge_headers(self):
        # Past 32 KB of request head (AD_MAX_REQUEST_HEAD) the handler answers 431, counted under "other";
        # up to it the request is served. The connection stays usable either way.
        before = self.daemon.stats()["endpoints"]["other"]["status_4xx"]
        with self.daemon.raw() as c:
            for size, status in ((20000, 200), (65536, 431), (32768, 431)):
                with self.subTest(size=size):
                    c.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * size + b"\r\n\r\n")
                    res = c.read_response()
                    if status == 431:
                        body = apicheck.check_error(self, res, 431, limit_bytes=32768)
                        self.assertGreater(body["size_bytes"], 32768)
                    else:
                        self.assertEqual(res.status, 200, res)
            c.send(b"GET /non-blocking?delay=abc HTTP/1.1\r\nHost: x\r\n\r\n")
            apicheck.check_error(self, c.read_response(), 400, parameter="delay", value="abc")
        self.assertEqual(self.daemon.stats()["endpoints"]["other"]["status_4xx"], before + 2)
        # 1 MB is past h2o's request size limit: its 400, or the connection closed; never a crash.
        for size in (1 << 20, 4 << 20):
            with self.subTest(size=size):
                reply = self.assert_refused_or_closed(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * size
                                                      + b"\r\n\r\n")
                if reply:
                    self.assertRegex(reply, rb"(?is)^HTTP/1\.1 4\d\d .*?\r\nconnection: close\r\n", reply[:300])


class BadInputCountedTest(harness.DaemonTestCase):
    def test_stats_count_the_4xx(self):
        d = self.start_daemon("--max-delay", "1s", "--default-delay", "1s")
        sent = {"/non-blocking": 0, "/blocking": 0, "/offload": 0, "/delay": 0}
        for endpoint in DELAY_ENDPOINTS:
            for value in ("abc", "-0", "%zz", "2"):
                self.assertEqual(d.get(f"{endpoint}?delay={value}").status, 400)
                sent[endpoint] += 1
        for value in ("x", "5"):
            self.assertEqual(d.get(f"/delay/{value}").status, 400)
            sent["/delay"] += 1
        n404 = n405 = 0
        for path in ("/nope", "/blocking/x"):
            self.assertEqual(d.get(path).status, 404)
            n404 += 1
        for method in ("POST", "DELETE"):
            self.assertEqual(d.get("/healthz", method=method).status, 405)
            n405 += 1
        for value in BAD_VALUES[:-1]:  # every refused value of BadDelayTest, once more here, on /non-blocking
            self.assertEqual(d.get(f"/non-blocking?delay={value}").status, 400, value[:20])
            sent["/non-blocking"] += 1
        self.assertEqual(d.get("/non-blocking?delay=0&delay=0").status, 400)
        self.assertEqual(d.get("/non-blocking?delay=").status, 400)
        sent["/non-blocking"] += 2
        time.sleep(0.05)
        s = d.stats()
        eps = s["endpoints"]
        for endpoint, n in sent.items():
            ep = eps[endpoint]
            self.assertEqual((ep["requests"], ep["completed"], ep["status_4xx"], ep["in_flight"], ep["status_5xx"]),
                             (n, n, n, 0, 0), f"{endpoint}: {ep}")
        self.assertEqual(eps["other"]["status_4xx"] + eps["/healthz"]["status_4xx"], n404 + n405, eps)
        self.assertGreaterEqual(eps["other"]["status_4xx"], n404, eps["other"])
        total_4xx = sum(ep["status_4xx"] for ep in eps.values())
        self.assertEqual(total_4xx, sum(sent.values()) + n404 + n405)
        self.assertEqual(d.get("/non-blocking?delay=0").status, 200, "still serving")


if __name__ == "__main__":
    harness.main()
