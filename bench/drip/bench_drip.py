#!/usr/bin/env python3
"""10,000 concurrent /drip?duration=2&numbytes=20 (issue 13's target): every answer complete, wall time and
the daemon's CPU time for the run.

Each run starts a fresh daemon (harness.Daemon: --listen 127.0.0.1:0), reads its CPU time (utime + stime
of /proc/PID/stat), runs `h2load --h1 -n10000 -c10000` against /drip, reads the CPU time again and
/stats' /drip slot. Targets: 10,000 answers 200 with all 20 bytes, h2load's `finished in` <= 2.1 s, the
daemon's CPU for the run < 1 s. Writes bench/results/drip-<UTC time>.json.

    bench/drip/run.sh [--runs 3] [path/to/asyncdemod]
"""

import argparse
import datetime
import json
import os
import re
import statistics
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "daemon"))
import bench_daemon  # noqa: E402  (h2load's command and parser, the runner)
import harness  # noqa: E402  (the integration tests' daemon runner)

PATH = "/drip?duration=2&numbytes=20"
NUMBYTES = 20
TARGETS = {"ok": bench_daemon.CONCURRENT, "wall_max_s": 2.1, "cpu_max_s": 1.0}


def one_run(daemon_path):
    with harness.Daemon(path=daemon_path) as d:
        cmd = bench_daemon.h2load_command(d.url(PATH))
        cpu0 = harness.proc_stat_cpu(d.pid)
        out = bench_daemon.run(cmd, timeout=120)
        cpu = harness.proc_stat_cpu(d.pid) - cpu0
        result = bench_daemon.parse_h2load(out)
        m = re.search(r"\((\d+)\) data", out)  # h2load: "traffic: ... 195.31KB (200000) data"
        ep = d.stats()["endpoints"]["/drip"]
        result.update({
            "command": " ".join(cmd),
            "body_bytes": int(m.group(1)) if m else None,
            "daemon_cpu_s": round(cpu, 3),
            "server_completed": ep["completed"],
            "server_cancelled": ep["cancelled"],
            "peak_in_flight": ep["peak_in_flight"],
            "latency_min_s": ep["latency_seconds"]["min"],
            "latency_max_s": ep["latency_seconds"]["max"],
        })
        return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--daemon", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=3, choices=range(1, 11))
    a = ap.parse_args()
    try:
        runs = [one_run(a.daemon) for _ in range(a.runs)]
    except Exception as exc:  # the benchmark could not run
        print(f"bench_drip: {exc}", file=sys.stderr)
        return 2
    walls = [r["finished_s"] for r in runs]
    cpus = [r["daemon_cpu_s"] for r in runs]
    ok = [r["status_2xx"] for r in runs]
    full = [r["body_bytes"] == NUMBYTES * bench_daemon.CONCURRENT for r in runs]
    verdicts = {
        "ok": min(ok) >= TARGETS["ok"] and all(full),
        "wall": statistics.median(walls) <= TARGETS["wall_max_s"],
        "cpu": statistics.median(cpus) < TARGETS["cpu_max_s"],
    }
    print(f"{bench_daemon.CONCURRENT} x {PATH}, {a.runs} run(s)")
    print(f"  answered 200 with all bytes: {ok} (bodies complete: {full})  {'met' if verdicts['ok'] else 'MISSED'}")
    print(f"  wall (h2load finished in):   {walls} s, median {statistics.median(walls):.2f} s "
          f"(target <= {TARGETS['wall_max_s']})  {'met' if verdicts['wall'] else 'MISSED'}")
    print(f"  daemon CPU for the run:      {cpus} s, median {statistics.median(cpus):.2f} s "
          f"(target < {TARGETS['cpu_max_s']})  {'met' if verdicts['cpu'] else 'MISSED'}")
    print(f"  server-side latency:         {min(r['latency_min_s'] for r in runs):.4f}.."
          f"{max(r['latency_max_s'] for r in runs):.4f} s; peak in flight {[r['peak_in_flight'] for r in runs]}")
    os.makedirs(a.out, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    with open(os.path.join(a.out, f"drip-{stamp}.json"), "w") as f:
        json.dump({"targets": TARGETS, "runs": runs, "verdicts": verdicts}, f, indent=1)
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
