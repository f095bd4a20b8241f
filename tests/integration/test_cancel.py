"""A client that vanishes mid-delay: the wait is cancelled at once and counted, and the daemon serves on."""

import socket
import subprocess
import time

import harness

LONG = harness.scaled(3.0)  # the abandoned delay; cancellation must be seen well before it would have ended
NOTICE = 1.5  # seconds the daemon gets to notice a vanished client
GIVE_UP = harness.scaled(0.7)  # how long an HTTP/2 client waits before it goes (all its streams in a handler)
SHORT = harness.scaled(0.8)  # a delay that must still be running after a few steps of the test


class CancelTest(harness.DaemonTestCase):
    def setUp(self):
        self.d = self.start_daemon("--log-level", "debug")  # the 499 line is a debug entry

    def wait_in_flight(self, endpoint, n):
        return self.d.wait_stats(lambda s: s["endpoints"][endpoint]["in_flight"] == n, 3,
                                 f"{n} in flight on {endpoint}")

    def assert_cancelled(self, endpoint, since, cancelled=1):
        s = self.d.wait_stats(lambda s: s["endpoints"][endpoint]["cancelled"] >= cancelled, NOTICE,
                              f"{endpoint} cancelled={cancelled}")
        self.assertLess(time.monotonic() - since, NOTICE)
        ep = s["endpoints"][endpoint]
        self.assertEqual((ep["cancelled"], ep["in_flight"], ep["completed"]), (cancelled, 0, 0), ep)
        return s

    def assert_still_serving(self):
        body = self.d.get_json("/non-blocking?delay=0")
        self.assertEqual(body["requested_delay_seconds"], 0)
        self.assertIsNone(self.d.proc.poll())

    def vanish_http1(self, path, reset=False):
        c = self.d.raw()
        c.send(harness.get_request(path))
        endpoint = "/delay" if path.startswith("/delay/") else path.split("?")[0]
        self.wait_in_flight(endpoint, 1)
        c.close(reset=reset)
        return endpoint, time.monotonic()

    def test_http1_close(self):
        endpoint, t = self.vanish_http1(f"/non-blocking?delay={LONG}")
        self.assert_cancelled(endpoint, t)
        self.assert_still_serving()
        self.d.wait_for_log(r"499", timeout=2)  # the cancel is logged as a 499

    def test_http1_reset(self):
        endpoint, t = self.vanish_http1(f"/delay/{LONG}", reset=True)
        self.assert_cancelled(endpoint, t)
        self.assert_still_serving()

    def test_http1_half_close(self):
        # A client that only shuts down its sending side looks gone (a FIN cannot be told from a close
        # without writing). Either reading is fine, counted consistently; a 499 is never sent (the doc:
        # "logged and counted only").
        with self.d.raw() as c:
            c.send(harness.get_request("/non-blocking?delay=0.2"))
            c.sock.shutdown(socket.SHUT_WR)
            try:
                res = c.read_response()
            except ConnectionError:
                res = None
        ep = self.d.wait_stats(lambda s: s["endpoints"]["/non-blocking"]["in_flight"] == 0, 2,
                               "the request to end")["endpoints"]["/non-blocking"]
        if res is None:
            self.assertEqual((ep["completed"], ep["cancelled"]), (0, 1), ep)
        else:
            self.assertEqual(res.status, 200, res)
            self.assertEqual((ep["completed"], ep["cancelled"]), (1, 0), ep)

    def test_others_unaffected(self):
        survivor = harness.Background(self.d.get, f"/non-blocking?delay={SHORT}")
        self.wait_in_flight("/non-blocking", 1)
        c = self.d.raw()
        c.send(harness.get_request(f"/non-blocking?delay={LONG}"))
        self.wait_in_flight("/non-blocking", 2)
        c.close()
        t = time.monotonic()
        s = self.d.wait_stats(lambda s: s["endpoints"]["/non-blocking"]["cancelled"] == 1, NOTICE, "one cancel")
        self.assertLess(time.monotonic() - t, NOTICE)
        self.assertEqual(s["endpoints"]["/non-blocking"]["in_flight"], 1)
        res = survivor.result()
        self.assertEqual(res.status, 200)
        self.assertGreaterEqual(res.json()["waited_seconds"], SHORT)

    def assert_nothing_waiting(self):
        """The drain's count of waiting requests is back to 0: SIGTERM finds nothing in flight and exits at once."""
        t0 = time.monotonic()
        self.assertEqual(self.d.stop(), 0, self.d.stderr)
        self.assertLess(time.monotonic() - t0, harness.scaled(3.0))
        self.assertRegex(self.d.stderr, r"letting 0 in-flight requests finish")

    def pipeline_and_vanish(self, reset):
        # Three waits pipelined on one connection: h2o handles them one at a time, so the first waits and
        # the other two are still unread bytes when the client goes.
        c = self.d.raw()
        c.send(harness.get_request(f"/non-blocking?delay={LONG}") * 3)
        self.wait_in_flight("/non-blocking", 1)
        c.close(reset=reset)
        s = self.assert_cancelled("/non-blocking", time.monotonic())
        self.assertEqual(s["endpoints"]["/non-blocking"]["requests"], 1, "the queued requests never started")
        self.assert_still_serving()
        self.assert_nothing_waiting()

    def test_http1_pipelined_close(self):
        self.pipeline_and_vanish(reset=False)

    def test_http1_pipelined_reset(self):
        self.pipeline_and_vanish(reset=True)

    def test_http1_pipelined_gone_after_the_first_answer(self):
        # The first wait is answered; the client leaves during the second (watched again on the same
        # connection); the third never starts.
        delay = 0.3
        c = self.d.raw()
        c.send(harness.get_request(f"/non-blocking?delay={delay}") + harness.get_request(f"/delay/{LONG}")
               + harness.get_request("/non-blocking?delay=0"))
        self.assertEqual(c.read_response().status, 200)
        self.wait_in_flight("/delay", 1)
        c.close()
        s = self.assert_cancelled("/delay", time.monotonic())
        nb = s["endpoints"]["/non-blocking"]
        self.assertEqual((nb["requests"], nb["completed"], nb["cancelled"], nb["in_flight"]), (1, 1, 0, 0), nb)
        self.assert_still_serving()
        self.assert_nothing_waiting()

    def test_http2_client_gone(self):
        t0 = time.monotonic()
        out = harness.curl("--http2-prior-knowledge", "-m", f"{GIVE_UP:g}", self.d.url(f"/non-blocking?delay={LONG}"))
        self.assertEqual(out.returncode, 28, out.stderr)  # curl: operation timed out
        self.assertLess(time.monotonic() - t0, GIVE_UP + 1.5)
        self.assert_cancelled("/non-blocking", time.monotonic())
        self.assert_still_serving()

    def test_http2_many_streams_gone(self):
        # One h2 connection carrying three waits, dropped together (h2load gives up after GIVE_UP).
        out = subprocess.run(["h2load", "-n3", "-c1", "-m3", "-T", f"{GIVE_UP * 1000:.0f}ms",
                              self.d.url(f"/delay/{LONG}")],
                             capture_output=True, text=True, timeout=30)
        self.assertIn("h2c", out.stdout)
        self.assertRegex(out.stdout, r"3 started, 0 done", out.stdout)
        self.assert_cancelled("/delay", time.monotonic(), cancelled=3)
        s = self.d.stats()
        self.assertEqual(s["endpoints"]["/delay"]["peak_in_flight"], 3)
        self.assert_still_serving()
        self.assert_nothing_waiting()

    def test_http2_streams_queued_past_the_stream_limit(self):
        # 150 streams on one connection: h2o allows 100 at once, the client holds the rest back; all
        # dropped after GIVE_UP. Whatever reached a handler is cancelled, nothing stays waiting.
        out = subprocess.run(["h2load", "-n150", "-c1", "-m150", "-T", f"{GIVE_UP * 1000:.0f}ms",
                              self.d.url(f"/non-blocking?delay={LONG}")], capture_output=True, text=True, timeout=30)
        self.assertRegex(out.stdout, r"150 started, 0 done", out.stdout)
        s = self.d.wait_stats(lambda s: s["endpoints"]["/non-blocking"]["in_flight"] == 0, NOTICE, "the streams gone")
        ep = s["endpoints"]["/non-blocking"]
        self.assertGreaterEqual(ep["requests"], 1, ep)
        self.assertLessEqual(ep["requests"], 100, "no more streams at once than h2o's limit")
        self.assertEqual((ep["cancelled"], ep["completed"]), (ep["requests"], 0), ep)
        self.assert_still_serving()
        self.assert_nothing_waiting()

    def test_offload_client_gone(self):
        # The worker's sleep cannot be interrupted; the answer is dropped and the request counted as
        # cancelled once the client is known to be gone, and the pool is free again afterwards.
        self.vanish_http1(f"/offload?delay={SHORT}")
        s = self.d.wait_stats(lambda s: s["endpoints"]["/offload"]["in_flight"] == 0 and s["offload"]["busy"] == 0,
                              SHORT + 3, "offload to settle")
        self.assertEqual(s["endpoints"]["/offload"]["cancelled"], 1, s["endpoints"]["/offload"])
        self.assertEqual(s["endpoints"]["/offload"]["completed"], 0, s["endpoints"]["/offload"])
        self.assertRegex(self.d.get_json("/offload?delay=0")["worker"], r"^worker-\d+$")


if __name__ == "__main__":
    harness.main()
