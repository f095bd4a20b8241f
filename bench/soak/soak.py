#!/usr/bin/python3
"""asyncdemod under a steady mixed load for a long time (bench/README.md, "Soak"; issue 6).

Starts its own asyncdemod on a free loopback port and sends it, at a fixed rate, a weighted mix of
every endpoint over HTTP/1.1 (keep-alive pool, one-request connections, HTTP/1.0, pipelining) and
HTTP/2 cleartext (shared multiplexed connections and one-request connections), with deliberate bad
requests (must answer 4xx) and random disconnects mid-delay (FIN, RST, half-close, HTTP/2 stream
reset: expected, counted as cancelled, never as errors). Every second it samples the daemon's RSS,
open descriptors and /stats. At the end it lets the daemon go idle, checks that descriptors and
connections come back to where they started, stops it with SIGTERM and judges:

  errors     no unexpected answer or connection error (deliberate 4xx and disconnects are expected)
  rss        median RSS of the last window <= 5% above the first window after warm-up
  fds        idle descriptors back to the start (+ slack); no upward trend under load
  latency    excess latency (answer time minus requested delay) p50/p99 of the last window within a
             bound of the first window after warm-up
  counters   /stats at idle: nothing in flight, requests = completed + cancelled, no 5xx, no more
             cancelled than we disconnected
  exit       the daemon exits 0 on SIGTERM, no sanitizer report in its log

Prints a verdict table, writes soak.json, report.txt and daemon.log into --out. Exit status: 0 every
verdict passed, 1 one failed, 2 the soak could not run, 130 interrupted. Run it through run.sh.
Needs Debian's python3-h2 (the HTTP/2 client); everything else is the standard library.
"""

import argparse
import array
import asyncio
import ctypes
import datetime
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "daemon"))
from bench_daemon import machine  # noqa: E402  (the facts every benchmark records)

try:
    import h2.config
    import h2.connection
    import h2.events
    import h2.exceptions
except ImportError:  # reported by main(): exit 2 with the package to install
    h2 = None

# --- the mix -------------------------------------------------------------------------------------
# How a request travels (weights per arrival). Keep-alive and HTTP/2 carry most of the rate; the rest
# churns connections and exercises the paths where clients misbehave.
TRANSPORTS = {
    "h1-keepalive": 43,  # pooled HTTP/1.1 connections, reused
    "h1-close": 8,  # one request per connection (Connection: close; one in four is HTTP/1.0)
    "h1-pipeline": 2,  # three requests in one write on a new connection
    "h1-badline": 0.5,  # a request line that is not HTTP: h2o answers 400 and closes
    "h1-disconnect": 3,  # a delayed request, then FIN / RST / half-close mid-delay
    "h1-pipeline-disconnect": 1,  # two delayed requests pipelined, then close mid-delay
    "h2-stream": 35,  # a stream on one of the shared HTTP/2 connections
    "h2-oneshot": 2.5,  # a new HTTP/2 connection for one request
    "h2-reset": 3,  # a delayed stream, RST_STREAM(CANCEL) mid-delay
    "h2-disconnect": 2,  # a new HTTP/2 connection, two delayed streams, then FIN / RST mid-delay
}
# What an answered request asks for (weights). Delays stay short so the rate is a real rate.
TARGETS = {
    "/non-blocking": 44,  # 0-200 ms
    "/non-blocking0": 10,  # delay=0
    "/delay": 10,  # /delay/{n}?a=1&b=2&b=3, 0-200 ms
    "/offload": 8,  # 10-100 ms on the worker pool
    "/blocking": 2,  # 1-3 ms of nanosleep on the loop thread
    "/stats": 5,
    "/metrics": 3,
    "/healthz": 6,  # one in three HEAD
    "bad": 8,  # must answer 4xx (BAD_REQUESTS)
}
# (method, path, expected status): bad input from the API's contract (docs/http-api.md).
BAD_REQUESTS = [
    ("GET", "/non-blocking?delay=abc", 400), ("GET", "/non-blocking?delay=", 400),
    ("GET", "/non-blocking?delay=1&delay=2", 400), ("GET", "/non-blocking?delay=-0", 400),
    ("GET", "/non-blocking?delay=0x10", 400), ("GET", "/delay/1e309", 400),
    ("GET", "/offload?delay=%zz", 400), ("GET", "/blocking?delay=31", 400),
    ("GET", "/non-blocking?delay=2sec", 400), ("GET", "/delay/99999999999999999999999", 400),
    ("GET", "/nope", 404), ("GET", "/blocking/x", 404), ("POST", "/stats", 405), ("DELETE", "/healthz", 405),
]
BAD_LINES = [b"\x00\x01garbage\r\n\r\n", b"GET /he llo HTTP/1.1\r\nHost: x\r\n\r\n", b"BREW\r\n\r\n"]
# (endpoint, shortest and longest delay s, weight) of requests abandoned mid-delay, 50-250 ms after sending.
# /offload's sleep cannot be interrupted (it holds a pool worker to its end), so it is rarer and short.
DISCONNECT_TARGETS = [("/non-blocking", 0.5, 2.0, 45), ("/delay", 0.5, 2.0, 45), ("/offload", 0.3, 0.4, 10)]
DELAYED = ("/non-blocking", "/delay", "/offload", "/blocking")

KEEPALIVE_IDLE_S = 2.0  # a pooled connection idle longer is closed by us, far below any server timeout
ANSWER_TIMEOUT_S = 15.0  # beyond the requested delay: no answer by then is an error
H2_CONNECTIONS = 4  # shared HTTP/2 connections
H2_MAX_STREAMS = 80  # streams at once per connection (h2o allows 100)
MAX_OUTSTANDING = 5000  # arrivals in progress; past it the client cannot hold the rate (an error)

# Verdict bounds (bench/README.md, "Soak", says why these).
RSS_GROWTH_MAX = 0.05
FD_IDLE_SLACK = 2
FD_TREND_SLACK = 10
LAT_FACTOR = 2.0
LAT_P50_SLACK_MS = 2.0
LAT_P99_SLACK_MS = 10.0
LAT_MIN_SAMPLES = 200
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


class SoakError(Exception):
    """The soak could not run (exit 2)."""


class DaemonDied(Exception):
    """asyncdemod exited during the load: the soak fails (exit 1)."""


class Unexpected(Exception):
    """A request ended in a way the mix did not ask for."""


def parse_duration(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(s|m|h)?", text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"bad duration {text!r} (e.g. 120, 90s, 2m, 30m, 1h)")
    return float(m.group(1)) * {"s": 1, None: 1, "m": 60, "h": 3600}[m.group(2)]


def windows_for(duration):
    """(warm-up, window) seconds: warm-up the first 10% or 1 min, whichever is less, but at least 20 s;
    a judging window a sixth of the run within 20-60 s; both multiples of 10 s (whole 5 s latency slices)."""
    warmup = max(20, min(60, int(duration * 0.1) // 10 * 10))
    window = max(20, min(60, int(duration / 6) // 10 * 10))
    return warmup, window


def percentile(sorted_values, q):
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    if not sorted_values:
        return None
    rank = max(1, int(-(-q * len(sorted_values) // 100)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


# --- the daemon ----------------------------------------------------------------------------------


def die_with_parent():
    """In the child before exec: SIGTERM when this script dies, even by SIGKILL (prctl PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


class DaemonProcess:
    """asyncdemod started in its own session with its output in a log file; stopped by PID."""

    def __init__(self, path, extra_args, log_path):
        self.path, self.log_path = path, log_path
        self.argv = [path, "--listen", "127.0.0.1:0", *extra_args]
        self.proc = None
        self.port = None

    def start(self, timeout=15.0):
        env = {k: v for k, v in os.environ.items()
               if k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID")}
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=env, start_new_session=True, preexec_fn=die_with_parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(r"listening on [0-9.]+:(\d+)", self.log_text())
            if m:
                self.port = int(m.group(1))
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise SoakError(f"asyncdemod did not start ({' '.join(self.argv)}):\n{self.log_text()[-2000:]}")

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def rss_kb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise OSError("no VmRSS")

    def fds(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def stop(self, timeout=40.0):
        """SIGTERM, SIGKILL after timeout; returns (exit status, seconds to exit, killed)."""
        if self.proc is None:
            return None, 0.0, False
        t0, killed = time.monotonic(), False
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                killed = True
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        return self.proc.returncode, time.monotonic() - t0, killed


# --- HTTP/1.1 ------------------------------------------------------------------------------------


def h1_request(method, path, version="HTTP/1.1", close=False):
    extra = "Connection: close\r\n" if close else ""
    body = "Content-Length: 0\r\n" if method in ("POST", "DELETE") else ""
    return f"{method} {path} {version}\r\nHost: 127.0.0.1\r\nUser-Agent: asyncdemo-soak\r\n{extra}{body}\r\n".encode()


async def h1_read(reader, head=False):
    """One answer: (status, headers dict lower-cased, body). Errors raise Unexpected."""
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        if head or status in (204, 304):
            body = b""
        elif "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        else:
            raise Unexpected(f"HTTP/1 answer {status} without Content-Length")
        return status, headers, body
    except asyncio.IncompleteReadError as exc:
        raise Unexpected(f"connection closed by the server mid-answer ({len(exc.partial)} bytes read)") from None
    except (ConnectionError, OSError) as exc:
        raise Unexpected(f"connection error: {exc!r}") from None
    except (ValueError, IndexError, asyncio.LimitOverrunError) as exc:
        raise Unexpected(f"malformed answer: {exc!r}") from None


def abort_with_reset(writer):
    """Closes the connection with an RST instead of a FIN (SO_LINGER with a zero timeout)."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    writer.transport.abort()


class H1Conn:
    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer
        self.idle_since = time.monotonic()
        self.uses_left = random.randint(20, 400)  # then retired: connections churn all run long

    def close(self, reset=False):
        if reset:
            abort_with_reset(self.writer)
        else:
            self.writer.close()


async def h1_connect(port):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as exc:
        raise Unexpected(f"connect: {exc!r}") from None
    return H1Conn(reader, writer)


class H1Pool:
    """Keep-alive connections, reused last-in first-out; stale or worn ones are closed by us."""

    def __init__(self, port):
        self.port, self.idle, self.opened = port, [], 0

    async def acquire(self):
        now = time.monotonic()
        while self.idle:
            conn = self.idle.pop()
            if now - conn.idle_since < KEEPALIVE_IDLE_S and not conn.reader.at_eof():
                return conn
            conn.close()
        self.opened += 1
        return await h1_connect(self.port)

    def release(self, conn, reusable):
        conn.uses_left -= 1
        if reusable and conn.uses_left > 0:
            conn.idle_since = time.monotonic()
            self.idle.append(conn)
        else:
            conn.close()

    def close_all(self):
        while self.idle:
            self.idle.pop().close()


# --- HTTP/2 --------------------------------------------------------------------------------------


class H2Conn:
    """One HTTP/2 cleartext connection (prior knowledge) driven by python3-h2 over asyncio streams."""

    def __init__(self, port):
        self.port = port
        self.streams = {}  # stream id -> {"future", "status", "headers", "body"}
        self.failed = None
        self.started = 0
        self.retire_after = random.randint(2000, 6000)  # shared connections churn too

    async def open(self):
        try:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        except OSError as exc:
            raise Unexpected(f"h2 connect: {exc!r}") from None
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.conn.initiate_connection()
        self.flush()
        self.task = asyncio.get_running_loop().create_task(self.read_loop())
        return self

    def flush(self):
        data = self.conn.data_to_send()
        if data and not self.writer.is_closing():
            self.writer.write(data)

    def fail(self, why):
        self.failed = self.failed or why
        for st in self.streams.values():
            if not st["future"].done():
                st["future"].set_exception(Unexpected(why))

    async def read_loop(self):
        try:
            while True:
                data = await self.reader.read(65536)
                if not data:
                    self.fail("h2 connection closed by the server")
                    return
                for ev in self.conn.receive_data(data):
                    self.on_event(ev)
                self.flush()
        except (ConnectionError, OSError) as exc:
            self.fail(f"h2 connection error: {exc!r}")
        except h2.exceptions.ProtocolError as exc:
            self.fail(f"h2 protocol error: {exc!r}")

    def on_event(self, ev):
        st = self.streams.get(getattr(ev, "stream_id", None))
        if isinstance(ev, h2.events.ResponseReceived) and st:
            st["headers"] = dict(ev.headers)
            st["status"] = int(st["headers"].get(":status", 0))
        elif isinstance(ev, h2.events.DataReceived):
            self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            if st:
                st["body"] += ev.data
        elif isinstance(ev, h2.events.StreamEnded) and st and not st["future"].done():
            st["future"].set_result((st["status"], st["headers"], bytes(st["body"])))
        elif isinstance(ev, h2.events.StreamReset) and st and not st["future"].done():
            st["future"].set_exception(Unexpected(f"h2 stream reset by the server (error {ev.error_code})"))
        elif isinstance(ev, h2.events.ConnectionTerminated):
            self.fail(f"h2 GOAWAY from the server (error {ev.error_code}, last stream {ev.last_stream_id})")

    def start(self, method, path):
        """Sends a request; returns its stream id (await self.answer(id) for the answer)."""
        if self.failed:
            raise Unexpected(self.failed)
        sid = self.conn.get_next_available_stream_id()
        future = asyncio.get_running_loop().create_future()
        future.add_done_callback(lambda f: f.cancelled() or f.exception())  # abandoned streams: no warning
        self.streams[sid] = {"future": future, "status": 0, "headers": {}, "body": bytearray()}
        self.conn.send_headers(sid, [(":method", method), (":scheme", "http"), (":authority", f"127.0.0.1:{self.port}"),
                                     (":path", path), ("user-agent", "asyncdemo-soak")], end_stream=True)
        self.flush()
        self.started += 1
        return sid

    async def answer(self, sid, timeout):
        try:
            result = await asyncio.wait_for(asyncio.shield(self.streams[sid]["future"]), timeout)
        except asyncio.TimeoutError:
            self.reset(sid)
            raise Unexpected(f"h2 no answer within {timeout:.1f} s") from None
        except Unexpected:
            self.streams.pop(sid, None)
            raise
        self.streams.pop(sid, None)
        return result

    def reset(self, sid):
        """RST_STREAM(CANCEL) unless the stream already ended; True when it was reset."""
        st = self.streams.pop(sid, None)
        if st is None or st["future"].done() or self.failed:
            return False
        st["future"].cancel()
        try:
            self.conn.reset_stream(sid, error_code=8)  # CANCEL
        except h2.exceptions.StreamClosedError:  # the answer's last frame is in but not yet read
            return False
        self.flush()
        return True

    @property
    def open_streams(self):
        return len(self.streams)

    def close(self, reset=False):
        if reset:
            abort_with_reset(self.writer)
        else:
            if not self.failed:
                self.conn.close_connection()
                self.flush()
            self.writer.close()
        self.task.cancel()
        for st in self.streams.values():
            if not st["future"].done():
                st["future"].cancel()


class H2Pool:
    """A few shared HTTP/2 connections; a worn one takes no new streams and closes once drained."""

    def __init__(self, port):
        self.port, self.conns, self.retiring, self.opened = port, [], [], 0
        self.lock = asyncio.Lock()

    async def pick(self):
        async with self.lock:
            for c in list(self.conns):
                if c.failed or c.started >= c.retire_after:
                    self.conns.remove(c)
                    self.retiring.append(c)
            live = [c for c in self.conns if c.open_streams < H2_MAX_STREAMS]
            if len(self.conns) < H2_CONNECTIONS or not live:
                c = await H2Conn(self.port).open()
                self.opened += 1
                self.conns.append(c)
                return c
            return min(live, key=lambda c: c.open_streams)

    def reap(self):
        for c in list(self.retiring):
            if not c.streams:
                c.close()
                self.retiring.remove(c)

    def close_all(self):
        for c in self.conns + self.retiring:
            c.close()
        self.conns, self.retiring = [], []


# --- the load ------------------------------------------------------------------------------------


class Tally:
    """Counts of outcomes and excess latencies (ms) in 5 s slices by (protocol, endpoint class)."""

    BUCKET_S = 5

    def __init__(self):
        self.counts = {}  # outcome -> n
        self.unexpected = {}  # reason -> n
        self.examples = []  # the first unexpected ones, with what was sent
        self.lat = {}  # (bucket, proto, cls) -> array('d') of excess ms
        self.disconnects = 0  # requests we abandoned on purpose (the server may count them cancelled)

    def count(self, outcome, n=1):
        self.counts[outcome] = self.counts.get(outcome, 0) + n

    def latency(self, t_rel, proto, cls, excess_s):
        key = (int(t_rel // self.BUCKET_S), proto, cls)
        self.lat.setdefault(key, array.array("d")).append(excess_s * 1000.0)

    def error(self, what, exc, t_rel):
        reason = str(exc)[:80]
        self.unexpected[reason] = self.unexpected.get(reason, 0) + 1
        if len(self.examples) < 20:
            self.examples.append({"t_s": round(t_rel, 3), "request": what, "error": str(exc)[:500]})

    def window(self, t_from, t_to, proto=None, cls=None):
        """Sorted excess latencies (ms) of requests started in [t_from, t_to) (proto "lag": the client's own
        loop lag probe; None: every answered request)."""
        out = []
        for (b, p, c), values in self.lat.items():
            if t_from <= b * self.BUCKET_S < t_to and (p == proto if proto else p != "lag") \
                    and (cls is None or c == cls):
                out.extend(values)
        out.sort()
        return out

    def slice_p99(self, t_from, t_to, proto=None, cls=None):
        """The median over the window's 5 s slices of each slice's p99: a tail that stays up, not one
        hiccup of a shared machine (the pooled p99 is reported beside it)."""
        per = [percentile(self.window(t, t + self.BUCKET_S, proto, cls), 99)
               for t in range(int(t_from), int(t_to), self.BUCKET_S)]
        per = [v for v in per if v is not None]
        return statistics.median(per) if per else None


class Load:
    def __init__(self, port, rate, duration, seed, tally):
        self.port, self.rate, self.duration, self.tally = port, rate, duration, tally
        self.rng = random.Random(seed)
        self.h1 = H1Pool(port)
        self.h2 = H2Pool(port)
        self.tasks = set()
        self.t0 = None
        self.launched = 0
        self.max_behind_s = 0.0
        self.overload = 0

    def now(self):
        return time.monotonic() - self.t0

    # -- choosing
    def pick(self, table):
        return self.rng.choices(list(table), weights=list(table.values()))[0]

    def delay_text(self, seconds):
        """A delay in one of the accepted spellings (decimal seconds or ms)."""
        if self.rng.random() < 0.3:
            return f"{round(seconds * 1000)}ms"
        return f"{seconds:.3f}"

    def target(self):
        """(method, path, class, requested delay s, expected status, head)."""
        t = self.pick(TARGETS)
        r = self.rng
        if t == "/non-blocking":
            path = f"/non-blocking?delay={self.delay_text(r.uniform(0, 0.2))}"
            return "GET", path, t, self.parsed_delay(path), 200, False
        if t == "/non-blocking0":
            return "GET", "/non-blocking?delay=0", "/non-blocking", 0.0, 200, False
        if t == "/delay":
            path = f"/delay/{r.uniform(0, 0.2):.3f}?a=1&b=2&b=3"
            return "GET", path, t, self.parsed_delay(path), 200, False
        if t == "/offload":
            path = f"/offload?delay={self.delay_text(r.uniform(0.01, 0.1))}"
            return "GET", path, t, self.parsed_delay(path), 200, False
        if t == "/blocking":
            path = f"/blocking?delay={r.uniform(0.001, 0.003):.4f}"
            return "GET", path, t, self.parsed_delay(path), 200, False
        if t == "/healthz":
            head = r.random() < 1 / 3
            return ("HEAD" if head else "GET"), "/healthz", t, 0.0, 200, head
        if t == "bad":
            method, path, status = r.choice(BAD_REQUESTS)
            return method, path, "4xx", 0.0, status, False
        return "GET", t, t, 0.0, 200, False

    # -- checking
    def check(self, target, status, headers, body):
        method, path, cls, delay, want, head = target
        if status != want:
            raise Unexpected(f"status {status}, expected {want} ({body[:200]!r})")
        if head or cls == "/metrics":
            return
        try:
            doc = json.loads(body)
        except ValueError:
            raise Unexpected(f"body is not JSON: {body[:200]!r}") from None
        if cls in DELAYED:
            info = doc.get("asyncdemo", doc) if cls == "/delay" else doc
            req = info.get("requested_delay_seconds")
            if not isinstance(req, (int, float)) or abs(req - self.parsed_delay(path)) > 1e-6:
                raise Unexpected(f"requested_delay_seconds {req!r} for {path}")
        elif cls == "4xx" and doc.get("status") != want:
            raise Unexpected(f"error document {doc!r}")

    @staticmethod
    def parsed_delay(path):
        m = re.search(r"(?:delay=|/delay/)([0-9.]+)(ms)?", path)
        return float(m.group(1)) / (1000 if m.group(2) else 1)

    def record(self, proto, target, t_start, t_end):
        self.tally.count(f"{proto} {target[4]}")
        self.tally.latency(t_start, proto, target[2], (t_end - t_start) - target[3])

    def abandoned_path(self):
        ep, lo, hi, _ = self.rng.choices(DISCONNECT_TARGETS, weights=[t[3] for t in DISCONNECT_TARGETS])[0]
        delay = f"{self.rng.uniform(lo, hi):.3f}"
        return f"/delay/{delay}" if ep == "/delay" else f"{ep}?delay={delay}"

    # -- HTTP/1 transports
    async def h1_keepalive(self):
        tg = self.target()
        t = self.now()
        conn = await self.h1.acquire()
        ok = False
        try:
            conn.writer.write(h1_request(tg[0], tg[1]))
            status, headers, body = await asyncio.wait_for(h1_read(conn.reader, tg[5]), tg[3] + ANSWER_TIMEOUT_S)
            self.check(tg, status, headers, body)
            ok = headers.get("connection", "").lower() != "close"
        finally:
            self.h1.release(conn, ok)
        self.record("h1", tg, t, self.now())

    async def h1_close(self):
        tg = self.target()
        version = "HTTP/1.0" if self.rng.random() < 0.25 else "HTTP/1.1"
        t = self.now()
        conn = await h1_connect(self.port)
        try:
            conn.writer.write(h1_request(tg[0], tg[1], version, close=version == "HTTP/1.1"))
            status, headers, body = await asyncio.wait_for(h1_read(conn.reader, tg[5]), tg[3] + ANSWER_TIMEOUT_S)
            self.check(tg, status, headers, body)
            rest = await asyncio.wait_for(conn.reader.read(), ANSWER_TIMEOUT_S)  # the server closes
            if rest:
                raise Unexpected(f"bytes after the answer on a closing connection: {rest[:100]!r}")
        finally:
            conn.close()
        self.record("h1", tg, t, self.now())

    async def h1_pipeline(self):
        tgs = [self.target() for _ in range(3)]
        conn = await h1_connect(self.port)
        try:
            conn.writer.write(b"".join(h1_request(tg[0], tg[1], close=i == 2) for i, tg in enumerate(tgs)))
            for tg in tgs:
                status, headers, body = await asyncio.wait_for(h1_read(conn.reader, tg[5]),
                                                               sum(x[3] for x in tgs) + ANSWER_TIMEOUT_S)
                self.check(tg, status, headers, body)
                self.tally.count(f"h1 {tg[4]}")
        finally:
            conn.close()
        self.tally.count("h1 pipelined x3")

    async def h1_badline(self):
        conn = await h1_connect(self.port)
        try:
            conn.writer.write(self.rng.choice(BAD_LINES))
            status, _, _ = await asyncio.wait_for(h1_read(conn.reader), ANSWER_TIMEOUT_S)
            if status != 400:
                raise Unexpected(f"bad request line answered {status}, expected 400")
        finally:
            conn.close()
        self.tally.count("h1 400 (bad request line)")

    async def abandon_h1(self, conn, n):
        """Waits part of the delay, then leaves in one of three ways; an answer already here is fine."""
        await asyncio.sleep(self.rng.uniform(0.05, 0.25))
        how = self.rng.choice(("fin", "rst", "half-close"))
        if how == "half-close":
            conn.writer.write_eof()
            await asyncio.sleep(0.05)
        conn.close(reset=how == "rst")
        self.tally.count(f"h1 disconnect ({how})")
        self.tally.disconnects += n

    async def h1_disconnect(self):
        path = self.abandoned_path()
        conn = await h1_connect(self.port)
        conn.writer.write(h1_request("GET", path))
        await self.abandon_h1(conn, 1)

    async def h1_pipeline_disconnect(self):
        conn = await h1_connect(self.port)
        conn.writer.write(h1_request("GET", f"/non-blocking?delay={self.rng.uniform(0.5, 1.5):.3f}")
                          + h1_request("GET", f"/delay/{self.rng.uniform(0.5, 1.5):.3f}"))
        await self.abandon_h1(conn, 2)

    # -- HTTP/2 transports
    async def h2_stream(self):
        tg = self.target()
        t = self.now()
        conn = await self.h2.pick()
        sid = conn.start(tg[0], tg[1])
        status, headers, body = await conn.answer(sid, tg[3] + ANSWER_TIMEOUT_S)
        self.check(tg, status, headers, body)
        self.record("h2", tg, t, self.now())

    async def h2_oneshot(self):
        tg = self.target()
        t = self.now()
        conn = await H2Conn(self.port).open()
        try:
            sid = conn.start(tg[0], tg[1])
            status, headers, body = await conn.answer(sid, tg[3] + ANSWER_TIMEOUT_S)
            self.check(tg, status, headers, body)
        finally:
            conn.close()
        self.record("h2", tg, t, self.now())

    async def h2_reset(self):
        path = self.abandoned_path()
        conn = await self.h2.pick()
        sid = conn.start("GET", path)
        await asyncio.sleep(self.rng.uniform(0.05, 0.25))
        st = conn.streams.get(sid)
        if st is not None and st["future"].done():  # answered already (a stalled machine): it must be a 200
            status, _, body = await conn.answer(sid, 1.0)
            if status != 200:
                raise Unexpected(f"status {status} before the reset, expected 200 ({body[:200]!r})")
        if conn.reset(sid):
            self.tally.count("h2 stream reset")
            self.tally.disconnects += 1
        else:
            self.tally.count("h2 answered before its reset")

    async def h2_disconnect(self):
        conn = await H2Conn(self.port).open()
        conn.start("GET", f"/non-blocking?delay={self.rng.uniform(0.5, 1.5):.3f}")
        conn.start("GET", f"/delay/{self.rng.uniform(0.5, 1.5):.3f}")
        await asyncio.sleep(self.rng.uniform(0.05, 0.25))
        how = self.rng.choice(("fin", "rst"))
        conn.close(reset=how == "rst")
        self.tally.count(f"h2 disconnect ({how})")
        self.tally.disconnects += 2

    # -- running
    async def one(self, transport):
        t = self.now()
        try:
            await getattr(self, transport.replace("-", "_"))()
        except Unexpected as exc:
            self.tally.error(transport, exc, t)
        except (OSError, h2.exceptions.ProtocolError) as exc:
            self.tally.error(transport, Unexpected(f"{type(exc).__name__}: {exc}"), t)
        except asyncio.TimeoutError:
            self.tally.error(transport, Unexpected("no answer in time"), t)
        except Exception as exc:  # a fault of this client still fails the soak, visibly
            self.tally.error(transport, Unexpected(f"client fault {type(exc).__name__}: {exc}"), t)

    async def run(self):
        """Arrivals at a fixed rate for the duration (catching up if the client fell behind)."""
        self.t0 = time.monotonic()
        while True:
            now = self.now()
            if now >= self.duration:
                break
            due = int(now * self.rate)
            self.max_behind_s = max(self.max_behind_s, (due - self.launched) / self.rate)
            while self.launched < due:
                self.launched += 1
                if len(self.tasks) >= MAX_OUTSTANDING:
                    self.overload += 1
                    continue
                task = asyncio.get_running_loop().create_task(self.one(self.pick(TRANSPORTS)))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
            self.h2.reap()
            await asyncio.sleep(0.005)

    async def drain(self, timeout):
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=timeout)
        left = len(self.tasks)
        for task in list(self.tasks):
            task.cancel()
        self.h1.close_all()
        self.h2.close_all()
        await asyncio.sleep(0.1)
        return left


# --- sampling ------------------------------------------------------------------------------------


async def get_stats(port, timeout=5.0):
    conn = await h1_connect(port)
    try:
        conn.writer.write(h1_request("GET", "/stats", close=True))
        status, _, body = await asyncio.wait_for(h1_read(conn.reader), timeout)
        if status != 200:
            raise Unexpected(f"/stats answered {status}")
        return json.loads(body)
    finally:
        conn.close()


def stats_summary(doc):
    eps = doc["endpoints"]
    return {"connections_open": doc["connections"]["open"], "connections_total": doc["connections"]["total"],
            "connections_refused": doc["connections"].get("refused", 0),  # since max-connections existed
            "loop_lag_s": doc["loop"]["lag_seconds"], "loop_stalls": doc["loop"]["stalls"],
            "offload_busy": doc["offload"]["busy"], "offload_queued": doc["offload"]["queued"],
            "requests": sum(e["requests"] for e in eps.values()),
            "in_flight": sum(e["in_flight"] for e in eps.values()),
            "cancelled": sum(e["cancelled"] for e in eps.values()),
            "status_5xx": sum(e["status_5xx"] for e in eps.values())}


async def sampler(daemon, load, samples, interval, stop):
    """Every interval: RSS, descriptors and /stats; stops the run if the daemon dies."""
    while not stop.is_set():
        t = load.now() if load.t0 else 0.0
        if not daemon.alive():
            samples.append({"t_s": round(t, 2), "dead": True})
            stop.set()
            return
        s = {"t_s": round(t, 2)}
        try:
            s["rss_kb"], s["fds"] = daemon.rss_kb(), daemon.fds()
            s.update(stats_summary(await get_stats(daemon.port)))
        except (Unexpected, OSError, ValueError, KeyError) as exc:
            s["error"] = str(exc)[:200]
            load.tally.error("sampler /stats", Unexpected(f"/stats sample: {exc}"), t)
        samples.append(s)
        try:
            await asyncio.wait_for(stop.wait(), interval)
        except asyncio.TimeoutError:
            pass


async def wait_idle(daemon, baseline_fds, timeout):
    """Polls until the idle daemon is back to baseline descriptors and has nothing open or in flight."""
    deadline = time.monotonic() + timeout
    last = {}
    while True:
        fds = daemon.fds()
        try:
            doc = await get_stats(daemon.port)
        except (Unexpected, OSError, ValueError) as exc:
            last = {"fds": fds, "stats": None, "error": f"/stats at idle: {exc}"}
            if time.monotonic() >= deadline:
                return last
            await asyncio.sleep(0.25)
            continue
        last = {"fds": fds, "stats": doc}
        s = stats_summary(doc)
        # Our own /stats request is the one open connection and the one request in flight.
        if fds <= baseline_fds + FD_IDLE_SLACK and s["connections_open"] <= 1 and s["in_flight"] <= 1 \
                and s["offload_busy"] == 0 and s["offload_queued"] == 0:
            return last
        if time.monotonic() >= deadline:
            return last
        await asyncio.sleep(0.25)


# --- verdicts ------------------------------------------------------------------------------------


def median_in(samples, key, t_from, t_to):
    vals = [s[key] for s in samples if key in s and t_from <= s["t_s"] < t_to]
    return statistics.median(vals) if vals else None


def verdicts(ctx):
    """Each verdict: name, ok (True/False/None = not judged), figure, bound, why."""
    out = []
    samples, tally, D, W, warm = ctx["samples"], ctx["tally"], ctx["duration"], ctx["window"], ctx["warmup"]
    first, last = (warm, warm + W), (D - W, D)

    unexpected = sum(tally.unexpected.values()) + ctx["overload"] + ctx["undrained"]
    why = "; ".join(f"{n} x {r}" for r, n in sorted(tally.unexpected.items(), key=lambda x: -x[1])[:5])
    if ctx["overload"]:
        why += f"; {ctx['overload']} arrivals not sent (client overloaded)"
    if ctx["undrained"]:
        why += f"; {ctx['undrained']} requests still unanswered at the end"
    out.append({"verdict": "errors", "ok": unexpected == 0, "figure": f"{unexpected} unexpected of "
                f"{ctx['launched']} arrivals", "bound": "0", "why": why or "none"})

    rss_first, rss_last = median_in(samples, "rss_kb", *first), median_in(samples, "rss_kb", *last)
    growth = (rss_last - rss_first) / rss_first if rss_first and rss_last else None
    rss = {"verdict": "rss",
           "figure": f"{rss_first:g} -> {rss_last:g} kB ({growth:+.1%})" if growth is not None else "no samples",
           "bound": f"<= +{RSS_GROWTH_MAX:.0%} (median of {first[0]:.0f}-{first[1]:.0f} s "
                    f"vs {last[0]:.0f}-{last[1]:.0f} s)",
           "ok": growth is not None and growth <= RSS_GROWTH_MAX, "why": ""}
    if ctx["asan"] and not ctx["judge_rss_under_asan"]:
        rss.update(ok=None, why="not judged: ASan's allocator keeps freed memory in quarantine")
    out.append(rss)

    fd_first, fd_last = median_in(samples, "fds", *first), median_in(samples, "fds", *last)
    idle = ctx["idle"]["fds"]
    fd_ok = (idle <= ctx["baseline_fds"] + FD_IDLE_SLACK and fd_first is not None and fd_last is not None
             and fd_last <= fd_first * 1.25 + FD_TREND_SLACK)
    out.append({"verdict": "fds", "ok": fd_ok,
                "figure": f"start {ctx['baseline_fds']}, idle at end {idle}; under load {fd_first:g} -> {fd_last:g}"
                if fd_first is not None and fd_last is not None else "no samples",
                "bound": f"idle <= start + {FD_IDLE_SLACK}; last window <= 1.25 x first + {FD_TREND_SLACK}", "why": ""})

    lat_rows = []
    groups = [("all", None, None)] + [(f"{p} {c}", p, c) for p in ("h1", "h2")
                                     for c in ("/non-blocking", "/delay", "/offload", "/blocking", "/stats",
                                               "/metrics", "/healthz", "4xx")]
    lat_ok = True
    for name, proto, cls in groups:
        a, b = tally.window(*first, proto, cls), tally.window(*last, proto, cls)
        row = {"group": name, "first_n": len(a), "last_n": len(b)}
        for q in (50, 99):
            row[f"p{q}_first_ms"], row[f"p{q}_last_ms"] = percentile(a, q), percentile(b, q)
        row["p99s_first_ms"] = tally.slice_p99(*first, proto, cls)
        row["p99s_last_ms"] = tally.slice_p99(*last, proto, cls)
        judged = len(a) >= LAT_MIN_SAMPLES and len(b) >= LAT_MIN_SAMPLES
        row["judged"] = judged
        if judged:
            row["ok"] = (row["p50_last_ms"] <= LAT_FACTOR * max(row["p50_first_ms"], 0) + LAT_P50_SLACK_MS
                         and row["p99s_last_ms"] <= LAT_FACTOR * max(row["p99s_first_ms"], 0) + LAT_P99_SLACK_MS)
            lat_ok = lat_ok and row["ok"]
        lat_rows.append(row)
    bad = [r["group"] for r in lat_rows if r["judged"] and not r["ok"]]
    allrow = lat_rows[0]
    out.append({"verdict": "latency", "ok": lat_ok and allrow["judged"],
                "figure": (f"all: p50 {allrow['p50_first_ms']:.2f} -> {allrow['p50_last_ms']:.2f} ms, "
                           f"p99 (slice median) {allrow['p99s_first_ms']:.2f} -> {allrow['p99s_last_ms']:.2f} ms")
                if allrow["judged"] else "too few samples",
                "bound": f"per group with >= {LAT_MIN_SAMPLES} samples: p50 last <= {LAT_FACTOR:g} x first + "
                         f"{LAT_P50_SLACK_MS:g} ms, p99 (median of 5 s slices) last <= {LAT_FACTOR:g} x first + "
                         f"{LAT_P99_SLACK_MS:g} ms",
                "why": ("outside the bound: " + ", ".join(bad)) if bad else ""})
    ctx["latency_table"] = lat_rows

    if ctx["idle"]["stats"] is None:
        out.append({"verdict": "counters", "ok": False, "figure": "no /stats at idle", "bound": "",
                    "why": ctx["idle"]["error"]})
        out.append(exit_verdict(ctx))
        return out
    eps = ctx["idle"]["stats"]["endpoints"]
    problems = []
    for name, e in eps.items():
        own = 1 if name == "/stats" else 0  # the /stats request that made this document
        if e["in_flight"] != own:
            problems.append(f"{name} in_flight {e['in_flight']}")
        if e["requests"] != e["completed"] + e["cancelled"] + e["in_flight"]:
            problems.append(f"{name} requests {e['requests']} != completed {e['completed']} + cancelled "
                            f"{e['cancelled']} + in_flight {e['in_flight']}")
        if e["status_5xx"]:
            problems.append(f"{name} {e['status_5xx']} x 5xx")
    cancelled = sum(e["cancelled"] for e in eps.values())
    if cancelled > tally.disconnects:
        problems.append(f"{cancelled} cancelled > {tally.disconnects} requests we abandoned")
    conns = ctx["idle"]["stats"]["connections"]["open"]
    if conns > 1:
        problems.append(f"{conns} connections still open")
    refused = ctx["idle"]["stats"]["connections"].get("refused", 0)
    if refused:
        problems.append(f"{refused} connections refused (max-connections)")
    out.append({"verdict": "counters", "ok": not problems,
                "figure": f"cancelled {cancelled} of {tally.disconnects} abandoned; open connections {conns}",
                "bound": "in_flight 0, requests = completed + cancelled, no 5xx, none refused, cancelled <= abandoned",
                "why": "; ".join(problems)})

    out.append(exit_verdict(ctx))
    return out


def exit_verdict(ctx):
    code, took, killed = ctx["exit"]
    san = [m for m in SANITIZER_MARKERS if m in ctx["log"]]
    return {"verdict": "exit", "ok": code == 0 and not killed and not san,
            "figure": f"exit {code} after SIGTERM in {took:.2f} s" + (" (SIGKILLed)" if killed else ""),
            "bound": "exit 0, no sanitizer report", "why": ", ".join(san)}


# --- reporting -----------------------------------------------------------------------------------


def fmt_ms(v):
    return "-" if v is None else f"{v:.2f}"


def fmt_num(v):
    return "-" if v is None else f"{v:g}"


def per_window_table(tally, samples, duration, step):
    rows = []
    t = 0
    while t < duration:
        a = tally.window(t, t + step)
        lag = [s["loop_lag_s"] * 1000 for s in samples if "loop_lag_s" in s and t <= s["t_s"] < t + step]
        rows.append({"from_s": t, "to_s": min(t + step, duration), "n": len(a), "p50_ms": percentile(a, 50),
                     "p99_ms": percentile(a, 99), "p99s_ms": tally.slice_p99(t, t + step),
                     "rss_kb": median_in(samples, "rss_kb", t, t + step), "fds": median_in(samples, "fds", t, t + step),
                     "client_lag_p99_ms": percentile(tally.window(t, t + step, "lag"), 99),
                     "daemon_lag_max_ms": max(lag) if lag else None})
        t += step
    return rows


def report(ctx, vs):
    lines = [f"asyncdemod soak: {ctx['duration']:.0f} s at {ctx['rate']:g} req/s, warm-up {ctx['warmup']} s, "
             f"windows {ctx['window']} s; daemon {ctx['daemon']}{' (ASan)' if ctx['asan'] else ''}",
             f"arrivals {ctx['launched']} (client at most {ctx['max_behind_s']:.2f} s behind schedule); "
             f"h1 connections opened {ctx['h1_opened']}, h2 {ctx['h2_opened']}; seed {ctx['seed']}",
             f"machine: {ctx['machine']['cpus']} CPUs, load average (1 min) "
             f"{ctx['machine']['load_avg_at_start'][0]:.2f} at the start, "
             f"{ctx['machine'].get('loadavg_at_end', [float('nan')])[0]:.2f} at the end", "",
             "outcomes:"]
    for k, n in sorted(ctx["tally"].counts.items()):
        lines.append(f"  {k:<28} {n}")
    for k, n in sorted(ctx["tally"].unexpected.items()):
        lines.append(f"  UNEXPECTED {k}: {n}")
    lines += ["", f"per {ctx['step']} s (excess latency = answer time - requested delay, all answered requests):",
              f"  {'window':<12} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8} {'p99s ms':>8} {'RSS kB':>8} {'fds':>5} "
              f"{'client lag p99 ms':>17} {'daemon lag max ms':>17}"]
    for r in ctx["per_window"]:
        lines.append(f"  {r['from_s']:>4.0f}-{r['to_s']:<4.0f} s  {r['n']:>8} {fmt_ms(r['p50_ms']):>8} "
                     f"{fmt_ms(r['p99_ms']):>8} {fmt_ms(r['p99s_ms']):>8} {fmt_num(r['rss_kb']):>8} {fmt_num(r['fds']):>5} "
                     f"{fmt_ms(r['client_lag_p99_ms']):>17} {fmt_ms(r['daemon_lag_max_ms']):>17}")
    lines += ["", "latency by group, first vs last window (ms; p99s: median of the 5 s slices' p99, judged):",
              f"  {'group':<16} {'n first/last':>13} {'p50 first':>9} {'p50 last':>9} {'p99s first':>10} "
              f"{'p99s last':>9} {'p99 first':>9} {'p99 last':>9}"]
    for r in ctx["latency_table"]:
        mark = "" if not r["judged"] else ("ok" if r["ok"] else "FAIL")
        lines.append(f"  {r['group']:<16} {r['first_n']:>6}/{r['last_n']:<6} {fmt_ms(r['p50_first_ms']):>9} "
                     f"{fmt_ms(r['p50_last_ms']):>9} {fmt_ms(r['p99s_first_ms']):>10} {fmt_ms(r['p99s_last_ms']):>9} "
                     f"{fmt_ms(r['p99_first_ms']):>9} {fmt_ms(r['p99_last_ms']):>9} {mark}")
    lines += ["", "verdicts:"]
    for v in vs:
        state = "skip" if v["ok"] is None else ("PASS" if v["ok"] else "FAIL")
        why = f"  {v['why']}" if v["why"] and v["why"] != "none" else ""
        lines.append(f"  {state:<4} {v['verdict']:<9} {v['figure']}  [bound: {v['bound']}]{why}")
    if ctx["tally"].examples:
        lines += ["", "first unexpected errors:"]
        lines += [f"  t={e['t_s']} s {e['request']}: {e['error']}" for e in ctx["tally"].examples[:10]]
    return "\n".join(lines)


def is_asan(path):
    """An AddressSanitizer build: its runtime's symbols are named in the binary (linked in or dynamic)."""
    with open(path, "rb") as f:
        return b"__asan_init" in f.read()


async def soak(args, out):
    tally = Tally()
    daemon = DaemonProcess(args.daemon, args.daemon_arg, os.path.join(out, "daemon.log"))
    daemon.start()  # on this (main) thread: the daemon's parent-death signal is tied to the forking thread
    ctx = {"daemon": os.path.abspath(args.daemon), "daemon_argv": daemon.argv, "asan": is_asan(args.daemon),
           "judge_rss_under_asan": args.judge_rss_under_asan, "rate": args.rate, "duration": args.duration,
           "seed": args.seed, "tally": tally, "machine": machine()}
    ctx["warmup"], ctx["window"] = windows_for(args.duration)
    ctx["step"] = 60 if args.duration >= 600 else ctx["window"]
    stop = asyncio.Event()
    samples = []
    try:
        await asyncio.sleep(0.5)
        ctx["baseline_fds"], ctx["baseline_rss_kb"] = daemon.fds(), daemon.rss_kb()
        load = Load(daemon.port, args.rate, args.duration, args.seed, tally)
        print(f"soak: asyncdemod pid {daemon.proc.pid} on 127.0.0.1:{daemon.port}, {args.duration:.0f} s at "
              f"{args.rate:g} req/s (results in {out})", file=sys.stderr, flush=True)
        load.t0 = time.monotonic()
        sampling = asyncio.get_running_loop().create_task(sampler(daemon, load, samples, args.sample_interval, stop))
        progress = asyncio.get_running_loop().create_task(show_progress(load, samples, stop))
        lagging = asyncio.get_running_loop().create_task(client_lag(load, stop))
        runner = asyncio.get_running_loop().create_task(load.run())
        done, _ = await asyncio.wait([runner, asyncio.get_running_loop().create_task(stop.wait())],
                                     return_when=asyncio.FIRST_COMPLETED)
        died = stop.is_set()
        runner.cancel()
        ctx["undrained"] = await load.drain(ANSWER_TIMEOUT_S + 3)
        stop.set()
        await asyncio.gather(sampling, progress, lagging, return_exceptions=True)
        if died or not daemon.alive():
            raise DaemonDied(f"asyncdemod exited during the soak at {load.now():.1f} s (status "
                             f"{daemon.proc.poll()}); the end of its log:\n{daemon.log_text()[-3000:]}")
        ctx["idle"] = await wait_idle(daemon, ctx["baseline_fds"], 20.0)
        ctx["idle"]["rss_kb"] = daemon.rss_kb()
        ctx["machine"]["loadavg_at_end"] = os.getloadavg()
    finally:
        ctx["exit"] = daemon.stop()
        ctx["log"] = daemon.log_text()
    ctx.update(samples=samples, launched=load.launched, overload=load.overload, max_behind_s=load.max_behind_s,
               h1_opened=load.h1.opened, h2_opened=load.h2.opened)
    return ctx


async def client_lag(load, stop):
    """The client's own loop lag (a 10 ms sleep's overshoot): how much of a latency tail is this client."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        t = loop.time()
        await asyncio.sleep(0.01)
        load.tally.latency(load.now(), "lag", "client", loop.time() - t - 0.01)


async def show_progress(load, samples, stop):
    """A line every 30 s on stderr, so a long run shows it is alive."""
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), 30)
        except asyncio.TimeoutError:
            s = samples[-1] if samples else {}
            print(f"soak: {load.now():6.0f} s, {load.launched} arrivals, {sum(load.tally.unexpected.values())} "
                  f"unexpected, RSS {s.get('rss_kb')} kB, fds {s.get('fds')}, open {s.get('connections_open')}",
                  file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--daemon", required=True, help="path of asyncdemod")
    ap.add_argument("--duration", type=parse_duration, default=1800.0, help="load time (120, 2m, 30m; default 30m)")
    ap.add_argument("--rate", type=float, default=300.0, help="arrivals per second (default 300)")
    ap.add_argument("--out", help="results directory (default bench/results/soak-<UTC time>)")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock; recorded)")
    ap.add_argument("--sample-interval", type=float, default=1.0, help="seconds between samples (default 1)")
    ap.add_argument("--daemon-arg", action="append", default=[], help="extra asyncdemod argument (repeatable)")
    ap.add_argument("--judge-rss-under-asan", action="store_true", help="judge RSS even for an ASan build")
    ap.add_argument("--command", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if h2 is None:
        print("soak: python3-h2 is missing (apt-get install python3-h2; packaging/install-deps.sh)", file=sys.stderr)
        return 2
    if not 60 <= args.duration <= 86400:
        ap.error("--duration must be 60 s to 24 h (warm-up and two windows need at least a minute)")
    if not 10 <= args.rate <= 5000:
        ap.error("--rate must be 10 to 5000")
    if not os.access(args.daemon, os.X_OK):
        print(f"soak: {args.daemon}: not an executable file", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM stops like Ctrl-C: daemon stopped
    if args.seed is None:
        args.seed = int(time.time())
    random.seed(args.seed + 1)  # connection lifetimes
    when = datetime.datetime.now(datetime.timezone.utc)
    root = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    out = args.out or os.path.join(root, "bench", "results", f"soak-{when.strftime('%Y%m%dT%H%M%SZ')}")
    os.makedirs(out, exist_ok=True)

    try:
        ctx = asyncio.run(soak(args, out))
    except SoakError as exc:
        print(f"soak: {exc}", file=sys.stderr)
        return 2
    except DaemonDied as exc:
        print(f"soak: FAILED: {exc}", file=sys.stderr)
        with open(os.path.join(out, "report.txt"), "w") as f:
            f.write(f"FAILED: {exc}\n")
        return 1
    except KeyboardInterrupt:  # asyncio.run has cancelled the tasks; soak()'s finally stopped the daemon
        print("soak: interrupted", file=sys.stderr)
        return 130
    ctx["per_window"] = per_window_table(ctx["tally"], ctx["samples"], ctx["duration"], ctx["step"])
    vs = verdicts(ctx)
    text = report(ctx, vs)
    print(text)
    passed = all(v["ok"] is not False for v in vs)
    tally = ctx.pop("tally")
    ctx.pop("log")
    doc = {"benchmark": "soak", "schema": 1, "when": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "command": args.command,
           "passed": passed, "verdicts": vs, **ctx, "outcomes": tally.counts, "unexpected": tally.unexpected,
           "unexpected_examples": tally.examples, "abandoned_requests": tally.disconnects,
           "bounds": {"rss_growth_max": RSS_GROWTH_MAX, "fd_idle_slack": FD_IDLE_SLACK,
                      "fd_trend_slack": FD_TREND_SLACK,
                      "latency_factor": LAT_FACTOR, "latency_p50_slack_ms": LAT_P50_SLACK_MS,
                      "latency_p99_slack_ms": LAT_P99_SLACK_MS, "latency_min_samples": LAT_MIN_SAMPLES}}
    with open(os.path.join(out, "soak.json"), "w") as f:
        json.dump(doc, f, indent=1, default=str)
        f.write("\n")
    with open(os.path.join(out, "report.txt"), "w") as f:
        f.write(text + "\n")
    print(f"\nsoak: {'PASSED' if passed else 'FAILED'}; results in {out}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
