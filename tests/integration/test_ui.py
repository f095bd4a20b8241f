"""The page at / and its live stream /events (docs/http-api.md, "The page" and "/events").

The served bytes are the source files of daemon/ui/, with the page's security headers; /events sends a
message a second that follows the daemon (in-flight requests, a /blocking stall and its culprit), is
bounded (503 past events-clients, counted), works under --threads, and ends at the stop; --no-ui and
ui = off take the page away.
"""

import json
import os
import socket
import tempfile
import threading
import time

import harness

UI_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "daemon", "ui")
ASSETS = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/ui/page.css": ("page.css", "text/css; charset=utf-8"),
    "/ui/text.js": ("text.js", "text/javascript; charset=utf-8"),
    "/ui/lesson.js": ("lesson.js", "text/javascript; charset=utf-8"),
    "/ui/page.js": ("page.js", "text/javascript; charset=utf-8"),
    "/ui/icon.svg": ("icon.svg", "image/svg+xml"),
}
CSP = "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


class EventStream:
    """GET /events over HTTP/1.1 on a plain socket; messages() yields each message's (id, JSON)."""

    def __init__(self, daemon, timeout=10.0):
        self.sock = socket.create_connection((daemon.host, daemon.port), timeout=timeout)
        self.sock.sendall(harness.get_request("/events"))
        self.raw = b""
        while b"\r\n\r\n" not in self.raw:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AssertionError(f"/events: closed before the head: {self.raw!r}")
            self.raw += chunk
        head, self.raw = self.raw.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
        self.text = b""
        self.ended = False

    def _dechunk(self):
        """Moves whole chunks from raw to text; True once the last chunk arrived."""
        while b"\r\n" in self.raw:
            size_line, rest = self.raw.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            if len(rest) < size + 2:
                return False
            self.text += rest[:size]
            self.raw = rest[size + 2:]
            if size == 0:
                return True
        return False

    def next_message(self, timeout=5.0):
        """The next (id, document), or None when the stream ended."""
        deadline = time.monotonic() + timeout
        while b"\n\n" not in self.text:
            if self.ended:
                return None
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = self.sock.recv(65536)
            if not chunk:
                self.ended = True
                continue
            self.raw += chunk
            self.ended = self._dechunk()
        frame, self.text = self.text.split(b"\n\n", 1)
        fields = dict(line.split(": ", 1) for line in frame.decode().split("\n"))
        return int(fields["id"]), json.loads(fields["data"])

    def close(self):
        self.sock.close()


class PageTest(harness.DaemonTestCase):
    def open_stream(self, d):
        s = EventStream(d)
        self.addCleanup(s.close)
        return s

    def message_where(self, stream, predicate, count=5):
        """The first of the next count messages that satisfies predicate."""
        seen = []
        for _ in range(count):
            _, m = stream.next_message()
            if predicate(m):
                return m
            seen.append(m)
        self.fail(f"no such message among {seen}")

    def test_served_bytes_are_the_source_files(self):
        d = self.start_daemon()
        for path, (name, ctype) in ASSETS.items():
            with open(os.path.join(UI_DIR, name), "rb") as f:
                src = f.read()
            res = d.get(path)
            self.assertOk(res)
            self.assertEqual(res.body, src, path)
            self.assertEqual(res.header("Content-Type"), ctype, path)
            self.assertEqual(res.header("Content-Security-Policy"), CSP, path)
            self.assertEqual(res.header("X-Content-Type-Options"), "nosniff", path)
            self.assertEqual(res.header("Cache-Control"), "no-cache", path)
            head = d.get(path, method="HEAD")
            self.assertOk(head)
            self.assertEqual((head.body, head.header("Content-Length")), (b"", str(len(src))), path)
        # The query does not change the page (/?run=1 starts the lesson in the browser, not here).
        self.assertEqual(d.get("/?run=1&delay=0.3").body, d.get("/").body)
        self.assertEqual(d.get("/", method="POST", body=b"x").status, 405)
        missing = d.get("/ui/missing.js")
        self.assertEqual(missing.status, 404)
        self.assertEqual(missing.json(), {"error": "not found", "status": 404, "path": "/ui/missing.js"})
        self.assertEqual(d.stats()["endpoints"]["other"]["status_4xx"], 2)  # the POST's 405 and this 404
        # The page refers only to the daemon's own files, and has no inline script, style or handler.
        html = d.get("/").body.decode()
        for ref in ("/ui/page.css", "/ui/text.js", "/ui/lesson.js", "/ui/page.js", "/ui/icon.svg"):
            self.assertIn(f'"{ref}"', html)
        for bad in ("<style", "style=", " onclick", " onload", "http://", "https://", "<script>"):
            self.assertNotIn(bad, html)

    def test_events_follow_the_daemon(self):
        d = self.start_daemon()
        s = self.open_stream(d)
        self.assertEqual(s.status, 200)
        self.assertEqual(s.headers["content-type"], "text/event-stream")
        self.assertEqual(s.headers["cache-control"], "no-store")
        self.assertEqual(s.headers["x-content-type-options"], "nosniff")
        first_id, m = s.next_message()  # sent at once
        self.assertEqual(first_id, 1)
        self.assertEqual(set(m), {"uptime_seconds", "requests", "requests_per_second", "in_flight", "offload",
                                  "stall_threshold_seconds", "loops", "events"})
        self.assertEqual(m["in_flight"], {"/non-blocking": 0, "/blocking": 0, "/offload": 0, "/delay": 0})
        self.assertEqual(m["offload"], {"busy": 0, "queued": 0, "size": 8})
        self.assertEqual(m["events"], {"clients": 1, "max_clients": 256, "refused": 0})
        self.assertEqual([l["thread"] for l in m["loops"]], ["loop-0"])
        self.assertEqual(m["stall_threshold_seconds"], 0.1)

        # One a second, from the loop's timer: ids 2 and 3 arrive about 1 s apart.
        t0 = time.monotonic()
        self.assertEqual(s.next_message()[0], 2)
        t1 = time.monotonic()
        self.assertEqual(s.next_message()[0], 3)
        t2 = time.monotonic()
        self.assertAlmostEqual(t2 - t1, 1.0, delta=0.3)
        self.assertLess(t1 - t0, 1.3)

        # A request waiting shows as in flight, and the requests counted since start go up.
        holder = threading.Thread(target=d.get, args=("/non-blocking?delay=3",), daemon=True)
        holder.start()
        m = self.message_where(s, lambda m: m["in_flight"]["/non-blocking"] == 1)
        self.assertGreaterEqual(m["requests"], 1)

        # A /blocking sleep stalls the loop: a following message shows the stall and blames /blocking.
        self.assertOk(d.get("/blocking?delay=0.4"))
        m = self.message_where(s, lambda m: m["loops"][0]["stall_endpoint"] == "/blocking")
        self.assertGreaterEqual(m["loops"][0]["lag_seconds"], 0.35, m)
        holder.join(10)

    def test_events_bound_and_refusal(self):
        d = self.start_daemon("--events-clients", 2)
        a, b = self.open_stream(d), self.open_stream(d)
        a.next_message()
        b.next_message()
        res = d.get("/events")
        self.assertEqual(res.status, 503)
        self.assertEqual(res.header("Retry-After"), "1")
        self.assertEqual(res.json(), {"error": "too many /events clients", "status": 503, "max_clients": 2,
                                      "retry_after_seconds": 1})
        self.assertEqual(self.message_where(a, lambda m: m["events"]["refused"] == 1)["events"],
                         {"clients": 2, "max_clients": 2, "refused": 1})
        # A client that leaves frees its place (noticed at the latest when a message fails to go out).
        b.close()
        self.message_where(a, lambda m: m["events"]["clients"] == 1)
        c = self.open_stream(d)
        self.assertEqual(c.status, 200)
        self.assertEqual(c.next_message()[1]["events"]["clients"], 2)

    def test_events_under_several_threads(self):
        d = self.start_daemon("--threads", 2)
        streams = [self.open_stream(d) for _ in range(4)]  # connections go round-robin: two per loop
        for s in streams:
            self.assertEqual(s.status, 200)
            s.next_message()
            i, m = s.next_message()
            self.assertEqual(i, 2)
            self.assertEqual([l["thread"] for l in m["loops"]], ["loop-0", "loop-1"])
            self.assertEqual(m["events"]["clients"], 4)

    def test_events_over_http2(self):
        d = self.start_daemon()
        watcher = self.open_stream(d)
        watcher.next_message()
        # curl gives up after 2.5 s: the first message at once, then one a second; then its stream goes away.
        res = harness.curl("--http2-prior-knowledge", "--max-time", "2.5", "-i", d.url("/events"))
        self.assertEqual(res.returncode, 28, res.stderr)  # the time limit: the stream does not end by itself
        out = res.stdout.decode()
        self.assertTrue(out.startswith("HTTP/2 200"), out[:200])
        self.assertIn("content-security-policy: " + CSP, out)
        ids = [int(line[4:]) for line in out.splitlines() if line.startswith("id: ")]
        self.assertEqual(ids, [1, 2, 3], out)
        # HTTP/2 disposes the stream's request at once: its place is free for the next message.
        self.message_where(watcher, lambda m: m["events"]["clients"] == 1)

    def test_stop_ends_the_streams(self):
        d = self.start_daemon()
        s = self.open_stream(d)
        s.next_message()
        t0 = time.monotonic()
        d.stop()
        d.check_exit()
        self.assertLess(time.monotonic() - t0, harness.scaled(3.0))
        while s.next_message(timeout=3) is not None:
            pass
        self.assertTrue(s.ended)

    def test_no_ui(self):
        with tempfile.NamedTemporaryFile("w", suffix=".conf") as conf:
            conf.write("ui = off\n")
            conf.flush()
            for args in (("--no-ui",), ("--config", conf.name)):
                d = self.start_daemon(*args)
                for path in ("/", "/ui/page.js", "/events"):
                    res = d.get(path)
                    self.assertEqual(res.status, 404, (args, path))
                    self.assertEqual(res.json()["error"], "not found")
                self.assertOk(d.get("/healthz"))
                self.assertEqual(d.stats()["endpoints"]["other"]["status_4xx"], 3)

    def test_bad_ui_values(self):
        for args, message in ((("--ui", "maybe"), "--ui: bad value 'maybe': expected on or off"),
                              (("--no-ui=yes",), "--no-ui: takes no value"),
                              (("--events-clients", "0"), "--events-clients: 0 is out of range (1 to 100000)")):
            d = harness.Daemon(*args, ready=None, expect_exit=64)
            d.start()
            self.assertEqual(d.wait_exit(harness.scaled(10)), 64)
            self.assertIn(message, d.stderr)


if __name__ == "__main__":
    harness.main()
