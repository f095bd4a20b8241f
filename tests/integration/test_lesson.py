"""The lesson: /blocking serialises concurrent requests; /non-blocking and /offload overlap them."""

import harness

N = 5
BLOCKING_DELAY = 0.3
OVERLAP_DELAY = 0.4
# A stolen CPU slice on a loaded 2-core machine can delay when a client notices an answer; these
# margins absorb that without hiding a wrong behaviour (serial answers are 0.3 s apart, overlapping
# ones finish together).
JITTER = 0.1


class LessonTest(harness.SharedDaemonTestCase):
    # More workers than concurrent requests, so /offload is limited by nothing but the delay.
    daemon_args = ("--pool-size", 8)

    def run_batch(self, endpoint, delay):
        paths = [f"{endpoint}?delay={delay}" for _ in range(N)]
        results = self.daemon.concurrent(paths, timeout=30)
        for res in results:
            self.assertOk(res)
        bodies = [r.json() for r in results]
        total = max(r.t_done for r in results) - min(r.t_sent for r in results)
        return results, bodies, total

    def assert_waited(self, bodies, endpoint, delay):
        for b in bodies:
            self.assertEqual(b["endpoint"], endpoint)
            self.assertAlmostEqual(b["requested_delay_seconds"], delay, places=6)
            # The daemon measures its own wait: never short, and over by little.
            self.assertGreaterEqual(b["waited_seconds"], delay, b)
            self.assertLess(b["waited_seconds"], delay + JITTER, b)

    def test_blocking_serialises(self):
        results, bodies, total = self.run_batch("/blocking", BLOCKING_DELAY)
        self.assert_waited(bodies, "/blocking", BLOCKING_DELAY)
        self.assertGreaterEqual(total, 4.5 * BLOCKING_DELAY, f"5 x /blocking took {total:.3f} s")

        # Server side, exact: each sleep starts only after the previous one ended.
        by_start = sorted(bodies, key=lambda b: b["started_monotonic_seconds"])
        for prev, nxt in zip(by_start, by_start[1:]):
            self.assertGreaterEqual(nxt["started_monotonic_seconds"], prev["finished_monotonic_seconds"],
                                    f"sleeps overlap: {prev} / {nxt}")

        # Client side: the answers arrive one by one, each about one delay after the one before.
        done = sorted(r.t_done for r in results)
        gaps = [b - a for a, b in zip(done, done[1:])]
        for gap in gaps:
            self.assertGreater(gap, BLOCKING_DELAY - JITTER, f"completion gaps {gaps}")
        self.assertGreaterEqual(done[-1] - done[0], (N - 1) * BLOCKING_DELAY - JITTER, f"completions {done}")

    def assert_overlap(self, endpoint):
        results, bodies, total = self.run_batch(endpoint, OVERLAP_DELAY)
        self.assert_waited(bodies, endpoint, OVERLAP_DELAY)
        self.assertLess(total, 2 * OVERLAP_DELAY, f"5 x {endpoint} took {total:.3f} s")
        # Server side: every wait began before any ended, so all five were in progress together.
        last_start = max(b["started_monotonic_seconds"] for b in bodies)
        first_end = min(b["finished_monotonic_seconds"] for b in bodies)
        self.assertLess(last_start, first_end, f"{endpoint} waits did not overlap: {bodies}")
        return bodies

    def test_non_blocking_overlaps(self):
        bodies = self.assert_overlap("/non-blocking")
        self.assertEqual({b["thread"] for b in bodies}, {"loop-0"})

    def test_offload_overlaps(self):
        bodies = self.assert_overlap("/offload")
        # Five sleeps at once need five distinct pool threads.
        self.assertEqual(len({b["worker"] for b in bodies}), N, bodies)
        for b in bodies:
            self.assertRegex(b["worker"], r"^worker-\d+$")
            self.assertEqual(b["thread"], "loop-0")

    def loop_cpu_after(self, path):
        """The loop's CPU seconds (/stats) grown across path, read once a probe tick came after it."""
        before = self.daemon.stats()["loop"]["cpu_seconds"]
        self.assertOk(self.daemon.get(path))
        ticks = self.daemon.stats()["loop"]["ticks"]
        s = self.daemon.wait_stats(lambda s: s["loop"]["ticks"] > ticks + 1, 3, "two probe ticks")
        return s["loop"]["cpu_seconds"] - before

    def test_work_cpu_is_working_not_waiting(self):
        # The same 400 ms on the loop: asleep it costs the loop thread next to no CPU, busy it costs CPU
        # (at least a tenth of it even when this machine's other work takes most of a core).
        asleep = self.loop_cpu_after("/blocking?delay=400ms")
        busy = self.loop_cpu_after("/blocking?delay=400ms&work=cpu")
        self.assertLess(asleep, 0.1, asleep)
        self.assertGreater(busy, 0.04, busy)
        self.assertGreater(busy, asleep, (busy, asleep))
        # On the pool, the worker burns it and the loop does not.
        cpu = harness.proc_stat_cpu(self.daemon.pid)
        loop = self.loop_cpu_after("/offload?delay=400ms&work=cpu")
        self.assertGreater(harness.proc_stat_cpu(self.daemon.pid) - cpu, 0.04)
        self.assertLess(loop, 0.1, loop)
        res = self.daemon.get("/non-blocking?work=cpu")
        self.assertEqual((res.status, res.json()["parameter"]), (400, "work"))


if __name__ == "__main__":
    harness.main()
