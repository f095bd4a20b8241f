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
    def burst(self, d, block_seconds):
        """CLIENTS TLS connections accepted, then the loop blocked while all of them send their ClientHello;
        each does a handshake and a GET /healthz. Returns how many were answered 200."""
        socks = [socket.create_connection(("127.0.0.1", self.tls_port), timeout=10) for _ in range(CLIENTS)]
        self.addCleanup(lambda: [s.close() for s in socks])
        d.wait_stats(lambda s: s["connections"]["open"] >= CLIENTS, message="every connection accepted")
        blocker = socket.create_connection(("127.0.0.1", d.port), timeout=10)
        self.addCleanup(blocker.close)
        blocker.sendall(harness.get_request(f"/blocking?delay={block_seconds}"))
        ctx = self.client_context(alpn=("http/1.1",))
        sel = selectors.DefaultSelector()
        conns = []
        for s in socks:
            s.setblocking(False)
            c = ctx.wrap_socket(s, server_hostname="127.0.0.1", do_handshake_on_connect=False)
            conns.append(c)
            self.step(sel, c, {"state": "handshake", "answer": b""})
        answered = 0
        deadline = time.monotonic() + 10 + block_seconds
        while sel.get_map() and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=0.5):
                answered += self.step(sel, key.fileobj, key.data)
        for c in conns:
            c.close()
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
        """header-timeout 300ms, the loop blocked 1 s while the ClientHellos arrive: every client was on time,
        so every handshake completes and every request is answered."""
        d = self.start_tls("--header-timeout", "300ms")
        answered = self.burst(d, 1)
        st = d.wait_stats(lambda s: s["tls"]["handshakes"] + s["tls"]["handshake_failures"] >= CLIENTS)
        self.assertEqual(st["tls"]["handshake_failures"], 0)
        self.assertEqual(st["tls"]["handshakes"], CLIENTS)
        self.assertEqual(answered, CLIENTS)

    def test_a_burst_of_handshakes_does_not_stall_the_loop(self):
        """After a 0.5 s block, 300 handshakes are due at once (~0.4 ms of CPU each): served a few per turn, the
        loop's 10ms tick is never 50ms late again; all at once they would hold it for about 0.1 s."""
        d = self.start_tls("--tick-interval", "10ms", "--stall-threshold", "50ms")
        self.assertEqual(self.burst(d, 0.5), CLIENTS)
        st = d.stats()
        self.assertEqual(st["tls"]["handshakes"], CLIENTS)
        self.assertEqual(st["loop"]["stalls"], 1, f"only the block stalls the loop: {st['loop']}")


if __name__ == "__main__":
    harness.main()
