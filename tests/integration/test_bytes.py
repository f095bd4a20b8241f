"""/bytes/{n} (docs/http-api.md, "/bytes/{n}"): httpbin's random bytes over HTTP/1.1 and HTTP/2, the same
bytes for the same seed=, its own /stats slot, and the 400s."""

import apicheck
import harness


class BytesTest(harness.DaemonTestCase):
    def setUp(self):
        self.d = self.start_daemon()

    def test_random_bytes_and_seed(self):
        for n in (0, 1, 7, 8, 1000, 1048576):
            res = self.d.get(f"/bytes/{n}")
            self.assertOk(res)
            self.assertEqual((len(res.body), res.header("Content-Length")), (n, str(n)))
            self.assertEqual(res.header("Content-Type"), "application/octet-stream")
        a, b = self.d.get("/bytes/4096?seed=7").body, self.d.get("/bytes/4096?seed=7").body
        self.assertEqual(a, b)
        self.assertEqual(self.d.get("/bytes/100?seed=7").body, a[:100])  # a prefix of the same sequence
        self.assertNotEqual(self.d.get("/bytes/4096?seed=8").body, a)
        self.assertNotEqual(self.d.get("/bytes/4096").body, self.d.get("/bytes/4096").body)
        self.assertGreater(len(set(a)), 200, "4096 random bytes take most of the 256 values")
        out = harness.curl("--http2-prior-knowledge", "-s", self.d.url("/bytes/4096?seed=7"))
        self.assertEqual(out.stdout, a, out.stderr)
        head = self.d.get("/bytes/10", method="HEAD")
        self.assertEqual((head.status, head.header("Content-Length"), head.body), (200, "10", b""))
        ep = self.d.stats()["endpoints"]["/bytes"]
        self.assertEqual((ep["requests"], ep["completed"], ep["status_4xx"]), (14, 14, 0), ep)

    def test_bad_requests_refused(self):
        for path, param, what in (("/bytes/10485761", "n", "above 10485760"), ("/bytes/x", "n", "not a whole number"),
                                  ("/bytes/5?seed=-1", "seed", "not a whole number")):
            res = self.d.get(path)
            body = apicheck.check_error(self, res, 400, error=f"bad {param}: {what}", parameter=param)
            self.assertIn("whole number", body["allowed"])
        self.assertEqual(self.d.get("/bytes").status, 404)
        self.assertEqual(self.d.get("/bytes/5", method="POST", body=b"x").status, 405)
        apicheck.check_stats(self, self.d.stats())


if __name__ == "__main__":
    harness.main()
