"""/stats counts exactly what was sent; in-flight peaks; loop stalls blamed on /blocking."""

import re
import time

import apicheck
import harness


class StatsTest(harness.DaemonTestCase):
    def setUp(self):
        self.d = self.start_daemon()

    def test_counts_match_what_was_sent(self):
        d = self.d
        plan = [("/non-blocking?delay=0", 200)] * 3 + [("/blocking?delay=0", 200)] * 2 + \
               [("/offload?delay=0", 200)] * 2 + [("/delay/0", 200), ("/healthz", 200), ("/healthz", 200),
                                                  ("/metrics", 200), ("/non-blocking?delay=abc", 400),
                                                  ("/non-blocking?delay=", 400), ("/nope", 404)]
        for path, status in plan:
            self.assertEqual(d.get(path).status, status, path)
        want = {  # endpoint: (requests, completed, status_4xx)
            "/non-blocking": (5, 5, 2), "/blocking": (2, 2, 0), "/offload": (2, 2, 0), "/delay": (1, 1, 0),
            "/healthz": (2, 2, 0), "/metrics": (1, 1, 0), "other": (1, 1, 1), "/stats": (1, 0, 0),
        }
        s = d.stats()
        apicheck.check_stats(self, s, pid=d.pid)
        for endpoint, (requests, completed, s4xx) in want.items():
            ep = s["endpoints"][endpoint]
            with self.subTest(endpoint=endpoint):
                got = (ep["requests"], ep["completed"], ep["status_4xx"], ep["status_5xx"], ep["cancelled"])
                self.assertEqual(got, (requests, completed, s4xx, 0, 0), ep)
                self.assertEqual(ep["in_flight"], 1 if endpoint == "/stats" else 0, ep)
                # one at a time: every slot, `other` and the refusals included, was in flight once
                self.assertEqual(ep["peak_in_flight"], 1, ep)
        self.assertEqual(s["connections"]["total"], len(plan) + 1)
        # The second /stats sees the first one completed.
        st = d.stats()["endpoints"]["/stats"]
        self.assertEqual((st["requests"], st["completed"], st["in_flight"]), (2, 1, 1), st)
        self.assertGreater(st["latency_seconds"]["max"], 0)

    def test_latency_reflects_the_delay(self):
        delay = 0.2
        for res in self.d.concurrent([f"/non-blocking?delay={delay}"] * 3):
            self.assertOk(res)
        lat = self.d.stats()["endpoints"]["/non-blocking"]["latency_seconds"]
        apicheck.check_latency(self, lat, "/non-blocking")
        self.assertGreaterEqual(lat["min"], delay, lat)
        self.assertLess(lat["max"], delay + 0.1, lat)
        for key in ("mean", "p50", "p90", "p99", "p99_9"):
            self.assertAlmostEqual(lat[key], delay, delta=0.1 * delay + 0.05, msg=f"{key}: {lat}")

    def test_peak_in_flight(self):
        batch = harness.Background(self.d.concurrent, ["/non-blocking?delay=0.6"] * 5)
        mid = self.d.wait_stats(lambda s: s["endpoints"]["/non-blocking"]["in_flight"] == 5, 3,
                                "5 requests in flight")
        self.assertGreaterEqual(mid["connections"]["open"], 6, mid["connections"])
        for res in batch.result():
            self.assertOk(res)
        ep = self.d.stats()["endpoints"]["/non-blocking"]
        self.assertEqual((ep["requests"], ep["completed"], ep["in_flight"], ep["peak_in_flight"]), (5, 5, 0, 5), ep)

    def test_connections(self):
        for _ in range(3):
            self.d.get("/healthz")  # each on its own connection, closed after
        s = self.d.wait_stats(lambda s: s["connections"]["open"] == 1, 2, "closed connections to leave open")
        self.assertEqual(s["connections"]["total"], 3 + (s["endpoints"]["/stats"]["requests"]))

    def test_uptime_and_ticks_advance(self):
        a = self.d.stats()
        time.sleep(0.5)
        b = self.d.stats()
        self.assertAlmostEqual(b["uptime_seconds"] - a["uptime_seconds"], 0.5, delta=0.25)
        # The loop probe ticks every 50 ms by default: about 10 in 0.5 s.
        self.assertGreaterEqual(b["loop"]["ticks"] - a["loop"]["ticks"], 4, (a["loop"], b["loop"]))
        self.assertEqual(b["started_wall"], a["started_wall"])

    def test_blocking_stalls_the_loop(self):
        before = self.d.stats()["loop"]
        self.assertIsNone(before["longest_stall_endpoint"], before)
        self.assertEqual(self.d.get("/blocking?delay=0.3").status, 200)

        loop = self.d.wait_stats(lambda s: s["loop"]["stalls"] >= 1, 2, "a loop stall to be counted")["loop"]
        self.assertEqual(loop["longest_stall_endpoint"], "/blocking", loop)
        # The probe due during the sleep fires up to one tick interval less late than the sleep.
        self.assertGreaterEqual(loop["longest_stall_seconds"], 0.2, loop)
        self.assertLess(loop["longest_stall_seconds"], 0.6, loop)
        self.assertGreaterEqual(loop["stalled_seconds"], loop["longest_stall_seconds"], loop)
        self.assertAlmostEqual(apicheck.wall_to_unix(loop["longest_stall_wall"]), time.time(), delta=5)
        line = self.d.wait_for_log(re.compile(r"(?i)stall.*/blocking|/blocking.*stall"), timeout=2)
        self.assertTrue(line)

    def test_stall_in_timers_is_blamed_on_their_endpoint(self):
        # 30 answers of 4 MiB fall due together: building and sending them from their timers holds the loop
        # (tens of ms a stall on a 10 ms tick); the stall names /non-blocking, not "no single handler".
        d = self.start_daemon("--tick-interval", "10ms", "--stall-threshold", "30ms")
        for res in d.concurrent(["/non-blocking?delay=0.3&size=4194304"] * 30, timeout=20):
            self.assertOk(res)
        d.wait_for_log(re.compile(r"stalled for [0-9.]+s: /non-blocking handlers and timers ran .*"
                                  r"ASYNCDEMO_ENDPOINT=/non-blocking"), timeout=2)

    def test_utilisation_working_not_waiting(self):
        # A second-long block: asleep (work=sleep) the loop is idle, on the CPU (work=cpu) it is busy. Each
        # /stats read follows its block on the same connection, so the window still holds the block.
        d = self.d
        idle = d.wait_stats(lambda s: s["loop"]["utilisation_percent"] <= 20, 5, "an idle loop's utilisation")["loop"]
        conn = d.connection()
        try:
            self.assertOk(d.get("/blocking?delay=1&work=sleep", conn=conn))
            asleep = d.get("/stats", conn=conn).json()["loop"]
            self.assertOk(d.get("/blocking?delay=1&work=cpu", conn=conn))
            busy = d.get("/stats", conn=conn).json()["loop"]
        finally:
            conn.close()
        self.assertLessEqual(asleep["utilisation_percent"], 20, asleep)
        # near 100 on a quiet machine; a loaded one gives the busy thread less of a CPU
        self.assertGreaterEqual(busy["utilisation_percent"], 50, busy)
        self.assertGreater(busy["utilisation_since_start_percent"], idle["utilisation_since_start_percent"], busy)
        self.assertGreaterEqual(busy["utilisation_since_start_percent"], 10, busy)


if __name__ == "__main__":
    harness.main()
