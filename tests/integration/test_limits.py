"""max-connections and max-waiting: a 503 past each limit, counted in /stats and /metrics, and served
again once there is room; the limits hold across loop threads; bad values exit 64."""

import re
import time

import apicheck
import harness

EX_USAGE = 64


def metric(text, name):
    m = re.search(rf"(?m)^{re.escape(name)} (\S+)$", text)
    if m is None:
        raise AssertionError(f"/metrics has no {name}")
    return float(m.group(1))


class LimitsTest(harness.DaemonTestCase):
    # -- helpers

    def assert_refusal(self, res, what):
        """A 503 in the API's error shape with Retry-After: 1."""
        self.assertEqual(res.status, 503, f"{what}: {res!r}")
        self.assertEqual(res.header("Retry-After"), "1", f"{what}: {res!r}")
        self.assertEqual(res.header("Content-Type"), "application/json", f"{what}: {res!r}")
        body = res.json()
        self.assertEqual(body["status"], 503, body)
        self.assertIsInstance(body["error"], str)
        self.assertEqual(body["retry_after_seconds"], 1, body)
        return body

    def hold(self, d, n):
        """n keep-alive connections, each with one request answered (so the daemon has accepted it). A
        connection a test just closed reaches the daemon a moment later: a 503 meanwhile is retried."""
        conns = []
        deadline = time.monotonic() + 5
        while len(conns) < n:
            c = d.raw(timeout=5)
            self.addCleanup(c.close)
            c.send(harness.get_request("/healthz"))
            res = c.read_response()
            if res.status == 503 and time.monotonic() < deadline:
                c.close()
                time.sleep(0.05)
                continue
            self.assertEqual(res.status, 200, res)
            conns.append(c)
        return conns

    def refused_connection(self, d):
        """Opens a connection past the limit: returns the 503 it gets, after checking the daemon closes it."""
        with d.raw(timeout=5) as c:
            c.send(harness.get_request("/healthz"))
            res = c.read_response()
            self.assertEqual(res.header("Connection"), "close", res)
            self.assertTrue(c.closed_by_peer(timeout=3), "the refused connection is closed")
        return res

    def served_again(self, d, timeout=5.0):
        """Polls with new connections until one is served (a close reaches the daemon a moment after
        the client's); returns how many 503s it met on the way."""
        refused = 0
        deadline = time.monotonic() + timeout
        while True:
            res = d.get("/healthz", timeout=5)
            if res.status == 200:
                return refused
            self.assert_refusal(res, "while connections close")
            refused += 1
            if time.monotonic() > deadline:
                raise AssertionError("no connection served after closing some")
            time.sleep(0.05)

    # -- max-connections

    def check_max_connections(self, threads):
        limit = 5
        d = self.start_daemon("--max-connections", limit, "--threads", threads)
        conns = self.hold(d, limit)

        refused = 0
        for _ in range(3):
            res = self.refused_connection(d)
            body = self.assert_refusal(res, "connection past max-connections")
            self.assertEqual(body["error"], "too many connections")
            self.assertEqual(body["max_connections"], limit)
            refused += 1

        # the held connections are still served
        for c in conns:
            c.send(harness.get_request("/healthz"))
            self.assertEqual(c.read_response().status, 200)

        # room again after closing two
        for c in conns[:2]:
            c.close()
        refused += self.served_again(d)
        s = d.stats()
        apicheck.check_stats(self, s, pid=d.pid)
        self.assertEqual(s["connections"]["refused"], refused, s["connections"])
        self.assertEqual(s["config"]["max_connections"], limit)
        self.assertLessEqual(s["connections"]["open"], limit, s["connections"])
        text = d.get("/metrics").body.decode()
        self.assertEqual(metric(text, "asyncdemo_connections_refused_total"), refused)

        # a burst of concurrent newcomers while the limit is reached: never more than the limit open
        extra = self.hold(d, limit - 3)  # 3 held + /stats' own connection closed: fill up again
        self.assertEqual(len(extra), 2)
        results = d.concurrent(["/non-blocking?delay=0.2"] * 12, timeout=10)
        statuses = sorted(r.status for r in results if isinstance(r, harness.Response))
        self.assertEqual(statuses, [503] * 12, results)
        for c in conns[2:] + extra:
            c.close()
        self.served_again(d)
        self.assertEqual(d.get("/non-blocking?delay=0.05").status, 200)

    def test_max_connections(self):
        self.check_max_connections(1)

    def test_max_connections_two_threads(self):
        self.check_max_connections(2)

    # -- max-waiting

    def check_max_waiting(self, threads):
        limit = 3
        d = self.start_daemon("--max-waiting", limit, "--threads", threads)
        waiting = harness.Background(d.concurrent, ["/non-blocking?delay=1.5"] * limit)
        d.wait_stats(lambda s: s["endpoints"]["/non-blocking"]["in_flight"] == limit, timeout=5,
                     message=f"{limit} requests waiting")

        t0 = time.monotonic()
        res = d.get("/non-blocking?delay=1")
        self.assertLess(time.monotonic() - t0, 0.5, "refused at once, not after the delay")
        body = self.assert_refusal(res, "/non-blocking past max-waiting")
        self.assertIn("max-waiting", body["error"])
        self.assert_refusal(d.get("/delay/1"), "/delay/{n} past max-waiting")
        # what does not wait on a timer is not limited
        self.assertEqual(d.get("/non-blocking?delay=0").status, 200)
        self.assertEqual(d.get("/offload?delay=0.05").status, 200)

        for r in waiting.result(timeout=10):
            self.assertOk(r)
        self.assertEqual(d.get("/non-blocking?delay=0.1").status, 200, "accepted again once they finished")
        self.assertEqual(d.get("/delay/0.1").status, 200)

        s = d.stats()
        apicheck.check_stats(self, s, pid=d.pid)
        nb = s["endpoints"]["/non-blocking"]
        self.assertEqual(nb["status_5xx"], 1, nb)
        self.assertEqual(nb["requests"], limit + 3, nb)
        self.assertEqual(nb["in_flight"], 0, nb)
        self.assertEqual(s["endpoints"]["/delay"]["status_5xx"], 1)
        self.assertEqual(s["config"]["max_waiting"], limit)

    def test_max_waiting(self):
        self.check_max_waiting(1)

    def test_max_waiting_two_threads(self):
        self.check_max_waiting(2)

    def test_max_waiting_place_freed_by_vanished_clients(self):
        d = self.start_daemon("--max-waiting", 2)
        conns = []
        for _ in range(2):
            c = d.raw(timeout=5)
            c.send(harness.get_request("/non-blocking?delay=5"))
            conns.append(c)
        d.wait_stats(lambda s: s["endpoints"]["/non-blocking"]["in_flight"] == 2, timeout=5)
        self.assertEqual(d.get("/non-blocking?delay=0.1").status, 503)
        for c in conns:
            c.close()
        d.wait_stats(lambda s: s["endpoints"]["/non-blocking"]["cancelled"] == 2, timeout=5,
                     message="both counted cancelled")
        self.assertEqual(d.get("/non-blocking?delay=0.1").status, 200, "cancelled waits gave their places back")

    # -- bad values

    def test_bad_values_exit_64(self):
        cases = [
            ("--max-connections", "0"), ("--max-connections", "abc"), ("--max-connections", "-1"),
            ("--max-connections", "1000001"), ("--max-waiting", "0"), ("--max-waiting", "1.5"),
            ("--max-waiting", ""), ("--header-timeout", "5ms"), ("--header-timeout", "2h"),
            ("--header-timeout", "1x"), ("--idle-timeout", "0"), ("--idle-timeout", "-1s"),
            ("--idle-timeout", "nan"),
        ]
        for flag, value in cases:
            with self.subTest(flag=flag, value=value):
                out = harness.run_program([harness.daemon_path(), f"{flag}={value}"], timeout=10)
                self.assertEqual(out.returncode, EX_USAGE, f"{flag}={value}: {out.stderr}")
                lines = out.stderr.strip().splitlines()
                self.assertIn(flag, lines[0], "a one-line message naming the flag")
                self.assertLessEqual(len(lines), 2, out.stderr)  # and at most "Try 'asyncdemod --help'..."
                self.assertNotIn("listening on", out.stderr)


if __name__ == "__main__":
    harness.main()
