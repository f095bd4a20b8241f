#!/usr/bin/env python3
"""The real-systemd test of asyncdemo's units (Python 3 standard library only).

Boots systemd as PID 1 of a private PID + mount namespace (../shared/notes/systemd-in-a-namespace.md):
before systemd starts, fresh tmpfs mounts hide the host's /tmp, /run, /var/tmp, the journal and the
host's enabled services, and /etc, /usr and /var become overlays whose writes land in a tmpfs, with
a DESTDIR install of the build tree layered in. So the units, binaries, config and catalog sit at
their installed paths, and nothing of the host's /etc, /usr, /var or /tmp changes.

Modes:
  --build-dir DIR    install DIR (cmake --install, DESTDIR) and check the units (the ctest test)
  --deb FILE         apt-install the Debian package in a boot with a private network and check it
Exit status: 0 all checks passed, 1 a check failed, 77 the machine cannot run it (not root).
"""
import argparse
import ctypes
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
UNITS = ("asyncdemod.service", "asyncdemod.socket", "asyncdemo-bench.service", "asyncdemo-bench.timer")
DROPIN = "zz-asyncdemo-test.conf"


class CheckFailed(Exception):
    pass


class Abort(Exception):
    """The deadline passed or the test was told to stop: no further checks run."""


def expect(cond, what):
    if not cond:
        raise CheckFailed(what)


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------
# The namespaced systemd


def _set_pdeathsig():
    # If the test dies (even SIGKILL from a ctest timeout), unshare gets SIGKILL and its
    # --kill-child takes systemd, and with it the whole namespace, down too.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


# Where a boot sees its work dir (see Boot._script).
CARRY_DIR = "/run/asyncdemo-test"


class Boot:
    """One systemd boot in a private PID + mount (+ optionally network) namespace."""

    def __init__(self, workdir, stage=None, private_net=False):
        self.workdir = workdir
        self.stage = stage
        self.private_net = private_net
        self.unshare = None
        self.pid1 = None  # systemd's PID in the host's PID namespace

    def _overlays(self):
        """(target, lowerdirs) for /etc, /usr, /var and each top-level entry of the stage."""
        targets = {"/etc": [], "/usr": [], "/var": []}
        if self.stage:
            for entry in sorted(os.listdir(self.stage)):
                target = os.path.realpath("/" + entry)  # /lib -> /usr/lib on merged-/usr systems
                expect(os.path.isdir(target), "install puts files under /%s, which does not exist here" % entry)
                targets.setdefault(target, []).append(os.path.join(self.stage, entry))
        # Parents first: an overlay on /usr/lib must sit on top of the one on /usr.
        return sorted(targets.items(), key=lambda t: t[0].count("/"))

    def _script(self):
        ovl = os.path.join(self.workdir, "ovl")
        os.mkdir(ovl)
        lines = ["set -eu", "mount -t tmpfs -o mode=0700 tmpfs %s" % ovl]
        for i, (target, lowers) in enumerate(self._overlays()):
            up, work = "%s/%d.up" % (ovl, i), "%s/%d.work" % (ovl, i)
            lower = ":".join(lowers + [target])
            lines.append("mkdir %s %s" % (up, work))
            lines.append("mount -t overlay overlay -o lowerdir=%s,upperdir=%s,workdir=%s %s"
                         % (lower, up, work, target))
        # The host's /tmp would be emptied by systemd-tmpfiles --boot, and the services, timers and
        # sockets enabled on the host started: hide them all (and the rest of the volatile state)
        # before systemd runs.
        # /run first, so the work dir can be carried inside before /tmp is covered (a checkout, and so
        # the work dir, may well live under /tmp).
        lines.append("mount -t tmpfs -o mode=0755 tmpfs /run")
        lines.append("mkdir %s && mount --bind %s %s" % (CARRY_DIR, self.workdir, CARRY_DIR))
        for d, mode in (("/tmp", "1777"), ("/var/tmp", "1777")):
            lines.append("mount -t tmpfs -o mode=%s tmpfs %s" % (mode, d))
        lines.append("if [ -d /var/log/journal ]; then mount -t tmpfs -o mode=2755 tmpfs /var/log/journal; fi")
        lines.append("for d in /etc/systemd/system/*.wants /etc/systemd/system/*.requires; do "
                     "if [ -d \"$d\" ]; then mount -t tmpfs -o mode=0755 tmpfs \"$d\"; fi; done")
        lines.append("mount -t proc proc /proc")
        if self.private_net:
            lines.append("ip link set lo up")
        lines.append("exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin container=other "
                     "/lib/systemd/systemd --system --show-status=no --log-level=notice")
        return "\n".join(lines)

    def start(self, timeout=60):
        argv = ["unshare", "--pid", "--fork", "--kill-child=SIGKILL", "--mount", "--propagation", "private"]
        if self.private_net:
            argv.append("--net")
        argv += ["sh", "-c", self._script()]
        console = open(os.path.join(self.workdir, "console.log"), "wb")
        self.unshare = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT,
                                        start_new_session=True, preexec_fn=_set_pdeathsig)
        console.close()
        deadline = time.monotonic() + 10
        while self.pid1 is None:
            expect(self.unshare.poll() is None, "the namespace's sh exited early: %s" % self.console())
            expect(time.monotonic() < deadline, "unshare did not fork systemd")
            try:
                with open("/proc/%d/task/%d/children" % (self.unshare.pid, self.unshare.pid)) as f:
                    kids = f.read().split()
                if kids:
                    self.pid1 = int(kids[0])
            except FileNotFoundError:
                pass
            time.sleep(0.05)
        # Wait until the child is systemd, not still the mounting shell.
        while True:
            try:
                with open("/proc/%d/comm" % self.pid1) as f:
                    if f.read().strip() == "systemd":
                        break
            except FileNotFoundError:
                pass
            expect(self.unshare.poll() is None, "the namespace's sh exited early: %s" % self.console())
            expect(time.monotonic() < deadline, "systemd did not start: %s" % self.console())
            time.sleep(0.05)
        deadline = time.monotonic() + timeout
        while True:
            # A moment after exec, systemd has yet to create /run/systemd/system (systemctl then says
            # "offline") and, after that, its bus socket ("Failed to connect"): both mean "not yet".
            r = self.run(["systemctl", "is-system-running", "--wait"], check=False, timeout=timeout)
            state = r.stdout.strip()
            not_yet = state == "offline" or (not state and "Failed to connect" in r.stderr)
            if not not_yet or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        if state == "degraded":
            failed = self.run(["systemctl", "--failed", "--plain", "--no-legend"]).stdout.strip()
            log("    (system degraded: %s)" % failed)
        expect(state in ("running", "degraded"), "systemd did not finish booting (%r): %s; console: %s" % (
            state, r.stderr.strip(), self.console()))
        return state

    def console(self):
        try:
            with open(os.path.join(self.workdir, "console.log"), errors="replace") as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def run(self, argv, check=True, timeout=30, input=None):
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "SYSTEMD_PAGER": "", "SYSTEMD_COLORS": "0",
               "LANG": "C.UTF-8", "DEBIAN_FRONTEND": "noninteractive"}
        ns = ["-p", "-m"] + (["-n"] if self.private_net else [])
        r = subprocess.run(["nsenter", "-t", str(self.pid1)] + ns + ["--"] + argv, env=env, input=input,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise CheckFailed("%s: exit %d: %s" % (" ".join(argv), r.returncode, (r.stderr or r.stdout).strip()[-800:]))
        return r

    def systemctl(self, *args, check=True, timeout=60):
        return self.run(["systemctl", "--no-pager"] + list(args), check=check, timeout=timeout)

    def show(self, unit, *props):
        out = self.systemctl("show", unit, "-p", ",".join(props)).stdout
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def wait_running(self, unit, *props, timeout=5.0):
        """Waits for unit's SubState=running; returns it with props."""
        return wait_for("%s running" % unit, lambda: (lambda p: p if p["SubState"] == "running" else None)(
            self.show(unit, "SubState", *props)), timeout=timeout)

    def write(self, path, text):
        self.run(["sh", "-c", 'mkdir -p "$(dirname "$1")" && cat > "$1"', "sh", path], input=text)

    def cursor(self):
        out = self.run(["journalctl", "-q", "-n", "1", "-o", "json"]).stdout.strip()
        return json.loads(out)["__CURSOR"] if out else None

    def journal(self, unit, after=None):
        argv = ["journalctl", "-q", "--no-pager", "-o", "json", "-u", unit]
        if after:
            argv.append("--after-cursor=" + after)
        entries = []
        for line in self.run(argv).stdout.splitlines():
            if line.strip():
                entries.append(json.loads(line))
        return entries

    def power_off(self):
        """Always safe to call; stops systemd and waits for the namespace to go away."""
        signal.setitimer(signal.ITIMER_REAL, 0)  # the test's deadline must not interrupt this
        if self.unshare is None or self.unshare.poll() is not None:
            return
        if self.pid1:
            try:
                r = self.run(["systemctl", "poweroff", "--no-block"], check=False, timeout=15)
                accepted = r.returncode == 0
            except (subprocess.TimeoutExpired, OSError):
                accepted = False
            try:
                # A systemd that refused the poweroff (still starting, say) would only be waited for.
                self.unshare.wait(timeout=30 if accepted else 0.5)
                # PID 1 of a PID namespace halts by reboot(2), which ends it with SIGINT.
                rc = self.unshare.returncode
                log("    poweroff: %s" % ("clean" if rc in (0, -signal.SIGINT) else "systemd ended with %d" % rc))
                return
            except subprocess.TimeoutExpired:
                log("    poweroff: systemd %s, killing PID %d" % (
                    "did not stop in 30 s" if accepted else "did not accept it", self.pid1))
                try:
                    os.kill(self.pid1, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        try:
            self.unshare.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.unshare.kill()
            self.unshare.wait()


def msgid_value(entry, key):
    v = entry.get(key)
    if isinstance(v, list):  # binary or repeated fields
        v = v[0] if v and isinstance(v[0], str) else bytes(v).decode(errors="replace")
    return v


# ---------------------------------------------------------------------------------------------
# HTTP, from the host (the namespace shares its network unless private_net)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port, path, timeout=15):
    """One request on a fresh connection: (status, headers dict, parsed JSON body or text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        resp = conn.getresponse()
        body = resp.read().decode(errors="replace")
        headers = {k.lower(): v for k, v in resp.getheaders()}
        if headers.get("content-type", "").startswith("application/json"):
            body = json.loads(body)
        return resp.status, headers, body
    finally:
        conn.close()


def http_pipelined(port, path, n, timeout=15):
    """n requests for path pipelined on one connection: [(status, headers dict, text body)] in order."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path).encode() * n)
        f = sock.makefile("rb")
        answers = []
        for _ in range(n):
            status = int(f.readline().split()[1])
            headers = {}
            for line in iter(f.readline, b"\r\n"):
                name, _, value = line.decode().partition(":")
                headers[name.strip().lower()] = value.strip()
            answers.append((status, headers, f.read(int(headers.get("content-length", "0"))).decode()))
        return answers


class Background(threading.Thread):
    """Runs fn in a thread, keeping its result or exception."""

    def __init__(self, fn):
        super().__init__(daemon=True)
        self.fn, self.result, self.error = fn, None, None
        self.start()

    def run(self):
        try:
            self.result = self.fn()
        except Exception as e:  # noqa: BLE001 - reported by the check that joins it
            self.error = e

    def outcome(self, timeout):
        self.join(timeout)
        expect(not self.is_alive(), "background request still running after %.0f s" % timeout)
        if self.error:
            raise CheckFailed("request failed: %r" % self.error)
        return self.result


def wait_for(what, fn, timeout=5.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        expect(time.monotonic() < deadline, "timed out waiting for " + what)
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------
# The checks against an installed build


class UnitChecks:
    def __init__(self, boot, args, msgids, port):
        self.b = boot
        self.args = args
        self.ids = msgids
        self.port = port
        self.conf_text = None
        self.shipped_watchdog = "?"  # as the daemon saw it, from /stats

    # helpers -----------------------------------------------------------------------------

    def reset(self):
        """Stops every unit and drops the per-check drop-in of asyncdemod.service."""
        self.b.systemctl("stop", "asyncdemo-bench.timer", "asyncdemo-bench.service", "asyncdemod.socket",
                         "asyncdemod.service", check=False)
        self.b.run(["sh", "-c", "rm -f /run/systemd/system/asyncdemod.service.d/%s" % DROPIN], check=False)
        self.b.systemctl("daemon-reload")
        self.b.systemctl("reset-failed", check=False)

    def dropin(self, unit, text):
        self.b.write("/run/systemd/system/%s.d/%s" % (unit, DROPIN), text)
        self.b.systemctl("daemon-reload")

    def entries(self, unit, after, msgid_name, timeout=5.0, count=1, naming=None):
        """Waits for count entries of unit with that MESSAGE_ID (and naming that text in a field)."""
        mid = self.ids[msgid_name]

        def find():
            found = [e for e in self.b.journal(unit, after) if msgid_value(e, "MESSAGE_ID") == mid
                     and (naming is None or naming in json.dumps(e))]
            return found if len(found) >= count else None

        return wait_for("a %s entry (MESSAGE_ID=%s)%s from %s" % (
            msgid_name, mid, " naming %s" % naming if naming else "", unit), find, timeout)

    def main_pid(self):
        return int(self.b.show("asyncdemod.service", "MainPID")["MainPID"])

    # setup -------------------------------------------------------------------------------

    def install(self, stage):
        """Units into /run/systemd/system, and a config file that listens on the test's port."""
        unitdir = stage + self.args.unitdir
        for unit in UNITS:
            src = os.path.join(unitdir, unit)
            expect(os.path.isfile(src), "the install has no %s in %s" % (unit, self.args.unitdir))
            with open(src) as f:
                self.b.write("/run/systemd/system/" + unit, f.read())
        with open(stage + self.args.config_file) as f:
            shipped = f.read()
        kept = [line for line in shipped.splitlines() if not re.match(r"\s*listen\s*=", line)]
        self.conf_text = "\n".join(kept + ["listen = 127.0.0.1:%d" % self.port]) + "\n"
        self.b.write(self.args.config_file, self.conf_text)
        self.b.systemctl("daemon-reload")
        if self.args.sanitized:
            # LeakSanitizer needs ptrace, which the unit's system-call filter forbids (rightly);
            # leaks are checked by the integration tests outside systemd. Other reports end the
            # process and are looked for in the journal (check_sanitizer_reports).
            env = ("[Service]\nEnvironment=ASAN_OPTIONS=detect_leaks=0 "
                   "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1\n")
            for unit in ("asyncdemod.service", "asyncdemo-bench.service"):
                self.b.write("/run/systemd/system/%s.d/zz-sanitizer.conf" % unit, env)
            self.b.systemctl("daemon-reload")
        return "%s units -> /run/systemd/system, config %s listens on 127.0.0.1:%d" % (
            len(UNITS), self.args.config_file, self.port)

    # checks ------------------------------------------------------------------------------

    def check_verify(self):
        r = self.b.run(["systemd-analyze", "verify"] + ["/run/systemd/system/" + u for u in UNITS], check=False)
        noise = [l for l in (r.stderr + r.stdout).splitlines() if "asyncdemo" in l]
        expect(r.returncode == 0 and not noise, "systemd-analyze verify: %s" % (r.stderr + r.stdout).strip())
        return "systemd-analyze verify: no complaints about the 4 units"

    def check_start(self):
        # ExecStartPost runs only once READY=1 has arrived: if the daemon were not answering
        # then, the start would fail.
        self.dropin("asyncdemod.service", "[Service]\nExecStartPost=/usr/bin/curl -sf -o /dev/null "
                    "http://127.0.0.1:%d/healthz\n" % self.port)
        self.b.systemctl("start", "--no-block", "asyncdemod.service")
        seen = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            p = self.b.show("asyncdemod.service", "ActiveState", "SubState")
            state = "%s (%s)" % (p["ActiveState"], p["SubState"])
            if not seen or seen[-1] != state:
                seen.append(state)
            if p["SubState"] == "running" or p["ActiveState"] == "failed":
                break
            time.sleep(0.01)
        p = self.b.show("asyncdemod.service", "Type", "ActiveState", "SubState", "StatusText", "Result",
                        "ExecMainStartTimestampMonotonic", "ActiveEnterTimestampMonotonic", "NRestarts")
        expect(p["Type"] == "notify", "Type=%s" % p["Type"])
        expect((p["ActiveState"], p["SubState"]) == ("active", "running"),
               "state %s (%s), result %s; states seen: %s" % (p["ActiveState"], p["SubState"], p["Result"], seen))
        expect(int(p["ActiveEnterTimestampMonotonic"]) > int(p["ExecMainStartTimestampMonotonic"]),
               "active before the main process started")
        status, _, body = http_get(self.port, "/healthz")
        expect(status == 200, "/healthz answered %d right after start" % status)
        ready_ms = (int(p["ActiveEnterTimestampMonotonic"]) - int(p["ExecMainStartTimestampMonotonic"])) / 1000
        return "states %s; active %.1f ms after exec; /healthz answered when READY=1 arrived (ExecStartPost)" % (
            " -> ".join(seen), ready_ms)

    def check_status(self):
        before = self.b.show("asyncdemod.service", "StatusText")["StatusText"]
        expect(re.search(r"\d", before), "no figures in STATUS=: %r" % before)
        for _ in range(3):
            http_get(self.port, "/non-blocking?delay=0.01")
        after = wait_for("STATUS= to change after 3 requests",
                         lambda: (lambda s: s if s != before else None)(
                             self.b.show("asyncdemod.service", "StatusText")["StatusText"]), timeout=5)
        out = self.b.systemctl("status", "asyncdemod.service", check=False).stdout
        line = next((l.strip() for l in out.splitlines() if l.strip().startswith("Status:")), None)
        expect(line, "systemctl status has no Status: line:\n" + out)
        return "before: %r; after 3 requests: %r; systemctl status shows %s" % (before, after, line)

    def check_stats(self):
        r = subprocess.run(["curl", "-sf", "--max-time", "10", "http://127.0.0.1:%d/stats" % self.port],
                           stdout=subprocess.PIPE, text=True, timeout=20)
        expect(r.returncode == 0, "curl /stats: exit %d" % r.returncode)
        stats = json.loads(r.stdout)
        pid = self.main_pid()
        expect(stats.get("pid") == pid, "/stats pid %s, MainPID %d" % (stats.get("pid"), pid))
        wd = stats.get("config", {}).get("watchdog_seconds")
        expect(wd and wd > 0, "/stats config.watchdog_seconds = %r under systemd" % wd)
        self.shipped_watchdog = "%gs" % wd
        return "curl /stats: version %s, pid %d = MainPID, watchdog %.0f s, uptime %.2f s" % (
            stats.get("version"), pid, wd, stats.get("uptime_seconds", 0))

    def check_journal(self):
        started = self.entries("asyncdemod.service", None, "DAEMON_STARTED")
        after = self.b.cursor()
        status, _, _ = http_get(self.port, "/blocking?delay=0.3")
        expect(status == 200, "/blocking?delay=0.3 answered %d" % status)
        # Any other stall (a busy machine) may be logged too: the one of /blocking must be there.
        stalls = self.entries("asyncdemod.service", after, "LOOP_STALL", naming="/blocking")
        return "started: %r; stall: %r" % (msgid_value(started[-1], "MESSAGE"), msgid_value(stalls[0], "MESSAGE"))

    def check_reload(self):
        pid = self.main_pid()
        after = self.b.cursor()
        self.b.write(self.args.config_file, self.conf_text + "log-level = debug\n")
        self.b.systemctl("reload", "asyncdemod.service")
        reloaded = self.entries("asyncdemod.service", after, "CONFIG_RELOADED")
        p = self.b.wait_running("asyncdemod.service", "MainPID")
        expect(int(p["MainPID"]) == pid, "reload replaced the process")
        self.b.write(self.args.config_file, self.conf_text)
        self.b.systemctl("reload", "asyncdemod.service")
        return "systemctl reload: same PID %d, %r" % (pid, msgid_value(reloaded[0], "MESSAGE"))

    def check_stop_drains(self):
        after = self.b.cursor()
        req = Background(lambda: http_get(self.port, "/non-blocking?delay=1.5", timeout=20))
        wait_for("the request in flight", lambda: http_get(self.port, "/stats")[2]["endpoints"]["/non-blocking"][
            "in_flight"] == 1)
        t0 = time.monotonic()
        self.b.systemctl("stop", "asyncdemod.service")
        took = time.monotonic() - t0
        status, _, body = req.outcome(10)
        expect(status == 200, "in-flight request answered %d" % status)
        expect(abs(body["waited_seconds"] - 1.5) < 0.2, "in-flight request waited %.3f s" % body["waited_seconds"])
        p = self.b.show("asyncdemod.service", "ActiveState", "Result", "ExecMainCode", "ExecMainStatus")
        expect(p["ActiveState"] == "inactive" and p["Result"] == "success" and p["ExecMainStatus"] == "0",
               "after stop: %s" % p)
        self.entries("asyncdemod.service", after, "DAEMON_STOPPING")
        self.entries("asyncdemod.service", after, "DAEMON_STOPPED")
        return "in-flight /non-blocking?delay=1.5 answered 200 (waited %.3f s); stop took %.2f s; " \
               "Result=success, exit 0; STOPPING and STOPPED logged" % (body["waited_seconds"], took)

    def check_socket_activation(self):
        self.b.write("/run/systemd/system/asyncdemod.socket.d/" + DROPIN,
                     "[Socket]\nListenStream=\nListenStream=127.0.0.1:%d\n" % self.port)
        self.b.systemctl("daemon-reload")
        self.b.systemctl("start", "asyncdemod.socket")
        p = self.b.show("asyncdemod.service", "ActiveState")
        expect(p["ActiveState"] == "inactive", "the service is %s with only the socket started" % p["ActiveState"])
        status, _, body = http_get(self.port, "/non-blocking?delay=0.05")
        expect(status == 200, "first request answered %d" % status)
        # The answer may come a moment before systemd has handled the READY=1 sent ahead of it.
        p = self.b.wait_running("asyncdemod.service", "MainPID", "TriggeredBy")
        expect(body["pid"] == int(p["MainPID"]), "answered by pid %s, MainPID %s" % (body["pid"], p["MainPID"]))
        return "only asyncdemod.socket started, service inactive; first request started it (TriggeredBy=%s) " \
               "and was answered by its MainPID %s" % (p["TriggeredBy"], p["MainPID"])

    def check_restart_under_trickle(self):
        """Needs the socket unit (the previous check leaves it started)."""
        old = self.main_pid()
        results = []
        stop = threading.Event()

        def trickle():
            while not stop.is_set():
                try:
                    status, _, body = http_get(self.port, "/non-blocking?delay=0.02", timeout=20)
                    results.append((status, body.get("pid") if isinstance(body, dict) else None))
                except Exception as e:  # noqa: BLE001 - every failure is a lost request
                    results.append((repr(e), None))
                time.sleep(0.01)

        def keep_alive_trickle():
            """One connection reused while the server keeps it open. Like any HTTP/1 client, it retries a
            request once on a new connection when a reused one closes before any answer (RFC 9112 9.3.1)."""
            conn = None
            while not stop.is_set():
                for attempt in (1, 2):
                    reused = conn is not None
                    conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
                    try:
                        conn.request("GET", "/non-blocking?delay=0.02")
                        resp = conn.getresponse()
                        body = json.loads(resp.read())
                        results.append((resp.status, body.get("pid")))
                        if resp.will_close:
                            conn.close()
                            conn = None
                        break
                    except Exception as e:  # noqa: BLE001 - lost unless a reused connection is retried
                        conn.close()
                        conn = None
                        if not reused or attempt == 2:
                            results.append((repr(e), None))
                            break
                time.sleep(0.01)
            if conn is not None:
                conn.close()

        workers = [Background(trickle) for _ in range(3)] + [Background(keep_alive_trickle)]
        time.sleep(1.0)
        t0 = time.monotonic()
        self.b.systemctl("restart", "asyncdemod.service")
        took = time.monotonic() - t0
        time.sleep(1.0)
        stop.set()
        for w in workers:
            w.outcome(25)
        new = self.main_pid()
        lost = [r for r in results if r[0] != 200]
        pids = sorted({r[1] for r in results if r[1]})
        expect(new != old, "MainPID did not change (%d)" % old)
        expect(not lost, "%d of %d requests lost: %s" % (len(lost), len(results), lost[:5]))
        expect(old in pids and new in pids, "answers came from %s, not from both %d and %d" % (pids, old, new))
        return "%d requests from 4 clients (one keep-alive) across the restart (%.2f s): all 200, " \
               "answered by PID %d then %d" % (
            len(results), took, old, new)

    def check_watchdog_flood(self):
        # A short watchdog keeps this quick: the guard allows half of it (2 s) between two pings. Ten
        # 0.7 s sleeps on their own connections and four pipelined on one (h2o takes the next pipelined
        # request as soon as an answer is written, before any ping: the third finds the loop busy 1.4 s,
        # so it is refused with Retry-After); two 2.5 s sleeps can never run (400, no Retry-After).
        self.b.systemctl("stop", "asyncdemod.socket", "asyncdemod.service")
        self.dropin("asyncdemod.service", "[Service]\nWatchdogSec=4s\n")
        self.b.systemctl("start", "asyncdemod.service")
        pid = self.main_pid()
        after = self.b.cursor()
        delays = [0.7] * 10 + [2.5] * 2
        t0 = time.monotonic()
        reqs = [Background(lambda d=d: http_get(self.port, "/blocking?delay=%s" % d, timeout=40)) for d in delays]
        piped = Background(lambda: http_pipelined(self.port, "/blocking?delay=0.7", 4, timeout=40))
        answers = [r.outcome(40) for r in reqs]
        piped_answers = piped.outcome(40)
        took = time.monotonic() - t0
        time.sleep(0.5)
        flood = answers[:10] + piped_answers
        codes = sorted(a[0] for a in flood)
        refused = [a for a in flood if a[0] == 503]
        expect(piped_answers[2][0] == 503, "the third pipelined 0.7 s sleep was not refused: %s"
               % [a[0] for a in piped_answers])
        expect(200 in codes, "every /blocking refused: %s" % codes)
        expect(all(c in (200, 503) for c in codes), "unexpected statuses %s" % codes)
        expect(all("retry-after" in a[1] for a in refused), "a 503 without Retry-After")
        never = answers[10:]
        expect(all(a[0] == 400 and "retry-after" not in a[1] and "watchdog" in str(a[2]) for a in never),
               "2.5 s sleeps (over the 2 s budget) not refused with 400 naming the watchdog limit: %s" % never)
        p = self.b.show("asyncdemod.service", "ActiveState", "SubState", "MainPID", "NRestarts", "WatchdogUSec")
        expect(p["SubState"] == "running" and int(p["MainPID"]) == pid and p["NRestarts"] == "0",
               "after the flood: %s (PID before %d)" % (p, pid))
        journal = self.b.journal("asyncdemod.service", after)
        expect(not any("atchdog timeout" in (msgid_value(e, "MESSAGE") or "") for e in journal),
               "systemd reports a watchdog timeout")
        self.entries("asyncdemod.service", after, "BLOCKING_REFUSED")
        return "shipped WatchdogSec=%s, here %s: %d x /blocking (14 x 0.7 s, 4 of them pipelined, 2 x 2.5 s) " \
               "in %.1f s: %d x 200, %d x 503 with Retry-After, 2 x 400; same PID %d, NRestarts=0; " \
               "BLOCKING_REFUSED logged" % (self.shipped_watchdog, p["WatchdogUSec"], len(delays) + 4, took,
                                            codes.count(200), len(refused), pid)

    def check_bench(self):
        self.b.systemctl("start", "asyncdemod.service")
        self.b.write("/run/systemd/system/asyncdemo-bench.service.d/" + DROPIN,
                     "[Service]\nEnvironment=ASYNCDEMO_BENCH_URL=http://127.0.0.1:%d\n"
                     "Environment=\"ASYNCDEMO_BENCH_ARGS=--delay 0.2\"\n" % self.port)
        self.b.systemctl("daemon-reload")
        after = self.b.cursor()
        t0 = time.monotonic()
        self.b.systemctl("start", "asyncdemo-bench.service", timeout=90)
        took = time.monotonic() - t0
        p = self.b.show("asyncdemo-bench.service", "Result", "ExecMainStatus")
        expect(p["Result"] == "success", "bench: %s" % p)
        # The default bench runs /blocking, /non-blocking and /offload: one entry each.
        results = self.entries("asyncdemo-bench.service", after, "BENCH_RESULT", count=3)
        summary = []
        for e in results:
            ep, n = msgid_value(e, "ASYNCDEMO_ENDPOINT"), msgid_value(e, "ASYNCDEMO_REQUESTS")
            expect(ep and n and msgid_value(e, "ASYNCDEMO_TOTAL_SECONDS"), "result fields missing: %s" % e)
            summary.append("%s n=%s total=%ss" % (ep, n, msgid_value(e, "ASYNCDEMO_TOTAL_SECONDS")))
        self.b.systemctl("start", "asyncdemo-bench.timer")
        nxt = self.b.show("asyncdemo-bench.timer", "ActiveState", "SubState")
        expect(nxt["SubState"] == "waiting", "timer: %s" % nxt)
        return "asyncdemo-bench.service ran %.1f s, %d results in the journal: %s; timer %s (%s)" % (
            took, len(results), "; ".join(summary), nxt["ActiveState"], nxt["SubState"])

    def check_sandbox(self):
        """Runs a probe as ExecStartPre=, which gets the unit's user and sandbox."""
        spots = ["/etc", "/etc/asyncdemod", "/usr", "/usr/local", "/var", "/var/lib", "/var/log", "/var/cache",
                 "/run", "/run/lock", "/root", "/home", "/srv", "/opt", "/dev/shm", self.args.source_dir]
        probe = ('for d in %s; do if ( : > "$d/.asyncdemo-probe" ) 2>/dev/null; then echo "PROBE writable $d"; '
                 'rm -f "$d/.asyncdemo-probe"; else echo "PROBE denied $d"; fi; done; '
                 'for d in /tmp /var/tmp; do : > "$d/.asyncdemo-probe" && echo "PROBE private $d"; done; '
                 'echo "PROBE uid $(id -u) caps $(grep CapEff /proc/self/status | cut -f2)"') % " ".join(spots)
        # systemd expands $ and % in command lines: double them.
        probe = probe.replace("$", "$$").replace("%", "%%")
        self.dropin("asyncdemod.service", "[Service]\nExecStartPre=/bin/sh -c '%s'\n" % probe)
        after = self.b.cursor()
        self.b.systemctl("restart", "asyncdemod.service")

        def probe_lines():
            msgs = [msgid_value(e, "MESSAGE") or "" for e in self.b.journal("asyncdemod.service", after)]
            lines = [m for m in msgs if m.startswith("PROBE ")]
            return lines if any(m.startswith("PROBE uid") for m in lines) else None

        lines = wait_for("the probe's output", probe_lines)
        writable = [l for l in lines if l.startswith("PROBE writable")]
        expect(not writable, "the service can write: %s" % writable)
        expect(len([l for l in lines if l.startswith("PROBE denied")]) == len(spots), "probe incomplete: %s" % lines)
        ident = next(l for l in lines if l.startswith("PROBE uid")).split()
        uid, caps = ident[2], ident[4]
        expect(uid != "0" and int(caps, 16) == 0, "runs as uid %s with capabilities %s" % (uid, caps))
        for d in ("/tmp", "/var/tmp"):
            leaked = self.b.run(["test", "-e", d + "/.asyncdemo-probe"], check=False).returncode == 0
            expect(not leaked, "the service's %s is the system's" % d)
        pid = self.main_pid()
        status = self.b.run(["cat", "/proc/%d/status" % pid]).stdout
        duid = re.search(r"^Uid:\s+(\d+)", status, re.M).group(1)
        expect(duid != "0", "the daemon runs as root")
        return "no write access to %d places (/etc, /usr, /var/lib, /run, /dev/shm, the checkout, ...); " \
               "/tmp and /var/tmp private; probe uid %s, CapEff %s; daemon uid %s" % (len(spots), uid, caps, duid)

    def check_security(self):
        out = self.b.run(["systemd-analyze", "security", "--no-pager", "asyncdemod.service"], check=False)
        m = re.search(r"Overall exposure level for asyncdemod\.service: ([\d.]+) (\S+)", out.stdout)
        expect(m, "no exposure level in: %s" % (out.stdout + out.stderr)[-600:])
        level = float(m.group(1))
        expect(level <= 2.0, "exposure %.1f > 2.0:\n%s" % (level, "\n".join(
            l for l in out.stdout.splitlines() if l.startswith("✗"))))
        bench = self.b.run(["systemd-analyze", "security", "--no-pager", "asyncdemo-bench.service"], check=False)
        mb = re.search(r"Overall exposure level for asyncdemo-bench\.service: ([\d.]+) (\S+)", bench.stdout)
        return "systemd-analyze security asyncdemod.service: %.1f %s (asyncdemo-bench.service: %s)" % (
            level, m.group(2), mb.group(1) + " " + mb.group(2) if mb else "?")

    def check_catalog(self):
        self.b.run(["journalctl", "--update-catalog"])
        listed = self.b.run(["journalctl", "--list-catalog"]).stdout
        missing = [n for n, mid in self.ids.items() if mid not in listed]
        expect(not missing, "not in the catalog: %s" % missing)
        out = self.b.run(["journalctl", "-x", "--no-pager", "-q", "-u", "asyncdemod.service",
                          "MESSAGE_ID=" + self.ids["LOOP_STALL"]]).stdout
        explained = [l.strip("░ ") for l in out.splitlines() if l.startswith("░░")]
        expect(any(l.startswith("Subject:") for l in explained), "journalctl -x shows no explanation:\n" + out[-500:])
        expect(not any("@ASYNCDEMO_" in l for l in explained), "fields not filled in:\n" + "\n".join(explained))
        expect(any("/blocking" in l for l in explained), "the explanation does not name /blocking")
        subject = next(l for l in explained if l.startswith("Subject:"))
        return "all %d MESSAGE_IDs in journalctl --list-catalog; journalctl -x on the stall: %r + %d lines" % (
            len(self.ids), subject, len(explained) - 1)


    def check_sanitizer_reports(self):
        found = []
        for unit in ("asyncdemod.service", "asyncdemo-bench.service"):
            for e in self.b.journal(unit):
                msg = msgid_value(e, "MESSAGE") or ""
                if "runtime error:" in msg or "Sanitizer" in msg:
                    found.append("%s: %s" % (unit, msg[:200]))
        expect(not found, "sanitizer reports:\n" + "\n".join(found[:10]))
        return "no AddressSanitizer or UBSan report in the journals of asyncdemod and asyncdemo-bench"


def read_msgids(source_dir):
    ids = {}
    with open(os.path.join(source_dir, "lib", "messages.h")) as f:
        for name, mid in re.findall(r'#define\s+AD_MSGID_(\w+)\s+"([0-9a-f]{32})"', f.read()):
            ids[name] = mid
    expect(ids, "no MESSAGE_IDs in lib/messages.h")
    return ids


def run_checks(checks, only=None):
    """Runs (name, fn) in order, printing each; returns the number of failures."""
    failed = 0
    for i, (name, fn) in enumerate(checks, 1):
        if only and not any(o in name for o in only):
            continue
        t0 = time.monotonic()
        try:
            detail = fn()
            log("ok %d - %s (%.1f s): %s" % (i, name, time.monotonic() - t0, detail))
        except (CheckFailed, subprocess.TimeoutExpired, OSError, ValueError, KeyError) as e:
            failed += 1
            log("not ok %d - %s (%.1f s): %s" % (i, name, time.monotonic() - t0, e))
    return failed


def test_build(args, workdir):
    stage = os.path.join(workdir, "stage")
    r = subprocess.run(["cmake", "--install", args.build_dir], env=dict(os.environ, DESTDIR=stage),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    expect(r.returncode == 0, "cmake --install failed:\n" + r.stdout[-2000:])
    log("# installed %s with DESTDIR=%s" % (args.build_dir, stage))
    ids = read_msgids(args.source_dir)
    port = free_port()
    boot = Boot(workdir, stage=stage)
    try:
        t0 = time.monotonic()
        state = boot.start()
        log("ok 0 - boot: systemd is PID 1 of a private namespace (host PID %d), %s after %.1f s" % (
            boot.pid1, state, time.monotonic() - t0))
        c = UnitChecks(boot, args, ids, port)
        log("# " + c.install(stage))

        def fresh(fn):
            def wrapped():
                c.reset()
                return fn()
            return wrapped

        checks = [
            ("units pass systemd-analyze verify", c.check_verify),
            ("start: active (running) only after READY=1", fresh(c.check_start)),
            ("Status: line shows live figures", c.check_status),
            ("curl /stats answers", c.check_stats),
            ("journal: startup and stall entries with MESSAGE_IDs", c.check_journal),
            ("reload: SIGHUP re-reads the config", c.check_reload),
            ("stop with a /non-blocking request in flight", c.check_stop_drains),
            ("socket activation: the first request starts the service", fresh(c.check_socket_activation)),
            ("restart under a steady trickle loses no request", c.check_restart_under_trickle),
            ("/blocking flood: the watchdog does not kill the daemon", fresh(c.check_watchdog_flood)),
            ("asyncdemo-bench.service leaves results in the journal", fresh(c.check_bench)),
            ("sandbox: no writable file system, no privileges", fresh(c.check_sandbox)),
            ("systemd-analyze security: exposure <= 2.0", c.check_security),
            ("catalog explains every MESSAGE_ID", c.check_catalog),
        ]
        if args.sanitized:
            checks.append(("sanitizers: no reports from the units", c.check_sanitizer_reports))
        failed = run_checks(checks, args.only)
        c.reset()
        return failed
    finally:
        boot.power_off()


def test_deb(args, workdir):
    deb = os.path.abspath(args.deb)
    expect(os.path.isfile(deb), "no such package: " + deb)
    shutil.copy(deb, os.path.join(workdir, os.path.basename(deb)))
    local = os.path.join(CARRY_DIR, os.path.basename(deb))  # the same file, as the boot sees it
    os.chmod(workdir, 0o755)
    boot = Boot(workdir, private_net=True)
    try:
        boot.start()
        log("ok 0 - boot: private PID, mount and network namespace (port 8000 is ours)")

        def install():
            # Docker-built images forbid service starts with policy-rc.d; a real Debian 12 has none.
            boot.run(["rm", "-f", "/usr/sbin/policy-rc.d"])
            r = boot.run(["apt-get", "install", "-y", "-q", local], check=False, timeout=300)
            expect(r.returncode == 0, "apt install failed:\n" + (r.stdout + r.stderr)[-2000:])
            return "apt install ./%s" % os.path.basename(deb)

        def service():
            p = boot.wait_running("asyncdemod.service", "UnitFileState", "StatusText", timeout=10)
            r = boot.run(["curl", "-sf", "http://127.0.0.1:8000/healthz"], check=False)
            expect(r.returncode == 0, "curl http://127.0.0.1:8000/healthz: exit %d" % r.returncode)
            return "asyncdemod %s, running (%s); /healthz: %s" % (p["UnitFileState"], p["StatusText"], r.stdout.strip())

        def ctl():
            r = boot.run(["asyncdemoctl", "bench", "--delay", "0.1", "--no-timeline"], check=False, timeout=60)
            expect(r.returncode == 0, "asyncdemoctl bench: exit %d: %s" % (r.returncode, r.stderr[-500:]))
            return "asyncdemoctl bench against the packaged service: exit 0"

        def reinstall():
            before = boot.show("asyncdemod.service", "MainPID")["MainPID"]
            boot.run(["apt-get", "install", "-y", "-q", "--reinstall", local], timeout=300)
            p = boot.show("asyncdemod.service", "SubState", "MainPID")
            expect(p["SubState"] == "running" and p["MainPID"] != before, "after reinstall: %s (PID before %s)" % (
                p, before))
            return "apt reinstall (the upgrade path) restarted the service: PID %s -> %s" % (before, p["MainPID"])

        def docs():
            r = boot.run(["sh", "-c", "man -w asyncdemod asyncdemoctl asyncdemod.conf && "
                          "test -f /usr/share/bash-completion/completions/asyncdemoctl && "
                          "test -f /etc/asyncdemod/asyncdemod.conf && journalctl --list-catalog | grep -c asyncdemo"],
                         check=False)
            expect(r.returncode == 0, "docs: %s" % (r.stdout + r.stderr))
            return "man pages, completion, config, %s catalog entries" % r.stdout.split()[-1]

        def remove():
            boot.run(["apt-get", "purge", "-y", "-q", "asyncdemo"], timeout=120)
            p = boot.show("asyncdemod.service", "ActiveState", "LoadState")
            expect(p["ActiveState"] == "inactive", "after purge: %s" % p)
            r = boot.run(["test", "-e", "/etc/asyncdemod/asyncdemod.conf"], check=False)
            expect(r.returncode != 0, "purge left /etc/asyncdemod/asyncdemod.conf")
            return "apt purge: service stopped (%s), config removed" % p["LoadState"]

        return run_checks([("install the package", install), ("a working service after install", service),
                           ("asyncdemoctl works", ctl), ("reinstall restarts the service", reinstall),
                           ("man pages, completion, config, catalog", docs),
                           ("purge", remove)])
    finally:
        boot.power_off()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--source-dir", default=os.path.dirname(os.path.dirname(here)))
    ap.add_argument("--unitdir", help="the configured unit directory (AD_SYSTEMD_UNITDIR)")
    ap.add_argument("--config-file", help="the configured config file path (AD_CONFIG_FILE)")
    ap.add_argument("--sanitized", action="store_true", help="the build uses ASan/UBSan")
    ap.add_argument("--deb")
    ap.add_argument("--only", action="append", help="run only the checks whose name contains this (repeatable)")
    ap.add_argument("--deadline", type=float, default=170, help="seconds before the test gives up")
    args = ap.parse_args()
    if bool(args.build_dir) == bool(args.deb):
        ap.error("give --build-dir or --deb")
    if args.build_dir and not (args.unitdir and args.config_file):
        ap.error("--build-dir needs --unitdir and --config-file")

    if args.build_dir:
        args.build_dir = os.path.abspath(args.build_dir)
    args.source_dir = os.path.abspath(args.source_dir)
    if os.geteuid() != 0:
        log("SKIP: needs root to create namespaces and boot systemd")
        return SKIP
    for tool in ("unshare", "nsenter", "curl", "cmake"):
        if not shutil.which(tool):
            log("FAIL: %s is missing (packaging/install-deps.sh installs it)" % tool)
            return 1
    if not os.path.exists("/lib/systemd/systemd"):
        log("FAIL: /lib/systemd/systemd is missing (package systemd)")
        return 1

    # Our own deadline, below ctest's TIMEOUT, so the finally clauses always power off.
    def on_alarm(signum, frame):
        raise Abort("deadline of %.0f s passed" % args.deadline)

    def on_term(signum, frame):
        raise Abort("terminated by signal %d" % signum)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_term)
    signal.setitimer(signal.ITIMER_REAL, args.deadline)
    base = args.build_dir if args.build_dir else os.path.dirname(os.path.abspath(args.deb))
    workdir = tempfile.mkdtemp(prefix="systemd-test.", dir=base)
    t0 = time.monotonic()
    try:
        failed = test_build(args, workdir) if args.build_dir else test_deb(args, workdir)
    except (CheckFailed, Abort) as e:
        log("not ok - %s" % e)
        failed = 1
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        shutil.rmtree(workdir, ignore_errors=True)
    log("# %s in %.1f s" % ("FAILED: %d check(s)" % failed if failed else "all checks passed", time.monotonic() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
