"""Security properties of asyncdemod (issue "Reliability and security"): it listens on loopback unless
told otherwise, serves no files, JSON-escapes every value it reflects, and never puts request bytes
into its response headers."""

import json
import os
import shutil
import unittest

import harness

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# A marker that must never come back in a response head, wrapped in bytes that would split or forge
# headers if they were copied there.
MARKER = "zq7marker"
HOSTILE = f"{MARKER}\"'<>\\%0d%0aX-Injected:%20yes;{MARKER}"


def listening_sockets(pid):
    """(family, address hex, port) of every TCP socket in LISTEN state in pid's network namespace."""
    found = []
    for name in ("tcp", "tcp6"):
        with open(f"/proc/{pid}/net/{name}") as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[3] == "0A":  # TCP_LISTEN
                    addr, port = fields[1].split(":")
                    found.append((name, addr, int(port, 16)))
    return found


class DefaultListenTest(harness.DaemonTestCase):
    @unittest.skipUnless(os.geteuid() == 0 and shutil.which("unshare") and shutil.which("ip"),
                         "needs root, unshare and ip for a private network namespace")
    def test_default_is_loopback_only(self):
        # No --listen: the default address. A private network namespace makes its fixed port free.
        launcher = ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$0" "$@"']
        d = self.start_daemon(listen=None, launcher=launcher)
        self.assertEqual(d.addresses, [("127.0.0.1", 8000)])
        self.assertEqual(listening_sockets(d.pid), [("tcp", "0100007F", 8000)])

    def test_shipped_files_listen_on_loopback(self):
        with open(os.path.join(SOURCE_DIR, "systemd", "asyncdemod.socket")) as f:
            listens = [line.split("=", 1)[1].strip() for line in f if line.startswith("ListenStream=")]
        self.assertTrue(listens)
        for addr in listens:
            self.assertTrue(addr.startswith(("127.0.0.1:", "[::1]:")), addr)
        with open(os.path.join(SOURCE_DIR, "packaging", "asyncdemod.conf")) as f:
            active = [line for line in f if line.strip().startswith("listen")]
        self.assertEqual(active, [], "the shipped config must leave the loopback default alone")


class ResponseSafetyTest(harness.SharedDaemonTestCase):
    def raw_get(self, target, extra_headers=b""):
        with self.daemon.raw() as c:
            c.send(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode("latin-1") + extra_headers + b"\r\n")
            return c.read_response()

    def assertHeadClean(self, res):
        for name, value in res.headers:
            self.assertNotIn(MARKER, name.lower(), res)
            self.assertNotIn(MARKER, value, res)
            self.assertNotEqual(name.lower(), "x-injected", res)
        self.assertNotIn(MARKER, res.reason)

    def test_no_file_serving(self):
        for target in ("/etc/passwd", "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                       "/..%2f..%2fetc%2fpasswd", "/index.html", "/static/asyncdemod", "/proc/self/environ",
                       "/stats/../../etc/passwd", "//etc/passwd", "/delay/../../etc/passwd"):
            res = self.raw_get(target)
            self.assertIn(res.status, (400, 404), (target, res))
            self.assertNotIn(b"root:", res.body, target)
            self.assertTrue(res.header("Content-Type", "").startswith("application/json"), (target, res))
            json.loads(res.body)

    def test_request_bytes_never_reach_response_headers(self):
        evil_header = f"X-Evil: {HOSTILE}\r\nUser-Agent: {HOSTILE}\r\nReferer: {HOSTILE}\r\n".encode("latin-1")
        targets = [
            f"/delay/0?a={HOSTILE}",          # 200, reflected in the body
            f"/non-blocking?delay={HOSTILE}",  # 400, the bad value echoed in the body
            f"/non-blocking?delay=0&{HOSTILE}=1",
            f"/{HOSTILE}",                     # 404
            f"/delay/{HOSTILE}",               # 400 or 404
            f"/stats?{HOSTILE}",
            f"/blocking?delay=0&x={HOSTILE}",
            f"/offload?delay=0&x={HOSTILE}",
        ]
        for target in targets:
            res = self.raw_get(target, evil_header)
            self.assertHeadClean(res)
            self.assertLess(res.status, 500, (target, res))
            doc = json.loads(res.body.decode("utf-8"))  # every body, reflected bytes included, is valid JSON
            self.assertIsInstance(doc, dict)

    def test_bad_delay_value_is_escaped_in_the_error(self):
        value = '"}{\\x'
        res = self.raw_get("/non-blocking?delay=%22%7D%7B%5Cx")
        self.assertEqual(res.status, 400, res)
        self.assertHeadClean(res)
        doc = json.loads(res.body.decode("utf-8"))
        self.assertEqual(doc.get("value"), value, doc)

    def test_reflected_control_bytes_are_escaped(self):
        res = self.raw_get("/delay/0?c=%01%1f%7f%e2%80%a8&nul=%00", b"X-Tab: a\tb\r\n")
        self.assertEqual(res.status, 200, res)
        text = res.body.decode("utf-8")
        for raw in ("\x01", "\x1f", "\t"):
            self.assertNotIn(raw, text)  # JSON forbids raw control characters
        doc = json.loads(text)
        self.assertEqual(doc["args"]["c"], "\x01\x1f\x7f\u2028")
        self.assertEqual(doc["args"]["nul"], "%00")  # a decoded NUL is refused: reflected as received
        self.assertEqual(doc["headers"]["X-Tab"], "a\tb")

    def test_control_bytes_in_a_header_are_refused(self):
        # The HTTP parser (h2o's) refuses them with its own plain-text 400 and closes; nothing reflected.
        res = self.raw_get(f"/delay/0?{MARKER}", f"X-Ctl: {MARKER}\x01\x7f\r\n".encode("latin-1"))
        self.assertEqual(res.status, 400, res)
        self.assertHeadClean(res)
        self.assertNotIn(MARKER.encode(), res.body)
        self.assertEqual(self.daemon.get("/stats").status, 200)


if __name__ == "__main__":
    unittest.main()
