"""HTTP framing: HEAD, HTTP/1.0, keep-alive, pipelining, HTTP/2 with prior knowledge."""

import json
import re
import socket
import subprocess
import time

import harness

# Every endpoint in a form that answers quickly, with the status GET gets.
ENDPOINTS = {
    "/non-blocking?delay=0": 200,
    "/blocking?delay=0": 200,
    "/offload?delay=0": 200,
    "/delay/0": 200,
    "/stats": 200,
    "/metrics": 200,
    "/healthz": 200,
    "/nope": 404,
    "/non-blocking?delay=abc": 400,
}
# Headers whose value may differ between two answers to the same request.
VOLATILE = {"date", "content-length", "server-timing"}


class ProtocolsTest(harness.DaemonTestCase):
    def setUp(self):
        self.d = self.start_daemon()

    def test_head_matches_get_without_body(self):
        for path, status in ENDPOINTS.items():
            with self.subTest(path=path), self.d.raw() as c:
                c.send(harness.get_request(path, method="GET"))
                get = c.read_response()
                # HEAD, then a GET on the same connection: had HEAD sent a body, the second status line
                # would not parse.
                c.send(harness.get_request(path, method="HEAD") + harness.get_request("/healthz"))
                head = c.read_response(head=True)
                after = c.read_response()
                self.assertEqual(after.status, 200, "the answer after HEAD is framed correctly")
                self.assertEqual(after.json()["status"], "ok")
                self.assertEqual(get.status, status, get)
                self.assertEqual(head.status, status, head)
                self.assertEqual({k.lower() for k, _ in head.headers}, {k.lower() for k, _ in get.headers}, path)
                for name, value in get.headers:
                    if name.lower() not in VOLATILE:
                        self.assertEqual(head.header(name), value, f"{path}: header {name}")
                length = head.header("Content-Length")
                self.assertIsNotNone(length, f"HEAD {path}: Content-Length")
                # The same document but for figures that moved between the two requests.
                self.assertGreater(int(length), 0)
                self.assertLess(abs(int(length) - len(get.body)), max(16, len(get.body) // 10), path)

    def test_server_timing(self):
        # every answer says how long it waited, in ms; the delay endpoints' figure covers the delay
        res = self.d.get("/non-blocking?delay=50ms")
        m = re.fullmatch(r"wait;dur=(\d+)\.(\d{3})", res.header("Server-Timing") or "")
        self.assertIsNotNone(m, res.headers)
        self.assertTrue(50.0 <= float(f"{m.group(1)}.{m.group(2)}") < 50.0 + res.took * 1000, res.headers)
        for path in ("/nope", "/stats", "/status/503", "/non-blocking?delay=abc"):
            self.assertRegex(self.d.get(path).header("Server-Timing") or "", r"^wait;dur=\d+\.\d{3}$", path)
        with self.d.raw() as raw:  # canonical on HTTP/1, like the other names
            raw.send(harness.get_request("/healthz"))
            self.assertIn("Server-Timing", [name for name, _ in raw.read_response().headers])
        out = harness.curl("--http2-prior-knowledge", "-s", "-i", self.d.url("/drip?duration=0&numbytes=1&delay=30ms"))
        m = re.search(rb"\r\nserver-timing: wait;dur=(\d+\.\d{3})\r\n", out.stdout)
        self.assertIsNotNone(m, out.stdout)
        self.assertGreaterEqual(float(m.group(1)), 30.0)

    def test_server_header_once_over_http2(self):
        server = harness.server_header()
        for args in ((self.d.url("/healthz"),), (self.d.url("/nope"),), ("--max-time", "3", self.d.url("/events"))):
            out = harness.curl("--http2-prior-knowledge", "-s", "-i", *args)
            head = out.stdout.split(b"\r\n\r\n")[0] + b"\r\n"
            self.assertEqual(re.findall(rb"\r\nserver: ([^\r]*)\r\n", head), [server.encode()], out.stdout)
        # h2o's own error (a header name in upper case: 400 "invalid headers" before any handler runs)
        h2 = harness.import_h2()
        conn = h2.connection.H2Connection(h2.config.H2Configuration(
            client_side=True, header_encoding="utf-8", validate_outbound_headers=False,
            normalize_outbound_headers=False))
        with socket.create_connection((self.d.host, self.d.port), timeout=harness.scaled(10)) as sock:
            conn.initiate_connection()
            conn.send_headers(1, [(":method", "GET"), (":scheme", "http"), (":authority", "x"),
                                  (":path", "/healthz"), ("X-Upper", "1")], end_stream=True)
            sock.sendall(conn.data_to_send())
            headers = None
            while headers is None:
                data = sock.recv(65536)
                self.assertTrue(data, "the connection closed before an answer")
                for ev in conn.receive_data(data):
                    if isinstance(ev, h2.events.ResponseReceived):
                        headers = ev.headers
        self.assertIn((":status", "400"), headers)
        self.assertEqual([v for n, v in headers if n == "server"], [server], headers)

    def test_http_1_0(self):
        for path in ("/healthz", "/non-blocking?delay=0.05", "/nope"):
            with self.subTest(path=path), self.d.raw() as c:
                c.send(harness.get_request(path, version="HTTP/1.0"))
                res = c.read_response()
                self.assertRegex(res.http_version, r"^HTTP/1\.[01]$")
                self.assertEqual(res.status, 404 if path == "/nope" else 200, res)
                self.assertEqual(res.header("Content-Length"), str(len(res.body)))
                res.json()
                self.assertEqual(c.read_to_close(), b"", "HTTP/1.0 without keep-alive: closed after the answer")

    def test_keep_alive_reuses_one_connection(self):
        conn = self.d.connection()
        try:
            for path in ("/healthz", "/non-blocking?delay=0", "/delay/0", "/nope", "/non-blocking?delay=x"):
                res = self.d.get(path, conn=conn)
                self.assertNotEqual(res.header("Connection", "").lower(), "close", res)
            local = conn.sock.getsockname()
            s = self.d.get("/stats", conn=conn).json()
            self.assertEqual(conn.sock.getsockname(), local, "same socket throughout")
            self.assertEqual(s["connections"]["total"], 1, s["connections"])
            self.assertEqual(s["connections"]["open"], 1, s["connections"])
        finally:
            conn.close()

    def test_connection_close_is_honoured(self):
        with self.d.raw() as c:
            c.send(harness.get_request("/healthz", extra="Connection: close\r\n"))
            res = c.read_response()
            self.assertEqual(res.status, 200)
            self.assertEqual(c.read_to_close(), b"")

    def test_pipelining_answers_in_order(self):
        paths = ["/non-blocking?delay=0.2", "/healthz", "/non-blocking?delay=0", "/delay/0.1", "/nope"]
        with self.d.raw() as c:
            c.send(b"".join(harness.get_request(p) for p in paths))
            answers = [c.read_response() for _ in paths]
        self.assertEqual([a.status for a in answers], [200, 200, 200, 200, 404])
        self.assertEqual(answers[0].json()["requested_delay_seconds"], 0.2)
        self.assertEqual(answers[1].json()["status"], "ok")
        self.assertEqual(answers[2].json()["requested_delay_seconds"], 0)
        self.assertEqual(answers[3].json()["asyncdemo"]["requested_delay_seconds"], 0.1)

    def curl_h2(self, *args):
        out = harness.curl("--http2-prior-knowledge", "-w", "\n%{http_version} %{http_code}", *args)
        self.assertEqual(out.returncode, 0, out.stderr)
        body, _, tail = out.stdout.rpartition(b"\n")
        version, code = tail.decode().split()
        return version, int(code), body

    def test_http2_prior_knowledge_every_endpoint(self):
        for path, status in ENDPOINTS.items():
            with self.subTest(path=path):
                version, code, body = self.curl_h2(self.d.url(path))
                self.assertEqual(version, "2")
                self.assertEqual(code, status, body)
                if path != "/metrics":
                    json.loads(body.decode("utf-8"))

    def test_http2_head_and_405(self):
        out = harness.curl("--http2-prior-knowledge", "-I", self.d.url("/healthz"))
        self.assertEqual(out.returncode, 0, out.stderr)
        head = out.stdout.decode("latin-1")
        self.assertRegex(head, r"^HTTP/2 200")
        self.assertRegex(head, r"(?im)^content-length: [1-9]\d*\r?$")
        out = harness.curl("--http2-prior-knowledge", "-i", "-X", "DELETE", self.d.url("/healthz"))
        text = out.stdout.decode("latin-1")
        self.assertRegex(text, r"^HTTP/2 405")
        self.assertRegex(text, r"(?im)^allow: GET, HEAD\r?$")

    def test_http2_multiplexes_one_connection(self):
        # Five streams on one connection, all waiting at once.
        delay = 0.4
        t0 = time.monotonic()
        out = subprocess.run(["h2load", "-n5", "-c1", "-m5", self.d.url(f"/non-blocking?delay={delay}")],
                             capture_output=True, text=True, timeout=30)
        took = time.monotonic() - t0
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertRegex(out.stdout, r"status codes: 5 2xx", out.stdout)
        self.assertIn("h2c", out.stdout)
        self.assertLess(took, 2 * delay + 1.0, out.stdout)  # h2load's own start-up included
        s = self.d.stats()
        ep = s["endpoints"]["/non-blocking"]
        self.assertEqual((ep["requests"], ep["completed"], ep["peak_in_flight"]), (5, 5, 5), ep)
        self.assertEqual(s["connections"]["total"], 2, "h2load's one connection, then this /stats")

    def test_http2_delay_reflects_headers(self):
        version, code, body = self.curl_h2("-H", "X-Probe-Header: h2", self.d.url("/delay/0?x=1"))
        self.assertEqual((version, code), ("2", 200))
        doc = json.loads(body)
        self.assertEqual(doc["headers"].get("X-Probe-Header"), "h2", doc["headers"])
        self.assertEqual(doc["headers"].get("Host"), f"127.0.0.1:{self.d.port}", doc["headers"])
        self.assertEqual(doc["args"], {"x": "1"})
        self.assertFalse(any(k.startswith(":") for k in doc["headers"]), "no HTTP/2 pseudo-headers")
        self.assertTrue(all(re.match(r"^[A-Z0-9][a-z0-9]*(-[A-Z0-9][a-z0-9]*)*$", k) for k in doc["headers"]),
                        doc["headers"])


if __name__ == "__main__":
    harness.main()
