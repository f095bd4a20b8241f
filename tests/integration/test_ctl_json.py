"""asyncdemoctl --json against docs/bench-json.schema.json, checked by a small validator of exactly the
JSON Schema keywords that schema uses (an unknown keyword fails the test rather than being ignored)."""

import json
import os
import re

import harness

ctl = harness.run_ctl



def schema_path():
    root = os.environ.get("ASYNCDEMO_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
    return os.path.join(root, "docs", "bench-json.schema.json")


ANNOTATIONS = {"$schema", "$id", "title", "description", "$defs"}
TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


class Validator:
    """Draft 2020-12 semantics for: type, enum, const, properties, required, additionalProperties,
    propertyNames, items, minItems, maxItems, minimum, maximum, minLength, pattern, $ref (local)."""

    def __init__(self, root):
        self.root = root
        self.errors = []

    def resolve(self, ref):
        if not ref.startswith("#/"):
            raise AssertionError(f"unsupported $ref {ref}")
        node = self.root
        for part in ref[2:].split("/"):
            node = node[part]
        return node

    def check(self, value, schema, path="$"):
        for key, arg in schema.items():
            if key in ANNOTATIONS:
                continue
            method = getattr(self, "kw_" + key.lstrip("$"), None)
            if method is None:
                raise AssertionError(f"schema keyword {key!r} at {path} is not supported by this checker")
            method(value, arg, schema, path)
        return self.errors

    def fail(self, path, msg):
        self.errors.append(f"{path}: {msg}")

    def kw_ref(self, value, ref, schema, path):
        self.check(value, self.resolve(ref), path)

    def kw_type(self, value, types, schema, path):
        types = types if isinstance(types, list) else [types]
        if not any(TYPES[t](value) for t in types):
            self.fail(path, f"{value!r} is not of type {types}")

    def kw_enum(self, value, options, schema, path):
        if not any(value == o and type(value) is type(o) for o in options):
            self.fail(path, f"{value!r} not in {options}")

    def kw_const(self, value, const, schema, path):
        if value != const or type(value) is not type(const):
            self.fail(path, f"{value!r} != {const!r}")

    def kw_properties(self, value, props, schema, path):
        if isinstance(value, dict):
            for name, sub in props.items():
                if name in value:
                    self.check(value[name], sub, f"{path}.{name}")

    def kw_required(self, value, names, schema, path):
        if isinstance(value, dict):
            for name in names:
                if name not in value:
                    self.fail(path, f"missing required {name!r}")

    def kw_additionalProperties(self, value, sub, schema, path):
        if isinstance(value, dict):
            known = set(schema.get("properties", {}))
            for name, v in value.items():
                if name in known:
                    continue
                if sub is False:
                    self.fail(path, f"unexpected property {name!r}")
                elif isinstance(sub, dict):
                    self.check(v, sub, f"{path}.{name}")

    def kw_propertyNames(self, value, sub, schema, path):
        if isinstance(value, dict):
            for name in value:
                self.check(name, sub, f"{path}[name {name!r}]")

    def kw_items(self, value, sub, schema, path):
        if isinstance(value, list):
            for i, v in enumerate(value):
                self.check(v, sub, f"{path}[{i}]")

    def kw_minItems(self, value, n, schema, path):
        if isinstance(value, list) and len(value) < n:
            self.fail(path, f"fewer than {n} items")

    def kw_maxItems(self, value, n, schema, path):
        if isinstance(value, list) and len(value) > n:
            self.fail(path, f"more than {n} items")

    def kw_minimum(self, value, n, schema, path):
        if TYPES["number"](value) and value < n:
            self.fail(path, f"{value} < {n}")

    def kw_maximum(self, value, n, schema, path):
        if TYPES["number"](value) and value > n:
            self.fail(path, f"{value} > {n}")

    def kw_minLength(self, value, n, schema, path):
        if isinstance(value, str) and len(value) < n:
            self.fail(path, f"shorter than {n}")

    def kw_pattern(self, value, pattern, schema, path):
        if isinstance(value, str) and not re.search(pattern, value):
            self.fail(path, f"{value!r} does not match {pattern}")


def validate(doc):
    with open(schema_path()) as f:
        schema = json.load(f)
    v = Validator(schema)
    return v.check(doc, schema)


class ValidatorSelfTest(harness.DaemonTestCase):
    """The checker must be able to fail: broken documents are rejected."""

    def test_rejects_broken_documents(self):
        good = {"schema": "asyncdemo-bench/1", "tool": "asyncdemoctl", "version": "0.1.0", "command": "bench",
                "started": "2026-11-24T17:30:00.123Z", "options": {}, "runs": [], "comparisons": []}
        self.assertEqual(validate(good), [])
        for mutate in (lambda d: d.pop("runs"),
                       lambda d: d.update(schema="asyncdemo-bench/2"),
                       lambda d: d.update(command="stats"),
                       lambda d: d.update(started="yesterday"),
                       lambda d: d.update(runs=[{"name": "x"}]),
                       lambda d: d.update(options={"requests": -1}),
                       lambda d: d.update(tool="")):
            doc = json.loads(json.dumps(good))
            mutate(doc)
            self.assertNotEqual(validate(doc), [], doc)


class JsonDocumentTest(harness.SharedDaemonTestCase):
    def run_json(self, *args):
        proc = ctl(*args, "--json")
        self.assertIn(proc.returncode, (0, 1), proc)
        doc = json.loads(proc.stdout)
        self.assertEqual(validate(doc), [])
        return doc

    def test_bench_lesson_document(self):
        doc = self.run_json("bench", "--url", self.daemon.base_url, "--delay", "0.1")
        self.assertEqual(doc["command"], "bench")
        self.assertEqual(doc["tool"], "asyncdemoctl")
        if harness.expected_version():
            self.assertEqual(doc["version"], harness.expected_version())
        self.assertEqual(doc["options"]["endpoints"], ["/blocking", "/non-blocking", "/offload"])
        self.assertEqual(len(doc["runs"]), 3)
        for run in doc["runs"]:
            hist = run["latency"]["histogram"]
            self.assertEqual(hist["count"], run["ok"])
            self.assertEqual(sum(c for _, c in hist["buckets"]), hist["count"])

    def test_bench_load_document_with_errors_and_open_model(self):
        doc = self.run_json("bench", "--url", self.daemon.base_url, "--endpoint", "/non-blocking?delay=0", "--endpoint",
                            "/missing", "-n", 30, "-c", 3, "--rate", 300)
        runs = doc["runs"]
        self.assertEqual([r["name"] for r in runs], ["/non-blocking", "/missing"])
        self.assertEqual(runs[1]["errors"]["status"], 30)
        self.assertEqual(runs[0]["rate"], 300)
        self.assertEqual(doc["options"]["rate"], 300)

    def test_compare_document(self):
        doc = self.run_json("compare", self.daemon.url("/delay/0.1"), "-n", 2)
        self.assertEqual(doc["command"], "compare")
        self.assertEqual(doc["options"]["modes"], ["sequential", "async", "threads", "processes"])
        self.assertEqual(len(doc["comparisons"]), 3)


if __name__ == "__main__":
    harness.main()
