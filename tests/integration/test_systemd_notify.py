"""The sd_notify protocol: READY=1 once the port accepts, STATUS= kept current, STOPPING=1, and the
watchdog: WATCHDOG=1 from the loop, and /blocking refused before it could starve the watchdog."""

import re
import socket
import time

import apicheck
import harness

WATCHDOG_USEC = 1_000_000


class NotifyTest(harness.DaemonTestCase):
    def test_ready_status_stopping(self):
        port = harness.free_port()
        with harness.NotifyListener() as notify:
            d = harness.Daemon(listen=[f"127.0.0.1:{port}"], env=notify.env, ready=None)
            d.start()
            try:
                (t_ready, ready), = notify.wait_for("READY", "1", timeout=harness.DEFAULT_READY_TIMEOUT)
                # The moment READY=1 arrives the port must already accept and answer.
                with socket.create_connection(("127.0.0.1", port), timeout=2):
                    pass
                d.addresses.append(("127.0.0.1", port))
                self.assertEqual(d.get_json("/healthz")["status"], "ok")
                self.assertEqual(notify.all("READY"), [(t_ready, ready)], "READY=1 once")
                first = notify.wait_for("STATUS", timeout=2)[0][1]["STATUS"]
                self.assertTrue(first.strip(), "a non-empty STATUS")

                # STATUS follows the figures: after traffic, a new STATUS line differs from the first.
                for _ in range(3):
                    d.get("/non-blocking?delay=0")
                harness.wait_until(lambda: any(f["STATUS"] != first for _, f in notify.all("STATUS")), 3,
                                   message=f"a STATUS other than {first!r} after requests")
                latest = notify.all("STATUS")[-1][1]["STATUS"]
                self.assertRegex(latest, r"\d", latest)
                self.assertEqual(notify.all("STOPPING"), [])
                mark = len(notify.messages)
            finally:
                code = d.stop()
            self.assertEqual(code, 0, d.stderr)
            d.check_exit()
            stopping = notify.wait_for("STOPPING", "1", timeout=1)
            self.assertEqual(len(stopping), 1)
            self.assertGreater(stopping[0][0], t_ready)
            self.assertGreaterEqual(notify.messages.index(stopping[0]), mark)
            self.assertEqual(notify.all("WATCHDOG"), [], "no watchdog pings when the watchdog is off")

    def test_no_notify_socket_no_problem(self):
        # NOTIFY_SOCKET naming a socket nobody listens on: the notifications fail, the daemon runs on.
        with harness.NotifyListener() as notify:
            path = notify.path
        with harness.Daemon(env={"NOTIFY_SOCKET": path}) as d:
            self.assertEqual(d.get("/healthz").status, 200)


class WatchdogTest(harness.DaemonTestCase):
    def setUp(self):
        self.notify = harness.NotifyListener()
        self.addCleanup(self.notify.close)
        env = dict(self.notify.env, WATCHDOG_USEC=WATCHDOG_USEC)
        self.d = self.start_daemon(env=env, launcher=harness.watchdog_launcher())

    def pings(self):
        return [t for t, _ in self.notify.all("WATCHDOG")]

    def test_pings_repeat(self):
        self.notify.wait_for("WATCHDOG", "1", timeout=3, count=4)
        times = self.pings()
        gaps = [b - a for a, b in zip(times, times[1:])]
        # systemd kills at 1 s without a ping; the daemon pings at half that or more often.
        self.assertLess(max(gaps), 0.8, gaps)
        self.assertEqual(self.d.stats()["config"]["watchdog_seconds"], 1)

    def test_blocking_never_allowed_is_400_without_retry_after(self):
        # A sleep longer than the whole budget (watchdog / 2 = 0.5 s) can never run: retrying is useless,
        # so it is a bad delay that states the limit, not a 503 with Retry-After.
        self.notify.wait_for("WATCHDOG", "1", timeout=3)
        res = self.d.get("/blocking?delay=0.8")
        body = apicheck.check_error(self, res, 400, parameter="delay", value="0.8", allowed="0 to 500ms",
                                    error="bad delay: over the watchdog limit (500ms)")
        self.assertLess(res.took, 0.3, "refused at once")
        self.assertIsNone(res.header("Retry-After"), res)
        self.assertNotIn("retry_after_seconds", body)
        ep = self.d.stats()["endpoints"]["/blocking"]
        self.assertEqual((ep["status_4xx"], ep["status_5xx"]), (1, 0), ep)

    def test_blocking_refused_while_busy(self):
        # Within the budget alone but not after what the loop already did since its last ping: 503 with
        # Retry-After, since a retry once the loop has pinged can succeed. Two 0.3 s sleeps pipelined on
        # one connection: h2o handles the second as soon as the first answer is written, before the loop
        # polls again (so before any ping): busy 0.3 s + 0.3 s > 0.5 s.
        self.notify.wait_for("WATCHDOG", "1", timeout=3)
        with self.d.raw() as c:
            c.send(harness.get_request("/blocking?delay=0.3") * 2)
            first, second = c.read_response(), c.read_response()
        self.assertEqual(first.status, 200, first)
        body = apicheck.check_error(self, second, 503, retry_after_seconds=apicheck.is_int)
        retry = second.header("Retry-After")
        self.assertIsNotNone(retry, second)
        self.assertRegex(retry, r"^[1-9]\d*$")
        self.assertEqual(int(retry), body["retry_after_seconds"])
        self.assertIn("watchdog", body["error"], body)
        self.d.wait_for_log(re.compile(r"(?i)(refus|watchdog)"), timeout=2)

    def test_blocking_within_budget_still_blocks(self):
        self.notify.wait_for("WATCHDOG", "1", timeout=3)
        # Within the budget (watchdog / 2 = 0.5 s) /blocking still blocks, and the pings go on.
        self.assertEqual(self.d.get("/blocking?delay=0.2").status, 200)
        n = len(self.pings())
        self.notify.wait_for("WATCHDOG", "1", timeout=2, count=n + 2)
        # Other endpoints take long delays as usual: only the loop's sleep is bounded.
        self.assertEqual(self.d.get("/non-blocking?delay=0.8").status, 200)
        times = self.pings()
        # Even across the 0.2 s sleep the pings stay inside the 1 s watchdog.
        self.assertLess(max(b - a for a, b in zip(times, times[1:])), 0.95, times)

    def test_not_enabled_for_another_pid(self):
        # WATCHDOG_PID naming another process means the watchdog is not ours: /blocking sleeps.
        env = dict(self.notify.env, WATCHDOG_USEC=WATCHDOG_USEC, WATCHDOG_PID=1)
        with harness.Daemon(env=env) as d:
            self.assertEqual(d.stats()["config"]["watchdog_seconds"], 0)
            t0 = time.monotonic()
            self.assertEqual(d.get("/blocking?delay=0.6").status, 200)
            self.assertGreaterEqual(time.monotonic() - t0, 0.6)


if __name__ == "__main__":
    harness.main()
