"""/metrics: valid Prometheus text exposition 0.0.4, and the same figures as /stats."""

import math
import re

import apicheck
import harness

NAME_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_RE = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\\n]|\\[\\"n])*)"\s*(,|\Z)')
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}

COUNTERS = ("asyncdemo_requests_total", "asyncdemo_requests_completed_total", "asyncdemo_requests_cancelled_total",
            "asyncdemo_responses_total", "asyncdemo_loop_ticks_total", "asyncdemo_loop_stalls_total",
            "asyncdemo_loop_stalled_seconds_total", "asyncdemo_connections_total")
GAUGES = ("asyncdemo_requests_in_flight", "asyncdemo_requests_in_flight_peak", "asyncdemo_loop_lag_seconds",
          "asyncdemo_loop_longest_stall_seconds", "asyncdemo_connections_open", "asyncdemo_offload_busy",
          "asyncdemo_offload_queued", "asyncdemo_uptime_seconds", "asyncdemo_build_info")
HISTOGRAMS = ("asyncdemo_request_duration_seconds",)
PER_ENDPOINT = ("asyncdemo_requests_total", "asyncdemo_requests_completed_total", "asyncdemo_requests_cancelled_total",
                "asyncdemo_requests_in_flight", "asyncdemo_requests_in_flight_peak")
ENDPOINTS = apicheck.ENDPOINTS  # the /stats endpoint keys, listed once for the tests
LE_LADDER = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10, 30, 60, math.inf)


class ExpositionError(AssertionError):
    pass


def parse_value(text, where):
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise ExpositionError(f"{where}: bad value {text!r}") from None


def parse_labels(text, where):
    labels = {}
    pos = 0
    while pos < len(text):
        m = LABEL_RE.match(text, pos)
        if not m:
            raise ExpositionError(f"{where}: bad label set {{{text}}}")
        name, value = m.group(1), m.group(2)
        if name in labels:
            raise ExpositionError(f"{where}: label {name} repeated")
        labels[name] = value.replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")
        pos = m.end()
    return labels


def parse_exposition(text):
    """Parses Prometheus text format 0.0.4 strictly. Returns {family: {"type", "help", "samples":
    [(name, labels, value)]}}. Raises ExpositionError on anything a scraper would reject or that is
    unclean (samples before their TYPE, a family split in two, a sample of no declared family)."""
    if not text.endswith("\n"):
        raise ExpositionError("the exposition must end with a newline")
    families = {}
    current = None
    closed = set()
    for n, line in enumerate(text.split("\n")[:-1], 1):
        where = f"line {n}"
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not NAME_RE.fullmatch(name):
                    raise ExpositionError(f"{where}: bad metric name {name!r}")
                if name != current:
                    if name in closed or (name in families and parts[1] in families[name]):
                        raise ExpositionError(f"{where}: family {name} declared twice or not contiguous")
                    if current:
                        closed.add(current)
                    current = name
                fam = families.setdefault(name, {"samples": []})
                if parts[1] == "TYPE":
                    if len(parts) != 4 or parts[3] not in TYPES:
                        raise ExpositionError(f"{where}: bad TYPE line {line!r}")
                    if fam["samples"]:
                        raise ExpositionError(f"{where}: TYPE after samples of {name}")
                    fam["TYPE"] = parts[3]
                else:
                    fam["HELP"] = parts[3] if len(parts) == 4 else ""
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?\s*$", line)
        if not m:
            raise ExpositionError(f"{where}: not a sample line: {line!r}")
        name, labels, value = m.group(1), parse_labels(m.group(3) or "", where), parse_value(m.group(4), where)
        family = family_of(name, families)
        if family is None:
            raise ExpositionError(f"{where}: sample {name} belongs to no declared family")
        if family != current:
            raise ExpositionError(f"{where}: sample {name} outside its family's block")
        families[family]["samples"].append((name, labels, value))
    for name, fam in families.items():
        if "TYPE" not in fam:
            raise ExpositionError(f"family {name} has no TYPE line")
    return families


def family_of(sample, families):
    if sample in families and families[sample].get("TYPE") not in ("histogram", "summary"):
        return sample
    for suffix in ("_bucket", "_sum", "_count"):
        base = sample[: -len(suffix)]
        if sample.endswith(suffix) and families.get(base, {}).get("TYPE") in ("histogram", "summary"):
            return base
    return None


def histogram_series(fam):
    """{frozenset(labels without le): {"buckets": [(le, count)], "sum": x, "count": n}}."""
    series = {}
    for name, labels, value in fam["samples"]:
        key = frozenset((k, v) for k, v in labels.items() if k != "le")
        s = series.setdefault(key, {"buckets": []})
        if name.endswith("_bucket"):
            if "le" not in labels:
                raise ExpositionError(f"{name}{labels}: bucket without le")
            s["buckets"].append((parse_value(labels["le"], name), value))
        elif name.endswith("_sum"):
            s["sum"] = value
        else:
            s["count"] = value
    return series


def sample(families, name, **labels):
    """The one value of sample name whose labels include labels."""
    family = family_of(name, families)
    hits = [v for n, l, v in families[family]["samples"] if n == name and labels.items() <= l.items()]
    if len(hits) != 1:
        raise AssertionError(f"{name}{labels}: {len(hits)} samples")
    return hits[0]


class ParserSelfTest(harness.DaemonTestCase):
    """The checker must be able to fail: feed it broken expositions."""

    GOOD = "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\"} 3\n"

    def test_accepts_good(self):
        self.assertEqual(parse_exposition(self.GOOD)["a_total"]["samples"], [("a_total", {"x": "1"}, 3.0)])

    def test_rejects_broken(self):
        for text in ("a_total 1\n",  # no family
                     "# TYPE a counter\na 1",  # no final newline
                     "# TYPE a counter\na{x=1} 1\n",  # unquoted label
                     "# TYPE a counter\na{x=\"1\"y=\"2\"} 1\n",  # no comma
                     "# TYPE a counter\na{x=\"1\",x=\"2\"} 1\n",  # repeated label
                     "# TYPE a counter\na one\n",  # bad value
                     "# TYPE a counter\n# TYPE b gauge\nb 1\na 2\n",  # a's block split
                     "# TYPE a counter\na 1\n# TYPE a counter\n"):  # declared twice
            with self.subTest(text=text), self.assertRaises(ExpositionError):
                parse_exposition(text)


class MetricsTest(harness.DaemonTestCase):
    def setUp(self):
        self.d = self.start_daemon()

    def scrape(self):
        res = self.d.get("/metrics")
        self.assertEqual(res.status, 200)
        return parse_exposition(res.body.decode("utf-8"))

    def test_families_declared_and_typed(self):
        fams = self.scrape()
        for name, kind in [(n, "counter") for n in COUNTERS] + [(n, "gauge") for n in GAUGES] + \
                [(n, "histogram") for n in HISTOGRAMS]:
            with self.subTest(family=name):
                self.assertIn(name, fams)
                self.assertEqual(fams[name]["TYPE"], kind)
                self.assertTrue(fams[name].get("HELP"), f"{name}: HELP text")
        for name, fam in fams.items():
            self.assertTrue(name.startswith("asyncdemo_"), name)
            if fam["TYPE"] == "counter":
                self.assertTrue(name.endswith("_total"), f"counter {name} must end in _total")
            for _, _, value in fam["samples"]:
                self.assertFalse(math.isnan(value), name)
        version = harness.expected_version()
        info = fams["asyncdemo_build_info"]["samples"]
        self.assertEqual(len(info), 1)
        self.assertEqual(info[0][2], 1)
        if version:
            self.assertEqual(info[0][1].get("version"), version)

    def test_every_endpoint_has_every_series(self):
        fams = self.scrape()
        for name in PER_ENDPOINT:
            got = sorted(labels["endpoint"] for _, labels, _ in fams[name]["samples"])
            self.assertEqual(got, sorted(ENDPOINTS), name)
        got = sorted((l["endpoint"], l["class"]) for _, l, _ in fams["asyncdemo_responses_total"]["samples"])
        self.assertEqual(got, sorted((e, c) for e in ENDPOINTS for c in ("4xx", "5xx")))
        series = histogram_series(fams["asyncdemo_request_duration_seconds"])
        self.assertEqual(sorted(dict(k)["endpoint"] for k in series), sorted(ENDPOINTS))
        for key, s in series.items():
            self.assertEqual(tuple(le for le, _ in s["buckets"]), LE_LADDER, dict(key))

    def test_histograms_cumulative(self):
        for path in ("/non-blocking?delay=0.01", "/non-blocking?delay=0.2", "/offload?delay=0", "/delay/0.05",
                     "/healthz"):
            self.assertEqual(self.d.get(path).status, 200)
        fams = self.scrape()
        series = histogram_series(fams["asyncdemo_request_duration_seconds"])
        self.assertTrue(series)
        for key, s in series.items():
            with self.subTest(series=dict(key)):
                les = [le for le, _ in s["buckets"]]
                counts = [c for _, c in s["buckets"]]
                self.assertEqual(les, sorted(les), "le ascending")
                self.assertEqual(len(set(les)), len(les), "no duplicate le")
                self.assertEqual(les[-1], math.inf, "last bucket is +Inf")
                self.assertEqual(counts, sorted(counts), "buckets cumulative")
                self.assertIn("count", s)
                self.assertIn("sum", s)
                self.assertEqual(counts[-1], s["count"], "+Inf bucket == _count")
                self.assertGreaterEqual(s["sum"], 0)
        nb = series[frozenset({("endpoint", "/non-blocking")})]
        self.assertEqual(nb["count"], 2)
        self.assertGreaterEqual(nb["sum"], 0.21)
        self.assertLess(nb["sum"], 0.21 + 0.2)
        buckets = dict(nb["buckets"])
        below = [c for le, c in buckets.items() if le < 0.2]
        self.assertEqual(max(below), 1, f"one request under 0.2 s: {nb}")

    def test_figures_match_what_was_sent(self):
        sent = {"/non-blocking": 3, "/offload": 2, "/delay": 1, "/healthz": 2}
        for _ in range(3):
            self.d.get("/non-blocking?delay=0")
        for _ in range(2):
            self.d.get("/offload?delay=0")
        self.d.get("/delay/0")
        self.d.get("/healthz")
        self.d.get("/healthz")
        self.assertEqual(self.d.get("/non-blocking?delay=-1").status, 400)
        self.assertEqual(self.d.get("/missing").status, 404)
        fams = self.scrape()
        for endpoint, n in sent.items():
            extra = 1 if endpoint == "/non-blocking" else 0
            self.assertEqual(sample(fams, "asyncdemo_requests_total", endpoint=endpoint), n + extra, endpoint)
        self.assertEqual(sample(fams, "asyncdemo_requests_total", endpoint="/metrics"), 1)
        self.assertEqual(sample(fams, "asyncdemo_responses_total", endpoint="/non-blocking", **{"class": "4xx"}), 1)
        self.assertEqual(sample(fams, "asyncdemo_responses_total", endpoint="other", **{"class": "4xx"}), 1)
        self.assertEqual(sample(fams, "asyncdemo_responses_total", endpoint="/offload", **{"class": "5xx"}), 0)
        s = self.d.stats()
        fams = self.scrape()
        for name, ep in s["endpoints"].items():
            if name in ("/stats", "/metrics"):
                continue  # moved by the scrapes themselves
            self.assertEqual(sample(fams, "asyncdemo_requests_total", endpoint=name), ep["requests"], name)
            self.assertEqual(sample(fams, "asyncdemo_requests_completed_total", endpoint=name), ep["completed"], name)
            self.assertEqual(sample(fams, "asyncdemo_requests_cancelled_total", endpoint=name), ep["cancelled"], name)
            self.assertEqual(sample(fams, "asyncdemo_requests_in_flight_peak", endpoint=name), ep["peak_in_flight"],
                             name)
            for cls in ("4xx", "5xx"):
                self.assertEqual(sample(fams, "asyncdemo_responses_total", endpoint=name, **{"class": cls}),
                                 ep[f"status_{cls}"], name)
            self.assertEqual(sample(fams, "asyncdemo_request_duration_seconds_count", endpoint=name), ep["completed"],
                             name)
        self.assertEqual(sample(fams, "asyncdemo_connections_total"), s["connections"]["total"] + 1)
        self.assertEqual(sample(fams, "asyncdemo_offload_busy"), 0)
        self.assertGreater(sample(fams, "asyncdemo_uptime_seconds"), 0)


if __name__ == "__main__":
    harness.main()
