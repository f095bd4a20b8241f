#!/usr/bin/env python3
"""What the live panel's stream costs the daemon: CPU time and memory with N /events clients connected.

Starts asyncdemod (--listen 127.0.0.1:0, --events-clients at least N), measures the daemon's CPU time
(utime + stime from /proc/PID/stat) over --seconds with no client, then with N clients connected and
reading, and prints the difference per second and per message; writes the raw figures as JSON to
bench/results/events-<UTC time>.json. Python standard library only.

    bench/events/run.sh [--clients 100] [--seconds 30] [path/to/asyncdemod]
"""

import argparse
import datetime
import json
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


class Clients:
    """N /events streams on one selector thread, counting the messages each receives."""

    def __init__(self, port, n):
        self.sel = selectors.DefaultSelector()
        self.messages = [0] * n
        self.socks = []
        for i in range(n):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            s.setblocking(False)
            self.sel.register(s, selectors.EVENT_READ, i)
            self.socks.append(s)
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop:
            for key, _ in self.sel.select(0.2):
                data = key.fileobj.recv(65536)
                self.messages[key.data] += data.count(b"\ndata: ")

    def close(self):
        self.stop = True
        self.thread.join()
        for s in self.socks:
            s.close()


def measure(pid, seconds):
    c0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - c0) / (time.monotonic() - t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("daemon", nargs="?", default="build/daemon/asyncdemod")
    a = ap.parse_args()
    proc = subprocess.Popen([a.daemon, "--listen", "127.0.0.1:0", "--events-clients", str(max(a.clients, 1))],
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        for line in proc.stderr:
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            if m:
                port = int(m.group(1))
                break
        threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
        time.sleep(1)
        idle_rss = rss_kb(proc.pid)
        idle = measure(proc.pid, a.seconds)
        clients = Clients(port, a.clients)
        time.sleep(2)  # every stream open and past its first message
        before = list(clients.messages)
        loaded = measure(proc.pid, a.seconds)
        got = [x - y for x, y in zip(clients.messages, before)]
        loaded_rss = rss_kb(proc.pid)
        clients.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    per_msg_us = (loaded - idle) / (a.clients / 1.0) * 1e6 if a.clients else 0.0
    result = {
        "clients": a.clients, "seconds": a.seconds,
        "cpu_idle_percent": round(idle * 100, 3), "cpu_with_clients_percent": round(loaded * 100, 3),
        "cpu_per_message_us": round(per_msg_us, 1),
        "messages_per_client_min": min(got), "messages_per_client_max": max(got),
        "rss_idle_kb": idle_rss, "rss_with_clients_kb": loaded_rss,
    }
    print(f"{a.clients} /events clients for {a.seconds:.0f} s: daemon CPU {loaded * 100:.2f}% "
          f"(idle {idle * 100:.2f}%), about {per_msg_us:.0f} us per message sent; "
          f"each client got {min(got)}-{max(got)} messages; RSS {idle_rss} -> {loaded_rss} kB")
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "results")
    os.makedirs(root, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    with open(os.path.join(root, f"events-{stamp}.json"), "w") as f:
        json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
