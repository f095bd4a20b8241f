/* --fail-if thresholds (threshold.h): the parser takes k6-like expressions and refuses the rest naming
 * them; the check measures each run, all runs together or a named one, and says by how much. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "threshold.h"
#include "test_ctl_fixtures.h"

static ad_threshold_t parsed(const char *text)
{
    ad_threshold_t t;
    char err[256] = "";
    if (ad_threshold_parse(text, &t, err, sizeof(err)) != 0)
        fail_msg("'%s' refused: %s", text, err);
    assert_string_equal(t.text, text);
    return t;
}

static void test_parse(void **state)
{
    (void)state;
    ad_threshold_t t = parsed("p99>250ms");
    assert_int_equal(t.metric, AD_TH_PERCENTILE);
    assert_true(t.percentile == 99);
    assert_int_equal(t.op, AD_TH_GT);
    assert_true(t.limit == 250 * FX_MS);
    assert_string_equal(t.run, "");
    t = parsed("all:p99.9>=1.5s");
    assert_true(t.percentile == 99.9);
    assert_int_equal(t.op, AD_TH_GE);
    assert_true(t.limit == 1500 * FX_MS);
    assert_string_equal(t.run, "all");
    t = parsed("errors>1%");
    assert_int_equal(t.metric, AD_TH_ERRORS);
    assert_true(t.percent);
    assert_true(t.limit == 1);
    t = parsed("errors>=5");
    assert_false(t.percent);
    assert_true(t.limit == 5);
    t = parsed("rps<1000.5");
    assert_int_equal(t.metric, AD_TH_RPS);
    assert_int_equal(t.op, AD_TH_LT);
    assert_true(t.limit == 1000.5);
    /* the run is what comes before the last ':' (a query may hold one) */
    t = parsed("/delay/1?x=a:b:max<=2");
    assert_string_equal(t.run, "/delay/1?x=a:b");
    assert_int_equal(t.metric, AD_TH_MAX);
    assert_int_equal(t.op, AD_TH_LE);
    assert_true(t.limit == 2 * FX_S);
    assert_int_equal(parsed("mean>1").metric, AD_TH_MEAN);
    assert_int_equal(parsed("min>1").metric, AD_TH_MIN);
    assert_true(parsed("p100>1").percentile == 100);
}

static void refused(const char *text, const char *want)
{
    ad_threshold_t t;
    char err[256] = "";
    assert_int_equal(ad_threshold_parse(text, &t, err, sizeof(err)), -1);
    if (strstr(err, want) == NULL)
        fail_msg("'%s': error '%s' does not say '%s'", text, err, want);
}

static void test_parse_refuses(void **state)
{
    (void)state;
    refused("p99", "has no comparison");
    refused("p99=3", "has no comparison");
    refused("p99>", "has no value after '>'");
    refused("q99>1s", "'q99' is not a metric");
    refused("p0>1s", "'p0' is not a metric");
    refused("p101>1s", "'p101' is not a metric");
    refused("p>1s", "'p' is not a metric");
    refused("p9x>1s", "'p9x' is not a metric");
    refused(">1s", "'' is not a metric");
    refused(":p99>1s", "no run name");
    refused("p99>>1s", "'>1s'");
    refused("p99>-1s", "'-1s'");
    refused("p99>1parsec", "'1parsec'");
    refused("errors>101%", "percentage up to 100");
    refused("errors>1e3", "errors takes a count");
    refused("errors>%", "errors takes a count");
    refused("rps<inf", "rps takes requests per second");
    refused("rps<1.", "rps takes requests per second");
    char long_text[AD_THRESHOLD_TEXT_MAX + 8];
    memset(long_text, 'a', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = '\0';
    refused(long_text, "is too long");
}

/* 100 requests: latencies 1..100 ms, the last 10 answered 503; elapsed 2 s. */
static ad_run_result_t *run_of(const char *name, int64_t scale)
{
    ad_run_result_t *r = fx_new(name, "http://127.0.0.1:8000/x", 10);
    for (int i = 1; i <= 100; i++)
        fx_add(r, 0, 0, i * FX_MS * scale, i > 90 ? 503 : 200, AD_ERR_NONE, 0, i, 0);
    r->elapsed_ns = 2 * FX_S;
    return r;
}

static void test_check(void **state)
{
    (void)state;
    ad_run_result_t *runs[] = {run_of("/fast", 1), run_of("/slow", 10)};
    ad_threshold_t t[] = {parsed("p99>50ms"), parsed("all:errors>5%"), parsed("/fast:rps<40"), parsed("/none:max>1s"),
                          parsed("errors>=10")};
    ad_threshold_result_t res[16];
    size_t n = 0;
    size_t broken = ad_threshold_check(t, 5, (const ad_run_result_t *const *)runs, 2, res, 16, &n);
    assert_int_equal(n, 7); /* 2 + 1 + 1 + 1 + 2 */
    /* p99 of /fast is 99 ms: broken by 49 ms; /slow's 990 ms */
    assert_string_equal(res[0].run, "/fast");
    assert_true(res[0].broken);
    assert_true(fabs(res[0].value - 99 * FX_MS) < 0.01 * 99 * FX_MS);
    char line[256];
    ad_threshold_format_result(&res[0], line, sizeof(line));
    assert_non_null(strstr(line, "FAILED p99>50ms: "));
    assert_non_null(strstr(line, " on /fast, over by "));
    assert_string_equal(res[1].run, "/slow");
    assert_true(res[1].broken);
    /* 20 of 200 failed together: 10 % */
    assert_string_equal(res[2].run, "all runs");
    assert_true(res[2].value == 10);
    assert_true(res[2].broken);
    ad_threshold_format_result(&res[2], line, sizeof(line));
    assert_string_equal(line, "FAILED all:errors>5%: 10% on all runs, over by 5%");
    /* 100 in 2 s = 50 req/s: passes rps<40 */
    assert_string_equal(res[3].run, "/fast");
    assert_true(res[3].value == 50);
    assert_false(res[3].broken);
    ad_threshold_format_result(&res[3], line, sizeof(line));
    assert_string_equal(line, "passed /fast:rps<40: 50.0 req/s on /fast");
    /* a run that is not there breaks it */
    assert_false(res[4].found);
    assert_true(res[4].broken);
    ad_threshold_format_result(&res[4], line, sizeof(line));
    assert_string_equal(line, "FAILED /none:max>1s: no run named '/none'");
    /* >= at the limit breaks */
    assert_true(res[5].value == 10 && res[5].broken);
    assert_int_equal(broken, 6);
    assert_true(ad_threshold_gates_errors(t, 5));
    assert_false(ad_threshold_gates_errors(t, 1));
    /* the output is bounded: cap 2 keeps 2 results, the count of broken ones covers all */
    assert_int_equal(ad_threshold_check(t, 5, (const ad_run_result_t *const *)runs, 2, res, 2, &n), 6);
    assert_int_equal(n, 2);
    free(runs[0]);
    free(runs[1]);
}

static void test_all_runs_latency_is_merged(void **state)
{
    (void)state;
    /* /fast's 1..100 ms and /slow's 10..1000 ms: the 100th of the 200 values together is 91 ms (91 of
     * /fast's, 9 of /slow's), not an average of the two p50s (275 ms) */
    ad_run_result_t *runs[] = {run_of("/fast", 1), run_of("/slow", 10)};
    ad_threshold_t t = parsed("all:p50>200ms");
    ad_threshold_result_t res[2];
    size_t n;
    assert_int_equal(ad_threshold_check(&t, 1, (const ad_run_result_t *const *)runs, 2, res, 2, &n), 0);
    assert_true(res[0].value <= 92 * FX_MS && res[0].value >= 90 * FX_MS);
    /* nothing answered: no latency to pass a gate with */
    ad_run_result_t *empty = fx_new("/down", "http://127.0.0.1:8000/down", 1);
    ad_threshold_t p = parsed("p99>1s");
    assert_int_equal(ad_threshold_check(&p, 1, (const ad_run_result_t *const *)&empty, 1, res, 2, &n), 1);
    assert_true(isnan(res[0].value));
    char line[128];
    ad_threshold_format_result(&res[0], line, sizeof(line));
    assert_string_equal(line, "FAILED p99>1s: no answers on /down");
    free(empty);
    free(runs[0]);
    free(runs[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_refuses),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_all_runs_latency_is_merged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
