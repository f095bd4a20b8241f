#include "stats.h"

#include <string.h>

#include "clock.h"

/*
 * One writer per shard, so an update is a relaxed load and a relaxed store, no locked read-modify-write;
 * readers on other threads load relaxed and never see a torn value.
 */
#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define ADD(x, d) STORE(x, LOAD(x) + (d))

static const char *const endpoint_names[AD_EP_COUNT] = {
#define AD_X(id, path, match, methods, slot, ...) AD_ENDPOINT_IF_OWN_##slot([AD_EP_##id] = path, )
    AD_ENDPOINTS(AD_X)
#undef AD_X
        [AD_EP_OTHER] = "other",
};

const char *ad_endpoint_name(ad_endpoint_t ep)
{
    return (unsigned)ep < AD_EP_COUNT ? endpoint_names[ep] : "other";
}

static const char *const close_reason_names[AD_CLOSE_COUNT] = {
#define AD_X(t, key, kind, member, ...) [AD_CLOSE_##member] = #key,
    AD_STATS_CLOSED(AD_X, _)
#undef AD_X
};

const char *ad_close_reason_name(ad_close_reason_t r)
{
    return (unsigned)r < AD_CLOSE_COUNT ? close_reason_names[r] : "unknown";
}

const int64_t ad_stats_le_ns[AD_STATS_NLE] = {
    1 * AD_NS_PER_MS,    5 * AD_NS_PER_MS,   10 * AD_NS_PER_MS,  25 * AD_NS_PER_MS,  50 * AD_NS_PER_MS,
    100 * AD_NS_PER_MS,  250 * AD_NS_PER_MS, 500 * AD_NS_PER_MS, 1 * AD_NS_PER_SEC,  2 * AD_NS_PER_SEC,
    2500 * AD_NS_PER_MS, 5 * AD_NS_PER_SEC,  10 * AD_NS_PER_SEC, 30 * AD_NS_PER_SEC, 60 * AD_NS_PER_SEC,
};

/* Writer side of the sequence lock (stats.h): odd, the updates, even again. */
static void write_begin(ad_stats_shard_t *s)
{
    STORE(s->seq, LOAD(s->seq) + 1);
    __atomic_thread_fence(__ATOMIC_RELEASE); /* the odd value is visible before any update */
}

static void write_end(ad_stats_shard_t *s)
{
    __atomic_store_n(&s->seq, LOAD(s->seq) + 1, __ATOMIC_RELEASE); /* after every update */
}

void ad_stats_shard_read_consistent(const ad_stats_shard_t *s, void (*read)(const ad_stats_shard_t *, void *),
                                    void *arg)
{
    for (;;) {
        uint64_t before = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
        if (before & 1)
            continue; /* the writer is inside a few stores: retry at once */
        read(s, arg);
        __atomic_thread_fence(__ATOMIC_ACQUIRE); /* the reads above happen before the check below */
        if (LOAD(s->seq) == before)
            return;
    }
}

/* The latency sample, in the histogram and in its /metrics bin. */
static void record_latency(ad_endpoint_stats_t *e, int64_t latency_ns)
{
    size_t bin = 0;
    while (bin < AD_STATS_NLE && latency_ns > ad_stats_le_ns[bin])
        bin++;
    ADD(e->le_bins[bin], 1);
    ad_hist_record(&e->latency, latency_ns);
}

void ad_stats_shard_init(ad_stats_shard_t *s)
{
    static uint64_t next_id; /* init is rare: a locked increment is fine here */
    memset(s, 0, sizeof(*s));
    s->id = __atomic_add_fetch(&next_id, 1, __ATOMIC_RELAXED);
    for (size_t i = 0; i < AD_EP_COUNT; i++)
        ad_hist_init(&s->ep[i].latency);
    s->loop.longest_stall_endpoint = -1;
}

static ad_endpoint_stats_t *endpoint(ad_stats_shard_t *s, ad_endpoint_t ep)
{
    return &s->ep[(unsigned)ep < AD_EP_COUNT ? ep : AD_EP_OTHER];
}

static void count_status(ad_endpoint_stats_t *e, int status)
{
    if (status >= 400 && status < 500)
        ADD(e->status_4xx, 1);
    else if (status >= 500 && status < 600)
        ADD(e->status_5xx, 1);
}

void ad_stats_request_begin(ad_stats_shard_t *s, ad_endpoint_t ep)
{
    write_begin(s);
    ad_endpoint_stats_t *e = endpoint(s, ep);
    int64_t in_flight = LOAD(e->in_flight) + 1;
    ADD(e->requests, 1);
    STORE(e->in_flight, in_flight);
    if (in_flight > LOAD(e->peak_in_flight))
        STORE(e->peak_in_flight, in_flight);
    write_end(s);
}

void ad_stats_request_end(ad_stats_shard_t *s, ad_endpoint_t ep, int status, int64_t latency_ns)
{
    write_begin(s);
    ad_endpoint_stats_t *e = endpoint(s, ep);
    ADD(e->in_flight, -1);
    ADD(e->completed, 1);
    count_status(e, status);
    record_latency(e, latency_ns);
    write_end(s);
}

void ad_stats_request_cancelled(ad_stats_shard_t *s, ad_endpoint_t ep)
{
    write_begin(s);
    ad_endpoint_stats_t *e = endpoint(s, ep);
    ADD(e->in_flight, -1);
    ADD(e->cancelled, 1);
    write_end(s);
}

void ad_stats_request_injected(ad_stats_shard_t *s, ad_endpoint_t ep, int64_t latency_ns)
{
    write_begin(s);
    ad_endpoint_stats_t *e = endpoint(s, ep);
    ADD(e->in_flight, -1);
    ADD(e->completed, 1);
    ADD(e->fault_status, 1);
    record_latency(e, latency_ns);
    write_end(s);
}

void ad_stats_request_dropped(ad_stats_shard_t *s, ad_endpoint_t ep, bool reset)
{
    write_begin(s);
    ad_endpoint_stats_t *e = endpoint(s, ep);
    ADD(e->in_flight, -1);
    if (reset)
        ADD(e->fault_reset, 1);
    else
        ADD(e->fault_closed, 1);
    write_end(s);
}

void ad_stats_request_immediate(ad_stats_shard_t *s, ad_endpoint_t ep, int status, int64_t latency_ns)
{
    /* In flight for the moment it took to answer: a slot served only this way still shows a peak of 1. */
    ad_stats_request_begin(s, ep);
    ad_stats_request_end(s, ep, status, latency_ns);
}

void ad_stats_loop_tick(ad_stats_shard_t *s, int64_t lag_ns, int64_t threshold_ns, int32_t culprit, int64_t wall_ns)
{
    ad_loop_stats_t *l = &s->loop;
    if (lag_ns < 0)
        lag_ns = 0;
    ADD(l->ticks, 1);
    STORE(l->lag_ns, lag_ns);
    if (lag_ns <= threshold_ns)
        return;
    ADD(l->stalls, 1);
    ADD(l->stalled_total_ns, lag_ns);
    if (lag_ns > LOAD(l->longest_stall_ns)) {
        STORE(l->longest_stall_endpoint, culprit);
        STORE(l->longest_stall_wall_ns, wall_ns);
        STORE(l->longest_stall_ns, lag_ns);
    }
}

void ad_stats_loop_cpu(ad_stats_shard_t *s, int64_t cpu_ns, int64_t utilisation_pct)
{
    STORE(s->loop.cpu_ns, cpu_ns);
    STORE(s->loop.utilisation_pct, utilisation_pct);
}

int64_t ad_utilisation_percent(int64_t busy_ns, int64_t wall_ns)
{
    if (wall_ns <= 0 || busy_ns <= 0)
        return 0;
    if (busy_ns >= wall_ns) /* the CPU clock and the wall clock are read a moment apart */
        return 100;
    return (busy_ns * 100 + wall_ns / 2) / wall_ns;
}

void ad_stats_connection_open(ad_stats_shard_t *s)
{
    write_begin(s);
    ADD(s->connections_open, 1);
    ADD(s->connections_total, 1);
    write_end(s);
}

void ad_stats_connection_close(ad_stats_shard_t *s)
{
    write_begin(s);
    ADD(s->connections_open, -1);
    write_end(s);
}

void ad_stats_connection_closed(ad_stats_shard_t *s, ad_close_reason_t r)
{
    write_begin(s);
    ADD(s->connections_closed[(unsigned)r < AD_CLOSE_COUNT ? r : 0], 1);
    write_end(s);
}

void ad_stats_connection_protocol(ad_stats_shard_t *s, ad_protocol_t p)
{
    write_begin(s);
    ADD(s->protocols[(unsigned)p < AD_PROTO_COUNT ? p : 0], 1);
    write_end(s);
}

void ad_stats_tls_handshake(ad_stats_shard_t *s, int version)
{
    write_begin(s);
    ADD(s->tls_handshakes, 1);
    if (version >= 0 && version < AD_TLS_V_COUNT)
        ADD(s->tls_versions[version], 1);
    write_end(s);
}

void ad_stats_tls_handshake_failed(ad_stats_shard_t *s)
{
    write_begin(s);
    ADD(s->tls_handshake_failures, 1);
    write_end(s);
}

void ad_stats_connection_refused(ad_stats_shard_t *s)
{
    write_begin(s);
    ADD(s->connections_refused, 1);
    write_end(s);
}

void ad_stats_body_refused(ad_stats_shard_t *s)
{
    write_begin(s);
    ADD(s->bodies_refused, 1);
    write_end(s);
}

/* ---- reader side: any thread ---- */

void ad_stats_endpoint_totals(const ad_stats_snapshot_t *snap, ad_endpoint_t ep, ad_endpoint_totals_t *out)
{
    memset(out, 0, sizeof(*out));
    if ((unsigned)ep >= AD_EP_COUNT)
        return;
    for (size_t i = 0; i < snap->nshards; i++) {
        const ad_endpoint_stats_t *e = &snap->shards[i]->ep[ep];
#define AD_X(t, key, kind, member, ...) out->member += LOAD(e->member);
        AD_STATS_ENDPOINT(AD_X, _)
#undef AD_X
    }
}

void ad_stats_loop_totals(const ad_stats_snapshot_t *snap, ad_loop_stats_t *out)
{
    memset(out, 0, sizeof(*out));
    out->longest_stall_endpoint = -1;
    for (size_t i = 0; i < snap->nshards; i++) {
        const ad_loop_stats_t *l = &snap->shards[i]->loop;
        int64_t lag = LOAD(l->lag_ns), longest = LOAD(l->longest_stall_ns);
        out->ticks += LOAD(l->ticks);
        out->stalls += LOAD(l->stalls);
        out->stalled_total_ns += LOAD(l->stalled_total_ns);
        out->cpu_ns += LOAD(l->cpu_ns);
        int64_t busy = LOAD(l->utilisation_pct);
        if (busy > out->utilisation_pct) /* the busiest loop: one blocked loop among idle ones shows */
            out->utilisation_pct = busy;
        if (lag > out->lag_ns)
            out->lag_ns = lag;
        if (longest > out->longest_stall_ns) {
            out->longest_stall_ns = longest;
            out->longest_stall_endpoint = LOAD(l->longest_stall_endpoint);
            out->longest_stall_wall_ns = LOAD(l->longest_stall_wall_ns);
        }
    }
}

void ad_stats_connections(const ad_stats_snapshot_t *snap, ad_stats_connections_t *out, ad_stats_closed_t *closed,
                          ad_stats_request_bodies_t *bodies)
{
    memset(out, 0, sizeof(*out));
    memset(closed, 0, sizeof(*closed));
    memset(bodies, 0, sizeof(*bodies));
    for (size_t i = 0; i < snap->nshards; i++) {
        const ad_stats_shard_t *sh = snap->shards[i];
        out->open += LOAD(sh->connections_open);
        out->total += LOAD(sh->connections_total);
        out->refused += LOAD(sh->connections_refused);
#define AD_X(t, key, kind, member, ...) closed->member += LOAD(sh->connections_closed[AD_CLOSE_##member]);
        AD_STATS_CLOSED(AD_X, _)
#undef AD_X
        bodies->refused += LOAD(sh->bodies_refused);
    }
}

void ad_stats_protocols_tls(const ad_stats_snapshot_t *snap, ad_stats_protocols_t *protocols, ad_stats_tls_t *tls,
                            ad_stats_tls_versions_t *versions)
{
    memset(protocols, 0, sizeof(*protocols));
    memset(tls, 0, sizeof(*tls));
    memset(versions, 0, sizeof(*versions));
    for (size_t i = 0; i < snap->nshards; i++) {
        const ad_stats_shard_t *sh = snap->shards[i];
#define AD_X(t, key, kind, member, ...) protocols->member += LOAD(sh->protocols[AD_PROTO_##member]);
        AD_STATS_PROTOCOLS(AD_X, _)
#undef AD_X
#define AD_X(t, key, kind, member, ...) versions->member += LOAD(sh->tls_versions[AD_TLS_V_##member]);
        AD_STATS_TLS_VERSIONS(AD_X, _)
#undef AD_X
        tls->handshakes += LOAD(sh->tls_handshakes);
        tls->handshake_failures += LOAD(sh->tls_handshake_failures);
    }
}
