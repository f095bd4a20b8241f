"""A burst of new TLS connections (bench/README.md, "TLS": 10,000 of them at once): the handshakes queued behind
each other in the daemon are not cut by header-timeout, and the loop serves them a few per turn so that its
timers keep their time.

The burst is made deterministic by blocking the loop (/blocking over cleartext) while the clients send their
ClientHellos: when the loop wakes, every handshake is queued in the daemon at once, past header-timeout since
accept, although every client was on time.
"""

import selectors
import socket
import ssl
import time

import harness
from test_tls import TlsCase

CLIENTS = 300


class TlsBurstTest(TlsCase):
    def accepted_clients(self, d):
        """CLIENTS TCP connections to the TLS port, once the daemon has accepted them all."""
        socks = [socket.create_connection(("127.0.0.1", self.tls_port), timeout=10) for _ in range(CLIENTS)]
        self.addCleanup(lambda: [s.close() for s in socks])
        d.wait_stats(lambda s: s["connections"]["open"] >= CLIENTS, message="every connection accepted")
        return socks

    def block_then_hello(self, d, socks, block_seconds):
        """The loop blocked for block_seconds, then every client sends its ClientHello: (TLS sockets, selector)."""
        blocker = socket.create_connection(("127.0.0.1", d.port), timeout=10)
        self.addCleanup(blocker.close)
        blocker.sendall(harness.get_request(f"/blocking?delay={block_seconds}"))
        ctx = self.client_context(alpn=("http/1.1",))
        sel = selectors.DefaultSelector()
        conns = []
        for s in socks:
            s.setblocking(False)
            c = ctx.wrap_socket(s, server_hostname="127.0.0.1", do_handshake_on_connect=False)
            self.addCleanup(c.close)
            conns.append(c)
            self.step(sel, c, {"state": "handshake", "answer": b""})
        return conns, sel

    def finish(self, sel, seconds):
        """Runs every client to its answer; how many were answered 200."""
        answered = 0
        deadline = time.monotonic() + seconds
        while sel.get_map() and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=0.5):
                answered += self.step(sel, key.fileobj, key.data)
        return answered

    def step(self, sel, c, data):
        """Advances one client: handshake, request, answer. 1 when it just read a whole 200 answer."""
        try:
            if data["state"] == "handshake":
                c.do_handshake()
                c.sendall(harness.get_request("/healthz", extra="Connection: close\r\n"))
                data["state"] = "answer"
            while True:
                chunk = c.recv(4096)
                if not chunk:
                    sel.unregister(c)
                    return 1 if data["answer"].startswith(b"HTTP/1.1 200") else 0
                data["answer"] += chunk
        except ssl.SSLWantReadError:
            events = selectors.EVENT_READ
        except ssl.SSLWantWriteError:
            events = selectors.EVENT_WRITE
        except (ssl.SSLError, OSError):
            if c in sel.get_map():
                sel.unregister(c)
            return 0
        if c in sel.get_map():
            sel.modify(c, events, data)
        else:
            sel.register(c, events, data)
        return 0

    def test_handshakes_queued_in_the_daemon_are_not_cut_by_header_timeout(self):
        """header-timeout 1s, the loop blocked 2 s while the ClientHellos arrive: every client was on time, so
        every handshake completes and every request is answered."""
        d = self.start_tls("--header-timeout", "1s")
        _, sel = self.block_then_hello(d, self.accepted_clients(d), 2)
        answered = self.finish(sel, 15)
        st = d.wait_stats(lambda s: s["tls"]["handshakes"] + s["tls"]["handshake_failures"] >= CLIENTS)
        self.assertEqual(st["tls"]["handshake_failures"], 0)
        self.assertEqual(st["tls"]["handshakes"], CLIENTS)
        self.assertEqual(answered, CLIENTS)

    def test_timers_interleave_with_a_burst_of_handshakes(self):
        """300 ClientHellos waiting when a 0.5 s block ends, and an answer due 1 ms later: the loop begins a
        few handshakes per turn, so the answer goes out after a few server replies, not after a whole epoll
        batch of them (256, about 0.1 s of CPU). The clients read nothing until the answer is in, then count
        the connections the daemon has already replied on."""
        d = self.start_tls()
        socks = self.accepted_clients(d)
        timed = socket.create_connection(("127.0.0.1", d.port), timeout=10)
        self.addCleanup(timed.close)
        timed.sendall(harness.get_request("/non-blocking?delay=0.501"))
        d.wait_stats(lambda s: s["endpoints"]["/non-blocking"]["in_flight"] == 1)
        conns, sel = self.block_then_hello(d, socks, 0.5)
        self.assertTrue(timed.recv(4096).startswith(b"HTTP/1.1 200"))
        ready = selectors.DefaultSelector()
        for c in conns:
            ready.register(c, selectors.EVENT_READ)
        replied = len(ready.select(timeout=0))
        self.assertLess(replied, 128, "server replies written before the due answer")
        self.assertEqual(self.finish(sel, 15), CLIENTS)
        self.assertEqual(d.stats()["tls"]["handshake_failures"], 0)


if __name__ == "__main__":
    harness.main()
