/*
 * The page's behaviour: runs the lesson (count requests at once to each endpoint, one endpoint after the
 * other), draws each request as a row whose bar grows while it waits, then shows it held / queued /
 * served from the answer's own timestamps (lesson.js computes, this file draws), and keeps the live
 * panel fed from /events. It only ever GETs the daemon's own endpoints. State for tests: window.asyncdemo.
 * Its words come from text.js, in the page's language: the browser's (navigator.languages) until the
 * switch in the header chooses one, which localStorage then remembers.
 */
"use strict";
(function () {
  var L = AsyncdemoLesson, X = AsyncdemoText;
  var $ = function (id) { return document.getElementById(id); };
  var state = window.asyncdemo = { running: false, done: false, runs: [], verdict: null, messages: 0, last: null,
                                   series: [], info: null, limit: L.HTTP1_CONNECTIONS, streamOpen: false, lang: X.DEFAULT };
  var defaults = { count: 5, delay: 2, maxDelay: 30 };
  var LANG_KEY = "asyncdemo.lang"; // localStorage: the language the switch chose

  /* ---- words (text.js) ---- */

  function T(id, params) { return X.t(state.lang, id, params); }
  function sec(s) { return L.seconds(s, state.lang); }

  /*
   * Puts what() in el's text (or its attribute attr) now, and again whenever the language changes: what
   * builds the text in the current language from values it closed over.
   */
  function say(el, what, attr) {
    el._say = el._say || {};
    el._say[attr || ""] = what;
    el.setAttribute("data-said", "");
    el.removeAttribute("data-t"); // a static text no more
    var text = what();
    if (attr) el.setAttribute(attr, text); else el.textContent = text;
  }

  /* el's text from text: each {name} becomes el's child with data-slot="name" (a link, a code), kept. */
  function fill(el, text) {
    var slots = {};
    Array.prototype.forEach.call(el.querySelectorAll("[data-slot]"), function (s) { slots[s.getAttribute("data-slot")] = s; });
    while (el.firstChild) el.removeChild(el.firstChild);
    text.split(/(\{\w+\})/).forEach(function (part) {
      var m = /^\{(\w+)\}$/.exec(part);
      el.appendChild(m && slots[m[1]] ? slots[m[1]] : document.createTextNode(part));
    });
  }

  /* Every text of the page in lang: index.html's by id, then whatever say() put up. */
  function setLanguage(lang) {
    state.lang = lang;
    document.documentElement.lang = lang;
    document.title = "asyncdemo: " + T("heading");
    Array.prototype.forEach.call(document.querySelectorAll("[data-t]"), function (el) { fill(el, T(el.getAttribute("data-t"))); });
    Array.prototype.forEach.call(document.querySelectorAll("[data-t-aria-label]"), function (el) {
      el.setAttribute("aria-label", T(el.getAttribute("data-t-aria-label")));
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-said]"), function (el) {
      Object.keys(el._say).forEach(function (attr) {
        if (attr) el.setAttribute(attr, el._say[attr]()); else el.textContent = el._say[attr]();
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("#lang-switch button"), function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-lang") === lang));
    });
  }

  /* The switch: a button per language, named in its own language; a press is remembered. */
  function makeSwitch() {
    Object.keys(X.LANGUAGES).forEach(function (code) {
      var b = el("button", null, X.LANGUAGES[code].short);
      b.type = "button";
      b.lang = code;
      b.title = X.LANGUAGES[code].name;
      b.setAttribute("aria-label", X.LANGUAGES[code].name);
      b.setAttribute("data-lang", code);
      b.addEventListener("click", function () {
        try { localStorage.setItem(LANG_KEY, code); } catch (e) { /* storage off: this page only */ }
        setLanguage(code);
      });
      $("lang-switch").appendChild(b);
    });
  }

  function initialLanguage() {
    var stored = null;
    try { stored = localStorage.getItem(LANG_KEY); } catch (e) { /* storage off: the browser's language */ }
    if (stored && Object.prototype.hasOwnProperty.call(X.LANGUAGES, stored)) return stored;
    return X.choose(navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language]);
  }

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
    say($("version"), function () { return s.version; });
    say($("settings"), function () {
      return T("settings", { loops: T("n_loops", { n: s.threads }), workers: T("n_workers", { n: s.config.pool_size }),
                             max: T("seconds", { s: s.config.max_delay_seconds }),
                             threshold: T("stall_threshold", { t: sec(s.config.stall_threshold_seconds) }),
                             pid: s.pid }) + (s.threads > 1 ? T("settings_several") : "");
    });
    $("delay").max = String(s.config.max_delay_seconds);
    $("runs").classList.toggle("several-loops", s.threads > 1); // room for each row's "on loop-N"
  }

  /* ---- the browser's connection limit, explained ---- */

  function explainLimit() {
    var count = Number($("count").value);
    var proto = protocol();
    state.limit = L.connectionLimit(proto, state.streamOpen);
    var note = $("limit-note"), limit = state.limit, stream = state.streamOpen;
    say(note, function () {
      if (!isFinite(limit)) return T("limit_h2", { proto: proto });
      var text = T("limit_h1", { proto: proto.toUpperCase(), connections: T("n_connections", { n: L.HTTP1_CONNECTIONS }),
                                 stream: stream ? T("limit_stream") : "", requests: T("n_requests", { n: limit }) }) +
        " " + T("limit_https");
      if (count > limit)
        text += " " + T("limit_over", { requests: T("n_requests", { n: count }), waiting: T("n_wait", { n: count - limit }) });
      return text;
    });
    note.classList.toggle("warn", isFinite(limit) && count > limit);
  }

  /* ---- the lesson ---- */

  var axis = 1; // seconds across a bar's track, the same for every run of a lesson

  function place(seg, from, len) {
    seg.style.left = (100 * Math.max(0, from) / axis) + "%";
    seg.style.width = (100 * Math.max(0, len) / axis) + "%";
  }

  /* A run's section, named by the form it sends ("/blocking?work=cpu"). */
  function makeRun(ep, count, work) {
    var name = L.form(ep, work);
    var box = el("section", "run");
    say(box, function () { return T("run_label", { ep: name }); }, "aria-label");
    box.appendChild(el("h3", null, name));
    if (work === "cpu" && !L.burnsCpu(ep, work)) { // asked for, but this endpoint has no such form: say so
      var note = el("p", "note run-note");
      note.setAttribute("data-t", "run_no_cpu"); // its {ep} and {param} are the <code>s below; setLanguage fills it again
      [["ep", ep], ["param", "work=cpu"]].forEach(function (slot) {
        var c = el("code", null, slot[1]);
        c.setAttribute("data-slot", slot[0]);
        note.appendChild(c);
      });
      fill(note, T("run_no_cpu"));
      box.appendChild(note);
    }
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
      var text = el("span", "row-text");
      say(text, function () { return T("row_waiting"); });
      li.appendChild(text);
      list.appendChild(li);
      rows.push({ li: li, segs: segs, text: text, sendMs: null, recvMs: null, answer: null, error: null });
    }
    box.appendChild(list);
    var total = el("p", "run-total");
    box.appendChild(total);
    $("runs").appendChild(box);
    return { ep: ep, form: name, box: box, list: list, rows: rows, total: total, t0: 0 };
  }

  function drawWaiting(run, nowMs) {
    run.rows.forEach(function (r) {
      if (r.sendMs == null || r.recvMs != null) return;
      var t = (nowMs - run.t0) / 1000;
      if (t > axis) { axis = t * 1.25; redrawAll(); }
      place(r.segs.waiting, r.sendMs / 1000, t - r.sendMs / 1000);
      say(r.text, function () { return T("row_waiting_for", { t: T("seconds", { s: t.toFixed(1) }) }); });
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
        say(r.text, function () { return T("row_failed", { error: r.error }); });
        return;
      }
      place(r.segs.held, o.send, o.held);
      place(r.segs.queued, o.release, o.queued);
      place(r.segs.served, o.start, o.served);
      var several = state.info && state.info.threads > 1;
      function parts() {
        var p = [];
        if (o.held > 0.001) p.push(T("row_held", { t: sec(o.held) }));
        p.push(T("row_queued", { t: sec(o.queued) }), T("row_served", { t: sec(o.served) }));
        return p;
      }
      function where() { return T("row_on", { thread: o.answer.thread }); }
      // With several loops the rows form one staircase per loop: say which loop each row's is.
      say(r.text, function () { return parts().join(" · ") + (several ? " " + where() : ""); });
      say(r.li, function () { return T("row_label", { index: o.index, parts: parts().join(", "), where: where() }); },
          "aria-label");
    });
    L.drawOrder(laid).forEach(function (o) { run.list.appendChild(run.rows[o.index - 1].li); });
    var t = L.runTotals(laid);
    run.totals = t;
    say(run.total, function () {
      return T("run_total", { ep: run.form, n: run.rows.length, wall: sec(t.wall) }) +
        (t.failed ? " (" + T("n_failed", { n: t.failed }) + ")" : "") + (t.held ? T("run_held") : "");
    });
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

  function runEndpoint(ep, count, delay, work) {
    var run = makeRun(ep, count, work);
    state.runs.push(run);
    say($("status"), function () {
      return T("status_running", { ep: run.form, requests: T("n_requests", { n: count }), delay: T("seconds", { s: delay }) });
    });
    run.t0 = performance.now();
    var url = L.requestUrl(ep, delay, work);
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
    say($("verdict"), function () { return ""; });
    $("run").disabled = true;
    explainLimit();
    axis = Math.max(0.5, settings.delay * (settings.endpoints.indexOf("/blocking") >= 0 ? settings.count : 1) * 1.1 + 0.2);
    var chain = Promise.resolve();
    settings.endpoints.forEach(function (ep) {
      chain = chain.then(function () { return runEndpoint(ep, settings.count, settings.delay, settings.work); });
    });
    return chain.then(function () {
      var totals = {};
      state.runs.forEach(function (run) { totals[run.form] = run.totals; });
      state.verdict = L.verdict(totals);
      say($("verdict"), function () { var v = L.verdict(totals, state.lang); return v ? v.text + "." : ""; });
      var runs = state.runs.slice();
      say($("status"), function () {
        return T("status_done", { runs: runs.map(function (run) { return run.form + " " + sec(run.totals.wall); }).join(", ") });
      });
      state.running = false;
      state.done = true;
      $("run").disabled = false;
    });
  }

  function formSettings() {
    var eps = Array.prototype.filter.call(document.querySelectorAll("input[name=endpoint]"), function (c) { return c.checked; })
      .map(function (c) { return c.value; });
    var q = "?count=" + $("count").value + "&delay=" + $("delay").value + "&endpoints=" + eps.join(",") +
      ($("work").checked ? "&work=cpu" : "");
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
    var series = state.series;
    say($("lag-threshold-label"), function () { return T("stall_threshold", { t: sec(threshold) }); });
    say($("lag-top-label"), function () { return T("chart_top", { t: sec(top) }); });
    say($("lag-desc"), function () { return L.lagSummary(series, threshold, state.lang); });
  }

  function onMessage(ev) {
    var m = JSON.parse(ev.data);
    state.messages++;
    state.last = m;
    Array.prototype.forEach.call(document.querySelectorAll("#in-flight td"), function (td) {
      td.textContent = String(m.in_flight[td.getAttribute("data-ep")]);
    });
    $("rps").textContent = String(m.requests_per_second);
    say($("pool-busy"), function () { return T("pool_busy", { busy: m.offload.busy, size: m.offload.size }); });
    $("pool-queued").textContent = String(m.offload.queued);
    say($("clients"), function () { return T("clients", { n: m.events.clients, max: m.events.max_clients }); });
    state.series = L.pushPoint(state.series, L.lagPoint(m), 60);
    drawChart();
    say($("live-state"), function () {
      return T("live_state", { loops: T("n_loops", { n: m.loops.length }),
                               uptime: T("seconds", { s: Math.round(m.uptime_seconds) }) });
    });
  }

  function connectEvents() {
    var es = new EventSource("/events");
    es.onopen = function () { state.streamOpen = true; explainLimit(); };
    es.onmessage = onMessage;
    es.onerror = function () {
      state.streamOpen = es.readyState !== EventSource.CLOSED;
      var closed = es.readyState === EventSource.CLOSED;
      say($("live-state"), function () { return T(closed ? "live_ended" : "live_reconnecting"); });
    };
  }

  /* ---- start ---- */

  makeSwitch();
  setLanguage(initialLanguage());

  $("run-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!document.querySelector("input[name=endpoint]:checked")) {
      say($("status"), function () { return T("choose_endpoint"); });
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
    $("work").checked = settings.work === "cpu";
    explainLimit();
    if (settings.run) runLesson(settings);
  }).catch(function (e) {
    say($("status"), function () { return T("stats_error", { error: String(e) }); });
  });
})();
