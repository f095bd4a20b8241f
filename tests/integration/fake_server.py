"""A threaded HTTP/1.1 server on a free loopback port, for the ctl's tests: it answers what asyncdemod
never sends. A subclass answers each request in answer(conn, path, served)."""

import socket
import threading


class FakeServer:
    """Reads request heads (no bodies) and hands each to answer(). max_open: at most this many connections
    served at once, the rest wait in the accept queue (like standalone h2o past its max-connections)."""

    def __init__(self, max_open=None):
        self.open_slots = threading.Semaphore(max_open) if max_open else None
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(256)
        self.port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        self.accept_limit = None  # stop listening after this many connections (a target that goes down)
        self.accepted = 0
        self.stopping = False
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def answer(self, conn, path, served):
        """Answers one request to path, the connection's served-th (from 0); False ends the connection."""
        raise NotImplementedError

    def accept_loop(self):
        while not self.stopping:
            if self.open_slots:
                self.open_slots.acquire()
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            last = self.accept_limit is not None and self.accepted >= self.accept_limit
            if last:
                self.sock.close()  # from now on: connection refused (closed before this one is served)
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()
            if last:
                return

    def serve(self, conn):
        try:
            self.serve_requests(conn)
        finally:
            if self.open_slots:
                self.open_slots.release()

    def serve_requests(self, conn):
        buf = b""
        served = 0
        with conn:
            conn.settimeout(30)
            try:
                while True:
                    while b"\r\n\r\n" not in buf:
                        chunk = conn.recv(65536)
                        if not chunk:
                            return
                        buf += chunk
                    head, buf = buf.split(b"\r\n\r\n", 1)
                    path = head.split(b" ")[1].decode().split("?")[0]
                    if not self.answer(conn, path, served):
                        return
                    served += 1
            except OSError:
                return  # the client went away (or reset): nothing more to do

    @staticmethod
    def reset_on_close(conn):
        """Makes the coming close send RST instead of FIN."""
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    def close(self):
        self.stopping = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
