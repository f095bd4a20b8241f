"""Socket activation: with systemd-socket-activate the daemon serves on the socket it is handed."""

import os
import shutil
import unittest

import harness


@unittest.skipUnless(shutil.which("systemd-socket-activate"), "systemd-socket-activate not installed")
class SocketActivationTest(harness.DaemonTestCase):
    def activate(self, *addresses):
        """Starts the daemon under systemd-socket-activate listening on addresses ("127.0.0.1:PORT"),
        without --listen; returns it once it sent READY=1."""
        notify = harness.NotifyListener()
        self.addCleanup(notify.close)
        launcher = ["systemd-socket-activate", "-E", "NOTIFY_SOCKET"]
        for addr in addresses:
            launcher += ["-l", addr]
        d = self.start_daemon(listen=None, launcher=launcher, env=notify.env, ready=None)
        notify.wait_for("READY", "1", timeout=harness.DEFAULT_READY_TIMEOUT)
        return d

    def test_serves_on_the_passed_socket(self):
        port = harness.free_port()
        d = self.activate(f"127.0.0.1:{port}")
        # systemd-socket-activate execs the daemon: the PID is the daemon's own.
        self.assertEqual(os.path.realpath(f"/proc/{d.pid}/exe"), os.path.realpath(d.path))
        d.addresses.append(("127.0.0.1", port))
        self.assertEqual(d.get_json("/healthz")["status"], "ok")
        self.assertEqual(d.get_json("/non-blocking?delay=0.05")["requested_delay_seconds"], 0.05)
        # It listens on that socket only: not on its default 127.0.0.1:8000 as well.
        self.assertEqual(harness.listening_ports(d.pid), {("127.0.0.1", port)})
        self.assertIsNone(d.proc.poll())

    @unittest.skipUnless(harness.ipv6_loopback(), "no IPv6 loopback here")
    def test_two_passed_sockets(self):
        p4, p6 = harness.free_port(), harness.free_port("::1")
        d = self.activate(f"127.0.0.1:{p4}", f"[::1]:{p6}")
        self.assertEqual(harness.listening_ports(d.pid), {("127.0.0.1", p4), ("::1", p6)})
        for host, port in (("127.0.0.1", p4), ("::1", p6)):
            self.assertEqual(harness.http_request(host, port, "/healthz").status, 200)


if __name__ == "__main__":
    harness.main()
