/* The delay answer and httpbin's /delay/{n} document, read back with jansson. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "clock.h"
#include "delay_json.h"

#define MS AD_NS_PER_MS
#define SEC AD_NS_PER_SEC

/* 2026-11-24T17:30:00.123456Z as CLOCK_REALTIME ns */
#define WALL0 (INT64_C(1795541400) * SEC + 123456 * AD_NS_PER_US)

/* cmocka 1.1 has no assert_double_equal */
static void assert_near(double got, double want, double eps)
{
    if (!(got - want <= eps && want - got <= eps))
        fail_msg("%.9f, want %.9f (within %g)", got, want, eps);
}

static ad_delay_result_t sample_result(void)
{
    return (ad_delay_result_t){
        .endpoint = "/non-blocking",
        .requested_ns = 250 * MS,
        .started_mono_ns = 12345 * SEC + 678901234,
        .finished_mono_ns = 12345 * SEC + 678901234 + 250113000,
        .started_wall_ns = WALL0,
        .sequence = 17,
        .pid = 4242,
        .thread = "loop-0",
        .worker = NULL,
    };
}

/* Parses w's document; fails the test when it is not valid JSON. */
static json_t *parse(ad_jw_t *w)
{
    assert_false(ad_jw_failed(w));
    json_error_t err;
    json_t *doc = json_loadb(w->buf, w->len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
    if (doc == NULL)
        fail_msg("invalid JSON (%s at %d): %.*s", err.text, err.position, (int)w->len, w->buf);
    return doc;
}

static double number(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    assert_non_null(v);
    assert_true(json_is_number(v));
    return json_number_value(v);
}

static const char *string(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || !json_is_string(v))
        fail_msg("%s: not a string", key);
    return json_string_value(v);
}

/* The text of key's number as written (to check decimals, which a double would hide). */
static void assert_raw_number(const ad_jw_t *w, const char *key, const char *text)
{
    char needle[128];
    snprintf(needle, sizeof(needle), "\"%s\":%s", key, text);
    if (strstr(w->buf, needle) == NULL)
        fail_msg("%s not found in %s", needle, w->buf);
}

static void check_delay_fields(json_t *doc, const ad_delay_result_t *r)
{
    double waited = (double)(r->finished_mono_ns - r->started_mono_ns) / 1e9;
    assert_string_equal(string(doc, "endpoint"), r->endpoint);
    assert_near(number(doc, "requested_delay_seconds"), (double)r->requested_ns / 1e9, 1e-12);
    assert_near(number(doc, "waited_seconds"), waited, 1e-6);
    assert_near(number(doc, "started_monotonic_seconds"), (double)r->started_mono_ns / 1e9, 1e-6);
    assert_near(number(doc, "finished_monotonic_seconds"), (double)r->finished_mono_ns / 1e9, 1e-6);
    assert_near(number(doc, "started_unix_seconds"), (double)r->started_wall_ns / 1e9, 1e-5);
    assert_near(number(doc, "finished_unix_seconds"), (double)r->started_wall_ns / 1e9 + waited, 1e-5);
    assert_int_equal((int64_t)number(doc, "sequence"), (int64_t)r->sequence);
    assert_int_equal((int64_t)number(doc, "pid"), r->pid);
    assert_string_equal(string(doc, "thread"), r->thread);
}

static void test_delay_answer(void **state)
{
    (void)state;
    ad_jw_t w;
    ad_jw_init(&w, 16);
    ad_delay_result_t r = sample_result();
    ad_delay_json(&w, &r);
    json_t *doc = parse(&w);
    check_delay_fields(doc, &r);
    assert_string_equal(string(doc, "started_wall"), "2026-11-24T17:30:00.123456Z");
    /* finished = started + waited (monotonic), not a second wall-clock reading */
    assert_string_equal(string(doc, "finished_wall"), "2026-11-24T17:30:00.373569Z");
    assert_null(json_object_get(doc, "worker"));
    assert_int_equal(json_object_size(doc), 12);
    /* fixed decimals, written from integer nanoseconds */
    assert_raw_number(&w, "waited_seconds", "0.250113,");
    assert_raw_number(&w, "started_monotonic_seconds", "12345.678901234,");
    assert_raw_number(&w, "finished_monotonic_seconds", "12345.929014234,");
    assert_raw_number(&w, "started_unix_seconds", "1795541400.123456,");
    assert_raw_number(&w, "requested_delay_seconds", "0.25,");
    json_decref(doc);
    ad_jw_free(&w);
}

/* A delay that varies: the "delay" object says what was asked and what was drawn; seed and its draw number
 * (seed_index) only when given. */
static void test_delay_answer_asked(void **state)
{
    (void)state;
    ad_jw_t w;
    ad_jw_init(&w, 16);
    ad_delay_result_t r = sample_result();
    r.asked = "100ms..2s\"";
    r.asked_len = strlen(r.asked);
    r.jitter_ns = 200000000;
    r.has_seed = true;
    r.seed = 9007199254740991ULL;
    r.seed_index = 3;
    ad_delay_json(&w, &r);
    json_t *doc = parse(&w);
    check_delay_fields(doc, &r);
    assert_int_equal(json_object_size(doc), 13);
    json_t *d = json_object_get(doc, "delay");
    assert_non_null(d);
    assert_int_equal(json_object_size(d), 5);
    assert_string_equal(string(d, "asked"), "100ms..2s\"");
    assert_raw_number(&w, "jitter_seconds", "0.2,");
    assert_raw_number(&w, "seed", "9007199254740991,");
    assert_raw_number(&w, "seed_index", "3,");
    assert_raw_number(&w, "drawn_seconds", "0.25}");
    json_decref(doc);
    ad_jw_free(&w);

    ad_jw_init(&w, 16);
    r.has_seed = false;
    ad_delay_json(&w, &r);
    doc = parse(&w);
    assert_int_equal(json_object_size(json_object_get(doc, "delay")), 3);
    json_decref(doc);
    ad_jw_free(&w);
}

static void test_delay_answer_offload_worker(void **state)
{
    (void)state;
    ad_jw_t w;
    ad_jw_init(&w, 16);
    ad_delay_result_t r = sample_result();
    r.endpoint = "/offload";
    r.requested_ns = 2 * SEC;
    r.finished_mono_ns = r.started_mono_ns + 2 * SEC + 1;
    r.worker = "worker-3";
    r.sequence = UINT64_C(9007199254740993); /* 2^53 + 1: exact, not through a double */
    ad_delay_json(&w, &r);
    json_t *doc = parse(&w);
    assert_string_equal(string(doc, "endpoint"), "/offload");
    assert_string_equal(string(doc, "worker"), "worker-3");
    assert_raw_number(&w, "requested_delay_seconds", "2,");
    assert_raw_number(&w, "waited_seconds", "2.000000,");
    assert_raw_number(&w, "sequence", "9007199254740993,");
    json_decref(doc);
    ad_jw_free(&w);
}

static void test_requested_delay_text(void **state)
{
    (void)state;
    /* exact decimals of the integer nanoseconds, trailing zeros dropped: what a reader of "delay=" expects */
    static const struct {
        int64_t ns;
        const char *text;
    } cases[] = {
        {0, "0"},          {1, "0.000000001"},   {250 * MS, "0.25"},       {2 * SEC, "2"},
        {30 * SEC, "30"},  {1500 * MS, "1.5"},   {SEC + 10, "1.00000001"}, {123456789012, "123.456789012"},
        {100 * MS, "0.1"}, {-1500 * MS, "-1.5"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ad_jw_t w;
        ad_jw_init(&w, 16);
        ad_delay_result_t r = sample_result();
        r.requested_ns = cases[i].ns;
        ad_delay_json(&w, &r);
        char want[64];
        snprintf(want, sizeof(want), "%s,", cases[i].text);
        assert_raw_number(&w, "requested_delay_seconds", want);
        json_t *doc = parse(&w);
        assert_near(number(doc, "requested_delay_seconds"), (double)cases[i].ns / 1e9, 0);
        json_decref(doc);
        ad_jw_free(&w);
    }
}

static ad_httpbin_pair_t pair(const char *name, const char *value, size_t order)
{
    return (ad_httpbin_pair_t){
        .name = name, .name_len = strlen(name), .value = value, .value_len = strlen(value), .order = order};
}

static void test_httpbin_shape(void **state)
{
    (void)state;
    /* as the request had them: a=1&b=2&c=&b=3&a%20b=x (decoded by the caller) */
    ad_httpbin_pair_t args[] = {pair("a", "1", 0), pair("b", "2", 1), pair("c", "", 2), pair("b", "3", 3),
                                pair("a b", "x", 4)};
    ad_httpbin_pair_t headers[] = {pair("Host", "127.0.0.1:8000", 0), pair("User-Agent", "curl/7.88.1", 1),
                                   pair("Accept", "*/*", 2), pair("X-Dup", "one", 3), pair("X-Dup", "two", 4)};
    ad_httpbin_request_t in = {.args = args,
                               .nargs = 5,
                               .headers = headers,
                               .nheaders = 5,
                               .origin = "127.0.0.1",
                               .url = "http://127.0.0.1:8000/delay/2?a=1",
                               .url_len = 33};
    ad_delay_result_t r = sample_result();
    r.endpoint = "/delay";
    ad_jw_t w;
    ad_jw_init(&w, 16);
    ad_httpbin_json(&w, &in, &r);
    json_t *doc = parse(&w);

    json_t *a = json_object_get(doc, "args");
    assert_int_equal(json_object_size(a), 4);
    assert_string_equal(string(a, "a"), "1");
    assert_string_equal(string(a, "c"), "");
    assert_string_equal(string(a, "a b"), "x");
    json_t *b = json_object_get(a, "b");
    assert_true(json_is_array(b));
    assert_int_equal(json_array_size(b), 2);
    assert_string_equal(json_string_value(json_array_get(b, 0)), "2"); /* request order kept */
    assert_string_equal(json_string_value(json_array_get(b, 1)), "3");

    assert_string_equal(string(doc, "data"), "");
    assert_true(json_is_object(json_object_get(doc, "files")) && json_object_size(json_object_get(doc, "files")) == 0);
    assert_true(json_is_object(json_object_get(doc, "form")) && json_object_size(json_object_get(doc, "form")) == 0);
    json_t *h = json_object_get(doc, "headers");
    assert_int_equal(json_object_size(h), 4);
    assert_string_equal(string(h, "Host"), "127.0.0.1:8000");
    assert_string_equal(string(h, "User-Agent"), "curl/7.88.1");
    assert_string_equal(string(h, "X-Dup"), "one,two");
    assert_string_equal(string(doc, "origin"), "127.0.0.1");
    assert_string_equal(string(doc, "url"), "http://127.0.0.1:8000/delay/2?a=1");
    check_delay_fields(json_object_get(doc, "asyncdemo"), &r);
    json_decref(doc);

    /* keys come out sorted, as httpbin's JSON has them */
    const char *order[] = {"\"args\"",    "\"data\"",   "\"files\"", "\"form\"",
                           "\"headers\"", "\"origin\"", "\"url\"",   "\"asyncdemo\""};
    const char *prev = w.buf;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        const char *at = strstr(w.buf, order[i]);
        assert_non_null(at);
        assert_true(at >= prev);
        prev = at;
    }
    assert_true(strstr(w.buf, "\"Accept\"") < strstr(w.buf, "\"Host\""));
    assert_true(strstr(w.buf, "\"a\"") < strstr(w.buf, "\"a b\""));
    ad_jw_free(&w);
}

static void test_httpbin_request_order_wins(void **state)
{
    (void)state;
    /* Repeated keys follow their position in the request (order), whatever order the array is in. */
    ad_httpbin_pair_t args[] = {pair("k", "third", 2), pair("k", "first", 0), pair("j", "x", 3),
                                pair("k", "second", 1)};
    ad_httpbin_pair_t headers[] = {pair("X-Dup", "b", 5), pair("X-Dup", "a", 4)};
    ad_httpbin_request_t in = {
        .args = args, .nargs = 4, .headers = headers, .nheaders = 2, .origin = "127.0.0.1", .url = "u", .url_len = 1};
    ad_delay_result_t r = sample_result();
    ad_jw_t w;
    ad_jw_init(&w, 16);
    ad_httpbin_json(&w, &in, &r);
    json_t *doc = parse(&w);
    json_t *k = json_object_get(json_object_get(doc, "args"), "k");
    assert_int_equal(json_array_size(k), 3);
    assert_string_equal(json_string_value(json_array_get(k, 0)), "first");
    assert_string_equal(json_string_value(json_array_get(k, 1)), "second");
    assert_string_equal(json_string_value(json_array_get(k, 2)), "third");
    assert_string_equal(string(json_object_get(doc, "headers"), "X-Dup"), "a,b");
    json_decref(doc);
    ad_jw_free(&w);
}

static void test_httpbin_empty(void **state)
{
    (void)state;
    /* no query at all: args is NULL (nothing to sort) */
    ad_httpbin_pair_t headers[] = {pair("Host", "h", 0)};
    ad_httpbin_request_t in = {.args = NULL,
                               .nargs = 0,
                               .headers = headers,
                               .nheaders = 1,
                               .origin = "::1",
                               .url = "http://h/delay/0",
                               .url_len = 16};
    ad_delay_result_t r = sample_result();
    ad_jw_t w;
    ad_jw_init(&w, 16);
    ad_httpbin_json(&w, &in, &r);
    json_t *doc = parse(&w);
    assert_int_equal(json_object_size(json_object_get(doc, "args")), 0);
    assert_string_equal(string(doc, "origin"), "::1");
    json_decref(doc);
    ad_jw_free(&w);
}

static void test_httpbin_hostile_bytes(void **state)
{
    (void)state;
    static const char evil[] = "q\"uo\\te\n\r\t\x01</script>\x7f";
    static const char nul_value[] = {'a', '\0', 'b'};
    static const char bad_utf8[] = {'x', (char)0xff, 'y', (char)0xc3};
    ad_httpbin_pair_t args[] = {
        pair(evil, evil, 0),
        {.name = "nul", .name_len = 3, .value = nul_value, .value_len = sizeof(nul_value), .order = 1},
        {.name = "bad", .name_len = 3, .value = bad_utf8, .value_len = sizeof(bad_utf8), .order = 2},
        pair("\xe2\x9c\x93", "\xe2\x9c\x93", 3)};
    ad_httpbin_pair_t headers[] = {pair("X-Evil", evil, 0)};
    ad_httpbin_request_t in = {.args = args,
                               .nargs = 4,
                               .headers = headers,
                               .nheaders = 1,
                               .origin = "127.0.0.1",
                               .url = evil,
                               .url_len = sizeof(evil) - 1};
    ad_delay_result_t r = sample_result();
    ad_jw_t w;
    ad_jw_init(&w, 16);
    ad_httpbin_json(&w, &in, &r);
    /* nothing raw: no control byte and no unescaped quote can end up in the document */
    for (size_t i = 0; i < w.len; i++)
        assert_true((unsigned char)w.buf[i] >= 0x20);
    json_t *doc = parse(&w);
    json_t *a = json_object_get(doc, "args");
    assert_string_equal(string(a, evil), evil);
    json_t *nul = json_object_get(a, "nul");
    assert_int_equal(json_string_length(nul), 3);
    assert_memory_equal(json_string_value(nul), nul_value, 3);
    assert_string_equal(string(a, "bad"), "x\xef\xbf\xbdy\xef\xbf\xbd"); /* invalid bytes become U+FFFD */
    assert_string_equal(string(a, "\xe2\x9c\x93"), "\xe2\x9c\x93");      /* valid UTF-8 passes as it is */
    assert_string_equal(string(json_object_get(doc, "headers"), "X-Evil"), evil);
    assert_string_equal(string(doc, "url"), evil);
    json_decref(doc);
    ad_jw_free(&w);
}

static void test_httpbin_many_repeats(void **state)
{
    (void)state;
    /* 200 values of one key and 200 of another, interleaved: two arrays, each in request order */
    enum { N = 400 };
    ad_httpbin_pair_t *args = calloc(N, sizeof(*args));
    char(*values)[8] = calloc(N, sizeof(*values));
    assert_non_null(args);
    assert_non_null(values);
    for (size_t i = 0; i < N; i++) {
        snprintf(values[i], sizeof(values[i]), "%zu", i);
        args[i] = pair(i % 2 ? "odd" : "even", values[i], i);
    }
    ad_httpbin_request_t in = {
        .args = args, .nargs = N, .headers = NULL, .nheaders = 0, .origin = "127.0.0.1", .url = "u", .url_len = 1};
    ad_delay_result_t r = sample_result();
    ad_jw_t w;
    ad_jw_init(&w, 16);
    ad_httpbin_json(&w, &in, &r);
    json_t *doc = parse(&w);
    json_t *odd = json_object_get(json_object_get(doc, "args"), "odd");
    assert_int_equal(json_array_size(odd), N / 2);
    for (size_t i = 0; i < N / 2; i++) {
        char want[8];
        snprintf(want, sizeof(want), "%zu", 2 * i + 1);
        assert_string_equal(json_string_value(json_array_get(odd, i)), want);
    }
    assert_int_equal(json_object_size(json_object_get(doc, "headers")), 0);
    json_decref(doc);
    ad_jw_free(&w);
    free(values);
    free(args);
}

static void title(const char *in, const char *want)
{
    char out[64];
    size_t len = strlen(in);
    ad_title_case(in, len, out);
    out[len] = '\0';
    assert_string_equal(out, want);
}

static void test_title_case(void **state)
{
    (void)state;
    title("user-agent", "User-Agent");
    title("HOST", "Host");
    title("x-forwarded-for", "X-Forwarded-For");
    title("x-A-b", "X-A-B");
    title("content--type", "Content--Type");
    title("-lead", "-Lead");
    title("x1-2y", "X1-2y");
    title("dnt", "Dnt");
    title("", "");
    /* in place */
    char buf[] = "accept-encoding";
    ad_title_case(buf, strlen(buf), buf);
    assert_string_equal(buf, "Accept-Encoding");
}

static void test_httpbin_body(void **state)
{
    (void)state;
    static const char png[] = {(char)0x89, 'P', 'N', 'G', 0, (char)0xff};
    static const char nul_name[] = {'a', 0, 'b'};
    ad_httpbin_pair_t form[] = {pair("f", "1", 0),
                                pair("f", "2", 1),
                                {.name = nul_name, .name_len = 3, .value = "v", .value_len = 1, .order = 2}};
    ad_httpbin_pair_t files[] = {pair("text", "hello\r\n", 0),
                                 {.name = "img",
                                  .name_len = 3,
                                  .value = png,
                                  .value_len = sizeof(png),
                                  .order = 1,
                                  .content_type = "image/png",
                                  .content_type_len = 9},
                                 {.name = "raw", .name_len = 3, .value = png, .value_len = 1, .order = 2}};
    ad_httpbin_request_t in = {
        .origin = "127.0.0.1", .url = "u", .url_len = 1, .form = form, .nform = 3, .files = files, .nfiles = 3};
    ad_delay_result_t r = sample_result();
    ad_jw_t w;
    ad_jw_init(&w, 16);
    ad_httpbin_json(&w, &in, &r);
    /* a key with a NUL byte stays whole (escaped); jansson cannot read such keys, so the text is checked */
    assert_non_null(strstr(w.buf, "\"form\":{\"a\\u0000b\":\"v\",\"f\":[\"1\",\"2\"]}"));
    assert_non_null(strstr(w.buf, "\"files\":{\"img\":\"data:image/png;base64,iVBORwD/\","
                                  "\"raw\":\"data:application/octet-stream;base64,iQ==\",\"text\":\"hello\\r\\n\"}"));
    assert_non_null(strstr(w.buf, "\"data\":\"\""));
    assert_non_null(strstr(w.buf, "\"json\":null"));

    /* data: JSON is parsed, numbers in their shortest form as Python writes them */
    const char *text = "{\"a\": [1, 0.1, -2.5e-07, \"\\u00e9\", null, true], \"b\": {}, \"a\": 7}";
    in = (ad_httpbin_request_t){.origin = "o", .url = "u", .url_len = 1, .data = text, .data_len = strlen(text)};
    ad_jw_reset(&w);
    ad_httpbin_json(&w, &in, &r);
    assert_non_null(strstr(w.buf, "\"json\":{\"a\":7,\"b\":{}}")); /* a repeated key: the last wins */
    json_t *doc = parse(&w);
    assert_string_equal(string(doc, "data"), text);
    json_decref(doc);
    text = "[1, 0.1, -2.5e-07, \"\\u00e9\"]";
    in.data = text;
    in.data_len = strlen(text);
    ad_jw_reset(&w);
    ad_httpbin_json(&w, &in, &r);
    assert_non_null(strstr(w.buf, "\"json\":[1,0.1,-2.5e-07,\"\xc3\xa9\"]"));

    /* nested deeper than the writer follows: still the same JSON value */
    char deep[200] = "";
    for (int i = 0; i < 40; i++)
        strcat(deep, "[");
    strcat(deep, "0.5");
    for (int i = 0; i < 40; i++)
        strcat(deep, "]");
    in.data = deep;
    in.data_len = strlen(deep);
    ad_jw_reset(&w);
    ad_httpbin_json(&w, &in, &r);
    doc = parse(&w);
    json_t *j = json_object_get(doc, "json");
    for (int i = 0; i < 40; i++)
        j = json_array_get(j, 0);
    assert_true(json_is_real(j) && json_real_value(j) == 0.5);
    json_decref(doc);

    /* not JSON, not UTF-8: null, and data as a data URL */
    in.data = png;
    in.data_len = sizeof(png);
    ad_jw_reset(&w);
    ad_httpbin_json(&w, &in, &r);
    doc = parse(&w);
    assert_true(json_is_null(json_object_get(doc, "json")));
    assert_string_equal(string(doc, "data"), "data:application/octet-stream;base64,iVBORwD/");
    json_decref(doc);
    ad_jw_free(&w);
}

/* size=: the padded object is valid JSON of exactly size bytes with its newline; too short a size leaves it. */
static void test_pad(void **state)
{
    (void)state;
    ad_jw_t w;
    ad_jw_init(&w, 64);
    static const size_t sizes[] = {21, 22, 100, 70000}; /* 21: 13 bytes more, the padding empty */
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        ad_jw_reset(&w);
        ad_jw_object_begin(&w);
        ad_jw_key(&w, "a");
        ad_jw_int(&w, 1);
        ad_jw_object_end(&w); /* {"a":1}: 7 bytes, 8 with the newline */
        ad_delay_json_pad(&w, sizes[i]);
        assert_int_equal(w.len + 1, sizes[i]);
        json_error_t err;
        json_t *doc = json_loadb(w.buf, w.len, 0, &err);
        if (doc == NULL)
            fail_msg("size %zu: %s: %.*s", sizes[i], err.text, (int)w.len, w.buf);
        const char *pad = json_string_value(json_object_get(doc, "padding"));
        assert_non_null(pad);
        assert_int_equal(strspn(pad, "*"), strlen(pad));
        assert_int_equal(json_integer_value(json_object_get(doc, "a")), 1);
        json_decref(doc);
    }
    static const size_t unchanged[] = {0, 8, 20};
    for (size_t i = 0; i < sizeof(unchanged) / sizeof(unchanged[0]); i++) {
        ad_jw_reset(&w);
        ad_jw_object_begin(&w);
        ad_jw_key(&w, "a");
        ad_jw_int(&w, 1);
        ad_jw_object_end(&w);
        ad_delay_json_pad(&w, unchanged[i]);
        assert_int_equal(w.len, 7);
    }
    ad_jw_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delay_answer),         cmocka_unit_test(test_delay_answer_offload_worker),
        cmocka_unit_test(test_requested_delay_text), cmocka_unit_test(test_delay_answer_asked),
        cmocka_unit_test(test_httpbin_shape),        cmocka_unit_test(test_httpbin_request_order_wins),
        cmocka_unit_test(test_httpbin_empty),        cmocka_unit_test(test_httpbin_hostile_bytes),
        cmocka_unit_test(test_httpbin_many_repeats), cmocka_unit_test(test_httpbin_body),
        cmocka_unit_test(test_title_case),           cmocka_unit_test(test_pad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
