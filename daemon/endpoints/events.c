/* GET /events: the live panel's stream (see events.h). */
#include "events.h"

#include <string.h>

#include "clock.h"
#include "handlers.h"
#include "page.h"

#define PERIOD_NS AD_NS_PER_SEC
#define MAX_LOOPS 64 /* the most `threads` allows (config.c) */

/* Streams open on all loops, and requests refused past the bound: process-wide, like the server. */
static _Atomic int64_t streams_open;
static _Atomic uint64_t streams_refused;

typedef struct stream {
    h2o_generator_t gen;
    h2o_linklist_t link; /* in its loop's ad_events_t.streams */
    h2o_req_t *req;
    ad_loop_t *loop;
    uint64_t next_id;
    bool sending; /* h2o holds buf until it calls proceed */
    bool ended;   /* stopped by h2o, or the final chunk sent */
    bool finish;  /* send the final chunk once the current one is out */
    size_t cap;
    char buf[]; /* AD_EVENTS_FRAME_MAX(loops) bytes */
} stream_t;

static void on_timer(ad_timer_t *timer);

void ad_events_init(ad_loop_t *loop)
{
    ad_events_t *e = &loop->events;
    h2o_linklist_init_anchor(&e->streams);
    ad_timer_init(&e->timer, on_timer);
    e->nstreams = 0;
    e->prev_requests = 0;
    e->prev_ns = ad_mono_ns();
    e->rate = 0;
    for (size_t i = 0; i < AD_EVENTS_LAG_SLOTS; i++)
        atomic_store_explicit(&e->lag[i], 0, memory_order_relaxed);
}

static uint64_t requests_total(const ad_stats_snapshot_t *snap)
{
    uint64_t n = 0;
    for (int ep = 0; ep < AD_EP_COUNT; ep++) {
        ad_endpoint_totals_t t;
        ad_stats_endpoint_totals(snap, (ad_endpoint_t)ep, &t);
        n += t.requests;
    }
    return n;
}

/* This loop's view of the whole server now, as JSON in loop->jw. 0 or -1 (out of memory). */
static int format_message(ad_loop_t *loop, bool new_rate)
{
    ad_server_t *s = loop->server;
    ad_events_t *e = &loop->events;
    ad_stats_snapshot_t snap;
    ad_server_snapshot(s, &snap);
    int64_t now = ad_mono_ns(), last_second = now / AD_NS_PER_SEC - 1;
    uint64_t requests = requests_total(&snap);
    if (new_rate) {
        e->rate = ad_events_rate(e->prev_requests, e->prev_ns, requests, now);
        e->prev_requests = requests;
        e->prev_ns = now;
    }
    ad_events_loop_view_t loops[MAX_LOOPS];
    size_t nloops = s->nloops < MAX_LOOPS ? s->nloops : MAX_LOOPS;
    for (size_t i = 0; i < nloops; i++) {
        ad_loop_t *l = s->loops[i];
        ad_events_lag_t rec =
            atomic_load_explicit(&l->events.lag[last_second % AD_EVENTS_LAG_SLOTS], memory_order_relaxed);
        loops[i].name = l->name;
        ad_events_lag_read(rec, last_second, &loops[i].lag_ns, &loops[i].culprit);
        int64_t busy = now - atomic_load_explicit(&l->monitor.last_tick_ns, memory_order_relaxed);
        loops[i].busy_ns = busy > 0 ? busy : 0;
    }
    ad_events_view_t v = {
        .uptime_ns = snap.info.top.uptime_ns,
        .requests = requests,
        .requests_per_second = e->rate,
        .pool_busy = (unsigned)snap.info.offload.busy,
        .pool_queued = (unsigned)snap.info.offload.queued,
        .pool_size = (unsigned)snap.info.config.pool_size,
        .stall_threshold_ns = snap.info.config.stall_threshold_ns,
        .loops = loops,
        .nloops = nloops,
        .clients = (unsigned)atomic_load_explicit(&streams_open, memory_order_relaxed),
        .max_clients = s->cfg.events_clients,
        .refused = atomic_load_explicit(&streams_refused, memory_order_relaxed),
    };
    for (size_t i = 0; i < AD_EVENTS_NEPS; i++) {
        ad_endpoint_totals_t t;
        ad_stats_endpoint_totals(&snap, ad_events_endpoints[i], &t);
        v.in_flight[i] = t.in_flight;
    }
    return ad_events_format_json(&v, &loop->jw);
}

static void send_final(stream_t *st)
{
    st->ended = true;
    h2o_send(st->req, NULL, 0, H2O_SEND_STATE_FINAL);
}

/* Sends the message in loop->jw to st, unless st still holds the previous one (then it skips this one). */
static void send_message(stream_t *st)
{
    if (st->sending || st->ended)
        return;
    ad_jw_t *w = &st->loop->jw;
    size_t len = ad_events_frame(st->next_id, w->buf, w->len, st->buf, st->cap);
    if (len >= st->cap)
        return; /* cannot happen (AD_EVENTS_FRAME_MAX is checked by the unit test); skip rather than cut */
    st->next_id++;
    st->sending = true; /* before h2o_send: proceed may come back at once */
    h2o_iovec_t iov = h2o_iovec_init(st->buf, len);
    h2o_send(st->req, &iov, 1, H2O_SEND_STATE_IN_PROGRESS);
}

static void on_proceed(h2o_generator_t *gen, h2o_req_t *req)
{
    stream_t *st = H2O_STRUCT_FROM_MEMBER(stream_t, gen, gen);
    st->sending = false;
    if (st->finish && !st->ended)
        send_final(st);
}

static void on_stop(h2o_generator_t *gen, h2o_req_t *req)
{
    stream_t *st = H2O_STRUCT_FROM_MEMBER(stream_t, gen, gen);
    st->ended = true;
}

static void on_stream_dispose(void *p)
{
    stream_t *st = p;
    h2o_linklist_unlink(&st->link);
    st->loop->events.nstreams--;
    ad_server_release(&streams_open);
    if (st->loop->events.nstreams == 0)
        ad_timers_cancel(&st->loop->timers, &st->loop->events.timer);
}

static void on_timer(ad_timer_t *timer)
{
    ad_events_t *e = H2O_STRUCT_FROM_MEMBER(ad_events_t, timer, timer);
    ad_loop_t *loop = H2O_STRUCT_FROM_MEMBER(ad_loop_t, events, e);
    bool draining = ad_server_draining(loop->server);
    bool formatted = !draining && format_message(loop, true) == 0;
    for (h2o_linklist_t *l = e->streams.next, *next; l != &e->streams; l = next) {
        next = l->next;
        stream_t *st = H2O_STRUCT_FROM_MEMBER(stream_t, link, l);
        if (draining) {
            /* the stop: end each stream, so a browser does not keep the connection past the drain */
            st->finish = true;
            if (!st->sending && !st->ended)
                send_final(st);
        } else if (formatted) {
            send_message(st);
        }
    }
    /* From now, not from the missed deadline: a loop that was blocked sends one message, not a burst. */
    if (!draining && e->nstreams > 0)
        ad_timers_add(&loop->timers, timer, ad_mono_ns() + PERIOD_NS);
}

static int refuse(ad_exchange_t *x, int status, const char *what)
{
    ad_jw_t *w = ad_answer_error(x, status, what);
    if (status == 503) {
        ad_jw_key(w, "max_clients");
        ad_jw_uint(w, x->loop->server->cfg.events_clients);
        ad_jw_key(w, "retry_after_seconds");
        ad_jw_uint(w, 1);
        ad_answer_header(x, H2O_TOKEN_RETRY_AFTER, H2O_STRLIT("1"));
    }
    return status;
}

int ad_serve_events(ad_exchange_t *x)
{
    ad_loop_t *loop = x->loop;
    h2o_req_t *req = x->req;
    ad_server_t *s = loop->server;
    ad_events_t *e = &loop->events;
    ad_ui_security_headers(req);
    if (ad_server_draining(s))
        return refuse(x, 503, "stopping");
    ad_answer_header(x, H2O_TOKEN_CACHE_CONTROL, H2O_STRLIT("no-store"));
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"))) {
        ad_answer_static(x, "text/event-stream", "", 0);
        return 200;
    }
    if (!ad_server_admit(&streams_open, s->cfg.events_clients)) {
        atomic_fetch_add_explicit(&streams_refused, 1, memory_order_relaxed);
        return refuse(x, 503, "too many /events clients");
    }
    size_t cap = AD_EVENTS_FRAME_MAX(s->nloops);
    stream_t *st = h2o_mem_alloc_shared(&req->pool, sizeof(*st) + cap, on_stream_dispose);
    *st = (stream_t){.gen = {on_proceed, on_stop}, .req = req, .loop = loop, .next_id = 1, .cap = cap};
    h2o_linklist_insert(&e->streams, &st->link);
    if (e->nstreams++ == 0)
        ad_timers_add(&loop->timers, &e->timer, ad_mono_ns() + PERIOD_NS);
    /* The stream is this handler's from here: its own generator, never a complete answer. */
    req->res.status = 200;
    req->res.reason = ad_reason_phrase(200);
    ad_respond_header(req, H2O_TOKEN_CONTENT_TYPE, H2O_STRLIT("text/event-stream"));
    h2o_start_response(req, &st->gen);
    /* The first message at once, so the panel fills as soon as the page opens. */
    if (format_message(loop, false) == 0)
        send_message(st);
    return AD_ANSWER_LATER;
}
