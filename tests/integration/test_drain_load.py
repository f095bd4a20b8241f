"""Signals under load (issue 6): SIGTERM with hundreds of requests in flight, SIGHUP while requests wait.

SIGTERM: every in-flight request is either answered completely or its connection closed cleanly (read
back byte for byte from raw sockets: never a truncated or garbled answer), and the daemon exits 0 within
the drain timeout, also when requests outlast it. SIGHUP (changed, unchanged, broken config, bursts): the
waiting requests are all answered on time and the reload is logged or refused as documented.
"""

import json
import os
import selectors
import signal
import socket
import subprocess
import tempfile
import time

import apicheck
import harness

IN_FLIGHT = 200  # delayed requests, one connection each
PIPELINED = 10  # connections with a second request queued behind a delayed one
IDLE = 20  # keep-alive connections that answered once and then idle
DELAY = harness.scaled(1.5)  # long enough for all of them to be in flight at once before the signal
DRAIN = harness.scaled(5.0)  # --drain-timeout of the load test (outlasts DELAY)
SLOW = 5.0  # delay of the requests that outlast the short drain
SHORT_DRAIN = 1.0
EXIT_MARGIN = harness.scaled(3.0)  # on top of the delay or drain


def parse_responses(data):
    """Splits what one connection received into complete HTTP/1.1 answers [(status, headers, body)].
    Fails (AssertionError) on anything that is not a sequence of whole answers framed by Content-Length."""
    answers = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            raise AssertionError(f"truncated head: {data[:200]!r}")
        lines = head.decode("latin-1").split("\r\n")
        version, status, _ = (lines[0].split(" ", 2) + [""])[:3]
        if version != "HTTP/1.1" or not status.isdigit():
            raise AssertionError(f"garbled status line: {lines[0]!r}")
        headers = {}
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if not colon:
                raise AssertionError(f"garbled header line: {line!r}")
            headers[name.strip().lower()] = value.strip()
        if "content-length" not in headers:
            raise AssertionError(f"answer without Content-Length: {head!r}")
        length = int(headers["content-length"])
        if len(rest) < length:
            raise AssertionError(f"truncated body: {len(rest)} of {length} bytes: {rest[:200]!r}")
        answers.append((int(status), headers, rest[:length]))
        data = rest[length:]
    return answers


def read_until_closed(socks, timeout):
    """Reads every socket in socks until the peer closes it (FIN or RST) or timeout passes.
    Returns {sock: (bytes, how)} with how "eof", "reset" or "open" (still open at the timeout)."""
    sel = selectors.DefaultSelector()
    got = {}
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        got[s] = [b"", "open"]
    deadline = time.monotonic() + timeout
    left = len(socks)
    while left and time.monotonic() < deadline:
        for key, _ in sel.select(max(0.0, deadline - time.monotonic())):
            s = key.fileobj
            try:
                chunk = s.recv(65536)
                how = "eof" if not chunk else None
            except ConnectionResetError:
                chunk, how = b"", "reset"
            except BlockingIOError:
                continue
            got[s][0] += chunk
            if how:
                got[s][1] = how
                sel.unregister(s)
                left -= 1
    sel.close()
    return {s: tuple(v) for s, v in got.items()}


def open_with_request(d, request):
    s = socket.create_connection((d.host, d.port), timeout=10)
    s.sendall(request)
    return s


class SigtermUnderLoadTest(harness.DaemonTestCase):
    def connections(self):
        socks = []
        self.addCleanup(lambda: [s.close() for s in socks])
        return socks

    def try_new_connection(self, d):
        """A connection made during the drain: refused (or, queued before the listener closed, reset)."""
        try:
            s = socket.create_connection((d.host, d.port), timeout=2)
        except (ConnectionRefusedError, ConnectionResetError):
            return "refused"
        with s:
            try:
                s.sendall(harness.get_request("/non-blocking?delay=0"))
            except OSError:
                return "closed"
            data, how = read_until_closed([s], 5)[s]
        self.assertNotEqual(how, "open", "accepted during the drain but neither answered nor closed")
        self.assertEqual(data, b"", "a connection made during the drain was served")
        return "closed"

    def test_every_request_answered_or_closed_cleanly(self):
        d = self.start_daemon("--drain-timeout", f"{DRAIN:g}s")
        socks = self.connections()
        idle = []
        for _ in range(IDLE):
            c = d.raw()
            self.addCleanup(c.close)
            c.send(harness.get_request("/healthz"))
            self.assertEqual(c.read_response().status, 200)
            idle.append(c)
        delayed = harness.get_request(f"/non-blocking?delay={DELAY}")
        waiting = [open_with_request(d, delayed) for _ in range(IN_FLIGHT)]
        queued = [open_with_request(d, delayed + harness.get_request("/non-blocking?delay=0"))
                  for _ in range(PIPELINED)]
        socks += waiting + queued
        h2 = subprocess.Popen(["h2load", "-n20", "-c2", "-m10", d.url(f"/delay/{DELAY}")], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        self.addCleanup(lambda: h2.poll() is None and h2.kill())
        total = IN_FLIGHT + PIPELINED
        d.wait_stats(lambda s: s["endpoints"]["/non-blocking"]["in_flight"] == total
                     and s["endpoints"]["/delay"]["in_flight"] == 20, 10, f"{total} + 20 requests in flight")

        os.kill(d.pid, signal.SIGTERM)
        t_signal = time.monotonic()
        d.wait_for_log(r"stopping: no new connections", timeout=EXIT_MARGIN)
        # During the drain: new connections are not accepted; a request on an idle keep-alive connection is
        # served, with Connection: close.
        fates = [self.try_new_connection(d) for _ in range(3)]
        for c in idle[:5]:
            c.send(harness.get_request("/non-blocking?delay=0"))
            res = c.read_response()
            self.assertEqual(res.status, 200, res)
            self.assertEqual(res.header("Connection", "").lower(), "close", res)

        results = read_until_closed(socks, DRAIN + EXIT_MARGIN)
        for i, s in enumerate(socks):
            data, how = results[s]
            with self.subTest(connection=i, how=how):
                answers = parse_responses(data)
                # The drain outlasts the delay: each waiting request is answered, then the connection ends.
                self.assertGreaterEqual(len(answers), 1, f"closed ({how}) without its answer")
                status, headers, body = answers[0]
                self.assertEqual(status, 200, body[:300])
                apicheck.check_delay_answer(self, json.loads(body), "/non-blocking", DELAY, pid=d.pid)
                self.assertEqual(headers.get("connection"), "close", "no keep-alive while draining")
                self.assertEqual(len(answers), 1, "no second answer after Connection: close")
                self.assertNotEqual(how, "open")
        out, _ = h2.communicate(timeout=10)
        self.assertRegex(out, r"20 succeeded", out)
        code = d.wait_exit(EXIT_MARGIN)
        took = time.monotonic() - t_signal
        self.assertEqual(code, 0, f"exit status after SIGTERM (None: still running)\n{d.stderr}")
        self.assertLess(took, DELAY + EXIT_MARGIN, "exited once the in-flight requests were answered")
        self.assertRegex(d.stderr, r"all in-flight requests finished")
        self.assertTrue(all(f in ("refused", "closed") for f in fates), fates)

    def test_requests_outlasting_the_drain_timeout(self):
        d = self.start_daemon("--drain-timeout", f"{SHORT_DRAIN:g}s")
        socks = self.connections()
        n = 50
        socks += [open_with_request(d, harness.get_request(f"/non-blocking?delay={SLOW}")) for _ in range(n)]
        socks += [open_with_request(d, harness.get_request(f"/offload?delay={SLOW}")) for _ in range(4)]
        d.wait_stats(lambda s: s["endpoints"]["/non-blocking"]["in_flight"] == n
                     and s["endpoints"]["/offload"]["in_flight"] == 4, 10, f"{n} + 4 requests in flight")
        os.kill(d.pid, signal.SIGTERM)
        t_signal = time.monotonic()
        code = d.wait_exit(SHORT_DRAIN + EXIT_MARGIN)
        took = time.monotonic() - t_signal
        self.assertEqual(code, 0, f"exit status after the drain timeout (None: still running)\n{d.stderr}")
        self.assertGreaterEqual(took, SHORT_DRAIN * 0.9, "waited for the drain timeout")
        self.assertLess(took, SHORT_DRAIN + EXIT_MARGIN)
        self.assertRegex(d.stderr, rf"drain timeout: {n + 4} requests still in flight")
        # The process is gone, so are its connections: each one ends without a byte of a partial answer.
        results = read_until_closed(socks, 3)
        for i, s in enumerate(socks):
            data, how = results[s]
            with self.subTest(connection=i):
                self.assertIn(how, ("eof", "reset"))
                self.assertEqual(data, b"", "nothing of an answer was sent")


class SighupDuringRequestsTest(harness.DaemonTestCase):
    def write_config(self, text):
        with open(self.path + ".new", "w") as f:
            f.write(text)
        os.replace(self.path + ".new", self.path)

    def setUp(self):
        fd, self.path = tempfile.mkstemp(prefix="asyncdemod-", suffix=".conf")
        os.close(fd)
        self.addCleanup(os.unlink, self.path)

    def start_waiting(self, d, delay, n=20):
        """n requests over n connections: /non-blocking, /delay/{n} and /offload mixed; a Background."""
        paths = [(f"/non-blocking?delay={delay}", f"/delay/{delay}", f"/offload?delay={delay}")[i % 3]
                 for i in range(n)]
        batch = harness.Background(d.concurrent, paths, "GET", 30)
        d.wait_stats(lambda s: sum(s["endpoints"][e]["in_flight"] for e in ("/non-blocking", "/delay", "/offload"))
                     == n, 5, f"{n} requests waiting")
        return paths, batch

    def assert_all_on_time(self, d, paths, batch, delay):
        bound = delay + (1.5 if not harness.VALGRIND else 4.0)
        for path, res in zip(paths, batch.result()):
            with self.subTest(path=path):
                self.assertOk(res)
                body = res.json()
                body = body["asyncdemo"] if path.startswith("/delay/") else body
                self.assertEqual(body["requested_delay_seconds"], delay)
                self.assertGreaterEqual(body["waited_seconds"], delay)
                self.assertLess(body["waited_seconds"], bound, body)

    def test_reload_changed_unchanged_and_broken_while_waiting(self):
        self.write_config("max-delay = 5s\ndefault-delay = 0\npool-size = 8\npool-queue = 64\n")
        d = self.start_daemon("--config", self.path)
        delay = 1.5
        paths, batch = self.start_waiting(d, delay)

        # Unchanged file: reloaded, nothing moves.
        mark = d.log_count()
        os.kill(d.pid, signal.SIGHUP)
        d.wait_for_log(r"configuration reloaded from", timeout=3, since=mark)
        # Changed: the max drops below the waiting requests' delay; admitted requests are not affected.
        self.write_config("max-delay = 1s\ndefault-delay = 0\npool-size = 8\npool-queue = 64\n")
        mark = d.log_count()
        os.kill(d.pid, signal.SIGHUP)
        d.wait_for_log(r"configuration reloaded from", timeout=3, since=mark)
        self.assertEqual(d.stats()["config"]["max_delay_seconds"], 1)
        apicheck.check_error(self, d.get("/non-blocking?delay=1.5"), 400, parameter="delay", allowed="0 to 1s")
        # Broken: refused with FILE:LINE, the settings in force stay.
        self.write_config("max-delay = 1s\ndefault-delay = 0\nmax-delay = soon\n")
        mark = d.log_count()
        os.kill(d.pid, signal.SIGHUP)
        d.wait_for_log(rf"reload failed, keeping the current settings: .*{self.path}:3", timeout=3, since=mark)
        self.assertEqual(d.stats()["config"]["max_delay_seconds"], 1)

        self.assert_all_on_time(d, paths, batch, delay)
        s = d.stats()
        for e in ("/non-blocking", "/delay", "/offload"):
            self.assertEqual((s["endpoints"][e]["in_flight"], s["endpoints"][e]["cancelled"]), (0, 0), e)
        self.assertEqual(d.get("/non-blocking?delay=1s").status, 200)

    def test_sighup_burst(self):
        self.write_config("max-delay = 5s\ndefault-delay = 0\n")
        d = self.start_daemon("--config", self.path)
        delay = 1.0
        paths, batch = self.start_waiting(d, delay)
        self.write_config("max-delay = 3s\ndefault-delay = 0\npool-queue = 7\n")
        mark = d.log_count()
        t0 = time.monotonic()
        for _ in range(50):
            os.kill(d.pid, signal.SIGHUP)
            time.sleep(0.01)
        self.assertLess(time.monotonic() - t0, 2.0)
        d.wait_for_log(r"configuration reloaded from", timeout=3, since=mark)
        self.assert_all_on_time(d, paths, batch, delay)
        config = d.wait_stats(lambda s: s["config"]["max_delay_seconds"] == 3, 3, "the last reload applied")["config"]
        self.assertEqual(config["pool_queue"], 7)
        reloads = len([l for l in d.stderr.splitlines()[mark:] if "configuration reloaded" in l])
        self.assertTrue(1 <= reloads <= 50, reloads)
        self.assertEqual(d.get("/healthz").status, 200)
        self.assertIsNone(d.proc.poll())

    def test_sighup_without_config_file(self):
        d = self.start_daemon()
        delay = 0.8
        paths, batch = self.start_waiting(d, delay, n=9)
        mark = d.log_count()
        os.kill(d.pid, signal.SIGHUP)
        d.wait_for_log(r"SIGHUP: started without --config, nothing to reload", timeout=3, since=mark)
        self.assert_all_on_time(d, paths, batch, delay)


if __name__ == "__main__":
    harness.main()
