"""bench's load over time: --interval records the figures over time (a stall of the daemon shows where it
happened), and --rate in stages ramps the open model's rate (the schedule follows the ramp, and a ramp past
1/delay of /blocking shows its queue growing)."""

import json
import math
import tempfile
import time

import harness
from test_ctl_json import validate

ctl = harness.run_ctl


class SeriesTest(harness.SharedDaemonTestCase):
    """--interval: the figures over time. A stall of the daemon (one /blocking request) during an open-model
    run shows as a spike in the series where it happened, and the series adds up to the run."""

    def test_stall_shows_where_it_happened(self):
        bench = harness.Background(ctl, "bench", "--url", self.daemon.base_url, "-e", "/non-blocking", "--delay", 0.01,
                                   "--rate", 100, "-c", 20, "-d", "2s", "--interval", "0.1s", "--json")
        # the stall: once the run is under way (its requests reach the daemon), block the loop for 0.4 s
        harness.wait_until(lambda: self.daemon.stats()["endpoints"]["/non-blocking"]["requests"] >= 60, 10,
                           message="the run under way")
        self.assertOk(self.daemon.get("/blocking?delay=0.4"))
        proc = bench.result(timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        run = json.loads(proc.stdout)["runs"][0]
        self.assertEqual(validate(json.loads(proc.stdout)), [])
        series = run["series"]
        self.assertEqual(series["interval_seconds"], 0.1)
        points = series["points"]
        self.assertEqual(sum(p["completed"] for p in points), run["completed"])
        self.assertEqual(sum(p["ok"] for p in points), run["ok"])
        p99 = [p["p99"] for p in points]
        worst = max(range(len(points)), key=lambda i: p99[i])
        # the spike: the held answers at least 0.3 s late, most intervals near the 10 ms delay
        self.assertGreater(p99[worst], 0.3, p99)
        self.assertLess(sorted(p99)[len(p99) // 2], 0.1, p99)
        # where: the requests were 60 of 200 in (0.6 s at 100/s) when the stall began; the held answers come
        # when it ends, 0.4 s later
        self.assertGreaterEqual(points[worst]["start_seconds"], 0.6 - 0.2, p99)
        self.assertLessEqual(points[worst]["start_seconds"], 0.6 + 0.4 + 0.5, p99)
        self.assertTrue(any(p["late_max_seconds"] > 0.1 for p in points), "late sends during the stall")
        self.assertGreater(max(p["in_flight"] for p in points), 5, "the requests held in flight")


class RampTest(harness.SharedDaemonTestCase):
    def test_schedule_follows_the_stages(self):
        # 20/s rising to 200/s over 1 s: 110 requests, request j due when the area under the ramp reaches j
        proc = ctl("bench", "--url", self.daemon.base_url, "-e", "/non-blocking", "--delay", 0, "--rate",
                   "20:0s,200:1s", "-c", 20, "--interval", "0.25s", "--json", "--no-progress")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        doc = json.loads(proc.stdout)
        self.assertEqual(validate(doc), [])
        self.assertEqual(doc["options"]["rate_stages"], [{"target": 20, "duration_seconds": 0},
                                                         {"target": 200, "duration_seconds": 1}])
        self.assertEqual(doc["options"]["duration_seconds"], 1)
        run = doc["runs"][0]
        self.assertEqual(run["completed"], 110)
        self.assertAlmostEqual(run["rate"], 110, places=6)  # the mean
        self.assertIs(run["ramped"], True)
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:  # the report's header says it
            f.write(proc.stdout)
            f.flush()
            text = ctl("report", "--no-timeline", f.name).stdout
        self.assertIn("rate 110/s on average, ramped in stages", text)
        constant = ctl("bench", "--url", self.daemon.base_url, "-e", "/non-blocking", "--delay", 0, "-n", 2, "--rate",
                       100, "--json")
        self.assertNotIn("ramped", json.loads(constant.stdout)["runs"][0])
        due = sorted(r["intended_seconds"] for r in run["requests"])
        for j in (0, 1, 10, 50, 109):
            want = 2 * j / (20 + math.sqrt(20 * 20 + 2 * 180 * j))  # 20 t + 90 t^2 = j
            self.assertAlmostEqual(due[j], want, delta=1e-6, msg=f"request {j}")
        # the figures over time show the ramp: each quarter second more than the one before
        counts = [p["completed"] for p in run["series"]["points"]][:4]
        self.assertEqual(counts, sorted(counts), counts)
        self.assertGreater(counts[3], 2 * counts[0], counts)

    def test_ramp_past_what_blocking_can_serve(self):
        # /blocking?delay=0.05 serves 20/s at most: a ramp from 10/s to 40/s queues up once it passes 20/s
        proc = ctl("bench", "--url", self.daemon.base_url, "-e", "/blocking?delay=0.05", "--rate", "10:0s,40:2s",
                   "-c", 100, "--interval", "0.5s", "--json", "--no-progress")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        points = json.loads(proc.stdout)["runs"][0]["series"]["points"]
        p99 = [p["p99"] for p in points]
        self.assertLess(p99[0], 0.2, p99)  # below 20/s: about the delay
        self.assertGreater(max(p99), 0.5, p99)  # past it: the queue
        served = [p["completed"] / 0.5 for p in points[:-1]]
        self.assertLess(max(served), 20 * 1.25, served)  # never more than 1/delay


if __name__ == "__main__":
    harness.main()
