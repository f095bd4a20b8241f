"""asyncdemoctl's engine under many connections, scaled down from the benchmark (bench/ctl/run.sh has the
10,000-connection figures) with bounds loose enough for sanitizer builds on a shared 2-core machine:
thousands of concurrent requests overlap, the open-file soft limit is raised to the hard limit, and a
hard limit too low is a clear error (exit 70), not a pile of failed connections."""

import json
import resource

import harness

ctl = harness.run_ctl

DELAY = 1.0
CONNS = 2000



def soft_limit(n):
    def apply():
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, hard))
    return apply


def hard_limit(n):
    def apply():
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
    return apply


class LoadTest(harness.SharedDaemonTestCase):
    @classmethod
    def setUpClass(cls):
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard != resource.RLIM_INFINITY and hard < 2 * CONNS + 200:
            raise harness.unittest.SkipTest(f"hard open-file limit {hard} is too low for {CONNS} connections")
        super().setUpClass()

    def test_thousands_concurrent_overlap(self):
        # Started with a low soft limit: the ctl raises it to the hard limit itself.
        proc = ctl("bench", "--url", self.daemon.base_url, "--endpoint", f"/non-blocking?delay={DELAY}", "-n", CONNS,
                   "-c", CONNS, "--json", preexec=soft_limit(1024))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        run = json.loads(proc.stdout)["runs"][0]
        self.assertEqual((run["completed"], run["ok"]), (CONNS, CONNS), run["errors"])
        self.assertGreaterEqual(run["elapsed_seconds"], DELAY)
        self.assertLess(run["elapsed_seconds"], DELAY + 3.0, "the requests overlapped")
        self.assertEqual(len({r["server_seq"] for r in run["requests"]}), len(run["requests"]))

    def test_compare_async_many(self):
        proc = ctl("compare", self.daemon.url(f"/delay/{DELAY}"), "-n", 500, "--modes", "async", "--json")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        run = json.loads(proc.stdout)["runs"][0]
        self.assertEqual(run["ok"], 500)
        self.assertLess(run["elapsed_seconds"], DELAY + 1.5)

    def test_hard_limit_too_low_is_a_clear_error(self):
        proc = ctl("bench", "--url", self.daemon.base_url, "--endpoint", "/non-blocking?delay=0", "-n", 1000, "-c", 1000,
                   preexec=hard_limit(256))
        self.assertEqual(proc.returncode, 70, proc)
        self.assertIn("open files", proc.stderr)
        self.assertIn("256", proc.stderr)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)


if __name__ == "__main__":
    harness.main()
