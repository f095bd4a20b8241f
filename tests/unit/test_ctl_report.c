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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bench_lesson_golden),    cmocka_unit_test(test_open_model_golden),
        cmocka_unit_test(test_compare_ranking_golden), cmocka_unit_test(test_request_lines_limit),
        cmocka_unit_test(test_empty_and_failed_runs),  cmocka_unit_test(test_ratio_wording),
        cmocka_unit_test(test_latency_format),         cmocka_unit_test(test_seconds_from_documents),
        cmocka_unit_test(test_chart_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
