"""/drip (docs/http-api.md, "/drip"): httpbin's dribbled body over HTTP/1.1 and HTTP/2: the head after
delay, numbytes bytes spread over duration (checked as they arrive), HEAD, many drips at once on timers,
a client that leaves counted cancelled, its own /stats slot, and the 400s."""

import socket
import time

import apicheck
import harness


class DripTest(harness.DaemonTestCase):
    def setUp(self):
        self.d = self.start_daemon()

    def test_bytes_arrive_spread_over_the_duration(self):
        # 5 bytes over 500 ms after 200 ms: the head at >= 200 ms, byte i not before 200 + 100 i ms
        with self.d.raw() as raw:
            t0 = time.monotonic()
            raw.send(harness.get_request("/drip?duration=500ms&numbytes=5&delay=200ms&code=201"))
            while b"\r\n\r\n" not in raw.buf:
                raw._fill()
            t_head = time.monotonic() - t0
            head, body = raw.buf.split(b"\r\n\r\n", 1)
            head += b"\r\n"
            self.assertTrue(head.startswith(b"HTTP/1.1 201 Created\r\n"), head)
            self.assertIn(b"\r\nContent-Length: 5\r\n", head)
            self.assertIn(b"\r\nContent-Type: application/octet-stream\r\n", head)
            arrivals = []
            while len(body) < 5:
                chunk = raw.sock.recv(5)
                self.assertTrue(chunk, "closed before the last byte")
                body += chunk
                arrivals.append((len(body), time.monotonic() - t0))
        self.assertEqual(body, b"*****")
        self.assertGreaterEqual(t_head, 0.2)
        for count, t in arrivals:  # never early; the whole within a generous bound
            self.assertGreaterEqual(t + 0.002, 0.2 + 0.1 * count, arrivals)
        self.assertGreaterEqual(len(arrivals), 3, f"the bytes came in pieces, not at once: {arrivals}")
        self.assertLess(arrivals[-1][1], 2.0, arrivals)
        ep = self.d.stats()["endpoints"]["/drip"]
        self.assertEqual((ep["requests"], ep["completed"], ep["in_flight"]), (1, 1, 0), ep)
        self.assertGreaterEqual(ep["latency_seconds"]["max"], 0.7)

    def test_http2_head_and_many_at_once(self):
        out = harness.curl("--http2-prior-knowledge", "-s", "-o", "-", "-w", "\n%{http_code} %{time_total}",
                           self.d.url("/drip?duration=300ms&numbytes=100000"))
        body, _, tail = out.stdout.rpartition(b"\n")
        code, took = tail.split()
        self.assertEqual((code, body), (b"200", b"*" * 100000), out.stderr)
        self.assertGreaterEqual(float(took), 0.3)
        head = self.d.get("/drip?duration=100ms&numbytes=7&code=503", method="HEAD")
        self.assertEqual((head.status, head.header("Content-Length"), head.body), (503, "7", b""))
        # 200 drips of 20 bytes over 1 s at once: all complete, each in about a second (timers, not threads)
        results = self.d.concurrent(["/drip?duration=1&numbytes=20"] * 200, timeout=20)
        for res in results:
            self.assertOk(res)
            self.assertEqual(res.body, b"*" * 20)
            self.assertGreaterEqual(res.took, 1.0)
        self.assertLess(max(r.took for r in results), 5.0)
        ep = self.d.stats()["endpoints"]["/drip"]
        # the 503 asked for is a fault, not an error
        self.assertEqual((ep["completed"], ep["fault_status"], ep["status_5xx"]), (202, 1, 0), ep)

    def test_client_leaving_is_counted_cancelled(self):
        sock = socket.create_connection((self.d.host, self.d.port))
        sock.sendall(harness.get_request("/drip?duration=2s&numbytes=20"))
        self.assertTrue(sock.recv(4096).startswith(b"HTTP/1.1 200"))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()  # a reset: the next piece fails to write
        s = self.d.wait_stats(lambda s: s["endpoints"]["/drip"]["cancelled"] == 1, 3, "the drip cancelled")
        self.assertEqual(s["endpoints"]["/drip"]["in_flight"], 0)
        apicheck.check_stats(self, s)

    def test_bad_parameters_refused(self):
        for query, param, what, allowed in (
                ("numbytes=0", "numbytes", "too small", "a whole number from 1 to 10485760"),
                ("numbytes=x", "numbytes", "not a whole number", "a whole number from 1 to 10485760"),
                ("code=204", "code", "a status without a body", None),
                ("code=600", "code", "above 599", None),
                ("duration=31s", "duration", "over max-delay (30s)", "0 to 30s"),
                ("delay=abc", "delay", None, "0 to 30s")):
            res = self.d.get(f"/drip?{query}")
            body = apicheck.check_error(self, res, 400, parameter=param)
            if what is not None:
                self.assertEqual(body["error"], f"bad {param}: {what}")
            if allowed is not None:
                self.assertEqual(body["allowed"], allowed)
        self.assertEqual(self.d.get("/drip", method="POST", body=b"x").status, 405)  # counted under "other"
        self.assertEqual(self.d.stats()["endpoints"]["/drip"]["status_4xx"], 6)


if __name__ == "__main__":
    harness.main()
