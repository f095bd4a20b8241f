"""Big request heads over HTTP/2, sent as raw frames (python3-h2): the documented 431 up to the daemon's
header-block guard (256 KB decoded, 1000 fields), GOAWAY ENHANCE_YOUR_CALM past it, and the library's own
stream reset past the largest header block libh2o 2.2.5 buffers (417,792 bytes) (docs/http-api.md)."""

import json
import random
import socket
import string

import harness

H2O_MAX_REQLEN = 8192 + 4096 * 100  # libh2o 2.2.5: the largest header block (HEADERS + CONTINUATION) it reads
GUARD_DECODED = 256 * 1024  # daemon/hpack_scan.h: AD_HPACK_MAX_DECODED


def random_text(n, seed):
    """n bytes that HPACK's Huffman code barely shrinks (so the header block is close to n)."""
    rnd = random.Random(seed)
    return "".join(rnd.choice(string.ascii_letters + string.digits + "<>{}~^|") for _ in range(n))


class Http2HeadsTest(harness.SharedDaemonTestCase):
    @classmethod
    def setUpClass(cls):
        cls.h2 = harness.import_h2()
        super().setUpClass()

    def exchange(self, heads):
        """Sends one request per header list on one connection, all frames at once (encoded before connecting:
        a slow encoder must not meet the idle timeout), and returns (results by stream id, the header block
        sizes, GOAWAY or None). A result is (status, body) or ("RST", error code)."""
        h2 = self.h2
        conn = harness.h2_client(h2)
        conn.initiate_connection()
        wire, ids, sizes = conn.data_to_send(), [], []
        for extra in heads:
            sid = conn.get_next_available_stream_id()
            headers = [(":method", "GET"), (":path", "/stats"), (":scheme", "http"),
                       (":authority", f"127.0.0.1:{self.daemon.port}")] + extra
            conn.send_headers(sid, headers, end_stream=True)
            frames = conn.data_to_send()
            wire += frames
            ids.append(sid)
            sizes.append(len(frames))  # the header block plus 9 bytes of frame header per 16 KB frame
        results, bodies, goaway = {}, {}, None
        with socket.create_connection((self.daemon.host, self.daemon.port), timeout=10) as s:
            s.sendall(wire)
            while len(results) < len(ids) and goaway is None:
                try:
                    data = s.recv(65536)
                except ConnectionResetError:  # the server closed with our frames still unread
                    break
                if not data:
                    break
                for ev in conn.receive_data(data):
                    if isinstance(ev, h2.events.ResponseReceived):
                        bodies[ev.stream_id] = (int(dict(ev.headers)[":status"]), b"")
                    elif isinstance(ev, h2.events.DataReceived):
                        status, body = bodies[ev.stream_id]
                        bodies[ev.stream_id] = (status, body + ev.data)
                        conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                    elif isinstance(ev, h2.events.StreamEnded):
                        results[ev.stream_id] = bodies[ev.stream_id]
                    elif isinstance(ev, h2.events.StreamReset):
                        results[ev.stream_id] = ("RST", ev.error_code)
                    elif isinstance(ev, h2.events.ConnectionTerminated):
                        goaway = ev
                try:
                    s.sendall(conn.data_to_send())
                except (BrokenPipeError, ConnectionResetError):
                    break
        return results, sizes, goaway

    def assert_431(self, result):
        status, body = result
        self.assertEqual(status, 431, result)
        doc = json.loads(body)
        self.assertEqual(doc["status"], 431)
        self.assertEqual(doc["limit_bytes"], 32768)
        self.assertGreater(doc["size_bytes"], 32768)
        self.assertTrue(body.endswith(b"}\n"), body[-50:])

    def test_70_to_100_kb_heads_get_431(self):
        # One big header, and the same bytes spread over 100 headers; each a request of its own, all on one
        # connection: every one is answered 431, none reset, the connection stays usable.
        heads = []
        for kb in (70, 85, 100):
            heads.append([("x-big", random_text(kb * 1024, kb))])
            text = random_text(kb * 1024, kb + 1)
            heads.append([(f"x-part-{i}", text[i * kb * 10:(i + 1) * kb * 10]) for i in range(100)])
        heads.append([("x-small", "fine")])
        results, sizes, goaway = self.exchange(heads)
        self.assertIsNone(goaway)
        ids = sorted(results)
        self.assertEqual(len(ids), len(heads), results)
        for sid, size in zip(ids[:-1], sizes):
            with self.subTest(stream=sid, block=size):
                self.assertGreater(size, 60000)  # past what nghttp2-based clients (curl, nghttp) will send
                self.assert_431(results[sid])
        self.assertEqual(results[ids[-1]][0], 200, "the connection still serves")

    def test_up_to_the_guard_and_past_it(self):
        # Up to the daemon's guard a big head is still a 431 (150 KB of Huffman-coded text: at most 240 KB
        # decoded, as the guard bounds it, 8/5 of the coded size). Past it (over 256 KB decoded) the
        # connection is closed with GOAWAY ENHANCE_YOUR_CALM before libh2o decodes the block, and counted.
        # Past the largest block h2o reads, h2o resets the stream itself (REFUSED_STREAM) before decoding.
        results, sizes, goaway = self.exchange([[("x-big", random_text(150 * 1024, 150))]])
        self.assertIsNone(goaway)
        self.assert_431(results[1])
        before = self.daemon.stats()["connections"]["closed"]["header_block_too_large"]
        results, sizes, goaway = self.exchange([[("x-big", random_text(300 * 1024, 300))]])
        self.assertGreater(sizes[0], GUARD_DECODED)
        self.assertLess(sizes[0], H2O_MAX_REQLEN)
        self.assertIsNotNone(goaway, results)
        self.assertEqual(goaway.error_code, self.h2.errors.ErrorCodes.ENHANCE_YOUR_CALM, goaway)
        self.assertNotIn(1, results)
        self.assertEqual(self.daemon.stats()["connections"]["closed"]["header_block_too_large"], before + 1)
        results, sizes, goaway = self.exchange([[("x-big", random_text(470 * 1024, 470))]])
        self.assertGreater(sizes[0], H2O_MAX_REQLEN)
        self.assertEqual(results.get(1), ("RST", self.h2.errors.ErrorCodes.REFUSED_STREAM), (results, goaway))


if __name__ == "__main__":
    harness.main()
