#!/usr/bin/env python3
"""The seed's Task 1 (multiprocessing), rebuilt from its README (../shared/seed/README.uk.md): one
multiprocessing.Process per request, each doing requests.get(URL) and reporting its PID and time back
through a queue; prints the main PID, each process's line and the total.

Usage: multiprocessing_requests.py [URL] [-n 5] [--json]
  URL     default https://httpbin.org/delay/2; asyncdemod's http://127.0.0.1:PORT/delay/1 works too
  --json  one JSON document on stdout instead of the seed's text
Exit status: 0 every request answered 200, 1 otherwise.
"""

import argparse
import json
import multiprocessing
import os
import queue
import sys
import time

import requests


def worker(url, i, results):
    t0 = time.monotonic()
    try:
        status, error = requests.get(url, timeout=300).status_code, None
    except requests.RequestException as exc:
        status, error = 0, str(exc)
    results.put({"index": i, "pid": os.getpid(), "status": status, "error": error,
                 "took_seconds": round(time.monotonic() - t0, 6)})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("url", nargs="?", default="https://httpbin.org/delay/2")
    ap.add_argument("-n", type=int, default=5, help="requests, one process each (default 5)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.n < 1:
        ap.error("-n must be at least 1")
    quiet = args.json
    if not quiet:
        print("=" * 36 + f"\nMULTIPROCESSING РЕАЛІЗАЦІЯ ({args.n} запитів)\n" + "=" * 36)
        print(f"Головний процес PID: {os.getpid()}", flush=True)
    results = multiprocessing.Queue()
    t0 = time.monotonic()
    procs = [multiprocessing.Process(target=worker, args=(args.url, i + 1, results)) for i in range(args.n)]
    got = []
    try:
        for p in procs:
            p.start()
        # Read before joining: a child cannot exit while its queued record is unread.
        while len(got) < args.n:
            try:
                rec = results.get(timeout=1.0)
            except queue.Empty:
                if not any(p.is_alive() for p in procs):
                    break  # a child died without reporting; the rest is counted as failed below
                continue
            got.append(rec)
            if not quiet:
                err = rec["error"] or ("" if rec["status"] == 200 else f"HTTP {rec['status']}")
                print(f"  Process #{rec['index']} (PID: {rec['pid']}) завершено за {rec['took_seconds']:.2f}s"
                      + (f" з помилкою: {err}" if err else ""))
        for p in procs:
            p.join()
    except KeyboardInterrupt:
        for p in procs:
            if p.is_alive():
                p.terminate()
        return 130
    total = time.monotonic() - t0
    ok = sum(r["status"] == 200 for r in got)
    if quiet:
        json.dump({"tool": "seed-multiprocessing", "url": args.url,
                   "runs": [{"mode": "multiprocessing", "requests": args.n, "total_seconds": round(total, 6),
                             "ok": ok, "results": sorted(got, key=lambda r: r["index"])}]}, sys.stdout, indent=1)
        print()
    else:
        print(f"⏱️  Загальний час: {total:.2f} секунд")
    return 0 if ok == args.n else 1


if __name__ == "__main__":
    sys.exit(main())
