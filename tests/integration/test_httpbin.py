"""/delay/{n}: the JSON httpbin.org/delay/{n} returns, reflected values escaped, served non-blocking."""

import base64
import json
import subprocess

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
        self.assertEqual(set(doc), {"args", "data", "files", "form", "headers", "json", "origin", "url",
                                    "asyncdemo"})
        self.assertEqual(doc["args"], {"a": "1", "b": ["2", "3"]})
        self.assertEqual((doc["data"], doc["files"], doc["form"], doc["json"]), ("", {}, {}, None))
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


BOUNDARY = "----asyncdemo-boundary-7MA4YWxkTrZu0gW"


def multipart(fields, files):
    """A multipart/form-data body: fields [(name, text)], files [(name, filename, content type, bytes)]."""
    out = b""
    for name, value in fields:
        out += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").encode() + \
            value.encode() + b"\r\n"
    for name, filename, ctype, content in files:
        out += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
                f"Content-Type: {ctype}\r\n\r\n").encode() + content + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


class HttpbinBodyTest(harness.SharedDaemonTestCase):
    """/delay/{n} takes httpbin's methods and echoes the body as httpbin does (docs/http-api.md)."""

    def send(self, method, path, body, content_type=None, status=200):
        headers = {"Content-Type": content_type} if content_type else {}
        res = self.daemon.get(path, method=method, headers=headers, body=body)
        self.assertEqual(res.status, status, res)
        return res, res.json()

    def test_every_httpbin_method(self):
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            with self.subTest(method=method):
                res, doc = self.send(method, "/delay/0.05?m=1", b"hello" if method != "GET" else None,
                                     "text/plain" if method != "GET" else None)
                self.assertEqual(doc["args"], {"m": "1"})
                self.assertEqual(doc["data"], "hello" if method != "GET" else "", doc)
                apicheck.check_delay_answer(self, doc["asyncdemo"], "/delay", 0.05, pid=self.daemon.pid, res=res)
        res = self.daemon.get("/delay/0", method="OPTIONS")
        body = apicheck.check_error(self, res, 405, allow="GET, HEAD, POST, PUT, PATCH, DELETE")
        self.assertEqual(res.header("Allow"), body["allow"])
        # the other endpoints still take GET and HEAD only
        self.assertEqual(self.daemon.get("/non-blocking?delay=0", method="POST", body=b"").status, 405)

    def test_json_body(self):
        payload = {"a": [1, 0.1, "\u00e9", None, True], "b": {"c": -2.5e-7}, "n": 12345678901}
        text = json.dumps(payload)
        _, doc = self.send("POST", "/delay/0", text.encode(), "application/json")
        self.assertEqual(doc["data"], text)
        self.assertEqual(doc["json"], payload)
        self.assertEqual((doc["form"], doc["files"]), ({}, {}))
        # not JSON: data only, json null; a bare JSON value is JSON too
        _, doc = self.send("PUT", "/delay/0", b"{not json", "application/json")
        self.assertEqual((doc["data"], doc["json"]), ("{not json", None))
        _, doc = self.send("PATCH", "/delay/0", b"42", "text/plain")
        self.assertEqual((doc["data"], doc["json"]), ("42", 42))

    def test_form_urlencoded(self):
        _, doc = self.send("POST", "/delay/0?q=1", b"a=1&b=x+y&b=%E2%9C%93&empty=&bad=%zz",
                           "application/x-www-form-urlencoded")
        self.assertEqual(doc["form"], {"a": "1", "b": ["x y", "\u2713"], "empty": "", "bad": "%zz"})
        self.assertEqual((doc["data"], doc["json"], doc["files"], doc["args"]), ("", None, {}, {"q": "1"}))

    def test_multipart(self):
        body = multipart([("field", "value one"), ("field", "two"), ("other", "\u2713")],
                         [("upload", "a.txt", "text/plain", b"file text\r\nline 2"),
                          ("blob", "b.bin", "image/png", b"\x89PNG\x00\xff")])
        _, doc = self.send("POST", "/delay/0", body, f"multipart/form-data; boundary={BOUNDARY}")
        self.assertEqual(doc["form"], {"field": ["value one", "two"], "other": "\u2713"})
        self.assertEqual(doc["files"], {"upload": "file text\r\nline 2",
                                        "blob": "data:image/png;base64," + base64.b64encode(b"\x89PNG\x00\xff").decode()})
        self.assertEqual((doc["data"], doc["json"]), ("", None))
        # malformed (no closing delimiter): nothing parsed, still an answer
        _, doc = self.send("POST", "/delay/0", body[:-8], f"multipart/form-data; boundary={BOUNDARY}")
        self.assertEqual((doc["form"], doc["files"], doc["data"]), ({}, {}, ""))

    def test_binary_data(self):
        raw = bytes(range(256))
        _, doc = self.send("POST", "/delay/0", raw, "application/octet-stream")
        self.assertEqual(doc["data"], "data:application/octet-stream;base64," + base64.b64encode(raw).decode())
        self.assertIsNone(doc["json"])

    def test_over_http2(self):
        out = subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "-F", "f=@-;filename=x.txt", "-F", "k=v",
                              self.daemon.url("/delay/0?z=1")], input=b"from stdin", capture_output=True, timeout=10)
        self.assertEqual(out.returncode, 0, out.stderr)
        doc = json.loads(out.stdout)
        self.assertEqual((doc["form"], doc["files"], doc["args"]), ({"k": "v"}, {"f": "from stdin"}, {"z": "1"}))


if __name__ == "__main__":
    harness.main()
