"""asyncdemoctl report over real bench documents: three benches run at once as separate processes against
one daemon (three "hosts"), merged; the merged counts are the daemon's own (/stats), the document
validates against the schema and names its sources; what cannot be one test is refused with exit 64.
And --fail-if on bench and report: exit 3, the report and the JSON name the threshold and by how much; --shard
and --start-at: three shards are one test."""

import json
import os
import subprocess
import tempfile
import time

import harness
from test_ctl_json import validate

ctl = harness.run_ctl

SHARDS = 3
PER_SHARD = 40
ENDPOINTS = ("/non-blocking", "/offload")


class ReportTest(harness.SharedDaemonTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dir = tempfile.TemporaryDirectory(prefix="asyncdemo-report-")
        before = cls.daemon.stats()["endpoints"]
        procs = []
        cls.files = [os.path.join(cls.dir.name, f"host{i}.json") for i in range(SHARDS)]
        for path in cls.files:
            argv = [harness.ctl_path(), "bench", "--url", cls.daemon.base_url, "--delay", "0.01", "-n", str(PER_SHARD),
                    "-c", "4", "--json", "-o", path, "--no-progress"]
            for e in ENDPOINTS:
                argv += ["-e", e]
            procs.append(subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                          env=harness.clean_env()))
        for p in procs:
            out, err = p.communicate(timeout=60)
            assert p.returncode == 0, (p.returncode, err)
        after = cls.daemon.stats()["endpoints"]
        cls.served = {e: after[e]["completed"] - before[e]["completed"] for e in ENDPOINTS}

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()
        super().tearDownClass()

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def test_merged_counts_are_the_daemons(self):
        proc = ctl("report", "--json", *self.files)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        doc = json.loads(proc.stdout)
        self.assertEqual(validate(doc), [])
        self.assertEqual([r["name"] for r in doc["runs"]], list(ENDPOINTS))
        shards = [json.load(open(f)) for f in self.files]
        for i, run in enumerate(doc["runs"]):
            name = run["name"]
            self.assertEqual(run["completed"], SHARDS * PER_SHARD)
            self.assertEqual(run["ok"], self.served[name], f"{name}: merged ok vs the daemon's /stats")
            self.assertEqual(run["latency"]["histogram"]["count"], run["ok"])
            self.assertEqual(run["concurrency"], SHARDS * 4)
            # exact: max of the merged run is the max over the shards, and p99 lies within their range
            maxima = [s["runs"][i]["latency"]["max"] for s in shards]
            self.assertEqual(run["latency"]["max"], max(maxima))
            p99s = [s["runs"][i]["latency"]["p99"] for s in shards]
            self.assertLessEqual(min(p99s) * 0.99, run["latency"]["p99"])
            self.assertLessEqual(run["latency"]["p99"], max(p99s) * 1.01)
        sources = doc["options"]["sources"]
        self.assertEqual([s["file"] for s in sources], self.files)
        self.assertEqual([s["runs"] for s in sources], [2] * SHARDS)
        self.assertEqual(doc["started"], min(s["started"] for s in shards))

    def test_text_report_and_stdin(self):
        with open(self.files[2]) as f:
            proc = subprocess.run([harness.ctl_path(), "report", "--no-color", self.files[0], self.files[1], "-"],
                                  stdin=f, capture_output=True, text=True, timeout=30, env=harness.clean_env())
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn(f"report: 3 bench documents merged: {self.files[0]}, {self.files[1]}, (stdin)", proc.stdout)
        self.assertIn(f"{SHARDS * PER_SHARD} requests in", proc.stdout)
        # bench's ratio line, from the merged runs (which of the two is slower depends on the machine)
        self.assertRegex(proc.stdout, r"(/offload|/non-blocking) was [0-9.]+x slower than (/non-blocking|/offload)")
        self.assertIn("timeline", proc.stdout)

    def test_output_file(self):
        out = self.path("merged.txt")
        proc = ctl("report", "-o", out, "--no-timeline", *self.files)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, "")
        with open(out) as f:
            text = f.read()
        self.assertIn(f"{SHARDS * PER_SHARD} requests in", text)
        self.assertNotIn("timeline", text)

    def refused(self, *files, want):
        proc = ctl("report", *files)
        self.assertEqual(proc.returncode, 64, proc)
        self.assertEqual(proc.stdout, "")
        self.assertIn(want, proc.stderr)

    def test_refusals(self):
        self.refused(want="no FILE given")
        self.refused(self.files[0], self.files[0], want="the same run as")
        self.refused(self.path("missing.json"), want="missing.json: No such file or directory")
        bad = self.path("bad.json")
        with open(bad, "w") as f:
            f.write("{\"schema\": ")
        self.refused(self.files[0], bad, want="bad.json: not JSON")
        doc = json.load(open(self.files[1]))
        doc["schema"] = "asyncdemo-bench/2"
        other = self.path("schema2.json")
        json.dump(doc, open(other, "w"))
        self.refused(self.files[0], other, want="schema2.json: ")
        doc = json.load(open(self.files[1]))
        doc["runs"][1]["url"] = "http://192.0.2.1:8000/offload?delay=0.01"
        moved = self.path("moved.json")
        json.dump(doc, open(moved, "w"))
        self.refused(self.files[0], moved, want="moved.json: run '/offload' was against http://192.0.2.1:8000/")

    def test_compare_documents(self):
        docs = [self.path(f"compare{i}.json") for i in range(2)]
        for f in docs:
            proc = ctl("compare", self.daemon.url("/delay/0.05"), "-n", 2, "--modes", "sequential,async", "--json",
                       "-o", f)
            self.assertEqual(proc.returncode, 0, proc.stderr)
        proc = ctl("report", "--no-timeline", "--no-color", *docs)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("report: 2 compare documents merged", proc.stdout)
        self.assertEqual(proc.stdout.count("4 requests in"), 2, proc.stdout)  # each mode: 2 + 2
        self.assertRegex(proc.stdout, r"\d  sequential +[0-9.]+s +4/4 +[0-9.]+x")  # compare's ranking, merged
        self.refused(self.files[0], docs[0], want="a compare document cannot be merged with")

    def bench_then_report(self, name, endpoint, rc):
        """A small bench of endpoint into the file name (exit rc), then report of host0's and it (exit rc)."""
        path = self.path(name)
        proc = ctl("bench", "--url", self.daemon.base_url, "-e", endpoint, "-n", 2, "-c", 1, "--json", "-o", path)
        self.assertEqual(proc.returncode, rc, proc.stderr)
        proc = ctl("report", "--no-timeline", self.files[0], path)
        self.assertEqual(proc.returncode, rc, proc.stderr)
        return path, proc

    def test_runs_kept_apart_are_named(self):
        one, proc = self.bench_then_report("one-endpoint.json", "/delay/0", 0)
        self.assertIn("kept apart, not in every document:\n/non-blocking: only in", proc.stdout)
        self.assertIn("/delay/0: only in " + one + " (1 of 2 documents)", proc.stdout)

    def test_failed_requests_exit_1(self):
        _, proc = self.bench_then_report("missing-endpoint.json", "/missing", 1)
        self.assertIn("/missing", proc.stdout)


class FailIfTest(harness.SharedDaemonTestCase):
    """--fail-if: exit 3 when a threshold is broken, the report and the JSON say which and by how much."""

    def bench(self, *args):
        return ctl("bench", "--url", self.daemon.base_url, "--delay", "0.05", "-n", 4, "-c", 2, "--no-timeline",
                   "--no-color", *args)

    def test_passed_and_broken(self):
        proc = self.bench("-e", "/non-blocking", "--fail-if", "p99>10s", "--fail-if", "errors>0")
        self.assertEqual(proc.returncode, 0, proc)
        self.assertIn("thresholds (--fail-if): 0 of 2 broken", proc.stdout)
        self.assertIn("passed p99>10s: ", proc.stdout)
        proc = self.bench("-e", "/non-blocking", "--fail-if", "p50>20ms", "--fail-if", "rps>100000")
        self.assertEqual(proc.returncode, 3, proc)
        self.assertRegex(proc.stdout, r"FAILED p50>20ms: [0-9.]+ms on /non-blocking, over by [0-9.]+ms")
        self.assertIn("thresholds (--fail-if): 1 of 2 broken", proc.stdout)

    def test_json_names_the_broken_threshold(self):
        proc = self.bench("-e", "/non-blocking", "-e", "/offload", "--json", "--fail-if", "/offload:p50>20ms",
                          "--fail-if", "all:max<=1ms", "--fail-if", "/nope:rps<1")
        self.assertEqual(proc.returncode, 3, proc)
        doc = json.loads(proc.stdout)
        self.assertEqual(validate(doc), [])
        th = doc["thresholds"]
        self.assertEqual([(t["expr"], t["run"], t["broken"]) for t in th],
                         [("/offload:p50>20ms", "/offload", True), ("all:max<=1ms", "all runs", False),
                          ("/nope:rps<1", "/nope", True)])
        self.assertEqual(th[0]["unit"], "seconds")
        self.assertEqual(th[0]["limit"], 0.02)
        self.assertGreaterEqual(th[0]["value"], 0.05)
        self.assertAlmostEqual(th[0]["by"], th[0]["value"] - 0.02, places=9)
        self.assertIsNone(th[1]["by"])
        self.assertIsNone(th[2]["value"])

    def test_errors_threshold_decides_on_failed_requests(self):
        # 4 answers 404: exit 1 by default and with a latency threshold; an errors threshold that holds: 0
        self.assertEqual(self.bench("-e", "/missing").returncode, 1)
        self.assertEqual(self.bench("-e", "/missing", "--fail-if", "p99>10s").returncode, 1)
        self.assertEqual(self.bench("-e", "/missing", "--fail-if", "errors>4").returncode, 0)
        proc = self.bench("-e", "/missing", "--fail-if", "errors>50%")
        self.assertEqual(proc.returncode, 3, proc)
        self.assertIn("FAILED errors>50%: 100% on /missing, over by 50%", proc.stdout)

    def test_bad_expression_is_a_usage_error(self):
        proc = self.bench("--fail-if", "p99>>1s")
        self.assertEqual(proc.returncode, 64, proc)
        self.assertIn("--fail-if: 'p99>>1s'", proc.stderr)

    def test_report_gates_merged_runs(self):
        with tempfile.TemporaryDirectory(prefix="asyncdemo-failif-") as tmp:
            files = [os.path.join(tmp, f"{i}.json") for i in range(2)]
            for f in files:
                self.assertEqual(self.bench("-e", "/non-blocking", "--json", "-o", f).returncode, 0)
            proc = ctl("report", "--no-timeline", "--fail-if", "all:p50<1ms", "--fail-if", "errors>0", *files)
            self.assertEqual(proc.returncode, 0, proc)
            self.assertIn("passed all:p50<1ms: ", proc.stdout)
            proc = ctl("report", "--no-timeline", "--fail-if", "all:p50>10ms", *files)
            self.assertEqual(proc.returncode, 3, proc)
            self.assertIn("FAILED all:p50>10ms: ", proc.stdout)


class ShardTest(harness.SharedDaemonTestCase):
    """Three shards of one open-model test (--shard I/3, --start-at one instant) as separate processes against one
    daemon; merged, they are the whole test: the daemon's counts, the asked rate, one interleaved schedule."""

    RATE = 200
    REQUESTS = 300

    def test_three_shards_are_one_test(self):
        with tempfile.TemporaryDirectory(prefix="asyncdemo-shards-") as tmp:
            before = self.daemon.stats()["endpoints"]["/non-blocking"]["completed"]
            start = time.time() + 2.0  # time for the three to start, even on a busy machine
            start_at = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start)) + f".{int(start % 1 * 1000):03d}Z"
            files = [os.path.join(tmp, f"shard{i}.json") for i in (1, 2, 3)]
            procs = [subprocess.Popen([harness.ctl_path(), "bench", "--url", self.daemon.base_url, "-e", "/non-blocking",
                                       "--delay", "0.01", "-n", str(self.REQUESTS), "-c", "6", "--rate", str(self.RATE),
                                       "--shard", f"{i}/3", "--start-at", start_at, "--json", "-o", f, "--no-progress"],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=harness.clean_env())
                     for i, f in zip((1, 2, 3), files)]
            for p in procs:
                _, err = p.communicate(timeout=30)
                self.assertEqual(p.returncode, 0, err)
            served = self.daemon.stats()["endpoints"]["/non-blocking"]["completed"] - before
            shards = [json.load(open(f)) for f in files]
            proc = ctl("report", "--json", *files)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            doc = json.loads(proc.stdout)
            text = ctl("report", "--no-timeline", *files).stdout
        self.assertEqual(validate(doc), [])
        self.assertIn("from 1 host, 3 of 3 shards", text)
        self.assertEqual([s["runs"][0]["completed"] for s in shards], [100, 100, 100])
        run = doc["runs"][0]
        self.assertEqual(run["completed"], self.REQUESTS)
        self.assertEqual(run["ok"], served, "merged ok vs the daemon's /stats")
        self.assertAlmostEqual(run["rate"], self.RATE, places=6)
        self.assertEqual(doc["options"]["requests"], self.REQUESTS)
        self.assertAlmostEqual(doc["options"]["rate"], self.RATE, places=6)
        self.assertEqual([s["shard"] for s in doc["options"]["sources"]],
                         [{"index": i, "count": 3} for i in (1, 2, 3)])
        # every shard started at the instant asked
        for s in shards:
            t = s["runs"][0]["started"]
            started = time.mktime(time.strptime(t[:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone + float("0" + t[19:-1])
            self.assertLess(abs(started - start), 0.25, (t, start_at))
        # one schedule: the shards' sends were due at k / RATE for every k, once
        due = sorted(round(r["intended_seconds"] * self.RATE) for r in run["requests"])
        self.assertEqual(due, list(range(self.REQUESTS)))
        # and the rate was kept: 300 due over 1.5 s
        rps = run["completed"] / run["elapsed_seconds"]
        self.assertGreater(rps, 0.5 * self.RATE)
        self.assertLess(rps, 1.02 * self.RATE)

    def test_refusals(self):
        past = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
        before = self.daemon.stats()["endpoints"]["/non-blocking"]["requests"]
        proc = ctl("bench", "--url", self.daemon.base_url, "-e", "/non-blocking", "-n", 1, "--start-at", past)
        self.assertEqual(proc.returncode, 64, proc)
        self.assertIn("--start-at", proc.stderr)
        self.assertIn("passed", proc.stderr)
        self.assertEqual(self.daemon.stats()["endpoints"]["/non-blocking"]["requests"], before, "nothing sent")
        with tempfile.TemporaryDirectory(prefix="asyncdemo-shards-") as tmp:
            a, b = os.path.join(tmp, "a.json"), os.path.join(tmp, "b.json")
            for f in (a, b):
                proc = ctl("bench", "--url", self.daemon.base_url, "-e", "/non-blocking", "--delay", 0, "-n", 2, "-c", 2,
                           "--shard", "1/2", "--json", "-o", f)
                self.assertEqual(proc.returncode, 0, proc.stderr)
            proc = ctl("report", a, b)
            self.assertEqual(proc.returncode, 64, proc)
            self.assertIn("b.json: shard 1/2 is already", proc.stderr)


if __name__ == "__main__":
    harness.main()
