"""--threads 2: both event loops serve, connections spread about evenly between them."""

import collections

import apicheck
import harness

CONNECTIONS = 20
ROUNDS = 2


class ThreadsTest(harness.DaemonTestCase):
    def test_two_loops_share_the_connections(self):
        d = self.start_daemon("--threads", 2)
        s = d.stats()
        self.assertEqual(s["threads"], 2)
        apicheck.check_stats(self, s, pid=d.pid)

        served = collections.Counter()
        for _ in range(ROUNDS):
            results = d.concurrent(["/non-blocking?delay=0.2"] * CONNECTIONS)
            for res in results:
                self.assertOk(res)
                body = res.json()
                apicheck.check_delay_answer(self, body, "/non-blocking", 0.2, pid=d.pid)
                served[body["thread"]] += 1
        total = CONNECTIONS * ROUNDS
        self.assertEqual(set(served), {"loop-0", "loop-1"}, served)
        # "Roughly even": each loop takes at least a quarter. A fair coin per connection would miss this
        # bound about once in a thousand runs; an even spread never does.
        for name, n in served.items():
            self.assertGreaterEqual(n, total // 4, served)

        s = d.stats()
        ep = s["endpoints"]["/non-blocking"]
        self.assertEqual((ep["requests"], ep["completed"], ep["in_flight"]), (total, total, 0), ep)
        self.assertGreaterEqual(ep["peak_in_flight"], CONNECTIONS, ep)
        self.assertEqual(s["endpoints"]["/stats"]["requests"], 2)


if __name__ == "__main__":
    harness.main()
