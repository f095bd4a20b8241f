/* The text report: golden output for a serial, an overlapping and an open-model run, plus properties. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "report.h"
#include "test_ctl_fixtures.h"
#include "timeline.h"

static ad_report_style_t style(int width, bool ascii, bool color)
{
    ad_report_style_t st;
    ad_report_style_default(&st);
    st.width = width;
    st.ascii = ascii;
    st.color = color;
    return st;
}

static void test_bench_lesson_golden(void **state)
{
    (void)state;
    ad_run_result_t *bl = fx_blocking(), *nb = fx_nonblocking();
    const ad_run_result_t *runs[] = {bl, nb};
    ad_report_style_t st = style(80, false, false);
    char *text = NULL;
    FX_CAPTURE(text, {
        ad_report_run(out, bl, &st);
        ad_report_run(out, nb, &st);
        ad_report_ratios(out, runs, 2, &st);
    });
    fx_golden("report_bench_80.txt", text);
    /* what the lesson needs, independent of layout */
    assert_non_null(strstr(text, "#1 sent  +0.000s  finished  +2.001s  took  2.001s  200  seq 1"));
    assert_non_null(strstr(text, "/blocking was 5.00x slower than /non-blocking\n"));
    assert_null(strstr(text, "\033["));
    free(text);

    st = style(40, true, false);
    FX_CAPTURE(text, {
        ad_report_run(out, bl, &st);
        ad_report_ratios(out, runs, 2, &st);
    });
    fx_golden("report_bench_40_ascii.txt", text);
    assert_null(strstr(text, "\u2588"));
    free(text);
    free(bl);
    free(nb);
}

/* A run with figures over time (bench --interval): 100 requests due every 10 ms, a 300 ms stall of the
 * server at 400 ms holds 30 of them, and 3 time out. */
static void test_series_golden(void **state)
{
    (void)state;
    ad_run_result_t *r = fx_new("/non-blocking", "http://127.0.0.1:8000/non-blocking?delay=0.01", 10);
    r->rate = 100;
    ad_series_init(&r->series, 100 * FX_MS);
    for (int i = 0; i < 100; i++) {
        int64_t due = i * 10 * FX_MS, done = due + 10 * FX_MS;
        if (due >= 400 * FX_MS && due < 700 * FX_MS)
            done = 710 * FX_MS + (due - 400 * FX_MS) / 10; /* held until the stall ends */
        bool timeout = i >= 90 && i < 93;
        fx_add(r, due, due + (done > due + 10 * FX_MS ? FX_MS : 0), done, timeout ? 0 : 200,
               timeout ? AD_ERR_TIMEOUT : AD_ERR_NONE, 0, i, 0);
    }
    ad_report_style_t st = style(80, false, false);
    char *text = NULL;
    FX_CAPTURE(text, ad_report_run(out, r, &st));
    fx_golden("report_series_80.txt", text);
    assert_non_null(strstr(text, "  over time  per 100ms\n"));
    free(text);
    st = style(40, true, false); /* narrow: the end of the series fits, marked '<' */
    FX_CAPTURE(text, ad_report_series(out, r, &st));
    fx_golden("report_series_40_ascii.txt", text);
    free(text);
    free(r);
}

static void test_open_model_golden(void **state)
{
    (void)state;
    ad_run_result_t *r = fx_open();
    ad_report_style_t st = style(80, false, false);
    char *text = NULL;
    FX_CAPTURE(text, ad_report_run(out, r, &st));
    fx_golden("report_open_80.txt", text);
    assert_non_null(strstr(text, "corrected"));
    assert_non_null(strstr(text, "raw"));
    assert_non_null(strstr(text, "503 x1"));
    assert_non_null(strstr(text, "connect x1"));
    assert_non_null(strstr(text, "timeout x1"));
    assert_non_null(strstr(text, "status x1"));
    assert_non_null(strstr(text, "first error: connect to 127.0.0.1:8000 failed"));
    free(text);

    st = style(120, false, true);
    FX_CAPTURE(text, ad_report_run(out, r, &st));
    fx_golden("report_open_120_color.txt", text);
    assert_non_null(strstr(text, "\033[31m"));
    free(text);
    free(r);
}

static void test_compare_ranking_golden(void **state)
{
    (void)state;
    ad_run_result_t *m[] = {fx_mode("sequential"), fx_mode("async"), fx_mode("threads"), fx_mode("processes")};
    const ad_run_result_t *runs[] = {m[0], m[1], m[2], m[3]};
    ad_report_style_t st = style(80, false, false);
    char *text = NULL;
    FX_CAPTURE(text, {
        for (int i = 0; i < 4; i++)
            ad_report_run(out, runs[i], &st);
        ad_report_ranking(out, runs, 4, &st);
    });
    fx_golden("report_compare_80.txt", text);
    /* processes' PIDs are on the request lines; sequential ranks last */
    assert_non_null(strstr(text, "pid 4242"));
    assert_non_null(strstr(text, "pid 4246"));
    const char *table = strstr(text, "  #  mode");
    assert_non_null(table);
    assert_non_null(strstr(table, "  4  sequential"));
    assert_non_null(strstr(table, "  1  async"));
    free(text);
    for (int i = 0; i < 4; i++)
        free(m[i]);
}

static void test_request_lines_limit(void **state)
{
    (void)state;
    ad_run_result_t *r = fx_open();
    ad_report_style_t st = style(80, false, false);
    st.max_request_lines = 10;
    char *text = NULL;
    FX_CAPTURE(text, ad_report_requests(out, r, &st));
    assert_string_equal(text, "  (40 per-request lines not shown; --json has them)\n");
    free(text);
    /* records lost to the cap are said */
    r->completed += 5;
    st.max_request_lines = 100;
    FX_CAPTURE(text, ad_report_requests(out, r, &st));
    assert_non_null(strstr(text, "(first 40 of 45 requests shown)"));
    free(text);
    free(r);
}

static void test_empty_and_failed_runs(void **state)
{
    (void)state;
    ad_run_result_t *r = fx_new("/non-blocking", "http://127.0.0.1:8000/non-blocking?delay=2", 5);
    ad_report_style_t st = style(80, false, false);
    char *text = NULL;
    FX_CAPTURE(text, ad_report_run(out, r, &st));
    assert_non_null(strstr(text, "0 requests in 0.000s, 0.00 req/s, 0 ok, 0 errors"));
    assert_non_null(strstr(text, "no answers"));
    assert_null(strstr(text, "latency chart"));
    free(text);
    for (int i = 0; i < 3; i++)
        fx_add(r, 0, 0, 100 * FX_US, 0, AD_ERR_CONNECT, 0, -1, 0);
    FX_CAPTURE(text, ad_report_run(out, r, &st));
    assert_non_null(strstr(text, "3 errors"));
    assert_non_null(strstr(text, "statuses   none (no answers)"));
    assert_non_null(strstr(text, "errors     connect x3"));
    assert_non_null(strstr(text, "  #1 sent +0.000s  finished +0.000s  took 0.000s  connect\n"));
    free(text);
    /* comparisons skip runs that completed nothing; the ranking shows "-" */
    ad_run_result_t *empty = fx_new("threads", "u", 1), *ok = fx_mode("async");
    const ad_run_result_t *runs[] = {empty, ok};
    FX_CAPTURE(text, {
        ad_report_ratios(out, runs, 2, &st);
        ad_report_ranking(out, runs, 2, &st);
    });
    assert_non_null(strstr(text, "  2  threads  0.000s  0/0  -\n"));
    assert_null(strstr(text, "slower"));
    free(text);
    free(r);
    free(empty);
    free(ok);
}

/* A run whose every answer is an error (bench --delay 31: all 400; -e /nope: all 404) measured how fast
 * the server refuses, not the endpoint: no ratio involves it, and the report says why. */
static void test_failed_runs_not_compared(void **state)
{
    (void)state;
    ad_run_result_t *bl = fx_new("/blocking", "http://127.0.0.1:8000/blocking?delay=31", 5);
    ad_run_result_t *nb = fx_new("/non-blocking", "http://127.0.0.1:8000/non-blocking?delay=31", 5);
    ad_run_result_t *nope = fx_new("/nope", "http://127.0.0.1:8000/nope", 5);
    for (int i = 0; i < 5; i++) {
        fx_add(bl, 0, 0, (i + 1) * 300 * FX_US, 400, AD_ERR_STATUS, 0, -1, 0);
        fx_add(nb, 0, 0, 200 * FX_US, 400, AD_ERR_STATUS, 0, -1, 0);
        fx_add(nope, 0, 0, 100 * FX_US, 404, AD_ERR_STATUS, 0, -1, 0);
    }
    ad_run_result_t *good = fx_blocking();
    const ad_run_result_t *all_failed[] = {bl, nb}, *mixed[] = {good, nope};
    ad_comparison_t cmp[4];
    assert_int_equal(ad_report_comparisons(all_failed, 2, cmp, 4), 0);
    assert_int_equal(ad_report_comparisons(mixed, 2, cmp, 4), 0);
    ad_report_style_t st = style(80, false, false);
    char *text = NULL;
    FX_CAPTURE(text, ad_report_ratios(out, all_failed, 2, &st));
    assert_string_equal(text, "/blocking is not compared: no request succeeded (see its errors above)\n"
                              "/non-blocking is not compared: no request succeeded (see its errors above)\n");
    free(text);
    FX_CAPTURE(text, ad_report_ratios(out, mixed, 2, &st));
    assert_null(strstr(text, "slower"));
    assert_non_null(strstr(text, "/nope is not compared: no request succeeded"));
    free(text);
    free(bl);
    free(nb);
    free(nope);
    free(good);
}

/* Counts in words: "1 request", "1 error", "1 more request not shown". */
static void test_plurals(void **state)
{
    (void)state;
    ad_run_result_t *r = fx_new("/non-blocking", "http://127.0.0.1:8000/non-blocking?delay=0.1", 1);
    fx_add(r, 0, 0, 100 * FX_MS, 503, AD_ERR_STATUS, 0, -1, 0);
    ad_report_style_t st = style(80, false, false);
    char *text = NULL;
    FX_CAPTURE(text, ad_report_totals(out, r, &st));
    assert_non_null(strstr(text, "1 request in 0.100s,"));
    assert_non_null(strstr(text, "1 error,"));
    free(text);
    fx_add(r, 0, 0, 200 * FX_MS, 200, AD_ERR_NONE, 0, -1, 0);
    const ad_run_result_t *runs[] = {r};
    ad_timeline_style_t ts;
    ad_timeline_style_default(&ts);
    ts.max_rows = 1;
    FX_CAPTURE(text, ad_timeline_render(out, runs, 1, &ts));
    assert_non_null(strstr(text, "... 1 more request not shown\n"));
    free(text);
    free(r);
}

/* The header names the engine, its loops and the protocol; a run cut short by Ctrl-C says so, and so does the end. */
static void test_engine_and_interrupted(void **state)
{
    (void)state;
    ad_run_result_t *r = fx_blocking();
    ad_report_style_t st = style(100, false, false);
    char *text = NULL;
    FX_CAPTURE(text, ad_report_run(out, r, &st));
    assert_non_null(strstr(text, "(concurrency 5, engine h2o, 2 loops)\n"));
    assert_null(strstr(text, "interrupted"));
    free(text);
    r->loops = 1;
    r->interrupted = true;
    FX_CAPTURE(text, ad_report_run(out, r, &st));
    assert_non_null(strstr(text, "(concurrency 5, engine h2o, 1 loop)\n  interrupted: requests still in flight were "
                                 "abandoned\n"));
    free(text);
    /* what answered, when the engine says: compare --h2's runs */
    r->interrupted = false;
    snprintf(r->engine, sizeof(r->engine), "curl");
    snprintf(r->protocol, sizeof(r->protocol), "h2c");
    r->streams = 1;
    FX_CAPTURE(text, ad_report_run(out, r, &st));
    assert_non_null(
        strstr(text, "(concurrency 5, engine curl, 1 loop, HTTP/2 1 stream per connection, protocol h2c)\n"));
    free(text);
    FX_CAPTURE(text, ad_report_interrupted(out, &st));
    assert_string_equal(text, "Interrupted (SIGINT/SIGTERM): this report covers only the requests that finished "
                              "before.\n");
    free(text);
    free(r);
}

/* demo's conclusion says what the figures just measured mean, with those figures. */
static void test_lesson_conclusion(void **state)
{
    (void)state;
    ad_run_result_t *bl = fx_blocking(), *nb = fx_nonblocking(), *off = fx_nonblocking();
    snprintf(off->name, sizeof(off->name), "/offload");
    off->elapsed_ns += 2 * FX_MS;
    const ad_run_result_t *runs[] = {bl, nb, off};
    ad_report_style_t st = style(80, false, false);
    char *text = NULL;
    FX_CAPTURE(text, ad_report_lesson(out, runs, 3, &st));
    assert_string_equal(text, "\nWhat this shows\n"
                              "  For I/O, wait on the loop: 5 requests to /non-blocking took 2.002s in all, as they\n"
                              "  waited side by side on timers while the loop stayed free.\n"
                              "  Never sleep on it: /blocking took 10.005s, 5.00x as long, because each sleep held "
                              "the\n  loop and the other requests waited their turn.\n"
                              "  Move blocking work to a pool: /offload took 2.004s (1.00x /non-blocking): the "
                              "sleeps\n  ran on worker threads and the loop stayed free.\n");
    free(text);
    /* other figures, other words: /blocking spread over loops, /offload queued for workers, a failed run */
    bl->elapsed_ns = nb->elapsed_ns * 13 / 10;
    off->elapsed_ns = nb->elapsed_ns * 2;
    FX_CAPTURE(text, ad_report_lesson(out, runs, 3, &st));
    assert_non_null(strstr(text, "/blocking took 2.603s, only 1.30x as long here"));
    assert_non_null(strstr(text, "/offload took 4.004s (2.00x /non-blocking): the loop\n  stayed free, but more"));
    free(text);
    off->ok = 0;
    FX_CAPTURE(text, ad_report_lesson(out, runs, 3, &st));
    assert_non_null(strstr(text, "/offload had no successful answer here, so it proves nothing"));
    free(text);
    nb->ok = 0;
    FX_CAPTURE(text, ad_report_lesson(out, runs, 3, &st));
    assert_string_equal(text, "");
    free(text);
    free(bl);
    free(nb);
    free(off);
}

static void test_ratio_wording(void **state)
{
    (void)state;
    ad_run_result_t *a = fx_nonblocking(), *b = fx_nonblocking();
    snprintf(b->name, sizeof(b->name), "/offload");
    b->elapsed_ns += 10 * FX_MS; /* 0.5% slower */
    const ad_run_result_t *runs[] = {a, b};
    ad_report_style_t st = style(80, false, true);
    char *text = NULL;
    FX_CAPTURE(text, ad_report_ratios(out, runs, 2, &st));
    assert_string_equal(text, "/offload took about as long as /non-blocking (1.00x)\n");
    free(text);
    b->elapsed_ns *= 3;
    FX_CAPTURE(text, ad_report_ratios(out, runs, 2, &st));
    assert_string_equal(text, "\033[1m/offload was 3.01x slower than /non-blocking\033[0m\n");
    free(text);
    free(a);
    free(b);
}

static void test_latency_format(void **state)
{
    (void)state;
    char buf[32];
    ad_report_format_latency(2003000000, buf, sizeof(buf));
    assert_string_equal(buf, "2.003s");
    ad_report_format_latency(12345678, buf, sizeof(buf));
    assert_string_equal(buf, "12.35ms");
    ad_report_format_latency(850000, buf, sizeof(buf));
    assert_string_equal(buf, "850.0us");
    ad_report_format_latency(420, buf, sizeof(buf));
    assert_string_equal(buf, "420ns");
    /* a negative one is shown as such, never as 0 */
    ad_report_format_latency(-5, buf, sizeof(buf));
    assert_string_equal(buf, "-5ns");
    ad_report_format_latency(-1500000, buf, sizeof(buf));
    assert_string_equal(buf, "-1.50ms");
    ad_report_format_latency(INT64_MIN, buf, sizeof(buf));
    assert_string_equal(buf, "-9223372036.855s");
    ad_report_format_latency(INT64_MAX, buf, sizeof(buf));
    assert_string_equal(buf, "9223372036.855s");
}

/* Seconds from a server's document: out of range shows as such, never wrapped or zero (issue 18: a lag of
 * 1e308 showed "0ns", a max_delay of 1e308 "-9223372036.855s"). */
static void test_seconds_from_documents(void **state)
{
    (void)state;
    static const struct {
        double s;
        const char *latency, *setting;
    } cases[] = {
        {2.0, "2.000s", "2s"},
        {0.0001, "100.0us", "100us"},
        {0, "0ns", "0s"},
        {1e-12, "0ns", "0s"},
        {-0.25, "-250.00ms", "-250ms"},
        {1e308, ">292y", ">292y"},
        {-1e308, "<-292y", "<-292y"},
        {9.3e9, ">292y", ">292y"},                 /* just past 2^63 ns */
        {9.2e9, "9200000000.000s", "9200000000s"}, /* just under */
        {INFINITY, ">292y", ">292y"},
        {-INFINITY, "<-292y", "<-292y"},
        {NAN, "invalid", "invalid"},
        {4.9e-324, "0ns", "0s"}, /* the smallest denormal */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[48];
        ad_report_format_seconds(cases[i].s, buf, sizeof(buf));
        if (strcmp(buf, cases[i].latency) != 0)
            fail_msg("seconds %g: latency '%s', want '%s'", cases[i].s, buf, cases[i].latency);
        ad_report_format_setting(cases[i].s, buf, sizeof(buf));
        if (strcmp(buf, cases[i].setting) != 0)
            fail_msg("seconds %g: setting '%s', want '%s'", cases[i].s, buf, cases[i].setting);
    }
    int64_t ns = 0;
    const char *text = NULL;
    assert_int_equal(ad_report_seconds_to_ns(1.5, &ns, &text), 0);
    assert_int_equal(ns, 1500000000);
    assert_int_equal(ad_report_seconds_to_ns(1e19, &ns, &text), -1);
    assert_string_equal(text, ">292y");
}

static void test_chart_shapes(void **state)
{
    (void)state;
    ad_histogram_t *h = malloc(sizeof(*h));
    assert_non_null(h);
    ad_hist_init(h);
    /* a wide spread is drawn on log-spaced rows; every value lands in some row */
    for (int i = 0; i < 1000; i++)
        ad_hist_record(h, (int64_t)(100 * FX_US * pow(1.01, i % 500)));
    ad_report_style_t st = style(60, true, false);
    st.chart_rows = 5;
    char *text = NULL;
    FX_CAPTURE(text, ad_report_chart(out, h, &st));
    assert_non_null(strstr(text, "log-spaced"));
    unsigned long total = 0;
    int rows = 0;
    for (const char *line = strchr(text, '\n') + 1; *line != '\0'; line = strchr(line, '\n') + 1) {
        const char *end = strchr(line, '\n');
        const char *sp = end;
        while (sp > line && sp[-1] != ' ')
            sp--;
        total += strtoul(sp, NULL, 10);
        assert_true(end - line <= 60);
        rows++;
    }
    assert_int_equal(rows, 5);
    assert_int_equal(total, 1000);
    free(text);
    /* one value: one row; chart_rows 0: none */
    ad_hist_init(h);
    ad_hist_record(h, 5 * FX_MS);
    FX_CAPTURE(text, ad_report_chart(out, h, &st));
    /* 60 columns: "  <= " + label + " |" + a 45-column bar + " 1" */
    assert_string_equal(text, "  latency chart\n  <= 5.00ms |############################################# 1\n");
    free(text);
    st.chart_rows = 0;
    FX_CAPTURE(text, ad_report_chart(out, h, &st));
    assert_string_equal(text, "");
    free(text);
    free(h);
}

/* Every value in a row, the first row holding min and the last (which ends at max) holding max: never a
 * "<= <max> | 0" row after the row that holds every sample. Values in a few neighbouring buckets. */
static void test_chart_rows_hold_min_and_max(void **state)
{
    (void)state;
    ad_histogram_t *h = malloc(sizeof(*h));
    assert_non_null(h);
    ad_report_style_t st = style(80, true, false);
    srand(3);
    for (int round = 0; round < 500; round++) {
        ad_hist_init(h);
        int64_t base = 100 * FX_MS + (rand() % 100000) * FX_US, spread = 1 + rand() % (8 * FX_MS);
        int n = 2 + rand() % 10;
        for (int i = 0; i < n; i++)
            ad_hist_record(h, base + rand() % spread);
        char *text = NULL;
        FX_CAPTURE(text, ad_report_chart(out, h, &st));
        /* rows "  <= label |#### count" (ASCII bars have no spaces) */
        char maxlabel[32];
        ad_report_format_latency(h->max, maxlabel, sizeof(maxlabel));
        unsigned long total = 0, first_count = 0, last_count = 0;
        const char *last_row = NULL;
        for (const char *row = strstr(text, "\n  <= "); row != NULL; row = strstr(row + 1, "\n  <= ")) {
            unsigned long c = strtoul(strchr(strchr(row, '|'), ' '), NULL, 10);
            first_count = last_row == NULL ? c : first_count;
            last_count = c;
            last_row = row;
            total += c;
        }
        assert_non_null(last_row);
        if (total != h->count || first_count == 0 || last_count == 0 ||
            strncmp(strchr(last_row, '=') + 1 + strspn(strchr(last_row, '=') + 1, " "), maxlabel, strlen(maxlabel)) !=
                0)
            fail_msg("round %d:\n%s(max %s)", round, text, maxlabel);
        free(text);
    }
    free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bench_lesson_golden),
        cmocka_unit_test(test_open_model_golden),
        cmocka_unit_test(test_compare_ranking_golden),
        cmocka_unit_test(test_request_lines_limit),
        cmocka_unit_test(test_failed_runs_not_compared),
        cmocka_unit_test(test_plurals),
        cmocka_unit_test(test_engine_and_interrupted),
        cmocka_unit_test(test_lesson_conclusion),
        cmocka_unit_test(test_chart_rows_hold_min_and_max),
        cmocka_unit_test(test_empty_and_failed_runs),
        cmocka_unit_test(test_ratio_wording),
        cmocka_unit_test(test_latency_format),
        cmocka_unit_test(test_seconds_from_documents),
        cmocka_unit_test(test_chart_shapes),
        cmocka_unit_test(test_series_golden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
