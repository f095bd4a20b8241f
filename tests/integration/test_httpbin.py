"""/delay/{n}: the JSON httpbin.org/delay/{n} returns, reflected values escaped, served non-blocking."""

import json

import apicheck
import harness


class HttpbinDelayTest(harness.SharedDaemonTestCase):
    def get_doc(self, path, headers=None):
        res = self.daemon.get(path, headers=headers)
        self.assertEqual(res.status, 200, res)
        self.assertTrue(res.header("Content-Type", "").startswith("application/json"), res)
        return res, res.json()

    def test_httpbin_shape(self):
        path = "/delay/0.2?a=1&b=2&b=3"
        headers = {"User-Agent": "asyncdemo-itest/1.0", "Accept": "*/*", "x-lower-case": "y",
                   "X-MiXeD-cAsE": "z"}
        res, doc = self.get_doc(path, headers)
        self.assertEqual(set(doc), {"args", "data", "files", "form", "headers", "origin", "url", "asyncdemo"})
        self.assertEqual(doc["args"], {"a": "1", "b": ["2", "3"]})
        self.assertEqual((doc["data"], doc["files"], doc["form"]), ("", {}, {}))
        self.assertEqual(doc["origin"], "127.0.0.1")
        self.assertEqual(doc["url"], f"http://127.0.0.1:{self.daemon.port}{path}")
        h = doc["headers"]
        self.assertEqual(h.get("Host"), f"127.0.0.1:{self.daemon.port}", h)
        self.assertEqual(h.get("User-Agent"), "asyncdemo-itest/1.0", h)
        self.assertEqual(h.get("Accept"), "*/*", h)
        self.assertEqual(h.get("X-Lower-Case"), "y", h)
        self.assertEqual(h.get("X-Mixed-Case"), "z", h)
        self.assertEqual(h.get("Accept-Encoding"), "identity", h)  # http.client's own header
        apicheck.check_delay_answer(self, doc["asyncdemo"], "/delay", 0.2, pid=self.daemon.pid, res=res)

    def test_args_decoding(self):
        _, doc = self.get_doc("/delay/0?q=hello%20world&p=a+b&e=%E2%9C%93&empty=&flag&k%26y=v%3Dw")
        self.assertEqual(doc["args"], {"q": "hello world", "p": "a b", "e": "\u2713", "empty": "", "flag": "",
                                       "k&y": "v=w"})

    def test_no_query(self):
        _, doc = self.get_doc("/delay/0")
        self.assertEqual(doc["args"], {})
        self.assertEqual(doc["url"], f"http://127.0.0.1:{self.daemon.port}/delay/0")

    def test_units_in_path(self):
        _, doc = self.get_doc("/delay/150ms")
        self.assertAlmostEqual(doc["asyncdemo"]["requested_delay_seconds"], 0.15)
        self.assertGreaterEqual(doc["asyncdemo"]["waited_seconds"], 0.15)

    def test_hostile_values_are_escaped(self):
        evil = '"quoted" \\back\\slash </script> {"x": 1}\t<tab'
        query = "q=%22%5C%0A%01%7F&%22k%22=%5Cn"
        with self.daemon.raw() as c:
            c.send(f"GET /delay/0?{query} HTTP/1.1\r\nHost: 127.0.0.1:{self.daemon.port}\r\n".encode()
                   + b"X-Evil: " + evil.encode() + b"\r\n"
                   + b"X-Latin: caf\xe9 \xff\xfe end\r\n"
                   + "X-Utf8: \u043a\u0438\u0457\u0432 \u2713\r\n".encode()
                   + b"\r\n")
            res = c.read_response()
        self.assertEqual(res.status, 200, res)
        doc = json.loads(res.body.decode("utf-8"))  # strict UTF-8, valid JSON
        self.assertEqual(doc["headers"]["X-Evil"], evil)
        self.assertEqual(doc["headers"]["X-Utf8"], "\u043a\u0438\u0457\u0432 \u2713")
        latin = doc["headers"]["X-Latin"]
        self.assertTrue(latin.startswith("caf") and latin.endswith(" end"), latin)
        self.assertEqual(doc["args"], {"q": '"\\\n\x01\x7f', '"k"': "\\n"})
        self.assertTrue(doc["url"].endswith(f"/delay/0?{query}"), doc["url"])

    def test_delay_does_not_block(self):
        results = self.daemon.concurrent(["/delay/0.4"] * 4)
        for r in results:
            self.assertOk(r)
        total = max(r.t_done for r in results) - min(r.t_sent for r in results)
        self.assertLess(total, 0.8, f"4 x /delay/0.4 took {total:.3f} s")
        docs = [r.json()["asyncdemo"] for r in results]
        self.assertLess(max(d["started_monotonic_seconds"] for d in docs),
                        min(d["finished_monotonic_seconds"] for d in docs), docs)


if __name__ == "__main__":
    harness.main()
