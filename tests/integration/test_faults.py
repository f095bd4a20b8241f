"""The daemon under faults (issue 6): descriptors running out, and /offload floods past its pool.

Each test starts its own daemon on a free loopback port and stops it; the harness then checks exit 0
and a stderr free of sanitizer reports.
"""

import os
import re
import signal
import socket
import subprocess
import threading
import time
import unittest

import apicheck
import harness

NOFILE = 64  # RLIMIT_NOFILE given to the daemon (soft = hard, so it cannot raise it)
IDLE_FLOOD = 150  # idle connections opened past that limit
PENDING = 10  # connections with a delayed request in flight before the flood
PENDING_DELAY = 2.5  # long enough to be still waiting after the flood and the CPU window
CPU_WINDOW = 1.0  # seconds of exhaustion over which the daemon's CPU time is measured
CPU_BOUND = 0.3  # CPU seconds it may use in that window (a spinning accept loop uses ~CPU_WINDOW)
PAUSED_RE = r"cannot accept connections \(.*\); pausing accept"


def cpu_seconds(pid):
    """User + system CPU time of process pid so far (all threads), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def connect(port, timeout=10.0):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


class FdExhaustionTest(harness.DaemonTestCase):
    """Past RLIMIT_NOFILE the daemon pauses accepting (logged), does not spin, keeps serving the
    connections it has, and takes the backlog again once clients leave."""

    def start_limited(self, *args):
        return self.start_daemon(*args, launcher=["prlimit", f"--nofile={NOFILE}:{NOFILE}"])

    def tracked_sockets(self):
        """A list whose sockets are closed when the test ends."""
        clients = []
        self.addCleanup(lambda: [s.close() for s in clients])
        return clients

    def flood_until_paused(self, d, clients):
        """Opens IDLE_FLOOD idle connections (each completes in the kernel's backlog even when not
        accepted) into clients, and waits for the daemon to log that it paused accepting."""
        mark = d.log_count()
        for _ in range(IDLE_FLOOD):
            clients.append(connect(d.port))
        d.wait_for_log(PAUSED_RE, timeout=5, since=mark)

    def test_flood_past_the_descriptor_limit(self):
        d = self.start_limited("--log-level", "info")
        with open(f"/proc/{d.pid}/limits") as f:
            self.assertRegex(f.read(), rf"Max open files\s+{NOFILE}\s+{NOFILE}")
        control = d.connection()  # opened first: /stats while no new connection can be accepted
        self.addCleanup(control.close)
        self.assertEqual(d.get("/healthz", conn=control).status, 200)

        clients = self.tracked_sockets()
        pending = []
        for _ in range(PENDING):
            c = d.raw()
            c.send(harness.get_request(f"/non-blocking?delay={PENDING_DELAY}"))
            pending.append(c)
            clients.append(c.sock)
        t_sent = time.monotonic()
        d.wait_stats(lambda s: s["endpoints"]["/non-blocking"]["in_flight"] == PENDING, 5,
                     f"{PENDING} requests in flight")
        self.flood_until_paused(d, clients)

        # Exhausted: at the limit, alive, and idle (a level-triggered listener would spin here).
        self.assertLessEqual(open_fds(d.pid), NOFILE)
        mid = harness.http_request(d.host, d.port, "/stats", conn=control).json()
        self.assertLessEqual(mid["connections"]["open"], NOFILE, mid["connections"])
        self.assertEqual(mid["endpoints"]["/non-blocking"]["in_flight"], PENDING)
        c0 = cpu_seconds(d.pid)
        time.sleep(CPU_WINDOW)
        used = cpu_seconds(d.pid) - c0
        self.assertLess(used, CPU_BOUND, f"{used:.2f} s of CPU in {CPU_WINDOW} s while out of descriptors")
        self.assertIsNone(d.proc.poll(), "still running")

        # The connections it holds are still served: their timers fire and the answers are written.
        for c in pending:
            res = c.read_response()
            self.assertEqual(res.status, 200, res)
            apicheck.check_delay_answer(self, res.json(), "/non-blocking", PENDING_DELAY, pid=d.pid)
        self.assertLess(time.monotonic() - t_sent, PENDING_DELAY + 2.0, "answered when due")

        # Clients leave: the paused accept resumes, the backlog (closed connections) drains, new work is served.
        for s in clients:
            s.close()
        clients.clear()
        t_closed = time.monotonic()
        res = d.get("/non-blocking?delay=0", timeout=10)
        self.assertEqual(res.status, 200, res)
        self.assertLess(time.monotonic() - t_closed, 3.0, "served again soon after the clients left")
        # Every connection of the backlog is accepted (and closed, its client gone), none is lost.
        accepted = 2 + PENDING + IDLE_FLOOD
        s = d.wait_stats(lambda s: s["connections"]["open"] <= 2 and s["connections"]["total"] >= accepted, 5,
                         "the flood's connections accepted and closed")
        ep = s["endpoints"]["/non-blocking"]
        self.assertEqual((ep["requests"], ep["completed"], ep["cancelled"], ep["in_flight"]),
                         (PENDING + 1, PENDING + 1, 0, 0), ep)
        self.assertLess(open_fds(d.pid), NOFILE // 2, "descriptors given back")
        self.assertEqual(len(re.findall(PAUSED_RE, d.stderr)), 1, "the pause is logged once, not per retry")

    def test_flood_with_two_loops(self):
        # Two loops: each one pauses its own accepting; the handoff between loops must not lose a socket.
        d = self.start_limited("--threads", 2)
        clients = self.tracked_sockets()
        self.flood_until_paused(d, clients)
        c0 = cpu_seconds(d.pid)
        time.sleep(CPU_WINDOW)
        used = cpu_seconds(d.pid) - c0
        self.assertLess(used, CPU_BOUND, f"{used:.2f} s of CPU in {CPU_WINDOW} s while out of descriptors")
        for s in clients:
            s.close()
        clients.clear()
        results = d.concurrent(["/non-blocking?delay=0.1"] * 8, timeout=10)
        for r in results:
            self.assertOk(r)
        d.wait_stats(lambda s: s["connections"]["open"] <= 1 and s["connections"]["total"] >= IDLE_FLOOD, 5,
                     "the flood's connections accepted and closed")
        self.assertLess(open_fds(d.pid), NOFILE // 2)

    def test_sigterm_while_out_of_descriptors(self):
        # The drain closes the paused listeners and cancels their resume timers; in-flight requests finish.
        d = self.start_limited("--threads", 2)
        clients = self.tracked_sockets()
        pending = d.raw()
        clients.append(pending.sock)
        pending.send(harness.get_request("/non-blocking?delay=0.5"))
        d.wait_stats(lambda s: s["endpoints"]["/non-blocking"]["in_flight"] == 1, 5, "the request in flight")
        self.flood_until_paused(d, clients)
        t0 = time.monotonic()
        os.kill(d.pid, signal.SIGTERM)
        self.assertEqual(pending.read_response().status, 200)
        self.assertEqual(d.wait_exit(harness.scaled(5)), 0, d.stderr)
        self.assertLess(time.monotonic() - t0, 3.0)
        self.assertRegex(d.stderr, r"all in-flight requests finished")

    # sd_notify opens a socket per message: lib/notify.c keeps one open so that WATCHDOG=1 still goes out
    # while every descriptor is taken (otherwise systemd would kill the daemon for the flood).
    def test_watchdog_pings_while_out_of_descriptors(self):
        with harness.NotifyListener() as n:
            env = dict(n.env, WATCHDOG_USEC=1000000)
            d = self.start_daemon(env=env, launcher=["prlimit", f"--nofile={NOFILE}:{NOFILE}"]
                                  + harness.watchdog_launcher())
            n.wait_for("WATCHDOG", "1", timeout=5)
            clients = self.tracked_sockets()
            self.flood_until_paused(d, clients)
            before = len(n.all("WATCHDOG"))
            time.sleep(1.5)  # longer than WatchdogSec=1s: systemd would have killed a daemon that went quiet
            pings = len(n.all("WATCHDOG")) - before
            self.assertGreaterEqual(pings, 2, "WATCHDOG=1 pings while out of descriptors")
            d.stop()


POOL_SIZE = 2
POOL_QUEUE = 3
OFFLOAD_DELAY = 0.6


class OffloadFloodTest(harness.DaemonTestCase):
    """More concurrent /offload requests than workers + queue: the excess is refused at once with 503 and
    Retry-After, the rest answered; the queue never grows past its bound (sampled from /stats meanwhile).
    test_offload_pool.py checks the one-worker case and the order of a queued job."""

    def setUp(self):
        self.d = self.start_daemon("--pool-size", POOL_SIZE, "--pool-queue", POOL_QUEUE)

    def sample_pool(self, stop, peaks):
        """Polls /stats until stop is set; keeps the largest busy and queued seen."""
        conn = self.d.connection()
        try:
            while not stop.is_set():
                s = harness.http_request(self.d.host, self.d.port, "/stats", conn=conn).json()
                peaks["busy"] = max(peaks["busy"], s["offload"]["busy"])
                peaks["queued"] = max(peaks["queued"], s["offload"]["queued"])
                peaks["samples"] += 1
                time.sleep(0.01)
        finally:
            conn.close()

    def flood(self, n):
        stop = threading.Event()
        peaks = {"busy": 0, "queued": 0, "samples": 0}
        sampler = threading.Thread(target=self.sample_pool, args=(stop, peaks), daemon=True)
        sampler.start()
        try:
            results = self.d.concurrent([f"/offload?delay={OFFLOAD_DELAY}"] * n, timeout=20)
        finally:
            stop.set()
            sampler.join(10)
        for r in results:
            self.assertIsInstance(r, harness.Response, r)
        ok = [r for r in results if r.status == 200]
        refused = [r for r in results if r.status == 503]
        self.assertEqual((len(ok), len(refused)), (POOL_SIZE + POOL_QUEUE, n - POOL_SIZE - POOL_QUEUE),
                         [r.status for r in results])
        for r in refused:
            apicheck.check_error(self, r, 503)
            self.assertEqual(r.header("Retry-After"), "1", r)
            self.assertLess(r.took, OFFLOAD_DELAY / 2, "refused at once, not after waiting")
        for r in ok:
            apicheck.check_delay_answer(self, r.json(), "/offload", OFFLOAD_DELAY, pid=self.d.pid)
        self.assertGreater(peaks["samples"], 0)
        self.assertLessEqual(peaks["busy"], POOL_SIZE, peaks)
        self.assertLessEqual(peaks["queued"], POOL_QUEUE, peaks)
        return ok, refused

    def test_flood_refuses_exactly_the_excess(self):
        n = 12
        for wave in (1, 2):  # the pool is whole again after the first flood
            with self.subTest(wave=wave):
                self.flood(n)
        s = self.d.wait_stats(lambda s: s["offload"] == {"busy": 0, "queued": 0}, 3, "the pool idle")
        ep = s["endpoints"]["/offload"]
        excess = n - POOL_SIZE - POOL_QUEUE
        self.assertEqual((ep["requests"], ep["completed"], ep["status_5xx"], ep["in_flight"], ep["cancelled"]),
                         (2 * n, 2 * n, 2 * excess, 0, 0), ep)
        # the pool's bound, plus the refused request in flight for the moment of its 503
        self.assertLessEqual(ep["peak_in_flight"], POOL_SIZE + POOL_QUEUE + 1, ep)

    def test_queued_clients_that_leave_free_their_places(self):
        d = self.d
        # Long enough to outlast every step below on a busy machine: the refusal at the end needs them busy.
        running = harness.Background(d.concurrent, [f"/offload?delay={OFFLOAD_DELAY * 4}"] * POOL_SIZE)
        d.wait_stats(lambda s: s["offload"]["busy"] == POOL_SIZE, 3, "every worker busy")
        queued = []
        for _ in range(POOL_QUEUE):
            c = d.raw()
            c.send(harness.get_request(f"/offload?delay={OFFLOAD_DELAY}"))
            queued.append(c)
        d.wait_stats(lambda s: s["offload"]["queued"] == POOL_QUEUE, 3, "the queue full")
        for c in queued:
            c.close()
        s = d.wait_stats(lambda s: s["offload"]["queued"] == 0
                         and s["endpoints"]["/offload"]["cancelled"] == POOL_QUEUE, 3, "the queued jobs withdrawn")
        self.assertEqual(s["offload"]["busy"], POOL_SIZE)
        # Their places are free: a full queue's worth is taken again, one more is refused.
        results = d.concurrent([f"/offload?delay={OFFLOAD_DELAY}"] * (POOL_QUEUE + 1), timeout=20)
        statuses = sorted(r.status if isinstance(r, harness.Response) else repr(r) for r in results)
        self.assertEqual(statuses, [200] * POOL_QUEUE + [503], statuses)
        for r in running.result():
            self.assertOk(r)
        ep = d.wait_stats(lambda s: s["offload"]["busy"] == 0, 3, "the pool idle")["endpoints"]["/offload"]
        total = POOL_SIZE + 2 * POOL_QUEUE + 1
        self.assertEqual((ep["requests"], ep["completed"], ep["cancelled"], ep["status_5xx"], ep["in_flight"]),
                         (total, total - POOL_QUEUE, POOL_QUEUE, 1, 0), ep)
        # Nothing left counted as waiting for the drain: SIGTERM exits at once.
        t0 = time.monotonic()
        self.assertEqual(d.stop(), 0, d.stderr)
        self.assertLess(time.monotonic() - t0, 3.0)
        self.assertRegex(d.stderr, r"letting 0 in-flight requests finish")

    def test_http2_flood(self):
        # One HTTP/2 connection carrying the whole flood as concurrent streams.
        n = 10
        out = subprocess.run(["h2load", f"-n{n}", "-c1", f"-m{n}", self.d.url(f"/offload?delay={OFFLOAD_DELAY}")],
                             capture_output=True, text=True, timeout=30)
        self.assertIn("h2c", out.stdout)
        self.assertRegex(out.stdout, rf"status codes: {POOL_SIZE + POOL_QUEUE} 2xx, 0 3xx, 0 4xx, "
                                     rf"{n - POOL_SIZE - POOL_QUEUE} 5xx", out.stdout)
        ep = self.d.wait_stats(lambda s: s["offload"]["busy"] == 0, 3, "the pool idle")["endpoints"]["/offload"]
        self.assertEqual((ep["requests"], ep["status_5xx"], ep["in_flight"]), (n, n - POOL_SIZE - POOL_QUEUE, 0), ep)


if __name__ == "__main__":
    harness.main()
