"""Delays that vary (docs/http-api.md, "delay"): ranges, weighted choices, lognormal tails, jitter and
seed= on every delay endpoint, over HTTP/1.1 and HTTP/2, and the 400 that names the parameter."""

import json

import apicheck
import h2frames
import harness

ENDPOINTS = ("/non-blocking", "/blocking", "/offload")


class VaryingDelaysTest(harness.DaemonTestCase):
    def setUp(self):
        self.d = self.start_daemon()

    def delay_answer(self, path):
        body = self.d.get_json(path)
        return body["asyncdemo"] if path.startswith("/delay/") else body

    def test_uniform_range_in_bounds(self):
        # 40 draws of 0..10ms at once: each in range, its wait at least its draw.
        results = self.d.concurrent(["/non-blocking?delay=0..10ms"] * 40, timeout=15)
        drawn = []
        for res in results:
            self.assertOk(res)
            body = res.json()
            apicheck.check_delay_answer(self, body, "/non-blocking", body["requested_delay_seconds"], res=res)
            self.assertEqual(body["delay"]["asked"], "0..10ms")
            self.assertEqual(body["delay"]["jitter_seconds"], 0)
            self.assertNotIn("seed", body["delay"])
            self.assertGreaterEqual(body["delay"]["drawn_seconds"], 0)
            self.assertLessEqual(body["delay"]["drawn_seconds"], 0.01)
            drawn.append(body["delay"]["drawn_seconds"])
        self.assertGreater(len(set(drawn)), 1, "40 draws of a range are not all the same")

    def test_seed_reproduces_the_draw_on_every_endpoint(self):
        query = "jitter=2ms&seed=7"
        draws = set()
        for endpoint in ENDPOINTS:
            body = self.delay_answer(f"{endpoint}?delay=1ms..9ms&{query}")
            apicheck.check_delay_answer(self, body, endpoint, body["requested_delay_seconds"])
            self.assertEqual(body["delay"], {"asked": "1ms..9ms", "jitter_seconds": 0.002, "seed": 7,
                                             "seed_index": 0, "drawn_seconds": body["requested_delay_seconds"]})
            draws.add(body["requested_delay_seconds"])
        body = self.delay_answer(f"/delay/1ms..9ms?{query}")
        apicheck.check_delay_answer(self, body, "/delay", body["requested_delay_seconds"])
        draws.add(body["requested_delay_seconds"])
        self.assertEqual(len(draws), 1, draws)
        # the same over HTTP/2
        out = harness.curl("--http2-prior-knowledge", self.d.url(f"/non-blocking?delay=1ms..9ms&{query}"))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout)["requested_delay_seconds"], draws.pop())

    def seeded_series(self, path, n, http2=False):
        """n requests of path on one new connection: [(status, seed_index or None, drawn seconds or None)]."""
        if http2:  # n streams at once, numbered in the order they arrive; an error answer says its status
            bodies = [json.loads(b) for b in h2frames.h2_bodies(self.d.host, self.d.port, [path] * n)]
            answers = [(body.get("status", 200), body) for body in bodies]
        else:
            conn = self.d.connection()
            try:
                answers = [(res.status, res.json()) for res in (self.d.get(path, conn=conn) for _ in range(n))]
            finally:
                conn.close()
        return [(status, body.get("delay", {}).get("seed_index"), body.get("requested_delay_seconds"))
                for status, body in answers]

    def test_seed_sequence_per_connection(self):
        # The k-th request with seed=N on a connection draws the k-th value of N's sequence: the same series on
        # every connection, over HTTP/1.1 and HTTP/2; varied within it; another seed, another series.
        n = 10
        path = "/non-blocking?delay=0..2ms&seed=7"
        first = self.seeded_series(path, n)
        self.assertEqual([k for _, k, _ in first], list(range(n)))
        self.assertGreater(len({d for _, _, d in first}), n // 2, first)
        self.assertEqual(self.seeded_series(path, n), first)
        self.assertEqual(self.seeded_series(path, n, http2=True), first)
        other = self.seeded_series(path.replace("seed=7", "seed=8"), n)
        self.assertNotEqual([d for _, _, d in other], [d for _, _, d in first])
        # status= draws follow the same rule (an injected answer has no delay object: statuses compared)
        path = "/non-blocking?delay=0&status=503:50&seed=7"
        statuses = [s for s, _, _ in self.seeded_series(path, 16)]
        self.assertEqual(set(statuses), {200, 503}, statuses)
        self.assertEqual([s for s, _, _ in self.seeded_series(path, 16)], statuses)
        self.assertEqual([s for s, _, _ in self.seeded_series(path, 16, http2=True)], statuses)
        self.assertNotEqual([s for s, _, _ in self.seeded_series(path.replace("seed=7", "seed=9"), 16)], statuses)

    def test_weighted_and_lognormal(self):
        for _ in range(20):
            body = self.delay_answer("/non-blocking?delay=0:1,3ms:1")
            self.assertIn(body["requested_delay_seconds"], (0, 0.003))
        for _ in range(5):
            body = self.delay_answer("/offload?delay=lognormal:p50%3D1ms,p99%3D5ms")
            self.assertEqual(body["delay"]["asked"], "lognormal:p50=1ms,p99=5ms")
            self.assertLessEqual(body["requested_delay_seconds"], 30)
        body = self.delay_answer("/non-blocking?delay=lognormal:p50=1ms,p99=5ms")  # '=' unencoded
        self.assertEqual(body["delay"]["asked"], "lognormal:p50=1ms,p99=5ms")

    def test_default_delay_with_jitter_names_the_default(self):
        body = self.delay_answer("/non-blocking?jitter=1ms&delay=0")
        self.assertGreaterEqual(body["requested_delay_seconds"], 0)
        self.assertLessEqual(body["requested_delay_seconds"], 0.001)
        body = self.delay_answer("/delay/0?seed=1")  # a fixed delay with seed=: still says what was asked
        self.assertEqual(body["delay"]["asked"], "0")
        self.assertEqual(body["requested_delay_seconds"], 0)

    def test_fixed_delay_answer_has_no_delay_object(self):
        self.assertNotIn("delay", self.delay_answer("/non-blocking?delay=0"))

    def test_refusals_name_the_parameter(self):
        cases = [("/non-blocking?delay=2s..1s", "delay", "range's end below its start", "2s..1s"),
                 ("/offload?delay=10ms:0", "delay", "a weight must be a whole number from 1 to 1000000", "10ms:0"),
                 ("/blocking?delay=lognormal:p50%3D2s,p99%3D1s", "delay", "lognormal p99 below p50",
                  "lognormal:p50=2s,p99=1s"),
                 ("/non-blocking?delay=0..1m", "delay", "over max-delay (30s)", "0..1m"),
                 ("/non-blocking?delay=0&jitter=1s..2s", "jitter", "not a duration", "1s..2s"),
                 ("/delay/0?seed=x", "seed", "not a whole number", "x"),
                 ("/delay/1s..0", "n", "range's end below its start", "1s..0")]
        for path, param, what, value in cases:
            for version in ("1.1", "2"):
                with self.subTest(path=path, http=version):
                    if version == "1.1":
                        res = self.d.get(path)
                        status, body = res.status, res.json()
                    else:
                        out = harness.curl("--http2-prior-knowledge", "-w", "\n%{http_code}", self.d.url(path))
                        text, code = out.stdout.decode().rsplit("\n", 1)
                        status, body = int(code), json.loads(text)
                    self.assertEqual(status, 400, body)
                    self.assertEqual(body["error"], f"bad {param}: {what}")
                    self.assertEqual(body["parameter"], param)
                    self.assertEqual(body["value"], value)


    def test_size_pads_every_delay_endpoint(self):
        for path in ("/non-blocking?delay=1ms&", "/blocking?delay=0&", "/offload?delay=0&", "/delay/0?"):
            for size in (1000, 70000):
                res = self.d.get(f"{path}size={size}")
                self.assertOk(res)
                self.assertEqual(len(res.body), size, path)
                self.assertEqual(res.header("Content-Length"), str(size))
                body = res.json()
                self.assertEqual(set(body["padding"]), {"*"})
        out = harness.curl("--http2-prior-knowledge", self.d.url("/non-blocking?delay=0&size=5000"))
        self.assertEqual(len(out.stdout), 5000, out.stderr)
        small = self.d.get("/non-blocking?delay=0&size=10")  # shorter than the answer: left as it is
        self.assertOk(small)
        self.assertNotIn("padding", small.json())
        apicheck.check_error(self, self.d.get("/non-blocking?size=0"), 400, error="bad size: too small",
                             parameter="size", allowed="a whole number of bytes from 1 to 10485760")


if __name__ == "__main__":
    harness.main()
