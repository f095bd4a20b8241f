/* The delay parameter: ?delay= and /delay/{n}, the default, the range, and what a refusal reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "clock.h"
#include "delay_param.h"
#include "duration.h"

#define MS AD_NS_PER_MS
#define SEC AD_NS_PER_SEC
#define DEFAULT (2 * SEC)
#define MAX (30 * SEC)

static bool query(ad_delay_param_t *p, const char *q)
{
    return ad_delay_from_query(p, q, strlen(q), DEFAULT, MAX);
}

static void assert_accepted(const char *q, int64_t want)
{
    ad_delay_param_t p;
    if (!query(&p, q))
        fail_msg("?%s refused: %s", q, p.what);
    assert_int_equal(p.ns, want);
}

static void assert_refused(const char *q, const char *what, const char *value)
{
    ad_delay_param_t p;
    if (query(&p, q))
        fail_msg("?%s accepted as %lld ns", q, (long long)p.ns);
    assert_string_equal(p.param, "delay");
    if (strcmp(p.what, what) != 0)
        fail_msg("?%s: \"%s\", want \"%s\"", q, p.what, what);
    if (p.value_len != strlen(value) || memcmp(p.value, value, p.value_len) != 0)
        fail_msg("?%s: value \"%.*s\", want \"%s\"", q, (int)p.value_len, p.value, value);
}

static void test_query_accepted(void **state)
{
    (void)state;
    assert_accepted("", DEFAULT);
    assert_accepted("other=1&x", DEFAULT);
    assert_accepted("delay=0.25", 250 * MS);
    assert_accepted("delay=250ms", 250 * MS);
    assert_accepted("a=1&delay=2s&b=2", 2 * SEC);
    assert_accepted("delay=0", 0);
    assert_accepted("delay=30", MAX); /* the maximum is inclusive */
    assert_accepted("delay=30000ms", MAX);
    assert_accepted("delay=%32", 2 * SEC); /* decoded first */
    assert_accepted("delay=1.000000001", SEC + 1);
    /* another default and maximum */
    ad_delay_param_t p;
    assert_true(ad_delay_from_query(&p, "", 0, 7 * MS, MS));
    assert_int_equal(p.ns, 7 * MS);
}

static void test_query_refused(void **state)
{
    (void)state;
    assert_refused("delay=", ad_duration_strerror(AD_DURATION_EMPTY), "");
    assert_refused("delay", ad_duration_strerror(AD_DURATION_EMPTY), "");
    assert_refused("delay=abc", ad_duration_strerror(AD_DURATION_SYNTAX), "abc");
    assert_refused("delay=0x10", ad_duration_strerror(AD_DURATION_SYNTAX), "0x10");
    assert_refused("delay=1e3", ad_duration_strerror(AD_DURATION_SYNTAX), "1e3");
    assert_refused("delay=%2B1", ad_duration_strerror(AD_DURATION_SYNTAX), "+1");
    assert_refused("delay=2+s", ad_duration_strerror(AD_DURATION_UNIT), "2 s"); /* '+' is a space */
    assert_refused("delay=2sec", ad_duration_strerror(AD_DURATION_UNIT), "2sec");
    assert_refused("delay=-1", ad_duration_strerror(AD_DURATION_NEGATIVE), "-1");
    assert_refused("delay=-0", ad_duration_strerror(AD_DURATION_NEGATIVE), "-0");
    assert_refused("delay=99999999999999999999", ad_duration_strerror(AD_DURATION_RANGE), "99999999999999999999");
    assert_refused("delay=30.000000001", "over max-delay (30s)", "30.000000001");
    /* below a nanosecond over: still over (the dropped digits are not forgotten) */
    assert_refused("delay=30.0000000001", "over max-delay (30s)", "30.0000000001");
    assert_refused("delay=1h", "over max-delay (30s)", "1h");
    assert_refused("delay=1&delay=2", "given more than once", "1");
    assert_refused("x=1&delay=%zz", "bad percent-encoding", "%zz"); /* as received, still encoded */
    assert_refused("delay=%00", "bad percent-encoding", "%00");
}

static void test_query_too_long(void **state)
{
    (void)state;
    size_t n = AD_DELAY_VALUE_MAX + 1;
    char *q = malloc(n + 7);
    assert_non_null(q);
    memcpy(q, "delay=", 6);
    memset(q + 6, '1', n);
    q[6 + n] = '\0';
    ad_delay_param_t p;
    assert_false(query(&p, q));
    assert_string_equal(p.what, "too long");
    assert_int_equal(p.value_len, n); /* the raw value, whole */
    /* one shorter fits, and is then simply too large a number */
    q[6 + n - 1] = '\0';
    assert_false(query(&p, q));
    assert_string_equal(p.what, ad_duration_strerror(AD_DURATION_RANGE));
    assert_int_equal(p.value_len, n - 1);
    free(q);
}

static void test_max_formats(void **state)
{
    (void)state;
    ad_delay_param_t p;
    assert_false(ad_delay_from_query(&p, "delay=2", 7, SEC, 1500 * MS));
    assert_string_equal(p.what, "over max-delay (1.5s)");
    assert_false(ad_delay_from_query(&p, "delay=1", 7, 0, 250 * MS));
    assert_string_equal(p.what, "over max-delay (250ms)");
}

static void test_path(void **state)
{
    (void)state;
    ad_delay_param_t p;
    assert_true(ad_delay_from_path(&p, "2", 1, MAX));
    assert_int_equal(p.ns, 2 * SEC);
    assert_true(ad_delay_from_path(&p, "%32%35%30ms", 11, MAX));
    assert_int_equal(p.ns, 250 * MS);
    assert_true(ad_delay_from_path(&p, "0", 1, MAX));
    assert_int_equal(p.ns, 0);

    assert_false(ad_delay_from_path(&p, "abc", 3, MAX));
    assert_string_equal(p.param, "n");
    assert_string_equal(p.what, ad_duration_strerror(AD_DURATION_SYNTAX));
    assert_int_equal(p.value_len, 3);
    assert_memory_equal(p.value, "abc", 3);

    assert_false(ad_delay_from_path(&p, "%zz", 3, MAX));
    assert_string_equal(p.what, "bad percent-encoding");
    assert_memory_equal(p.value, "%zz", 3);

    assert_false(ad_delay_from_path(&p, "2+s", 3, MAX)); /* '+' stays a '+' in a path: not "2 s" */
    assert_string_equal(p.what, ad_duration_strerror(AD_DURATION_SYNTAX));

    assert_false(ad_delay_from_path(&p, "31", 2, MAX));
    assert_string_equal(p.what, "over max-delay (30s)");

    char longn[AD_DELAY_VALUE_MAX + 10];
    memset(longn, '1', sizeof(longn));
    assert_false(ad_delay_from_path(&p, longn, sizeof(longn), MAX));
    assert_string_equal(p.what, "too long");
    assert_int_equal(p.value_len, sizeof(longn));
}

static bool drip(ad_delay_param_t *p, ad_drip_t *d, const char *q)
{
    return ad_drip_from_query(p, d, q, strlen(q), MAX);
}

static void test_drip(void **state)
{
    (void)state;
    ad_delay_param_t p;
    ad_drip_t d;
    assert_true(drip(&p, &d, ""));
    assert_int_equal(d.duration_ns, 2 * SEC); /* httpbin's defaults */
    assert_int_equal(d.delay_ns, 0);
    assert_int_equal(d.numbytes, 10);
    assert_int_equal(d.code, 200);
    assert_true(drip(&p, &d, "duration=500ms&numbytes=20&delay=0.25&code=503&other=1"));
    assert_int_equal(d.duration_ns, 500 * MS);
    assert_int_equal(d.delay_ns, 250 * MS);
    assert_int_equal(d.numbytes, 20);
    assert_int_equal(d.code, 503);
    assert_true(drip(&p, &d, "duration=0&numbytes=10485760&code=599"));
    assert_int_equal(d.numbytes, AD_DRIP_BYTES_MAX);

    static const struct {
        const char *q, *param, *what;
    } bad[] = {
        {"duration=31s", "duration", "over max-delay (30s)"},
        {"duration=1s..2s", "duration", "not a duration"},
        {"delay=-1", "delay", NULL},
        {"duration=1&duration=2", "duration", "given more than once"},
        {"numbytes=0", "numbytes", "too small"},
        {"numbytes=", "numbytes", "empty"},
        {"numbytes=10485761", "numbytes", "above 10485760"},
        {"numbytes=99999999999999999999999", "numbytes", "above 10485760"},
        {"numbytes=1e3", "numbytes", "not a whole number"},
        {"code=199", "code", "too small"},
        {"code=600", "code", "above 599"},
        {"code=204", "code", "a status without a body"},
        {"code=304", "code", "a status without a body"},
        {"code=%zz", "code", "bad percent-encoding"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (drip(&p, &d, bad[i].q))
            fail_msg("?%s accepted", bad[i].q);
        assert_string_equal(p.param, bad[i].param);
        if (bad[i].what != NULL)
            assert_string_equal(p.what, bad[i].what);
        /* durations name their range (allowed NULL); the others what they take */
        assert_true((p.allowed == NULL) ==
                    (strcmp(bad[i].param, "duration") == 0 || strcmp(bad[i].param, "delay") == 0));
    }
}

static void test_bytes(void **state)
{
    (void)state;
    ad_delay_param_t p;
    uint32_t n;
    assert_true(ad_bytes_from_request(&p, "1024", 4, "", 0, &n));
    assert_int_equal(n, 1024);
    assert_false(p.has_seed);
    assert_true(ad_bytes_from_request(&p, "%30", 3, "seed=42&x=1", 11, &n)); /* "0", decoded */
    assert_int_equal(n, 0);
    assert_true(p.has_seed);
    assert_int_equal(p.seed, 42);
    assert_true(ad_bytes_from_request(&p, "10485760", 8, "", 0, &n));

    static const struct {
        const char *n, *q, *param, *what;
    } bad[] = {
        {"10485761", "", "n", "above 10485760"},       {"1k", "", "n", "not a whole number"},
        {"-1", "", "n", "not a whole number"},         {"%zz", "", "n", "bad percent-encoding"},
        {"5", "seed=x", "seed", "not a whole number"}, {"5", "seed=1&seed=2", "seed", "given more than once"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (ad_bytes_from_request(&p, bad[i].n, strlen(bad[i].n), bad[i].q, strlen(bad[i].q), &n))
            fail_msg("/bytes/%s?%s accepted", bad[i].n, bad[i].q);
        assert_string_equal(p.param, bad[i].param);
        assert_string_equal(p.what, bad[i].what);
        assert_non_null(p.allowed); /* what it takes, never a delay range */
    }
}

static void test_lines(void **state)
{
    (void)state;
    ad_delay_param_t p;
    uint32_t n;
    assert_true(ad_lines_from_path(&p, "1", 1, &n));
    assert_int_equal(n, 1);
    assert_true(ad_lines_from_path(&p, "100", 3, &n));
    assert_int_equal(n, 100);
    static const char *const bad[] = {"0", "101", "x", "", "%zz", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (ad_lines_from_path(&p, bad[i], strlen(bad[i]), &n))
            fail_msg("/stream/%s accepted", bad[i]);
        assert_string_equal(p.param, "n");
        assert_string_equal(p.allowed, "a whole number of lines from 1 to 100");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_accepted), cmocka_unit_test(test_query_refused),
        cmocka_unit_test(test_query_too_long), cmocka_unit_test(test_max_formats),
        cmocka_unit_test(test_path),           cmocka_unit_test(test_drip),
        cmocka_unit_test(test_bytes),          cmocka_unit_test(test_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
