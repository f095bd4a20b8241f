"""bench's request shaping (-X, -H, --body, --body-file, --content-type): what arrives at a recording
server is the same request from both engines, a HEAD answer is read without a body, bad values are refused
before anything is sent, and the daemon takes a shaped POST to /delay/{n}."""

import http.server
import json
import os
import tempfile
import threading

import harness

ENGINES = ("h2o", "curl")


class Recorder(http.server.BaseHTTPRequestHandler):
    """Records each request (method, path, headers in order, body) and answers 200 with a 5-byte body
    (its Content-Length sent for HEAD too, as RFC 9110 allows)."""
    protocol_version = "HTTP/1.1"
    seen = []
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def handle_one(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        with self.lock:
            self.seen.append((self.command, self.path, list(self.headers.items()), body))
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(b"hello")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_one


class ShapeTest(harness.DaemonTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
        cls.server.daemon_threads = True
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.base = f"http://127.0.0.1:{cls.server.server_address[1]}"

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def bench(self, *args, engine="h2o", n=2):
        with Recorder.lock:
            Recorder.seen.clear()
        proc = harness.run_ctl("bench", "--engine", engine, "-n", n, "-c", 1, "--no-progress", "--json", *args,
                               timeout=30)
        with Recorder.lock:
            return proc, list(Recorder.seen)

    def test_both_engines_send_the_same_request(self):
        got = {}
        for engine in ENGINES:
            with self.subTest(engine=engine):
                proc, seen = self.bench("-X", "PUT", "-H", "X-Trace: 42", "-H", "User-Agent: tester/1", "--body",
                                        '{"a":1}', "--content-type", "application/json", self.base + "/put",
                                        engine=engine)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertEqual(len(seen), 2)
                method, path, headers, body = seen[0]
                self.assertEqual((method, path, body), ("PUT", "/put", b'{"a":1}'))
                h = {k.lower(): v for k, v in headers}
                self.assertEqual(h["x-trace"], "42")
                self.assertEqual(h["user-agent"], "tester/1", "-H replaces bench's own User-Agent")
                self.assertEqual(h["content-type"], "application/json")
                self.assertEqual(h["content-length"], "7")
                self.assertNotIn("expect", h)
                self.assertEqual(len([k for k, _ in headers if k.lower() == "user-agent"]), 1)
                doc = json.loads(proc.stdout)
                self.assertEqual((doc["runs"][0]["engine"], doc["runs"][0]["ok"]), (engine, 2))
                got[engine] = sorted((k.lower(), v) for k, v in headers)
        self.assertEqual(got["h2o"], got["curl"])

    def test_body_alone_is_a_post_without_content_type(self):
        with tempfile.NamedTemporaryFile("wb", delete=False) as f:
            f.write(b"\x00binary\xffbody")
        self.addCleanup(os.unlink, f.name)
        for engine in ENGINES:
            with self.subTest(engine=engine):
                proc, seen = self.bench("--body-file", f.name, self.base + "/p", engine=engine, n=1)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                method, _, headers, body = seen[0]
                self.assertEqual(method, "POST")
                self.assertEqual(body, b"\x00binary\xffbody")
                self.assertNotIn("content-type", {k.lower() for k, _ in headers})

    def test_head_answer_read_without_body(self):
        for engine in ENGINES:
            with self.subTest(engine=engine):
                proc, seen = self.bench("-X", "HEAD", "-t", "5s", self.base + "/h", engine=engine, n=3)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertEqual([s[0] for s in seen], ["HEAD"] * 3)

    def test_bad_values_refused_before_sending(self):
        cases = [
            (("-H", "X: a\r\nInjected: 1"), "control character"),
            (("-H", "Content-Length: 9"), "sets Content-Length itself"),
            (("-X", "GE T"), "is not an HTTP method"),
            (("--body", "x", "--body-file", "/etc/hostname"), "give one of them"),
            (("--body-file", "/nonexistent/body"), "--body-file: /nonexistent/body: cannot open"),
            (("--body-file", "/dev/null"), "not a regular file"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                proc, seen = self.bench(*args, self.base + "/x")
                self.assertEqual(proc.returncode, 64, proc.stderr)
                self.assertIn(message, proc.stderr)
                self.assertEqual(proc.stdout, "")
                self.assertEqual(seen, [])

    def test_daemon_takes_a_shaped_post(self):
        d = self.start_daemon()
        for engine in ENGINES:
            with self.subTest(engine=engine):
                proc = harness.run_ctl("bench", "--engine", engine, "-n", 4, "-c", 2, "--no-progress", "--json",
                                       "-X", "POST", "--content-type", "application/json", "--body", '{"k":"v"}',
                                       d.url("/delay/0"), timeout=30)
                self.assertEqual(proc.returncode, 0, proc.stderr)
        st = d.stats()["endpoints"]["/delay"]
        self.assertEqual((st["requests"], st["completed"], st["status_4xx"]), (8, 8, 0))
        # a method the endpoint does not take: every answer a 405, the run exits 1
        proc = harness.run_ctl("bench", "-n", 2, "-c", 1, "--no-progress", "-X", "DELETE",
                               d.url("/non-blocking?delay=0"), timeout=30)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertEqual(d.stats()["endpoints"]["other"]["status_4xx"], 2)


if __name__ == "__main__":
    harness.main()
