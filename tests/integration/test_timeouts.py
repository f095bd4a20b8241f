"""Slow and idle clients: header-timeout cuts a request head that arrives too slowly or never ends,
idle-timeout closes idle keep-alive (HTTP/1) and idle HTTP/2 connections; a request waiting on its delay
is never cut by either, and normal clients are unaffected."""

import socket
import struct
import time

import harness

SLACK = 2.0  # generous upper bound over a timeout, for a shared and busy machine


class Http2Conn:
    """Just enough HTTP/2 (prior knowledge, no TLS) to send GETs and see GOAWAY and the close."""

    PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

    def __init__(self, host, port, timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.next_stream = 1
        self.sock.sendall(self.PREFACE + self.frame(0x4, 0, 0, b""))  # empty SETTINGS

    @staticmethod
    def frame(ftype, flags, stream, payload):
        return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", stream) + payload

    @staticmethod
    def literal(name_index, value):
        """A header field: literal without indexing, name from the static table (HPACK 6.2.2)."""
        value = value.encode()
        assert name_index < 15 and len(value) < 127
        return bytes([name_index, len(value)]) + value

    def get(self, path):
        """Sends GET path; returns its stream id."""
        sid = self.next_stream
        self.next_stream += 2
        # :method GET (2), :scheme http (6), :path, :authority: see RFC 7541 appendix A
        block = bytes([0x82, 0x86]) + self.literal(4, path) + self.literal(1, "localhost")
        self.sock.sendall(self.frame(0x1, 0x5, sid, block))  # END_STREAM | END_HEADERS
        return sid

    def read_frame(self):
        """(type, flags, stream, payload), or None when the server closed the connection."""
        while len(self.buf) < 9 or len(self.buf) < 9 + int.from_bytes(self.buf[:3], "big"):
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                return None
            self.buf += chunk
        length = int.from_bytes(self.buf[:3], "big")
        ftype, flags = self.buf[3], self.buf[4]
        stream = struct.unpack(">I", self.buf[5:9])[0] & 0x7FFFFFFF
        payload, self.buf = self.buf[9:9 + length], self.buf[9 + length:]
        if ftype == 0x4 and not flags & 0x1:
            self.sock.sendall(self.frame(0x4, 0x1, 0, b""))  # ACK the server's SETTINGS
        return ftype, flags, stream, payload

    def response_status(self, sid):
        """Reads frames until stream sid ends; its :status (the first HPACK byte, an indexed field:
        0x88 is 200, 0x8e is 500, anything else is returned as None; good enough to tell 200)."""
        status = None
        while True:
            f = self.read_frame()
            if f is None:
                raise ConnectionError("closed by the server before the answer")
            ftype, flags, stream, payload = f
            if stream != sid:
                continue
            if ftype == 0x1:
                status = 200 if payload[:1] == b"\x88" else None
            if ftype in (0x0, 0x1) and flags & 0x1:
                return status

    def wait_close(self):
        """Reads until the server closes; returns the frame types seen on the way."""
        types = []
        while True:
            f = self.read_frame()
            if f is None:
                return types
            types.append(f[0])

    def close(self):
        self.sock.close()


class TimeoutsTest(harness.DaemonTestCase):
    def assert_closed_between(self, conn, t0, low, high, what):
        """conn (RawConnection) is closed by the daemon, without any answer, between low and high s after t0."""
        data = conn.read_to_close()
        took = time.monotonic() - t0
        self.assertEqual(data, b"", f"{what}: no answer expected, got {data[:200]!r}")
        self.assertGreaterEqual(took, low, f"{what}: closed too early")
        self.assertLessEqual(took, high, f"{what}: closed too late")
        return took

    # -- header-timeout

    def test_slow_header_is_cut_off(self):
        d = self.start_daemon("--header-timeout", "1s")
        request = harness.get_request("/healthz")
        c = d.raw(timeout=10)
        self.addCleanup(c.close)
        t0 = time.monotonic()
        sent = 0
        try:
            for byte in request:  # one byte every 200 ms: the whole head would take about 7 s
                c.send(bytes([byte]))
                sent += 1
                time.sleep(0.2)
                if c.closed_by_peer(timeout=0):
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.assertLess(sent, len(request), "the daemon cut the client off before the head was complete")
        self.assert_closed_between(c, t0, 0.8, 1.0 + SLACK, "byte-a-time client")
        self.assertEqual(d.get("/healthz").status, 200, "the daemon keeps serving")

    def test_half_request_is_cut_off(self):
        d = self.start_daemon("--header-timeout", "1s")
        with d.raw(timeout=10) as c:
            t0 = time.monotonic()
            c.send(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line: never complete
            self.assert_closed_between(c, t0, 0.8, 1.0 + SLACK, "half a request")
        with d.raw(timeout=10) as c:
            t0 = time.monotonic()  # connected, nothing sent at all
            self.assert_closed_between(c, t0, 0.8, 1.0 + SLACK, "silent connection")

    def test_normal_clients_unaffected(self):
        d = self.start_daemon("--header-timeout", "1s", "--idle-timeout", "1s")
        with d.raw(timeout=10) as c:
            for _ in range(3):
                c.send(harness.get_request("/healthz"))
                self.assertEqual(c.read_response().status, 200)
        results = d.concurrent(["/non-blocking?delay=0.3"] * 10)
        for r in results:
            self.assertOk(r)

    # -- a waiting request is never cut

    def test_waiting_request_outlives_both_timeouts(self):
        d = self.start_daemon("--header-timeout", "1s", "--idle-timeout", "1s")
        t0 = time.monotonic()
        slow = harness.Background(d.get, "/non-blocking?delay=3", "GET", None, None, 10)
        h2 = harness.Background(harness.curl, "--http2-prior-knowledge", "-w", "\n%{http_version} %{http_code}",
                                d.url("/delay/3"))
        res = slow.result(timeout=10)
        self.assertOk(res)
        self.assertGreaterEqual(time.monotonic() - t0, 2.9)
        out = h2.result(timeout=10)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertTrue(out.stdout.endswith(b"\n2 200"), out.stdout[-200:])

    # -- idle-timeout

    def test_idle_keep_alive_closed(self):
        d = self.start_daemon("--idle-timeout", "1s")  # header-timeout stays 10 s
        with d.raw(timeout=10) as c:
            for _ in range(4):  # reused every 0.5 s: never idle for 1 s, never closed
                c.send(harness.get_request("/healthz"))
                res = c.read_response()
                self.assertEqual(res.status, 200)
                self.assertEqual(res.header("Connection"), "keep-alive")
                time.sleep(0.5)
            c.send(harness.get_request("/healthz"))
            self.assertEqual(c.read_response().status, 200)
            t0 = time.monotonic()
            self.assert_closed_between(c, t0, 0.8, 1.0 + SLACK, "idle keep-alive connection")
        s = d.stats()
        self.assertEqual(s["config"]["idle_timeout_seconds"], 1)
        self.assertEqual(s["config"]["header_timeout_seconds"], 10)

    def test_idle_http2_closed(self):
        d = self.start_daemon("--idle-timeout", "1s")
        h2 = Http2Conn(d.host, d.port)
        self.addCleanup(h2.close)
        for _ in range(4):  # a request every 0.5 s keeps it open
            time.sleep(0.5)
            self.assertEqual(h2.response_status(h2.get("/healthz")), 200)
        t0 = time.monotonic()
        types = h2.wait_close()
        took = time.monotonic() - t0
        self.assertIn(0x7, types, "GOAWAY before the close")
        self.assertGreaterEqual(took, 0.8)
        self.assertLessEqual(took, 1.0 + SLACK)
        self.assertEqual(d.get("/healthz").status, 200)


if __name__ == "__main__":
    harness.main()
