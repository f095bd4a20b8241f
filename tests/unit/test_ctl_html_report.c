/* The HTML report (html_report.h): one self-contained page; what a server or a user named is escaped, so
 * nothing in a result can add markup, a script or a load from the network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "html_report.h"
#include "test_ctl_fixtures.h"

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p != NULL; p = strstr(p + 1, what))
        n++;
    return n;
}

static void test_page(void **state)
{
    (void)state;
    ad_run_result_t *runs[] = {fx_blocking(), fx_nonblocking(), fx_open()};
    /* a hostile name and error text: markup that must stay text */
    snprintf(runs[1]->name, sizeof(runs[1]->name), "/x<script>alert(1)</script>&\"'");
    snprintf(runs[2]->first_error, sizeof(runs[2]->first_error), "status: <img src=http://evil/>\x1b[31m");
    snprintf(runs[0]->protocol, sizeof(runs[0]->protocol), "h2"); /* what answered, when the engine says */
    ad_series_init(&runs[2]->series, 100 * FX_MS);
    for (int i = 0; i < 20; i++)
        ad_series_add(&runs[2]->series, i * 10 * FX_MS, i * 10 * FX_MS, i * 10 * FX_MS + 5 * FX_MS, 0, 5 * FX_MS);
    ad_threshold_t t;
    char err[128];
    assert_int_equal(ad_threshold_parse("p99>1s", &t, err, sizeof(err)), 0);
    ad_threshold_result_t tr[3];
    size_t ntr;
    ad_threshold_check(&t, 1, (const ad_run_result_t *const *)runs, 3, tr, 3, &ntr);
    ad_html_report_t h = {.command = "bench",
                          .heading = "report: 2 bench documents merged: a.json, b<c>.json",
                          .started_wall_ns = INT64_C(1795541400123456789),
                          .runs = (const ad_run_result_t *const *)runs,
                          .nruns = 3,
                          .thresholds = tr,
                          .nthresholds = ntr};
    char *page = NULL;
    FX_CAPTURE(page, assert_int_equal(ad_html_report_write(out, &h), 0));
    assert_true(strncmp(page, "<!DOCTYPE html>\n<html lang=\"en\">", 32) == 0);
    assert_non_null(strstr(page, "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\""));
    assert_non_null(strstr(page, "<title>asyncdemoctl bench 2026-11-24T17:30:00Z</title>"));
    assert_int_equal(count(page, "<script"), 0);
    assert_int_equal(count(page, "<img"), 0);
    assert_int_equal(count(page, "src=\""), 0); /* no attribute loads anything (the text above is text) */
    assert_int_equal(count(page, "href="), 0);
    assert_non_null(strstr(page, "/x&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;"));
    assert_non_null(strstr(page, "status: &lt;img src=http://evil/&gt;?[31m"));
    assert_non_null(strstr(page, "b&lt;c&gt;.json"));
    assert_non_null(strstr(page, "engine h2o &middot; protocol h2</p>"));
    assert_int_equal(count(page, "protocol "), 1);
    /* the summary, the thresholds, two charts per run and the figures over time of the one that has them */
    assert_int_equal(count(page, "<tr><td>"), 3);
    assert_int_equal(count(page, "aria-label=\"latency histogram\""), 3);
    assert_int_equal(count(page, "aria-label=\"latency by percentile\""), 3);
    assert_int_equal(count(page, "aria-label=\"requests per second and p99 over time\""), 1);
    assert_non_null(strstr(page, "FAILED p99&gt;1s: "));
    assert_non_null(strstr(page, "<h2>Timeline: who waited for whom</h2>\n<pre>"));
    assert_int_equal(page[strlen(page) - 1], '\n');
    free(page);
    for (int i = 0; i < 3; i++)
        free(runs[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
