/* Unit tests of lib/duration.c: a table of accepted and rejected inputs, overflow edges, format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"

typedef struct {
    const char *in;
    ad_duration_status_t status;
    int64_t ns; /* when status is OK */
} parse_case_t;

static const parse_case_t k_cases[] = {
    /* accepted */
    {"2", AD_DURATION_OK, 2000000000},
    {"0", AD_DURATION_OK, 0},
    {"0.25", AD_DURATION_OK, 250000000},
    {"250ms", AD_DURATION_OK, 250000000},
    {"1.5s", AD_DURATION_OK, 1500000000},
    {"500us", AD_DURATION_OK, 500000},
    {"1m", AD_DURATION_OK, 60000000000},
    {"1.5m", AD_DURATION_OK, 90000000000},
    {"2h", AD_DURATION_OK, 7200000000000},
    {"0.5h", AD_DURATION_OK, 1800000000000},
    {"7ns", AD_DURATION_OK, 7},
    {"1.9ns", AD_DURATION_OK, 1},        /* below 1 ns truncated */
    {"0.0000000019", AD_DURATION_OK, 1}, /* past ns precision truncated */
    {"1.000000000999", AD_DURATION_OK, 1000000000},
    {"0.001ms", AD_DURATION_OK, 1000},
    {"0.0001us", AD_DURATION_OK, 0},
    {"007", AD_DURATION_OK, 7000000000}, /* leading zeros */
    {"0000000000000000000000000000000001", AD_DURATION_OK, 1000000000},
    {"0.333333333333333333333333333333h", AD_DURATION_OK, 1199999999999}, /* 17 digits kept */
    {"9223372036", AD_DURATION_OK, 9223372036000000000},
    {"9223372036s", AD_DURATION_OK, 9223372036000000000},
    {"9223372036.854775807", AD_DURATION_OK, INT64_MAX},
    {"9223372036854775807ns", AD_DURATION_OK, INT64_MAX},
    {"9223372036854775.807us", AD_DURATION_OK, INT64_MAX},
    {"153722867m", AD_DURATION_OK, INT64_C(153722867) * 60000000000},
    {"2562047h", AD_DURATION_OK, INT64_C(2562047) * 3600000000000},
    /* empty */
    {"", AD_DURATION_EMPTY, 0},
    /* negative */
    {"-1", AD_DURATION_NEGATIVE, 0},
    {"-0", AD_DURATION_NEGATIVE, 0},
    {"-0.5s", AD_DURATION_NEGATIVE, 0},
    {"-", AD_DURATION_NEGATIVE, 0},
    /* syntax */
    {"abc", AD_DURATION_SYNTAX, 0},
    {"0x10", AD_DURATION_SYNTAX, 0},
    {"1e3", AD_DURATION_SYNTAX, 0},
    {"1e309", AD_DURATION_SYNTAX, 0},
    {"1E3", AD_DURATION_SYNTAX, 0},
    {"+1", AD_DURATION_SYNTAX, 0},
    {" 1", AD_DURATION_SYNTAX, 0},
    {"1 ", AD_DURATION_SYNTAX, 0},
    {"1\t", AD_DURATION_SYNTAX, 0},
    {"1.", AD_DURATION_SYNTAX, 0},
    {".5", AD_DURATION_SYNTAX, 0},
    {".", AD_DURATION_SYNTAX, 0},
    {"1..2", AD_DURATION_SYNTAX, 0},
    {"1.2.3", AD_DURATION_SYNTAX, 0},
    {"1.s", AD_DURATION_SYNTAX, 0},
    {"nan", AD_DURATION_SYNTAX, 0},
    {"NaN", AD_DURATION_SYNTAX, 0},
    {"inf", AD_DURATION_SYNTAX, 0},
    {"infinity", AD_DURATION_SYNTAX, 0},
    {"1,5", AD_DURATION_SYNTAX, 0},
    {"1s2", AD_DURATION_SYNTAX, 0},
    {"1ms5", AD_DURATION_SYNTAX, 0},
    {"1\xC2\xB5s", AD_DURATION_SYNTAX, 0}, /* µs is not a unit we take */
    {"s", AD_DURATION_SYNTAX, 0},
    /* unit */
    {"2sec", AD_DURATION_UNIT, 0},
    {"5 s", AD_DURATION_UNIT, 0},
    {"1 s", AD_DURATION_UNIT, 0},
    {"3mss", AD_DURATION_UNIT, 0},
    {"1S", AD_DURATION_UNIT, 0},
    {"1d", AD_DURATION_UNIT, 0},
    {"1.5min", AD_DURATION_UNIT, 0},
    /* range */
    {"9223372037", AD_DURATION_RANGE, 0},
    {"9223372037s", AD_DURATION_RANGE, 0},
    {"9223372036.854775808", AD_DURATION_RANGE, 0},
    {"9223372036854775808ns", AD_DURATION_RANGE, 0},
    {"18446744073709551615ns", AD_DURATION_RANGE, 0},
    {"18446744073709551616ns", AD_DURATION_RANGE, 0},
    {"153722868m", AD_DURATION_RANGE, 0},
    {"2562048h", AD_DURATION_RANGE, 0},
    {"99999999999999999999999999999999999999h", AD_DURATION_RANGE, 0},
};

static void test_parse_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(k_cases) / sizeof(k_cases[0]); i++) {
        const parse_case_t *c = &k_cases[i];
        int64_t ns = -12345;
        ad_duration_status_t st = ad_duration_parse(c->in, strlen(c->in), &ns);
        if (st != c->status)
            fail_msg("\"%s\": status %d, want %d", c->in, st, c->status);
        if (st == AD_DURATION_OK && ns != c->ns)
            fail_msg("\"%s\": %lld ns, want %lld", c->in, (long long)ns, (long long)c->ns);
        if (st != AD_DURATION_OK && ns != -12345)
            fail_msg("\"%s\": out_ns touched on error", c->in);
    }
}

static void test_long_digit_strings(void **state)
{
    (void)state;
    char buf[400];
    int64_t ns;
    memset(buf, '9', 309); /* "1e309"-like length */
    assert_int_equal(ad_duration_parse(buf, 309, &ns), AD_DURATION_RANGE);
    memset(buf, '0', 399); /* zeros are small however many */
    assert_int_equal(ad_duration_parse(buf, 399, &ns), AD_DURATION_OK);
    assert_int_equal(ns, 0);
    buf[0] = '1';
    buf[1] = '.';
    assert_int_equal(ad_duration_parse(buf, 399, &ns), AD_DURATION_OK); /* 1.000... */
    assert_int_equal(ns, 1000000000);
    memset(buf, '9', 300);
    buf[300] = 'x';
    assert_int_equal(ad_duration_parse(buf, 301, &ns), AD_DURATION_UNIT); /* the unit is wrong first */
    buf[300] = '#';
    assert_int_equal(ad_duration_parse(buf, 301, &ns), AD_DURATION_SYNTAX);
}

static void test_length_bounds(void **state)
{
    (void)state;
    int64_t ns = 0;
    /* only s[0..len) is read: "25" of "250ms" */
    assert_int_equal(ad_duration_parse("250ms", 2, &ns), AD_DURATION_OK);
    assert_int_equal(ns, 25000000000);
    assert_int_equal(ad_duration_parse("1.5", 2, &ns), AD_DURATION_SYNTAX);  /* "1." */
    assert_int_equal(ad_duration_parse("1\0s", 3, &ns), AD_DURATION_SYNTAX); /* embedded NUL */
    assert_int_equal(ad_duration_parse(NULL, 0, &ns), AD_DURATION_EMPTY);
    assert_int_equal(ad_duration_parse("5", 0, &ns), AD_DURATION_EMPTY);
}

/* Digits below a nanosecond are dropped from the value but reported, so limits stay exact. */
static void test_below_ns(void **state)
{
    (void)state;
    int64_t ns = 0;
    int below = -1;
    assert_int_equal(ad_duration_parse_ex("30.0000000001", 13, &ns, &below), AD_DURATION_OK);
    assert_int_equal(ns, 30000000000);
    assert_true(below);
    assert_true(ad_duration_over(ns, below, 30000000000));
    assert_int_equal(ad_duration_parse_ex("30.0000000000", 13, &ns, &below), AD_DURATION_OK);
    assert_false(below);
    assert_false(ad_duration_over(ns, below, 30000000000));
    assert_int_equal(ad_duration_parse_ex("30.000000000000000000001", 24, &ns, &below), AD_DURATION_OK);
    assert_true(below); /* past the digits kept at all */
    assert_int_equal(ad_duration_parse_ex("1.9ns", 5, &ns, &below), AD_DURATION_OK);
    assert_int_equal(ns, 1);
    assert_true(below);
    assert_int_equal(ad_duration_parse_ex("1.5m", 4, &ns, &below), AD_DURATION_OK);
    assert_false(below);
    assert_int_equal(ad_duration_parse_ex("0.5us", 5, &ns, &below), AD_DURATION_OK);
    assert_false(below);
    assert_int_equal(ns, 500);
    assert_int_equal(ad_duration_parse_ex("2", 1, &ns, NULL), AD_DURATION_OK);
    assert_false(ad_duration_over(29999999999, 1, 30000000000));
}

static void test_strerror(void **state)
{
    (void)state;
    assert_string_equal(ad_duration_strerror(AD_DURATION_NEGATIVE), "must not be negative");
    for (int st = AD_DURATION_OK; st <= AD_DURATION_RANGE; st++)
        assert_true(strlen(ad_duration_strerror((ad_duration_status_t)st)) > 0);
    assert_non_null(ad_duration_strerror((ad_duration_status_t)99));
}

static void test_format(void **state)
{
    (void)state;
    static const struct {
        int64_t ns;
        const char *want;
    } cases[] = {
        {0, "0s"},
        {1, "1ns"},
        {999, "999ns"},
        {1000, "1us"},
        {12300, "12.3us"},
        {12345, "12.345us"},
        {12345678, "12.346ms"}, /* rounded half up */
        {250000000, "250ms"},
        {999999499, "999.999ms"},
        {999999500, "1s"}, /* rounds to 1000 ms: next unit */
        {999999999, "1s"},
        {1500000000, "1.5s"},
        {2000000000, "2s"},
        {2000134000, "2s"},
        {2001000000, "2.001s"},
        {90000000000, "90s"},
        {3600000000000, "3600s"},
        {-1500000000, "-1.5s"},
        {-7, "-7ns"},
        {INT64_MAX, "9223372036.855s"},
        {INT64_MIN, "-9223372036.855s"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = ad_duration_format(cases[i].ns, buf, sizeof(buf));
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("%lld: got \"%s\" want \"%s\"", (long long)cases[i].ns, buf, cases[i].want);
        assert_int_equal(n, strlen(cases[i].want));
    }
    /* truncation like snprintf */
    char small[4] = "xxx";
    assert_int_equal(ad_duration_format(1500000000, small, sizeof(small)), 4);
    assert_string_equal(small, "1.5");
    assert_int_equal(ad_duration_format(1500000000, small, 0), 4);
    assert_string_equal(small, "1.5"); /* untouched */
}

/* What format prints parses back to the same value within the printed precision. */
static void test_format_parses_back(void **state)
{
    (void)state;
    srand(42);
    for (int i = 0; i < 100000; i++) {
        int64_t ns = ((int64_t)rand() << 31 | rand()) % (i % 2 ? 1000000000000 : 100000000);
        char buf[64];
        ad_duration_format(ns, buf, sizeof(buf));
        int64_t back;
        assert_int_equal(ad_duration_parse(buf, strlen(buf), &back), AD_DURATION_OK);
        int64_t diff = back > ns ? back - ns : ns - back;
        if ((double)diff > 0.0005 * (double)ns + 0.5)
            fail_msg("%lld -> %s -> %lld", (long long)ns, buf, (long long)back);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),        cmocka_unit_test(test_long_digit_strings),
        cmocka_unit_test(test_length_bounds),      cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_below_ns),           cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_parses_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
