#!/usr/bin/env python3
"""10,000 concurrent /drip?duration=2&numbytes=20 (issue 13's target): every answer complete, wall time and
the daemon's CPU time for the run, in two forms.

- h1: 10,000 HTTP/1.1 connections, one drip each (`h2load --h1 -n10000 -c10000`): 200,000 one-byte writes,
  one per byte, on 10,000 sockets; the kernel's cost of those writes alone is above the CPU target on a
  2-vCPU virtual machine (bench/drip/loopback_floor.c).
- h2: 100 HTTP/2 connections of 100 streams each (`h2load -n10000 -c100 -m100`; h2o takes 100 streams per
  connection at once): the same 10,000 drips, the pieces of one connection's streams due within the same
  millisecond written together.

Each run starts a fresh daemon (harness.Daemon: --listen 127.0.0.1:0) per form, reads its CPU time (utime +
stime of /proc/PID/stat), runs h2load against /drip, reads the CPU time again and /stats' /drip slot.
Targets per form: 10,000 answers 200 with all 20 bytes, h2load's `finished in` <= 2.1 s, the daemon's CPU
for the run < 1 s. Writes bench/results/drip-<UTC time>.json.

    bench/drip/run.sh [--runs 3] [--forms h1,h2] [path/to/asyncdemod]
"""

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "daemon"))
import bench_daemon  # noqa: E402  (h2load's command and parser, the runner)
import harness  # noqa: E402  (the integration tests' daemon runner)
import third_party  # noqa: E402  (nginx's configuration and command)
sys.path.insert(0, os.path.join(HERE, "..", "sidebyside"))
import sidebyside  # noqa: E402  (how a contender is started, measured and stopped; the echo module's path)

PATH = "/drip?duration=2&numbytes=20"
NUMBYTES = 20
DURATION_S = 2
TARGETS = {"ok": bench_daemon.CONCURRENT, "wall_max_s": 2.1, "cpu_max_s": 1.0}
H2_CONNECTIONS = 100  # x 100 streams: h2o's limit of streams open at once on one connection
FORMS = {
    "h1": lambda url: bench_daemon.h2load_command(url),
    "h2": lambda url: ["h2load", f"-n{bench_daemon.CONCURRENT}", f"-c{H2_CONNECTIONS}",
                       f"-m{bench_daemon.CONCURRENT // H2_CONNECTIONS}", url],
}


def measure(cmd, pid):
    """Runs h2load's cmd; its figures, with the CPU time process pid spent meanwhile."""
    cpu0 = harness.proc_stat_cpu(pid)
    out = bench_daemon.run(cmd, timeout=120)
    cpu = harness.proc_stat_cpu(pid) - cpu0
    result = bench_daemon.parse_h2load(out)
    m = re.search(r"\((\d+)\) data", out)  # h2load: "traffic: ... 195.31KB (200000) data"
    result.update({"command": " ".join(cmd), "body_bytes": int(m.group(1)) if m else None,
                   "daemon_cpu_s": round(cpu, 3)})
    return result


def nginx_run(form):
    """nginx with the echo module, one worker like asyncdemod's one loop, the same drip from its timers:
    NUMBYTES times echo_sleep, one '*', echo_flush (chunked over HTTP/1), started and stopped as
    bench/sidebyside starts its contenders. HTTP/2 on a second port, with prior knowledge as h2load speaks it."""
    prefix = tempfile.mkdtemp(prefix="bench-drip-nginx-")
    os.chmod(prefix, 0o755)
    h2 = harness.free_port()
    pause = DURATION_S / NUMBYTES
    drip = " ".join(f"echo_sleep {pause:g}; echo -n '*'; echo_flush;" for _ in range(NUMBYTES))
    server = (f"        listen 127.0.0.1:{h2} http2;\n"
              f"        location = /drip {{ default_type application/octet-stream; {drip} }}\n"
              "        location = /healthz { return 200 'ok\\n'; }")

    def argv(port):
        return third_party.nginx_command(prefix, port, server, connections=bench_daemon.CONCURRENT * 2,
                                         modules=(sidebyside.NGINX_ECHO,))
    try:
        with sidebyside.Server("nginx+echo", argv, "/healthz", prefix, worker=True) as srv:
            port = srv.port if form == "h1" else h2
            return measure(FORMS[form](f"http://127.0.0.1:{port}{PATH}"), srv.measured_pid)
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def one_run(daemon_path, form):
    with harness.Daemon(path=daemon_path) as d:
        result = measure(FORMS[form](d.url(PATH)), d.pid)
        ep = d.stats()["endpoints"]["/drip"]
        result.update({
            "server_completed": ep["completed"],
            "server_cancelled": ep["cancelled"],
            "peak_in_flight": ep["peak_in_flight"],
            "latency_min_s": ep["latency_seconds"]["min"],
            "latency_max_s": ep["latency_seconds"]["max"],
        })
        return result


def forms_arg(text):
    forms = text.split(",")
    if not forms or any(f not in FORMS for f in forms) or len(set(forms)) != len(forms):
        raise argparse.ArgumentTypeError(f"a comma-separated list of {', '.join(FORMS)}, each once")
    return forms


def verdicts_of(runs):
    walls = [r["finished_s"] for r in runs]
    cpus = [r["daemon_cpu_s"] for r in runs]
    return {
        "ok": min(r["status_2xx"] for r in runs) >= TARGETS["ok"]
        and all(r["body_bytes"] == NUMBYTES * bench_daemon.CONCURRENT for r in runs),
        "wall": statistics.median(walls) <= TARGETS["wall_max_s"],
        "cpu": statistics.median(cpus) < TARGETS["cpu_max_s"],
    }


def report(form, runs, v):
    walls = [r["finished_s"] for r in runs]
    cpus = [r["daemon_cpu_s"] for r in runs]
    ok = [r["status_2xx"] for r in runs]
    full = [r["body_bytes"] == NUMBYTES * bench_daemon.CONCURRENT for r in runs]
    print(f"{form}: {runs[0]['command']}")
    print(f"  answered 200 with all bytes: {ok} (bodies complete: {full})  {'met' if v['ok'] else 'MISSED'}")
    print(f"  wall (h2load finished in):   {walls} s, median {statistics.median(walls):.2f} s "
          f"(target <= {TARGETS['wall_max_s']})  {'met' if v['wall'] else 'MISSED'}")
    print(f"  daemon CPU for the run:      {cpus} s, median {statistics.median(cpus):.2f} s "
          f"(target < {TARGETS['cpu_max_s']})  {'met' if v['cpu'] else 'MISSED'}")
    print(f"  server-side latency:         {min(r['latency_min_s'] for r in runs):.4f}.."
          f"{max(r['latency_max_s'] for r in runs):.4f} s; peak in flight {[r['peak_in_flight'] for r in runs]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--daemon", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=3, choices=range(1, 11))
    ap.add_argument("--forms", type=forms_arg, default=list(FORMS), help="h1, h2 or h1,h2 (default)")
    ap.add_argument("--vs-nginx", action="store_true", help="also nginx+echo, the same drips from its timers")
    a = ap.parse_args()
    runs = {form: [] for form in a.forms}
    nginx = {form: [] for form in a.forms} if a.vs_nginx else {}
    try:
        for _ in range(a.runs):  # the forms alternate, so a busy spell of the machine falls on both
            for form in a.forms:
                runs[form].append(one_run(a.daemon, form))
                if a.vs_nginx:
                    nginx[form].append(nginx_run(form))
    except Exception as exc:  # the benchmark could not run
        print(f"bench_drip: {exc}", file=sys.stderr)
        return 2
    print(f"{bench_daemon.CONCURRENT} x {PATH}, {a.runs} run(s) per form")
    verdicts = {}
    for form in a.forms:
        verdicts[form] = verdicts_of(runs[form])
        report(form, runs[form], verdicts[form])
        if nginx:
            got = nginx[form]
            print(f"  nginx+echo (not judged):     answered 200 {[r['status_2xx'] for r in got]}, wall "
                  f"{[r['finished_s'] for r in got]} s, worker CPU {[r['daemon_cpu_s'] for r in got]} s")
    os.makedirs(a.out, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    with open(os.path.join(a.out, f"drip-{stamp}.json"), "w") as f:
        json.dump({"targets": TARGETS, "runs": runs, "verdicts": verdicts, "nginx_echo": nginx}, f, indent=1)
    return 0 if all(all(v.values()) for v in verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
