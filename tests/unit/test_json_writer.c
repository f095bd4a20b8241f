/* Unit tests of lib/json_writer.c: escaping, nesting, numbers, seconds, UTC, parse-back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <time.h>

#include "digits.h"
#include "json_writer.h"

/* The writer's output for one string value. */
static char *encode_string(const char *s, size_t len)
{
    ad_jw_t w;
    ad_jw_init(&w, 0);
    ad_jw_string(&w, s, len);
    assert_false(ad_jw_failed(&w));
    assert_int_equal(strlen(w.buf), w.len);
    return w.buf; /* caller frees */
}

/* Parses json with jansson and returns the string it holds (strict: jansson rejects bad UTF-8). */
static json_t *parse(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (j == NULL)
        fail_msg("jansson rejected %s: %s", text, err.text);
    return j;
}

static void test_control_chars(void **state)
{
    (void)state;
    for (int c = 0; c < 0x20; c++) {
        char in[3] = {'a', (char)c, 'b'};
        char *out = encode_string(in, sizeof(in));
        char want[16];
        switch (c) {
        case '\b':
            strcpy(want, "\"a\\bb\"");
            break;
        case '\f':
            strcpy(want, "\"a\\fb\"");
            break;
        case '\n':
            strcpy(want, "\"a\\nb\"");
            break;
        case '\r':
            strcpy(want, "\"a\\rb\"");
            break;
        case '\t':
            strcpy(want, "\"a\\tb\"");
            break;
        default:
            snprintf(want, sizeof(want), "\"a\\u%04xb\"", c);
            break;
        }
        assert_string_equal(out, want);
        json_t *j = parse(out);
        assert_int_equal(json_string_length(j), 3);
        assert_memory_equal(json_string_value(j), in, 3);
        json_decref(j);
        free(out);
    }
}

static void test_quotes_backslash_and_ascii(void **state)
{
    (void)state;
    char *out = encode_string("say \"hi\" \\ / \x7f", 14);
    assert_string_equal(out, "\"say \\\"hi\\\" \\\\ / \x7f\"");
    json_t *j = parse(out);
    assert_string_equal(json_string_value(j), "say \"hi\" \\ / \x7f");
    json_decref(j);
    free(out);
}

static void test_valid_utf8_passes(void **state)
{
    (void)state;
    /* 2, 3 and 4 byte forms at their edges: U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000, U+10FFFF */
    const char *s = "\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF";
    char *out = encode_string(s, strlen(s));
    assert_int_equal(strlen(out), strlen(s) + 2);
    assert_memory_equal(out + 1, s, strlen(s));
    json_t *j = parse(out);
    assert_string_equal(json_string_value(j), s);
    json_decref(j);
    free(out);
}

static void test_invalid_utf8_replaced(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *want; /* between the quotes; R is U+FFFD */
    } cases[] = {
        {"\x80", "R"},                /* lone continuation */
        {"\xFF", "R"},                /* never valid */
        {"\xC0\xAF", "RR"},           /* overlong '/' */
        {"\xC1\xBF", "RR"},           /* overlong */
        {"\xE0\x80\xAF", "RRR"},      /* overlong 3-byte */
        {"\xED\xA0\x80", "RRR"},      /* surrogate U+D800 */
        {"\xF0\x80\x80\x80", "RRRR"}, /* overlong 4-byte */
        {"\xF4\x90\x80\x80", "RRRR"}, /* above U+10FFFF */
        {"\xF5\x80\x80\x80", "RRRR"}, /* never valid lead */
        {"a\xE2\x82", "aR"},          /* truncated at end: one maximal subpart */
        {"\xE2\x82"
         "b",
         "Rb"},                               /* truncated before ASCII */
        {"\xF0\x9F\x98", "R"},                /* truncated 4-byte */
        {"\xC3\x28", "R("},                   /* bad continuation */
        {"x\xE2\x82\xACy", "x\xE2\x82\xACy"}, /* valid euro sign for contrast */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char want[64] = "\"";
        for (const char *p = cases[i].want; *p; p++)
            strcat(want, *p == 'R' ? "\xEF\xBF\xBD" : (char[]){*p, 0});
        strcat(want, "\"");
        char *out = encode_string(cases[i].in, strlen(cases[i].in));
        if (strcmp(out, want) != 0)
            fail_msg("case %zu: got %s want %s", i, out, want);
        json_decref(parse(out)); /* jansson validates UTF-8 strictly */
        free(out);
    }
}

static void test_embedded_nul(void **state)
{
    (void)state;
    char *out = encode_string("a\0b", 3);
    assert_string_equal(out, "\"a\\u0000b\"");
    free(out);
}

static void test_nesting_and_commas(void **state)
{
    (void)state;
    ad_jw_t w;
    ad_jw_init(&w, 1); /* tiny, to exercise growth */
    ad_jw_object_begin(&w);
    ad_jw_key(&w, "a");
    ad_jw_int(&w, 1);
    ad_jw_key(&w, "list");
    ad_jw_array_begin(&w);
    ad_jw_int(&w, -2);
    ad_jw_array_begin(&w);
    ad_jw_array_end(&w);
    ad_jw_object_begin(&w);
    ad_jw_object_end(&w);
    ad_jw_cstr(&w, NULL);
    ad_jw_bool(&w, true);
    ad_jw_bool(&w, false);
    ad_jw_array_end(&w);
    ad_jw_key(&w, "o");
    ad_jw_object_begin(&w);
    ad_jw_key(&w, "k\"ey");
    ad_jw_cstr(&w, "v");
    ad_jw_key(&w, "raw");
    ad_jw_raw(&w, "{\"x\":1}", 7);
    ad_jw_object_end(&w);
    ad_jw_key(&w, "u");
    ad_jw_uint(&w, UINT64_MAX);
    ad_jw_key(&w, "min");
    ad_jw_int(&w, INT64_MIN);
    ad_jw_object_end(&w);
    assert_false(ad_jw_failed(&w));
    assert_string_equal(w.buf,
                        "{\"a\":1,\"list\":[-2,[],{},null,true,false],\"o\":{\"k\\\"ey\":\"v\",\"raw\":{\"x\":1}},"
                        "\"u\":18446744073709551615,\"min\":-9223372036854775808}");
    /* jansson holds only int64, so check the structure with u made smaller */
    char *u = strstr(w.buf, "18446744073709551615");
    memcpy(u, "                   1", 20); /* JSON whitespace + 1 */
    json_t *j = parse(w.buf);
    assert_int_equal(json_integer_value(json_object_get(j, "u")), 1);
    assert_int_equal(json_array_size(json_object_get(j, "list")), 6);
    assert_int_equal(json_integer_value(json_object_get(j, "min")), INT64_MIN);
    json_decref(j);

    ad_jw_reset(&w);
    assert_int_equal(w.len, 0);
    assert_string_equal(w.buf, "");
    ad_jw_array_begin(&w);
    ad_jw_int(&w, 0);
    ad_jw_int(&w, 10);
    ad_jw_int(&w, 1234567890);
    ad_jw_array_end(&w);
    assert_string_equal(w.buf, "[0,10,1234567890]");
    ad_jw_free(&w);
}

static void test_misuse_fails(void **state)
{
    (void)state;
    ad_jw_t w;
    ad_jw_init(&w, 0);
    ad_jw_object_end(&w); /* nothing open */
    assert_true(ad_jw_failed(&w));
    ad_jw_int(&w, 1); /* sticky: no-op */
    assert_true(ad_jw_failed(&w));

    ad_jw_reset(&w);
    assert_false(ad_jw_failed(&w));
    for (int i = 0; i < AD_JW_MAX_DEPTH; i++)
        ad_jw_array_begin(&w);
    assert_false(ad_jw_failed(&w));
    ad_jw_array_begin(&w);
    assert_true(ad_jw_failed(&w));

    ad_jw_reset(&w);
    ad_jw_key(&w, "k"); /* key outside any container */
    assert_true(ad_jw_failed(&w));

    ad_jw_reset(&w);
    ad_jw_object_begin(&w);
    ad_jw_key(&w, "k");
    ad_jw_object_end(&w); /* key without a value */
    assert_true(ad_jw_failed(&w));
    ad_jw_free(&w);
}

/* The digit-pair formatter and its digit count against printf, at every power of ten's edges, the extremes, and
 * values of every bit length. */
static void check_u64(uint64_t v)
{
    char want[32], got[32] = {0}, padded[32] = {0};
    int n = snprintf(want, sizeof(want), "%" PRIu64, v);
    assert_int_equal(ad_u64_digits(v), n);
    assert_int_equal(ad_u64_to_dec(v, got), n);
    assert_string_equal(got, want);
    ad_u64_to_dec_fixed(v, padded, 20);
    snprintf(want, sizeof(want), "%020" PRIu64, v);
    assert_string_equal(padded, want);
}

static void test_u64_digits(void **state)
{
    (void)state;
    check_u64(0);
    check_u64(UINT64_MAX);
    for (int e = 0; e < 20; e++) {
        check_u64(ad_pow10[e]);
        check_u64(ad_pow10[e] - 1);
        check_u64(ad_pow10[e] + 1);
    }
    uint64_t x = 88172645463325252u; /* xorshift64: values of every bit length */
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        check_u64(x >> (i % 64));
    }
    char three[4] = {0};
    ad_u64_to_dec_fixed(7, three, 3); /* an odd width: its first digit alone */
    assert_string_equal(three, "007");
}

static char *seconds(int64_t ns, int decimals)
{
    static char buf[64];
    ad_jw_t w;
    ad_jw_init(&w, 0);
    ad_jw_seconds(&w, ns, decimals);
    assert_false(ad_jw_failed(&w));
    snprintf(buf, sizeof(buf), "%s", w.buf);
    ad_jw_free(&w);
    return buf;
}

static void test_seconds(void **state)
{
    (void)state;
    assert_string_equal(seconds(2000134000, 6), "2.000134");
    assert_string_equal(seconds(0, 3), "0.000");
    assert_string_equal(seconds(0, 0), "0");
    assert_string_equal(seconds(1, 9), "0.000000001");
    assert_string_equal(seconds(1500000000, 0), "2"); /* half rounds away from zero */
    assert_string_equal(seconds(1499999999, 0), "1");
    assert_string_equal(seconds(999999500, 6), "1.000000"); /* carry into the integer part */
    assert_string_equal(seconds(999999499, 6), "0.999999");
    assert_string_equal(seconds(-1500000000, 3), "-1.500");
    assert_string_equal(seconds(-1500000000, 0), "-2");
    assert_string_equal(seconds(-250000000, 1), "-0.3");
    assert_string_equal(seconds(-1, 3), "0.000"); /* rounds to zero: no "-0" */
    assert_string_equal(seconds(-1, 9), "-0.000000001");
    assert_string_equal(seconds(INT64_MAX, 9), "9223372036.854775807");
    assert_string_equal(seconds(INT64_MIN, 9), "-9223372036.854775808");
    assert_string_equal(seconds(INT64_MIN, 0), "-9223372037");
    assert_string_equal(seconds(1234567891, 12), "1.234567891"); /* decimals clamped to 9 */
    assert_string_equal(seconds(1734567891, -1), "2");           /* and to 0 */
    for (int64_t ns = -3000000000; ns <= 3000000000; ns += 123456789) {
        json_t *j = parse(seconds(ns, 6));
        double want = round((double)ns / 1e3) / 1e6;
        assert_true(fabs(json_number_value(j) - want) < 1e-9);
        json_decref(j);
    }
}

static char *dbl(double v)
{
    static char buf[64];
    ad_jw_t w;
    ad_jw_init(&w, 0);
    ad_jw_double(&w, v);
    assert_false(ad_jw_failed(&w));
    snprintf(buf, sizeof(buf), "%s", w.buf);
    ad_jw_free(&w);
    return buf;
}

static void test_double(void **state)
{
    (void)state;
    assert_string_equal(dbl(0.1), "0.1");
    assert_string_equal(dbl(2.5), "2.5");
    assert_string_equal(dbl(-3), "-3");
    assert_string_equal(dbl(NAN), "null");
    assert_string_equal(dbl(INFINITY), "null");
    assert_string_equal(dbl(-INFINITY), "null");
    assert_string_equal(dbl(0.1 + 0.2), "0.30000000000000004");
    const double vals[] = {1.0 / 3, 1e300, -1e-300, 5e-324, 1.7976931348623157e308, 123456.789, 0.53124153299999999};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        const char *s = dbl(vals[i]);
        assert_true(strtod(s, NULL) == vals[i]);
        assert_true(strlen(s) <= 24);
        json_t *j = parse(s);
        assert_true(json_number_value(j) == vals[i]);
        json_decref(j);
    }
}

/* The day arithmetic against the C library's gmtime_r, over every day of the int64-ns range's years. */
static void test_utc_matches_gmtime(void **state)
{
    (void)state;
    char got[40], want[40];
    const int64_t first = INT64_MIN / 1000000000 + 1, last = INT64_MAX / 1000000000;
    /* A stride just under a day walks every calendar day, at a time of day that shifts each step. */
    for (int64_t sec = first; sec <= last - 86399; sec += 86399) {
        time_t t = (time_t)sec;
        struct tm tm;
        assert_non_null(gmtime_r(&t, &tm));
        snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec);
        ad_format_utc(sec * 1000000000, 0, got, sizeof(got));
        if (strcmp(got, want) != 0)
            fail_msg("%" PRId64 ": %s, gmtime_r says %s", sec, got, want);
    }
}

static void test_utc(void **state)
{
    (void)state;
    char buf[40];
    /* 2026-11-24T17:30:00Z = 1795541400 */
    int64_t t = INT64_C(1795541400) * 1000000000 + 123456789;
    assert_int_equal(ad_format_utc(t, 6, buf, sizeof(buf)), 27);
    assert_string_equal(buf, "2026-11-24T17:30:00.123456Z");
    ad_format_utc(t, 0, buf, sizeof(buf));
    assert_string_equal(buf, "2026-11-24T17:30:00Z");
    ad_format_utc(t, 9, buf, sizeof(buf));
    assert_string_equal(buf, "2026-11-24T17:30:00.123456789Z");
    ad_format_utc(t + 999999999 - 123456789, 3, buf, sizeof(buf)); /* truncated, never rounded up */
    assert_string_equal(buf, "2026-11-24T17:30:00.999Z");
    ad_format_utc(0, 3, buf, sizeof(buf));
    assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
    ad_format_utc(-1, 3, buf, sizeof(buf)); /* one ns before the epoch */
    assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
    ad_format_utc(INT64_C(951782400) * 1000000000, 0, buf, sizeof(buf)); /* leap day */
    assert_string_equal(buf, "2000-02-29T00:00:00Z");
    ad_format_utc(INT64_MAX, 9, buf, sizeof(buf));
    assert_string_equal(buf, "2262-04-11T23:47:16.854775807Z");
    ad_format_utc(INT64_MIN, 9, buf, sizeof(buf));
    assert_string_equal(buf, "1677-09-21T00:12:43.145224192Z");
    /* the date and time of the last second formatted are kept: the same second, the next, and back */
    ad_format_utc(t + 5, 6, buf, sizeof(buf));
    assert_string_equal(buf, "2026-11-24T17:30:00.123456Z");
    ad_format_utc(t + 1000000000, 6, buf, sizeof(buf));
    assert_string_equal(buf, "2026-11-24T17:30:01.123456Z");
    ad_format_utc(t, 6, buf, sizeof(buf));
    assert_string_equal(buf, "2026-11-24T17:30:00.123456Z");
    char small[8];
    assert_int_equal(ad_format_utc(t, 6, small, sizeof(small)), 7);
    assert_string_equal(small, "2026-11");

    ad_jw_t w;
    ad_jw_init(&w, 0);
    ad_jw_array_begin(&w);
    ad_jw_utc(&w, t, 3);
    ad_jw_utc(&w, t, 0);
    ad_jw_array_end(&w);
    assert_string_equal(w.buf, "[\"2026-11-24T17:30:00.123Z\",\"2026-11-24T17:30:00Z\"]");
    ad_jw_free(&w);
}

/* ad_parse_utc reads back what ad_format_utc writes, on every calendar day of the range; offsets only when
 * asked; the rest is refused. */
static void test_parse_utc(void **state)
{
    (void)state;
    char buf[40];
    for (int64_t sec = -9223372036 + 86399; sec <= 9223372035 - 86399; sec += 86399) {
        int64_t ns = sec * 1000000000 + (sec & 0x3fffffff) % 1000000000, back = 0;
        ad_format_utc(ns, 9, buf, sizeof(buf));
        if (ad_parse_utc(buf, false, &back) != 0 || back != ns)
            fail_msg("%s (%" PRId64 ") read back as %" PRId64, buf, ns, back);
    }
    int64_t t = 0, want = INT64_C(1795541400) * 1000000000; /* 2026-11-24T17:30:00Z */
    assert_int_equal(ad_parse_utc("2026-11-24T17:30:00Z", false, &t), 0);
    assert_int_equal(t, want);
    assert_int_equal(ad_parse_utc("2026-11-24T18:30:00.5+01:00", true, &t), 0);
    assert_int_equal(t, want + 500000000);
    assert_int_equal(ad_parse_utc("2026-11-24t12:00:00-05:30", true, &t), 0);
    assert_int_equal(t, want);
    assert_int_equal(ad_parse_utc("2026-11-24T17:30:00z", true, &t), 0);
    assert_int_equal(t, want);
    assert_int_equal(ad_parse_utc("2000-02-29T00:00:00Z", false, &t), 0);
    static const char *const bad[] = {"2026-11-24T18:30:00+01:00", /* an offset where only UTC is taken */
                                      "2026-11-24t17:30:00Z",
                                      "2026-11-24T17:30:00z",
                                      "2026-11-24T17:30:00",
                                      "2026-11-24 17:30:00Z",
                                      "2026-13-24T17:30:00Z",
                                      "2026-02-30T17:30:00Z",
                                      "2025-02-29T00:00:00Z",
                                      "1900-02-29T00:00:00Z",
                                      "2026-11-24T24:00:00Z",
                                      "2026-11-24T17:60:00Z",
                                      "2026-11-24T17:30:61Z",
                                      "2026-11-24T17:30:00.Z",
                                      "2026-11-24T17:30:00ZZ",
                                      "26-11-24T17:30:00Z",
                                      "2026-1-24T17:30:00Z",
                                      "+026-11-24T17:30:00Z",
                                      "9999-12-31T23:59:59Z",
                                      "",
                                      "now"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (ad_parse_utc(bad[i], i >= 3, &t) == 0) /* the first three: UTC only */
            fail_msg("'%s' was taken", bad[i]);
    static const char *const bad_offsets[] = {"2026-11-24T17:30:00+1:00", "2026-11-24T17:30:00+01",
                                              "2026-11-24T17:30:00+24:00", "2026-11-24T17:30:00+01:60",
                                              "2026-11-24T17:30:00+01:00Z"};
    for (size_t i = 0; i < sizeof(bad_offsets) / sizeof(bad_offsets[0]); i++)
        if (ad_parse_utc(bad_offsets[i], true, &t) == 0)
            fail_msg("'%s' was taken", bad_offsets[i]);
}

/* Random bytes in keys and values always give JSON jansson accepts, and valid UTF-8 survives exactly. */
static void test_random_bytes_parse_back(void **state)
{
    (void)state;
    srand(12345);
    ad_jw_t w;
    ad_jw_init(&w, 16);
    for (int round = 0; round < 2000; round++) {
        char bytes[64];
        size_t n = (size_t)(rand() % (int)sizeof(bytes));
        for (size_t i = 0; i < n; i++)
            bytes[i] = (char)(rand() % 256);
        ad_jw_reset(&w);
        ad_jw_object_begin(&w);
        ad_jw_key(&w, "v");
        ad_jw_string(&w, bytes, n);
        ad_jw_key(&w, "d");
        ad_jw_double(&w, (double)rand() / 7.0);
        ad_jw_object_end(&w);
        assert_false(ad_jw_failed(&w));
        json_t *j = parse(w.buf);
        json_decref(j);
    }
    /* ASCII printable without specials comes back byte for byte */
    const char *ascii = "The quick brown fox {jumps} [over] 0123456789 ~!@#$%^&*()_+";
    ad_jw_reset(&w);
    ad_jw_cstr(&w, ascii);
    json_t *j = parse(w.buf);
    assert_string_equal(json_string_value(j), ascii);
    json_decref(j);
    ad_jw_free(&w);
}

static void test_large_growth(void **state)
{
    (void)state;
    ad_jw_t w;
    ad_jw_init(&w, 0);
    ad_jw_array_begin(&w);
    for (int i = 0; i < 100000; i++)
        ad_jw_int(&w, i);
    ad_jw_array_end(&w);
    assert_false(ad_jw_failed(&w));
    json_t *j = parse(w.buf);
    assert_int_equal(json_array_size(j), 100000);
    assert_int_equal(json_integer_value(json_array_get(j, 99999)), 99999);
    json_decref(j);
    ad_jw_free(&w);
}

/* ad_jw_key_lit writes what ad_jw_key writes for a plain key, with the same separators and misuse checks. */
static void test_key_literal(void **state)
{
    (void)state;
    ad_jw_t a, b;
    ad_jw_init(&a, 1);
    ad_jw_init(&b, 1);
    ad_jw_object_begin(&a);
    ad_jw_object_begin(&b);
    ad_jw_key(&a, "first_key");
    ad_jw_key_lit(&b, "first_key");
    ad_jw_int(&a, 1);
    ad_jw_int(&b, 1);
    ad_jw_key(&a, "x");
    ad_jw_key_lit(&b, "x");
    ad_jw_object_begin(&a);
    ad_jw_object_begin(&b);
    ad_jw_object_end(&a);
    ad_jw_object_end(&b);
    ad_jw_object_end(&a);
    ad_jw_object_end(&b);
    assert_false(ad_jw_failed(&b));
    assert_string_equal(b.buf, "{\"first_key\":1,\"x\":{}}");
    assert_string_equal(a.buf, b.buf);
    ad_jw_reset(&b); /* a key outside an object, and two keys in a row, fail as with ad_jw_key */
    ad_jw_key_lit(&b, "k");
    assert_true(ad_jw_failed(&b));
    ad_jw_reset(&b);
    ad_jw_object_begin(&b);
    ad_jw_key_lit(&b, "k");
    ad_jw_key_lit(&b, "k");
    assert_true(ad_jw_failed(&b));
    ad_jw_free(&a);
    ad_jw_free(&b);
}

static void test_key_n_and_utf8_valid(void **state)
{
    (void)state;
    ad_jw_t w;
    ad_jw_init(&w, 8);
    ad_jw_object_begin(&w);
    ad_jw_key_n(&w, "a\0\"b", 4); /* a key of any bytes, escaped like a string */
    ad_jw_int(&w, 1);
    ad_jw_key_n(&w, "xyz", 2);
    ad_jw_int(&w, 2);
    ad_jw_object_end(&w);
    assert_false(ad_jw_failed(&w));
    assert_string_equal(w.buf, "{\"a\\u0000\\\"b\":1,\"xy\":2}");
    ad_jw_free(&w);

    assert_true(ad_utf8_valid("", 0));
    assert_true(ad_utf8_valid("plain \x01 ascii", 13));
    assert_true(ad_utf8_valid("\xc3\xa9\xe2\x9c\x93\xf0\x9f\x98\x80", 9));
    assert_false(ad_utf8_valid("\xff", 1));
    assert_false(ad_utf8_valid("\xc3", 1));             /* truncated */
    assert_false(ad_utf8_valid("\xc0\xaf", 2));         /* overlong */
    assert_false(ad_utf8_valid("\xed\xa0\x80", 3));     /* a surrogate */
    assert_false(ad_utf8_valid("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_control_chars),
        cmocka_unit_test(test_quotes_backslash_and_ascii),
        cmocka_unit_test(test_valid_utf8_passes),
        cmocka_unit_test(test_invalid_utf8_replaced),
        cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_nesting_and_commas),
        cmocka_unit_test(test_misuse_fails),
        cmocka_unit_test(test_u64_digits),
        cmocka_unit_test(test_seconds),
        cmocka_unit_test(test_double),
        cmocka_unit_test(test_utc),
        cmocka_unit_test(test_parse_utc),
        cmocka_unit_test(test_utc_matches_gmtime),
        cmocka_unit_test(test_random_bytes_parse_back),
        cmocka_unit_test(test_large_growth),
        cmocka_unit_test(test_key_n_and_utf8_valid),
        cmocka_unit_test(test_key_literal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
