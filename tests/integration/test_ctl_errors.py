"""asyncdemoctl's failure paths: a daemon that is down (exit 2, one line), bad flags (exit 64 with the
usage), single failed requests (counted, report printed, exit 1), help and version (exit 0)."""

import json
import os
import re
import socket
import tempfile

import harness

ctl = harness.run_ctl

EXIT_OK, EXIT_FAILURE, EXIT_UNAVAILABLE, EXIT_USAGE = 0, 1, 2, 64



class DaemonDownTest(harness.DaemonTestCase):
    """Nothing listens on the port: every subcommand says so in one line and exits 2."""

    def setUp(self):
        self.port = harness.free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def assert_down(self, proc, authority=None):
        authority = authority or f"127.0.0.1:{self.port}"
        want = f"cannot connect to {authority} - is asyncdemod running? (systemctl start asyncdemod)"
        self.assertEqual(proc.returncode, EXIT_UNAVAILABLE, proc)
        self.assertEqual(proc.stderr.splitlines(), [want], proc.stderr)
        self.assertEqual(proc.stdout, "", "nothing on stdout when the target is down")

    def test_bench(self):
        self.assert_down(ctl("bench", "--url", self.base, "--no-progress"))

    def test_bench_load_flags(self):
        self.assert_down(ctl("bench", "--url", self.base, "-n", "1000", "-c", "50", "--endpoint", "/non-blocking"))

    def test_bench_json(self):
        self.assert_down(ctl("bench", "--url", self.base, "--json"))

    def test_compare(self):
        self.assert_down(ctl("compare", f"{self.base}/delay/1"))

    def test_stats(self):
        self.assert_down(ctl("stats", "--url", self.base))

    def test_stats_watch(self):
        self.assert_down(ctl("stats", "--url", self.base, "--watch"))

    def test_demo(self):
        self.assert_down(ctl("demo", "--url", self.base))

    def test_output_file_left_alone(self):
        """bench -o FILE with the daemon down: FILE keeps what it had, and no temporary file is left."""
        with tempfile.TemporaryDirectory(prefix="asyncdemoctl-test-") as d:
            path = os.path.join(d, "result.json")
            with open(path, "w") as f:
                f.write("the last good result\n")
            for extra in ((), ("--json",)):
                self.assert_down(ctl("bench", "--url", self.base, "-o", path, *extra))
                with open(path) as f:
                    self.assertEqual(f.read(), "the last good result\n")
                self.assertEqual(os.listdir(d), ["result.json"])
            self.assert_down(ctl("bench", "--url", self.base, "-o", os.path.join(d, "new.txt")))
            self.assertEqual(os.listdir(d), ["result.json"])

    def test_ipv6_loopback(self):
        self.assert_down(ctl("bench", "--url", f"http://[::1]:{self.port}"), authority=f"[::1]:{self.port}")


class TlsToPlainPortTest(harness.SharedDaemonTestCase):
    """https:// to the daemon's plain-HTTP port: the TLS handshake fails, so the target cannot be used.
    Every subcommand says so in the same one line and exits 2 (stats once exited 1)."""

    def test_every_subcommand(self):
        https = f"https://127.0.0.1:{self.daemon.port}"
        lines = set()
        for args in (("stats", https), ("stats", "--json", https), ("stats", "--watch", https),
                     ("bench", "--no-progress", https), ("compare", "-n", "1", f"{https}/delay/0"),
                     ("demo", "--no-progress", https)):
            with self.subTest(args=args):
                proc = ctl(*args)
                self.assertEqual(proc.returncode, EXIT_UNAVAILABLE, proc)
                self.assertEqual(proc.stdout, "")
                self.assertEqual(len(proc.stderr.splitlines()), 1, proc.stderr)
                self.assertTrue(proc.stderr.startswith(f"cannot connect to 127.0.0.1:{self.daemon.port}: "),
                                proc.stderr)
                lines.add(proc.stderr)
        self.assertEqual(len(lines), 1, f"the same failure is told the same way: {lines}")

    def test_connected_but_no_answer(self):
        """Connected, then no answer within --timeout: the answer failed (1), the target was reachable."""
        with socket.socket() as srv:
            srv.bind(("127.0.0.1", 0))
            srv.listen(4)
            proc = ctl("stats", "--timeout", "0.3", f"http://127.0.0.1:{srv.getsockname()[1]}")
        self.assertEqual(proc.returncode, EXIT_FAILURE, proc)
        self.assertRegex(proc.stderr, r"^GET http://127\.0\.0\.1:\d+/stats: timeout: ", proc.stderr)


class UsageTest(harness.DaemonTestCase):
    """A usage error is the reason and one line saying where the help is (as asyncdemod's), nothing on
    stdout, exit 64: the whole help after it would bury the reason."""

    def assert_usage(self, proc, reason, command=""):
        self.assertEqual(proc.returncode, EXIT_USAGE, proc)
        self.assertEqual(proc.stdout, "")
        where = f"asyncdemoctl {command}".rstrip()
        self.assertEqual(proc.stderr, f"asyncdemoctl: {reason}\nTry '{where} --help' for more information.\n")

    def test_no_command(self):
        self.assert_usage(ctl(), "no command given (bench, compare, stats, demo, report or help)")

    def test_unknown_command(self):
        self.assert_usage(ctl("frobnicate"), "unknown command 'frobnicate'")
        self.assert_usage(ctl("help", "frobnicate"), "help: unknown command 'frobnicate'")

    def test_bad_values(self):
        cases = [
            (("bench", "--requests", "abc"), "--requests: 'abc' is not a whole number"),
            (("bench", "-c", "0"), "-c: '0' is out of range (1 to 100000)"),
            (("bench", "--duration", "ten"), "--duration: 'ten' must be digits with an optional fraction and unit, like 2, 0.25 or 250ms"),
            (("bench", "--rate", "-5"), "--rate: '-5' is not a number of requests per second"),
            (("bench", "--url", "ftp://127.0.0.1/"),
             "--url: 'ftp://127.0.0.1/' is not a valid URL: must start with http:// or https://"),
            (("bench", "--bogus"), "unknown option '--bogus'"),
            (("bench", "--json=yes"), "--json: takes no value"),
            (("bench", "-n"), "-n: needs a value"),
            (("compare", "--modes", "sequential,nope"),
             "--modes: 'nope' is not a mode (sequential, async, threads, processes)"),
            (("compare", "-n", "-1"), "-n: '-1' is not a whole number"),
            (("compare", "--watch"), "unknown option '--watch'"),
            (("stats", "--interval", "x"), "--interval: 'x' must be digits with an optional fraction and unit, like 2, 0.25 or 250ms"),
            (("stats", "--color=sometimes"), "--color: 'sometimes' is not one of auto, always, never"),
            (("stats", "a", "b"), "URL: 'a' is not a valid URL: must start with http:// or https://"),
            (("demo", "--delay", "-1"), "--delay: '-1' must not be negative"),
            (("demo", "--endpoint", "/x"), "unknown option '--endpoint'"),
        ]
        for args, reason in cases:
            with self.subTest(args=args):
                self.assert_usage(ctl(*args), reason, args[0])

    def test_help_and_version(self):
        for args in (("--help",), ("help",), ("help", "bench"), ("bench", "--help"), ("compare", "-h"),
                     ("stats", "--help"), ("demo", "--help")):
            with self.subTest(args=args):
                proc = ctl(*args)
                self.assertEqual(proc.returncode, EXIT_OK, proc)
                self.assertIn("Usage: asyncdemoctl", proc.stdout)
        proc = ctl("--version")
        self.assertEqual(proc.returncode, EXIT_OK, proc)
        version = harness.expected_version()
        self.assertRegex(proc.stdout, r"^asyncdemoctl \d+\.\d+\.\d+")
        if version:
            self.assertIn(version, proc.stdout)


class FailedRequestsTest(harness.SharedDaemonTestCase):
    """Single failures are counted by class, the report is still printed, and the exit status is 1."""

    def test_status_errors(self):
        proc = ctl("bench", "--url", self.daemon.base_url, "--endpoint", "/no-such-path", "-n", "4", "-c", "2",
                   "--json")
        self.assertEqual(proc.returncode, EXIT_FAILURE, proc)
        run = json.loads(proc.stdout)["runs"][0]
        self.assertEqual((run["completed"], run["ok"]), (4, 0), run)
        self.assertEqual(run["errors"]["status"], 4, run["errors"])
        self.assertEqual(run["statuses"], {"404": 4}, run["statuses"])
        self.assertEqual(run["first_error"], "status: HTTP 404: not found")

    def test_server_reason_and_no_ratio(self):
        """bench --delay 31: every answer is the daemon's 400; the report gives the daemon's reason, in both
        engines, and compares no run (none has a successful answer)."""
        for engine in ("h2o", "curl"):
            proc = ctl("bench", "--url", self.daemon.base_url, "--delay", "31", "-n", "2", "--engine", engine)
            self.assertEqual(proc.returncode, EXIT_FAILURE, proc)
            self.assertEqual(proc.stdout.count("first error: status: HTTP 400: bad delay: over max-delay (30s)\n"), 3,
                             proc.stdout)
            self.assertNotIn("slower", proc.stdout)
            self.assertNotIn("took about as long", proc.stdout)
            for name in ("/blocking", "/non-blocking", "/offload"):
                self.assertIn(f"{name} is not compared: no request succeeded", proc.stdout)
        proc = ctl("bench", "--url", self.daemon.base_url, "-e", "/nope", "-e", "/non-blocking", "--delay", "0.01",
                   "-n", "2", "--json")
        doc = json.loads(proc.stdout)
        self.assertEqual(doc["comparisons"], [], doc["comparisons"])
        self.assertEqual(doc["runs"][0]["first_error"], "status: HTTP 404: not found")

    def test_timeouts(self):
        proc = ctl("bench", "--url", self.daemon.base_url, "--endpoint", "/non-blocking?delay=2", "-n", "3", "-c", "3",
                   "--timeout", "0.3", "--no-timeline")
        self.assertEqual(proc.returncode, EXIT_FAILURE, proc)
        # The text report is still printed; it counts the class and names the first error.
        self.assertIn("3 requests", proc.stdout)
        self.assertRegex(proc.stdout, r"timeout\D{0,10}3|3\D{0,10}timeout")
        self.assertIn("first error: timeout: ", proc.stdout)
        # A request is never timed out early: the report says when each ended.
        for took in re.findall(r"took ([0-9.]+)s\s+timeout", proc.stdout):
            self.assertGreaterEqual(float(took), 0.3, proc.stdout)

    def test_mixed_results_still_report(self):
        # /blocking is serial: with a timeout between one and two delays, the first answers, the rest time out.
        proc = ctl("bench", "--url", self.daemon.base_url, "--endpoint", "/blocking?delay=0.4", "-n", "3", "-c", "3",
                   "--timeout", "0.6", "--json")
        self.assertEqual(proc.returncode, EXIT_FAILURE, proc)
        run = json.loads(proc.stdout)["runs"][0]
        self.assertEqual(run["completed"], 3, run)
        self.assertEqual(run["ok"], 1, run)
        self.assertEqual(run["errors"]["timeout"], 2, run["errors"])
        self.assertEqual(run["latency"]["count"], 1, "only answered requests have a latency")


if __name__ == "__main__":
    harness.main()
