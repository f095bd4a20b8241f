/* /stats JSON (read back with jansson) and /metrics Prometheus text from a hand-built two-shard snapshot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <cmocka.h>
#include <jansson.h>

#include "clock.h"
#include "stats_format.h"

#define MS AD_NS_PER_MS
#define US AD_NS_PER_US
#define SEC AD_NS_PER_SEC

static ad_stats_shard_t *shards;
static const ad_stats_shard_t *shard_ptrs[2];
static ad_stats_snapshot_t snap;

/* The latencies recorded per endpoint, kept here to compute the expected figures independently. */
typedef struct samples {
    int64_t v[16];
    size_t n;
} samples_t;
static samples_t recorded[AD_EP_COUNT];

static void end(int shard, ad_endpoint_t ep, int status, int64_t latency)
{
    ad_stats_request_end(&shards[shard], ep, status, latency);
    recorded[ep].v[recorded[ep].n++] = latency;
}

static void immediate(int shard, ad_endpoint_t ep, int status, int64_t latency)
{
    ad_stats_request_immediate(&shards[shard], ep, status, latency);
    recorded[ep].v[recorded[ep].n++] = latency;
}

/* A status injected by status=: completed with its latency, counted as a fault. */
static void injected(int shard, ad_endpoint_t ep, int64_t latency)
{
    ad_stats_request_begin(&shards[shard], ep);
    ad_stats_request_injected(&shards[shard], ep, latency);
    recorded[ep].v[recorded[ep].n++] = latency;
}

static int setup(void **state)
{
    (void)state;
    shards = calloc(2, sizeof(*shards));
    if (shards == NULL)
        return -1;
    memset(recorded, 0, sizeof(recorded));
    ad_stats_shard_init(&shards[0]);
    ad_stats_shard_init(&shards[1]);

    /* /non-blocking: 3 + 2 arrived; 3 answered 200, 1 cancelled, 1 in flight; peaks 3 and 2 */
    for (int i = 0; i < 3; i++)
        ad_stats_request_begin(&shards[0], AD_EP_NON_BLOCKING);
    end(0, AD_EP_NON_BLOCKING, 200, 2 * SEC + 100 * US);
    end(0, AD_EP_NON_BLOCKING, 200, 2 * SEC + 400 * US);
    ad_stats_request_begin(&shards[1], AD_EP_NON_BLOCKING);
    ad_stats_request_begin(&shards[1], AD_EP_NON_BLOCKING);
    end(1, AD_EP_NON_BLOCKING, 200, 2 * SEC + 200 * US);
    ad_stats_request_cancelled(&shards[1], AD_EP_NON_BLOCKING);

    /* /blocking: two served (2 s), one refused with 503 */
    ad_stats_request_begin(&shards[0], AD_EP_BLOCKING);
    end(0, AD_EP_BLOCKING, 200, 2 * SEC + 3 * MS);
    ad_stats_request_begin(&shards[0], AD_EP_BLOCKING);
    end(0, AD_EP_BLOCKING, 200, 4 * SEC + 7 * MS);
    immediate(1, AD_EP_BLOCKING, 503, 40 * US);

    /* /offload: a bad delay (400) and 10 answers spread from 3 ms to 120 ms */
    immediate(0, AD_EP_OFFLOAD, 400, 30 * US);
    for (int i = 0; i < 10; i++) {
        ad_stats_request_begin(&shards[i % 2], AD_EP_OFFLOAD);
        end(i % 2, AD_EP_OFFLOAD, 200, (3 + 13 * i) * MS);
    }

    /* /delay: faults: a close and an injected 503 on shard 0, a reset on shard 1 */
    ad_stats_request_begin(&shards[0], AD_EP_DELAY);
    ad_stats_request_dropped(&shards[0], AD_EP_DELAY, false);
    injected(0, AD_EP_DELAY, 5 * MS);
    ad_stats_request_begin(&shards[1], AD_EP_DELAY);
    ad_stats_request_dropped(&shards[1], AD_EP_DELAY, true);

    /* unknown path and method */
    immediate(0, AD_EP_OTHER, 404, 12 * US);
    immediate(1, AD_EP_OTHER, 405, 15 * US);
    /* the /stats request being served counts itself */
    ad_stats_request_begin(&shards[1], AD_EP_STATS);

    /* loop: shard 0 stalled 2 s (in /blocking) and 4 s; shard 1 never */
    ad_stats_loop_tick(&shards[0], 200 * US, 100 * MS, -1, 0);
    ad_stats_loop_tick(&shards[0], 2 * SEC, 100 * MS, AD_EP_BLOCKING, INT64_C(1795541405) * SEC);
    ad_stats_loop_tick(&shards[0], 4 * SEC + 5 * MS, 100 * MS, AD_EP_BLOCKING, INT64_C(1795541409) * SEC + 5 * MS);
    ad_stats_loop_tick(&shards[0], 150 * US, 100 * MS, -1, 0);
    for (int i = 0; i < 6; i++)
        ad_stats_loop_tick(&shards[1], 300 * US, 100 * MS, -1, 0);
    ad_stats_loop_cpu(&shards[0], 400 * MS, 30); /* the last of each thread's counts */
    ad_stats_loop_cpu(&shards[0], 1 * SEC, 97);
    ad_stats_loop_cpu(&shards[1], 250 * MS, 20);

    for (int i = 0; i < 4; i++)
        ad_stats_connection_open(&shards[0]);
    ad_stats_connection_close(&shards[0]);
    ad_stats_connection_open(&shards[1]);
    ad_stats_connection_refused(&shards[0]);
    ad_stats_connection_refused(&shards[1]);
    ad_stats_connection_refused(&shards[1]);
    ad_stats_body_refused(&shards[0]);
    ad_stats_body_refused(&shards[1]);
    /* protocols and TLS, split across both shards so the sums are checked */
    ad_stats_connection_protocol(&shards[0], AD_PROTO_HTTP1_1);
    ad_stats_connection_protocol(&shards[1], AD_PROTO_HTTP1_1);
    ad_stats_connection_protocol(&shards[1], AD_PROTO_H2);
    ad_stats_connection_protocol(&shards[0], AD_PROTO_H2C);
    ad_stats_tls_handshake(&shards[0], AD_TLS_V_TLS1_3);
    ad_stats_tls_handshake(&shards[1], AD_TLS_V_TLS1_3);
    ad_stats_tls_handshake(&shards[1], AD_TLS_V_TLS1_2);
    ad_stats_tls_handshake(&shards[1], -1); /* a version not counted by version: a handshake all the same */
    ad_stats_tls_handshake_failed(&shards[0]);

    shard_ptrs[0] = &shards[0];
    shard_ptrs[1] = &shards[1];
    snap = (ad_stats_snapshot_t){
        .info =
            {
                .top =
                    {
                        .version = "0.1.0-test",
                        .pid = 4242,
                        .threads = 2,
                        .uptime_ns = 12 * SEC + 500 * MS,
                        .started_wall_ns = INT64_C(1795541400) * SEC + 123456789,
                    },
                .config =
                    {
                        .max_delay_ns = 30 * SEC,
                        .default_delay_ns = 2 * SEC,
                        .stall_threshold_ns = 100 * MS,
                        .watchdog_ns = 0,
                        .pool_size = 4,
                        .pool_queue = 64,
                        .max_connections = 16384,
                        .max_waiting = 50000,
                        .header_timeout_ns = 10 * SEC,
                        .idle_timeout_ns = 1500 * MS,
                        .send_timeout_ns = 30 * SEC,
                        .max_body = 1048576,
                    },
                .offload = {.busy = 1, .queued = 3},
            },
        .shards = shard_ptrs,
        .nshards = 2,
    };
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(shards);
    return 0;
}

/* ---- expectations computed from the recorded values ---- */

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of the raw values. */
static int64_t true_percentile(const samples_t *s, double p)
{
    int64_t v[16];
    memcpy(v, s->v, s->n * sizeof(v[0]));
    qsort(v, s->n, sizeof(v[0]), cmp64);
    size_t rank = (size_t)ceil(p / 100.0 * (double)s->n - 1e-9);
    return v[rank ? rank - 1 : 0];
}

static double num(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_number(v))
        fail_msg("key '%s' is missing or not a number", key);
    return json_number_value(v);
}

static void expect_seconds(const json_t *obj, const char *key, int64_t ns)
{
    double got = num(obj, key), want = (double)ns / 1e9;
    if (fabs(got - want) > 0.51e-6)
        fail_msg("%s: got %.9f, want %.9f", key, got, want);
}

static void expect_integer(const json_t *obj, const char *key, int64_t want)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v))
        fail_msg("key '%s' is missing or not an integer", key);
    if (json_integer_value(v) != want)
        fail_msg("%s: got %lld, want %lld", key, (long long)json_integer_value(v), (long long)want);
}

static void expect_str(const json_t *obj, const char *key, const char *want)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        fail_msg("key '%s' is missing or not a string", key);
    assert_string_equal(json_string_value(v), want);
}

/* The /stats document of snap as text (free it). */
static char *format_text(void)
{
    ad_jw_t w;
    ad_jw_init(&w, 256);
    assert_int_equal(ad_stats_format_json(&snap, &w), 0);
    return w.buf;
}

static json_t *format_and_parse(void)
{
    ad_jw_t w;
    ad_jw_init(&w, 256);
    assert_int_equal(ad_stats_format_json(&snap, &w), 0);
    json_error_t jerr;
    json_t *root = json_loadb(w.buf, w.len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        fail_msg("invalid JSON: %s at %d: %s", jerr.text, jerr.position, w.buf);
    ad_jw_free(&w);
    return root;
}

typedef struct ep_expect {
    uint64_t requests, completed, cancelled, s4, s5;
    int64_t in_flight, peak;
    uint64_t fault_status, fault_closed, fault_reset;
} ep_expect_t;

static const ep_expect_t ep_want[AD_EP_COUNT] = {
    [AD_EP_NON_BLOCKING] = {5, 3, 1, 0, 0, 1, 5},
    [AD_EP_BLOCKING] = {3, 3, 0, 0, 1, 0, 2},
    [AD_EP_OFFLOAD] = {11, 11, 0, 1, 0, 0, 2},      /* one at a time on each of 2 shards */
    [AD_EP_DELAY] = {3, 1, 0, 0, 0, 0, 2, 1, 1, 1}, /* faults only: not in s4 / s5 */
    [AD_EP_STATS] = {1, 0, 0, 0, 0, 1, 1},
    [AD_EP_METRICS] = {0, 0, 0, 0, 0, 0, 0},
    [AD_EP_HEALTHZ] = {0, 0, 0, 0, 0, 0, 0},
    [AD_EP_OTHER] = {2, 2, 0, 2, 0, 0, 2}, /* immediate answers: 1 on each shard */
};

static void check_latency(const json_t *lat, ad_endpoint_t ep)
{
    const samples_t *s = &recorded[ep];
    static const char *const keys[] = {"min", "mean", "max", "p50", "p90", "p99", "p99_9"};
    assert_int_equal(json_object_size(lat), 7);
    if (s->n == 0) {
        for (size_t i = 0; i < 7; i++)
            expect_seconds(lat, keys[i], 0);
        return;
    }
    int64_t min = INT64_MAX, max = 0;
    double sum = 0;
    for (size_t i = 0; i < s->n; i++) {
        min = s->v[i] < min ? s->v[i] : min;
        max = s->v[i] > max ? s->v[i] : max;
        sum += (double)s->v[i];
    }
    expect_seconds(lat, "min", min);
    expect_seconds(lat, "max", max);
    expect_seconds(lat, "mean", (int64_t)llround(sum / (double)s->n));

    /* percentiles: the histogram's value, within its 0.8% of the true one */
    ad_histogram_t merged;
    ad_hist_init(&merged);
    ad_hist_merge(&merged, &shards[0].ep[ep].latency);
    ad_hist_merge(&merged, &shards[1].ep[ep].latency);
    static const double ps[] = {50, 90, 99, 99.9};
    for (size_t i = 0; i < 4; i++) {
        int64_t truth = true_percentile(s, ps[i]);
        double got = num(lat, keys[3 + i]) * 1e9;
        expect_seconds(lat, keys[3 + i], ad_hist_percentile(&merged, ps[i]));
        if (fabs(got - (double)truth) > 0.008 * (double)truth + 1000)
            fail_msg("%s %s: %.0f ns, true value %lld ns", ad_endpoint_name(ep), keys[3 + i], got, (long long)truth);
    }
}

static void test_json_document(void **state)
{
    (void)state;
    json_t *root = format_and_parse();

    assert_int_equal(json_object_size(root), 12);
    expect_str(root, "version", "0.1.0-test");
    expect_integer(root, "pid", 4242);
    expect_integer(root, "threads", 2);
    expect_seconds(root, "uptime_seconds", 12 * SEC + 500 * MS);
    expect_str(root, "started_wall", "2026-11-24T17:30:00.123Z");

    const json_t *cfg = json_object_get(root, "config");
    assert_int_equal(json_object_size(cfg), 12);
    expect_seconds(cfg, "max_delay_seconds", 30 * SEC);
    expect_seconds(cfg, "default_delay_seconds", 2 * SEC);
    expect_integer(cfg, "pool_size", 4);
    expect_integer(cfg, "pool_queue", 64);
    expect_seconds(cfg, "stall_threshold_seconds", 100 * MS);
    expect_seconds(cfg, "watchdog_seconds", 0);
    expect_integer(cfg, "max_connections", 16384);
    expect_integer(cfg, "max_waiting", 50000);
    expect_seconds(cfg, "header_timeout_seconds", 10 * SEC);
    expect_seconds(cfg, "idle_timeout_seconds", 1500 * MS);
    expect_seconds(cfg, "send_timeout_seconds", 30 * SEC);
    expect_integer(cfg, "max_body_bytes", 1048576);

    const json_t *off = json_object_get(root, "offload");
    assert_int_equal(json_object_size(off), 2);
    expect_integer(off, "busy", 1);
    expect_integer(off, "queued", 3);

    const json_t *conn = json_object_get(root, "connections");
    assert_int_equal(json_object_size(conn), 5);
    expect_integer(conn, "open", 4);
    expect_integer(conn, "total", 5);
    expect_integer(conn, "refused", 3);
    const json_t *closed = json_object_get(conn, "closed");
    assert_int_equal(json_object_size(closed), AD_CLOSE_COUNT);
    expect_integer(closed, "send_timeout", 0);
    expect_integer(closed, "header_block_too_large", 0);
    expect_integer(closed, "bad_framing", 0);
    const json_t *protocols = json_object_get(conn, "protocols");
    assert_int_equal(json_object_size(protocols), AD_PROTO_COUNT);
    expect_integer(protocols, "http1_0", 0);
    expect_integer(protocols, "http1_1", 2);
    expect_integer(protocols, "h2", 1);
    expect_integer(protocols, "h2c", 1);

    const json_t *tls = json_object_get(root, "tls");
    assert_int_equal(json_object_size(tls), 3);
    expect_integer(tls, "handshakes", 4);
    expect_integer(tls, "handshake_failures", 1);
    const json_t *versions = json_object_get(tls, "versions");
    assert_int_equal(json_object_size(versions), AD_TLS_V_COUNT);
    expect_integer(versions, "tls1_2", 1);
    expect_integer(versions, "tls1_3", 2);

    const json_t *bodies = json_object_get(root, "request_bodies");
    assert_int_equal(json_object_size(bodies), 1);
    expect_integer(bodies, "refused", 2);

    const json_t *loop = json_object_get(root, "loop");
    assert_int_equal(json_object_size(loop), 10);
    expect_seconds(loop, "lag_seconds", 300 * US); /* max over threads of the last tick's lag */
    expect_integer(loop, "ticks", 10);
    expect_integer(loop, "stalls", 2);
    expect_seconds(loop, "stalled_seconds", 6 * SEC + 5 * MS);
    expect_seconds(loop, "longest_stall_seconds", 4 * SEC + 5 * MS);
    expect_str(loop, "longest_stall_endpoint", "/blocking");
    expect_str(loop, "longest_stall_wall", "2026-11-24T17:30:09.005Z");
    expect_seconds(loop, "cpu_seconds", 1 * SEC + 250 * MS);    /* the sum of both threads' */
    expect_integer(loop, "utilisation_percent", 97);            /* the busiest thread's, in its last second */
    expect_integer(loop, "utilisation_since_start_percent", 5); /* 1.25 s of 2 threads x 12.5 s */

    const json_t *eps = json_object_get(root, "endpoints");
    assert_int_equal(json_object_size(eps), AD_EP_COUNT);
    for (int ep = 0; ep < AD_EP_COUNT; ep++) {
        const json_t *e = json_object_get(eps, ad_endpoint_name((ad_endpoint_t)ep));
        const ep_expect_t *x = &ep_want[ep];
        if (!json_is_object(e))
            fail_msg("endpoint %s missing", ad_endpoint_name((ad_endpoint_t)ep));
        assert_int_equal(json_object_size(e), 11);
        expect_integer(e, "requests", (int64_t)x->requests);
        expect_integer(e, "in_flight", x->in_flight);
        expect_integer(e, "peak_in_flight", x->peak);
        expect_integer(e, "completed", (int64_t)x->completed);
        expect_integer(e, "cancelled", (int64_t)x->cancelled);
        expect_integer(e, "status_4xx", (int64_t)x->s4);
        expect_integer(e, "status_5xx", (int64_t)x->s5);
        expect_integer(e, "fault_status", (int64_t)x->fault_status);
        expect_integer(e, "fault_closed", (int64_t)x->fault_closed);
        expect_integer(e, "fault_reset", (int64_t)x->fault_reset);
        check_latency(json_object_get(e, "latency_seconds"), (ad_endpoint_t)ep);
    }
    json_decref(root);
}

static void test_json_no_stall_and_escaping(void **state)
{
    (void)state;
    ad_stats_shard_t *s = malloc(sizeof(*s));
    assert_non_null(s);
    ad_stats_shard_init(s);
    ad_stats_loop_tick(s, 50 * US, 100 * MS, AD_EP_BLOCKING, 1);
    const ad_stats_shard_t *const one[1] = {s};
    ad_stats_snapshot_t save = snap;
    snap.shards = one;
    snap.nshards = 1;
    snap.info.top.version = "1\"\\\n";
    snap.info.config.watchdog_ns = 20 * SEC;

    json_t *root = format_and_parse();
    expect_str(root, "version", "1\"\\\n");
    const json_t *loop = json_object_get(root, "loop");
    assert_true(json_is_null(json_object_get(loop, "longest_stall_endpoint")));
    assert_true(json_is_null(json_object_get(loop, "longest_stall_wall")));
    expect_integer(loop, "stalls", 0);
    expect_seconds(json_object_get(root, "config"), "watchdog_seconds", 20 * SEC);
    json_decref(root);

    /* a stall whose culprit is unknown */
    ad_stats_loop_tick(s, SEC, 100 * MS, -1, INT64_C(1795541400) * SEC);
    root = format_and_parse();
    loop = json_object_get(root, "loop");
    assert_true(json_is_null(json_object_get(loop, "longest_stall_endpoint")));
    expect_str(loop, "longest_stall_wall", "2026-11-24T17:30:00.000Z");
    json_decref(root);
    snap = save;
    free(s);
}

/* The formatter reuses unchanged endpoint objects between calls: every change must still show. */
static double healthz(const char *field, const char *latency_field)
{
    json_t *root = format_and_parse();
    const json_t *e = json_object_get(json_object_get(root, "endpoints"), "/healthz");
    if (latency_field != NULL)
        e = json_object_get(e, "latency_seconds");
    double v = num(e, latency_field ? latency_field : field);
    json_decref(root);
    return v;
}

static void test_json_reuse_follows_changes(void **state)
{
    (void)state;
    assert_true(healthz("requests", NULL) == 0);
    assert_true(healthz("requests", NULL) == 0);
    ad_stats_request_immediate(&shards[0], AD_EP_HEALTHZ, 200, 5 * US);
    assert_true(healthz("requests", NULL) == 1);
    assert_true(healthz(NULL, "max") == 0.000005);
    /* a latency sample alone (counters unchanged) */
    ad_hist_record(&shards[1].ep[AD_EP_HEALTHZ].latency, 9 * US);
    assert_true(healthz(NULL, "max") == 0.000009);
    ad_stats_request_begin(&shards[1], AD_EP_HEALTHZ);
    assert_true(healthz("in_flight", NULL) == 1);

    /* another set of shards, then back */
    ad_stats_shard_t *other = malloc(sizeof(*other));
    assert_non_null(other);
    ad_stats_shard_init(other);
    const ad_stats_shard_t *const one[1] = {other};
    ad_stats_snapshot_t save = snap;
    snap.shards = one;
    snap.nshards = 1;
    assert_true(healthz("requests", NULL) == 0);
    snap = save;
    assert_true(healthz("requests", NULL) == 2);

    /* a shard re-made in the same memory with the same counts but other values */
    snap.shards = one;
    snap.nshards = 1;
    ad_stats_request_immediate(other, AD_EP_HEALTHZ, 200, 5 * US);
    assert_true(healthz(NULL, "max") == 0.000005);
    ad_stats_shard_init(other);
    ad_stats_request_immediate(other, AD_EP_HEALTHZ, 200, 7 * US);
    assert_true(healthz(NULL, "max") == 0.000007);
    snap = save;
    free(other);
}

/* The config object is kept encoded between calls: every value of it must still follow a reload. */
static double config_value(const char *key)
{
    json_t *root = format_and_parse();
    double v = json_number_value(json_object_get(json_object_get(root, "config"), key));
    json_decref(root);
    return v;
}

static void test_json_config_follows_reload(void **state)
{
    (void)state;
    ad_stats_info_t save = snap.info;
    assert_true(config_value("max_delay_seconds") == 30.0);
    assert_true(config_value("max_delay_seconds") == 30.0);
    snap.info.config.max_delay_ns = 5 * SEC;
    assert_true(config_value("max_delay_seconds") == 5.0);
    snap.info.config.send_timeout_ns = 2 * SEC; /* a late field too */
    assert_true(config_value("send_timeout_seconds") == 2.0);
    snap.info.config.max_waiting = 7;
    assert_true(config_value("max_waiting") == 7.0);
    snap.info.offload.busy = 2; /* offload is not part of the kept object */
    json_t *root = format_and_parse();
    assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "offload"), "busy")), 2);
    json_decref(root);
    snap.info = save;
    assert_true(config_value("max_delay_seconds") == 30.0);
    assert_true(config_value("idle_timeout_seconds") == 1.5);
}

/* Every member of the config section reaches the document: the kept object is keyed by the whole struct. */
static void test_json_config_every_member(void **state)
{
    (void)state;
    ad_stats_info_t save = snap.info;
    char *before = format_text();
    for (size_t off = 0; off < sizeof(ad_stats_config_t); off += sizeof(int64_t)) {
        int64_t v;
        memcpy(&v, (char *)&snap.info.config + off, sizeof(v));
        v += 1000000; /* 1 ms as ns, 10^6 as a count: either shows */
        memcpy((char *)&snap.info.config + off, &v, sizeof(v));
        char *after = format_text();
        if (strcmp(before, after) == 0)
            fail_msg("config member at offset %zu changed, /stats did not", off);
        free(after);
        snap.info = save;
    }
    free(before);
}

/* ---- Prometheus ---- */

/* The exposition of snap, malloc'd (free it); NULL when the formatter failed. */
static char *prometheus(size_t *len)
{
    ad_buf_t b;
    ad_buf_init(&b, 0);
    if (ad_stats_format_prometheus(&snap, &b) != 0) {
        ad_buf_free(&b);
        return NULL;
    }
    if (len != NULL)
        *len = b.len;
    return b.buf;
}

typedef struct prom_line {
    char name[128];
    char labels[256]; /* raw text between the braces */
    char value[64];
} prom_line_t;

/* Splits a sample line "name{labels} value"; fails the test on anything else. */
static void parse_sample(const char *line, prom_line_t *out)
{
    memset(out, 0, sizeof(*out));
    size_t n = strcspn(line, "{ ");
    assert_true(n > 0 && n < sizeof(out->name));
    memcpy(out->name, line, n);
    for (size_t i = 0; i < n; i++)
        assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz_0123456789", out->name[i]));
    const char *p = line + n;
    if (*p == '{') {
        const char *close = strstr(p, "} ");
        assert_non_null(close);
        assert_true((size_t)(close - p - 1) < sizeof(out->labels));
        memcpy(out->labels, p + 1, (size_t)(close - p - 1));
        p = close + 1;
    }
    assert_int_equal(*p, ' ');
    p++;
    assert_true(strlen(p) > 0 && strlen(p) < sizeof(out->value));
    strcpy(out->value, p);
    char *endp;
    double v = strtod(out->value, &endp);
    if (*endp != '\0' || !isfinite(v))
        fail_msg("bad sample value in: %s", line);
}

/* The value of the sample with exactly this name and label text; fails when absent. */
static double sample(const char *text, const char *name, const char *labels)
{
    char want[512];
    snprintf(want, sizeof(want), labels ? "\n%s{%s} " : "\n%s ", name, labels);
    const char *hit = strstr(text, want);
    if (hit == NULL)
        fail_msg("no sample %s", want + 1);
    return strtod(hit + strlen(want), NULL);
}

static void test_json_sub_microsecond_resolution(void **state)
{
    (void)state;
    /* /healthz answered in 450 ns and 700 ns: neither may read as 0 */
    immediate(0, AD_EP_HEALTHZ, 200, 450);
    immediate(1, AD_EP_HEALTHZ, 200, 700);
    ad_jw_t w;
    ad_jw_init(&w, 256);
    assert_int_equal(ad_stats_format_json(&snap, &w), 0);
    assert_non_null(strstr(w.buf, "\"min\":0.000000450,\"mean\":0.000000575,\"max\":0.000000700"));
    assert_non_null(strstr(w.buf, "\"lag_seconds\":0.000300000")); /* below 1 ms: nine decimals */
    /* from 1 ms up, microseconds as before */
    assert_non_null(strstr(w.buf, "\"uptime_seconds\":12.500000"));
    assert_non_null(strstr(w.buf, "\"max_delay_seconds\":30.000000"));
    ad_jw_free(&w);
    json_t *root = format_and_parse();
    const json_t *lat =
        json_object_get(json_object_get(json_object_get(root, "endpoints"), "/healthz"), "latency_seconds");
    assert_true(num(lat, "p50") >= 450e-9 && num(lat, "p50") <= 700e-9);
    assert_true(num(lat, "p99") > 0);
    json_decref(root);
}

static void test_prometheus_lines(void **state)
{
    (void)state;
    size_t len = 0;
    char *text = prometheus(&len);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    assert_true(len > 0 && text[len - 1] == '\n');

    /* every line: HELP, then TYPE, then that family's samples */
    char family[128] = "", type[32] = "";
    bool saw_help = false;
    int samples = 0;
    char *copy = strdup(text), *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "# HELP ", 7) == 0) {
            assert_int_equal(sscanf(line + 7, "%127s", family), 1);
            assert_true(strlen(line) > 8 + strlen(family));
            saw_help = true;
            type[0] = '\0';
            continue;
        }
        if (strncmp(line, "# TYPE ", 7) == 0) {
            char name[128];
            assert_true(saw_help);
            assert_int_equal(sscanf(line + 7, "%127s %31s", name, type), 2);
            assert_string_equal(name, family);
            assert_true(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0 || strcmp(type, "histogram") == 0);
            if (strcmp(type, "counter") == 0)
                assert_non_null(strstr(family, "_total"));
            if (strcmp(type, "histogram") == 0)
                assert_non_null(strstr(family, "_seconds"));
            assert_memory_equal(family, "asyncdemo_", 10);
            saw_help = false;
            continue;
        }
        assert_int_not_equal(line[0], '#');
        prom_line_t s;
        parse_sample(line, &s);
        assert_true(type[0] != '\0');
        size_t fl = strlen(family);
        if (strcmp(type, "histogram") == 0) {
            assert_memory_equal(s.name, family, fl);
            assert_true(strcmp(s.name + fl, "_bucket") == 0 || strcmp(s.name + fl, "_sum") == 0 ||
                        strcmp(s.name + fl, "_count") == 0);
        } else {
            assert_string_equal(s.name, family);
        }
        samples++;
    }
    free(copy);
    assert_true(samples > 100);

    /* the figures */
    assert_true(sample(text, "asyncdemo_build_info", "version=\"0.1.0-test\"") == 1);
    assert_true(sample(text, "asyncdemo_uptime_seconds", NULL) == 12.5);
    assert_true(sample(text, "asyncdemo_loop_lag_seconds", NULL) == 0.0003);
    assert_true(sample(text, "asyncdemo_loop_ticks_total", NULL) == 10);
    assert_true(sample(text, "asyncdemo_loop_stalls_total", NULL) == 2);
    assert_true(sample(text, "asyncdemo_loop_stalled_seconds_total", NULL) == 6.005);
    assert_true(sample(text, "asyncdemo_loop_longest_stall_seconds", NULL) == 4.005);
    assert_true(sample(text, "asyncdemo_loop_cpu_seconds_total", NULL) == 1.25);
    assert_true(sample(text, "asyncdemo_connections_open", NULL) == 4);
    assert_true(sample(text, "asyncdemo_connections_total", NULL) == 5);
    assert_true(sample(text, "asyncdemo_connections_refused_total", NULL) == 3);
    assert_true(sample(text, "asyncdemo_request_bodies_refused_total", NULL) == 2);
    assert_true(sample(text, "asyncdemo_connections_by_protocol_total", "protocol=\"http1_1\"") == 2);
    assert_true(sample(text, "asyncdemo_connections_by_protocol_total", "protocol=\"h2\"") == 1);
    assert_true(sample(text, "asyncdemo_connections_by_protocol_total", "protocol=\"h2c\"") == 1);
    assert_true(sample(text, "asyncdemo_connections_by_protocol_total", "protocol=\"http1_0\"") == 0);
    assert_true(sample(text, "asyncdemo_tls_handshakes_total", NULL) == 4);
    assert_true(sample(text, "asyncdemo_tls_handshake_failures_total", NULL) == 1);
    assert_true(sample(text, "asyncdemo_tls_connections_total", "version=\"tls1_2\"") == 1);
    assert_true(sample(text, "asyncdemo_tls_connections_total", "version=\"tls1_3\"") == 2);
    assert_true(sample(text, "asyncdemo_connections_closed_total", "reason=\"send_timeout\"") == 0);
    assert_true(sample(text, "asyncdemo_offload_busy", NULL) == 1);
    assert_true(sample(text, "asyncdemo_offload_queued", NULL) == 3);
    for (int ep = 0; ep < AD_EP_COUNT; ep++) {
        char l[128];
        const ep_expect_t *x = &ep_want[ep];
        snprintf(l, sizeof(l), "endpoint=\"%s\"", ad_endpoint_name((ad_endpoint_t)ep));
        assert_true(sample(text, "asyncdemo_requests_total", l) == (double)x->requests);
        assert_true(sample(text, "asyncdemo_requests_completed_total", l) == (double)x->completed);
        assert_true(sample(text, "asyncdemo_requests_cancelled_total", l) == (double)x->cancelled);
        assert_true(sample(text, "asyncdemo_requests_in_flight", l) == (double)x->in_flight);
        assert_true(sample(text, "asyncdemo_requests_in_flight_peak", l) == (double)x->peak);
        assert_true(sample(text, "asyncdemo_faults_status_total", l) == (double)x->fault_status);
        assert_true(sample(text, "asyncdemo_faults_closed_total", l) == (double)x->fault_closed);
        assert_true(sample(text, "asyncdemo_faults_reset_total", l) == (double)x->fault_reset);
        snprintf(l, sizeof(l), "endpoint=\"%s\",class=\"4xx\"", ad_endpoint_name((ad_endpoint_t)ep));
        assert_true(sample(text, "asyncdemo_responses_total", l) == (double)x->s4);
        snprintf(l, sizeof(l), "endpoint=\"%s\",class=\"5xx\"", ad_endpoint_name((ad_endpoint_t)ep));
        assert_true(sample(text, "asyncdemo_responses_total", l) == (double)x->s5);
    }
    free(text);
}

static void test_prometheus_histograms(void **state)
{
    (void)state;
    static const char *const le[] = {"0.001", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5",
                                     "1",     "2",     "2.5",  "5",     "10",   "30",  "60",   "+Inf"};
    static const double le_s[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10, 30, 60, INFINITY};
    char *text = prometheus(NULL);
    assert_non_null(text);
    for (int ep = 0; ep < AD_EP_COUNT; ep++) {
        const samples_t *s = &recorded[ep];
        const char *name = ad_endpoint_name((ad_endpoint_t)ep);
        char l[128];
        double prev = 0, sum = 0;
        for (size_t i = 0; i < 16; i++) {
            snprintf(l, sizeof(l), "endpoint=\"%s\",le=\"%s\"", name, le[i]);
            double got = sample(text, "asyncdemo_request_duration_seconds_bucket", l);
            size_t want = 0; /* the recorded values sit well away from the bounds */
            for (size_t k = 0; k < s->n; k++)
                want += (double)s->v[k] / 1e9 <= le_s[i];
            if (got != (double)want)
                fail_msg("%s le=%s: %.0f, want %zu", name, le[i], got, want);
            assert_true(got >= prev); /* cumulative */
            prev = got;
        }
        snprintf(l, sizeof(l), "endpoint=\"%s\"", name);
        assert_true(sample(text, "asyncdemo_request_duration_seconds_count", l) == prev); /* +Inf == _count */
        assert_true(prev == (double)s->n);
        for (size_t k = 0; k < s->n; k++)
            sum += (double)s->v[k] / 1e9;
        assert_true(fabs(sample(text, "asyncdemo_request_duration_seconds_sum", l) - sum) < 2e-9);
    }
    free(text);
}

/*
 * A writer in the middle of an update (sequence odd) while /metrics is formatted on another thread: the
 * reader waits for the update to end, so the scrape shows the whole request or none of it.
 */
typedef struct midway {
    ad_stats_shard_t *shard;
    volatile int entered;
} midway_t;

/* One request's end done in two halves 50 ms apart, inside one update, as a descheduled writer would. */
static void *finish_update_later(void *arg)
{
    midway_t *m = arg;
    ad_endpoint_stats_t *e = &m->shard->ep[AD_EP_OFFLOAD];
    __atomic_store_n(&m->shard->seq, m->shard->seq + 1, __ATOMIC_SEQ_CST); /* odd: inside an update */
    __atomic_store_n(&e->completed, e->completed + 1, __ATOMIC_RELAXED);
    m->entered = 1;
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
    __atomic_store_n(&e->latency.count, e->latency.count + 1, __ATOMIC_RELAXED);
    __atomic_store_n(&e->le_bins[AD_STATS_NLE], e->le_bins[AD_STATS_NLE] + 1, __ATOMIC_RELAXED);
    __atomic_store_n(&m->shard->seq, m->shard->seq + 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* completed_total - _count of /offload in a scrape */
static double offload_completed_minus_count(void)
{
    char *text = prometheus(NULL);
    assert_non_null(text);
    double d = sample(text, "asyncdemo_requests_completed_total", "endpoint=\"/offload\"") -
               sample(text, "asyncdemo_request_duration_seconds_count", "endpoint=\"/offload\"");
    assert_true(sample(text, "asyncdemo_request_duration_seconds_count", "endpoint=\"/offload\"") ==
                sample(text, "asyncdemo_request_duration_seconds_bucket", "endpoint=\"/offload\",le=\"+Inf\""));
    free(text);
    return d;
}

static void test_prometheus_waits_for_writer(void **state)
{
    (void)state;
    ad_stats_shard_t *shard = &shards[0];
    ad_endpoint_stats_t *e = &shard->ep[AD_EP_OFFLOAD];
    uint64_t completed = e->completed, count = e->latency.count, above = e->le_bins[AD_STATS_NLE];
    double before = offload_completed_minus_count();
    midway_t m = {shard, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, finish_update_later, &m), 0);
    while (!m.entered)
        sched_yield();
    double during = offload_completed_minus_count(); /* began with completed counted and _count not yet */
    pthread_join(t, NULL);
    assert_true(during == before);
    e->completed = completed; /* the fixture as it was */
    e->latency.count = count;
    e->le_bins[AD_STATS_NLE] = above;
}

static void test_prometheus_label_escaping(void **state)
{
    (void)state;
    const char *save = snap.info.top.version;
    snap.info.top.version = "v\"1\\2\n3";
    char *text = prometheus(NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "\nasyncdemo_build_info{version=\"v\\\"1\\\\2\\n3\"} 1\n"));
    free(text);
    snap.info.top.version = save;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json_document, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_no_stall_and_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_config_follows_reload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_config_every_member, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_reuse_follows_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_sub_microsecond_resolution, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prometheus_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prometheus_histograms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prometheus_waits_for_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prometheus_label_escaping, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
