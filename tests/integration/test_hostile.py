"""Hostile clients and hostile files (issue 18): each abuse meets a bounded, counted refusal.

HPACK amplification over h2c, slow readers over HTTP/1 and HTTP/2 (send-timeout), torn /metrics
scrapes across loop threads, a FIFO as the config file, HTTP/1 framing RFC 9112 refuses, and the
small ones (a delay a hair over the limit, a config file with a byte order mark or raw bytes, a
tiny open-file limit). The HTTP/2 cases are written frame by frame (h2frames.py, python3-h2's
hyperframe); memory is read from /proc/PID/status.
"""

import json
import os
import re
import signal
import subprocess
import tempfile
import time
import unittest

import h2frames
import harness

MB = 1024 * 1024
CONNECTION_BUDGET = 64 * MB  # what one connection may make the daemon hold (issue 18)


def proc_status_kb(pid, field):
    """A "VmHWM:  1234 kB" field of /proc/PID/status, in bytes."""
    return int(harness.proc_status(pid, field).split()[0]) * 1024


def config_file(test, text):
    """A config file holding text, in a directory removed when the test ends; its path."""
    tmp = tempfile.mkdtemp(prefix="asyncdemo-conf-")
    path = os.path.join(tmp, "asyncdemod.conf")
    with open(path, "w") as f:
        f.write(text)
    test.addCleanup(lambda: (os.path.exists(path) and os.unlink(path), os.rmdir(tmp)))
    return path


def closed(stats, reason):
    return stats["connections"].get("closed", {}).get(reason, 0)


class HpackAmplificationTest(harness.DaemonTestCase):
    """Header blocks of 1-byte indexed fields (each decodes to a header) on streams left open by a
    client that keeps the connection alive with PINGs: the first block past the bounds ends the
    connection with GOAWAY ENHANCE_YOUR_CALM, and the daemon's peak RSS grows by far less than
    CONNECTION_BUDGET (before: ~29 MB per block, held as long as the client liked)."""

    STREAMS = 8
    BLOCK = 400 * 1024  # close to h2o's 417 KB limit on a header block

    def test_amplified_block_closes_connection(self):
        d = self.start_daemon()
        harness.http_request(d.host, d.port, "/healthz")  # the daemon's steady state before the peak is read
        hwm_before = proc_status_kb(d.pid, "VmHWM")
        conn = h2frames.H2Raw(d.host, d.port)
        self.addCleanup(conn.close)
        block = h2frames.amplification_block("/healthz", self.BLOCK)
        try:
            for i in range(self.STREAMS):
                conn.send_header_block(1 + 2 * i, block, end_stream=False)  # a body is "to come": h2o holds it
                conn.ping()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the daemon closed the connection while we were still sending: what this test wants
        was_closed, goaway = conn.wait_closed(timeout=harness.scaled(5.0))
        self.assertTrue(was_closed, "the connection is still open with its header blocks")
        self.assertIsNotNone(goaway, "closed without GOAWAY")
        self.assertEqual(goaway.error_code, h2frames.ENHANCE_YOUR_CALM)
        growth = proc_status_kb(d.pid, "VmHWM") - hwm_before
        self.assertLess(growth, CONNECTION_BUDGET, f"peak RSS grew by {growth / MB:.1f} MB")
        stats = d.wait_stats(lambda s: closed(s, "header_block_too_large") == 1)
        self.assertEqual(stats["connections"]["open"], 1)  # only the /stats request's own
        metrics = harness.http_request(d.host, d.port, "/metrics").body.decode()
        self.assertIn('asyncdemo_connections_closed_total{reason="header_block_too_large"} 1', metrics)

    def test_ordinary_h2_requests_still_served(self):
        d = self.start_daemon()
        conn = h2frames.H2Raw(d.host, d.port)
        self.addCleanup(conn.close)
        # a big but honest head: 200 ordinary fields, answered (431 is the daemon's own limit's business)
        conn.send_header_block(1, h2frames.amplification_block("/healthz", 200))
        statuses = []
        deadline = time.monotonic() + 5
        while not statuses and time.monotonic() < deadline:
            frame = conn.read_frame()
            if frame.type == 0x1 and frame.stream_id == 1:
                statuses.append(frame.data[:1])
        self.assertEqual(statuses, [b"\x88"])  # :status 200, indexed
        self.assertEqual(closed(d.stats(), "header_block_too_large"), 0)


class SlowReaderTest(harness.DaemonTestCase):
    """Clients whose answers cannot be delivered are closed send-timeout after the answer (before: never;
    they held their connections and the answers' memory for good)."""

    SEND_TIMEOUT = 1.0
    ARGS = ("--idle-timeout", "1s", "--header-timeout", "1s", "--send-timeout", "1s")

    def test_http1_pipeliner_that_never_reads(self):
        d = self.start_daemon(*self.ARGS)
        clients = [h2frames.http1_pipeliner(d.host, d.port, "/metrics", 400) for _ in range(5)]
        self.addCleanup(lambda: [c.close() for c in clients])
        t0 = time.monotonic()
        stats = d.wait_stats(lambda s: closed(s, "send_timeout") >= 5, timeout=harness.scaled(8.0),
                             message="5 non-reading HTTP/1 clients closed by send-timeout")
        self.assertGreaterEqual(time.monotonic() - t0, self.SEND_TIMEOUT * 0.9)
        self.assertEqual(closed(stats, "send_timeout"), 5)
        harness.wait_until(lambda: d.stats()["connections"]["open"] == 1, harness.scaled(3.0),
                           message="the closed connections gone")

    def test_http2_zero_window(self):
        d = self.start_daemon(*self.ARGS)
        conns = [h2frames.h2_zero_window(d.host, d.port, "/metrics", 100) for _ in range(3)]
        self.addCleanup(lambda: [c.close() for c in conns])
        for conn in conns:
            was_closed, _ = conn.wait_closed(timeout=harness.scaled(6.0))
            self.assertTrue(was_closed, "a zero-window HTTP/2 client is still connected")
        stats = d.wait_stats(lambda s: closed(s, "send_timeout") == 3 and s["connections"]["open"] == 1)
        self.assertEqual(stats["endpoints"]["/metrics"]["completed"], 300)

    def test_readers_are_not_closed(self):
        """A client that reads, however idle between requests, is never closed by send-timeout."""
        d = self.start_daemon("--send-timeout", "200ms")
        conn = d.connection()
        self.addCleanup(conn.close)
        for _ in range(3):
            conn.request("GET", "/non-blocking?delay=0.3")  # waits longer than send-timeout: not an answer yet
            self.assertEqual(conn.getresponse().read()[:1], b"{")
            time.sleep(0.3)
        self.assertEqual(closed(d.stats(), "send_timeout"), 0)

    def test_reload_changes_send_timeout(self):
        path = config_file(self, "send-timeout = 20s\n")
        d = self.start_daemon("--config", path)
        self.assertEqual(d.stats()["config"]["send_timeout_seconds"], 20)
        with open(path, "w") as f:
            f.write("send-timeout = 1500ms\n")
        mark = d.log_count()
        os.kill(d.pid, signal.SIGHUP)
        d.wait_for_log(r"configuration reloaded", since=mark)
        self.assertEqual(d.stats()["config"]["send_timeout_seconds"], 1.5)


def parse_metrics(text):
    """{(name, labels): value} of a Prometheus text document."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^([a-z_]+)(\{[^}]*\})? (\S+)$", line)
        if m:
            out[(m.group(1), m.group(2) or "")] = float(m.group(3))
    return out


class MetricsConsistencyTest(harness.DaemonTestCase):
    """Scrapes of /metrics under load with --threads 2: every scrape is one consistent snapshot, so per
    endpoint _count == +Inf bucket == requests_completed_total <= requests_total (before: a quarter of
    the scrapes disagreed)."""

    def test_scrapes_under_load_agree(self):
        d = self.start_daemon("--threads", "2")
        load = [subprocess.Popen(["wrk", "-t1", "-c8", "-d4s", d.url(path)], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
                for path in ("/healthz", "/non-blocking?delay=0")]
        for p in load:
            self.addCleanup(lambda p=p: p.poll() is None and p.kill())
        harness.wait_until(lambda: d.stats()["endpoints"]["/healthz"]["requests"] > 1000, 5.0,
                           message="load running")
        conn = d.connection()
        self.addCleanup(conn.close)
        scrapes, torn = 0, []
        deadline = time.monotonic() + 2.5
        while time.monotonic() < deadline:
            conn.request("GET", "/metrics")
            m = parse_metrics(conn.getresponse().read().decode())
            scrapes += 1
            for ep in ("/healthz", "/non-blocking", "/metrics", "/stats"):
                lab = f'{{endpoint="{ep}"}}'
                count = m[("asyncdemo_request_duration_seconds_count", lab)]
                inf = m[("asyncdemo_request_duration_seconds_bucket", f'{{endpoint="{ep}",le="+Inf"}}')]
                completed = m[("asyncdemo_requests_completed_total", lab)]
                requests = m[("asyncdemo_requests_total", lab)]
                if not (count == inf == completed <= requests):
                    torn.append((ep, count, inf, completed, requests))
        for p in load:
            p.wait(timeout=10)
        self.assertGreater(scrapes, 50)
        self.assertEqual(torn, [], f"{len(torn)} torn endpoint figures in {scrapes} scrapes, e.g. {torn[:3]}")


class ConfigFifoTest(harness.DaemonTestCase):
    """A FIFO in place of the config file is refused at once (before: start-up blocked until someone
    wrote to it; a SIGHUP stopped loop 0, its answers and watchdog pings)."""

    def make_fifo(self):
        tmp = tempfile.mkdtemp(prefix="asyncdemo-fifo-")
        path = os.path.join(tmp, "asyncdemod.conf")
        os.mkfifo(path)
        self.addCleanup(lambda: (os.unlink(path), os.rmdir(tmp)))
        return path

    def test_start_with_fifo_exits_64(self):
        fifo = self.make_fifo()
        try:
            r = subprocess.run([harness.daemon_path(), "--config", fifo], capture_output=True, text=True, timeout=5,
                               env=harness.clean_env())
        except subprocess.TimeoutExpired:
            self.fail("asyncdemod --config FIFO still waiting after 5 s")
        self.assertEqual(r.returncode, 64, r.stderr)
        self.assertIn(f"{fifo}: not a regular file (a FIFO)", r.stderr)

    def test_reload_with_fifo_keeps_serving(self):
        path = config_file(self, "max-delay = 5s\n")
        d = self.start_daemon("--config", path)
        os.unlink(path)
        os.mkfifo(path)
        mark = d.log_count()
        os.kill(d.pid, signal.SIGHUP)
        d.wait_for_log(r"reload failed, keeping the current settings: .*not a regular file \(a FIFO\)",
                       since=mark, timeout=3.0)
        res = harness.http_request(d.host, d.port, "/healthz", timeout=2.0)
        self.assertEqual(res.status, 200)
        self.assertEqual(d.stats()["config"]["max_delay_seconds"], 5)


class FramingTest(harness.SharedDaemonTestCase):
    """HTTP/1 request heads RFC 9112 refuses: 400, "Connection: close", and the bytes after the head are
    never read as another request (before: accepted, and behind a proxy a smuggled request)."""

    SMUGGLED = b"GET /stats HTTP/1.1\r\nHost: a\r\n\r\n"
    CASES = {
        "Content-Length values differ or are not a number":
            b"GET /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 33\r\n\r\n",
        "Content-Length together with Transfer-Encoding":
            b"POST /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "a header line folded onto the next line (obs-fold)":
            b"GET /healthz HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n  2\r\n\r\n",
        "more than one Host header": b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "HTTP/1.1 request without a Host header": b"GET /healthz HTTP/1.1\r\n\r\n",
    }

    def test_refused_and_closed(self):
        d = self.daemon
        before = closed(d.stats(), "bad_framing")
        for why, head in self.CASES.items():
            with self.subTest(why=why), d.raw() as raw:
                raw.send(head + self.SMUGGLED)
                data = raw.read_to_close()
                self.assertTrue(data.startswith(b"HTTP/1.1 400 "), data[:200])
                self.assertIn(b"Connection: close", data)
                self.assertNotIn(b"\nHTTP/1.1 ", data, "the bytes after the head were served")
                body = json.loads(data.split(b"\r\n\r\n", 1)[1])
                self.assertEqual(body["why"], why)
        self.assertEqual(closed(d.stats(), "bad_framing") - before, len(self.CASES))

    def test_ordinary_heads_pass(self):
        d = self.daemon
        with d.raw() as raw:
            raw.send(b"GET /healthz HTTP/1.0\r\n\r\n")  # HTTP/1.0 needs no Host
            self.assertTrue(raw.read_to_close().startswith(b"HTTP/1.1 200 "))
        with d.raw() as raw:
            raw.send(b"GET /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\ncontent-length: 0\r\n"
                     b"Connection: close\r\n\r\n")
            self.assertTrue(raw.read_to_close().startswith(b"HTTP/1.1 200 "))


class SmallOnesTest(harness.DaemonTestCase):
    def test_delay_a_hair_over_the_limit(self):
        d = self.start_daemon()
        for path in ("/non-blocking?delay=30.0000000001", "/delay/30.0000000001"):
            res = harness.http_request(d.host, d.port, path)
            self.assertEqual(res.status, 400, path)
            self.assertIn("over max-delay (30s)", res.json()["error"] + json.dumps(res.json()))

    def run_with_config(self, data):
        with tempfile.NamedTemporaryFile(suffix=".conf") as f:
            f.write(data)
            f.flush()
            return subprocess.run([harness.daemon_path(), "--config", f.name, "--listen", "127.0.0.1:1"],
                                  capture_output=True, timeout=10, env=harness.clean_env())

    def test_config_bom_and_raw_bytes(self):
        d = self.start_daemon("--config", config_file(self, "\ufeffmax-delay = 5s\n"))  # UTF-8: EF BB BF
        self.assertEqual(d.stats()["config"]["max_delay_seconds"], 5)
        r = self.run_with_config(b"thr\xc3\xa9ads = 1\nx = \x1b]0;title\x07\n")
        self.assertEqual(r.returncode, 64)
        self.assertIn(b"key 'thr\\xc3\\xa9ads': unknown key", r.stderr)
        self.assertNotIn(b"\xc3", r.stderr)
        r = self.run_with_config(b"threads = \x1b]0;title\x07\n")
        self.assertEqual(r.returncode, 64)
        self.assertNotIn(b"\x1b", r.stderr)
        self.assertNotIn(b"\x07", r.stderr)

    def test_tiny_open_file_limit_warning(self):
        d = self.start_daemon(launcher=["prlimit", "--nofile=64:64"])
        line = d.wait_for_log(r"open-file limit \(64\)").group(0)
        self.assertNotIn("past about 0", d.stderr)
        self.assertIn("leaves no room beyond the 64 descriptors", d.stderr, line)


if __name__ == "__main__":
    unittest.main()
