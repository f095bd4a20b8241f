#!/usr/bin/env python3
"""asyncdemo side by side with the seed's Python stack, standalone h2o and the usual load tools
(issue 5; bench/README.md, "Side by side"). Use run.sh: it installs the packages, raises the
open-file limit and finds the programs.

Comparisons, each contender alternating within every repetition (order reversed on odd ones):
  lesson      5 x 2 s to /blocking, /non-blocking (and /offload): asyncdemod vs the seed server
  c10k        10,000 concurrent /non-blocking?delay=2: every answer's own waited_seconds, from a client
              that reads them all
  scaling     N = 10 .. 10,000 concurrent /non-blocking?delay=2 from h2load (at 10,000 from
              asyncdemoctl bench too): wall, peak RSS, CPU s against N; asyncdemod, the seed, nginx+echo
  throughput  wrk on asyncdemod's zero-delay endpoint and /stats, the seed, standalone h2o, nginx's
              return 200 (the same answer size)
  loadgen     asyncdemoctl bench vs wrk, h2load, hey on one asyncdemod endpoint: req/s, CPU s/100k
  outbound    asyncdemoctl compare modes vs the seed's Task 1 scripts against asyncdemod's /delay/1
Writes report.md, plots (SVG) and results.json into the output directory. Exit status: 0 every target
met, 1 a target missed, 2 a comparison could not run.
"""

import argparse
import datetime
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SEED = os.path.join(ROOT, "bench", "seed")
sys.path.insert(0, os.path.join(ROOT, "bench", "daemon"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from bench_daemon import collect_answers, machine, parse_h2load, parse_wrk  # noqa: E402  (the daemon benchmark's)
import report  # noqa: E402  (this directory: Markdown and plots)
import third_party  # noqa: E402  (how h2o and nginx are configured, the suite's too)

PY = "/usr/bin/python3"  # Debian's: the seed's packages are installed for it
MODES = {
    "full": {"runs": 3, "scaling_n": [10, 100, 1000, 5000, 10000], "wrk_s": 5, "outbound_n": [5, 100, 1000]},
    "quick": {"runs": 1, "scaling_n": [10, 1000, 10000], "wrk_s": 3, "outbound_n": [5, 1000]},
}
C10K = 10_000
NGINX_ECHO = "/usr/lib/nginx/modules/ngx_http_echo_module.so"  # Debian's libnginx-mod-http-echo
LOAD_C = 64  # connections of every throughput and load-generator run
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Stop(Exception):
    """SIGTERM: unwinds like Ctrl-C so every server is stopped."""


def on_sigterm(_sig, _frame):
    raise Stop("SIGTERM")


# ---------------------------------------------------------------------------------------------------
# processes


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_cpu_s(pid):
    """User + system CPU seconds of a live process (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def child_pids(pid):
    """The live processes whose parent is pid, from /proc (nginx's worker: a child of the master started here)."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):  # gone meanwhile
            continue
        if ppid == pid:
            kids.append(int(entry))
    return sorted(kids)


def proc_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no {key}")


def http_get(port, path, timeout=5.0):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


class Server:
    """One server process on a free loopback port; started in its own session, stopped by PID
    (SIGTERM, SIGKILL after 10 s), its output kept in a log file of the results directory."""

    def __init__(self, name, argv_for_port, ready_path, logdir, env=None, worker=False):
        self.name, self.argv_for_port, self.ready_path = name, argv_for_port, ready_path
        self.logdir, self.env, self.worker = logdir, env, worker
        self.proc = self.port = self.logf = None

    def start(self):
        for _attempt in range(3):  # a free port may be taken between the probe and the bind
            self.port = free_port()
            self.logf = open(os.path.join(self.logdir, f"{self.name}.log"), "ab")
            self.proc = subprocess.Popen(self.argv_for_port(self.port), stdin=subprocess.DEVNULL, stdout=self.logf,
                                         stderr=subprocess.STDOUT, start_new_session=True, env=self.env)
            if self._wait_ready(20.0):
                return self
            self.stop()
        raise RuntimeError(f"{self.name} did not start (see {self.logdir}/{self.name}.log)")

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                if http_get(self.port, self.ready_path, timeout=1.0)[0] == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    @property
    def measured_pid(self):
        """The process that serves, whose memory and CPU are measured: the one started, or (worker=True: nginx's
        master with one worker) its only child. Serving /healthz when ready, the worker exists by then."""
        if not self.worker:
            return self.proc.pid
        kids = child_pids(self.proc.pid)
        if len(kids) != 1:
            raise RuntimeError(f"{self.name}: expected one worker process under PID {self.proc.pid}, found {kids}")
        return kids[0]

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        if self.proc:
            third_party.stop(self.proc)
        if self.logf:
            self.logf.close()
            self.logf = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def run_tool(cmd, timeout, ok_codes=(0,)):
    """Runs a client program under /usr/bin/time; returns its stdout, wall seconds, and its CPU seconds
    (user + system, its children included) and peak RSS as time reports them. (wait4 on a child of this
    process would report at least this Python's own RSS: a peak survives fork and exec.) The program
    runs in its own process group, killed whole on a timeout or an interrupt."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err, \
            tempfile.NamedTemporaryFile("r", prefix="sidebyside-time-") as tf:
        t0 = time.monotonic()
        p = subprocess.Popen(["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf.name, *cmd], stdout=out, stderr=err,
                             stdin=subprocess.DEVNULL, text=True, start_new_session=True)
        try:
            p.wait(timeout=timeout)
        except BaseException:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            if isinstance(sys.exc_info()[1], subprocess.TimeoutExpired):
                raise RuntimeError(f"{' '.join(cmd)}: no result within {timeout} s") from None
            raise
        wall = time.monotonic() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
        fields = tf.read().split()
    if p.returncode not in ok_codes:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}\n{stdout[-1500:]}\n{stderr[-1500:]}")
    try:
        _elapsed, user, system, maxrss_kb = (float(x) for x in fields[-4:])
    except ValueError:
        raise RuntimeError(f"/usr/bin/time gave no figures for {' '.join(cmd)}: {fields}") from None
    return {"stdout": stdout, "wall_s": wall, "cpu_s": user + system, "maxrss_mb": maxrss_kb * 1024 / 1e6}


def shown(cmd, server):
    """The command as the report shows it: program by name, the server's address as URL."""
    return " ".join([os.path.basename(cmd[0])] + cmd[1:]).replace(server.url(""), "URL")


class Contenders:
    """Starts the servers of one comparison: asyncdemod, the seed's server, standalone h2o, nginx + echo."""

    def __init__(self, args, logdir):
        self.args, self.logdir = args, logdir
        self.www = self.body = None
        self.dirs = []  # nginx's prefixes

    def asyncdemod(self):
        return Server("asyncdemod", lambda p: [self.args.daemon, "--listen", f"127.0.0.1:{p}"], "/healthz",
                      self.logdir)

    def seed(self):
        # uvicorn's defaults: one worker, access log on (to the log file, as to a terminal).
        return Server("seed", lambda p: [PY, os.path.join(SEED, "server.py"), "--host", "127.0.0.1", "--port",
                                         str(p)], "/stats", self.logdir)

    def h2o(self, body):
        """Standalone h2o serving /index.json: a file as long as asyncdemod's zero-delay answer, one
        thread like asyncdemod's default."""
        if self.www is None:
            self.www = tempfile.mkdtemp(prefix="sidebyside-h2o-")
            os.chmod(self.www, 0o755)  # h2o started as root serves as nobody
            with open(os.path.join(self.www, "index.json"), "wb") as f:
                f.write(body)
            os.chmod(os.path.join(self.www, "index.json"), 0o644)

        return Server("h2o", lambda port: third_party.h2o_command(self.www, port, self.www), "/index.json", self.logdir)

    def answer_body(self):
        """asyncdemod's zero-delay answer, once: what nginx answers too, so both send the same size."""
        if self.body is None:
            with self.asyncdemod() as d:
                status, self.body = http_get(d.port, "/non-blocking?delay=0")
            if status != 200:
                raise RuntimeError(f"asyncdemod /non-blocking?delay=0 answered {status}")
        return self.body

    def nginx_echo(self):
        """nginx with the echo module (Debian nginx-light, libnginx-mod-http-echo), one worker like
        asyncdemod's one loop: /non-blocking waits with echo_sleep 2 then echoes asyncdemod's answer as
        long as asyncdemod's; /zero returns it at once (return 200); /healthz for readiness."""
        body = self.answer_body().decode().rstrip("\n")
        text = body.replace("\\", "\\\\").replace("'", "\\'")
        d = tempfile.mkdtemp(prefix="sidebyside-nginx-")
        os.chmod(d, 0o755)

        server = (f"        location = /non-blocking {{ echo_sleep 2; echo '{text}'; }}\n"
                  f"        location = /zero {{ return 200 '{text}\\n'; }}\n"
                  "        location = /healthz { return 200 'ok\\n'; }")

        def argv(port):
            return third_party.nginx_command(d, port, server, connections=20000, modules=(NGINX_ECHO,))
        self.dirs.append(d)
        # its master only starts and watches the worker: the worker's memory and CPU are nginx's
        return Server("nginx+echo", argv, "/healthz", self.logdir, worker=True)

    def cleanup(self):
        if self.www:
            shutil.rmtree(self.www, ignore_errors=True)
        for d in self.dirs:
            shutil.rmtree(d, ignore_errors=True)


def alternate(items, rep):
    return list(items) if rep % 2 == 0 else list(reversed(items))


# ---------------------------------------------------------------------------------------------------
# comparisons


def lesson(c, cfg, runs):
    """5 parallel 2 s requests per endpoint from the seed's own client, against both servers."""
    cases = {"asyncdemod": (c.asyncdemod, "/blocking,/non-blocking,/offload"),
             "seed": (c.seed, "/blocking,/non-blocking")}
    runs.update({k: [] for k in cases})
    for rep in range(cfg["runs"]):
        for name in alternate(cases, rep):
            make, endpoints = cases[name]
            with make() as s:
                cmd = [PY, os.path.join(SEED, "client.py"), s.url(""), "-n", "5", "--delay", "2", "--endpoints",
                       endpoints, "--json"]
                log(f"lesson {rep + 1}/{cfg['runs']}: {name}")
                r = run_tool(cmd, timeout=120, ok_codes=(0, 1))  # 1: some failed
                doc = json.loads(r["stdout"])
                runs[name].append({"command": shown(cmd[1:], s),
                                   "totals": {x["endpoint"]: x["total_seconds"] for x in doc["runs"]},
                                   "ok": {x["endpoint"]: x["ok"] for x in doc["runs"]}})


def burst_command(client, ctl, url, n):
    """n concurrent requests, one each, from h2load (one thread per CPU, like the other h2load and wrk
    runs here) or asyncdemoctl bench (one event loop per CPU by default)."""
    if client == "h2load":
        return ["h2load", "--h1", f"-t{min(2, n)}", f"-n{n}", f"-c{n}", url]
    return [ctl, "bench", "--url", url, "-n", str(n), "-c", str(n), "--json", "--no-progress"]


def burst(s, n, client, ctl):
    """n concurrent /non-blocking?delay=2 from client on a fresh server: wall, 2xx, RSS, CPU."""
    pid = s.measured_pid
    idle_kb = proc_kb(pid, "VmRSS")
    cpu0 = proc_cpu_s(pid)
    cmd = burst_command(client, ctl, s.url("/non-blocking?delay=2"), n)
    r = run_tool(cmd, timeout=180, ok_codes=(0, 1))  # bench: 1 when a request failed (counted below)
    time.sleep(0.2)  # the server may still be closing connections
    if client == "h2load":
        h = parse_h2load(r["stdout"])
        wall, ok = h["finished_s"], h["status_2xx"]
    else:
        doc = json.loads(r["stdout"])["runs"][0]
        wall, ok = doc["elapsed_seconds"], doc["ok"]
    peak_kb = proc_kb(pid, "VmHWM")
    return {"n": n, "client": client, "command": shown(cmd, s), "wall_s": wall, "status_2xx": ok,
            "rss_idle_mb": idle_kb * 1024 / 1e6, "rss_peak_mb": peak_kb * 1024 / 1e6,
            "bytes_per_conn": (peak_kb - idle_kb) * 1024 / n, "server_cpu_s": round(proc_cpu_s(pid) - cpu0, 3),
            "client_cpu_s": round(r["cpu_s"], 3)}


def scaling(c, cfg, ctl, runs):
    """Bursts of N = 10 .. 10,000 against fresh servers, alternating: h2load at every N, and at 10,000
    asyncdemoctl bench too (the wall of a burst is mostly the client's: see bench/README.md)."""
    servers = {"asyncdemod": c.asyncdemod, "seed": c.seed, "nginx+echo": c.nginx_echo}
    runs.update({k: [] for k in servers})
    for n in cfg["scaling_n"]:
        for client in report.CLIENTS if n == C10K else report.CLIENTS[:1]:
            for rep in range(cfg["runs"]):
                for name in alternate(servers, rep):
                    log(f"scaling N={n} {client} {rep + 1}/{cfg['runs']}: {name}")
                    with servers[name]() as s:
                        runs[name].append(burst(s, n, client, ctl))
                    time.sleep(1)  # let closed connections settle


def quantiles(values, points=200):
    v = sorted(values)
    return [v[min(len(v) - 1, int(i * len(v) / points))] for i in range(points)] + [v[-1]]


def c10k_waits(c, cfg, runs):
    """10,000 concurrent /non-blocking?delay=2 from a client that reads every answer (the daemon
    benchmark's collect_answers): the distribution of the servers' own waited_seconds."""
    servers = {"asyncdemod": c.asyncdemod, "seed": c.seed}
    runs.update({k: [] for k in servers})
    for rep in range(cfg["runs"]):
        for name in alternate(servers, rep):
            log(f"c10k waits {rep + 1}/{cfg['runs']}: {name}")
            with servers[name]() as s:
                t0 = time.monotonic()
                statuses, bodies = collect_answers("127.0.0.1", s.port, "/non-blocking?delay=2", C10K, timeout=120)
                wall = time.monotonic() - t0
            waits = [b["waited_seconds"] for b in bodies]
            q = statistics.quantiles(waits, n=100, method="inclusive") if len(waits) > 1 else waits * 99
            runs[name].append({"answers": len(statuses), "status_200": statuses.count(200), "wall_s": round(wall, 3),
                               "wait_min_s": min(waits), "wait_p50_s": q[49], "wait_p90_s": q[89],
                               "wait_p99_s": q[98], "wait_max_s": max(waits),
                               "over_2_050": sum(w > 2.050 for w in waits), "wait_quantiles": quantiles(waits)})
            time.sleep(1)


def throughput(c, cfg, found):
    """wrk -t2 -c64 on asyncdemod's zero-delay endpoint and /stats, the seed's, and h2o's static file."""
    d = c.asyncdemod().start()
    servers = [d]
    try:
        status, body = http_get(d.port, "/non-blocking?delay=0")
        if status != 200:
            raise RuntimeError(f"asyncdemod /non-blocking?delay=0 answered {status}")
        servers.append(c.seed().start())
        servers.append(c.h2o(body).start())
        servers.append(c.nginx_echo().start())
        s, h, n = servers[1], servers[2], servers[3]
        cases = {"asyncdemod zero-delay": (d, "/non-blocking?delay=0"), "asyncdemod /stats": (d, "/stats"),
                 "seed zero-delay": (s, "/non-blocking?delay=0"), "h2o static file": (h, "/index.json"),
                 "nginx return 200": (n, "/zero")}
        runs = {k: [] for k in cases}
        found.update({"runs": runs, "body_bytes": len(body)})
        for rep in range(cfg["runs"]):
            for name in alternate(cases, rep):
                srv, path = cases[name]
                log(f"throughput {rep + 1}/{cfg['runs']}: {name}")
                cmd = ["wrk", "-t2", f"-c{LOAD_C}", f"-d{cfg['wrk_s']}s", srv.url(path)]
                pid = srv.measured_pid
                cpu0 = proc_cpu_s(pid)
                r = run_tool(cmd, timeout=cfg["wrk_s"] + 60)
                w = parse_wrk(r["stdout"])
                cpu = proc_cpu_s(pid) - cpu0
                answered, _, _ = parse_requests("wrk", r["stdout"])
                # CPU per answer: steadier than req/s on a shared machine, where the client's pace varies
                runs[name].append({"command": shown(cmd, srv), "rps": w["rps"],
                                   "non_2xx": w["non_2xx"], "socket_errors": w["socket_errors"],
                                   "server_cpu_s": round(cpu, 3), "requests": answered,
                                   "server_cpu_us_per_answer": round(cpu / answered * 1e6, 2) if answered else None})
    finally:
        for srv in servers:
            srv.stop()


def parse_requests(tool, out):
    """Requests answered and req/s from a load tool's text output."""
    if tool == "wrk":
        m = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
        dur = float(m.group(2)) / (1000 if m.group(3) == "ms" else 1)
        return int(m.group(1)), parse_wrk(out)["rps"], dur
    if tool == "h2load":
        m = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded", out)
        f = re.search(r"finished in ([\d.]+)s, ([\d.]+) req/s", out)
        return int(m.group(2)), float(f.group(2)), float(f.group(1))
    if tool == "hey":
        n = sum(int(x) for x in re.findall(r"\[2\d\d\]\s+(\d+) responses", out))
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        total = float(re.search(r"Total:\s+([\d.]+) secs", out).group(1))
        return n, rps, total
    doc = json.loads(out)["runs"][0]
    if doc["ok"] != doc["completed"]:
        raise RuntimeError(f"asyncdemoctl bench: {doc['completed']} completed, {doc['ok']} ok: {doc['first_error']}")
    return doc["ok"], doc["rps"], doc["elapsed_seconds"]


def loadgen(c, cfg, ctl, runs):
    """wrk, h2load, hey and asyncdemoctl bench (1 and 2 threads), 64 connections each, on one daemon."""
    dur = cfg["wrk_s"]
    with c.asyncdemod() as d:
        url = d.url("/non-blocking?delay=0")
        ctl_args = [ctl, "bench", "--url", url, "-c", str(LOAD_C), "-d", f"{dur}s", "--json", "--no-progress",
                    "--no-timeline"]
        cases = {
            "wrk": ("wrk", ["wrk", "-t2", f"-c{LOAD_C}", f"-d{dur}s", url]),
            "h2load": ("h2load", ["h2load", "--h1", "-t2", f"-c{LOAD_C}", f"-D{dur}", url]),
            "hey": ("hey", ["hey", "-z", f"{dur}s", "-c", str(LOAD_C), url]),
            "asyncdemoctl bench": ("ctl", ctl_args),
            "asyncdemoctl bench --threads 2": ("ctl", ctl_args + ["--threads", "2"]),
        }
        runs.update({k: [] for k in cases})
        for rep in range(cfg["runs"]):
            for name in alternate(cases, rep):
                tool, cmd = cases[name]
                log(f"loadgen {rep + 1}/{cfg['runs']}: {name}")
                cpu0 = proc_cpu_s(d.pid)
                r = run_tool(cmd, timeout=dur + 60)
                n, rps, elapsed = parse_requests(tool, r["stdout"])
                runs[name].append({"command": shown(cmd, d), "requests": n, "rps": rps,
                                   "elapsed_s": elapsed, "cpu_s": round(r["cpu_s"], 3),
                                   "cpu_s_per_100k": r["cpu_s"] / n * 100_000 if n else None,
                                   "tool_maxrss_mb": round(r["maxrss_mb"], 1),
                                   "server_cpu_s": round(proc_cpu_s(d.pid) - cpu0, 3)})


def outbound_cases(ctl, url, n):
    """Contenders at n requests: every compare mode and the seed's scripts, bounded (sequential ones at
    n = 5 only: n x 1 s; the seed's process per request up to n = 100)."""
    cases = {}
    for mode in ("sequential", "async", "threads", "processes"):
        if mode == "sequential" and n > 5:
            continue
        cases[f"asyncdemoctl compare {mode}"] = ("ctl", [ctl, "compare", url, "-n", str(n), "--modes", mode,
                                                         "--json", "--no-progress", "--no-timeline"])
    seed = os.path.join(SEED, "async_vs_sync_requests.py")
    cases["seed async (aiohttp)"] = ("seed", [PY, seed, url, "-n", str(n), "--modes", "async", "--json"])
    if n <= 5:
        cases["seed sync (requests)"] = ("seed", [PY, seed, url, "-n", str(n), "--modes", "sync", "--json"])
    if n <= 100:
        cases["seed multiprocessing"] = ("seed", [PY, os.path.join(SEED, "multiprocessing_requests.py"), url,
                                                  "-n", str(n), "--json"])
    return cases


def outbound(c, cfg, ctl, found):
    """asyncdemoctl compare's modes vs the seed's Task 1 scripts against asyncdemod's /delay/1."""
    with c.asyncdemod() as d:
        url = d.url("/delay/1")
        for n in cfg["outbound_n"]:
            cases = outbound_cases(ctl, url, n)
            runs = found[str(n)] = {k: [] for k in cases}
            for rep in range(cfg["runs"]):
                for name in alternate(cases, rep):
                    kind, cmd = cases[name]
                    log(f"outbound n={n} {rep + 1}/{cfg['runs']}: {name}")
                    r = run_tool(cmd, timeout=n * 1.5 + 120, ok_codes=(0, 1))  # 1: some failed
                    doc = json.loads(r["stdout"])["runs"][0]
                    elapsed = doc["elapsed_seconds"] if kind == "ctl" else doc["total_seconds"]
                    command = shown(cmd, d) if kind == "ctl" else shown(cmd[1:], d)
                    runs[name].append({"command": command, "n": n, "ok": doc["ok"], "elapsed_s": elapsed,
                                       "wall_s": round(r["wall_s"], 3), "cpu_s": round(r["cpu_s"], 3),
                                       "maxrss_mb": round(r["maxrss_mb"], 1)})


# ---------------------------------------------------------------------------------------------------


def versions(args):
    def first_line(cmd):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"
    pkgs = "python3-fastapi python3-uvicorn python3-aiohttp python3-requests h2o hey wrk nghttp2-client".split()
    q = subprocess.run(["dpkg-query", "-W", *pkgs], capture_output=True, text=True)
    return {"asyncdemod": first_line([args.daemon, "--version"]), "asyncdemoctl": first_line([args.ctl, "--version"]),
            "packages": dict(line.split("\t", 1) for line in q.stdout.splitlines() if "\t" in line)}


def render(outdir):
    """Re-evaluates the targets and rewrites the report of an earlier run from its raw figures."""
    with open(os.path.join(outdir, "results.json")) as f:
        doc = json.load(f)
    doc["targets"] = report.evaluate(doc)
    print(f"report: {report.write(doc, outdir)}")
    print(report.summary_text(doc))
    return 0


COMPARISONS = ("lesson", "c10k", "scaling", "throughput", "loadgen", "outbound")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--daemon", help="path of asyncdemod")
    ap.add_argument("--ctl", help="path of asyncdemoctl")
    ap.add_argument("--out", help="results directory (a sidebyside-<time> directory is made in it)")
    ap.add_argument("--render", metavar="DIR", help="only rewrite DIR/report.md and its plots from DIR/results.json")
    ap.add_argument("--quick", action="store_true", help="1 repetition, fewer N, 3 s load runs")
    ap.add_argument("--runs", type=int, help="repetitions of each comparison (1-10; default 3, --quick 1)")
    ap.add_argument("--only", help=f"comma-separated subset of: {','.join(COMPARISONS)}")
    ap.add_argument("--command", default="", help="the command line to record in the report")
    args = ap.parse_args()
    if args.render:
        return render(args.render)
    if not (args.daemon and args.ctl and args.out):
        ap.error("--daemon, --ctl and --out are required")
    cfg = dict(MODES["quick" if args.quick else "full"])
    if args.runs is not None:
        if not 1 <= args.runs <= 10:
            ap.error("--runs must be 1 to 10")
        cfg["runs"] = args.runs
    only = [x for x in (args.only or ",".join(COMPARISONS)).split(",") if x]
    if any(x not in COMPARISONS for x in only):
        ap.error(f"--only takes {','.join(COMPARISONS)}")

    signal.signal(signal.SIGTERM, on_sigterm)
    now = datetime.datetime.now(datetime.timezone.utc)
    outdir = os.path.join(args.out, f"sidebyside-{now.strftime('%Y%m%dT%H%M%SZ')}")
    logdir = os.path.join(outdir, "logs")
    os.makedirs(logdir, exist_ok=True)
    doc = {"benchmark": "sidebyside", "schema": 1, "when": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
           "mode": "quick" if args.quick else "full", "config": cfg, "command": args.command,
           "machine": machine(), "versions": versions(args), "results": {}, "errors": {}}
    c = Contenders(args, logdir)
    # Each step fills its dict as it goes: what was measured before a failure or an interrupt is kept.
    steps = {"lesson": lambda f: lesson(c, cfg, f), "c10k": lambda f: c10k_waits(c, cfg, f),
             "scaling": lambda f: scaling(c, cfg, args.ctl, f), "throughput": lambda f: throughput(c, cfg, f),
             "loadgen": lambda f: loadgen(c, cfg, args.ctl, f), "outbound": lambda f: outbound(c, cfg, args.ctl, f)}
    t_start = time.monotonic()
    interrupted = False
    try:
        for name in only:
            log(f"== {name}")
            try:
                steps[name](doc["results"].setdefault(name, {}))
            except (RuntimeError, OSError, ValueError, KeyError, AttributeError, subprocess.SubprocessError) as exc:
                log(f"{name}: could not run: {exc}")
                doc["errors"][name] = str(exc)
    except (KeyboardInterrupt, Stop):
        log("interrupted: servers stopped; writing what was measured")
        doc["errors"]["interrupted"] = "stopped by a signal"
        interrupted = True
    finally:
        c.cleanup()
    doc["duration_s"] = round(time.monotonic() - t_start, 1)
    doc["targets"] = report.evaluate(doc)
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    path = report.write(doc, outdir)
    print(report.summary_text(doc))
    print(f"\nreport: {path}\nraw figures: {os.path.join(outdir, 'results.json')}")
    if interrupted:
        return 130
    if doc["errors"]:
        return 2
    return 0 if all(t["met"] for t in doc["targets"] if t["met"] is not None) else 1


if __name__ == "__main__":
    sys.exit(main())
