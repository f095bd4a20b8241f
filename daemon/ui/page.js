/*
 * The page's behaviour: runs the lesson (count requests at once to each endpoint, one endpoint after the
 * other), draws each request as a row whose bar grows while it waits, then shows it held / queued /
 * served from the answer's own timestamps (lesson.js computes, this file draws), and keeps the live
 * panel fed from /events. It only ever GETs the daemon's own endpoints. State for tests: window.asyncdemo.
 */
"use strict";
(function () {
  var L = AsyncdemoLesson;
  var $ = function (id) { return document.getElementById(id); };
  var state = window.asyncdemo = { running: false, done: false, runs: [], verdict: null, messages: 0, last: null,
                                   series: [], info: null, limit: L.HTTP1_CONNECTIONS, streamOpen: false };
  var defaults = { count: 5, delay: 2, maxDelay: 30 };

  function protocol() {
    var nav = performance.getEntriesByType("navigation")[0];
    return nav && nav.nextHopProtocol ? nav.nextHopProtocol : "http/1.1";
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  /* ---- version and settings (/stats) ---- */

  function showInfo(s) {
    state.info = s;
    defaults.maxDelay = s.config.max_delay_seconds;
    defaults.delay = Math.min(defaults.delay, defaults.maxDelay);
    $("version").textContent = s.version;
    $("settings").textContent = "· " + s.threads + (s.threads === 1 ? " event loop" : " event loops") +
      " · " + s.config.pool_size + " offload workers · delays up to " + s.config.max_delay_seconds + " s" +
      " · stall threshold " + L.fmt(s.config.stall_threshold_seconds) + " s · pid " + s.pid;
    $("delay").max = String(s.config.max_delay_seconds);
    $("runs").classList.toggle("several-loops", s.threads > 1); // room for each row's "on loop-N"
    if (s.threads > 1)
      $("settings").textContent += " (with several loops, /blocking stalls only the loop a connection landed on)";
  }

  /* ---- the browser's connection limit, explained ---- */

  function explainLimit() {
    var count = Number($("count").value);
    var proto = protocol();
    state.limit = L.connectionLimit(proto, state.streamOpen);
    var note = $("limit-note");
    if (!isFinite(state.limit)) {
      note.textContent = "This page came over " + proto + ": all requests share one connection, so the browser holds none back.";
    } else {
      note.textContent = "This page came over " + proto.toUpperCase() + ", where a browser opens at most " +
        L.HTTP1_CONNECTIONS + " connections to one server" + (state.streamOpen ? " and the live panel holds one" : "") +
        ": at most " + state.limit + " requests are on the wire at once. (The daemon speaks HTTP/2 only in cleartext, " +
        "which browsers do not use.)";
      if (count > state.limit)
        note.textContent += " With " + count + " requests, " + (count - state.limit) + " wait inside the browser until an " +
          "answer frees a connection: their bars show that wait with dots, not as queueing in the server.";
    }
    note.classList.toggle("warn", isFinite(state.limit) && count > state.limit);
  }

  /* ---- the lesson ---- */

  var axis = 1; // seconds across a bar's track, the same for every run of a lesson

  function place(seg, from, len) {
    seg.style.left = (100 * Math.max(0, from) / axis) + "%";
    seg.style.width = (100 * Math.max(0, len) / axis) + "%";
  }

  function makeRun(ep, count) {
    var box = el("section", "run");
    box.setAttribute("aria-label", ep + " run");
    box.appendChild(el("h3", null, ep));
    var list = el("ol", "rows");
    var rows = [];
    for (var i = 0; i < count; i++) {
      var li = el("li", "row");
      li.appendChild(el("span", "row-label", "#" + (i + 1)));
      var track = el("span", "track");
      track.setAttribute("aria-hidden", "true");
      var segs = { held: el("span", "seg seg-held"), queued: el("span", "seg seg-queued"),
                   served: el("span", "seg seg-served"), waiting: el("span", "seg seg-waiting") };
      Object.keys(segs).forEach(function (k) { track.appendChild(segs[k]); });
      li.appendChild(track);
      var text = el("span", "row-text", "waiting");
      li.appendChild(text);
      list.appendChild(li);
      rows.push({ li: li, segs: segs, text: text, sendMs: null, recvMs: null, answer: null, error: null });
    }
    box.appendChild(list);
    var total = el("p", "run-total");
    box.appendChild(total);
    $("runs").appendChild(box);
    return { ep: ep, box: box, list: list, rows: rows, total: total, t0: 0 };
  }

  function drawWaiting(run, nowMs) {
    run.rows.forEach(function (r) {
      if (r.sendMs == null || r.recvMs != null) return;
      var t = (nowMs - run.t0) / 1000;
      if (t > axis) { axis = t * 1.25; redrawAll(); }
      place(r.segs.waiting, r.sendMs / 1000, t - r.sendMs / 1000);
      r.text.textContent = "waiting " + t.toFixed(1) + " s";
    });
  }

  function drawFinal(run) {
    var laid = L.layoutRun(run.rows, state.limit);
    run.laid = laid;
    var end = Math.max.apply(null, laid.map(function (o) { return o.ok ? o.end : 0; }));
    if (end > axis) { // one axis for every run: widen it and draw them all again
      axis = end * 1.1;
      redrawAll();
      return;
    }
    laid.forEach(function (o, i) {
      var r = run.rows[i];
      r.segs.waiting.hidden = true;
      if (!o.ok) {
        r.li.classList.add("failed");
        r.text.textContent = "failed: " + r.error;
        return;
      }
      place(r.segs.held, o.send, o.held);
      place(r.segs.queued, o.release, o.queued);
      place(r.segs.served, o.start, o.served);
      var parts = [];
      if (o.held > 0.001) parts.push("held " + L.fmt(o.held) + " s");
      parts.push("queued " + L.fmt(o.queued) + " s", "served " + L.fmt(o.served) + " s");
      // With several loops the rows form one staircase per loop: say which loop each row's is.
      var where = state.info && state.info.threads > 1 ? " on " + o.answer.thread : "";
      r.text.textContent = parts.join(" · ") + where;
      r.li.setAttribute("aria-label", "Request " + o.index + ": " + parts.join(", ") + ", on " + o.answer.thread);
    });
    L.drawOrder(laid).forEach(function (o) { run.list.appendChild(run.rows[o.index - 1].li); });
    var t = L.runTotals(laid);
    run.totals = t;
    run.total.textContent = run.ep + ": all " + run.rows.length + " answered after " + L.fmt(t.wall) + " s" +
      (t.failed ? " (" + t.failed + " failed)" : "") + (t.held ? "; some waited in the browser for a connection" : "");
  }

  function redrawAll() {
    state.runs.forEach(function (run) { if (run.laid) drawFinal(run); });
  }

  function oneRequest(run, r, url) {
    r.sendMs = performance.now() - run.t0;
    return fetch(url, { cache: "no-store" }).then(function (res) {
      return res.json().then(function (body) {
        r.recvMs = performance.now() - run.t0;
        if (res.ok) r.answer = body; else r.error = res.status + " " + (body.error || "");
      });
    }).catch(function (e) {
      r.recvMs = performance.now() - run.t0;
      r.error = String(e && e.message || e);
    });
  }

  function runEndpoint(ep, count, delay) {
    var run = makeRun(ep, count);
    state.runs.push(run);
    $("status").textContent = "Running " + ep + ": " + count + " requests of " + delay + " s at once.";
    run.t0 = performance.now();
    var url = ep + "?delay=" + encodeURIComponent(String(delay));
    var pending = run.rows.map(function (r) { return oneRequest(run, r, url); });
    var ticking = true;
    (function frame(now) {
      if (!ticking) return;
      drawWaiting(run, now);
      requestAnimationFrame(frame);
    })(performance.now());
    return Promise.all(pending).then(function () { ticking = false; drawFinal(run); });
  }

  function runLesson(settings) {
    if (state.running) return Promise.resolve();
    state.running = true;
    state.done = false;
    state.runs = [];
    state.verdict = null;
    $("runs").textContent = "";
    $("verdict").textContent = "";
    $("run").disabled = true;
    explainLimit();
    axis = Math.max(0.5, settings.delay * (settings.endpoints.indexOf("/blocking") >= 0 ? settings.count : 1) * 1.1 + 0.2);
    var chain = Promise.resolve();
    settings.endpoints.forEach(function (ep) {
      chain = chain.then(function () { return runEndpoint(ep, settings.count, settings.delay); });
    });
    return chain.then(function () {
      var totals = {};
      state.runs.forEach(function (run) { totals[run.ep] = run.totals; });
      var v = L.verdict(totals);
      state.verdict = v;
      $("verdict").textContent = v ? v.text + "." : "";
      $("status").textContent = "Done: " + state.runs.map(function (run) {
        return run.ep + " " + L.fmt(run.totals.wall) + " s";
      }).join(", ") + ".";
      state.running = false;
      state.done = true;
      $("run").disabled = false;
    });
  }

  function formSettings() {
    var eps = Array.prototype.filter.call(document.querySelectorAll("input[name=endpoint]"), function (c) { return c.checked; })
      .map(function (c) { return c.value; });
    var q = "?count=" + $("count").value + "&delay=" + $("delay").value + "&endpoints=" + eps.join(",");
    return L.parseSettings(q, defaults);
  }

  /* ---- the live panel (/events) ---- */

  /* A stall's label goes on the highest bar of its neighbourhood only, so labels do not overlap. */
  function isPeak(series, i) {
    for (var j = Math.max(0, i - 3); j <= Math.min(series.length - 1, i + 3); j++) {
      if (j !== i && series[j].stall && (series[j].lag > series[i].lag || (series[j].lag === series[i].lag && j > i)))
        return false;
    }
    return true;
  }

  function drawChart() {
    var g = $("lag-bars"), ns = "http://www.w3.org/2000/svg";
    var threshold = state.last ? state.last.stall_threshold_seconds : 0.1;
    var top = Math.max(threshold * 2, Math.max.apply(null, state.series.map(function (p) { return p.lag; }).concat([0])));
    var h = 170, w = 640 / 60;
    while (g.firstChild) g.removeChild(g.firstChild);
    var now = state.series.length ? state.series[state.series.length - 1].t : 0;
    // By time, 60 s across: a point ends at its message's time; a stall spans its length (the loop
    // sent nothing while it was blocked).
    state.series.forEach(function (p, i) {
      var bh = Math.max(1, h * p.lag / top);
      var span = p.stall ? Math.max(1, p.lag) : 1;
      var x1 = Math.max(0, 640 - (now - p.t) * w), x0 = Math.max(0, x1 - span * w);
      var r = document.createElementNS(ns, "rect");
      r.setAttribute("x", String(x0 + 1));
      r.setAttribute("width", String(Math.max(1, x1 - x0 - 2)));
      r.setAttribute("y", String(180 - bh));
      r.setAttribute("height", String(bh));
      r.setAttribute("class", p.stall ? "lag-bar stall" : "lag-bar");
      g.appendChild(r);
      if (p.stall && p.endpoint && isPeak(state.series, i)) {
        var t = document.createElementNS(ns, "text"), x = (x0 + x1) / 2;
        t.setAttribute("x", String(x));
        t.setAttribute("y", String(Math.max(14, 176 - bh)));
        t.setAttribute("text-anchor", x > 560 ? "end" : x < 80 ? "start" : "middle");
        t.setAttribute("class", "stall-label");
        t.textContent = p.endpoint;
        g.appendChild(t);
      }
    });
    var ty = 180 - h * threshold / top;
    $("lag-threshold").setAttribute("y1", String(ty));
    $("lag-threshold").setAttribute("y2", String(ty));
    $("lag-threshold-label").setAttribute("y", String(ty - 4));
    $("lag-threshold-label").textContent = "stall threshold " + L.fmt(threshold) + " s";
    $("lag-top-label").textContent = "lag " + L.fmt(top) + " s";
    $("lag-desc").textContent = L.lagSummary(state.series, threshold);
  }

  function onMessage(ev) {
    var m = JSON.parse(ev.data);
    state.messages++;
    state.last = m;
    Array.prototype.forEach.call(document.querySelectorAll("#in-flight td"), function (td) {
      td.textContent = String(m.in_flight[td.getAttribute("data-ep")]);
    });
    $("rps").textContent = String(m.requests_per_second);
    $("pool-busy").textContent = m.offload.busy + " of " + m.offload.size;
    $("pool-queued").textContent = String(m.offload.queued);
    $("clients").textContent = m.events.clients + " (at most " + m.events.max_clients + ")";
    state.series = L.pushPoint(state.series, L.lagPoint(m), 60);
    drawChart();
    $("live-state").textContent = "Live from /events, once a second (" + m.loops.length +
      (m.loops.length === 1 ? " event loop" : " event loops") + ", up " + Math.round(m.uptime_seconds) + " s).";
  }

  function connectEvents() {
    var es = new EventSource("/events");
    es.onopen = function () { state.streamOpen = true; explainLimit(); };
    es.onmessage = onMessage;
    es.onerror = function () {
      state.streamOpen = es.readyState !== EventSource.CLOSED;
      $("live-state").textContent = es.readyState === EventSource.CLOSED ?
        "The live stream was refused or ended (see /events); reload to retry." : "Reconnecting to /events...";
    };
  }

  /* ---- start ---- */

  $("run-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!document.querySelector("input[name=endpoint]:checked")) {
      $("status").textContent = "Choose at least one endpoint.";
      return;
    }
    runLesson(formSettings());
  });
  $("count").addEventListener("input", explainLimit);
  // Counted as open from the start: the stream takes one of the browser's connections as it connects.
  state.streamOpen = true;
  connectEvents();
  fetch("/stats", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (s) {
    showInfo(s);
    var settings = L.parseSettings(location.search, defaults);
    $("count").value = String(settings.count);
    $("delay").value = String(settings.delay);
    Array.prototype.forEach.call(document.querySelectorAll("input[name=endpoint]"), function (c) {
      c.checked = settings.endpoints.indexOf(c.value) >= 0;
    });
    explainLimit();
    if (settings.run) runLesson(settings);
  }).catch(function (e) {
    $("status").textContent = "Cannot read /stats: " + e;
  });
})();
