"""bench/sidebyside/report.py: how the side-by-side targets are judged from raw figures (pure functions)."""

import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench", "sidebyside"))
import report  # noqa: E402
import sidebyside  # noqa: E402


def burst(n, wall, client=None, ok=None, bytes_per_conn=5000.0):
    r = {"n": n, "command": f"cmd {client or 'h2load'} {n}", "wall_s": wall, "status_2xx": n if ok is None else ok,
         "rss_idle_mb": 6.0, "rss_peak_mb": 6.0 + bytes_per_conn * n / 1e6, "bytes_per_conn": bytes_per_conn,
         "server_cpu_s": 0.4}
    if client:
        r["client"] = client
    return r


def by_name(rows):
    return {r["target"]: r for r in rows}


class C10KTargetsTest(unittest.TestCase):
    def test_judged_on_h2load_alone(self):
        sc = {"asyncdemod": [burst(10000, w, "h2load") for w in (2.45, 2.38, 2.41)]
              + [burst(10000, w, "asyncdemoctl bench") for w in (2.20, 2.21, 2.22)]
              + [burst(100, 2.01, "h2load")],
              "seed": [burst(10000, w, "h2load") for w in (5.0, 4.6, 5.1)]
              + [burst(10000, w, "asyncdemoctl bench") for w in (9.0, 9.0, 9.0)]}
        rows = by_name(report.c10k_targets(sc))
        self.assertEqual(set(rows), {"C10K wall time vs the seed server (h2load)", "C10K wall time, absolute (h2load)",
                                     "C10K memory per delayed connection (peak - idle RSS) / N"})
        absolute = rows["C10K wall time, absolute (h2load)"]
        self.assertEqual((absolute["figure"], absolute["met"]), ("2.41 s", False))
        self.assertEqual(absolute["command"], "cmd h2load 10000")
        # paired by repetition: 2.45/5.0, 2.38/4.6, 2.41/5.1 -> 0.49, 0.517, 0.473: median 0.49
        ratio = rows["C10K wall time vs the seed server (h2load)"]
        self.assertTrue(ratio["figure"].startswith("0.490x (2.41 s vs 5.00 s)"), ratio["figure"])
        self.assertTrue(ratio["met"])

    def test_failed_requests_fail_the_wall_targets(self):
        sc = {"asyncdemod": [burst(10000, 2.2, "h2load", ok=9999)], "seed": [burst(10000, 6.0, "h2load")]}
        rows = by_name(report.c10k_targets(sc))
        self.assertFalse(rows["C10K wall time, absolute (h2load)"]["met"])
        self.assertFalse(rows["C10K wall time vs the seed server (h2load)"]["met"])

    def test_memory_from_h2load_runs_in_decimal_kb(self):
        sc = {"asyncdemod": [burst(10000, 2.4, "h2load", bytes_per_conn=b) for b in (5455, 5001, 5600)]
              + [burst(10000, 2.3, "asyncdemoctl bench", bytes_per_conn=4000)]}
        row = by_name(report.c10k_targets(sc))["C10K memory per delayed connection (peak - idle RSS) / N"]
        self.assertEqual(row["figure"], "5.46 KB (5,455 bytes)")
        self.assertFalse(row["met"])
        sc["asyncdemod"][1]["bytes_per_conn"] = sc["asyncdemod"][0]["bytes_per_conn"] = 5000
        self.assertTrue(by_name(report.c10k_targets(sc))["C10K memory per delayed connection (peak - idle RSS) / N"]
                        ["met"])

    def test_results_without_a_client_are_h2load(self):
        sc = {"asyncdemod": [burst(10000, 2.3)], "seed": [burst(10000, 6.0)]}
        self.assertEqual(by_name(report.c10k_targets(sc))["C10K wall time, absolute (h2load)"]["figure"], "2.30 s")
        self.assertEqual(report.c10k_targets({"asyncdemod": [burst(10000, 2.3, "asyncdemoctl bench")]}), [])


class NginxTargetsTest(unittest.TestCase):
    def test_c10k_and_throughput_against_nginx_echo(self):
        # issue 13's figures: asyncdemod 2.43-2.48 s with 5.45 KB, nginx+echo 2.50-2.54 s with 9.6 KB
        sc = {"asyncdemod": [burst(10000, w, "h2load", bytes_per_conn=5450) for w in (2.43, 2.48)],
              "nginx+echo": [burst(10000, w, "h2load", bytes_per_conn=9600) for w in (2.50, 2.54)]}
        rows = by_name(report.c10k_targets(sc))
        wall = rows["C10K wall time vs nginx+echo (h2load)"]
        self.assertTrue(wall["met"])
        self.assertTrue(wall["figure"].startswith("0.974x"), wall["figure"])  # median of 0.972 and 0.976
        mem = rows["C10K memory per waiting connection vs nginx+echo"]
        self.assertEqual((mem["figure"], mem["met"]), ("0.568x (5.45 KB vs 9.60 KB)", True))
        sc["nginx+echo"] = [burst(10000, 2.40, "h2load", bytes_per_conn=8000)]
        rows = by_name(report.c10k_targets(sc))
        self.assertFalse(rows["C10K wall time vs nginx+echo (h2load)"]["met"])
        self.assertFalse(rows["C10K memory per waiting connection vs nginx+echo"]["met"])  # 0.68x
        # zero-delay: 87-97k against nginx's 100-101k is a miss
        tp = {"runs": {"asyncdemod zero-delay": [{"rps": r, "non_2xx": 0, "command": "wrk"} for r in (87e3, 97e3)],
                       "nginx return 200": [{"rps": r, "non_2xx": 0, "command": "wrk"} for r in (100e3, 101e3)]}}
        row = by_name(report.throughput_targets(tp))["zero-delay throughput vs nginx return 200"]
        self.assertFalse(row["met"])
        self.assertNotIn("CPU", row["figure"])  # runs recorded before the CPU per answer
        for runs, cpu in ((tp["runs"]["asyncdemod zero-delay"], 8.8), (tp["runs"]["nginx return 200"], 8.0)):
            for r in runs:
                r["server_cpu_us_per_answer"] = cpu
        row = by_name(report.throughput_targets(tp))["zero-delay throughput vs nginx return 200"]
        self.assertTrue(row["figure"].endswith("; server CPU per answer 1.10x"), row["figure"])
        self.assertIn("| server CPU us per answer |", report.md_throughput(tp).splitlines()[0])


class EvaluateTest(unittest.TestCase):
    def test_every_issue_target_listed_once(self):
        doc = {"results": {"scaling": {"asyncdemod": [burst(10000, 2.3, "h2load")]}}}
        rows = report.evaluate(doc)
        names = [r["target"] for r in rows]
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual(set(names), {name for name, _ in report.ISSUE_TARGETS})
        unmeasured = by_name(rows)["zero-delay throughput vs standalone h2o"]
        self.assertEqual((unmeasured["figure"], unmeasured["met"]), ("not measured", None))


class ScalingTableTest(unittest.TestCase):
    def test_one_row_per_client_and_server(self):
        sc = {"asyncdemod": [burst(10000, 2.4, "h2load"), burst(10000, 2.36, "asyncdemoctl bench")],
              "seed": [burst(10000, 6.0, "h2load"), burst(10000, 4.7, "asyncdemoctl bench")]}
        lines = report.md_scaling(sc).splitlines()
        self.assertIn("| N | client | server |", lines[0])
        body = [line for line in lines[2:] if "ratio" not in line]
        self.assertEqual([tuple(c.strip() for c in line.split("|")[2:4]) for line in body],
                         [("h2load", "asyncdemod"), ("h2load", "seed"), ("asyncdemoctl bench", "asyncdemod"),
                          ("asyncdemoctl bench", "seed")])


class MeasuredProcessTest(unittest.TestCase):
    def test_a_master_is_measured_by_its_worker(self):
        """nginx's memory and CPU are its worker's, the one child of the master the script started."""
        master = subprocess.Popen(["sh", "-c", "sleep 30 & wait"], start_new_session=True)
        try:
            deadline = time.monotonic() + 10
            while not sidebyside.child_pids(master.pid) and time.monotonic() < deadline:
                time.sleep(0.01)
            kids = sidebyside.child_pids(master.pid)
            self.assertEqual(len(kids), 1)
            server = sidebyside.Server("nginx+echo", None, "/healthz", "/tmp", worker=True)
            server.proc = master
            self.assertEqual(server.measured_pid, kids[0])
            server.worker = False
            self.assertEqual(server.measured_pid, master.pid)
            self.assertIn(master.pid, sidebyside.child_pids(os.getpid()))
        finally:
            os.killpg(master.pid, signal.SIGKILL)
            master.wait()


if __name__ == "__main__":
    unittest.main()
