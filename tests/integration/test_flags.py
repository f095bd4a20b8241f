"""Command line and config file: --help, --version, exit 64 on bad input, precedence, IPv6."""

import os
import socket
import tempfile
import unittest

import apicheck
import harness

EX_USAGE = 64


class FlagsTest(harness.DaemonTestCase):
    def run_daemon(self, *args, timeout=10):
        """Runs the daemon to completion (for arguments that must make it exit at once)."""
        return harness.run_program([harness.daemon_path(), *map(str, args)], timeout=timeout)

    def config_file(self, text):
        fd, path = tempfile.mkstemp(prefix="asyncdemod-", suffix=".conf")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        self.addCleanup(os.unlink, path)
        return path

    def assert_usage_error(self, *args, mentions=()):
        out = self.run_daemon(*args)
        self.assertEqual(out.returncode, EX_USAGE, f"{args}: exit {out.returncode}\n{out.stdout}\n{out.stderr}")
        self.assertTrue(out.stderr.strip(), f"{args}: a message on stderr")
        self.assertLessEqual(len(out.stderr.strip().splitlines()), 3, f"{args}: a short message:\n{out.stderr}")
        for text in mentions:
            self.assertIn(text, out.stderr, f"{args}: the message names {text!r}")
        self.assertNotIn("listening on", out.stderr)
        # The reason, then one line naming the help: no second hint inside the reason.
        lines = out.stderr.strip().splitlines()
        self.assertEqual(lines[-1], "Try 'asyncdemod --help' for more information.", out.stderr)
        self.assertEqual(sum("--help" in line for line in lines), 1, out.stderr)
        return out

    def test_help(self):
        out = self.run_daemon("--help")
        self.assertEqual(out.returncode, 0, out.stderr)
        for flag in ("--listen", "--threads", "--max-delay", "--default-delay", "--pool-size", "--pool-queue",
                     "--config", "--log-level", "--version", "--help"):
            self.assertIn(flag, out.stdout, f"--help mentions {flag}")
        self.assertEqual(out.stderr, "")

    def test_version(self):
        out = self.run_daemon("--version")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, r"\d+\.\d+\.\d+")
        if harness.expected_version():
            self.assertIn(harness.expected_version(), out.stdout)
        self.assertEqual(len(out.stdout.strip().splitlines()), 1, out.stdout)

    def test_unknown_flags_and_arguments(self):
        self.assert_usage_error("--bogus", mentions=("--bogus",))
        self.assert_usage_error("-x", mentions=("-x",))
        self.assert_usage_error("stray-argument", mentions=("stray-argument",))

    def test_bad_values(self):
        cases = [
            ("--threads", "0"), ("--threads", "abc"), ("--threads", "-1"), ("--threads", "99999999999"),
            ("--max-delay", "abc"), ("--max-delay", "-1"), ("--max-delay", "1e3"), ("--max-delay", ""),
            ("--pool-size", "x"), ("--pool-size", "-2"), ("--pool-queue", "many"),
            ("--listen", "nonsense"), ("--listen", "127.0.0.1:99999"), ("--listen", "127.0.0.1:-1"),
            ("--listen", "localhost:80x"), ("--listen", "[::1"), ("--listen", "999.0.0.1:80"),
            ("--log-level", "loud"), ("--stall-threshold", "soon"), ("--drain-timeout", "-5s"),
        ]
        for flag, value in cases:
            with self.subTest(flag=flag, value=value):
                self.assert_usage_error(flag, value, mentions=(flag,))
                self.assert_usage_error(f"{flag}={value}", mentions=(flag,))

    def test_default_delay_over_max_delay(self):
        self.assert_usage_error("--max-delay", "1s", mentions=("default-delay", "max-delay"))
        self.assert_usage_error("--default-delay", "31s", mentions=("default-delay", "max-delay"))

    def test_missing_value(self):
        for flag in ("--listen", "--threads", "--max-delay", "--config"):
            with self.subTest(flag=flag):
                self.assert_usage_error(flag, mentions=(flag,))

    def test_bad_config_files(self):
        cases = [
            ("# comment\n\nmax-delay = abc\n", 3, "max-delay"),
            ("threads = 1\ncolour = blue\n", 2, "colour"),
            ("threads = 0\n", 1, "threads"),
            ("listen = 127.0.0.1:0\nlisten = not-an-address\n", 2, "listen"),
            ("pool-size = 2\n\n\n# x\npool-queue = -1\n", 5, "pool-queue"),
            ("max-delay\n", 1, None),  # no '='
        ]
        for text, line, key in cases:
            with self.subTest(text=text):
                path = self.config_file(text)
                self.assert_usage_error("--config", path, mentions=(f"{path}:{line}",) + ((key,) if key else ()))

    def test_missing_config_file(self):
        path = "/nonexistent/asyncdemod.conf"
        self.assert_usage_error("--config", path, mentions=(path,))

    def test_config_file_applied(self):
        path = self.config_file("# asyncdemod test\nmax-delay = 1s\ndefault-delay = 500ms\npool-size = 3\n"
                                "pool-queue = 7\nlog-level = debug\nlisten = 127.0.0.1:0\n")
        d = self.start_daemon("--config", path, listen=None)  # the file's listen line is used
        s = d.stats()
        self.assertEqual((s["config"]["max_delay_seconds"], s["config"]["pool_size"], s["config"]["pool_queue"]),
                         (1, 3, 7), s["config"])
        self.assertEqual(s["config"]["default_delay_seconds"], 0.5)
        apicheck.check_error(self, d.get("/non-blocking?delay=1.5"), 400, allowed="0 to 1s")

    def test_flags_override_the_file(self):
        path = self.config_file("max-delay = 1s\ndefault-delay = 1s\npool-size = 3\n")
        for args in (("--config", path, "--max-delay", "5s"), ("--max-delay=5s", "--config", path)):
            with self.subTest(args=args):
                with harness.Daemon(*args) as d:
                    config = d.stats()["config"]
                    self.assertEqual((config["max_delay_seconds"], config["pool_size"]), (5, 3), config)

    def test_start_line_plurals(self):
        """The start-up line counts in words: "1 loop thread, 1 offload worker", "2 loop threads, 3 ..."."""
        d = self.start_daemon("--threads", 1, "--pool-size", 1)
        d.wait_for_log(r"started: 1 loop thread, 1 offload worker\b(?!s)")
        d = self.start_daemon("--threads", 2, "--pool-size", 3)
        d.wait_for_log(r"started: 2 loop threads, 3 offload workers")

    def test_address_in_use(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            port = s.getsockname()[1]
            out = self.run_daemon("--listen", f"127.0.0.1:{port}")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn(f"127.0.0.1:{port}", out.stderr)

    @unittest.skipUnless(harness.ipv6_loopback(), "no IPv6 loopback here")
    def test_ipv6(self):
        d = self.start_daemon(listen=["[::1]:0"])
        self.assertEqual(d.host, "::1")
        self.assertTrue(d.base_url.startswith("http://[::1]:"))
        self.assertEqual(d.get_json("/healthz")["status"], "ok")
        doc = d.get_json("/delay/0")
        self.assertEqual(doc["origin"], "::1")
        self.assertIn(("::1", d.port), harness.listening_ports(d.pid))

    @unittest.skipUnless(harness.ipv6_loopback(), "no IPv6 loopback here")
    def test_two_listeners(self):
        d = self.start_daemon(listen=["127.0.0.1:0", "[::1]:0"])
        self.assertEqual(sorted(a for a, _ in d.addresses), ["127.0.0.1", "::1"])
        self.assertEqual(harness.listening_ports(d.pid), set(d.addresses))
        for host, port in d.addresses:
            res = harness.http_request(host, port, "/healthz")
            self.assertEqual(res.status, 200)
        self.assertEqual(d.stats()["connections"]["total"], 3)


if __name__ == "__main__":
    harness.main()
