#!/usr/bin/env python3
"""asyncdemoctl against the performance targets of its issue (bench/README.md, "Load generator").

Measures, on this machine with client and server sharing its cores, each run on a fresh daemon
(`asyncdemod --listen 127.0.0.1:0`, defaults):
  * keep-alive throughput on /non-blocking?delay=0 with 64 connections for 5 s: `wrk -t2 -c64 -d5s`
    and `asyncdemoctl bench -c 64 -d 5s` back to back on the same daemon (ratio = ctl / wrk of the same
    run), for the default engine (libh2o's loop) and, as the "before" figures, the libcurl engine with
    one and two threads (ASYNCDEMOCTL_ENGINE=curl, --threads);
  * 10,000 concurrent /non-blocking?delay=2: `asyncdemoctl bench -c 10000 -n 10000`, wall time of the
    whole command (the target) and the run's own time, every answer 200, the ctl's peak RSS; the
    libcurl engine too;
  * `asyncdemoctl compare -n 1000 --modes async` against /delay/2: wall time of the whole command.
Prints a table and writes the figures as JSON into the results directory. Exit status: 0 every target
met, 1 a target missed, 2 the benchmark could not run. Use run.sh (it raises the open-file limit).
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "integration"))
import harness  # noqa: E402  (the integration tests' daemon runner)

TARGETS = {
    "throughput_ratio_min": 0.80,  # asyncdemoctl bench req/s over wrk's, same connections
    "concurrent_wall_max_s": 2.7,  # 10,000 x /non-blocking?delay=2
    "compare_async_wall_max_s": 2.3,  # compare -n 1000 --modes async, /delay/2
}
CONCURRENT = 10_000


class Completed:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run(cmd, timeout, env=None):
    """Runs cmd; returns (result, wall seconds, the child's own peak RSS in MB, from wait4)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, text=True,
                             env=harness.clean_env(env))
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid != 0:
                break
            if time.monotonic() > deadline:
                p.kill()
                os.wait4(p.pid, 0)
                raise RuntimeError(f"{' '.join(cmd)}: no result within {timeout} s")
            time.sleep(0.005)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting again
        out.seek(0)
        err.seek(0)
        res = Completed(p.returncode, out.read(), err.read())
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {res.returncode}\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}")
    return res, wall, usage.ru_maxrss * 1024 / 1e6


def wrk_rps(url):
    out, _, _ = run(["wrk", "-t2", "-c64", "-d5s", url], timeout=60)
    m = re.search(r"^Requests/sec:\s+([\d.]+)", out.stdout, re.M)
    if not m or "Non-2xx" in out.stdout:
        raise RuntimeError(f"wrk: unexpected output:\n{out.stdout}")
    return float(m.group(1))


def ctl_bench(ctl, base, endpoint, args, engine=None, timeout=120):
    env = {"ASYNCDEMOCTL_ENGINE": engine} if engine else None
    out, wall, rss = run([ctl, "bench", "--url", base, "--endpoint", endpoint, "--json", "--no-progress", *args],
                         timeout=timeout, env=env)
    r = json.loads(out.stdout)["runs"][0]
    if r["ok"] != r["completed"] or r["completed"] == 0:
        raise RuntimeError(f"asyncdemoctl bench {endpoint}: {r['completed']} completed, {r['ok']} ok, "
                           f"first error {r['first_error']}")
    return r, wall, rss


def with_daemon(daemon_path, fn):
    d = harness.Daemon(path=daemon_path)
    d.start()
    try:
        return fn(d)
    finally:
        d.stop()


def measure_throughput(daemon_path, ctl):
    def one(d):
        url = d.url("/non-blocking?delay=0")
        wrk = wrk_rps(url)
        fig = {"wrk_rps": wrk}
        for key, engine, threads in (("h2o", None, 1), ("curl_1_thread", "curl", 1), ("curl_2_threads", "curl", 2)):
            r, _, _ = ctl_bench(ctl, d.base_url, "/non-blocking?delay=0", ["-c", "64", "-d", "5s", "--threads",
                                                                          str(threads)], engine=engine)
            fig[key + "_rps"] = r["rps"]
            fig[key + "_ratio"] = r["rps"] / wrk
        return fig
    return with_daemon(daemon_path, one)


def measure_concurrent(daemon_path, ctl, engine):
    def one(d):
        r, wall, rss = ctl_bench(ctl, d.base_url, "/non-blocking?delay=2", ["-c", str(CONCURRENT), "-n",
                                                                            str(CONCURRENT)], engine=engine)
        return {"ok": r["ok"], "wall_s": wall, "elapsed_s": r["elapsed_seconds"], "ctl_peak_rss_mb": rss,
                "latency_max_s": r["latency"]["max"]}
    return with_daemon(daemon_path, one)


def measure_compare(daemon_path, ctl):
    def one(d):
        out, wall, _ = run([ctl, "compare", d.url("/delay/2"), "-n", "1000", "--modes", "async", "--json",
                            "--no-progress"], timeout=60)
        r = json.loads(out.stdout)["runs"][0]
        if r["ok"] != 1000:
            raise RuntimeError(f"compare: {r['ok']} of 1000 ok, first error {r['first_error']}")
        return {"ok": r["ok"], "wall_s": wall, "elapsed_s": r["elapsed_seconds"]}
    return with_daemon(daemon_path, one)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--daemon", required=True)
    ap.add_argument("--ctl", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    if not 1 <= a.runs <= 10:
        print("bench_ctl: --runs must be 1 to 10", file=sys.stderr)
        return 2
    runs = {"throughput": [], "concurrent_h2o": [], "concurrent_curl": [], "compare_async": []}
    try:
        for i in range(a.runs):
            print(f"run {i + 1}/{a.runs}: throughput (wrk, then asyncdemoctl: h2o, curl, curl x2)...", flush=True)
            runs["throughput"].append(measure_throughput(a.daemon, a.ctl))
            print(f"run {i + 1}/{a.runs}: 10,000 concurrent (h2o, then curl)...", flush=True)
            runs["concurrent_h2o"].append(measure_concurrent(a.daemon, a.ctl, None))
            time.sleep(1)
            runs["concurrent_curl"].append(measure_concurrent(a.daemon, a.ctl, "curl"))
            time.sleep(1)
            print(f"run {i + 1}/{a.runs}: compare -n 1000 --modes async...", flush=True)
            runs["compare_async"].append(measure_compare(a.daemon, a.ctl))
    except (RuntimeError, subprocess.TimeoutExpired, AssertionError) as exc:
        print(f"bench_ctl: could not run: {exc}", file=sys.stderr)
        return 2

    med = statistics.median
    tp = runs["throughput"]
    summary = {
        "wrk_rps": med(r["wrk_rps"] for r in tp),
        "ctl_rps": med(r["h2o_rps"] for r in tp),
        "ratio": med(r["h2o_ratio"] for r in tp),
        "curl_1_thread_ratio": med(r["curl_1_thread_ratio"] for r in tp),
        "curl_2_threads_ratio": med(r["curl_2_threads_ratio"] for r in tp),
        "concurrent_wall_s": med(r["wall_s"] for r in runs["concurrent_h2o"]),
        "concurrent_curl_wall_s": med(r["wall_s"] for r in runs["concurrent_curl"]),
        "compare_async_wall_s": med(r["wall_s"] for r in runs["compare_async"]),
    }
    met = {
        "throughput_ratio": summary["ratio"] >= TARGETS["throughput_ratio_min"],
        "concurrent_wall": summary["concurrent_wall_s"] <= TARGETS["concurrent_wall_max_s"],
        "compare_async_wall": summary["compare_async_wall_s"] <= TARGETS["compare_async_wall_max_s"],
    }

    def cell(values, fmt):
        return " / ".join(fmt.format(v) for v in values)

    def mb(v):
        return f"{v:.0f} MB"

    print()
    print("figure | target | measured (each run) | median | ")
    print(f"wrk -t2 -c64 -d5s, req/s | - | {cell([r['wrk_rps'] for r in tp], '{:,.0f}')} | {summary['wrk_rps']:,.0f} |")
    print(f"bench -c64 -d5s (h2o engine), req/s | - | {cell([r['h2o_rps'] for r in tp], '{:,.0f}')} | "
          f"{summary['ctl_rps']:,.0f} |")
    print(f"  ratio to wrk | >= 0.80 | {cell([r['h2o_ratio'] for r in tp], '{:.2f}')} | {summary['ratio']:.2f} | "
          f"{'met' if met['throughput_ratio'] else 'MISSED'}")
    print(f"  libcurl engine, 1 thread: ratio | - | {cell([r['curl_1_thread_ratio'] for r in tp], '{:.2f}')} | "
          f"{summary['curl_1_thread_ratio']:.2f} |")
    print(f"  libcurl engine, 2 threads: ratio | - | {cell([r['curl_2_threads_ratio'] for r in tp], '{:.2f}')} | "
          f"{summary['curl_2_threads_ratio']:.2f} |")
    c = runs["concurrent_h2o"]
    print(f"10,000 x /non-blocking?delay=2, wall | <= 2.7 s | {cell([r['wall_s'] for r in c], '{:.2f} s')} | "
          f"{summary['concurrent_wall_s']:.2f} s | {'met' if met['concurrent_wall'] else 'MISSED'}")
    print(f"  run time (first send to last answer) | - | {cell([r['elapsed_s'] for r in c], '{:.2f} s')} | |")
    print(f"  ctl peak RSS | - | {' / '.join(mb(r['ctl_peak_rss_mb']) for r in c)} | |")
    cc = runs["concurrent_curl"]
    print(f"  libcurl engine, wall | - | {cell([r['wall_s'] for r in cc], '{:.2f} s')} | "
          f"{summary['concurrent_curl_wall_s']:.2f} s |")
    print(f"  libcurl engine, run time | - | {cell([r['elapsed_s'] for r in cc], '{:.2f} s')} | |")
    print(f"  libcurl engine, ctl peak RSS | - | {' / '.join(mb(r['ctl_peak_rss_mb']) for r in cc)} | |")
    ca = runs["compare_async"]
    print(f"compare -n 1000 --modes async, wall | <= 2.3 s | {cell([r['wall_s'] for r in ca], '{:.2f} s')} | "
          f"{summary['compare_async_wall_s']:.2f} s | {'met' if met['compare_async_wall'] else 'MISSED'}")

    os.makedirs(a.out, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = os.path.join(a.out, f"ctl-{stamp}.json")
    with open(path, "w") as f:
        json.dump({"machine": {"platform": platform.platform(), "cpus": os.cpu_count()}, "targets": TARGETS,
                   "runs": runs, "summary": summary, "met": met}, f, indent=2)
        f.write("\n")
    print(f"\nraw figures: {path}")
    return 0 if all(met.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
