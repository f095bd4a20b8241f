#!/usr/bin/env python3
"""The seed's Task 1 (async vs sync), rebuilt from its README (../shared/seed/README.uk.md): N GET
requests to URL, first all at once with asyncio + aiohttp (one ClientSession, aiohttp's defaults), then
one after another with requests.get; prints each request's time, the totals and the ratio.

Usage: async_vs_sync_requests.py [URL] [-n 5] [--modes async,sync] [--json]
  URL      default https://httpbin.org/delay/2; asyncdemod's http://127.0.0.1:PORT/delay/1 works too
  --modes  which parts to run, in order (a sync run of n=1000 x 1 s takes 1000 s)
  --json   one JSON document on stdout instead of the seed's text
Exit status: 0 every request answered 200, 1 otherwise.
"""

import argparse
import asyncio
import json
import sys
import time

import aiohttp
import requests


def banner(title, n, quiet):
    if not quiet:
        print("\n" + "=" * 36 + f"\n{title} ({n} запитів)\n" + "=" * 36, flush=True)


async def fetch(session, url, i, quiet):
    t0 = time.monotonic()
    try:
        async with session.get(url) as resp:
            await resp.read()
            status = resp.status
            error = None
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        status, error = 0, str(exc) or type(exc).__name__
    took = time.monotonic() - t0
    if not quiet:
        print(f"  Async запит #{i} завершено за {took:.2f}s" + (f" з помилкою: {error}" if error else
                                                                 "" if status == 200 else f" (HTTP {status})"))
    return {"index": i, "status": status, "error": error, "took_seconds": round(took, 6)}


async def run_async(url, n, quiet):
    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(*(fetch(session, url, i + 1, quiet) for i in range(n)))


def run_sync(url, n, quiet):
    results = []
    for i in range(n):
        t0 = time.monotonic()
        try:
            resp = requests.get(url, timeout=300)
            status, error = resp.status_code, None
        except requests.RequestException as exc:
            status, error = 0, str(exc)
        took = time.monotonic() - t0
        if not quiet:
            print(f"  Sync запит #{i + 1} завершено за {took:.2f}s" + (f" з помилкою: {error}" if error else
                                                                       "" if status == 200 else f" (HTTP {status})"))
        results.append({"index": i + 1, "status": status, "error": error, "took_seconds": round(took, 6)})
    return results


def timed(mode, url, n, quiet):
    banner(f"{'АСИНХРОННА' if mode == 'async' else 'СИНХРОННА'} РЕАЛІЗАЦІЯ", n, quiet)
    t0 = time.monotonic()
    results = asyncio.run(run_async(url, n, quiet)) if mode == "async" else run_sync(url, n, quiet)
    total = time.monotonic() - t0
    if not quiet:
        print(f"⏱️  Загальний час: {total:.2f} секунд")
    return {"mode": mode, "requests": n, "total_seconds": round(total, 6),
            "ok": sum(r["status"] == 200 for r in results), "results": results}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("url", nargs="?", default="https://httpbin.org/delay/2")
    ap.add_argument("-n", type=int, default=5, help="requests (default 5)")
    ap.add_argument("--modes", default="async,sync", help="async, sync or both (default async,sync)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    if args.n < 1 or not modes or any(m not in ("async", "sync") for m in modes):
        ap.error("-n must be at least 1 and --modes a list of async, sync")
    try:
        runs = [timed(m, args.url, args.n, args.json) for m in modes]
    except KeyboardInterrupt:
        return 130
    totals = {r["mode"]: r["total_seconds"] for r in runs}
    if args.json:
        json.dump({"tool": "seed-async_vs_sync", "url": args.url, "runs": runs}, sys.stdout, indent=1)
        print()
    elif totals.get("async") and "sync" in totals and all(r["ok"] == r["requests"] for r in runs):
        print(f"\n💡 Синхронна версія повільніша в {totals['sync'] / totals['async']:.2f} разів")
    return 0 if all(r["ok"] == r["requests"] for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
