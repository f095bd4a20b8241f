#!/usr/bin/env python3
"""asyncdemod against the performance targets of its issue (bench/README.md, "Daemon").

Measures, on this machine with client and server sharing its cores:
  * 10,000 concurrent /non-blocking?delay=2 over HTTP/1.1 (h2load --h1 -n10000 -c10000), each run on
    a fresh daemon: every answer 200, h2load's wall time, the daemon's peak RSS (VmHWM), /stats
    latency min/max;
  * the same 10,000 again from a small selectors client of this script that reads every answer:
    the range of the answers' own waited_seconds (the server-side wait itself);
  * wrk -t2 -c64 -d5s on /non-blocking?delay=0 and on /stats: requests per second.
Prints a table and writes the figures as JSON into the results directory. Exit status: 0 every target
met, 1 a target missed, 2 the benchmark could not run. Use run.sh (it raises the open-file limit).
"""

import argparse
import datetime
import json
import os
import platform
import re
import resource
import selectors
import socket
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "integration"))
import harness  # noqa: E402  (the integration tests' daemon runner)

CONCURRENT = 10_000
DELAY = 2.0
WRK_ARGS = ["-t2", "-c64", "-d5s"]
TARGETS = {
    "concurrent_ok": CONCURRENT,  # answers with status 200
    "wait_min_s": 2.000,
    "wait_max_s": 2.050,
    "wall_max_s": 2.6,
    "rss_max_mb": 80.0,  # MB = 10^6 bytes
    "zero_delay_min_rps": 70_000,
    "stats_min_rps": 50_000,
}


def h2load_command(url):
    return ["h2load", "--h1", f"-n{CONCURRENT}", f"-c{CONCURRENT}", url]


def wrk_command(url):
    return ["wrk", *WRK_ARGS, url]


def run(cmd, timeout):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {out.returncode}\n{out.stdout}\n{out.stderr}")
    return out.stdout


def parse_h2load(text):
    def grab(pattern, cast=float):
        m = re.search(pattern, text, re.M)
        if not m:
            raise RuntimeError(f"h2load output lacks /{pattern}/:\n{text}")
        return cast(m.group(1))

    return {
        "finished_s": grab(r"^finished in ([\d.]+)s"),
        "succeeded": grab(r"(\d+) succeeded", int),
        "failed": grab(r"(\d+) failed", int),
        "errored": grab(r"(\d+) errored", int),
        "status_2xx": grab(r"status codes: (\d+) 2xx", int),
    }


def parse_wrk(text):
    m = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    if not m:
        raise RuntimeError(f"wrk output lacks Requests/sec:\n{text}")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: (.*)", text)
    return {"rps": float(m.group(1)), "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(1).strip() if errors else ""}


def vmhwm_mb(pid):
    kib = int(harness.proc_status(pid, "VmHWM").split()[0])
    return kib * 1024 / 1e6


def concurrent_run(daemon_path):
    """One h2load run on a fresh daemon (so VmHWM is this run's peak and /stats this run's figures)."""
    with harness.Daemon(path=daemon_path) as d:
        rss_idle = vmhwm_mb(d.pid)
        cmd = h2load_command(d.url(f"/non-blocking?delay={DELAY:g}"))
        t0 = time.monotonic()
        out = run(cmd, timeout=120)
        outer_wall = time.monotonic() - t0
        result = parse_h2load(out)
        ep = d.stats()["endpoints"]["/non-blocking"]
        result.update({
            "command": " ".join(cmd),
            "outer_wall_s": round(outer_wall, 3),
            "server_completed": ep["completed"],
            "server_cancelled": ep["cancelled"],
            "server_4xx_5xx": ep["status_4xx"] + ep["status_5xx"],
            "wait_min_s": ep["latency_seconds"]["min"],
            "wait_max_s": ep["latency_seconds"]["max"],
            "wait_p99_s": ep["latency_seconds"]["p99"],
            "peak_in_flight": ep["peak_in_flight"],
            "rss_idle_mb": round(rss_idle, 1),
            "rss_peak_mb": round(vmhwm_mb(d.pid), 1),
        })
        return result


def collect_answers(host, port, path, n, timeout=60.0):
    """n concurrent GETs of path on n non-blocking sockets (Connection: close); returns the statuses and
    the parsed JSON bodies of the answers, in no particular order."""
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode()
    sel = selectors.DefaultSelector()
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((host, port))  # EINPROGRESS: writable once connected
        sel.register(s, selectors.EVENT_WRITE, bytearray())
    statuses, bodies, left = [], [], n
    deadline = time.monotonic() + timeout
    while left and time.monotonic() < deadline:
        for key, events in sel.select(timeout=1.0):
            s, buf = key.fileobj, key.data
            if events & selectors.EVENT_WRITE:
                s.send(request)  # 80 bytes into an empty socket buffer: sent whole
                sel.modify(s, selectors.EVENT_READ, buf)
                continue
            chunk = s.recv(65536)
            if chunk:
                buf += chunk
                continue
            sel.unregister(s)
            s.close()
            left -= 1
            head, _, body = bytes(buf).partition(b"\r\n\r\n")
            statuses.append(int(head.split(b" ", 2)[1]) if head else 0)
            if statuses[-1] == 200:
                bodies.append(json.loads(body))
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    if left:
        raise RuntimeError(f"{left} of {n} answers missing after {timeout:.0f} s")
    return statuses, bodies


def answers_run(daemon_path):
    """The 10,000 concurrent requests from collect_answers on a fresh daemon: every answer's own wait."""
    with harness.Daemon(path=daemon_path) as d:
        statuses, bodies = collect_answers(d.host, d.port, f"/non-blocking?delay={DELAY:g}", CONCURRENT)
        waits = [b["waited_seconds"] for b in bodies]
        starts = [b["started_monotonic_seconds"] for b in bodies]
        return {"answers": len(statuses), "status_200": statuses.count(200),
                "arrival_span_s": round(max(starts) - min(starts), 3), "waited_min_s": min(waits),
                "waited_max_s": max(waits), "waited_over_2_050": sum(w > TARGETS["wait_max_s"] for w in waits),
                "peak_in_flight": d.stats()["endpoints"]["/non-blocking"]["peak_in_flight"]}


def wrk_runs(daemon_path, runs):
    """wrk on /non-blocking?delay=0 and /stats, alternating, on one daemon."""
    found = {"zero_delay": [], "stats": []}
    with harness.Daemon(path=daemon_path) as d:
        urls = {"zero_delay": d.url("/non-blocking?delay=0"), "stats": d.url("/stats")}
        for _ in range(runs):
            for key, url in urls.items():
                cmd = wrk_command(url)
                r = parse_wrk(run(cmd, timeout=60))
                r["command"] = " ".join(cmd)
                found[key].append(r)
    return found


def machine():
    """The facts every benchmark records beside its figures (also used by bench/sidebyside and bench/soak)."""
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return {"cpus": os.cpu_count(), "cpu_model": cpu, "kernel": platform.release(),
            "load_avg_at_start": os.getloadavg(),
            "open_files_limit": -1 if soft == resource.RLIM_INFINITY else soft}


def evaluate(conc, answers, wrk):
    """Median over runs of each figure, with the target verdicts."""
    med = statistics.median
    rows = []

    def row(name, goal, value, ok, fmt):
        rows.append({"figure": name, "target": goal, "measured": fmt.format(value), "value": value, "ok": ok})

    ok_answers = min(min(r["status_2xx"], r["server_completed"] - r["server_4xx_5xx"]) for r in conc)
    row("10,000 x /non-blocking?delay=2: answered 200", f"{CONCURRENT}", ok_answers,
        ok_answers == CONCURRENT and all(r["failed"] == r["errored"] == 0 for r in conc), "{} (worst run)")
    peak = min(r["peak_in_flight"] for r in conc)
    row("requests in flight at once (server's peak)", f"{CONCURRENT}", peak, peak == CONCURRENT, "{} (worst run)")
    def wait_row(name, lo, hi, ok=True):
        rows.append({"figure": name, "target": "2.000..2.050 s", "measured": f"{lo:.4f}..{hi:.4f} s",
                     "value": [lo, hi], "ok": ok and TARGETS["wait_min_s"] <= lo and hi <= TARGETS["wait_max_s"]})

    # h2load's runs: /stats latency runs from arrival at the handler to the answer, so it bounds the wait.
    wait_row("server-side wait, h2load runs (/stats latency)", min(r["wait_min_s"] for r in conc),
             max(r["wait_max_s"] for r in conc))
    wait_row("server-side wait, every answer's waited_seconds", min(r["waited_min_s"] for r in answers),
             max(r["waited_max_s"] for r in answers), all(r["status_200"] == CONCURRENT for r in answers))
    wall = med(r["finished_s"] for r in conc)
    row("wall time (h2load 'finished in'), median", f"<= {TARGETS['wall_max_s']} s", wall,
        wall <= TARGETS["wall_max_s"], "{:.2f} s")
    rss = med(r["rss_peak_mb"] for r in conc)
    row("daemon peak RSS (VmHWM), median", f"<= {TARGETS['rss_max_mb']:.0f} MB", rss,
        rss <= TARGETS["rss_max_mb"], "{:.1f} MB")
    zero = med(r["rps"] for r in wrk["zero_delay"])
    row("/non-blocking?delay=0, wrk -t2 -c64 -d5s, median", f">= {TARGETS['zero_delay_min_rps']:,} req/s", zero,
        zero >= TARGETS["zero_delay_min_rps"] and all(r["non_2xx"] == 0 for r in wrk["zero_delay"]), "{:,.0f} req/s")
    stats = med(r["rps"] for r in wrk["stats"])
    row("/stats, wrk -t2 -c64 -d5s, median", f">= {TARGETS['stats_min_rps']:,} req/s", stats,
        stats >= TARGETS["stats_min_rps"] and all(r["non_2xx"] == 0 for r in wrk["stats"]), "{:,.0f} req/s")
    return rows


def print_table(rows, runs):
    w = [max(len(str(r[k])) for r in rows) for k in ("figure", "target", "measured")]
    w = [max(a, len(b)) for a, b in zip(w, ("figure", "target", "measured"))]
    print(f"\nasyncdemod benchmark ({runs} run(s) each; client and server on this machine)")
    print(f"{'figure':<{w[0]}}  {'target':<{w[1]}}  {'measured':<{w[2]}}  result")
    for r in rows:
        print(f"{r['figure']:<{w[0]}}  {r['target']:<{w[1]}}  {r['measured']:<{w[2]}}  {'ok' if r['ok'] else 'MISSED'}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--daemon", required=True, help="path of asyncdemod")
    ap.add_argument("--out", required=True, help="directory for the JSON results")
    ap.add_argument("--runs", type=int, default=3, help="runs of each measurement (1-10, default 3)")
    args = ap.parse_args()
    if not 1 <= args.runs <= 10:
        ap.error("--runs must be 1 to 10")

    try:
        conc = []
        for i in range(args.runs):
            print(f"h2load run {i + 1}/{args.runs}: {CONCURRENT} concurrent /non-blocking?delay={DELAY:g} ...",
                  file=sys.stderr, flush=True)
            conc.append(concurrent_run(args.daemon))
            time.sleep(1)  # let the closed connections settle before the next burst
        answers = []
        for i in range(args.runs):
            print(f"answers run {i + 1}/{args.runs}: {CONCURRENT} concurrent, every waited_seconds read ...",
                  file=sys.stderr, flush=True)
            answers.append(answers_run(args.daemon))
            time.sleep(1)
        print(f"wrk: {args.runs} x 2 runs of {' '.join(WRK_ARGS)} ...", file=sys.stderr, flush=True)
        wrk = wrk_runs(args.daemon, args.runs)
    except (RuntimeError, AssertionError, subprocess.TimeoutExpired, OSError) as exc:
        print(f"bench_daemon: {exc}", file=sys.stderr)
        return 2

    rows = evaluate(conc, answers, wrk)
    print_table(rows, args.runs)
    now = datetime.datetime.now(datetime.timezone.utc)
    doc = {"benchmark": "asyncdemod", "schema": 1, "when": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
           "daemon": os.path.abspath(args.daemon), "machine": machine(), "targets": TARGETS,
           "summary": rows, "concurrent_runs": conc, "answers_runs": answers,
           "wrk_runs": wrk, "all_targets_met": all(r["ok"] for r in rows)}
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"daemon-{now.strftime('%Y%m%dT%H%M%SZ')}.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print(f"\nfigures: {path}")
    return 0 if doc["all_targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
