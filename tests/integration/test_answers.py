"""Every endpoint's answer: status, headers, JSON fields and types as docs/http-api.md gives them."""

import re
import time

import apicheck
import harness

JSON_ENDPOINTS = ("/non-blocking?delay=0", "/blocking?delay=0", "/offload?delay=0", "/delay/0", "/stats",
                  "/healthz")


class AnswersTest(harness.DaemonTestCase):
    def setUp(self):
        self.d = self.start_daemon()

    def assert_json_answer(self, res):
        self.assertEqual(res.status, 200, res)
        self.assertTrue(res.header("Content-Type", "").startswith("application/json"), res)
        self.assertEqual(res.header("Content-Length"), str(len(res.body)), res)
        self.assertIsNone(res.header("Transfer-Encoding"), res)
        return res.json()

    def test_sequence_starts_at_one_and_counts_delay_requests_only(self):
        self.d.get_json("/healthz")
        self.d.get_json("/stats")
        seqs = []
        for path in ("/non-blocking?delay=0", "/offload?delay=0", "/blocking?delay=0", "/delay/0"):
            body = self.d.get_json(path)
            seqs.append(body["asyncdemo"]["sequence"] if path.startswith("/delay/") else body["sequence"])
        self.assertEqual(seqs, [1, 2, 3, 4])

    def test_delay_endpoints(self):
        for endpoint in ("/non-blocking", "/blocking", "/offload"):
            with self.subTest(endpoint=endpoint):
                res = self.d.get(f"{endpoint}?delay=0.05")
                body = self.assert_json_answer(res)
                apicheck.check_delay_answer(self, body, endpoint, 0.05, pid=self.d.pid, res=res)
                self.assertEqual(body["thread"], "loop-0")

    def test_delay_zero_and_other_query_parameters(self):
        for path in ("/non-blocking?delay=0", "/non-blocking?x=1&delay=0&y", "/offload?delay=0&delay_x=5",
                     "/blocking?delay=0ms"):
            with self.subTest(path=path):
                body = self.assert_json_answer(self.d.get(path))
                self.assertEqual(body["requested_delay_seconds"], 0)
                self.assertGreaterEqual(body["waited_seconds"], 0)

    def test_units_and_default_delay(self):
        # Run together: the default (2 s) bounds the wall time of the whole test.
        cases = {"250ms": 0.25, "0.25": 0.25, "0.25s": 0.25, "250000us": 0.25, "250000000ns": 0.25,
                 "0.004m": 0.24, "0.0001h": 0.36, "": 2.0}
        paths = [f"/non-blocking?delay={v}" if v else "/non-blocking" for v in cases]
        results = self.d.concurrent(paths, timeout=15)
        for (text, seconds), res in zip(cases.items(), results):
            with self.subTest(delay=text or "(absent)"):
                self.assertOk(res)
                apicheck.check_delay_answer(self, res.json(), "/non-blocking", seconds, pid=self.d.pid, res=res)

    def test_stats(self):
        s = self.assert_json_answer(self.d.get("/stats"))
        apicheck.check_stats(self, s, pid=self.d.pid, version=harness.expected_version())
        self.assertEqual(s["threads"], 1)
        self.assertEqual(s["config"], {"max_delay_seconds": 30, "default_delay_seconds": 2, "pool_size": 8,
                                       "pool_queue": 64, "stall_threshold_seconds": 0.1, "watchdog_seconds": 0,
                                       "max_connections": 16384, "max_waiting": 50000,
                                       "header_timeout_seconds": 10, "idle_timeout_seconds": 10,
                                       "send_timeout_seconds": 30, "max_body_bytes": 1048576})
        self.assertEqual(s["offload"], {"busy": 0, "queued": 0})

    def test_stats_while_busy(self):
        # Shapes hold with requests in flight on every delay endpoint.
        paths = ["/non-blocking?delay=0.4", "/offload?delay=0.4", "/delay/0.4"]
        batch = harness.Background(self.d.concurrent, paths)
        eps = ("/non-blocking", "/offload", "/delay")
        # The offload job is picked up by a worker a moment after it is queued.
        s = self.d.wait_stats(lambda s: sum(s["endpoints"][ep]["in_flight"] for ep in eps) == 3
                              and s["offload"]["busy"] == 1, 2, "3 requests in flight, one worker busy")
        apicheck.check_stats(self, s, pid=self.d.pid)
        self.assertEqual(s["offload"], {"busy": 1, "queued": 0})
        for ep in eps:
            self.assertEqual(s["endpoints"][ep]["in_flight"], 1, s["endpoints"][ep])
        for res in batch.result():
            self.assertOk(res)

    def test_healthz(self):
        body = self.assert_json_answer(self.d.get("/healthz"))
        self.assertEqual(set(body), {"status", "version", "uptime_seconds"})
        self.assertEqual(body["status"], "ok")
        self.assertIsInstance(body["version"], str)
        if harness.expected_version():
            self.assertEqual(body["version"], harness.expected_version())
        self.assertTrue(apicheck.is_number(body["uptime_seconds"]))
        time.sleep(0.2)
        later = self.d.get_json("/healthz")["uptime_seconds"]
        self.assertGreater(later, body["uptime_seconds"] + 0.1)

    def test_metrics_headers(self):
        res = self.d.get("/metrics")
        self.assertEqual(res.status, 200)
        ctype = res.header("Content-Type", "")
        self.assertTrue(ctype.startswith("text/plain"), ctype)
        self.assertEqual(ctype.replace(" ", ""), "text/plain;version=0.0.4;charset=utf-8")
        self.assertEqual(res.header("Content-Length"), str(len(res.body)))

    def test_trailing_query_allowed_everywhere(self):
        for path in ("/stats?x=1", "/healthz?probe", "/metrics?format=text", "/delay/0?a=b"):
            with self.subTest(path=path):
                self.assertEqual(self.d.get(path).status, 200)

    def test_content_length_everywhere(self):
        for path in JSON_ENDPOINTS + ("/metrics", "/nope", "/non-blocking?delay=abc"):
            with self.subTest(path=path):
                res = self.d.get(path)
                self.assertEqual(res.header("Content-Length"), str(len(res.body)), res)
        res = self.d.get("/stats", method="POST", body=b"")
        self.assertEqual(res.header("Content-Length"), str(len(res.body)), res)


class WireFormatTest(harness.SharedDaemonTestCase):
    """Over HTTP/1.1 as sent: every JSON body ends with a newline, and every header name is canonical
    ("Content-Type", as h2o writes its own "Content-Length"), never a mix of cases."""

    CANONICAL = re.compile(r"^[A-Z][a-z0-9]*(-[A-Z][a-z0-9]*)*$")

    def answers(self):
        d = self.daemon
        yield "GET /healthz", d.raw, harness.get_request("/healthz"), False
        yield "GET /stats", d.raw, harness.get_request("/stats"), False
        yield "GET /metrics", d.raw, harness.get_request("/metrics"), False
        yield "GET /delay/0", d.raw, harness.get_request("/delay/0?a=1"), False
        yield "GET /offload", d.raw, harness.get_request("/offload?delay=0"), False
        yield "400", d.raw, harness.get_request("/non-blocking?delay=abc"), False
        yield "404", d.raw, harness.get_request("/nope"), False
        yield "405", d.raw, harness.get_request("/stats", method="DELETE"), False
        yield "431", d.raw, harness.get_request("/stats", extra="X-Big: " + "a" * 40000 + "\r\n"), False
        yield "HEAD", d.raw, harness.get_request("/healthz", method="HEAD"), True
        yield "GET /", d.raw, harness.get_request("/"), False  # the page's security headers
        yield "HEAD /events", d.raw, harness.get_request("/events", method="HEAD"), True
        # answered by libh2o itself while reading the body: made JSON like the rest
        yield "broken chunked", d.raw, harness.get_request("/delay/0", method="POST",
                                                           extra="Transfer-Encoding: chunked\r\n") + b"zz\r\n", False
        yield "413", d.raw, harness.get_request("/delay/0", method="POST", extra="Content-Length: 99999999\r\n"), False
        yield "417", d.raw, harness.get_request("/delay/0", method="POST", extra="Expect: 100-foo\r\n"
                                                "Content-Length: 1\r\n") + b"x", False

    def test_stream_head_canonical(self):
        # a GET /events stream never ends: its head alone (h2o's own transfer-encoding is lower case)
        with self.daemon.raw() as c:
            c.send(harness.get_request("/events", extra="Accept: text/event-stream\r\n"))
            res = c.read_response(head=True)
        names = [name for name, _ in res.headers if name.lower() != "transfer-encoding"]
        self.assertIn("Content-Type", names, res)
        self.assertEqual(res.header("Content-Type"), "text/event-stream", res)
        for name in names:
            self.assertRegex(name, self.CANONICAL, names)

    def test_header_names_canonical_and_json_ends_with_newline(self):
        self.server = harness.server_header()
        for what, raw, request, head in self.answers():
            with self.subTest(what=what), raw() as c:
                c.send(request)
                res = c.read_response(head=head)
                names = [name for name, _ in res.headers]
                self.assertIn("Content-Type", names, res)
                # once on every answer, h2o's own errors' too (a filter adds it, respond.c)
                self.assertEqual([v for n, v in res.headers if n.lower() == "server"], [self.server], f"{what}: {res}")
                for name in names:
                    self.assertRegex(name, self.CANONICAL, f"{what}: {names}")
                if head:
                    self.assertEqual(res.body, b"", res)
                elif res.header("Content-Type").startswith("application/json"):
                    self.assertTrue(res.body.endswith(b"}\n"), res)
                    self.assertEqual(res.body.count(b"\n"), 1, res)
                    res.json()
                else:
                    self.assertTrue(res.body.endswith(b"\n"), res)

    def test_retry_after_canonical(self):
        # the 503 of a full pool carries Retry-After: written canonical like the rest
        d = harness.Daemon("--pool-size", "1", "--pool-queue", "0")
        with d:
            busy = harness.Background(d.get, "/offload?delay=0.5")
            d.wait_stats(lambda s: s["offload"]["busy"] == 1, 3, "the one worker busy")
            with d.raw() as c:
                c.send(harness.get_request("/offload?delay=0"))
                res = c.read_response()
            self.assertEqual(res.status, 503, res)
            self.assertIn("Retry-After", [name for name, _ in res.headers], res)
            self.assertTrue(res.body.endswith(b"}\n"), res)
            self.assertEqual(busy.result().status, 200)


if __name__ == "__main__":
    harness.main()
