"""Faults asked for on the delay endpoints (docs/http-api.md, "Faults"): status= (a status with a
probability), close= (no answer: a FIN or, with :reset, an RST on HTTP/1; RST_STREAM or a reset
connection on HTTP/2) and ttfb= (the head before the body), each counted in /stats and /metrics apart
from real errors, and the 400s."""

import json
import socket
import time

import apicheck
import harness


class InjectedFaultsTest(harness.DaemonTestCase):
    def setUp(self):
        self.d = self.start_daemon()

    def endpoint(self, name):
        return self.d.stats()["endpoints"][name]

    def test_status_share_is_within_bounds(self):
        # 400 draws of 50 %: a correct draw lands in 30 %..70 % (10 standard deviations either side).
        conn = self.d.connection()
        statuses = []
        try:
            for _ in range(400):
                res = self.d.get("/non-blocking?delay=0&status=503:50", conn=conn)
                statuses.append(res.status)
                if res.status == 503:
                    apicheck.check_error(self, res, 503, injected=True)
                else:
                    self.assertOk(res)
        finally:
            conn.close()
        injected = statuses.count(503)
        self.assertEqual(injected + statuses.count(200), 400, statuses)
        self.assertTrue(120 <= injected <= 280, injected)
        ep = self.endpoint("/non-blocking")
        # counted as faults, not as real errors
        self.assertEqual((ep["fault_status"], ep["status_5xx"], ep["completed"]), (injected, 0, 400), ep)
        metrics = self.d.get("/metrics").body.decode()
        self.assertIn(f'\nasyncdemo_faults_status_total{{endpoint="/non-blocking"}} {injected}\n', metrics)
        self.assertIn('\nasyncdemo_responses_total{endpoint="/non-blocking",class="5xx"} 0\n', metrics)

    def test_status_on_every_delay_endpoint_after_the_delay(self):
        for path in ("/non-blocking?delay=30ms&", "/blocking?delay=30ms&", "/offload?delay=30ms&", "/delay/30ms?"):
            res = self.d.get(path + "status=429:100")
            apicheck.check_error(self, res, 429, error="injected by status=", injected=True)
            self.assertEqual(res.reason, "Too Many Requests")
            self.assertGreaterEqual(res.took, 0.03, path)
            self.assertEqual(res.json()["delay_seconds"], 0.03)
        head = self.d.get("/non-blocking?delay=0&status=500:100", method="HEAD")
        self.assertEqual((head.status, head.body), (500, b""))
        out = harness.curl("--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code}",
                           self.d.url("/non-blocking?delay=0&status=502:100"))
        self.assertEqual(out.stdout, b"502", out.stderr)
        s = self.d.stats()
        for name in ("/non-blocking", "/blocking", "/offload", "/delay"):
            ep = s["endpoints"][name]
            self.assertEqual((ep["fault_status"], ep["status_4xx"], ep["status_5xx"]),
                             (3 if name == "/non-blocking" else 1, 0, 0), name)

    def test_close_sends_nothing_and_is_counted(self):
        for path, reset in (("/non-blocking?delay=20ms&close=100", False), ("/offload?delay=0&close=100", False),
                            ("/delay/0?close=100:reset", True), ("/blocking?delay=0&close=100:reset", True)):
            with self.d.raw() as raw:
                raw.send(harness.get_request(path))
                if reset:
                    with self.assertRaises(ConnectionResetError, msg=path):
                        while raw.sock.recv(65536):
                            pass
                else:
                    self.assertEqual(raw.sock.recv(65536), b"", path)  # a FIN, no byte of an answer
        s = self.d.stats()["endpoints"]
        self.assertEqual((s["/non-blocking"]["fault_closed"], s["/offload"]["fault_closed"]), (1, 1), s)
        self.assertEqual((s["/delay"]["fault_reset"], s["/blocking"]["fault_reset"]), (1, 1), s)
        for name in ("/non-blocking", "/offload", "/delay", "/blocking"):
            self.assertEqual((s[name]["completed"], s[name]["cancelled"], s[name]["in_flight"]), (0, 0, 0), name)
        # the daemon goes on answering
        self.assertOk(self.d.get("/non-blocking?delay=0"))

    def test_close_over_http2(self):
        # close=: RST_STREAM (curl: exit 92, "stream was not closed cleanly"); :reset: the connection is reset
        # (curl: 56 when reading, 55 when it was sending, e.g. its SETTINGS acknowledgement)
        out = harness.curl("--http2-prior-knowledge", self.d.url("/non-blocking?delay=0&close=100"))
        self.assertEqual(out.returncode, 92, out.stderr)
        out = harness.curl("--http2-prior-knowledge", self.d.url("/non-blocking?delay=0&close=100:reset"))
        self.assertIn(out.returncode, (55, 56), out.stderr)
        self.assertIn(b"reset by peer", out.stderr)
        ep = self.d.wait_stats(lambda s: s["endpoints"]["/non-blocking"]["fault_reset"] == 1, 3, "the reset")
        self.assertEqual(ep["endpoints"]["/non-blocking"]["fault_closed"], 1)

    def test_close_share_and_seed(self):
        # 200 fresh connections with close=25: closed ones raise, answered ones are 200; 10 %..40 % closed
        closed = 0
        for _ in range(200):
            try:
                res = self.d.get("/non-blocking?delay=0&close=25")
                self.assertOk(res)
            except (ConnectionError, socket.error, harness.http.client.HTTPException):
                closed += 1
        self.assertTrue(20 <= closed <= 80, closed)
        self.d.wait_stats(lambda s: s["endpoints"]["/non-blocking"]["fault_closed"] == closed, 3, "the closes")
        # seed=: the same outcome for every request
        for seed in range(1, 6):
            seen = {self.d.get(f"/non-blocking?delay=0&status=503:50&seed={seed}").status for _ in range(5)}
            self.assertEqual(len(seen), 1, (seed, seen))

    def test_ttfb_sends_the_head_first(self):
        # HTTP/1.1: the head (chunked) at >= 150 ms, the rest of the answer at >= 400 ms
        for path in ("/non-blocking?delay=400ms&ttfb=150ms", "/offload?delay=400ms&ttfb=150ms",
                     "/delay/400ms?ttfb=150ms"):
            with self.d.raw() as raw:
                t0 = time.monotonic()
                raw.send(harness.get_request(path))
                while b"\r\n\r\n" not in raw.buf:
                    raw._fill()
                t_head = time.monotonic() - t0
                self.assertTrue(raw.buf.startswith(b"HTTP/1.1 200 OK\r\n"), raw.buf)
                res = raw.read_response()  # chunked: the '{' came with the head, the rest at the end
                t_end = time.monotonic() - t0
            self.assertTrue(0.15 <= t_head < 0.4, (path, t_head))
            self.assertGreaterEqual(t_end, 0.4, path)
            body = res.json()
            self.assertEqual(body["asyncdemo"]["requested_delay_seconds"] if path.startswith("/delay/")
                             else body["requested_delay_seconds"], 0.4)
        # HTTP/2, with an injected status: the status is in the early head
        out = harness.curl("--http2-prior-knowledge", "-s", "-w", "\n%{http_code} %{time_starttransfer} %{time_total}",
                           self.d.url("/non-blocking?delay=400ms&ttfb=100ms&status=503:100"))
        body, _, tail = out.stdout.rpartition(b"\n")
        code, ttfb, total = tail.split()
        self.assertEqual(code, b"503", out.stderr)
        self.assertTrue(0.1 <= float(ttfb) < 0.4 <= float(total), tail)
        self.assertEqual(json.loads(body)["injected"], True)
        # close= after an early head: the answer ends in an error (curl: 18 or 92), counted as closed
        out = harness.curl("-s", self.d.url("/non-blocking?delay=200ms&ttfb=50ms&close=100"))
        self.assertIn(out.returncode, (18, 52, 56), out.stderr)
        out = harness.curl("--http2-prior-knowledge", "-s", self.d.url("/non-blocking?delay=200ms&ttfb=50ms&close=100"))
        self.assertEqual(out.returncode, 92, out.stderr)
        s = self.d.wait_stats(lambda s: s["endpoints"]["/non-blocking"]["fault_closed"] == 2, 3, "two closes")
        ep = s["endpoints"]["/non-blocking"]
        self.assertEqual((ep["fault_status"], ep["completed"], ep["in_flight"]), (1, 2, 0), ep)
        # a client that leaves after the head is counted cancelled
        with self.d.raw() as raw:
            raw.send(harness.get_request("/non-blocking?delay=2s&ttfb=20ms"))
            while b"\r\n\r\n" not in raw.buf:
                raw._fill()
            raw.close(reset=True)
        self.d.wait_stats(lambda s: s["endpoints"]["/non-blocking"]["cancelled"] == 1, 3, "the cancelled one")
        # /blocking cannot send a head while it blocks the loop
        res = self.d.get("/blocking?delay=100ms&ttfb=10ms")
        apicheck.check_error(self, res, 400, parameter="ttfb", value="10ms")
        apicheck.check_stats(self, self.d.stats())

    def test_bad_faults_refused(self):
        for query, param, what in (("status=600:1", "status", "a status must be 400 to 599"),
                                   ("status=503:60,500:50", "status", "percentages add up to more than 100"),
                                   ("status=503", "status", "a choice needs CODE:PERCENT"),
                                   ("close=5:rst", "close", "after the percentage only :reset may follow"),
                                   ("close=101", "close",
                                    "a percentage must be a number from 0 to 100 (up to 4 decimals)")):
            res = self.d.get(f"/non-blocking?{query}")
            apicheck.check_error(self, res, 400, error=f"bad {param}: {what}", parameter=param)
            self.assertIn("PERCENT", res.json()["allowed"])  # what the parameter takes, not a delay range
        apicheck.check_stats(self, self.d.stats())


if __name__ == "__main__":
    harness.main()
