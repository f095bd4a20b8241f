"""Integration-test harness for asyncdemo's programs (Python 3 standard library only).

What it gives a test:

* ``Daemon``: starts ``asyncdemod`` on a free loopback port (``--listen 127.0.0.1:0`` by default),
  waits (bounded) until it logs ``listening on ADDR:PORT`` on stderr, exposes ``base_url``/``port``/
  ``pid``, collects stdout and stderr, and stops it by PID (SIGTERM, SIGKILL after a bound). Used as a
  context manager it always stops the daemon and then checks that it exited 0 and printed no
  sanitizer report. ``DaemonTestCase.start_daemon()`` does the same through ``addCleanup``.
  With ``AD_VALGRIND=1`` in the environment every ``Daemon`` runs under valgrind's memcheck (leaks
  included), with longer start and stop bounds, and a valgrind error fails the test (exit status 99).
* ``http_request``/``Daemon.get``: one request over ``http.client``, timed (``Response``).
* ``concurrent_requests``: N requests on N connections, released together by a barrier, each with
  its monotonic send and finish time.
* ``RawConnection``: bytes over a plain socket (HTTP/1.0, pipelining, HEAD framing, vanishing clients).
* ``NotifyListener``: an AF_UNIX datagram socket in a temporary directory standing in for systemd's
  ``NOTIFY_SOCKET``; records every ``KEY=VALUE`` message with its arrival time.
* ``curl``, ``free_port``, ``listening_ports`` (what a PID listens on, from /proc), ``wait_until``.

Where the programs come from: ``$ASYNCDEMOD`` (the daemon) and ``$ASYNCDEMOCTL`` (the CLI), set by
CTest (tests/integration/*.cmake). ``main()`` also accepts ``--daemon PATH`` / ``--ctl PATH`` before
the unittest arguments, for running a test file by hand:

    python3 tests/integration/test_lesson.py --daemon build/daemon/asyncdemod -v
"""

import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

DEFAULT_READY_TIMEOUT = 15.0  # seconds for the daemon to log "listening on" (sanitizer builds start slowly)
DEFAULT_STOP_TIMEOUT = 15.0  # seconds between SIGTERM and SIGKILL
SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "runtime error:",
    "WARNING: ThreadSanitizer",
)
# Variables a daemon would act on if inherited from whoever runs the tests (a systemd unit, a shell).
SYSTEMD_ENV = ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID",
               "LISTEN_FDNAMES", "JOURNAL_STREAM", "INVOCATION_ID")
# AD_VALGRIND=1: the daemon runs under memcheck; its errors, definite and indirect leaks make it exit 99.
VALGRIND = os.environ.get("AD_VALGRIND") == "1"
VALGRIND_EXIT = 99
VALGRIND_ARGV = ("valgrind", "--quiet", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                 f"--error-exitcode={VALGRIND_EXIT}")
VALGRIND_SLOWDOWN = 4.0  # start and stop bounds are this much longer under valgrind
LISTENING_RE = re.compile(r"listening on (\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+)")


def scaled(seconds):
    """A bound on the daemon's own work (start, stop, exit): longer under valgrind."""
    return seconds * (VALGRIND_SLOWDOWN if VALGRIND else 1)


def daemon_sanitized():
    """Whether the daemon under test is an AddressSanitizer build: its allocator keeps freed memory in
    quarantine and pads every block, so a bound on peak RSS needs more room there than in a plain build."""
    global _SANITIZED
    if _SANITIZED is None:
        with open(daemon_path(), "rb") as f:
            _SANITIZED = b"__asan_init" in f.read()
    return _SANITIZED


_SANITIZED = None


def program_path(var, what):
    """The path of a built program from environment variable var; fails the caller clearly if unset."""
    path = os.environ.get(var)
    if not path:
        raise AssertionError(f"${var} is not set (the path of {what}): run through ctest, or pass "
                             f"--daemon/--ctl PATH to the test file")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"${var}={path}: not an executable file")
    return path


def daemon_path():
    return program_path("ASYNCDEMOD", "asyncdemod")


def ctl_path():
    return program_path("ASYNCDEMOCTL", "asyncdemoctl")


def expected_version():
    """The version the programs must report (CMake's PROJECT_VERSION via $ASYNCDEMO_VERSION), or None."""
    return os.environ.get("ASYNCDEMO_VERSION") or None


def server_header():
    """The Server header of every answer (docs/http-api.md): "asyncdemod/VERSION", the version CMake gave
    ($ASYNCDEMO_VERSION), else the one the daemon reports."""
    version = expected_version()
    if version is None:
        out = subprocess.run([daemon_path(), "--version"], capture_output=True, text=True, timeout=scaled(10),
                             stdin=subprocess.DEVNULL)
        version = out.stdout.split()[-1]
    return f"asyncdemod/{version}"


def clean_env(extra=None):
    """os.environ without systemd's variables, plus extra (values of None remove a variable)."""
    env = {k: v for k, v in os.environ.items() if k not in SYSTEMD_ENV}
    for key, value in (extra or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = str(value)
    return env


def free_port(host="127.0.0.1"):
    """A TCP port that was free a moment ago on host (bind to port 0, read it, close)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def ipv6_loopback():
    """True when ::1 can be bound here (some containers have no IPv6)."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def wait_until(predicate, timeout, interval=0.02, message="condition"):
    """Polls predicate() until it returns a true value (returned) or timeout seconds pass (AssertionError)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.1f} s waiting for {message}")
        time.sleep(interval)


def has_sanitizer_report(text):
    return any(marker in text for marker in SANITIZER_MARKERS)


# ---------------------------------------------------------------------------------------------------
# HTTP over http.client


class Response:
    """One HTTP answer: status, reason, headers (list of (name, value)), body bytes, the monotonic
    times the request was sent and the answer fully read, and the version ("HTTP/1.1")."""

    def __init__(self, status, reason, headers, body, t_sent, t_done, http_version="HTTP/1.1"):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.t_sent = t_sent
        self.t_done = t_done
        self.http_version = http_version

    def header(self, name, default=None):
        """The first value of header name (case-insensitive)."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return default

    def json(self):
        """The body parsed as JSON; the body must be strict UTF-8."""
        return json.loads(self.body.decode("utf-8"))

    @property
    def took(self):
        return self.t_done - self.t_sent

    def __repr__(self):
        body = self.body[:300]
        return f"<Response {self.status} {self.reason} {dict(self.headers)!r} {body!r}>"


def http_request(host, port, path, method="GET", headers=None, body=None, timeout=10.0, conn=None):
    """Sends one request and reads the whole answer. conn: an open http.client.HTTPConnection to reuse
    (kept open); otherwise a new connection is made and closed."""
    own = conn is None
    if own:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        t_sent = time.monotonic()
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        data = res.read()
        t_done = time.monotonic()
        version = "HTTP/1.0" if res.version == 10 else "HTTP/1.1"
        return Response(res.status, res.reason, res.getheaders(), data, t_sent, t_done, version)
    finally:
        if own:
            conn.close()


def concurrent_requests(host, port, paths, method="GET", timeout=30.0, headers=None):
    """Sends one request per path, each on its own connection, all released together once every
    connection is open. Returns the Responses in the order of paths (an exception instance in place of
    a Response whose request failed)."""
    n = len(paths)
    conns = [http.client.HTTPConnection(host, port, timeout=timeout) for _ in range(n)]
    results = [None] * n
    barrier = threading.Barrier(n)

    def one(i):
        try:
            conns[i].connect()
            barrier.wait(timeout=timeout)
            results[i] = http_request(host, port, paths[i], method, headers, timeout=timeout, conn=conns[i])
        except Exception as exc:  # reported to the caller, which asserts on it
            results[i] = exc
            barrier.abort()
        finally:
            conns[i].close()

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + 5)
    return results


class Background:
    """Runs fn(*args) on a thread at once; result() waits for it and returns its value (or raises its
    exception). For starting requests, then looking at the daemon while they are in flight."""

    def __init__(self, fn, *args):
        self._value = self._error = None
        self._thread = threading.Thread(target=self._run, args=(fn, args), daemon=True)
        self._thread.start()

    def _run(self, fn, args):
        try:
            self._value = fn(*args)
        except BaseException as exc:  # handed to result()
            self._error = exc

    def result(self, timeout=30.0):
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise AssertionError(f"background work still running after {timeout:.0f} s")
        if self._error is not None:
            raise self._error
        return self._value


# ---------------------------------------------------------------------------------------------------
# Raw sockets


class RawConnection:
    """A plain TCP connection for exact bytes: send anything, read HTTP/1.x answers one by one."""

    def __init__(self, host, port, timeout=10.0):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.buf = b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed by the server")
        self.buf += chunk

    def read_response(self, head=False):
        """Reads one answer framed by Content-Length (or chunked, or to close when it has neither).
        head: the request was HEAD, so no body follows whatever the headers say."""
        t0 = time.monotonic()
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        raw_head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = raw_head.decode("latin-1").split("\r\n")
        version, status, reason = (lines[0].split(" ", 2) + [""])[:3]
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        res = Response(int(status), reason, headers, b"", t0, 0.0, version)
        status_code = int(status)
        if head or status_code in (204, 304) or 100 <= status_code < 200:
            pass
        elif res.header("Content-Length") is not None:
            length = int(res.header("Content-Length"))
            while len(self.buf) < length:
                self._fill()
            res.body, self.buf = self.buf[:length], self.buf[length:]
        elif (res.header("Transfer-Encoding") or "").lower() == "chunked":
            res.body = self._read_chunked()
        else:
            res.body = self.read_to_close()
        res.t_done = time.monotonic()
        return res

    def _read_chunked(self):
        body = b""
        while True:
            while b"\r\n" not in self.buf:
                self._fill()
            size_line, self.buf = self.buf.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(self.buf) < size + 2:
                self._fill()
            body += self.buf[:size]
            self.buf = self.buf[size + 2:]
            if size == 0:
                return body

    def read_to_close(self):
        """Everything until the server closes (ConnectionResetError counts as a close)."""
        data, self.buf = self.buf, b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                return data
            if not chunk:
                return data
            data += chunk

    def closed_by_peer(self, timeout=2.0):
        """True when the server closes the connection within timeout with nothing more to read."""
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
            return False
        try:
            return self.sock.recv(1, socket.MSG_PEEK) == b""
        except ConnectionResetError:
            return True

    def close(self, reset=False):
        """Closes; reset=True sends a TCP RST (SO_LINGER 0) instead of a FIN."""
        if reset:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sock.close()


def get_request(path, host="127.0.0.1", version="HTTP/1.1", method="GET", extra=""):
    """The bytes of a minimal request."""
    return f"{method} {path} {version}\r\nHost: {host}\r\n{extra}\r\n".encode("latin-1")


# ---------------------------------------------------------------------------------------------------
# The daemon


class Daemon:
    """One asyncdemod process.

    args: extra command-line arguments. listen: the --listen values (default one, 127.0.0.1:0);
    None or () passes no --listen (socket activation, a config file that sets it). env: variables
    added to a copy of the environment stripped of systemd's (None removes one). launcher: argv put
    before the daemon's path (e.g. ["sh", "-c", 'WATCHDOG_PID=$$ exec "$0" "$@"'] or
    systemd-socket-activate); it must exec the daemon so that the PID is the daemon's.
    ready: "log" waits for one "listening on" line per --listen; None returns at once (the caller
    waits its own way and fills addresses). expect_exit: the exit status the context manager and
    DaemonTestCase insist on after stop() (None: anything)."""

    def __init__(self, *args, listen=("127.0.0.1:0",), env=None, launcher=None, ready="log",
                 ready_timeout=DEFAULT_READY_TIMEOUT, expect_exit=0, path=None):
        self.args = [str(a) for a in args]
        self.listen = list(listen or ())
        self.env = clean_env(env)
        self.launcher = list(launcher or [])
        self.ready = ready
        self.ready_timeout = scaled(ready_timeout)
        self.expect_exit = expect_exit
        self.path = path or daemon_path()
        self.proc = None
        self.returncode = None
        self.killed = False
        self.addresses = []  # [(host, port)] from the "listening on" lines, in order
        self._out = {"stdout": [], "stderr": []}
        self._cond = threading.Condition()
        self._readers = []

    # -- life cycle

    @property
    def argv(self):
        listen = [x for addr in self.listen for x in ("--listen", addr)]
        return self.launcher + (list(VALGRIND_ARGV) if VALGRIND else []) + [self.path] + listen + self.args

    def start(self):
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=self.env, start_new_session=True)
        for name in ("stdout", "stderr"):
            t = threading.Thread(target=self._reader, args=(name, getattr(self.proc, name)), daemon=True)
            t.start()
            self._readers.append(t)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self):
        if self.ready == "log":
            want = max(1, len(self.listen))
            for i in range(want):
                m = self.wait_for_log(LISTENING_RE, timeout=self.ready_timeout, nth=i)
                self.addresses.append((m.group(1).strip("[]"), int(m.group(2))))

    def _reader(self, name, stream):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._cond:
                self._out[name].append((time.monotonic(), line))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def stop(self, sig=signal.SIGTERM, timeout=DEFAULT_STOP_TIMEOUT):
        """Sends sig to the daemon's PID, waits up to timeout, then SIGKILLs it. Returns the exit status
        (negative: killed by that signal). Idempotent."""
        if self.proc is None:
            return None
        timeout = scaled(timeout)  # under valgrind the leak check runs after the daemon's own exit
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.killed = True
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._finish()
        return self.returncode

    def _finish(self):
        for t in self._readers:
            t.join(5)
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()
        self.returncode = self.proc.returncode

    def wait_exit(self, timeout):
        """Waits for the daemon to exit on its own; its exit status, or None if still running."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        self._finish()
        return self.returncode

    def check_exit(self):
        """Asserts the daemon exited as expected after stop(), without a sanitizer report."""
        problems = []
        if VALGRIND and self.returncode == VALGRIND_EXIT:
            problems.append("valgrind reported errors or leaks (exit status 99; its report is on stderr)")
        if self.killed:
            problems.append(f"did not exit within {DEFAULT_STOP_TIMEOUT:.0f} s of SIGTERM (SIGKILLed)")
        elif self.expect_exit is not None and self.returncode != self.expect_exit:
            problems.append(f"exit status {self.returncode}, expected {self.expect_exit}")
        if has_sanitizer_report(self.stderr):
            problems.append("a sanitizer report on stderr")
        if problems:
            raise AssertionError(f"asyncdemod {self.argv}: " + "; ".join(problems) + f"\nstderr:\n{self.stderr}")

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        self.stop()
        if exc_type is None:
            self.check_exit()

    # -- output

    @property
    def pid(self):
        return self.proc.pid

    @property
    def stderr(self):
        with self._cond:
            return "\n".join(line for _, line in self._out["stderr"])

    @property
    def stdout(self):
        with self._cond:
            return "\n".join(line for _, line in self._out["stdout"])

    def wait_for_log(self, pattern, timeout=5.0, nth=0, stream="stderr", since=0):
        """Waits until the nth line (0-based, counting lines from index since) matching pattern (regex
        string or compiled) appears on stream; returns the re.Match. Fails with the daemon's stderr if it
        exits first or timeout passes."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                matches = [m for m in (rx.search(line) for _, line in self._out[stream][since:]) if m]
                if len(matches) > nth:
                    return matches[nth]
                exited = self.proc.poll() is not None and not any(t.is_alive() for t in self._readers)
                left = deadline - time.monotonic()
                if exited or left <= 0:
                    why = f"exited with status {self.proc.returncode}" if exited else f"timed out ({timeout:.1f} s)"
                    raise AssertionError(f"asyncdemod {why} before logging /{rx.pattern}/ "
                                         f"(match #{nth + 1})\nargv: {self.argv}\n{stream}:\n"
                                         + "\n".join(line for _, line in self._out[stream]))
                self._cond.wait(min(left, 0.1))

    def log_count(self):
        """The number of stderr lines so far (a mark for wait_for_log(since=...))."""
        with self._cond:
            return len(self._out["stderr"])

    # -- talking to it

    @property
    def host(self):
        return self.addresses[0][0]

    @property
    def port(self):
        return self.addresses[0][1]

    @property
    def base_url(self):
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def url(self, path):
        return self.base_url + path

    def get(self, path, method="GET", headers=None, body=None, timeout=10.0, conn=None):
        return http_request(self.host, self.port, path, method, headers, body, timeout, conn)

    def get_json(self, path, status=200, timeout=10.0):
        res = self.get(path, timeout=timeout)
        if res.status != status:
            raise AssertionError(f"GET {path}: status {res.status}, expected {status}: {res.body[:500]!r}")
        return res.json()

    def stats(self):
        return self.get_json("/stats")

    def wait_stats(self, predicate, timeout=3.0, message="a /stats condition"):
        """Polls /stats until predicate(stats) is true; returns that /stats document."""
        last = {}

        def check():
            last["stats"] = self.stats()
            return predicate(last["stats"])

        try:
            wait_until(check, timeout, interval=0.02, message=message)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; last /stats: {last.get('stats')}") from None
        return last["stats"]

    def connection(self, timeout=10.0):
        """A new keep-alive http.client connection to the daemon (the caller closes it)."""
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def raw(self, timeout=10.0):
        return RawConnection(self.host, self.port, timeout)

    def concurrent(self, paths, method="GET", timeout=30.0, headers=None):
        return concurrent_requests(self.host, self.port, paths, method, timeout, headers)


class DaemonTestCase(unittest.TestCase):
    """unittest.TestCase with start_daemon(): the daemon is stopped by a cleanup that then checks its
    exit status (0 unless told otherwise) and stderr for sanitizer reports."""

    def start_daemon(self, *args, **kwargs):
        d = Daemon(*args, **kwargs)
        d.start()
        self.addCleanup(self._stop_and_check, d)
        return d

    def _stop_and_check(self, d):
        d.stop()
        d.check_exit()

    def assertOk(self, res, status=200):
        """Asserts res is a Response (not an exception from concurrent_requests) with status."""
        self.assertIsInstance(res, Response, f"request failed: {res!r}")
        self.assertEqual(res.status, status, f"unexpected answer: {res!r}")
        return res


# ---------------------------------------------------------------------------------------------------
# systemd stand-ins


class SharedDaemonTestCase(DaemonTestCase):
    """DaemonTestCase whose tests share one daemon, self.daemon (cls.daemon), started once for the
    class with the flags in daemon_args; its exit status is checked when the class is done."""

    daemon_args = ()

    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon(*cls.daemon_args)
        cls.daemon.start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()
        cls.daemon.check_exit()


class NotifyListener:
    """systemd's notification socket, for tests: an AF_UNIX SOCK_DGRAM socket in a private temporary
    directory. env is {"NOTIFY_SOCKET": path} to pass to the daemon; messages holds (monotonic time,
    {KEY: VALUE}) per datagram. Use as a context manager (closes and removes the directory)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="asyncdemo-notify-")
        self.path = os.path.join(self.dir, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.1)
        self.messages = []
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def env(self):
        return {"NOTIFY_SOCKET": self.path}

    def _run(self):
        while not self._stop.is_set():
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            fields = {}
            for line in data.decode("utf-8", "replace").split("\n"):
                if "=" in line:
                    key, _, value = line.partition("=")
                    fields[key] = value
            with self._cond:
                self.messages.append((time.monotonic(), fields))
                self._cond.notify_all()

    def wait_for(self, key, value=None, timeout=5.0, count=1):
        """Waits until count messages carry key (equal to value when given); returns the list of
        (time, fields) of those messages."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                hits = [(t, f) for t, f in self.messages if key in f and (value is None or f[key] == value)]
                if len(hits) >= count:
                    return hits
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"notify socket: {count} x {key}={value or '*'} not received within "
                                         f"{timeout:.1f} s; got {[f for _, f in self.messages]}")
                self._cond.wait(min(left, 0.1))

    def all(self, key):
        with self._cond:
            return [(t, f) for t, f in self.messages if key in f]

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        os.rmdir(self.dir)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def watchdog_launcher():
    """A launcher that sets WATCHDOG_PID to the daemon's own PID (the shell's $$ survives exec)."""
    return ["sh", "-c", 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$0" "$@"']


# ---------------------------------------------------------------------------------------------------
# Other tools and /proc


def curl(*args, timeout=30.0):
    """Runs curl (silent, errors shown) with args; returns the CompletedProcess (bytes stdout/stderr)."""
    return subprocess.run(["curl", "-sS", *args], stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)


def make_tls_cert(directory, name, address="127.0.0.1"):
    """A self-signed EC P-256 certificate for address (127.0.0.1) with common name `name`, valid for a day, made
    with openssl in directory: (certificate path, key path). The TLS tests' certificates."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise AssertionError("openssl is needed to make the test's certificates (packaging/install-deps.sh)")
    cert, key = os.path.join(directory, f"{name}.crt"), os.path.join(directory, f"{name}.key")
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", "1", "-subj", f"/CN={name}", "-addext", f"subjectAltName=IP:{address}",
                    "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=20)
    return cert, key


def run_program(argv, timeout=15.0, env=None, preexec=None):
    """Runs a program to completion with a cleaned environment; CompletedProcess with text output.
    preexec: run in the child before exec (e.g. to set resource limits)."""
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace",
                          timeout=timeout, env=clean_env(env), preexec_fn=preexec)


def assert_h2_lesson(tc, *args):
    """The lesson over HTTP/2 (bench --h2 ARGS... URL): five streams of one connection, /blocking 5 x 0.2 s
    one after another, /non-blocking 0.2 s for all five."""
    proc = run_ctl("bench", "--h2", "-c", 1, "-m", 5, "-n", 5, "--threads", 1, "--delay", "0.2", "--no-progress",
                   "--json", "-e", "/blocking", "-e", "/non-blocking", *args, timeout=60)
    tc.assertEqual(proc.returncode, 0, proc.stderr)
    runs = {r["name"]: r for r in json.loads(proc.stdout)["runs"]}
    blocking, non_blocking = runs["/blocking"]["elapsed_seconds"], runs["/non-blocking"]["elapsed_seconds"]
    tc.assertGreater(blocking, 0.95)
    tc.assertLess(non_blocking, 0.6)
    tc.assertGreater(blocking / non_blocking, 2.5, (blocking, non_blocking))
    return runs


def run_ctl(*args, timeout=120.0, env=None, preexec=None):
    """Runs asyncdemoctl with args to completion; a sanitizer report on its stderr fails the test."""
    proc = run_program([ctl_path(), *map(str, args)], timeout=timeout, env=env, preexec=preexec)
    if has_sanitizer_report(proc.stderr):
        raise AssertionError(f"sanitizer report from asyncdemoctl {args}:\n{proc.stderr}")
    return proc


def child_pids(pid):
    """PIDs of pid's child processes, zombies included (from /proc); [] once pid is gone."""
    found = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                found += [int(x) for x in f.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        pass
    return found


def _socket_inodes(pid):
    inodes = set()
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def listening_ports(pid):
    """The set of (address, port) TCP sockets process pid listens on, read from /proc."""
    inodes = _socket_inodes(pid)
    found = set()
    for table, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except FileNotFoundError:
            continue
        for row in rows:
            cols = row.split()
            local, state, inode = cols[1], cols[3], cols[9]
            if state != "0A" or inode not in inodes:  # 0A: TCP_LISTEN
                continue
            addr_hex, port_hex = local.split(":")
            raw = bytes.fromhex(addr_hex)
            if v6:
                raw = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                addr = socket.inet_ntop(socket.AF_INET6, raw)
            else:
                addr = socket.inet_ntop(socket.AF_INET, raw[::-1])
            found.add((addr, int(port_hex, 16)))
    return found


def _stat_cpu(path):
    """utime + stime of a /proc stat file, in seconds (clock-tick resolution)."""
    with open(path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_stat_cpu(pid):
    """The process's CPU time in seconds (utime + stime of /proc/PID/stat, clock-tick resolution)."""
    return _stat_cpu(f"/proc/{pid}/stat")


def threads_cpu(pid, prefix):
    """The CPU seconds of the process's threads whose name starts with prefix ("worker-": the offload pool)."""
    total = 0.0
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            if not f.read().startswith(prefix):
                continue
        total += _stat_cpu(f"/proc/{pid}/task/{tid}/stat")
    return total


def proc_status(pid, key):
    """A field of /proc/PID/status (e.g. "VmHWM" -> "98000 kB"), or None."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return line.split(":", 1)[1].strip()
    return None


DEBIAN_PYTHON_PACKAGES = "/usr/lib/python3/dist-packages"


def import_h2():
    """The h2 package (python3-h2, for HTTP/2 frames), also when this Python is not Debian's own (a pyenv
    build does not see Debian's packages: their pure-Python directory is appended to sys.path). Raises
    unittest.SkipTest when python3-h2 is not installed (packaging/install-deps.sh installs it)."""
    try:
        import h2.connection  # noqa: F401
    except ImportError:
        if DEBIAN_PYTHON_PACKAGES not in sys.path:
            sys.path.append(DEBIAN_PYTHON_PACKAGES)
        try:
            import h2.connection  # noqa: F401
        except ImportError:
            raise unittest.SkipTest("python3-h2 is not installed (packaging/install-deps.sh installs it)")
    import h2
    import h2.config
    import h2.events
    return h2


class LinearHuffman:
    """HPACK's Huffman code in linear time. python3-hpack 4.0 builds one giant integer per string, which
    is quadratic: a 300 KB header value took 13 s to encode. Same output, flushed a byte at a time."""

    def __init__(self):
        from hpack.huffman_constants import REQUEST_CODES, REQUEST_CODES_LENGTH
        self.codes, self.lengths = REQUEST_CODES, REQUEST_CODES_LENGTH

    def encode(self, data):
        out, acc, nbits = bytearray(), 0, 0
        for byte in data:
            acc = (acc << self.lengths[byte]) | self.codes[byte]
            nbits += self.lengths[byte]
            while nbits >= 8:
                nbits -= 8
                out.append((acc >> nbits) & 0xFF)
            acc &= (1 << nbits) - 1
        if nbits:  # pad with the most significant bits of EOS (all ones)
            out.append(((acc << (8 - nbits)) | ((1 << (8 - nbits)) - 1)) & 0xFF)
        return bytes(out)


def h2_client(h2):
    """A client-side H2Connection whose HPACK encoder is fast on big header blocks (LinearHuffman)."""
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    conn.encoder.huffman_coder = LinearHuffman()
    return conn


def main():
    """unittest.main() that first takes --daemon PATH and --ctl PATH off the command line."""
    argv = list(sys.argv)
    for flag, var in (("--daemon", "ASYNCDEMOD"), ("--ctl", "ASYNCDEMOCTL")):
        while flag in argv:
            i = argv.index(flag)
            os.environ[var] = os.path.abspath(argv[i + 1])
            del argv[i:i + 2]
    unittest.main(argv=argv)
