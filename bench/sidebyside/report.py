"""The side-by-side report: targets judged from the raw figures, Markdown with tables, SVG plots.
Pure functions of the results document, except write() (files) and the plots (matplotlib)."""

import os
import statistics

med = statistics.median


def paired_ratio(a, b, key):
    """Median over repetitions of a[i][key] / b[i][key]: contenders measured in the same repetition."""
    ratios = [x[key] / y[key] for x, y in zip(a, b) if y.get(key)]
    return med(ratios) if ratios else None


CLIENTS = ("h2load", "asyncdemoctl bench")  # the C10K bursts' clients; the targets are judged on the first


def at_n(runs, n, client="h2load"):
    """The bursts of n requests from client (results written before the client was recorded: h2load)."""
    return [r for r in runs if r["n"] == n and r.get("client", "h2load") == client]


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def target(name, goal, figure, met, command):
    return {"target": name, "goal": goal, "figure": figure, "met": met, "command": command}


def lesson_targets(lesson):
    rows = []
    for server, runs in lesson.items():
        for ep in runs[0]["totals"]:
            vals = [r["totals"][ep] for r in runs]
            lo, hi = (9.5, 11.0) if ep == "/blocking" else (1.9, 2.5)
            rows.append(target(f"lesson: {server} {ep}, 5 x 2 s", f"~{'10' if ep == '/blocking' else '2'} s",
                               f"{med(vals):.2f} s", lo <= med(vals) <= hi and all(r["ok"][ep] == 5 for r in runs),
                               runs[0]["command"]))
    return rows


def c10k_targets(scaling):
    """Judged on h2load's bursts (a third party's client); asyncdemoctl bench's are shown in the scaling
    table beside them."""
    a, s = at_n(scaling.get("asyncdemod", []), 10000), at_n(scaling.get("seed", []), 10000)
    if not a:
        return []
    wall = med(r["wall_s"] for r in a)
    per_conn = med(r["bytes_per_conn"] for r in a)
    ok = all(r["status_2xx"] == 10000 for r in a)
    rows = [target("C10K wall time, absolute (h2load)", "<= 2.4 s", f"{wall:.2f} s", wall <= 2.4 and ok,
                   a[0]["command"]),
            target("C10K memory per delayed connection (peak - idle RSS) / N", "<= 5 KB",
                   f"{per_conn / 1000:.2f} KB ({per_conn:,.0f} bytes)", per_conn <= 5000, a[0]["command"])]
    if s:
        ratio = paired_ratio(a, s, "wall_s")
        rows.insert(0, target("C10K wall time vs the seed server (h2load)", "<= 0.5x",
                              f"{ratio:.3f}x ({wall:.2f} s vs {med(r['wall_s'] for r in s):.2f} s)",
                              ratio <= 0.5 and ok, a[0]["command"]))
    n = at_n(scaling.get("nginx+echo", []), 10000)
    if n:  # issue 13: nginx with the echo module, one worker, answers of the same size
        ratio = paired_ratio(a, n, "wall_s")
        rows.append(target("C10K wall time vs nginx+echo (h2load)", "<= 1.0x",
                           f"{ratio:.3f}x ({wall:.2f} s vs {med(r['wall_s'] for r in n):.2f} s)",
                           ratio <= 1.0 and ok, a[0]["command"]))
        ratio = paired_ratio(a, n, "bytes_per_conn")
        if ratio is not None:  # None: nginx's memory was not read in any repetition
            rows.append(target("C10K memory per waiting connection vs nginx+echo", "<= 0.6x",
                               f"{ratio:.3f}x ({per_conn / 1000:.2f} KB vs "
                               f"{med(r['bytes_per_conn'] for r in n if r.get('bytes_per_conn')) / 1000:.2f} KB)",
                               ratio <= 0.6, a[0]["command"]))
    return rows


def throughput_targets(tp):
    r = tp["runs"]
    z, st, seed, h2o, nginx = (r.get(k, []) for k in ("asyncdemod zero-delay", "asyncdemod /stats",
                                                        "seed zero-delay", "h2o static file", "nginx return 200"))
    rows = []
    for name, a, b, goal, lim in (("zero-delay throughput vs the seed server", z, seed, ">= 10x", 10.0),
                                  ("zero-delay throughput vs standalone h2o", z, h2o, ">= 0.85x", 0.85),
                                  ("zero-delay throughput vs nginx return 200", z, nginx, ">= 1.0x", 1.0),
                                  ("/stats throughput vs zero-delay", st, z, ">= 0.70x", 0.70)):
        if a and b:
            ratio = paired_ratio(a, b, "rps")
            figure = f"{ratio:.3f}x ({med(x['rps'] for x in a):,.0f} vs {med(x['rps'] for x in b):,.0f} req/s)"
            if all(x.get("server_cpu_us_per_answer") for x in a + b):  # runs before this figure lack it
                figure += f"; server CPU per answer {paired_ratio(a, b, 'server_cpu_us_per_answer'):.2f}x"
            rows.append(target(name, goal, figure, ratio >= lim and all(x["non_2xx"] == 0 for x in a),
                               a[0]["command"]))
    return rows


def loadgen_targets(lg):
    ctl, wrk, hey = lg.get("asyncdemoctl bench", []), lg.get("wrk", []), lg.get("hey", [])
    rows = []
    if ctl and wrk:
        ratio = paired_ratio(ctl, wrk, "rps")
        rows.append(target("asyncdemoctl bench req/s vs wrk", ">= 0.90x", f"{ratio:.3f}x", ratio >= 0.9,
                           ctl[0]["command"]))
    if ctl and hey:
        ratio = paired_ratio(ctl, hey, "rps")
        rows.append(target("asyncdemoctl bench req/s vs hey", ">= 1.5x", f"{ratio:.3f}x", ratio >= 1.5,
                           ctl[0]["command"]))
        a, b = med(x["cpu_s_per_100k"] for x in ctl), med(x["cpu_s_per_100k"] for x in hey)
        rows.append(target("asyncdemoctl bench CPU per request vs hey", "<= hey's",
                           f"{a:.2f} vs {b:.2f} CPU s per 100k requests", a <= b, ctl[0]["command"]))
    return rows


def outbound_targets(ob):
    runs = ob.get("1000", {}).get("asyncdemoctl compare async", [])
    if not runs:
        return [target("compare -n 1000 async within 10% of the 1 s delay", "<= 1.10 s", "not measured", None, "")]
    e = med(r["elapsed_s"] for r in runs)
    seed = ob["1000"].get("seed async (aiohttp)", [])
    beside = f"; seed aiohttp script {med(r['elapsed_s'] for r in seed):.2f} s" if seed else ""
    return [target("compare -n 1000 async within 10% of the 1 s delay", "<= 1.10 s", f"{e:.3f} s{beside}",
                   e <= 1.10 and all(r["ok"] == 1000 for r in runs), runs[0]["command"])]


def nonempty(d):
    """A comparison's contenders that have at least one run (a failure or an interrupt may leave none)."""
    return {k: v for k, v in d.items() if v}


def clean(results):
    """The results with contenders (and outbound sizes) that have no runs left out."""
    out = {}
    for key, val in results.items():
        if key == "throughput":
            runs = nonempty(val.get("runs", {}))
            val = {**val, "runs": runs} if runs else {}
        elif key == "outbound":
            val = nonempty({n: nonempty(cases) for n, cases in val.items()})
        else:
            val = nonempty(val)
        if val:
            out[key] = val
    return out


# The issue's targets, listed whether measured or not.
ISSUE_TARGETS = (
    ("C10K wall time vs the seed server (h2load)", "<= 0.5x"),
    ("C10K wall time, absolute (h2load)", "<= 2.4 s"),
    ("C10K memory per delayed connection (peak - idle RSS) / N", "<= 5 KB"),
    ("zero-delay throughput vs the seed server", ">= 10x"),
    ("zero-delay throughput vs standalone h2o", ">= 0.85x"),
    ("zero-delay throughput vs nginx return 200", ">= 1.0x"),
    ("C10K wall time vs nginx+echo (h2load)", "<= 1.0x"),
    ("C10K memory per waiting connection vs nginx+echo", "<= 0.6x"),
    ("/stats throughput vs zero-delay", ">= 0.70x"),
    ("asyncdemoctl bench req/s vs wrk", ">= 0.90x"),
    ("asyncdemoctl bench req/s vs hey", ">= 1.5x"),
    ("asyncdemoctl bench CPU per request vs hey", "<= hey's"),
    ("compare -n 1000 async within 10% of the 1 s delay", "<= 1.10 s"),
)


def evaluate(doc):
    res = clean(doc["results"])
    rows = []
    for key, fn in (("lesson", lesson_targets), ("scaling", c10k_targets), ("throughput", throughput_targets),
                    ("loadgen", loadgen_targets), ("outbound", outbound_targets)):
        if key in res:
            rows += fn(res[key])
    have = {r["target"] for r in rows}
    rows += [target(name, goal, "not measured", None, "") for name, goal in ISSUE_TARGETS if name not in have]
    return rows


# ---------------------------------------------------------------------------------------------------
# Markdown


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def each(runs, key, spec):
    return " / ".join(fmt(r[key], spec) for r in runs)


def md_targets(doc):
    rows = [[t["target"], t["goal"], t["figure"], {True: "met", False: "**missed**", None: "-"}[t["met"]],
             f"`{t['command']}`" if t["command"] else ""] for t in doc["targets"]]
    return table(["target", "goal", "measured (median)", "", "command"], rows)


def md_lesson(lesson):
    rows = []
    for server, runs in lesson.items():
        for ep in runs[0]["totals"]:
            rows.append([server, ep, " / ".join(f"{r['totals'][ep]:.2f}" for r in runs),
                         f"{med(r['totals'][ep] for r in runs):.2f} s",
                         f"{sum(r['ok'][ep] for r in runs)}/{5 * len(runs)}"])
    return table(["server", "endpoint", "total per run (s)", "median", "200s"], rows)


def md_scaling(sc):
    rows = []
    ns = sorted({r["n"] for runs in sc.values() for r in runs})
    for n in ns:
        for client in CLIENTS:
            a, s = at_n(sc.get("asyncdemod", []), n, client), at_n(sc.get("seed", []), n, client)
            g = at_n(sc.get("nginx+echo", []), n, client)
            for name, runs in (("asyncdemod", a), ("seed", s), ("nginx+echo", g)):
                if runs:
                    rows.append([f"{n:,}", client, name, each(runs, "wall_s", ".2f"),
                                 f"{med(r['wall_s'] for r in runs):.2f} s", f"{min(r['status_2xx'] for r in runs):,}",
                                 f"{med(r['rss_idle_mb'] for r in runs):.1f}",
                                 f"{med(r['rss_peak_mb'] for r in runs):.1f}",
                                 f"{med(r['bytes_per_conn'] for r in runs):,.0f}",
                                 f"{med(r['server_cpu_s'] for r in runs):.2f}"])
            if a and s:
                rows.append(["", "", "ratio asyncdemod/seed", "", f"{paired_ratio(a, s, 'wall_s'):.2f}x", "", "",
                             f"{paired_ratio(a, s, 'rss_peak_mb'):.2f}x", "",
                             f"{paired_ratio(a, s, 'server_cpu_s'):.2f}x" if all(r["server_cpu_s"] for r in s)
                             else "-"])
    return table(["N", "client", "server", "wall per run (s)", "wall median", "2xx (worst run)", "idle RSS MB",
                  "peak RSS MB", "bytes per connection", "server CPU s"], rows)


def md_waits(c10k):
    rows = []
    for name, runs in c10k.items():
        rows.append([name, f"{min(r['status_200'] for r in runs):,}", each(runs, "wall_s", ".2f"),
                     f"{min(r['wait_min_s'] for r in runs):.4f}", f"{med(r['wait_p50_s'] for r in runs):.4f}",
                     f"{med(r['wait_p90_s'] for r in runs):.4f}", f"{med(r['wait_p99_s'] for r in runs):.4f}",
                     f"{max(r['wait_max_s'] for r in runs):.4f}", each(runs, "over_2_050", "d")])
    return table(["server", "200s (worst run)", "client wall (s)", "wait min", "p50", "p90", "p99", "max",
                  "waits > 2.050 s"], rows)


def md_rps(runs_by_name, extra_cols=()):
    rows = []
    for name, runs in runs_by_name.items():
        row = [name, each(runs, "rps", ",.0f"), f"{med(r['rps'] for r in runs):,.0f}"]
        for key, spec in extra_cols:
            vals = [r[key] for r in runs if r.get(key) is not None]
            row.append(format(med(vals), spec) if vals else "-")
        row.append(f"`{runs[0]['command']}`")
        rows.append(row)
    return rows


def md_throughput(tp):
    rows = md_rps(tp["runs"], (("server_cpu_s", ".2f"), ("server_cpu_us_per_answer", ".2f")))
    return table(["contender", "req/s per run", "median req/s", "server CPU s", "server CPU us per answer",
                  "command"], rows)


def md_loadgen(lg):
    rows = md_rps(lg, (("cpu_s", ".2f"), ("cpu_s_per_100k", ".2f"), ("server_cpu_s", ".2f"),
                       ("tool_maxrss_mb", ".1f")))
    return table(["load generator", "req/s per run", "median req/s", "tool CPU s", "tool CPU s / 100k req",
                  "daemon CPU s", "tool peak RSS MB", "command"], rows)


def md_outbound(ob):
    rows = []
    for n, cases in ob.items():
        best = min(med(r["elapsed_s"] for r in runs) for runs in cases.values())
        for name, runs in cases.items():
            e = med(r["elapsed_s"] for r in runs)
            rows.append([n, name, each(runs, "elapsed_s", ".3f"), f"{e:.3f} s", f"{e / best:.2f}x",
                         f"{min(r['ok'] for r in runs)}/{n}", f"{med(r['cpu_s'] for r in runs):.2f}",
                         f"{med(r['maxrss_mb'] for r in runs):.1f}"])
    return table(["n", "contender", "elapsed per run (s)", "median", "vs fastest", "ok (worst run)", "CPU s",
                  "peak RSS MB"], rows)


SECTIONS = (
    ("lesson", "1. The lesson: 5 x 2 s per endpoint",
     "The seed's client (`bench/seed/client.py`, aiohttp, 5 parallel requests) against each server.", md_lesson),
    ("c10k", "2. C10K: every answer's own wait",
     "10,000 concurrent `/non-blocking?delay=2` from the daemon benchmark's client (one socket per request, "
     "`Connection: close`), which reads every answer's `waited_seconds`. Wall time, RSS and CPU of the same "
     "load are in the scaling table (N = 10,000).", md_waits),
    ("scaling", "3. Scaling: N concurrent delayed requests",
     "`h2load --h1 -t2 -nN -cN URL/non-blocking?delay=2` on a fresh server per run, and at N = 10,000 "
     "`asyncdemoctl bench` too (`-n 10000 -c 10000`; shown beside h2load, the targets are judged on h2load); "
     "peak RSS is the server's VmHWM, idle RSS its VmRSS before the load, CPU its utime+stime during the "
     "load. A burst's wall time is 2 s plus the client's time to open its connections and send (see "
     "bench/README.md).", md_scaling),
    ("throughput", "4. Throughput (wrk, 64 connections)",
     "One server each, all started together, measured in turn. h2o serves a file as long as asyncdemod's "
     "zero-delay answer, with one thread like asyncdemod's default.", md_throughput),
    ("loadgen", "5. Load generators against `/non-blocking?delay=0` (64 connections)",
     "CPU seconds and peak RSS are the tool's own, as `/usr/bin/time` reports them (user + system).", md_loadgen),
    ("outbound", "6. Outbound: asyncdemoctl compare vs the seed's scripts against `/delay/1`",
     "Sequential contenders run at n = 5 only (n x 1 s); the seed's process-per-request script up to "
     "n = 100. aiohttp's default connector allows 100 connections at once, so the seed's async script "
     "needs n / 100 rounds.", md_outbound),
)


def write(doc, outdir):
    plots = {}
    try:
        plots = make_plots(doc, outdir)
    except ImportError as exc:  # matplotlib missing: tables only
        doc["errors"]["plots"] = str(exc)
    cfg = doc["config"]
    m = doc["machine"]
    lines = [f"# asyncdemo side by side ({doc['mode']}, {doc['when']})", "",
             f"Command: `{doc['command']}`  ", f"Repetitions: {cfg['runs']}, each contender alternating (order "
             f"reversed on every other repetition); medians; ratios are the median of each repetition's ratio.  ",
             f"Machine: {m['cpus']} CPUs, {m['cpu_model']}, Linux {m['kernel']}, load average at start "
             f"{', '.join(f'{x:.2f}' for x in m['load_avg_at_start'])}; client and servers share the CPUs.  ",
             f"Versions: {doc['versions']['asyncdemod']}, {doc['versions']['asyncdemoctl']}; "
             + ", ".join(f"{k} {v}" for k, v in doc["versions"]["packages"].items()) + ".  ",
             f"Took {doc['duration_s']:.0f} s.", "", "## Targets", "", md_targets(doc), ""]
    if doc["errors"]:
        lines += ["## Errors", ""] + [f"- {k}: `{v.strip().splitlines()[0] if v.strip() else v}`"
                                      for k, v in doc["errors"].items()] + [""]
    res = clean(doc["results"])
    for key, title, text, fn in SECTIONS:
        if key not in res:
            continue
        lines += [f"## {title}", "", text, "", fn(res[key]), ""]
        if key in plots:
            lines += [f"![{title}]({plots[key]})", ""]
    path = os.path.join(outdir, "report.md")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return path


def summary_text(doc):
    out = ["", "side by side: targets"]
    for t in doc["targets"]:
        verdict = {True: "met", False: "MISSED", None: "-"}[t["met"]]
        out.append(f"  {verdict:<7} {t['target']}: {t['figure']} (goal {t['goal']})")
    for k, v in doc["errors"].items():
        out.append(f"  ERROR   {k}: {v.strip().splitlines()[0] if v.strip() else v}")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------------
# plots


def make_plots(doc, outdir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    res, made = clean(doc["results"]), {}
    colors = {"asyncdemod": "tab:blue", "seed": "tab:orange"}

    def save(fig, key):
        name = f"{key}.svg"
        fig.tight_layout()
        fig.savefig(os.path.join(outdir, name))
        plt.close(fig)
        made[key] = name

    if "lesson" in res:
        fig, ax = plt.subplots(figsize=(7, 3.5))
        eps = ["/blocking", "/non-blocking", "/offload"]
        for i, (server, runs) in enumerate(res["lesson"].items()):
            xs = [j + i * 0.38 for j, ep in enumerate(eps) if ep in runs[0]["totals"]]
            ys = [med(r["totals"][ep] for r in runs) for ep in eps if ep in runs[0]["totals"]]
            ax.bar(xs, ys, width=0.36, label=server, color=colors.get(server))
        ax.set_xticks([j + 0.19 for j in range(len(eps))], eps)
        ax.set_ylabel("5 x 2 s requests: total (s)")
        ax.legend()
        save(fig, "lesson")
    if "scaling" in res:
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
        for server, runs in res["scaling"].items():
            ns = sorted({r["n"] for r in runs})
            a1.plot(ns, [med(r["wall_s"] for r in at_n(runs, n)) for n in ns], "o-", label=server,
                    color=colors.get(server))
            a2.plot(ns, [med(r["rss_peak_mb"] for r in at_n(runs, n)) for n in ns], "o-", label=server,
                    color=colors.get(server))
        for ax, label in ((a1, "wall time (s), 2 s delay, h2load"), (a2, "server peak RSS (MB)")):
            ax.set_xscale("log")
            ax.set_xlabel("concurrent requests N")
            ax.set_ylabel(label)
            ax.grid(True, alpha=0.3)
            ax.legend()
        save(fig, "scaling")
    if "c10k" in res:
        fig, ax = plt.subplots(figsize=(7, 4))
        for server, runs in res["c10k"].items():
            q = runs[0]["wait_quantiles"]
            ax.plot(q, [i / (len(q) - 1) for i in range(len(q))], label=server, color=colors.get(server))
        ax.set_xlabel("server-side wait (s), 10,000 concurrent, 2 s delay (first repetition)")
        ax.set_ylabel("fraction of answers")
        ax.grid(True, alpha=0.3)
        ax.legend()
        save(fig, "c10k")
    for key, src in (("throughput", res.get("throughput", {}).get("runs")), ("loadgen", res.get("loadgen"))):
        if src:
            fig, ax = plt.subplots(figsize=(8, 3.5))
            names = list(src)
            ax.barh(names, [med(r["rps"] for r in src[n]) for n in names], color="tab:blue")
            ax.set_xlabel("requests per second (median)")
            ax.invert_yaxis()
            ax.grid(True, axis="x", alpha=0.3)
            save(fig, key)
    if "outbound" in res:
        fig, ax = plt.subplots(figsize=(9, 4.5))
        labels, vals = [], []
        for n, cases in res["outbound"].items():
            for name, runs in cases.items():
                labels.append(f"n={n}: {name}")
                vals.append(med(r["elapsed_s"] for r in runs))
        ax.barh(labels, vals, color=["tab:blue" if "asyncdemoctl" in x else "tab:orange" for x in labels])
        ax.set_xscale("log")
        ax.set_xlabel("elapsed (s), /delay/1, log scale")
        ax.invert_yaxis()
        save(fig, "outbound")
    return made
