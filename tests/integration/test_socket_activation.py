"""Socket activation: with systemd-socket-activate the daemon serves on the socket it is handed."""

import os
import shutil
import unittest

import harness


@unittest.skipUnless(shutil.which("systemd-socket-activate"), "systemd-socket-activate not installed")
class SocketActivationTest(harness.DaemonTestCase):
    def activate(self, *addresses):
        """Runs the daemon under systemd-socket-activate listening on addresses ((host, port)), without
        --listen. Like a socket unit, systemd-socket-activate execs the daemon on the first connection:
        a /healthz on the first address, made before the daemon runs, must be answered. Returns the
        daemon once it also sent READY=1."""
        notify = harness.NotifyListener()
        self.addCleanup(notify.close)
        launcher = ["systemd-socket-activate", "-E", "NOTIFY_SOCKET"]
        for host, port in addresses:
            launcher += ["-l", f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
        d = self.start_daemon(listen=None, launcher=launcher, env=notify.env, ready=None)
        d.addresses.extend(addresses)
        d.wait_for_log(r"Listening on \S+ as \d+", nth=len(addresses) - 1)  # systemd-socket-activate's
        res = harness.http_request(*addresses[0], "/healthz", timeout=harness.DEFAULT_READY_TIMEOUT)
        self.assertEqual(res.status, 200, res)
        notify.wait_for("READY", "1", timeout=harness.DEFAULT_READY_TIMEOUT)
        return d

    def test_serves_on_the_passed_socket(self):
        port = harness.free_port()
        d = self.activate(("127.0.0.1", port))
        # systemd-socket-activate execs the daemon: the PID is the daemon's own.
        self.assertEqual(os.path.realpath(f"/proc/{d.pid}/exe"), os.path.realpath(d.path))
        self.assertEqual(d.get_json("/healthz")["status"], "ok")
        self.assertEqual(d.get_json("/non-blocking?delay=0.05")["requested_delay_seconds"], 0.05)
        # It listens on that socket only: not on its default 127.0.0.1:8000 as well.
        self.assertEqual(harness.listening_ports(d.pid), {("127.0.0.1", port)})
        self.assertIsNone(d.proc.poll())

    @unittest.skipUnless(harness.ipv6_loopback(), "no IPv6 loopback here")
    def test_two_passed_sockets(self):
        p4, p6 = harness.free_port(), harness.free_port("::1")
        d = self.activate(("127.0.0.1", p4), ("::1", p6))
        self.assertEqual(harness.listening_ports(d.pid), {("127.0.0.1", p4), ("::1", p6)})
        for host, port in (("127.0.0.1", p4), ("::1", p6)):
            self.assertEqual(harness.http_request(host, port, "/healthz").status, 200)

    def test_tls_name_without_certificate_is_refused(self):
        # A socket named "tls" (FileDescriptorName=tls) with no listen line that has a tls-cert: the daemon
        # says so and exits, rather than serve cleartext where TLS was asked.
        port = harness.free_port()
        d = self.start_daemon(listen=None, launcher=["systemd-socket-activate", "--fdname=tls", "-l",
                                                     f"127.0.0.1:{port}"], ready=None, expect_exit=1)
        d.wait_for_log(r"Listening on \S+ as \d+")
        with self.assertRaises(OSError):  # the first connection execs the daemon, which refuses to start
            harness.http_request("127.0.0.1", port, "/healthz", timeout=harness.DEFAULT_READY_TIMEOUT)
        self.assertEqual(d.wait_exit(harness.DEFAULT_READY_TIMEOUT), 1)
        self.assertIn('the socket 127.0.0.1:%d named "tls" by systemd (FileDescriptorName=) needs a listen line '
                      "with a tls-cert" % port, d.stderr)


if __name__ == "__main__":
    harness.main()
