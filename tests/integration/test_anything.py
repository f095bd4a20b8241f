"""/anything and /anything/{path} (docs/http-api.md, "/anything"): httpbin's echo at once, every method,
over HTTP/1.1 and HTTP/2, its own /stats slot."""

import json

import apicheck
import harness


class AnythingTest(harness.DaemonTestCase):
    def setUp(self):
        self.d = self.start_daemon()

    def test_echo_every_method(self):
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            body = None if method == "GET" else b'{"a": [1, 2]}'
            res = self.d.get("/anything/x/y?q=1&q=2&r=%20", method=method, body=body,
                             headers={"Content-Type": "application/json", "X-Test": "yes"})
            self.assertOk(res)
            doc = res.json()
            self.assertEqual(sorted(doc), ["args", "data", "files", "form", "headers", "json", "method", "origin",
                                           "url"], doc)
            self.assertEqual(doc["method"], method)
            self.assertEqual(doc["args"], {"q": ["1", "2"], "r": " "})
            self.assertEqual(doc["headers"]["X-Test"], "yes")
            self.assertEqual(doc["origin"], "127.0.0.1")
            self.assertTrue(doc["url"].endswith("/anything/x/y?q=1&q=2&r=%20"), doc["url"])
            self.assertEqual(doc["json"], None if body is None else {"a": [1, 2]})
        form = self.d.get("/anything", method="POST", body=b"a=1&b=2",
                          headers={"Content-Type": "application/x-www-form-urlencoded"}).json()
        self.assertEqual((form["form"], form["data"], form["url"][-9:]), ({"a": "1", "b": "2"}, "", "/anything"))
        head = self.d.get("/anything/", method="HEAD")
        self.assertEqual((head.status, head.body), (200, b""))
        out = harness.curl("--http2-prior-knowledge", "-s", "-X", "DELETE", self.d.url("/anything/h2"))
        self.assertEqual(json.loads(out.stdout)["method"], "DELETE", out.stderr)
        self.assertEqual(self.d.get("/anythingx").status, 404)
        s = self.d.stats()
        ep = s["endpoints"]["/anything"]
        self.assertEqual((ep["requests"], ep["completed"], ep["status_4xx"]), (8, 8, 0), ep)
        apicheck.check_stats(self, s)


if __name__ == "__main__":
    harness.main()
