"""Signals: SIGTERM/SIGINT drain in-flight delays and exit 0; SIGHUP reloads the config file."""

import os
import signal
import socket
import tempfile
import time

import apicheck
import harness

DELAY = 0.5
PROMPT = harness.scaled(3.0)  # seconds the daemon may take to exit once nothing is in flight
FIRST_REQUEST_GRACE = 1.0  # how long the drain waits for an accepted connection's first request


class ShutdownTest(harness.DaemonTestCase):
    def test_sigterm_lets_the_in_flight_request_finish(self):
        d = self.start_daemon()
        idle = d.connection()  # an idle keep-alive connection must not hold the exit up
        self.addCleanup(idle.close)
        self.assertEqual(d.get("/healthz", conn=idle).status, 200)
        pending = harness.Background(d.get, f"/non-blocking?delay={DELAY}")
        d.wait_stats(lambda s: s["endpoints"]["/non-blocking"]["in_flight"] == 1, 3, "the request in flight")
        os.kill(d.pid, signal.SIGTERM)
        t_signal = time.monotonic()

        # Draining: the listening socket is closed (before the line is logged), so a new connection is refused.
        d.wait_for_log(r"stopping: no new connections", timeout=PROMPT)
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection((d.host, d.port), timeout=2).close()

        res = pending.result()
        self.assertEqual(res.status, 200, res)
        body = res.json()
        self.assertGreaterEqual(body["waited_seconds"], DELAY)
        self.assertLess(time.monotonic() - t_signal, DELAY + 1.0, "the answer came when its delay ended")
        code = d.wait_exit(PROMPT)
        self.assertEqual(code, 0, f"exit status after SIGTERM (None: still running {PROMPT} s later)\n{d.stderr}")

    def accepted_raw_connection(self, d):
        """A connection the daemon has accepted (counted open beside the /stats one) with no request yet."""
        c = d.raw()
        self.addCleanup(c.close)
        d.wait_stats(lambda s: s["connections"]["open"] >= 2, 3, "the raw connection accepted")
        return c

    def test_first_request_of_an_accepted_connection_is_served_during_the_drain(self):
        # Under socket activation a restart's successor never sees a connection this process accepted:
        # closing it would lose the request, so the drain waits for it and serves it.
        d = self.start_daemon()
        c = self.accepted_raw_connection(d)
        os.kill(d.pid, signal.SIGTERM)
        d.wait_for_log(r"stopping: no new connections", timeout=PROMPT)
        time.sleep(0.2)
        self.assertIsNone(d.proc.poll(), "exited before the accepted connection's request came")
        c.send(harness.get_request("/non-blocking?delay=0.05"))
        res = c.read_response()
        self.assertEqual(res.status, 200, res)
        self.assertEqual(res.json()["requested_delay_seconds"], 0.05)
        self.assertEqual(res.header("Connection", "").lower(), "close", res)
        self.assertEqual(d.wait_exit(PROMPT), 0, d.stderr)
        self.assertNotIn("sent no request", d.stderr)

    def test_accepted_connection_without_a_request_holds_the_exit_one_second(self):
        d = self.start_daemon()
        c = self.accepted_raw_connection(d)
        t0 = time.monotonic()
        os.kill(d.pid, signal.SIGTERM)
        self.assertEqual(d.wait_exit(FIRST_REQUEST_GRACE + PROMPT), 0, d.stderr)
        took = time.monotonic() - t0
        self.assertTrue(c.closed_by_peer(), "the connection is closed at exit")
        self.assertGreaterEqual(took, FIRST_REQUEST_GRACE, "waited for the connection's first request")
        self.assertRegex(d.stderr, r"closing connections that sent no request within 1s of the stop: 1\b")

    def test_sigterm_idle_exits_promptly(self):
        d = self.start_daemon()
        idle = d.connection()
        self.addCleanup(idle.close)
        self.assertEqual(d.get("/healthz", conn=idle).status, 200)
        t0 = time.monotonic()
        self.assertEqual(d.stop(signal.SIGTERM), 0, d.stderr)
        self.assertLess(time.monotonic() - t0, PROMPT)

    def test_sigint(self):
        d = self.start_daemon()
        t0 = time.monotonic()
        self.assertEqual(d.stop(signal.SIGINT), 0, d.stderr)
        self.assertLess(time.monotonic() - t0, PROMPT)

    def test_keep_alive_request_during_drain(self):
        d = self.start_daemon()
        pending = harness.Background(d.get, f"/non-blocking?delay={DELAY}")
        with d.raw() as c:
            c.send(harness.get_request("/healthz"))
            self.assertEqual(c.read_response().status, 200)
            d.wait_stats(lambda s: s["endpoints"]["/non-blocking"]["in_flight"] == 1, 3, "the request in flight")
            os.kill(d.pid, signal.SIGTERM)
            d.wait_for_log(r"stopping: no new connections", timeout=PROMPT)
            # A new request on a keep-alive connection opened before the signal is served, and outlasts
            # the one in flight: the drain waits for it too. Connection: close sends the client's next
            # request to a new connection (under socket activation, to the next process).
            c.send(harness.get_request(f"/non-blocking?delay={DELAY}"))
            res = c.read_response()
            self.assertEqual(res.status, 200, res)
            self.assertGreaterEqual(res.json()["waited_seconds"], DELAY, res.body)
            self.assertEqual(res.header("Connection", "").lower(), "close", res)
            self.assertTrue(c.closed_by_peer(), "the connection ends after the answer")
        self.assertEqual(pending.result().status, 200)
        self.assertEqual(d.wait_exit(PROMPT), 0, d.stderr)


class ReloadTest(harness.DaemonTestCase):
    def write(self, path, text):
        with open(path + ".new", "w") as f:
            f.write(text)
        os.replace(path + ".new", path)

    def config_file(self, text):
        """A temporary config file holding text, removed after the test."""
        fd, path = tempfile.mkstemp(prefix="asyncdemod-", suffix=".conf")
        os.close(fd)
        self.addCleanup(os.unlink, path)
        self.write(path, text)
        return path

    def reload(self, d, path, text):
        """Rewrites the config file and sends SIGHUP; returns the log mark from before the signal."""
        self.write(path, text)
        mark = d.log_count()
        os.kill(d.pid, signal.SIGHUP)
        return mark

    def test_sighup_applies_a_changed_config(self):
        path = self.config_file("max-delay = 1s\ndefault-delay = 0\n")
        d = self.start_daemon("--config", path)
        self.assertEqual(d.get_json("/non-blocking?delay=0.3")["requested_delay_seconds"], 0.3)

        mark = self.reload(d, path, "# tighter\nmax-delay = 200ms\ndefault-delay = 0\npool-queue = 5\n")
        config = d.wait_stats(lambda s: s["config"]["max_delay_seconds"] == 0.2, 3,
                              "max-delay 0.2 after SIGHUP")["config"]
        self.assertEqual((config["default_delay_seconds"], config["pool_queue"]), (0, 5), config)
        apicheck.check_error(self, d.get("/non-blocking?delay=0.3"), 400, parameter="delay", allowed="0 to 200ms")
        self.assertEqual(d.get("/non-blocking?delay=0.2").status, 200)
        d.wait_for_log(r"(?i)reload", timeout=2, since=mark)

        # A broken file on SIGHUP: logged with FILE:LINE, the running config kept, the daemon alive.
        mark = self.reload(d, path, "max-delay = 5s\ndefault-delay = 0\nthreads = lots\n")
        d.wait_for_log(f"{path}:3", timeout=3, since=mark)
        time.sleep(0.1)
        self.assertEqual(d.stats()["config"]["max_delay_seconds"], 0.2, "broken reload keeps the old config")
        self.assertEqual(d.get("/healthz").status, 200)

    def test_sighup_applies_drain_timeout(self):
        path = self.config_file("drain-timeout = 30s\n")
        d = self.start_daemon("--config", path)
        mark = self.reload(d, path, "drain-timeout = 300ms\n")
        d.wait_for_log(r"configuration reloaded", timeout=3, since=mark)
        pending = harness.Background(d.get, "/non-blocking?delay=5")
        d.wait_stats(lambda s: s["endpoints"]["/non-blocking"]["in_flight"] == 1, 3, "the request in flight")
        t0 = time.monotonic()
        os.kill(d.pid, signal.SIGTERM)
        self.assertEqual(d.wait_exit(PROMPT), 0, d.stderr)
        self.assertLess(time.monotonic() - t0, PROMPT, "the reloaded 300ms drain, not 30s")
        self.assertRegex(d.stderr, r"drain timeout: 1 requests still in flight")
        with self.assertRaises(ConnectionError):  # closed unanswered when the drain ran out
            pending.result(timeout=5)


if __name__ == "__main__":
    harness.main()
