"""/offload's pool is bounded: past its workers and queue, requests get 503 with Retry-After."""

import re

import apicheck
import harness

DELAY = 0.5


class OffloadPoolTest(harness.DaemonTestCase):
    def test_excess_refused(self):
        d = self.start_daemon("--pool-size", 1, "--pool-queue", 1)
        config = d.stats()["config"]
        self.assertEqual((config["pool_size"], config["pool_queue"]), (1, 1))

        batch = harness.Background(d.concurrent, [f"/offload?delay={DELAY}"] * 4)
        mid = d.wait_stats(lambda s: s["offload"]["busy"] == 1 and s["offload"]["queued"] == 1, 2,
                           "one job running and one queued")
        self.assertEqual(mid["endpoints"]["/offload"]["in_flight"], 2, mid["endpoints"]["/offload"])
        # The loop is free while the pool is full.
        quick = d.get("/non-blocking?delay=0")
        self.assertEqual(quick.status, 200)
        self.assertLess(quick.took, 0.25)
        results = batch.result()

        for r in results:
            self.assertIsInstance(r, harness.Response, r)
        ok = sorted((r for r in results if r.status == 200), key=lambda r: r.t_done)
        refused = [r for r in results if r.status == 503]
        self.assertEqual((len(ok), len(refused)), (2, 2), [r.status for r in results])
        for r in refused:
            body = apicheck.check_error(self, r, 503)
            self.assertEqual(r.header("Retry-After"), "1", r)
            self.assertIsInstance(body["error"], str)
            self.assertLess(r.took, 0.3, "refused at once")
        first, queued = (r.json() for r in ok)
        for b in (first, queued):
            apicheck.check_delay_answer(self, b, "/offload", DELAY, pid=d.pid)
            self.assertEqual(b["worker"], "worker-0")
        # One worker: the queued job slept after the first one.
        gap = queued["finished_monotonic_seconds"] - first["finished_monotonic_seconds"]
        self.assertGreaterEqual(gap, DELAY * 0.95, (first, queued))
        # Its wait counts the time it was queued (it arrived while the first job ran) and its own sleep.
        queued_for = first["finished_monotonic_seconds"] - queued["started_monotonic_seconds"]
        self.assertGreater(queued_for, 0, (first, queued))
        self.assertGreaterEqual(queued["waited_seconds"], queued_for + DELAY * 0.95, (first, queued))
        # Server-Timing says so: queue = the wait for the worker (ms), within wait
        timing = dict(re.findall(r"(\w+);dur=([\d.]+)", ok[1].header("Server-Timing") or ""))
        self.assertEqual(set(timing), {"wait", "queue"}, ok[1].headers)
        self.assertAlmostEqual(float(timing["queue"]) / 1000, queued_for, delta=0.05)
        self.assertGreaterEqual(float(timing["wait"]) - float(timing["queue"]), DELAY * 1000 * 0.95)

        ep = d.wait_stats(lambda s: s["offload"]["busy"] == 0, 2, "pool idle")["endpoints"]["/offload"]
        self.assertEqual((ep["requests"], ep["completed"], ep["status_5xx"], ep["in_flight"], ep["peak_in_flight"]),
                         (4, 4, 2, 0, 3), ep)  # peak: 2 held + the one being refused
        # Room again once the pool drained.
        self.assertEqual(d.get("/offload?delay=0").status, 200)


if __name__ == "__main__":
    harness.main()
