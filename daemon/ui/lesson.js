/*
 * The page's figures, as pure functions (no DOM, no network), so that they can be checked on fixed
 * input: tests/integration/page_checks.py evaluates them in each browser. page.js draws what these compute.
 * Times: the client's in milliseconds since a run began (performance.now()), the server's in seconds of
 * its CLOCK_MONOTONIC (started_/finished_monotonic_seconds of each answer, docs/http-api.md). Texts are in
 * the language asked for (text.js; English when none is).
 */
"use strict";
var AsyncdemoLesson = (function () {
  var X = AsyncdemoText;
  var ENDPOINTS = ["/blocking", "/non-blocking", "/offload"];
  // The endpoints that take work=cpu (burn the CPU for the delay instead of sleeping); /non-blocking waits
  // on a timer, which does no work, and the daemon refuses work=cpu there with 400 (docs/http-api.md).
  var CPU_ENDPOINTS = ["/blocking", "/offload"];
  var MAX_COUNT = 20;
  // Browsers open at most this many HTTP/1.1 connections to one host; HTTP/2 multiplexes on one.
  var HTTP1_CONNECTIONS = 6;

  function clamp(v, lo, hi) { return Math.min(hi, Math.max(lo, v)); }

  /* The lesson's settings from the page's query (?run=1&count=5&delay=0.3&endpoints=/blocking,/offload&work=cpu). */
  function parseSettings(search, defaults) {
    var q = new URLSearchParams(search);
    var s = { run: q.get("run") === "1", count: defaults.count, delay: defaults.delay, endpoints: ENDPOINTS.slice(),
              work: q.get("work") === "cpu" ? "cpu" : "sleep" };
    var c = Number(q.get("count"));
    if (q.has("count") && Number.isInteger(c)) s.count = clamp(c, 1, MAX_COUNT);
    var d = Number(q.get("delay"));
    if (q.has("delay") && q.get("delay") !== "" && isFinite(d)) s.delay = clamp(d, 0, defaults.maxDelay);
    if (q.has("endpoints")) {
      var eps = q.get("endpoints").split(",").filter(function (e) { return ENDPOINTS.indexOf(e) >= 0; });
      if (eps.length > 0) s.endpoints = eps;
    }
    return s;
  }

  /* Whether ep's requests burn the CPU under the setting work: only where the daemon has that form. */
  function burnsCpu(ep, work) { return work === "cpu" && CPU_ENDPOINTS.indexOf(ep) >= 0; }

  /* The form a run sends and is named by ("/blocking?work=cpu", "/non-blocking"), and its request's URL. */
  function form(ep, work) { return burnsCpu(ep, work) ? ep + "?work=cpu" : ep; }
  function requestUrl(ep, delay, work) {
    return ep + "?delay=" + encodeURIComponent(String(delay)) + (burnsCpu(ep, work) ? "&work=cpu" : "");
  }

  /*
   * How many of the page's requests can be on the wire at once: over HTTP/1.1 the browser's 6
   * connections to this host, less the one the live panel's stream holds; over HTTP/2 or later, all.
   */
  function connectionLimit(protocol, streamOpen) {
    if (/^h[23]/.test(protocol || "")) return Infinity;
    return HTTP1_CONNECTIONS - (streamOpen ? 1 : 0);
  }

  /*
   * One run's rows on the run's own axis, in seconds. rows[i]: {sendMs, recvMs, answer} (answer: the
   * parsed 200 body, or null when the request failed). A browser sends request k (k >= limit) only when
   * an earlier one has finished and freed a connection: it is "held" until the (k - limit + 1)-th answer.
   * Server times map onto the client axis with the one offset that puts no request's start before it
   * left the browser (the least-queued request defines it), so queued = start - release, from the
   * answers' own timestamps as in asyncdemoctl's timeline.
   */
  function layoutRun(rows, limit) {
    var done = rows.filter(function (r) { return r.recvMs != null; })
      .map(function (r) { return r.recvMs; }).sort(function (a, b) { return a - b; });
    var out = rows.map(function (r, k) {
      var release = r.sendMs;
      if (k >= limit && isFinite(limit)) {
        var freed = done[k - limit];
        release = freed != null ? Math.max(r.sendMs, freed) : r.sendMs;
      }
      return { index: k + 1, release: release / 1000, send: r.sendMs / 1000, recv: r.recvMs == null ? null : r.recvMs / 1000,
               answer: r.answer, held: (release - r.sendMs) / 1000 };
    });
    var offset = -Infinity;
    out.forEach(function (o) {
      if (o.answer) offset = Math.max(offset, o.release - o.answer.started_monotonic_seconds);
    });
    out.forEach(function (o) {
      if (!o.answer) { o.ok = false; return; }
      o.ok = true;
      o.start = o.answer.started_monotonic_seconds + offset;
      o.end = o.answer.finished_monotonic_seconds + offset;
      o.queued = Math.max(0, o.start - o.release);
      o.served = o.answer.finished_monotonic_seconds - o.answer.started_monotonic_seconds;
    });
    return out;
  }

  /*
   * The order a run's rows are drawn in, top to bottom: by the loop that served them (answer.thread),
   * then by when the server began serving them, so that each loop's staircase reads as one (with
   * several loops /blocking stalls only its own). Failed rows are not in it (the page leaves them on top).
   */
  function drawOrder(laid) {
    return laid.filter(function (o) { return o.ok; }).sort(function (a, b) {
      return a.answer.thread.localeCompare(b.answer.thread, "en", { numeric: true }) || a.start - b.start;
    });
  }

  /* The run's figures: wall time from the first send to the last answer (client), and the serving span
   * (server: first start to last finish). */
  function runTotals(laid) {
    var sends = laid.map(function (o) { return o.send; });
    var recvs = laid.filter(function (o) { return o.recv != null; }).map(function (o) { return o.recv; });
    var ok = laid.filter(function (o) { return o.ok; });
    return {
      wall: recvs.length ? Math.max.apply(null, recvs) - Math.min.apply(null, sends) : null,
      span: ok.length ? Math.max.apply(null, ok.map(function (o) { return o.answer.finished_monotonic_seconds; })) -
        Math.min.apply(null, ok.map(function (o) { return o.answer.started_monotonic_seconds; })) : null,
      failed: laid.length - ok.length,
      held: laid.some(function (o) { return o.held > 0.001; })
    };
  }

  function sortedByStart(answers) {
    return answers.slice().sort(function (a, b) { return a.started_monotonic_seconds - b.started_monotonic_seconds; });
  }

  /* Each answer started being served when the one before it finished (within tol seconds): a staircase. */
  function isStaircase(answers, tol) {
    var s = sortedByStart(answers);
    for (var i = 1; i < s.length; i++) {
      if (Math.abs(s[i].started_monotonic_seconds - s[i - 1].finished_monotonic_seconds) > tol) return false;
    }
    return s.length > 1;
  }

  /* Every answer was being served at one same moment: they overlap. */
  function overlapAll(answers) {
    if (answers.length < 2) return false;
    var lastStart = Math.max.apply(null, answers.map(function (a) { return a.started_monotonic_seconds; }));
    var firstEnd = Math.min.apply(null, answers.map(function (a) { return a.finished_monotonic_seconds; }));
    return lastStart < firstEnd;
  }

  /* "/blocking was 5.0x slower than /non-blocking": the slowest run against /non-blocking (or the fastest).
   * totals are keyed by the runs' forms ("/blocking?work=cpu"); /non-blocking has only its plain one. */
  function verdict(totals, lang) {
    var names = Object.keys(totals).filter(function (k) { return totals[k].wall > 0; });
    if (names.length < 2) return null;
    names.sort(function (a, b) { return totals[a].wall - totals[b].wall; });
    var fast = names.indexOf("/non-blocking") >= 0 ? "/non-blocking" : names[0];
    var slow = names[names.length - 1];
    if (slow === fast) slow = names[0];
    var ratio = totals[slow].wall / totals[fast].wall;
    return { slow: slow, fast: fast, ratio: ratio,
             text: X.t(lang, ratio >= 1 ? "verdict_slower" : "verdict_faster",
                       { slow: slow, fast: fast, ratio: ratio.toFixed(1) }) };
  }

  /*
   * One point of the lag chart from an /events message: the worst loop's lag in the last whole second,
   * or, when a loop has not ticked for longer than the stall threshold, that stall as it goes on.
   */
  function lagPoint(msg) {
    var best = { t: msg.uptime_seconds, lag: 0, endpoint: null, thread: null };
    (msg.loops || []).forEach(function (l) {
      var lag = l.lag_seconds, ep = l.stall_endpoint;
      if (l.busy_seconds > msg.stall_threshold_seconds && l.busy_seconds > lag) { lag = l.busy_seconds; ep = null; } // blamed once its late tick comes (pushPoint)
      if (lag > best.lag) best = { t: msg.uptime_seconds, lag: lag, endpoint: ep, thread: l.thread };
    });
    best.stall = best.lag > msg.stall_threshold_seconds;
    return best;
  }

  /*
   * The series with p appended, keeping the points of the last `window` seconds (by their t). When p is
   * a loop's late tick blaming an endpoint, the points just before it that saw that stall in progress
   * (same loop, a stall, nobody blamed yet) are blamed on it too: it was one stall.
   */
  function pushPoint(series, p, window) {
    var out = series.concat([p]).filter(function (q) { return q.t > p.t - window; });
    for (var i = out.length - 2; p.stall && p.endpoint && i >= 0; i--) {
      var q = out[i];
      if (!q.stall || q.endpoint || q.thread !== p.thread) break;
      out[i] = Object.assign({}, q, { endpoint: p.endpoint });
    }
    return out;
  }

  /* The chart's text alternative. */
  function lagSummary(series, threshold, lang) {
    if (!series.length) return X.t(lang, "lag_none");
    var worst = series.reduce(function (a, b) { return b.lag > a.lag ? b : a; });
    var stalls = series.filter(function (p) { return p.stall; }).length;
    var stall = !worst.stall ? "" : worst.endpoint ? X.t(lang, "lag_stall_by", { ep: worst.endpoint }) : X.t(lang, "lag_stall");
    return X.t(lang, "lag_summary", { worst: seconds(worst.lag, lang), stall: stall, stalls: X.t(lang, "n_seconds", { n: stalls }),
                                      threshold: seconds(threshold, lang) });
  }

  /* Seconds for people: 3 significant digits or so, always with a decimal point (never the locale's comma). */
  function fmt(s) { return s >= 10 ? s.toFixed(1) : s >= 1 ? s.toFixed(2) : s.toFixed(3); }

  /* "0.300 s" ("0.300 с"): fmt's figure with the unit of lang. */
  function seconds(s, lang) { return X.t(lang, "seconds", { s: fmt(s) }); }

  return { ENDPOINTS: ENDPOINTS, CPU_ENDPOINTS: CPU_ENDPOINTS, HTTP1_CONNECTIONS: HTTP1_CONNECTIONS,
           parseSettings: parseSettings, burnsCpu: burnsCpu, form: form, requestUrl: requestUrl,
           connectionLimit: connectionLimit, layoutRun: layoutRun, drawOrder: drawOrder, runTotals: runTotals,
           isStaircase: isStaircase, overlapAll: overlapAll, verdict: verdict, lagPoint: lagPoint, pushPoint: pushPoint,
           lagSummary: lagSummary, fmt: fmt, seconds: seconds };
})();
