"""Shape checks for asyncdemod's JSON answers, as docs/http-api.md describes them (shared by the tests)."""

import calendar
import os
import re
import time

WALL_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d{1,9})?Z$")

DELAY_FIELDS = {
    "endpoint": str,
    "requested_delay_seconds": "number",
    "waited_seconds": "number",
    "started_monotonic_seconds": "number",
    "finished_monotonic_seconds": "number",
    "started_wall": str,
    "finished_wall": str,
    "started_unix_seconds": "number",
    "finished_unix_seconds": "number",
    "sequence": int,
    "pid": int,
    "thread": str,
}
LATENCY_KEYS = ("min", "mean", "max", "p50", "p90", "p99", "p99_9")
ENDPOINT_KEYS = {"requests", "in_flight", "peak_in_flight", "completed", "cancelled", "status_4xx", "status_5xx",
                 "fault_status", "fault_closed", "fault_reset", "latency_seconds"}


def endpoint_slots():
    """The /stats endpoint keys, read from lib/endpoint_list.h (the list the daemon expands): the path of every
    X(...) row with a slot of its own (OWN), in order, then "other"."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    with open(os.path.join(root, "lib", "endpoint_list.h")) as f:
        text = f.read()
    rows = re.findall(r'^\s*X\(\w+, "([^"]*)", \w+, [^,]+, (\w+),', text, re.M)
    return tuple(path for path, slot in rows if slot == "OWN") + ("other",)


ENDPOINTS = endpoint_slots()
CONFIG_KEYS = {"max_delay_seconds", "default_delay_seconds", "pool_size", "pool_queue", "stall_threshold_seconds",
               "watchdog_seconds", "max_connections", "max_waiting", "header_timeout_seconds", "idle_timeout_seconds",
               "send_timeout_seconds", "max_body_bytes"}
CLOSE_REASONS = {"send_timeout", "header_block_too_large", "bad_framing", "bodies_too_large"}
LOOP_KEYS = {"lag_seconds", "ticks", "stalls", "stalled_seconds", "longest_stall_seconds", "longest_stall_endpoint",
             "longest_stall_wall", "cpu_seconds", "utilisation_percent", "utilisation_since_start_percent"}


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def wall_to_unix(text):
    """"2026-11-24T17:30:00.123456Z" -> seconds since the epoch (float)."""
    m = WALL_RE.match(text)
    if not m:
        raise AssertionError(f"not an RFC 3339 UTC time: {text!r}")
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    frac = float(m.group(7)) if m.group(7) else 0.0
    return calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)) + frac


def check_types(tc, obj, spec, where):
    tc.assertIsInstance(obj, dict, where)
    tc.assertEqual(set(obj), set(spec), f"{where}: keys")
    for key, kind in spec.items():
        value = obj[key]
        if kind == "number":
            tc.assertTrue(is_number(value), f"{where}.{key} = {value!r} is not a number")
        elif kind is int:
            tc.assertTrue(is_int(value), f"{where}.{key} = {value!r} is not an integer")
        else:
            tc.assertIsInstance(value, kind, f"{where}.{key}")


def check_delay_answer(tc, body, endpoint, delay, pid=None, res=None):
    """Checks one delay endpoint's answer (the /delay/{n} "asyncdemo" object included): fields, types,
    and that its clocks agree with each other and with this client's."""
    spec = dict(DELAY_FIELDS)
    if endpoint == "/offload":
        spec["worker"] = str
    if "delay" in body:  # a delay that varies: what was asked and what was drawn
        spec["delay"] = dict
        tc.assertEqual(body["delay"]["drawn_seconds"], body["requested_delay_seconds"], body)
    check_types(tc, body, spec, endpoint)
    tc.assertEqual(body["endpoint"], endpoint)
    tc.assertAlmostEqual(body["requested_delay_seconds"], delay, places=6)
    tc.assertGreaterEqual(body["waited_seconds"], delay, body)
    tc.assertAlmostEqual(body["waited_seconds"], body["finished_monotonic_seconds"] - body["started_monotonic_seconds"],
                         delta=2e-6, msg=body)
    tc.assertAlmostEqual(body["finished_unix_seconds"] - body["started_unix_seconds"], body["waited_seconds"],
                         delta=0.005, msg=body)
    for side in ("started", "finished"):
        tc.assertAlmostEqual(wall_to_unix(body[f"{side}_wall"]), body[f"{side}_unix_seconds"], delta=2e-6,
                             msg=f"{side}_wall vs {side}_unix_seconds: {body}")
        tc.assertRegex(body[f"{side}_wall"], r"\.\d{6}Z$", "microsecond wall times")
    tc.assertAlmostEqual(body["started_unix_seconds"], time.time(), delta=30)
    tc.assertGreaterEqual(body["sequence"], 1)
    tc.assertRegex(body["thread"], r"^loop-\d+$")
    if endpoint == "/offload":
        tc.assertRegex(body["worker"], r"^worker-\d+$")
    if pid is not None:
        tc.assertEqual(body["pid"], pid)
    if res is not None:
        # CLOCK_MONOTONIC is Python's time.monotonic() clock: the handler ran between send and answer.
        slack = 0.002
        tc.assertGreaterEqual(body["started_monotonic_seconds"], res.t_sent - slack, "started before the request")
        tc.assertLessEqual(body["finished_monotonic_seconds"], res.t_done + slack, "finished after the answer")


def check_error(tc, res, status, **fields):
    """Checks an error answer: status, JSON content type and length, {"error": str, "status": status},
    and every extra field given (a value, or a callable returning True for a good value)."""
    tc.assertEqual(res.status, status, res)
    tc.assertTrue((res.header("Content-Type") or "").startswith("application/json"), res)
    tc.assertEqual(res.header("Content-Length"), str(len(res.body)), res)
    body = res.json()
    tc.assertIsInstance(body.get("error"), str, body)
    tc.assertTrue(body["error"], body)
    tc.assertEqual(body.get("status"), status, body)
    for key, want in fields.items():
        tc.assertIn(key, body, body)
        if callable(want):
            tc.assertTrue(want(body[key]), f"{key} = {body[key]!r} in {body}")
        else:
            tc.assertEqual(body[key], want, body)
    return body


def check_latency(tc, lat, where):
    tc.assertEqual(set(lat), set(LATENCY_KEYS), where)
    for key in LATENCY_KEYS:
        tc.assertTrue(is_number(lat[key]), f"{where}.{key} = {lat[key]!r}")
        tc.assertGreaterEqual(lat[key], 0, where)
    tc.assertLessEqual(lat["min"], lat["mean"] + 1e-9, f"{where}: {lat}")
    tc.assertLessEqual(lat["mean"], lat["max"] + 1e-9, f"{where}: {lat}")
    qs = [lat[k] for k in ("p50", "p90", "p99", "p99_9")]
    tc.assertEqual(qs, sorted(qs), f"{where}: percentiles not ordered: {lat}")
    # A histogram reports bucket values: allow its resolution, not more.
    tc.assertGreaterEqual(lat["p50"], lat["min"] * 0.98 - 1e-6, f"{where}: {lat}")
    tc.assertLessEqual(lat["p99_9"], lat["max"] * 1.02 + 1e-6, f"{where}: {lat}")


def check_stats(tc, s, pid=None, version=None):
    """Checks a /stats document's shape and internal consistency."""
    tc.assertTrue({"version", "pid", "threads", "uptime_seconds", "started_wall", "config", "offload", "connections",
                   "tls", "request_bodies", "loop", "endpoints"} <= set(s), sorted(s))
    tc.assertIsInstance(s["version"], str)
    if version:
        tc.assertEqual(s["version"], version)
    tc.assertTrue(is_int(s["pid"]))
    if pid is not None:
        tc.assertEqual(s["pid"], pid)
    tc.assertTrue(is_int(s["threads"]) and s["threads"] >= 1)
    tc.assertTrue(is_number(s["uptime_seconds"]) and s["uptime_seconds"] >= 0)
    tc.assertAlmostEqual(wall_to_unix(s["started_wall"]), time.time() - s["uptime_seconds"], delta=2.0)
    tc.assertRegex(s["started_wall"], r"\.\d{3}Z$", "/stats times carry milliseconds")
    tc.assertEqual(set(s["config"]), CONFIG_KEYS)
    for key in CONFIG_KEYS:
        tc.assertTrue(is_number(s["config"][key]), f"config.{key}")
    tc.assertEqual(set(s["offload"]), {"busy", "queued"})
    tc.assertEqual(set(s["connections"]), {"open", "total", "refused", "closed", "protocols"})
    tc.assertEqual(set(s["connections"]["closed"]), CLOSE_REASONS)
    tc.assertEqual(set(s["connections"]["protocols"]), {"http1_0", "http1_1", "h2", "h2c"})
    tc.assertEqual(set(s["tls"]), {"handshakes", "handshake_failures", "versions"})
    tc.assertEqual(set(s["tls"]["versions"]), {"tls1_2", "tls1_3"})
    tc.assertEqual(set(s["request_bodies"]), {"refused"})
    # every connection counted by protocol has been accepted (those that sent no request are not counted)
    tc.assertLessEqual(sum(s["connections"]["protocols"].values()), s["connections"]["total"])
    for part, values in (("offload", s["offload"]), ("connections", s["connections"]),
                         ("connections.closed", s["connections"]["closed"]),
                         ("connections.protocols", s["connections"]["protocols"]), ("tls", s["tls"]),
                         ("tls.versions", s["tls"]["versions"]), ("request_bodies", s["request_bodies"])):
        for key, value in values.items():
            if not isinstance(value, dict):
                tc.assertTrue(is_int(value) and value >= 0, f"{part}.{key} = {value!r}")
    tc.assertGreaterEqual(s["connections"]["total"], s["connections"]["open"])
    tc.assertGreaterEqual(s["connections"]["open"], 1, "the /stats request's own connection is open")
    loop = s["loop"]
    tc.assertEqual(set(loop), LOOP_KEYS)
    for key in ("ticks", "stalls"):
        tc.assertTrue(is_int(loop[key]) and loop[key] >= 0, f"loop.{key}")
    for key in ("utilisation_percent", "utilisation_since_start_percent"):
        tc.assertTrue(is_int(loop[key]) and 0 <= loop[key] <= 100, f"loop.{key}")
    for key in ("lag_seconds", "stalled_seconds", "longest_stall_seconds", "cpu_seconds"):
        tc.assertTrue(is_number(loop[key]) and loop[key] >= 0, f"loop.{key}")
    tc.assertTrue(loop["longest_stall_endpoint"] is None or loop["longest_stall_endpoint"] in ENDPOINTS, loop)
    tc.assertTrue(loop["longest_stall_wall"] is None or re.search(r"\.\d{3}Z$", loop["longest_stall_wall"]), loop)
    tc.assertGreaterEqual(loop["stalled_seconds"] + 1e-9, loop["longest_stall_seconds"], loop)
    tc.assertEqual(set(s["endpoints"]), set(ENDPOINTS), "every endpoint key")
    for name, ep in s["endpoints"].items():
        tc.assertEqual(set(ep), ENDPOINT_KEYS, name)
        for key in ENDPOINT_KEYS - {"latency_seconds"}:
            tc.assertTrue(is_int(ep[key]) and ep[key] >= 0, f"{name}.{key} = {ep[key]!r}")
        if s["threads"] == 1:  # one shard, read on its own thread: the counts agree exactly
            tc.assertEqual(ep["requests"], ep["completed"] + ep["cancelled"] + ep["in_flight"] + ep["fault_closed"]
                           + ep["fault_reset"], f"{name}: {ep}")
        tc.assertGreaterEqual(ep["peak_in_flight"], ep["in_flight"], name)
        if ep["requests"] > 0:
            tc.assertGreaterEqual(ep["peak_in_flight"], 1, f"{name}: every request was in flight once: {ep}")
        tc.assertLessEqual(ep["status_4xx"] + ep["status_5xx"] + ep["fault_status"], ep["completed"], name)
        check_latency(tc, ep["latency_seconds"], name)
        if ep["completed"] == 0:
            tc.assertEqual(set(ep["latency_seconds"].values()), {0}, f"{name}: latency must be zero: {ep}")
    tc.assertGreaterEqual(s["endpoints"]["/stats"]["in_flight"], 1, "the /stats request counts itself")
