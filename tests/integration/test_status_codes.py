"""/status/{codes} (docs/http-api.md, "/status"): httpbin's and go-httpbin's status endpoint over HTTP/1.1
and HTTP/2, every method, the headers and bodies clients expect (204, 304, 3xx, 401, 407, 418), weighted
codes drawn within bounds, its own /stats slot with asked-for errors counted apart, and the 400."""

import apicheck
import harness

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


class StatusCodesTest(harness.DaemonTestCase):
    def setUp(self):
        self.d = self.start_daemon()

    def test_every_method_and_the_expected_headers(self):
        for method in METHODS:
            res = self.d.get("/status/201", method=method, body=None if method in ("GET", "HEAD") else b"x=1")
            self.assertEqual((res.status, res.reason, res.body), (201, "Created", b""), method)
        conn = self.d.connection()
        try:
            for code in (204, 304):  # no body, and the connection stays usable
                res = self.d.get(f"/status/{code}", conn=conn)
                self.assertEqual((res.status, res.body), (code, b""))
                self.assertIsNone(res.header("Content-Type"))
            self.assertIsNone(self.d.get("/status/204", conn=conn).header("Content-Length"))
            for code in (301, 302, 303, 307, 308):
                res = self.d.get(f"/status/{code}", conn=conn)
                self.assertEqual((res.status, res.header("Location")), (code, "/status/200"))
            res = self.d.get("/status/401", conn=conn)
            self.assertEqual((res.status, res.header("WWW-Authenticate")), (401, 'Basic realm="Fake Realm"'))
            res = self.d.get("/status/407", conn=conn)
            self.assertEqual((res.status, res.header("Proxy-Authenticate")), (407, 'Basic realm="Fake Realm"'))
            res = self.d.get("/status/418", conn=conn)
            self.assertEqual((res.status, res.reason), (418, "I'm a teapot"))
            self.assertIn(b"teapot", res.body)
            self.assertEqual(res.header("Content-Length"), str(len(res.body)))
            res = self.d.get("/status/503", conn=conn)
            self.assertEqual((res.status, res.reason, res.body), (503, "Service Unavailable", b""))
        finally:
            conn.close()
        # a client that follows the redirect lands on a 200
        out = harness.curl("-L", "-o", "/dev/null", "-w", "%{http_code} %{num_redirects}", self.d.url("/status/302"))
        self.assertEqual(out.stdout, b"200 1", out.stderr)
        # HTTP/2 (one request per curl: curl 7.88 with prior knowledge sends nothing on a reused connection)
        out = harness.curl("--http2-prior-knowledge", "-s", "-i", self.d.url("/status/302"))
        self.assertIn(b"HTTP/2 302", out.stdout)
        self.assertIn(b"\r\nlocation: /status/200\r\n", out.stdout)
        out = harness.curl("--http2-prior-knowledge", "-s", "-i", self.d.url("/status/418"))
        self.assertIn(b"HTTP/2 418", out.stdout)
        self.assertIn(b"teapot", out.stdout)

    def test_weighted_codes_within_bounds(self):
        # 400 draws of 200:1,500:1 on one connection: 500 lands in 30 %..70 % (10 standard deviations)
        conn = self.d.connection()
        statuses = []
        try:
            for _ in range(400):
                statuses.append(self.d.get("/status/200:1,500:1", conn=conn).status)
        finally:
            conn.close()
        n500 = statuses.count(500)
        self.assertEqual(n500 + statuses.count(200), 400)
        self.assertTrue(120 <= n500 <= 280, n500)
        # weight 0 is never drawn; a code alone weighs 1
        self.assertEqual({self.d.get("/status/429,503:0").status for _ in range(30)}, {429})
        ep = self.d.stats()["endpoints"]["/status"]
        # asked-for errors are faults, not the daemon's errors
        self.assertEqual((ep["requests"], ep["completed"], ep["fault_status"], ep["status_4xx"], ep["status_5xx"]),
                         (430, 430, n500 + 30, 0, 0), ep)
        metrics = self.d.get("/metrics").body.decode()
        self.assertIn(f'\nasyncdemo_faults_status_total{{endpoint="/status"}} {n500 + 30}\n', metrics)
        self.assertIn('\nasyncdemo_requests_total{endpoint="/status"} 430\n', metrics)

    def test_bad_codes_refused(self):
        for codes, what in (("600", "a status must be 200 to 599"), ("abc", "a status must be 200 to 599"),
                            ("200:0", "the weights add up to 0"),
                            ("200:x", "a weight must be a number from 0 to 1000000 (up to 4 decimals)"),
                            ("%zz", "bad percent-encoding")):
            res = self.d.get(f"/status/{codes}")
            apicheck.check_error(self, res, 400, error=f"bad codes: {what}", parameter="codes", value=codes)
        self.assertEqual(self.d.get("/status").status, 404)
        self.assertEqual(self.d.get("/status/200/x").status, 404)
        s = self.d.stats()
        self.assertEqual(s["endpoints"]["/status"]["status_4xx"], 5, s["endpoints"]["/status"])
        apicheck.check_stats(self, s)


if __name__ == "__main__":
    harness.main()
