"""HTTP/2 by hand for hostile-client tests: python3-h2's frame layer (hyperframe) on a plain socket, so a
test can send what a well-behaved client library never would (huge header blocks, a zero window); and
the clients that never read their answers, HTTP/1 and HTTP/2.

Used by tests/integration/test_hostile.py, test_bodies.py (h2_upload_flood), test_varying_delays.py (h2_bodies: curl 7.88 cannot reuse a
prior-knowledge connection) and bench/hostile/hostile.py.
"""

import socket
import time

import harness

from hyperframe.frame import ContinuationFrame, DataFrame, Frame, GoAwayFrame, HeadersFrame, PingFrame, SettingsFrame

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
MAX_FRAME = 16384  # SETTINGS_MAX_FRAME_SIZE of the daemon (h2o's default)
ENHANCE_YOUR_CALM = 0xB


def literal(index, value):
    """An HPACK literal field without indexing, its name from the static table (RFC 7541 6.2.2); value
    shorter than 127 bytes, not Huffman-coded."""
    value = value.encode("latin-1")
    assert index < 15 and len(value) < 127
    return bytes([index, len(value)]) + value


def literal_indexed_name(index, value):
    """literal() for a name index of 15 or more (the 4-bit prefix full, then the rest in one byte)."""
    value = value.encode("latin-1")
    assert 15 <= index < 15 + 127 and len(value) < 127
    return bytes([0x0F, index - 15, len(value)]) + value


def post_block(path, content_length, authority="127.0.0.1"):
    """The header block of POST path with content-length (static entry 28)."""
    return b"\x83\x86" + literal(4, path) + literal(1, authority) + literal_indexed_name(28, str(content_length))


def request_block(path, authority="127.0.0.1"):
    """The header block of GET path: :method GET, :scheme http (indexed), :path and :authority."""
    return b"\x82\x86" + literal(4, path) + literal(1, authority)


def amplification_block(path, size):
    """A request for path followed by 1-byte indexed fields (static entry 16, accept-encoding: gzip, deflate)
    up to size bytes: each byte decodes to one header field."""
    head = request_block(path)
    return head + b"\x90" * max(0, size - len(head))


class H2Raw:
    """One HTTP/2 connection (prior knowledge, h2c) written frame by frame."""

    def __init__(self, host, port, settings=None, timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.sock.sendall(PREFACE + SettingsFrame(0, settings=settings or {}).serialize())

    def close(self):
        self.sock.close()

    def send(self, *frames):
        self.sock.sendall(b"".join(f.serialize() for f in frames))

    def send_header_block(self, stream_id, block, end_stream=True):
        """block as one HEADERS frame and as many CONTINUATION frames as MAX_FRAME needs."""
        chunks = [block[i:i + MAX_FRAME] for i in range(0, len(block), MAX_FRAME)] or [b""]
        flags = ["END_STREAM"] if end_stream else []
        frames = [HeadersFrame(stream_id, data=chunks[0], flags=flags + (["END_HEADERS"] if len(chunks) == 1 else []))]
        for i, chunk in enumerate(chunks[1:], 1):
            frames.append(ContinuationFrame(stream_id, data=chunk, flags=["END_HEADERS"] if i == len(chunks) - 1 else []))
        self.send(*frames)

    def ping(self):
        self.send(PingFrame(0, opaque_data=b"hostile!"))

    def _fill(self, n, deadline):
        while len(self.buf) < n:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.buf += data

    def read_frame(self, timeout=5.0):
        """The next frame; EOFError when the peer closed, TimeoutError (socket.timeout) when none came."""
        deadline = time.monotonic() + timeout
        self._fill(9, deadline)
        frame, length = Frame.parse_frame_header(memoryview(self.buf[:9]))
        self._fill(9 + length, deadline)
        frame.parse_body(memoryview(self.buf[9:9 + length]))
        self.buf = self.buf[9 + length:]
        return frame

    def wait_closed(self, timeout):
        """Reads (and drops) frames until the daemon closes the connection: (True, goaway frame or None), or
        (False, None) when it is still open after timeout seconds."""
        deadline = time.monotonic() + timeout
        goaway = None
        while time.monotonic() < deadline:
            try:
                frame = self.read_frame(timeout=deadline - time.monotonic())
            except (EOFError, ConnectionResetError):
                return True, goaway
            except (socket.timeout, TimeoutError):
                break
            if isinstance(frame, GoAwayFrame):
                goaway = frame
        return False, None


def http1_pipeliner(host, port, path, count):
    """An HTTP/1 connection that sends count pipelined GETs of path and never reads (a 4 KB receive
    buffer, so the daemon's answers back up at once)."""
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.connect((host, port))
    c.setblocking(False)
    try:
        c.sendall(harness.get_request(path) * count)
    except BlockingIOError:
        pass  # the daemon stops reading once its answers cannot be written
    return c


def h2_zero_window(host, port, path, streams):
    """An HTTP/2 connection with SETTINGS_INITIAL_WINDOW_SIZE 0 and streams GETs of path: no answer body
    can ever be sent on it."""
    conn = H2Raw(host, port, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 0})
    for i in range(streams):
        conn.send_header_block(1 + 2 * i, request_block(path))
    return conn


def h2_upload_flood(host, port, path, streams, declared, limit_s=10.0):
    """One HTTP/2 connection that opens `streams` POSTs of path declaring `declared` bytes each, then sends
    their bodies round-robin in full-size DATA frames, ignoring flow control, until all are sent or the
    daemon closes the connection: (the GOAWAY frame, or None when the reset came first; bytes of body
    sent). Bounded by limit_s."""
    conn = H2Raw(host, port, timeout=limit_s)
    ids = [1 + 2 * i for i in range(streams)]
    for stream_id in ids:
        conn.send_header_block(stream_id, post_block(path, declared), end_stream=False)
    sent, each, deadline, goaway = 0, 0, time.monotonic() + limit_s, None
    try:
        while each < declared and time.monotonic() < deadline:
            chunk = b"u" * min(MAX_FRAME, declared - each)
            for stream_id in ids:
                conn.send(DataFrame(stream_id, data=chunk))
                sent += len(chunk)
            each += len(chunk)
    except OSError:  # the daemon closed the connection (or our timeout)
        pass
    try:
        while time.monotonic() < deadline:
            frame = conn.read_frame(timeout=max(0.01, deadline - time.monotonic()))
            if isinstance(frame, GoAwayFrame):
                goaway = frame
                break
    except (EOFError, OSError):
        pass
    conn.close()
    return goaway, sent


def h2_bodies(host, port, paths, timeout=10.0):
    """GETs of paths on one HTTP/2 connection, sent in order as streams 1, 3, 5, ... at once: their bodies,
    in the order of paths."""
    conn = H2Raw(host, port, timeout=timeout)
    try:
        ids = [1 + 2 * i for i in range(len(paths))]
        for stream_id, path in zip(ids, paths):
            conn.send_header_block(stream_id, request_block(path))
        bodies, left = dict.fromkeys(ids, b""), set(ids)
        while left:
            frame = conn.read_frame(timeout)
            if frame.stream_id in left:
                if isinstance(frame, DataFrame):
                    bodies[frame.stream_id] += frame.data
                if "END_STREAM" in frame.flags:
                    left.discard(frame.stream_id)
        return [bodies[i] for i in ids]
    finally:
        conn.close()
