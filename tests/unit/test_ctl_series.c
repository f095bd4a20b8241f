/* Figures over time (series.h): what each interval counts, the doubling that keeps memory fixed, merging
 * (the shards of a run merge into the run's series), percentiles within a bucket, the JSON round trip and
 * the report's sparkline rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "json_report.h"
#include "report.h"
#include "series.h"
#include "test_ctl_fixtures.h"

static void test_buckets_and_percentiles(void **state)
{
    (void)state;
    assert_int_equal(ad_series_bucket(0), 0);
    assert_int_equal(ad_series_bucket(1023), 0);
    assert_int_equal(ad_series_bucket(1024), 0);
    assert_int_equal(ad_series_bucket(1280), 1);
    assert_int_equal(ad_series_bucket(INT64_MAX), AD_SERIES_BUCKETS - 1);
    size_t prev = 0;
    for (int64_t v = 1024; v < (INT64_C(1) << 42); v += v / 7 + 1) {
        size_t b = ad_series_bucket(v);
        assert_true(b >= prev);
        prev = b;
        /* the value a bucket stands for is within 10 % of everything in it */
        double mid = (double)ad_series_bucket_value(b);
        assert_true(fabs(mid - (double)v) <= 0.12 * (double)v);
    }
    /* 1..100 ms: each percentile within 12 % */
    ad_series_t s;
    ad_series_init(&s, FX_S);
    for (int i = 1; i <= 100; i++)
        ad_series_add(&s, -1, 0, i * FX_MS, 0, i * FX_MS);
    assert_int_equal(s.npoints, 1);
    assert_int_equal(ad_series_answered(&s.points[0]), 100);
    static const double ps[] = {50, 90, 99};
    for (size_t k = 0; k < 3; k++) {
        double got = (double)ad_series_percentile(&s.points[0], ps[k]);
        assert_true(fabs(got - ps[k] * FX_MS) <= 0.12 * ps[k] * FX_MS);
    }
    ad_series_point_t empty;
    memset(&empty, 0, sizeof(empty));
    assert_int_equal(ad_series_percentile(&empty, 99), 0);
}

static void test_what_an_interval_counts(void **state)
{
    (void)state;
    ad_series_t s;
    ad_series_init(&s, 100 * FX_MS);
    /* sent at 50 ms, done at 260 ms: counted at 200-300, in flight 50 + 100 + 60 ms; 20 ms late */
    ad_series_add(&s, 30 * FX_MS, 50 * FX_MS, 260 * FX_MS, 0, 230 * FX_MS);
    /* a timeout (class 2) done at 120 ms, never answered */
    ad_series_add(&s, 100 * FX_MS, 110 * FX_MS, 120 * FX_MS, 2, -1);
    assert_int_equal(s.npoints, 3);
    assert_int_equal(s.points[2].completed, 1);
    assert_int_equal(s.points[2].ok, 1);
    assert_int_equal(s.points[1].completed, 1);
    assert_int_equal(s.points[1].errors[2], 1);
    assert_int_equal(ad_series_answered(&s.points[1]), 0);
    assert_int_equal(s.points[0].busy_ns, 50 * FX_MS);
    assert_int_equal(s.points[1].busy_ns, 100 * FX_MS + 10 * FX_MS);
    assert_int_equal(s.points[2].busy_ns, 60 * FX_MS);
    assert_int_equal(s.points[0].sends, 1);
    assert_int_equal(s.points[0].late_max_ns, 20 * FX_MS);
    assert_int_equal(s.points[1].late_sum_ns, 10 * FX_MS);
    /* not recorded: interval 0 */
    ad_series_t off;
    ad_series_init(&off, 0);
    ad_series_add(&off, -1, 0, FX_S, 0, FX_S);
    assert_int_equal(off.npoints, 0);
}

static void test_long_runs_double_the_interval(void **state)
{
    (void)state;
    ad_series_t s;
    ad_series_init(&s, FX_S);
    for (int i = 0; i < 300; i++) /* 300 s, one request a second */
        ad_series_add(&s, -1, i * FX_S, i * FX_S + 10 * FX_MS, 0, 10 * FX_MS);
    assert_int_equal(s.interval_ns, 4 * FX_S); /* 300 points > 120 > 150: doubled twice */
    assert_int_equal(s.npoints, 75);
    uint64_t total = 0;
    for (uint32_t i = 0; i < s.npoints; i++) {
        assert_int_equal(s.points[i].completed, 4);
        total += s.points[i].completed;
    }
    assert_int_equal(total, 300);
}

/* Request i of a run: sent every 7 ms, latency 5-60 ms, every 13th an error. */
static void add_request(ad_series_t *s, int i)
{
    int64_t sent = i * 7 * FX_MS, took = (5 + (i * 37) % 56) * FX_MS;
    unsigned err = i % 13 == 0 ? 4 : 0;
    ad_series_add(s, sent - FX_MS, sent, sent + took, err, took);
}

static void test_shards_merge_into_the_whole(void **state)
{
    (void)state;
    ad_series_t whole, parts[3], merged;
    ad_series_init(&whole, 250 * FX_MS);
    for (int k = 0; k < 3; k++)
        ad_series_init(&parts[k], 250 * FX_MS);
    for (int i = 0; i < 5000; i++) { /* 35 s: the series doubles on the way */
        add_request(&whole, i);
        add_request(&parts[i % 3], i);
    }
    ad_series_init(&merged, 0);
    for (int k = 0; k < 3; k++)
        ad_series_merge(&merged, &parts[k]);
    assert_int_equal(merged.interval_ns, whole.interval_ns);
    assert_int_equal(merged.npoints, whole.npoints);
    assert_memory_equal(merged.points, whole.points, sizeof(whole.points));
    /* a finer series is coarsened to the other's interval; incompatible intervals clear it */
    ad_series_t fine, coarse;
    ad_series_init(&fine, 100 * FX_MS);
    ad_series_init(&coarse, 200 * FX_MS);
    add_request(&fine, 1);
    add_request(&coarse, 2);
    ad_series_merge(&coarse, &fine);
    assert_int_equal(coarse.interval_ns, 200 * FX_MS);
    assert_int_equal(coarse.points[0].completed, 2);
    ad_series_init(&fine, 300 * FX_MS);
    add_request(&fine, 1);
    ad_series_merge(&coarse, &fine);
    assert_int_equal(coarse.interval_ns, 0);
}

static void test_sparkline(void **state)
{
    (void)state;
    const double v[] = {0, 1, 2, 4, 8};
    char buf[64];
    assert_int_equal(ad_sparkline(v, 5, false, buf, sizeof(buf)), strlen(" ▂▃▅█"));
    assert_string_equal(buf, " ▂▃▅█");
    ad_sparkline(v, 5, true, buf, sizeof(buf));
    assert_string_equal(buf, " :-+@");
    char small[4];
    assert_int_equal(ad_sparkline(v, 5, true, small, sizeof(small)), 5); /* snprintf-like */
    assert_string_equal(small, " :-");
    const double zeros[] = {0, 0};
    ad_sparkline(zeros, 2, false, buf, sizeof(buf));
    assert_string_equal(buf, "  ");
}

/* A run with a stall: 100 requests due every 10 ms; those due from 500 to 590 ms are sent 5 ms late and all
 * answered at 900 ms. */
static ad_run_result_t *stalled_run(void)
{
    ad_run_result_t *r = fx_new("/non-blocking", "http://127.0.0.1:8000/non-blocking?delay=0.01", 4);
    r->rate = 100;
    ad_series_init(&r->series, 100 * FX_MS);
    for (int i = 0; i < 100; i++) {
        int64_t due = i * 10 * FX_MS, sent = due, took = 10 * FX_MS;
        if (i >= 50 && i < 60) { /* the loop stalled: sends late, answers late */
            sent = due + 5 * FX_MS;
            took = 400 * FX_MS - (i - 50) * 10 * FX_MS;
        }
        fx_add(r, due, sent, due + took, 200, AD_ERR_NONE, 0, i, 0);
    }
    return r;
}

static void test_json_round_trip(void **state)
{
    (void)state;
    ad_run_result_t *r = stalled_run();
    r->ramped = true; /* and the flag that goes with a ramp's mean rate */
    ad_run_result_t *runs[] = {r};
    ad_json_report_t doc = {.command = "bench", .runs = runs, .nruns = 1};
    char *text = ad_json_report_dump(&doc), err[256] = "";
    assert_non_null(strstr(text, "\"series\": {"));
    ad_json_report_t back;
    if (ad_json_report_read_text(text, strlen(text), &back, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_true(back.runs[0]->ramped);
    assert_int_equal(back.runs[0]->series.interval_ns, r->series.interval_ns);
    assert_int_equal(back.runs[0]->series.npoints, r->series.npoints);
    assert_memory_equal(back.runs[0]->series.points, r->series.points, sizeof(r->series.points));
    char *again = ad_json_report_dump(&back);
    assert_string_equal(text, again);
    /* what the reader refuses */
    static const struct {
        const char *from, *to, *want;
    } edits[] = {
        {"\"interval_seconds\": 0.1", "\"interval_seconds\": 0", "series.interval_seconds: must be more than 0"},
        {"\"ok\": 10,\n            \"errors\"", "\"ok\": 9,\n            \"errors\"",
         "series.points[1].completed: 10 is not ok + errors (9)"},
        {"\"latency_buckets\": [\n", "\"latency_buckets\": [[999, 1],\n", "series.points[0].latency_buckets"},
    };
    for (size_t k = 0; k < sizeof(edits) / sizeof(edits[0]); k++) {
        const char *at = strstr(text, edits[k].from);
        if (at == NULL)
            fail_msg("no '%s' in the document", edits[k].from);
        size_t n = strlen(text) + strlen(edits[k].to) + 1;
        char *bad = malloc(n);
        snprintf(bad, n, "%.*s%s%s", (int)(at - text), text, edits[k].to, at + strlen(edits[k].from));
        ad_json_report_t x;
        assert_int_equal(ad_json_report_read_text(bad, strlen(bad), &x, err, sizeof(err)), -1);
        if (strstr(err, edits[k].want) == NULL)
            fail_msg("'%s' does not say '%s'", err, edits[k].want);
        ad_json_report_free(&x);
        free(bad);
    }
    free(again);
    free(text);
    ad_json_report_free(&back);
    free(r);
}

static void test_report_rows(void **state)
{
    (void)state;
    ad_run_result_t *r = stalled_run();
    ad_report_style_t st;
    ad_report_style_default(&st);
    st.ascii = true;
    char *text = NULL;
    FX_CAPTURE(text, ad_report_series(out, r, &st));
    /* the stall shows where it happened: nothing answered in 500-600 ms, the held answers and the p99 at
     * 900 ms, the late sends at 500 ms (the last point, 1000 ms, holds the last answer only) */
    assert_string_equal(text, "  over time  per 100ms\n"
                              "             req/s   +++++.+++@.  10 to 200\n"
                              "             p99     .........@.  9.38ms to 367.57ms\n"
                              "             late         @       0 to 5.00ms\n");
    free(text);
    r->series.npoints = 1; /* one point: nothing over time to show */
    FX_CAPTURE(text, ad_report_series(out, r, &st));
    assert_string_equal(text, "");
    free(text);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buckets_and_percentiles),
        cmocka_unit_test(test_what_an_interval_counts),
        cmocka_unit_test(test_long_runs_double_the_interval),
        cmocka_unit_test(test_shards_merge_into_the_whole),
        cmocka_unit_test(test_sparkline),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_report_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
