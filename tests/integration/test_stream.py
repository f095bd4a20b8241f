"""/stream/{n} (docs/http-api.md, "/stream/{n}"): httpbin's n JSON lines, chunked on HTTP/1.1, over HTTP/2
too, HEAD, its own /stats slot, and the 400."""

import json

import apicheck
import harness


class StreamTest(harness.DaemonTestCase):
    def setUp(self):
        self.d = self.start_daemon()

    def test_lines(self):
        with self.d.raw() as raw:
            raw.send(harness.get_request("/stream/5?a=1", extra="X-Test: yes\r\n"))
            res = raw.read_response()
        self.assertEqual(res.status, 200)
        self.assertEqual(res.header("Transfer-Encoding"), "chunked")
        self.assertIsNone(res.header("Content-Length"))
        lines = res.body.decode().splitlines()
        self.assertEqual(len(lines), 5)
        for i, line in enumerate(lines):
            doc = json.loads(line)
            self.assertEqual(sorted(doc), ["args", "headers", "id", "origin", "url"])
            self.assertEqual((doc["id"], doc["args"], doc["headers"]["X-Test"]), (i, {"a": "1"}, "yes"))
            self.assertTrue(doc["url"].endswith("/stream/5?a=1"))
        out = harness.curl("--http2-prior-knowledge", "-s", self.d.url("/stream/100"))
        ids = [json.loads(line)["id"] for line in out.stdout.decode().splitlines()]
        self.assertEqual(ids, list(range(100)), out.stderr)
        head = self.d.get("/stream/3", method="HEAD")
        self.assertEqual((head.status, head.body), (200, b""))
        ep = self.d.stats()["endpoints"]["/stream"]
        self.assertEqual((ep["requests"], ep["completed"], ep["in_flight"]), (3, 3, 0), ep)

    def test_bad_n_refused(self):
        for n, what in (("0", "too small"), ("101", "above 100"), ("x", "not a whole number")):
            apicheck.check_error(self, self.d.get(f"/stream/{n}"), 400, error=f"bad n: {what}", parameter="n",
                                 allowed="a whole number of lines from 1 to 100")
        self.assertEqual(self.d.get("/stream").status, 404)
        apicheck.check_stats(self, self.d.stats())


if __name__ == "__main__":
    harness.main()
