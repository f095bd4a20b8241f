"""bench --h2 over cleartext (h2c by prior knowledge): the nghttp2 engine against asyncdemod (exact counts,
the lesson's ratio, the open model, request shaping, per-request timeouts, stream and connection resets,
a server that dies mid-run, the JSON's protocol), then against servers we did not write: standalone h2o and nginx (Debian), nginx's RST_STREAM
and its graceful GOAWAY after keepalive_requests."""

import json
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time

import fake_server
import harness


def bench(*args, timeout=30):
    """bench --h2 --no-progress --json ARGS: (process, the first run of its document or None)."""
    proc = harness.run_ctl("bench", "--h2", "--no-progress", "--json", *args, timeout=timeout)
    try:
        return proc, json.loads(proc.stdout)["runs"][0]
    except (ValueError, KeyError, IndexError):
        return proc, None


class CtlH2DaemonTest(harness.DaemonTestCase):
    def setUp(self):
        self.d = self.start_daemon()

    def test_counts_exact(self):
        """-n 2000 -c 8 -m 10: 2000 answered, none failed, over 8 h2c connections of 10 streams."""
        before = self.d.stats()["connections"]["protocols"]["h2c"]
        proc, run = bench("-n", 2000, "-c", 8, "-m", 10, "--threads", 2, self.d.url("/non-blocking?delay=0"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual((run["engine"], run["protocol"], run["streams"], run["concurrency"], run["connections"]),
                         ("nghttp2", "h2c", 10, 80, 8))
        self.assertEqual((run["sent"], run["completed"], run["ok"], sum(run["errors"].values())), (2000, 2000, 2000, 0))
        self.assertEqual(len(run["requests"]), 1000)
        # the daemon's JSON was scanned: its sequence numbers are distinct
        seqs = [r["server_seq"] for r in run["requests"] if r.get("server_seq") is not None]
        self.assertEqual(len(seqs), len(set(seqs)), "sequence numbers read from the answers")
        self.assertGreater(len(seqs), 900)
        st = self.d.stats()
        self.assertEqual(st["connections"]["protocols"]["h2c"] - before, 8)
        self.assertEqual(st["endpoints"]["/non-blocking"]["completed"], 2000)
        # loops share connections, never a connection's streams: -c 3 -m 10 on 2 loops is 3 connections
        proc, run = bench("-n", 300, "-c", 3, "-m", 10, "--threads", 2, self.d.url("/healthz"))
        self.assertEqual((proc.returncode, run["loops"], run["concurrency"], run["ok"]), (0, 2, 30, 300), proc.stderr)
        self.assertEqual(self.d.stats()["connections"]["protocols"]["h2c"] - before, 8 + 3)
        _, run = bench("-n", 5, "-c", 1, "-m", 5, "--threads", 2, self.d.url("/healthz"))
        self.assertEqual((run["loops"], run["ok"]), (1, 5))
        self.assertEqual(self.d.stats()["connections"]["protocols"]["h2c"] - before, 8 + 3 + 1)

    def test_text_report_and_warmup(self):
        """The report names the engine and the streams; --warmup's requests are not counted."""
        proc = harness.run_ctl("bench", "--h2", "-m", 4, "-c", 1, "-n", 40, "--warmup", "0.2", "--no-progress",
                               self.d.url("/healthz"), timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("(concurrency 4, engine nghttp2, 1 loop, HTTP/2 4 streams per connection, protocol h2c, 1 connection opened)", proc.stdout)
        self.assertRegex(proc.stdout, r"\b40 requests in .* 40 ok, 0 errors")

    def test_lesson_ratio(self):
        """The lesson over h2c: five streams of one connection, /blocking 5 x 0.2 s, /non-blocking 0.2 s."""
        runs = harness.assert_h2_lesson(self, self.d.base_url)
        self.assertEqual({r["engine"] for r in runs.values()}, {"nghttp2"})

    def test_request_shape(self):
        """-X, -H and --body reach the server over h2: /anything echoes them, so its answer grows by them."""
        pad, body = "p" * 700, "b" * 1500
        _, plain = bench("-n", 1, "-c", 1, "-X", "PUT", "--body", "", self.d.url("/anything"))
        proc, shaped = bench("-n", 1, "-c", 1, "-X", "PUT", "-H", f"X-Pad: {pad}", "--content-type", "text/plain",
                             "--body", body, self.d.url("/anything"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual((plain["ok"], shaped["ok"]), (1, 1))
        self.assertGreaterEqual(shaped["bytes_received"] - plain["bytes_received"], len(pad) + len(body))
        proc, run = bench("-n", 1, "-X", "BREW", self.d.url("/anything"))  # the method reached it, refused
        self.assertEqual((proc.returncode, run["first_error"]), (1, "status: HTTP 405: method not allowed"))

    def test_open_model(self):
        """--rate over h2c (the nghttp2 engine's open model): the schedule's requests all sent and answered,
        latency from the intended send time kept apart from the raw one."""
        t0 = time.monotonic()
        proc, run = bench("-c", 2, "-m", 4, "--rate", 400, "--duration", "0.5", "--threads", 1,
                          self.d.url("/non-blocking?delay=0.01"))
        self.assertLess(time.monotonic() - t0, 5)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual((run["engine"], run["rate"], run["sent"], run["ok"]), ("nghttp2", 400, 200, 200))
        self.assertGreaterEqual(run["latency"]["min"], 0.01)
        self.assertGreaterEqual(run["latency"]["p50"], run["latency_raw"]["p50"])
        intended = [r["intended_seconds"] for r in run["requests"]]
        self.assertEqual(intended[:3], [0, 0.0025, 0.005])  # the schedule, not the sends
        sent_late = max(r["sent_seconds"] - r["intended_seconds"] for r in run["requests"])
        self.assertLess(sent_late, 0.25)  # loaded machine: generous

    def test_per_request_timeout(self):
        """--timeout 0.3 against 2 s waits: four timeouts with the reason, in well under the waits."""
        t0 = time.monotonic()
        proc, run = bench("-n", 4, "-c", 1, "-m", 4, "--timeout", "0.3", self.d.url("/non-blocking?delay=2"))
        self.assertLess(time.monotonic() - t0, 1.8)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertEqual((run["completed"], run["errors"]["timeout"]), (4, 4))
        self.assertEqual(run["first_error"], "timeout: no complete answer within 0.3s")
        # the streams were cancelled (RST_STREAM): the connection carries the next run at once
        proc, run = bench("-n", 20, "-c", 1, "-m", 4, self.d.url("/non-blocking?delay=0"))
        self.assertEqual((proc.returncode, run["ok"]), (0, 20), proc.stderr)

    def test_stream_and_connection_resets(self):
        """The daemon's close= fault over h2: the stream reset (RST_STREAM), or with :reset the connection
        (TCP reset): each failed request counted with the reason; the other streams go on."""
        proc, run = bench("-n", 8, "-c", 1, "-m", 4, self.d.url("/non-blocking?delay=0&close=100"))
        self.assertEqual((proc.returncode, run["completed"], run["errors"]["read"]), (1, 8, 8), proc.stderr)
        self.assertRegex(run["first_error"], r"^read: stream reset \(RST_STREAM [A-Z_]+\)$")
        # a reset takes the connection's other stream with it: 60 requests two at a time all fail by chance
        # with a probability of 1e-11
        proc, run = bench("-n", 60, "-c", 1, "-m", 2, self.d.url("/non-blocking?delay=0&close=25:reset"))
        self.assertEqual((proc.returncode, run["completed"]), (1, 60), proc.stderr)
        self.assertGreater(run["ok"], 0)
        self.assertEqual(run["ok"] + run["errors"]["read"], 60)
        self.assertRegex(run["first_error"], r"^read: connection reset( \(\d streams in flight on it\))?$")

    def test_open_files_count_connections_not_streams(self):
        """200 streams in flight on 20 connections fit under 150 open files (HTTP/1.1's 200 connections do
        not: exit 70 naming the limit)."""
        def limit():
            resource.setrlimit(resource.RLIMIT_NOFILE, (150, 150))
        proc = harness.run_ctl("bench", "--h2", "-c", 20, "-m", 10, "-n", 400, "--no-progress",
                               self.d.url("/healthz"), preexec=limit, timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        proc = harness.run_ctl("bench", "-c", 200, "-n", 400, "--no-progress", self.d.url("/healthz"), preexec=limit,
                               timeout=30)
        self.assertEqual(proc.returncode, 70, proc.stderr)
        self.assertIn("200 connections need 232 open files, the limit is 150", proc.stderr)

    def test_engine_by_environment(self):
        """ASYNCDEMOCTL_ENGINE=nghttp2 takes --h2 runs; without --h2 it is refused (64) with the reason."""
        env = {"ASYNCDEMOCTL_ENGINE": "nghttp2"}
        proc = harness.run_ctl("bench", "--h2", "-n", 3, "--no-progress", "--json", self.d.url("/healthz"), env=env,
                               timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(json.loads(proc.stdout)["runs"][0]["engine"], "nghttp2")
        proc = harness.run_ctl("bench", "-n", 3, "--no-progress", self.d.url("/healthz"), env=env, timeout=30)
        self.assertEqual(proc.returncode, 64, proc.stderr)
        self.assertIn("ASYNCDEMOCTL_ENGINE=nghttp2: speaks HTTP/2 only (add --h2)", proc.stderr)

    def test_no_server_exits_unavailable(self):
        proc = harness.run_ctl("bench", "--h2", "-n", 5, "--no-progress", f"http://127.0.0.1:{harness.free_port()}/",
                               timeout=30)
        self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)


class Http1Only(fake_server.FakeServer):
    """An HTTP/1.1 server: HTTP/2's preface reads as a request it refuses."""

    def answer(self, conn, path, served):
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        return False


class CtlH2NotH2Test(harness.DaemonTestCase):
    def test_server_without_h2c(self):
        """A server that does not speak h2c: every request fails with a reason that says so."""
        server = Http1Only()
        self.addCleanup(server.sock.close)
        proc, run = bench("-n", 4, "-c", 1, "-m", 2, "--timeout", 5, server.base + "/x")
        self.assertEqual((proc.returncode, run["completed"], run["ok"]), (1, 4, 0), proc.stderr)
        self.assertTrue(run["first_error"].startswith("read: no HTTP/2 from the server (h2c is HTTP/2 by prior "
                                                      "knowledge): "), run["first_error"])


class CtlH2ServerDiesTest(harness.DaemonTestCase):
    def test_server_dies_mid_run(self):
        """SIGKILL to the daemon while streams wait: they fail with the connection's loss as reason, the run
        ends at its --duration with what it counted, exit 1."""
        d = harness.Daemon()
        d.start()
        self.addCleanup(d.stop)
        argv = [harness.ctl_path(), "bench", "--h2", "-c", 2, "-m", 5, "--duration", "1.5", "--threads", 1,
                "--no-progress", "--json", d.url("/non-blocking?delay=0.1")]
        t0 = time.monotonic()
        proc = subprocess.Popen([str(a) for a in argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            harness.wait_until(lambda: d.stats()["endpoints"]["/non-blocking"]["completed"] >= 20, 5,
                               message="answers before the kill")
            os.kill(d.pid, signal.SIGKILL)
            out, err = proc.communicate(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertFalse(harness.has_sanitizer_report(err), err)
        self.assertLess(time.monotonic() - t0, 6)
        self.assertEqual(proc.returncode, 1, err)
        run = json.loads(out)["runs"][0]
        self.assertGreaterEqual(run["ok"], 20)
        self.assertGreater(run["errors"]["read"], 0)
        self.assertRegex(run["first_error"], r"^read: connection (reset|closed by the server)( \(\d+ streams in flight on it\))?$")
        self.assertEqual(run["completed"], run["sent"])
        d.proc.wait(timeout=5)


def free_port_server(argv_for, ready_url, tmp):
    """Starts a server made by argv_for(port) on a free port until http://127.0.0.1:port answers over h2c
    (curl --http2-prior-knowledge); returns (process, port)."""
    for _ in range(3):
        port = harness.free_port()
        log = open(os.path.join(tmp, f"server-{port}.log"), "w")
        proc = subprocess.Popen(argv_for(port), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        log.close()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and proc.poll() is None:
            r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--http2-prior-knowledge",
                                f"http://127.0.0.1:{port}{ready_url}"], capture_output=True, text=True)
            if r.stdout == "200":
                return proc, port
            time.sleep(0.05)
        stop_server(proc)
    raise AssertionError(f"{argv_for(0)[0]} did not start (logs in {tmp})")


def stop_server(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # h2o's helpers share its process group
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class CtlH2OtherServersTest(harness.DaemonTestCase):
    """Servers we did not write (Debian's h2o and nginx; packaged by bench/sidebyside/install-deps.sh)."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ad-ctl-h2-")
        os.chmod(self.tmp, 0o755)  # started as root they serve as nobody
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def need(self, program):
        if shutil.which(program) is None:
            self.skipTest(f"{program} is not installed (bench/sidebyside/install-deps.sh)")

    def test_standalone_h2o(self):
        self.need("h2o")
        with open(os.path.join(self.tmp, "index.json"), "w") as f:
            f.write('{"sequence": 1}\n')
        os.chmod(os.path.join(self.tmp, "index.json"), 0o644)

        def argv(port):
            conf = os.path.join(self.tmp, f"h2o-{port}.conf")
            with open(conf, "w") as f:
                f.write(f"listen:\n  host: 127.0.0.1\n  port: {port}\nnum-threads: 1\n"
                        f"hosts:\n  default:\n    paths:\n      /:\n        file.dir: {self.tmp}\n")
            return ["h2o", "-c", conf]
        proc, port = free_port_server(argv, "/index.json", self.tmp)
        self.addCleanup(stop_server, proc)
        p, run = bench("-n", 1000, "-c", 4, "-m", 10, f"http://127.0.0.1:{port}/index.json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual((run["engine"], run["ok"], run["statuses"]), ("nghttp2", 1000, {"200": 1000}))
        self.assertEqual(run["bytes_received"], 1000 * 16)
        p, run = bench("-n", 10, "-c", 1, "-m", 5, f"http://127.0.0.1:{port}/missing")
        self.assertEqual((p.returncode, run["errors"]["status"]), (1, 10))
        self.assertTrue(run["first_error"].startswith("status: HTTP 404"), run["first_error"])

    def test_nginx(self):
        """nginx over h2c (listen ... http2 without TLS takes prior knowledge): answers; a stream reset by
        `return 444` is an error with its reason; its graceful GOAWAY after keepalive_requests loses
        nothing (the streams it refused are sent again on a new connection)."""
        self.need("nginx")
        d = self.tmp

        def argv(port):
            conf = os.path.join(d, f"nginx-{port}.conf")
            with open(conf, "w") as f:
                f.write(f"""daemon off;
worker_processes 1;
pid {d}/nginx-{port}.pid;
error_log {d}/error-{port}.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fcgi;
    uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
    keepalive_requests 100;
    server {{
        listen 127.0.0.1:{port} http2;
        location = /zero {{ return 200 'hello\\n'; }}
        location = /reset {{ return 444; }}
    }}
}}
""")
            return ["nginx", "-p", d, "-c", conf, "-e", f"{d}/error-{port}.log"]
        proc, port = free_port_server(argv, "/zero", self.tmp)
        self.addCleanup(stop_server, proc)
        p, run = bench("-n", 2000, "-c", 2, "-m", 20, f"http://127.0.0.1:{port}/zero")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual((run["ok"], run["bytes_received"]), (2000, 2000 * 6))
        p, run = bench("-n", 4, "-c", 1, "-m", 2, f"http://127.0.0.1:{port}/reset")
        self.assertEqual((p.returncode, run["errors"]["read"]), (1, 4), p.stderr)
        self.assertRegex(run["first_error"], r"^read: stream reset \(RST_STREAM [A-Z_]+\)$")


if __name__ == "__main__":
    harness.main()
