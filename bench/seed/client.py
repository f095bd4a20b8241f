#!/usr/bin/env python3
"""The seed's Task 2 client, rebuilt from its README (../shared/seed/README.uk.md): N parallel requests
(asyncio + aiohttp) to /blocking, then N to /non-blocking; prints each endpoint's total time and how
many times slower /blocking was.

Usage: client.py [BASE_URL] [-n 5] [--endpoints /blocking,/non-blocking] [--delay S] [--json]
  BASE_URL   default http://localhost:8000 (the seed's server); asyncdemod's base URL works too,
             and --endpoints /blocking,/non-blocking,/offload adds its worker-pool endpoint
  --delay S  appended as ?delay=S to each endpoint (both servers read it; absent: their 2 s default)
  --json     one JSON document on stdout instead of the seed's text
Exit status: 0 every request answered 200, 1 otherwise.
"""

import argparse
import asyncio
import json
import sys
import time

import aiohttp

MARKS = {"/blocking": "🔴", "/non-blocking": "🟢"}


async def one(session, url, i, t_start, quiet):
    if not quiet:
        print(f"{MARKS.get(url.path, '🔵')} Відправка запиту #{i} до {url.path}", flush=True)
    t0 = time.monotonic()
    try:
        async with session.get(url) as resp:
            body = await resp.read()
            status = resp.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        return {"index": i, "status": 0, "error": str(exc) or type(exc).__name__,
                "sent_seconds": t0 - t_start, "took_seconds": time.monotonic() - t0}
    took = time.monotonic() - t0
    rec = {"index": i, "status": status, "error": None, "sent_seconds": round(t0 - t_start, 6),
           "took_seconds": round(took, 6)}
    try:
        rec["server_wait_seconds"] = json.loads(body)["waited_seconds"]
    except (ValueError, KeyError, TypeError):
        pass
    return rec


async def run_endpoint(session, base, endpoint, n, delay, quiet):
    url = base.rstrip("/") + endpoint
    if delay is not None:
        url += ("&" if "?" in endpoint else "?") + f"delay={delay}"
    url = aiohttp.client.URL(url)
    t0 = time.monotonic()
    results = await asyncio.gather(*(one(session, url, i + 1, t0, quiet) for i in range(n)))
    total = time.monotonic() - t0
    return {"endpoint": endpoint, "url": str(url), "requests": n, "total_seconds": round(total, 6),
            "ok": sum(r["status"] == 200 for r in results), "results": results}


async def main_async(args):
    endpoints = [e for e in args.endpoints.split(",") if e]
    runs = []
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for ep in endpoints:
            if not args.json:
                print(f"\n{MARKS.get(ep, '🔵')} ТЕСТУВАННЯ {ep.upper()} ({args.n} паралельних запитів)")
            run = await run_endpoint(session, args.base_url, ep, args.n, args.delay, args.json)
            runs.append(run)
            if not args.json:
                print(f"⏱️  Загальний час: {run['total_seconds']:.3f} секунд")
    return runs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("base_url", nargs="?", default="http://localhost:8000")
    ap.add_argument("-n", type=int, default=5, help="parallel requests per endpoint (default 5)")
    ap.add_argument("--endpoints", default="/blocking,/non-blocking")
    ap.add_argument("--delay", help="?delay= value for every endpoint")
    ap.add_argument("--timeout", type=float, default=300.0, help="per request, seconds (default 300)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.n < 1:
        ap.error("-n must be at least 1")
    if not args.json:
        print("=" * 36 + "\n🚀 КЛІЄНТСЬКЕ ТЕСТУВАННЯ\n" + "=" * 36)
    try:
        runs = asyncio.run(main_async(args))
    except KeyboardInterrupt:
        return 130
    totals = {r["endpoint"]: r["total_seconds"] for r in runs}
    if args.json:
        json.dump({"tool": "seed-client", "base_url": args.base_url, "runs": runs}, sys.stdout, indent=1)
        print()
    elif "/blocking" in totals and totals.get("/non-blocking") and all(r["ok"] == r["requests"] for r in runs):
        print(f"\n💡 Blocking повільніший у {totals['/blocking'] / totals['/non-blocking']:.2f} разів")
    failed = sum(r["requests"] - r["ok"] for r in runs)
    if failed:
        first = next(x for r in runs for x in r["results"] if x["status"] != 200)
        print(f"{failed} request(s) failed; first: {first['error'] or 'HTTP %d' % first['status']}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
