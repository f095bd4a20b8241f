/* Stats shards: single-writer updates, totals across shards, endpoint names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "stats.h"

static void test_endpoint_names(void **state)
{
    (void)state;
    /* the paths of the endpoints with a slot of their own, in the list's order, then "other" */
    static const char *const want[AD_EP_COUNT] = {
#define AD_X(id, path, match, methods, slot, ...) AD_ENDPOINT_IF_OWN_##slot(path, )
        AD_ENDPOINTS(AD_X)
#undef AD_X
            "other"};
    assert_string_equal(want[0], "/non-blocking");
    assert_string_equal(want[AD_EP_DELAY], "/delay");
    assert_string_equal(want[AD_EP_HEALTHZ], "/healthz");
    for (int i = 0; i < AD_EP_COUNT; i++)
        assert_string_equal(ad_endpoint_name((ad_endpoint_t)i), want[i]);
    assert_string_equal(ad_endpoint_name(AD_EP_COUNT), "other");
    assert_string_equal(ad_endpoint_name((ad_endpoint_t)-1), "other");
}

static void test_init(void **state)
{
    (void)state;
    ad_stats_shard_t *s = malloc(sizeof(*s));
    assert_non_null(s);
    memset(s, 0xab, sizeof(*s));
    ad_stats_shard_init(s);
    for (int i = 0; i < AD_EP_COUNT; i++) {
        assert_int_equal(s->ep[i].requests, 0);
        assert_int_equal(s->ep[i].in_flight, 0);
        assert_int_equal(s->ep[i].latency.count, 0);
        assert_int_equal(s->ep[i].latency.min, INT64_MAX);
    }
    assert_int_equal(s->loop.longest_stall_endpoint, -1);
    assert_int_equal(s->loop.stalls, 0);
    assert_int_equal(s->connections_open, 0);
    free(s);
}

static void test_request_lifecycle(void **state)
{
    (void)state;
    ad_stats_shard_t *s = malloc(sizeof(*s));
    assert_non_null(s);
    ad_stats_shard_init(s);
    ad_endpoint_stats_t *e = &s->ep[AD_EP_NON_BLOCKING];

    for (int i = 0; i < 5; i++)
        ad_stats_request_begin(s, AD_EP_NON_BLOCKING);
    assert_int_equal(e->requests, 5);
    assert_int_equal(e->in_flight, 5);
    assert_int_equal(e->peak_in_flight, 5);

    ad_stats_request_end(s, AD_EP_NON_BLOCKING, 200, 1000);
    ad_stats_request_end(s, AD_EP_NON_BLOCKING, 404, 3000);
    ad_stats_request_end(s, AD_EP_NON_BLOCKING, 503, 2000);
    ad_stats_request_cancelled(s, AD_EP_NON_BLOCKING);
    assert_int_equal(e->in_flight, 1);
    assert_int_equal(e->completed, 3);
    assert_int_equal(e->cancelled, 1);
    assert_int_equal(e->status_4xx, 1);
    assert_int_equal(e->status_5xx, 1);
    assert_int_equal(e->latency.count, 3); /* cancelled: no sample */
    assert_int_equal(e->latency.min, 1000);
    assert_int_equal(e->latency.max, 3000);

    ad_stats_request_begin(s, AD_EP_NON_BLOCKING);
    assert_int_equal(e->in_flight, 2);
    assert_int_equal(e->peak_in_flight, 5); /* the peak stays */

    /* immediate answers are in flight for a moment: the peak shows them, in_flight is back to 0 */
    ad_stats_request_immediate(s, AD_EP_OTHER, 404, 10);
    ad_stats_request_immediate(s, AD_EP_OTHER, 405, 20);
    ad_stats_request_immediate(s, AD_EP_BLOCKING, 503, 30);
    ad_stats_request_immediate(s, AD_EP_BLOCKING, 399, 30);
    ad_stats_request_immediate(s, AD_EP_BLOCKING, 600, 30);
    ad_endpoint_stats_t *o = &s->ep[AD_EP_OTHER], *b = &s->ep[AD_EP_BLOCKING];
    assert_int_equal(o->requests, 2);
    assert_int_equal(o->completed, 2);
    assert_int_equal(o->in_flight, 0);
    assert_int_equal(o->peak_in_flight, 1);
    assert_int_equal(b->in_flight, 0);
    assert_int_equal(b->peak_in_flight, 1);
    assert_int_equal(o->status_4xx, 2);
    assert_int_equal(o->latency.count, 2);
    assert_int_equal(b->status_5xx, 1);
    assert_int_equal(b->status_4xx, 0);
    assert_int_equal(b->requests, 3);

    /* an out-of-range endpoint is counted as "other", not written out of bounds */
    ad_stats_request_immediate(s, AD_EP_COUNT, 404, 1);
    assert_int_equal(o->requests, 3);
    free(s);
}

static void test_loop_ticks(void **state)
{
    (void)state;
    ad_stats_shard_t *s = malloc(sizeof(*s));
    assert_non_null(s);
    ad_stats_shard_init(s);
    const int64_t thr = 100;

    ad_stats_loop_tick(s, 5, thr, -1, 1);
    ad_stats_loop_tick(s, 100, thr, AD_EP_BLOCKING, 2); /* at the threshold: not a stall */
    assert_int_equal(s->loop.ticks, 2);
    assert_int_equal(s->loop.stalls, 0);
    assert_int_equal(s->loop.lag_ns, 100);
    assert_int_equal(s->loop.longest_stall_endpoint, -1);

    ad_stats_loop_tick(s, 500, thr, AD_EP_BLOCKING, 3000);
    ad_stats_loop_tick(s, 300, thr, AD_EP_OFFLOAD, 4000);
    ad_stats_loop_tick(s, -7, thr, -1, 5000); /* early: counted as no lag */
    assert_int_equal(s->loop.ticks, 5);
    assert_int_equal(s->loop.stalls, 2);
    assert_int_equal(s->loop.stalled_total_ns, 800);
    assert_int_equal(s->loop.lag_ns, 0);
    assert_int_equal(s->loop.longest_stall_ns, 500);
    assert_int_equal(s->loop.longest_stall_endpoint, AD_EP_BLOCKING);
    assert_int_equal(s->loop.longest_stall_wall_ns, 3000);
    free(s);
}

static void test_totals_across_shards(void **state)
{
    (void)state;
    ad_stats_shard_t *sh = calloc(3, sizeof(*sh));
    assert_non_null(sh);
    for (int i = 0; i < 3; i++)
        ad_stats_shard_init(&sh[i]);
    const ad_stats_shard_t *const ptrs[3] = {&sh[0], &sh[1], &sh[2]};
    ad_stats_snapshot_t snap = {.shards = ptrs, .nshards = 3};

    /* shard i: i+1 requests, one completed with 4xx, one left in flight */
    for (int i = 0; i < 3; i++) {
        for (int r = 0; r <= i; r++)
            ad_stats_request_begin(&sh[i], AD_EP_OFFLOAD);
        ad_stats_request_end(&sh[i], AD_EP_OFFLOAD, 400 + i, 10);
        for (int c = 0; c < i + 1; c++)
            ad_stats_connection_open(&sh[i]);
        ad_stats_connection_close(&sh[i]);
    }
    ad_stats_request_cancelled(&sh[2], AD_EP_OFFLOAD);

    ad_endpoint_totals_t t;
    ad_stats_endpoint_totals(&snap, AD_EP_OFFLOAD, &t);
    assert_int_equal(t.requests, 6);
    assert_int_equal(t.completed, 3);
    assert_int_equal(t.cancelled, 1);
    assert_int_equal(t.status_4xx, 3);
    assert_int_equal(t.status_5xx, 0);
    assert_int_equal(t.in_flight, 0 + 1 + 1);
    assert_int_equal(t.peak_in_flight, 1 + 2 + 3);
    ad_stats_endpoint_totals(&snap, AD_EP_HEALTHZ, &t);
    assert_int_equal(t.requests, 0);

    ad_stats_connection_refused(&sh[2]);
    ad_stats_connection_closed(&sh[1], AD_CLOSE_BAD_FRAMING);
    ad_stats_connection_closed(&sh[2], AD_CLOSE_BAD_FRAMING);
    ad_stats_connection_closed(&sh[0], AD_CLOSE_SEND_TIMEOUT);
    ad_stats_body_refused(&sh[0]);
    ad_stats_connections_t conn;
    ad_stats_closed_t closed;
    ad_stats_request_bodies_t bodies;
    ad_stats_connections(&snap, &conn, &closed, &bodies);
    assert_int_equal(conn.open, 0 + 1 + 2);
    assert_int_equal(conn.total, 1 + 2 + 3);
    assert_int_equal(conn.refused, 1);
    assert_int_equal(closed.BAD_FRAMING, 2);
    assert_int_equal(closed.SEND_TIMEOUT, 1);
    assert_int_equal(closed.HEADER_BLOCK, 0);
    assert_int_equal(bodies.refused, 1);

    ad_stats_loop_tick(&sh[0], 700, 100, AD_EP_BLOCKING, 111);
    ad_stats_loop_tick(&sh[0], 10, 100, -1, 112);
    ad_stats_loop_tick(&sh[1], 900, 100, AD_EP_DELAY, 222);
    ad_stats_loop_tick(&sh[2], 40, 100, -1, 333);
    ad_loop_stats_t l;
    ad_stats_loop_totals(&snap, &l);
    assert_int_equal(l.ticks, 4);
    assert_int_equal(l.stalls, 2);
    assert_int_equal(l.stalled_total_ns, 1600);
    assert_int_equal(l.lag_ns, 900); /* max of the current lags: 10, 900, 40 */
    assert_int_equal(l.longest_stall_ns, 900);
    assert_int_equal(l.longest_stall_endpoint, AD_EP_DELAY);
    assert_int_equal(l.longest_stall_wall_ns, 222);

    snap.nshards = 0;
    ad_stats_loop_totals(&snap, &l);
    assert_int_equal(l.longest_stall_endpoint, -1);
    assert_int_equal(l.ticks, 0);
    free(sh);
}

/* One writer thread, one reader: readers see counts that only grow and end exact. */
#define WRITES 200000
static ad_stats_shard_t *shared_shard;

static void *writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < WRITES; i++) {
        ad_stats_request_begin(shared_shard, AD_EP_STATS);
        ad_stats_request_end(shared_shard, AD_EP_STATS, 200, i);
    }
    return NULL;
}

static void test_concurrent_reader(void **state)
{
    (void)state;
    shared_shard = malloc(sizeof(*shared_shard));
    assert_non_null(shared_shard);
    ad_stats_shard_init(shared_shard);
    const ad_stats_shard_t *const ptrs[1] = {shared_shard};
    ad_stats_snapshot_t snap = {.shards = ptrs, .nshards = 1};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, writer, NULL), 0);
    uint64_t last = 0;
    ad_endpoint_totals_t t;
    do {
        ad_stats_endpoint_totals(&snap, AD_EP_STATS, &t);
        assert_true(t.requests >= last);
        assert_true(t.in_flight == 0 || t.in_flight == 1);
        last = t.requests;
    } while (last < WRITES);
    assert_int_equal(pthread_join(th, NULL), 0);
    ad_stats_endpoint_totals(&snap, AD_EP_STATS, &t);
    assert_int_equal(t.requests, WRITES);
    assert_int_equal(t.completed, WRITES);
    assert_int_equal(t.in_flight, 0);
    assert_int_equal(t.peak_in_flight, 1);
    free(shared_shard);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_endpoint_names),       cmocka_unit_test(test_init),
        cmocka_unit_test(test_request_lifecycle),    cmocka_unit_test(test_loop_ticks),
        cmocka_unit_test(test_totals_across_shards), cmocka_unit_test(test_concurrent_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
