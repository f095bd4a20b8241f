/* The /events message: per-second lag records, the request rate, the JSON document, the SSE frame. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "clock.h"
#include "events_format.h"

static void test_lag_records(void **state)
{
    (void)state;
    int64_t lag;
    int32_t culprit;
    ad_events_lag_t r = 0;
    assert_false(ad_events_lag_read(r, 5, &lag, &culprit)); /* nothing yet */
    assert_int_equal(lag, 0);
    assert_int_equal(culprit, -1);

    r = ad_events_lag_merge(r, 5, 200 * AD_NS_PER_US, -1);
    r = ad_events_lag_merge(r, 5, 300 * AD_NS_PER_MS, AD_EP_BLOCKING); /* the worst tick of second 5 */
    r = ad_events_lag_merge(r, 5, 100 * AD_NS_PER_US, -1);             /* a smaller one changes nothing */
    assert_true(ad_events_lag_read(r, 5, &lag, &culprit));
    assert_int_equal(lag, 300 * AD_NS_PER_MS);
    assert_int_equal(culprit, AD_EP_BLOCKING);
    assert_false(ad_events_lag_read(r, 4, &lag, &culprit)); /* another second: no tick recorded */
    assert_false(ad_events_lag_read(r, 5 + (1 << 24) + 1, &lag, &culprit));

    r = ad_events_lag_merge(r, 6, 50 * AD_NS_PER_US, -1); /* a new second starts afresh */
    assert_true(ad_events_lag_read(r, 6, &lag, &culprit));
    assert_int_equal(lag, 50 * AD_NS_PER_US);
    assert_int_equal(culprit, -1);

    r = ad_events_lag_merge(0, 7, 0, AD_EP_OTHER); /* a tick on time still marks its second */
    assert_true(ad_events_lag_read(r, 7, &lag, &culprit));
    assert_int_equal(lag, 0);
    assert_int_equal(culprit, AD_EP_OTHER);

    r = ad_events_lag_merge(0, 8, INT64_MAX, AD_EP_COUNT); /* saturates; an out-of-range culprit is none */
    assert_true(ad_events_lag_read(r, 8, &lag, &culprit));
    assert_int_equal(lag, (int64_t)UINT32_MAX * AD_NS_PER_US);
    assert_int_equal(culprit, -1);
}

static void test_rate(void **state)
{
    (void)state;
    assert_true(ad_events_rate(100, 0, 150, AD_NS_PER_SEC) == 50.0);
    assert_true(ad_events_rate(0, 0, 1, 3 * AD_NS_PER_SEC) == 0.3); /* 0.333... to 0.1 */
    assert_true(ad_events_rate(0, 0, 2, 3 * AD_NS_PER_SEC) == 0.7); /* 0.666... rounds up */
    assert_true(ad_events_rate(0, 0, 154000, AD_NS_PER_SEC / 2) == 308000.0);
    assert_true(ad_events_rate(5, 10, 9, 10) == 0); /* no time passed */
    assert_true(ad_events_rate(9, 0, 5, 10) == 0);  /* a counter never goes back; no negative rate */
}

static ad_events_view_t sample_view(ad_events_loop_view_t loops[2])
{
    loops[0] = (ad_events_loop_view_t){"loop-0", 250 * AD_NS_PER_US, -1, 20 * AD_NS_PER_MS};
    loops[1] = (ad_events_loop_view_t){"loop-1", 2000100 * AD_NS_PER_US, AD_EP_BLOCKING, 1500 * AD_NS_PER_MS};
    return (ad_events_view_t){
        .uptime_ns = 12345678901,
        .requests = 42,
        .requests_per_second = 12.5,
        .in_flight = {3, 1, 2, 0},
        .pool_busy = 2,
        .pool_queued = 1,
        .pool_size = 8,
        .stall_threshold_ns = 100 * AD_NS_PER_MS,
        .loops = loops,
        .nloops = 2,
        .clients = 7,
        .max_clients = 256,
        .refused = 4,
    };
}

static void test_json(void **state)
{
    (void)state;
    ad_events_loop_view_t loops[2];
    ad_events_view_t v = sample_view(loops);
    ad_jw_t w;
    ad_jw_init(&w, 16);
    assert_int_equal(ad_events_format_json(&v, &w), 0);
    assert_null(memchr(w.buf, '\n', w.len)); /* one SSE data line */
    assert_string_equal(w.buf, "{\"uptime_seconds\":12.346,\"requests\":42,\"requests_per_second\":12.5,"
                               "\"in_flight\":{\"/non-blocking\":3,\"/blocking\":1,\"/offload\":2,\"/delay\":0},"
                               "\"offload\":{\"busy\":2,\"queued\":1,\"size\":8},\"stall_threshold_seconds\":0.100000,"
                               "\"loops\":[{\"thread\":\"loop-0\",\"lag_seconds\":0.000250,\"stall_endpoint\":null,"
                               "\"busy_seconds\":0.020000},{\"thread\":\"loop-1\",\"lag_seconds\":2.000100,"
                               "\"stall_endpoint\":\"/blocking\",\"busy_seconds\":1.500000}],"
                               "\"events\":{\"clients\":7,\"max_clients\":256,\"refused\":4}}");
    json_error_t e;
    json_t *doc = json_loadb(w.buf, w.len, 0, &e);
    assert_non_null(doc);
    json_decref(doc);
    ad_jw_free(&w);
}

static void test_frame(void **state)
{
    (void)state;
    char buf[64];
    const char json[] = "{\"a\":1}";
    size_t n = ad_events_frame(17, json, strlen(json), buf, sizeof(buf));
    assert_int_equal(n, strlen("id: 17\ndata: {\"a\":1}\n\n"));
    assert_string_equal(buf, "id: 17\ndata: {\"a\":1}\n\n");
    char small[20];
    size_t need = ad_events_frame(17, json, strlen(json), small, sizeof(small));
    assert_int_equal(need, n); /* too small: says how much it needs */
    assert_true(need >= sizeof(small));
    assert_true(ad_events_frame(17, json, strlen(json), buf, n) >= n); /* exactly n leaves no room for the NUL */
}

/* The largest message (every figure at its widest, 64 loops with the longest names) fits the frame
 * buffer events.c gives each stream. */
static void test_frame_max_fits(void **state)
{
    (void)state;
    enum { NLOOPS = 64 };
    ad_events_loop_view_t loops[NLOOPS];
    char names[NLOOPS][16];
    for (int i = 0; i < NLOOPS; i++) {
        snprintf(names[i], sizeof(names[i]), "loop-%d", 1000000000 + i); /* wider than any real name */
        loops[i] = (ad_events_loop_view_t){names[i], INT64_MAX, AD_EP_NON_BLOCKING, INT64_MAX};
    }
    ad_events_view_t v = {
        .uptime_ns = INT64_MAX,
        .requests = UINT64_MAX,
        .requests_per_second = 123456789012.3,
        .in_flight = {INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN},
        .pool_busy = UINT32_MAX,
        .pool_queued = UINT32_MAX,
        .pool_size = UINT32_MAX,
        .stall_threshold_ns = INT64_MAX,
        .loops = loops,
        .nloops = NLOOPS,
        .clients = UINT32_MAX,
        .max_clients = UINT32_MAX,
        .refused = UINT64_MAX,
    };
    ad_jw_t w;
    ad_jw_init(&w, 16);
    assert_int_equal(ad_events_format_json(&v, &w), 0);
    static char buf[AD_EVENTS_FRAME_MAX(NLOOPS)];
    assert_true(ad_events_frame(UINT64_MAX, w.buf, w.len, buf, sizeof(buf)) < sizeof(buf));
    v.nloops = 1;
    assert_int_equal(ad_events_format_json(&v, &w), 0);
    assert_true(ad_events_frame(UINT64_MAX, w.buf, w.len, buf, AD_EVENTS_FRAME_MAX(1)) < AD_EVENTS_FRAME_MAX(1));
    ad_jw_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lag_records), cmocka_unit_test(test_rate),           cmocka_unit_test(test_json),
        cmocka_unit_test(test_frame),       cmocka_unit_test(test_frame_max_fits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
