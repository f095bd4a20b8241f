#!/usr/bin/env python3
"""asyncdemod under the heavy versions of issue 18's hostile clients (bench/README.md, "Hostile clients").

Each scenario runs against a fresh daemon (harness.Daemon, a free loopback port) and records the daemon's
peak RSS (VmHWM of /proc/PID/status), its RSS while the client holds on and after it left, and the peak
growth of the space used on the file system of /tmp (statvfs, sampled every 0.1 s: other users of /tmp
show in it too). Scenarios:
  bodies-h1   4 HTTP/1 connections each POST a 1 GB body to /healthz (Content-Length, as fast as they can)
  bodies-h2   one h2c connection, 8 streams x 400 MB of DATA to /healthz, a PING every 3 s
  uploads-h2  10 h2c connections at once, each 100 streams x a 1 MiB body to /delay/0 (which takes bodies),
              sent as fast as the socket allows, ignoring flow control
  hpack       one h2c connection, 40 streams x a 400 KB header block of 1-byte indexed fields (16.4 MB on
              the wire), no END_STREAM, held 5 s with PINGs, then closed
  slow        60 clients that never read, with --idle-timeout 1s --header-timeout 1s (and --send-timeout 5s
              when the daemon has it): 30 HTTP/1 pipelining 400 /metrics, 30 HTTP/2 with
              SETTINGS_INITIAL_WINDOW_SIZE=0 and 100 /metrics streams; connections still open at 12 s
Every client phase is bounded (time caps below); the script prints one JSON document per scenario and
writes them all into the results directory.
"""

import argparse
import datetime
import json
import os
import socket
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "integration"))
import h2frames  # noqa: E402
import harness  # noqa: E402

import h2.config  # noqa: E402  (python3-h2: flow control for the DATA scenario)
import h2.connection  # noqa: E402
import h2.events  # noqa: E402
import h2.exceptions  # noqa: E402

MB = 1e6  # figures in MB = 10^6 bytes, as bench/README.md
CHUNK = 1 << 20
BODY_CAP_S = 60  # a body scenario's clients stop after this long, sent or not


def status_bytes(pid, key):
    value = harness.proc_status(pid, key)
    return int(value.split()[0]) * 1024 if value else 0


def tmp_used():
    st = os.statvfs("/tmp")
    return (st.f_blocks - st.f_bfree) * st.f_frsize


class Sampler:
    """Samples the daemon's RSS and /tmp's used space every 0.1 s; peaks relative to the start."""

    def __init__(self, pid):
        self.pid = pid
        self.tmp0 = tmp_used()
        self.tmp_peak = 0
        self.rss_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                self.rss_peak = max(self.rss_peak, status_bytes(self.pid, "VmRSS"))
            except (FileNotFoundError, ProcessLookupError):
                return
            self.tmp_peak = max(self.tmp_peak, tmp_used() - self.tmp0)
            self._stop.wait(0.1)

    def stop(self):
        self._stop.set()
        self._thread.join()


def body_h1_client(host, port, size, deadline, out, i):
    sent = 0
    try:
        with socket.create_connection((host, port), timeout=10) as s:
            s.sendall(f"POST /healthz HTTP/1.1\r\nHost: {host}\r\nContent-Length: {size}\r\n\r\n".encode())
            chunk = b"\0" * CHUNK
            while sent < size and time.monotonic() < deadline:
                n = min(CHUNK, size - sent)
                s.sendall(chunk[:n])
                sent += n
            s.settimeout(max(1.0, deadline - time.monotonic()))
            answer = s.recv(200).split(b"\r\n", 1)[0].decode("latin-1")
    except OSError as exc:
        answer = f"error: {exc}"
    out[i] = {"sent_mb": round(sent / MB), "answer": answer}


def scenario_bodies_h1(d):
    size, conns = 1_000_000_000, 4
    deadline = time.monotonic() + BODY_CAP_S
    out = [None] * conns
    threads = [threading.Thread(target=body_h1_client, args=(d.host, d.port, size, deadline, out, i))
               for i in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"clients": out}


def scenario_bodies_h2(d):
    streams, size = 8, 400_000_000
    deadline = time.monotonic() + BODY_CAP_S
    sock = socket.create_connection((d.host, d.port), timeout=10)
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    conn.max_outbound_frame_size = 16384
    ids = []
    for _ in range(streams):
        sid = conn.get_next_available_stream_id()
        conn.send_headers(sid, [(":method", "POST"), (":scheme", "http"), (":path", "/healthz"),
                                (":authority", d.host), ("content-length", str(size))])
        ids.append(sid)
    sock.sendall(conn.data_to_send())
    sent = {sid: 0 for sid in ids}
    resets, answers, last_ping = 0, {}, time.monotonic()
    chunk = b"\0" * 16384

    def take(data):  # a reset or a status per stream
        nonlocal resets
        for ev in conn.receive_data(data):
            if isinstance(ev, h2.events.StreamReset):
                resets += 1
                answers[ev.stream_id] = f"RST {ev.error_code}"
            elif isinstance(ev, h2.events.ResponseReceived):
                answers[ev.stream_id] = dict(ev.headers).get(b":status", b"?").decode()

    sock.setblocking(False)
    try:
        while time.monotonic() < deadline and any(sent[s] < size for s in ids if s not in answers):
            try:
                data = sock.recv(65536)
                if not data:
                    break
                take(data)
            except BlockingIOError:
                pass
            progressed = False
            for sid in ids:
                if sid in answers or sent[sid] >= size:
                    continue
                room = min(conn.local_flow_control_window(sid), size - sent[sid], len(chunk))
                if room > 0:
                    conn.send_data(sid, chunk[:room], end_stream=sent[sid] + room >= size)
                    sent[sid] += room
                    progressed = True
            if time.monotonic() - last_ping > 3:
                conn.ping(b"hostile!")
                last_ping = time.monotonic()
            pending = conn.data_to_send()
            if pending:
                sock.setblocking(True)
                sock.sendall(pending)
                sock.setblocking(False)
            if not progressed:
                time.sleep(0.001)
        # every body sent: the answers (a 413 per stream once its body ended), for 5 s at most
        sock.setblocking(True)
        sock.settimeout(1)
        until = time.monotonic() + 5
        while time.monotonic() < until and any(s not in answers for s in ids):
            try:
                data = sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                break
            take(data)
    except (BrokenPipeError, ConnectionResetError, h2.exceptions.ProtocolError) as exc:
        answers["connection"] = f"closed: {exc.__class__.__name__}"
    sock.close()
    return {"sent_mb": round(sum(sent.values()) / MB), "answers": {str(k): v for k, v in answers.items()},
            "resets": resets}


def scenario_uploads_h2(d):
    conns, streams, size = 10, 100, 1 << 20
    out = [None] * conns

    def client(i):
        goaway, sent = h2frames.h2_upload_flood(d.host, d.port, "/delay/0", streams, size, limit_s=BODY_CAP_S)
        out[i] = {"sent_mb": round(sent / MB, 1), "goaway": goaway.error_code if goaway else None}

    threads = [threading.Thread(target=client, args=(i,)) for i in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"clients": out}


def scenario_hpack(d):
    streams, block_size, hold = 40, 400 * 1024, 5.0
    conn = h2frames.H2Raw(d.host, d.port)
    block = h2frames.amplification_block("/healthz", block_size)
    sent, closed_early = 0, None
    try:
        for i in range(streams):
            conn.send_header_block(1 + 2 * i, block, end_stream=False)
            sent += len(block)
        end = time.monotonic() + hold
        while time.monotonic() < end:
            conn.ping()
            time.sleep(0.5)
    except (BrokenPipeError, ConnectionResetError) as exc:
        closed_early = exc.__class__.__name__
    rss_held = status_bytes(d.pid, "VmRSS")
    was_closed, goaway = conn.wait_closed(timeout=0.5)
    conn.close()
    return {"wire_mb": round(sent / MB, 1), "rss_held_mb": round(rss_held / MB, 1),
            "closed_by_daemon": bool(closed_early or was_closed),
            "goaway_error": goaway.error_code if goaway is not None else None}


def scenario_slow(d):
    clients = [h2frames.http1_pipeliner(d.host, d.port, "/metrics", 400) for _ in range(30)]
    h2conns = [h2frames.h2_zero_window(d.host, d.port, "/metrics", 100) for _ in range(30)]
    t0 = time.monotonic()
    time.sleep(3)
    rss_3s = status_bytes(d.pid, "VmRSS")
    time.sleep(max(0.0, 12 - (time.monotonic() - t0)))
    stats = d.stats()
    still_open = stats["connections"]["open"] - 1  # less the /stats request's own
    rss_12s = status_bytes(d.pid, "VmRSS")
    for c in clients:
        c.close()
    for conn in h2conns:
        conn.close()
    return {"open_at_12s": still_open, "of": 60, "rss_at_3s_mb": round(rss_3s / MB, 1),
            "rss_at_12s_mb": round(rss_12s / MB, 1),
            "closed": stats["connections"].get("closed", {})}


SCENARIOS = {"bodies-h1": scenario_bodies_h1, "bodies-h2": scenario_bodies_h2, "uploads-h2": scenario_uploads_h2,
             "hpack": scenario_hpack, "slow": scenario_slow}


def has_flag(daemon, flag):
    out = subprocess.run([daemon, "--help"], capture_output=True, text=True, timeout=10)
    return flag in out.stdout


def run_scenario(name, daemon):
    args = []
    if name == "slow":
        args = ["--idle-timeout", "1s", "--header-timeout", "1s"]
        if has_flag(daemon, "--send-timeout"):
            args += ["--send-timeout", "5s"]
    with harness.Daemon(*args, path=daemon, expect_exit=None) as d:
        harness.http_request(d.host, d.port, "/healthz")
        rss_idle = status_bytes(d.pid, "VmRSS")
        sampler = Sampler(d.pid)
        t0 = time.monotonic()
        result = SCENARIOS[name](d)
        took = time.monotonic() - t0
        time.sleep(2)  # the client has left: what the daemon still holds
        rss_after = status_bytes(d.pid, "VmRSS")
        sampler.stop()
        result.update({
            "scenario": name, "daemon_args": args, "seconds": round(took, 1),
            "rss_idle_mb": round(rss_idle / MB, 1),
            "peak_rss_mb": round(status_bytes(d.pid, "VmHWM") / MB, 1),
            "rss_after_client_left_mb": round(rss_after / MB, 1),
            "tmp_peak_growth_mb": round(sampler.tmp_peak / MB),
        })
        return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--daemon", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--label", default="", help="a word for the results file (e.g. before, after)")
    ap.add_argument("scenarios", nargs="*", default=list(SCENARIOS), help=" ".join(SCENARIOS))
    a = ap.parse_args()
    for name in a.scenarios:
        if name not in SCENARIOS:
            ap.error(f"unknown scenario {name!r}")
    results = []
    for name in a.scenarios:
        r = run_scenario(name, a.daemon)
        print(json.dumps(r), flush=True)
        results.append(r)
    os.makedirs(a.out, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = os.path.join(a.out, f"hostile-{a.label + '-' if a.label else ''}{stamp}.json")
    with open(path, "w") as f:
        json.dump({"daemon": a.daemon, "results": results}, f, indent=1)
    print(f"written: {path}")


if __name__ == "__main__":
    main()
