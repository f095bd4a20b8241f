"""asyncdemoctl stats: the readable view, --json (the raw document), --watch until SIGINT/SIGTERM (exit 0),
and the errors (a path that is not /stats, a daemon that is down)."""

import json
import re
import signal
import subprocess
import time
import unittest

import fake_server
import harness

ctl = harness.run_ctl



class StatsTest(harness.SharedDaemonTestCase):
    def test_view(self):
        self.daemon.get("/non-blocking?delay=0")
        proc = ctl("stats", "--url", self.daemon.base_url)
        self.assertEqual(proc.returncode, 0, proc)
        self.assertIn(f"pid {self.daemon.pid}", proc.stdout)
        for endpoint in ("/non-blocking", "/blocking", "/offload", "/delay", "/stats"):
            self.assertRegex(proc.stdout, rf"(?m)^{endpoint}\s+\d+")
        # every field of the document shows, the ones the view once left out too
        for field in (r"refused \d+", r"max connections \d+", r"max waiting \d+", r"header timeout \S+",
                      r"idle timeout \S+", r"cpu \S+", r"busy % \d+", r"since start % \d+"):
            self.assertRegex(proc.stdout, field)

    def test_json_is_the_raw_document(self):
        proc = ctl("stats", self.daemon.url("/stats"), "--json")
        self.assertEqual(proc.returncode, 0, proc)
        doc = json.loads(proc.stdout)
        self.assertEqual(doc["pid"], self.daemon.pid)
        self.assertIn("/non-blocking", doc["endpoints"])

    def test_not_a_stats_document(self):
        proc = ctl("stats", self.daemon.url("/healthz"))
        self.assertEqual(proc.returncode, 1, proc)
        self.assertIn("/healthz", proc.stderr)
        self.assertEqual(proc.stdout, "")
        proc = ctl("stats", self.daemon.url("/nope"))
        self.assertEqual(proc.returncode, 1, proc)
        self.assertIn("404", proc.stderr)

    def watch(self, sig):
        argv = [harness.ctl_path(), "stats", "--url", self.daemon.base_url, "--watch", "--interval", "0.2"]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=harness.clean_env())
        time.sleep(1.1)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(err, "")
        # A refresh every 0.2 s for about a second: several views, each complete.
        views = out.count("asyncdemod ")
        self.assertGreaterEqual(views, 3, out)
        self.assertLessEqual(views, 8, out)
        self.assertEqual(out.count("/non-blocking"), views, out)

    def test_watch_until_sigint(self):
        self.watch(signal.SIGINT)

    def test_watch_until_sigterm(self):
        self.watch(signal.SIGTERM)


class HostileNumbersServer(fake_server.FakeServer):
    """Answers /stats with the given document, whatever it says."""

    def __init__(self, doc):
        self.body = json.dumps(doc).encode()
        super().__init__()

    def answer(self, conn, path, served):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                     % (len(self.body), self.body))
        return True


class HostileNumbersTest(harness.SharedDaemonTestCase):
    """Numbers no daemon sends (issue 18): shown as out of range, never wrapped, zeroed or rounded through a
    double. The document is the real daemon's with its numbers replaced."""

    def test_out_of_range_numbers(self):
        doc = self.daemon.stats()
        doc["pid"] = 2**63 - 1
        doc["uptime_seconds"] = 1e308
        doc["loop"]["lag_seconds"] = 1e308
        doc["loop"]["stalls"] = 2**63 - 1
        doc["loop"]["stalled_seconds"] = -1e308
        doc["loop"]["longest_stall_seconds"] = -0.5
        doc["config"]["max_delay_seconds"] = 1e308
        doc["config"]["default_delay_seconds"] = -2
        blocking = doc["endpoints"]["/blocking"]
        blocking["requests"] = blocking["completed"] = 2**63 - 1
        blocking["latency_seconds"]["max"] = 1e308
        server = HostileNumbersServer(doc)
        try:
            proc = ctl("stats", "--no-color", server.base)
        finally:
            server.close()
        self.assertEqual(proc.returncode, 0, proc)
        out = proc.stdout
        for want in ("pid 9223372036854775807", "up >292y", "lag >292y", "stalls 9223372036854775807",
                     "stalled <-292y in all", "longest -500.00ms", "max delay >292y", "default delay -2s"):
            self.assertIn(want, out)
        row = next(line for line in out.splitlines() if line.startswith("/blocking "))
        self.assertRegex(row, r"^/blocking\s+9223372036854775807\s")
        self.assertIn(">292y", row)
        self.assertNotIn("9223372036854775808", out)  # 2^63-1 through a double
        self.assertNotIn("-9223372036.", out)         # llround past int64
        self.assertNotIn("lag 0ns", out)


# A /stats document whose strings carry what would retitle the terminal (OSC), clear it, ring the bell, go
# back (CR, BS) or fake a line; C1 CSI as UTF-8 and as a raw byte; a right-to-left override.
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x1b[H\rfake line\x08\x08\nx\u009b31m\u202e"
HOSTILE_DOC = {
    "version": "0.1.0" + HOSTILE, "pid": 7, "uptime_seconds": 5, "started_wall": "2026" + HOSTILE,
    "connections": {"open": 1, "total": 2},
    "loop": {"lag_seconds": 0.001, "stalls": 1, "stalled_seconds": 0.5, "longest_stall_seconds": 0.5,
             "longest_stall_endpoint": "/blocking" + HOSTILE, "longest_stall_wall": "now" + HOSTILE},
    "endpoints": {"/evil" + HOSTILE: {
        "requests": 1, "in_flight": 0, "peak_in_flight": 1, "completed": 1, "cancelled": 0, "status_4xx": 0,
        "status_5xx": 0, "latency_seconds": {"min": 0.1, "mean": 0.1, "max": 0.1, "p50": 0.1, "p90": 0.1,
                                             "p99": 0.1, "p99_9": 0.1}}},
}


class HostileStatsServer(fake_server.FakeServer):
    """/stats: HOSTILE_DOC; /bad-shape: a document whose endpoint has the wrong type, so the error message
    names the hostile endpoint; /not-json: raw control bytes where JSON is expected."""

    def answer(self, conn, path, served):
        if path == "/refuse":  # a refusal whose reason is hostile
            body = json.dumps({"error": "no" + HOSTILE}).encode()
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            return True
        if path == "/refuse-text":
            body = b"\x1b[2Jgo away\x07\r\nsecond line"
            conn.sendall(b"HTTP/1.1 503 Busy\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            return True
        if path == "/bad-shape":
            body = json.dumps({**HOSTILE_DOC, "endpoints": {"/evil" + HOSTILE: 5}}).encode()
        elif path == "/not-json":
            body = b"\x1b]0;pwned\x07\x9b{"
        else:
            body = json.dumps(HOSTILE_DOC).encode()
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                     % (len(body), body))
        return True


def control_chars(text):
    """The control characters in text, but newlines (C0, DEL, C1; U+FFFD stands for bytes not UTF-8)."""
    return [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f or c == "\u202e"]


class HostileStatsTest(unittest.TestCase):
    def setUp(self):
        self.server = HostileStatsServer()
        self.addCleanup(self.server.close)

    def test_server_strings_are_escaped(self):
        for color in ("never", "always"):
            proc = ctl("stats", "--color=" + color, self.server.base + "/stats")
            self.assertEqual(proc.returncode, 0, proc)
            out = proc.stdout
            if color == "always":  # our own colour sequences are the only escapes left
                out = re.sub(r"\x1b\[[0-9;]*m", "", out)
            self.assertEqual(control_chars(out), [], out)
            # what the server sent is still readable, escaped
            self.assertIn("0.1.0\\x1b]0;pwned\\x07\\x1b[2J", out)
            self.assertIn("/evil\\x1b]0;pwned", out)
            self.assertIn("in /blocking\\x1b]0;pwned", out)
            self.assertIn("since 2026\\x1b", out)
            self.assertIn("\\rfake line\\x08\\x08\\nx\\u{009b}31m\\u{202e}", out)

    def test_bench_first_error_is_escaped(self):
        """The server's reason for a refusal is shown, escaped, in the report; raw (JSON-escaped) in JSON."""
        for engine in ("h2o", "curl"):
            proc = ctl("bench", "--url", self.server.base, "-e", "/refuse", "-e", "/refuse-text", "-n", 2,
                       "--engine", engine, "--color=never")
            self.assertEqual(proc.returncode, 1, proc)
            self.assertEqual(control_chars(proc.stdout), [], proc.stdout)
            self.assertIn("first error: status: HTTP 400: no\\x1b]0;pwned\\x07\\x1b[2J", proc.stdout)
            self.assertIn("first error: status: HTTP 503: \\x1b[2Jgo away\\x07\n", proc.stdout)
        doc = json.loads(ctl("bench", "--url", self.server.base, "-e", "/refuse", "-n", 1, "--json").stdout)
        self.assertEqual(doc["runs"][0]["first_error"], "status: HTTP 400: no" + HOSTILE)

    def test_error_message_is_escaped(self):
        proc = ctl("stats", self.server.base + "/bad-shape")
        self.assertEqual(proc.returncode, 1, proc)
        self.assertEqual(control_chars(proc.stderr), [], proc.stderr)
        self.assertIn("endpoints./evil\\x1b]0;pwned", proc.stderr)
        proc = ctl("stats", self.server.base + "/refuse")  # a 400 whose reason is hostile
        self.assertEqual(proc.returncode, 1, proc)
        self.assertIn("status: HTTP 400: no\\x1b]0;pwned\\x07", proc.stderr)
        self.assertEqual(control_chars(proc.stderr), [], proc.stderr)
        proc = ctl("stats", self.server.base + "/not-json")
        self.assertEqual(proc.returncode, 1, proc)
        self.assertIn("not JSON", proc.stderr)
        self.assertEqual(control_chars(proc.stderr), [], proc.stderr)


if __name__ == "__main__":
    harness.main()
