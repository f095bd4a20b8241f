/* Query-string iteration, percent-decoding and lookup, hostile input included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "query.h"

#define S(lit) lit, sizeof(lit) - 1

static void expect_pair(const ad_query_pair_t *p, const char *name, const char *value)
{
    assert_int_equal(p->name_len, strlen(name));
    assert_memory_equal(p->name, name, p->name_len);
    if (value == NULL) {
        assert_null(p->value);
        assert_int_equal(p->value_len, 0);
    } else {
        assert_non_null(p->value);
        assert_int_equal(p->value_len, strlen(value));
        assert_memory_equal(p->value, value, p->value_len);
    }
}

static void test_next_pairs(void **state)
{
    (void)state;
    const char q[] = "a=1&b=%20x&&flag&=v&e=&c==d&";
    size_t pos = 0;
    ad_query_pair_t p;

    assert_true(ad_query_next(q, strlen(q), &pos, &p));
    expect_pair(&p, "a", "1");
    assert_true(ad_query_next(q, strlen(q), &pos, &p));
    expect_pair(&p, "b", "%20x");
    assert_true(ad_query_next(q, strlen(q), &pos, &p)); /* "&&" skipped */
    expect_pair(&p, "flag", NULL);
    assert_true(ad_query_next(q, strlen(q), &pos, &p));
    expect_pair(&p, "", "v");
    assert_true(ad_query_next(q, strlen(q), &pos, &p));
    expect_pair(&p, "e", "");
    assert_true(ad_query_next(q, strlen(q), &pos, &p));
    expect_pair(&p, "c", "=d");
    assert_false(ad_query_next(q, strlen(q), &pos, &p));
    assert_false(ad_query_next(q, strlen(q), &pos, &p)); /* stays at the end */
}

static void test_next_empty_and_bounded(void **state)
{
    (void)state;
    size_t pos = 0;
    ad_query_pair_t p;
    assert_false(ad_query_next("", 0, &pos, &p));
    pos = 0;
    assert_false(ad_query_next(S("&&&"), &pos, &p));
    /* the length bounds the scan: nothing past len is read */
    pos = 0;
    assert_true(ad_query_next("ab=cd&zz", 4, &pos, &p));
    expect_pair(&p, "ab", "c");
    assert_false(ad_query_next("ab=cd&zz", 4, &pos, &p));
}

static void test_decode_ok(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(ad_percent_decode(S("a%20b%2Bc%2bd"), out, sizeof(out), false), 7);
    assert_string_equal(out, "a b+c+d");
    assert_int_equal(ad_percent_decode(S("a+b"), out, sizeof(out), true), 3);
    assert_string_equal(out, "a b");
    assert_int_equal(ad_percent_decode(S("a+b"), out, sizeof(out), false), 3);
    assert_string_equal(out, "a+b");
    assert_int_equal(ad_percent_decode(S("%fF%41"), out, sizeof(out), false), 2);
    assert_int_equal((unsigned char)out[0], 0xff);
    assert_int_equal(out[1], 'A');
    assert_int_equal(ad_percent_decode("", 0, out, sizeof(out), true), 0);
    assert_string_equal(out, "");
}

static void test_decode_bad(void **state)
{
    (void)state;
    char out[32];
    static const char *const bad[] = {"%", "%4", "a%", "%zz", "%4g", "%g4", "%00", "x%00y", "%-1", "% 1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(ad_percent_decode(bad[i], strlen(bad[i]), out, sizeof(out), true), -1);
    /* a raw NUL byte inside the given length */
    assert_int_equal(ad_percent_decode("a\0b", 3, out, sizeof(out), true), -1);
}

static void test_decode_sizes(void **state)
{
    (void)state;
    char out[4];
    assert_int_equal(ad_percent_decode(S("abc"), out, 4, false), 3); /* exact fit with the NUL */
    assert_string_equal(out, "abc");
    assert_int_equal(ad_percent_decode(S("abcd"), out, 4, false), -1);
    assert_int_equal(ad_percent_decode(S("%41%42%43"), out, 4, false), 3);
    assert_int_equal(ad_percent_decode(S("a"), out, 0, false), -1);
    assert_int_equal(ad_percent_decode("", 0, out, 1, false), 0);
}

static void test_get_found(void **state)
{
    (void)state;
    char out[16];
    assert_int_equal(ad_query_get(S("x=1&delay=0.25&y"), "delay", out, sizeof(out)), AD_QUERY_FOUND);
    assert_string_equal(out, "0.25");
    assert_int_equal(ad_query_get(S("del%61y=250%6Ds"), "delay", out, sizeof(out)), AD_QUERY_FOUND);
    assert_string_equal(out, "250ms");
    assert_int_equal(ad_query_get(S("my+name=a+b"), "my name", out, sizeof(out)), AD_QUERY_FOUND);
    assert_string_equal(out, "a b");
    assert_int_equal(ad_query_get(S("delay="), "delay", out, sizeof(out)), AD_QUERY_FOUND);
    assert_string_equal(out, "");
    assert_int_equal(ad_query_get(S("a&delay&b"), "delay", out, sizeof(out)), AD_QUERY_FOUND);
    assert_string_equal(out, "");
    /* other parameters' bad encoding does not matter */
    assert_int_equal(ad_query_get(S("%zz=%zz&delay=2&q=%"), "delay", out, sizeof(out)), AD_QUERY_FOUND);
    assert_string_equal(out, "2");
}

static void test_get_absent(void **state)
{
    (void)state;
    char out[16] = "junk";
    assert_int_equal(ad_query_get("", 0, "delay", out, sizeof(out)), AD_QUERY_ABSENT);
    assert_string_equal(out, "");
    assert_int_equal(ad_query_get(S("x=delay&delayed=1&dela=2&Delay=3"), "delay", out, sizeof(out)), AD_QUERY_ABSENT);
    assert_int_equal(ad_query_get(S("delay%00=1&delay%=2&%64elay%zz=3"), "delay", out, sizeof(out)), AD_QUERY_ABSENT);
    assert_int_equal(ad_query_get(S("&&&"), "delay", out, sizeof(out)), AD_QUERY_ABSENT);
}

static void test_get_repeated(void **state)
{
    (void)state;
    char out[16];
    assert_int_equal(ad_query_get(S("delay=1&delay=2"), "delay", out, sizeof(out)), AD_QUERY_REPEATED);
    assert_string_equal(out, "");
    assert_int_equal(ad_query_get(S("delay=1&x=0&%64elay=1"), "delay", out, sizeof(out)), AD_QUERY_REPEATED);
    assert_int_equal(ad_query_get(S("delay&delay"), "delay", out, sizeof(out)), AD_QUERY_REPEATED);
}

static void test_get_bad_encoding_and_too_long(void **state)
{
    (void)state;
    char out[8];
    static const char *const bad[] = {"delay=%", "delay=%4", "delay=%zz", "delay=%00", "delay=1%0"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ad_query_get(bad[i], strlen(bad[i]), "delay", out, sizeof(out)), AD_QUERY_BAD_ENCODING);
        assert_string_equal(out, "");
    }
    assert_int_equal(ad_query_get(S("delay=1234567"), "delay", out, sizeof(out)), AD_QUERY_FOUND);
    assert_int_equal(ad_query_get(S("delay=12345678"), "delay", out, sizeof(out)), AD_QUERY_TOO_LONG);
    assert_string_equal(out, "");
    /* bad encoding wins over length */
    assert_int_equal(ad_query_get(S("delay=12345678%zz"), "delay", out, sizeof(out)), AD_QUERY_BAD_ENCODING);
}

static void test_get_huge_input(void **state)
{
    (void)state;
    const size_t n = 4u << 20;
    char *q = malloc(n + 32), out[16];
    assert_non_null(q);
    for (size_t i = 0; i < n; i += 4)
        memcpy(q + i, "a=1&", 4);
    strcpy(q + n, "delay=3");
    assert_int_equal(ad_query_get(q, strlen(q), "delay", out, sizeof(out)), AD_QUERY_FOUND);
    assert_string_equal(out, "3");

    /* one enormous value, and a string of lone '%' */
    memcpy(q, "delay=", 6);
    memset(q + 6, '9', n);
    assert_int_equal(ad_query_get(q, n + 6, "delay", out, sizeof(out)), AD_QUERY_TOO_LONG);
    memset(q + 6, '%', n);
    assert_int_equal(ad_query_get(q, n + 6, "delay", out, sizeof(out)), AD_QUERY_BAD_ENCODING);
    memset(q, '%', n);
    assert_int_equal(ad_query_get(q, n, "delay", out, sizeof(out)), AD_QUERY_ABSENT);
    assert_int_equal(ad_percent_decode(q, n, out, sizeof(out), true), -1);
    free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_pairs),
        cmocka_unit_test(test_next_empty_and_bounded),
        cmocka_unit_test(test_decode_ok),
        cmocka_unit_test(test_decode_bad),
        cmocka_unit_test(test_decode_sizes),
        cmocka_unit_test(test_get_found),
        cmocka_unit_test(test_get_absent),
        cmocka_unit_test(test_get_repeated),
        cmocka_unit_test(test_get_bad_encoding_and_too_long),
        cmocka_unit_test(test_get_huge_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
