#!/usr/bin/env python3
"""The seed's Task 2 server, rebuilt from its README (../shared/seed/README.uk.md): FastAPI on uvicorn's
defaults, one worker.

  /blocking      time.sleep(delay) inside an `async def` handler: it runs on the event loop's thread
                 and stops the loop, so requests are served one after another (5 x 2 s = ~10 s)
  /non-blocking  await asyncio.sleep(delay): the loop stays free (5 x 2 s = ~2 s)
  /stats         requests, in flight and peak in flight per endpoint since start

`delay` (seconds, default 2, 0..30) may be given as a query parameter so the side-by-side benchmarks can
ask both servers the same thing; each answer reports the wait it measured. The seed ran on 0.0.0.0:8000;
--host/--port choose another address (the benchmarks use loopback and a free port).

Usage: server.py [--host 0.0.0.0] [--port 8000]
"""

import argparse
import asyncio
import time

import uvicorn
from fastapi import FastAPI, Query

MAX_DELAY = 30.0

app = FastAPI(title="seed: blocking vs non-blocking")
started = time.monotonic()
stats = {path: {"requests": 0, "in_flight": 0, "peak_in_flight": 0, "completed": 0}
         for path in ("/blocking", "/non-blocking", "/stats")}


def enter(path):
    s = stats[path]
    s["requests"] += 1
    s["in_flight"] += 1
    s["peak_in_flight"] = max(s["peak_in_flight"], s["in_flight"])


def leave(path, t0):
    s = stats[path]
    s["in_flight"] -= 1
    s["completed"] += 1
    t1 = time.monotonic()
    return {"endpoint": path, "waited_seconds": round(t1 - t0, 6),
            "started_monotonic_seconds": round(t0, 9), "finished_monotonic_seconds": round(t1, 9)}


@app.get("/blocking")
async def blocking(delay: float = Query(2.0, ge=0, le=MAX_DELAY)):
    # time.sleep in an async handler: the event loop's thread sleeps, nothing else is served.
    enter("/blocking")
    t0 = time.monotonic()
    time.sleep(delay)
    return {"requested_delay_seconds": delay, **leave("/blocking", t0)}


@app.get("/non-blocking")
async def non_blocking(delay: float = Query(2.0, ge=0, le=MAX_DELAY)):
    # await hands control back to the loop; every request sleeps at the same time.
    enter("/non-blocking")
    t0 = time.monotonic()
    await asyncio.sleep(delay)
    return {"requested_delay_seconds": delay, **leave("/non-blocking", t0)}


@app.get("/stats")
async def get_stats():
    enter("/stats")
    doc = {"uptime_seconds": round(time.monotonic() - started, 6),
           "endpoints": {k: dict(v) for k, v in stats.items()}}
    leave("/stats", time.monotonic())
    return doc


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    ap.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    args = ap.parse_args()
    shown = "localhost" if args.host == "0.0.0.0" else args.host
    print("=" * 36)
    print("🚀 ЗАПУСК FASTAPI СЕРВЕРА")
    print("=" * 36)
    print("\n📌 Доступні ендпоінти:")
    print(f"   • http://{shown}:{args.port}/blocking     - блокуючий")
    print(f"   • http://{shown}:{args.port}/non-blocking - не-блокуючий")
    print(f"   • http://{shown}:{args.port}/stats        - статистика\n", flush=True)
    # uvicorn's defaults otherwise: one worker, its default loop and HTTP implementation, access log on.
    uvicorn.run(app, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
