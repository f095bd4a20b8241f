"""asyncdemoctl against servers we did not write: standalone h2o and nginx (Debian's h2o and nginx-light, from
packaging/install-deps.sh), each serving a small file over TLS with a certificate the test makes. `bench --h2`
(h2 by ALPN, libcurl) and plain `bench` over https (HTTP/1.1 keep-alive) get every request answered, with
the protocol asked for (as the servers' access logs have it) and no error; so does `compare --h2`."""

import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

import harness
import third_party

BODY = b'{"ok": true, "padding": "' + b"x" * 200 + b'"}\n'  # a small JSON answer, as asyncdemod's


class Server:
    """A server program on a free loopback port, in its own session, stopped by PID (its process group: h2o
    and nginx start helpers of their own)."""

    def __init__(self, name, argv_for_port, dirname):
        self.name, self.argv_for_port, self.dir = name, argv_for_port, dirname
        self.proc = self.port = None

    def start(self, cafile):
        for _attempt in range(3):  # a free port may be taken between the probe and the bind
            self.port = harness.free_port()
            log = open(os.path.join(self.dir, f"{self.name}.log"), "ab")
            self.proc = subprocess.Popen(self.argv_for_port(self.port), stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
            log.close()
            if self._ready(cafile):
                return
            self.stop()
        with open(os.path.join(self.dir, f"{self.name}.log"), errors="replace") as f:
            raise AssertionError(f"{self.name} did not start:\n{f.read()[-2000:]}")

    def _ready(self, cafile):
        """Whether it answers the file over TLS within a bound (checking the certificate, as bench will)."""
        ctx = ssl.create_default_context(cafile=cafile)
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1.0) as raw, \
                        ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
                    s.sendall(b"GET /answer.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def url(self, path):
        return f"https://127.0.0.1:{self.port}{path}"

    def stop(self):
        if self.proc is not None:
            third_party.stop(self.proc)
        self.proc = None


def h2o_argv(d, cert, key):
    """Standalone h2o, one thread, serving d/www over TLS, a line per request in d/h2o-access.log."""
    return lambda port: third_party.h2o_command(d, port, f"{d}/www", tls=(cert, key),
                                                access_log=f"{d}/h2o-access.log")


def nginx_argv(d, cert, key):
    """nginx, one worker, serving the same files over TLS with HTTP/2, a line per request in d/nginx-access.log."""
    return lambda port: third_party.nginx_command(d, port, f"        root {d}/www;", tls=(cert, key),
                                                  access_log=f"{d}/nginx-access.log")


SERVERS = {"h2o": h2o_argv, "nginx": nginx_argv}


class CtlServersTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        missing = [name for name in SERVERS if shutil.which(name) is None]
        if missing:  # packaging/install-deps.sh installs both
            raise unittest.SkipTest(f"{' and '.join(missing)} not installed (packaging/install-deps.sh installs "
                                    "Debian's h2o and nginx-light)")
        cls.dir = tempfile.mkdtemp(prefix="ad-ctl-servers-")
        os.chmod(cls.dir, 0o755)  # started as root, both serve as an unprivileged user
        os.mkdir(os.path.join(cls.dir, "www"))
        os.chmod(os.path.join(cls.dir, "www"), 0o755)
        with open(os.path.join(cls.dir, "www", "answer.json"), "wb") as f:
            f.write(BODY)
        os.chmod(os.path.join(cls.dir, "www", "answer.json"), 0o644)
        cls.cert, cls.key = harness.make_tls_cert(cls.dir, "asyncdemo-servers")
        cls.servers = {}
        try:
            for name, make in SERVERS.items():
                cls.servers[name] = Server(name, make(cls.dir, cls.cert, cls.key), cls.dir)
                cls.servers[name].start(cls.cert)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for server in cls.servers.values():
            server.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def served(self, name):
        """The lines of name's access log so far: (protocol, status) per request, in the server's own words."""
        path = os.path.join(self.dir, f"{name}-access.log")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [tuple(line.split()) for line in f if line.strip()]

    def bench(self, name, protocol, *args):
        """bench's one run against server name's file: every request answered 200 without error, and the
        server's access log has each as a 200 over protocol ("HTTP/2", which nginx writes "HTTP/2.0"; "HTTP/1.1")."""
        before = len(self.served(name))
        proc = harness.run_ctl("bench", "--cacert", self.cert, *args, "-n", 400, "--no-progress", "--json",
                               self.servers[name].url("/answer.json"), timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        run = json.loads(proc.stdout)["runs"][0]
        self.assertEqual((run["ok"], run["completed"], sum(run["errors"].values())), (400, 400, 0), run)
        self.assertEqual(run["bytes_received"], 400 * len(BODY))
        # an access log line is written once the answer is sent: wait for the last ones
        served = harness.wait_until(lambda: len(self.served(name)) >= before + 400 and self.served(name), 5.0,
                                    message=f"{name}'s access log")[before:]
        self.assertEqual(len(served), 400)
        self.assertEqual({s[1] for s in served}, {"200"})
        self.assertEqual({s[0].removesuffix(".0") for s in served}, {protocol}, name)
        return run

    def test_bench_h2(self):
        """bench --h2 -c 2 -m 8: h2 by ALPN, eight streams on each of two connections."""
        for name in self.servers:
            with self.subTest(server=name):
                run = self.bench(name, "HTTP/2", "--h2", "-c", 2, "-m", 8)
                self.assertEqual((run["streams"], run["concurrency"], run["engine"], run["protocol"]),
                                 (8, 16, "nghttp2", "h2"))

    def test_bench_https_keepalive(self):
        """Plain bench over https: HTTP/1.1 keep-alive on four connections."""
        for name in self.servers:
            with self.subTest(server=name):
                run = self.bench(name, "HTTP/1.1", "-c", 4)
                self.assertEqual((run["engine"], run["protocol"]), ("h2o", "http/1.1"))

    def test_compare_h2(self):
        """compare --h2 in every mode: h2 throughout."""
        for name, server in self.servers.items():
            with self.subTest(server=name):
                proc = harness.run_ctl("compare", "--h2", "--cacert", self.cert, "-n", 3, "--no-progress", "--json",
                                       server.url("/answer.json"), timeout=60)
                self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
                runs = json.loads(proc.stdout)["runs"]
                self.assertEqual([(r["ok"], r["protocol"]) for r in runs], [(3, "h2")] * 4)


if __name__ == "__main__":
    harness.main()
