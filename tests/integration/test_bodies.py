"""Request bodies are bounded (issue 18): max-body for /delay/{n}, 413 for endpoints that take none, nothing
ever written to disk (h2o's spill of big buffers to /tmp is off), refusals counted in /stats and /metrics,
and a client sending huge bodies cannot grow the daemon's memory."""

import json
import os
import re
import socket
import subprocess
import tempfile
import time

import apicheck
import h2frames
import harness

MB = 1024 * 1024


def spill_files(pid):
    """h2o's spill files mapped or open in process pid: its buffers past the mmap threshold are files made
    with mkstemp("/tmp/h2o.b.XXXXXX") and unlinked at once, so they show only in /proc/PID/{maps,fd}."""
    found = set()
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            if "h2o.b." in line:
                found.add(line.split(None, 5)[-1].strip())
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if "h2o.b." in target:
            found.add(target)
    return found


def kib(pid, key):
    return int(harness.proc_status(pid, key).split()[0])


def send_huge(host, port, path, declared, chunked=False, limit_s=5.0):
    """Sends a request declaring a body of `declared` bytes (or a chunked one), then body bytes until the
    server answers or stops reading; returns (the answer, bytes of body sent). Bounded by limit_s."""
    sock = socket.create_connection((host, port), timeout=limit_s)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {declared}"
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\n{framing}\r\n\r\n".encode())
    block = (b"%x\r\n" % (64 * 1024) + b"a" * (64 * 1024) + b"\r\n") if chunked else b"a" * (64 * 1024)
    sent, deadline, answer, pending = 0, time.monotonic() + limit_s, b"", b""
    sock.setblocking(False)
    try:
        while time.monotonic() < deadline and sent < declared:
            try:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
                if b"\r\n\r\n" in answer:
                    break
            except BlockingIOError:
                pass
            try:
                pending = pending or block  # partial sends continue the same block: the framing stays valid
                n = sock.send(pending)
                pending, sent = pending[n:], sent + n
            except BlockingIOError:
                time.sleep(0.001)
            except (BrokenPipeError, ConnectionResetError):
                break
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            answer += chunk
    finally:
        sock.close()
    return answer, sent


def peak_growth_bound_kib():
    """How much the daemon's peak RSS may grow while refusing bodies of hundreds of MB: 16 MiB, or 64 MiB
    for an ASan build (its quarantine keeps freed buffers out of reuse; seen growing by up to 23 MiB)."""
    return 64 * 1024 if harness.daemon_sanitized() else 16 * 1024


class BodyLimitTest(harness.DaemonTestCase):
    def test_no_body_endpoints_refuse_with_413_counted(self):
        d = self.start_daemon()
        for method, path in (("GET", "/healthz"), ("GET", "/stats"), ("GET", "/non-blocking?delay=0")):
            with self.subTest(path=path):
                res = d.get(path, method=method, body=b"x" * 100, headers={"Content-Type": "text/plain"})
                apicheck.check_error(self, res, 413, limit_bytes=0, size_bytes=100,
                                     error="this endpoint takes no request body")
        res = d.get("/delay/0", method="POST", body=b"y" * (MB + 1))  # one byte over the default 1 MiB
        apicheck.check_error(self, res, 413, limit_bytes=MB, error="request body too large")
        self.assertEqual(d.get("/delay/0", method="POST", body=b"y" * MB).status, 200, "exactly max-body is fine")
        s = d.stats()
        apicheck.check_stats(self, s, pid=d.pid)
        self.assertEqual(s["request_bodies"]["refused"], 4, s["request_bodies"])
        self.assertEqual(s["config"]["max_body_bytes"], MB)
        self.assertEqual(s["endpoints"]["/healthz"]["status_4xx"], 1)
        self.assertEqual(s["endpoints"]["/delay"]["status_4xx"], 1)
        metrics = d.get("/metrics").body.decode()
        self.assertIn("\nasyncdemo_request_bodies_refused_total 4\n", metrics)

    def test_huge_bodies_refused_before_they_are_read(self):
        # Four HTTP/1 clients declaring 1,000 MB bodies, two chunked ones: each is answered 413 at once, the
        # daemon's memory does not grow with what they send, and nothing goes to /tmp.
        d = self.start_daemon()
        d.get("/healthz")
        hwm0 = kib(d.pid, "VmHWM")
        results = [harness.Background(send_huge, d.host, d.port, "/healthz", 1000 * MB) for _ in range(4)]
        results += [harness.Background(send_huge, d.host, d.port, "/delay/0", 1000 * MB, True) for _ in range(2)]
        for r in results:
            answer, sent = r.result(timeout=15)
            self.assertTrue(answer.startswith(b"HTTP/1.1 413 "), answer[:200])
            self.assertIn(b"\r\nConnection: close\r\n", answer)
            self.assertTrue(answer.endswith(b'"limit_bytes":1048576}\n'), answer[-200:])
            self.assertLess(sent, 64 * MB, "the client could not send much before the answer")
        self.assertEqual(spill_files(d.pid), set())
        grew = kib(d.pid, "VmHWM") - hwm0
        self.assertLess(grew, peak_growth_bound_kib(), f"VmHWM grew {grew} KiB")
        s = d.wait_stats(lambda s: s["request_bodies"]["refused"] == 6, 3, "6 refused bodies")
        self.assertEqual(s["endpoints"]["/healthz"]["status_4xx"], 4, s["endpoints"]["/healthz"])
        self.assertEqual(s["endpoints"]["/delay"]["status_4xx"], 2, s["endpoints"]["/delay"])

    def test_receive_buffer_bounded(self):
        # h2o reads a connection until the kernel has nothing more: the connection's receive buffer (256 KiB,
        # doubled by the kernel; set on the listening socket, listeners.c) bounds what one read takes in. Left
        # to the kernel's autotuning it grew to 1.5-2.7 MB after this one upload.
        d = self.start_daemon()
        body = b"x" * MB
        with socket.create_connection((d.host, d.port), timeout=harness.scaled(10)) as sock:
            sock.sendall(b"POST /delay/0 HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            answer = b""
            while not answer.endswith(b"}\n"):
                chunk = sock.recv(65536)
                self.assertTrue(chunk, answer)
                answer += chunk
            self.assertTrue(answer.startswith(b"HTTP/1.1 200 "), answer[:100])
            out = subprocess.run(["ss", "-tmnH", "state", "established", f"( sport = :{d.port} )"],
                                 capture_output=True, text=True, timeout=harness.scaled(10)).stdout
        self.assertEqual(re.findall(r"\brb(\d+)", out), [str(2 * 256 * 1024)], out)

    def test_big_allowed_body_stays_in_memory(self):
        # 34 MB is past h2o's default spill threshold (32 MB): with the spill off, the body held during the
        # delay is in the daemon's memory, never in a file.
        size = 34 * MB
        d = self.start_daemon("--max-body", 40 * MB)
        body = b"b" * size
        pending = harness.Background(d.get, "/delay/1", "PUT", {"Content-Type": "application/octet-stream"}, body, 30)
        d.wait_stats(lambda s: s["endpoints"]["/delay"]["in_flight"] == 1, 15, "the request waiting with its body")
        self.assertEqual(spill_files(d.pid), set())
        res = pending.result(timeout=30)
        self.assertEqual(res.status, 200, res)
        self.assertEqual(len(res.json()["data"]), size)
        self.assertEqual(spill_files(d.pid), set())

    def test_http2_bodies_over_limit_dropped_then_413(self):
        # Eight 4 MB bodies on one connection, max-body 4 KiB: each stream's bytes past max-body + 1 are dropped
        # (h2_guard.h), each request answered 413 when its body ends, the memory not grown by what was sent.
        d = self.start_daemon("--max-body", 4096)
        with tempfile.NamedTemporaryFile() as big:
            big.truncate(4 * MB)  # sparse: reads as zeros
            hwm0 = kib(d.pid, "VmHWM")
            out = subprocess.run(["nghttp", "-n", "-s", "-m", "8", "-d", big.name, d.url("/delay/0")],
                                 capture_output=True, text=True, timeout=harness.scaled(60))
        self.assertEqual(len(re.findall(r" 413 +\d+ /delay/0$", out.stdout, re.M)), 8, out.stdout[-2000:])
        self.assertLess(kib(d.pid, "VmHWM") - hwm0, peak_growth_bound_kib())
        self.assertEqual(spill_files(d.pid), set())
        s = d.wait_stats(lambda s: s["request_bodies"]["refused"] == 8, 3, "eight bodies refused")
        self.assertEqual(s["endpoints"]["/delay"]["status_4xx"], 8, s["endpoints"]["/delay"])
        self.assertEqual(s["connections"]["closed"]["bodies_too_large"], 0, "the connection was not closed")
        # within the limit it is echoed as over HTTP/1
        out = subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "--data-binary", "small", "-H",
                              "Content-Type: text/plain", d.url("/delay/0")], capture_output=True, timeout=10)
        self.assertIn(b'"data":"small"', out.stdout)

    def test_http2_bodies_bounded_per_connection(self):
        # libh2o holds up to 100 streams a connection, each with a body of up to max-body: the daemon lets one
        # connection hold 16 such bodies at once (h2_guard.h); past that GOAWAY ENHANCE_YOUR_CALM, counted.
        d = self.start_daemon("--max-body", 64 * 1024)
        with tempfile.NamedTemporaryFile() as body:
            body.truncate(64 * 1024)
            body.flush()
            runs = [subprocess.run(["nghttp", "-n", flag, "-m", str(m), "-d", body.name, d.url("/delay/0")],
                                   capture_output=True, text=True, timeout=harness.scaled(30))
                    for m, flag in ((16, "-s"), (32, "-v"))]
        within, past = (r.stdout for r in runs)
        self.assertEqual(len(re.findall(r" 200 \S+ /delay/0$", within, re.M)), 16, within[-2000:])
        # The daemon closes the connection while the client still sends: the client may see the reset before it
        # reads the GOAWAY, so the counter is what is checked, and the GOAWAY's code when it was read.
        for code in re.findall(r"recv GOAWAY frame .*\n.*error_code=(\w+)", past):
            self.assertEqual(code, "ENHANCE_YOUR_CALM", past[-2000:])
        self.assertNotIn(":status: 200", past)
        s = d.wait_stats(lambda s: s["connections"]["closed"]["bodies_too_large"] == 1, 3, "one connection closed")
        apicheck.check_stats(self, s, pid=d.pid)
        metrics = d.get("/metrics").body.decode()
        self.assertIn('asyncdemo_connections_closed_total{reason="bodies_too_large"} 1\n', metrics)

    def test_http2_body_over_max_body_answered_413_once(self):
        # h2o alone resets such a stream (REFUSED_STREAM), which tells the client to retry: curl sent it five
        # times, then failed with no status. Now one request, one 413 with the limit, and exactly max-body passes.
        d = self.start_daemon("--max-body", 64 * 1024)
        with tempfile.NamedTemporaryFile() as body:
            body.truncate(3 * MB)
            body.flush()
            out = harness.curl("--http2-prior-knowledge", "-o", "-", "-w", "\n%{http_code} %{http_version}",
                               "--data-binary", f"@{body.name}", d.url("/anything"))
        text, _, tail = out.stdout.decode().rpartition("\n")
        self.assertEqual((out.returncode, tail), (0, "413 2"), out.stderr)
        self.assertEqual(json.loads(text), {"error": "request body too large", "status": 413, "limit_bytes": 64 * 1024})
        s = d.wait_stats(lambda s: s["request_bodies"]["refused"] == 1, 3, "one body refused")
        self.assertEqual(s["endpoints"]["/anything"]["requests"], 1, "not retried")
        with tempfile.NamedTemporaryFile() as body:
            body.write(b"q" * (64 * 1024))
            body.flush()
            out = harness.curl("--http2-prior-knowledge", "-o", "-", "--data-binary", f"@{body.name}",
                               "-H", "Content-Type: application/octet-stream", d.url("/anything"))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout)["data"], "q" * (64 * 1024))

    def test_http2_body_flood_does_not_grow_memory(self):
        # A client that ignores flow control and sends 100 bodies of max-body at once (25 MB) on one
        # connection: cut at the connection's budget (16 x 256 KiB), memory bounded like one HTTP/1 client's.
        d = self.start_daemon("--max-body", 256 * 1024)
        d.get("/healthz")
        hwm0 = kib(d.pid, "VmHWM")
        goaway, sent = h2frames.h2_upload_flood(d.host, d.port, "/delay/0", 100, 256 * 1024,
                                                limit_s=harness.scaled(10))
        if goaway is not None:  # the reset can come first
            self.assertEqual(goaway.error_code, h2frames.ENHANCE_YOUR_CALM)
        self.assertLess(sent, 16 * MB, "cut near the 4 MiB budget, not after 25 MB")
        d.wait_stats(lambda s: s["connections"]["closed"]["bodies_too_large"] == 1, 3, "the connection closed")
        grew = kib(d.pid, "VmHWM") - hwm0
        self.assertLess(grew, peak_growth_bound_kib(), f"VmHWM grew {grew} KiB")

    def test_max_body_zero(self):
        d = self.start_daemon("--max-body", 0)
        res = d.get("/delay/0", method="POST", body=b"z")
        apicheck.check_error(self, res, 413, limit_bytes=0)
        self.assertEqual(d.get("/delay/0", method="POST", body=b"").status, 200)


if __name__ == "__main__":
    harness.main()
