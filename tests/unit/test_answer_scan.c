/* The streaming answer scanner: "sequence", "waited_seconds", "started_monotonic_seconds" from whole bodies, at every
 * split point, and the values it must skip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "answer_scan.h"

#define NONE INT64_C(-1)

typedef struct found {
    int64_t seq, wait_ns;
} found_t;

static found_t scan_whole(const char *body)
{
    ad_answer_scan_t s;
    ad_answer_scan_init(&s);
    ad_answer_scan_feed(&s, body, strlen(body));
    return (found_t){ad_answer_scan_sequence(&s), ad_answer_scan_wait_ns(&s)};
}

/* Feeds body in two pieces split at every position, and byte by byte: the answer must not change. */
static void assert_every_split(const char *body, int64_t seq, int64_t wait_ns)
{
    size_t len = strlen(body);
    for (size_t cut = 0; cut <= len; cut++) {
        ad_answer_scan_t s;
        ad_answer_scan_init(&s);
        ad_answer_scan_feed(&s, body, cut);
        ad_answer_scan_feed(&s, body + cut, len - cut);
        if (ad_answer_scan_sequence(&s) != seq || ad_answer_scan_wait_ns(&s) != wait_ns)
            fail_msg("split at %zu of '%s': got %lld/%lld, want %lld/%lld", cut, body,
                     (long long)ad_answer_scan_sequence(&s), (long long)ad_answer_scan_wait_ns(&s), (long long)seq,
                     (long long)wait_ns);
    }
    ad_answer_scan_t s;
    ad_answer_scan_init(&s);
    for (size_t i = 0; i < len; i++)
        ad_answer_scan_feed(&s, body + i, 1);
    assert_int_equal(ad_answer_scan_sequence(&s), seq);
    assert_int_equal(ad_answer_scan_wait_ns(&s), wait_ns);
}

static void test_daemon_answer(void **state)
{
    (void)state;
    const char *body =
        "{\"endpoint\":\"/non-blocking\",\"requested_delay_seconds\":0.25,\"waited_seconds\":0.250113,"
        "\"started_monotonic_seconds\":12345.678901234,\"sequence\":17,\"pid\":4242,\"thread\":\"loop-0\"}";
    found_t f = scan_whole(body);
    assert_int_equal(f.seq, 17);
    assert_int_equal(f.wait_ns, 250113000);
    assert_every_split(body, 17, 250113000);
    /* when the daemon began serving it (its monotonic clock), at every split too */
    for (size_t cut = 0; cut <= strlen(body); cut++) {
        ad_answer_scan_t s;
        ad_answer_scan_init(&s);
        ad_answer_scan_feed(&s, body, cut);
        ad_answer_scan_feed(&s, body + cut, strlen(body) - cut);
        assert_int_equal(ad_answer_scan_start_ns(&s), INT64_C(12345678901234));
    }
    ad_answer_scan_t s;
    ad_answer_scan_init(&s);
    ad_answer_scan_feed(&s, "{\"sequence\":3}", 14);
    assert_int_equal(ad_answer_scan_start_ns(&s), NONE);
}

static void test_whitespace_and_pretty(void **state)
{
    (void)state;
    assert_every_split("{\n  \"sequence\" :\t 123456789,\n  \"waited_seconds\": 2\n}", 123456789, 2000000000);
    assert_every_split("{\"sequence\": 0, \"waited_seconds\": 0.0}", 0, 0);
}

static void test_numbers_at_end_of_body(void **state)
{
    (void)state;
    /* A body cut right after the digits (no closing brace) still yields them. */
    assert_every_split("\"sequence\":42", 42, NONE);
    assert_every_split("\"waited_seconds\":1.5", NONE, 1500000000);
}

static void test_wait_precision(void **state)
{
    (void)state;
    /* Nanoseconds exactly; digits beyond are dropped, not rounded. */
    assert_int_equal(scan_whole("{\"waited_seconds\":2.000134567}").wait_ns, INT64_C(2000134567));
    assert_int_equal(scan_whole("{\"waited_seconds\":0.0000000019}").wait_ns, 1);
    assert_int_equal(scan_whole("{\"waited_seconds\":30}").wait_ns, INT64_C(30000000000));
}

static void test_absent_or_malformed(void **state)
{
    (void)state;
    const char *bodies[] = {
        "",
        "{\"status\":\"ok\"}",
        "{\"sequences\":5,\"waited_seconds_x\":1}",
        "{\"xsequence\":5}",
        "{\"sequence\":-5,\"waited_seconds\":-1}",
        "{\"sequence\":null,\"waited_seconds\":null}",
        "{\"sequence\":1.5}",
        "{\"sequence\":1e3,\"waited_seconds\":1e-05}",
        "{\"waited_seconds\":2.5e1}",
        "{\"sequence\" \"x\":5}",
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        found_t f = scan_whole(bodies[i]);
        if (f.seq != NONE || f.wait_ns != NONE)
            fail_msg("'%s': got %lld/%lld, want none", bodies[i], (long long)f.seq, (long long)f.wait_ns);
    }
}

static void test_string_values_are_skipped(void **state)
{
    (void)state;
    /* /delay reflects the query: ?sequence=9 becomes "args":{"sequence":"9"} before the real one. */
    const char *body =
        "{\"args\":{\"sequence\":\"9\",\"waited_seconds\":\"7\"},\"url\":\"http://h/delay/1?sequence=9\","
        "\"asyncdemo\":{\"endpoint\":\"/delay\",\"waited_seconds\":1.25,\"sequence\":31}}";
    assert_every_split(body, 31, 1250000000);
    /* An escaped quote inside a reflected header value is not a key. */
    assert_every_split("{\"h\":\"\\\"sequence\\\":7\",\"sequence\":8}", 8, NONE);
}

static void test_first_value_wins(void **state)
{
    (void)state;
    assert_every_split("{\"sequence\":3,\"waited_seconds\":0.5,\"sequence\":4,\"waited_seconds\":0.7}", 3, 500000000);
}

static void test_key_restart_after_partial_match(void **state)
{
    (void)state;
    /* '"' inside a partial match restarts the match at that quote. */
    assert_every_split("{\"seq\"sequence\":11}", 11, NONE);
    assert_every_split("{\"sequenc\"sequence\":12,\"waited\"waited_seconds\":3}", 12, INT64_C(3000000000));
}

static void test_overlong_numbers(void **state)
{
    (void)state;
    assert_int_equal(scan_whole("{\"sequence\":123456789012345678901234567890}").seq, NONE);
    assert_int_equal(scan_whole("{\"sequence\":99999999999999999}").seq, INT64_C(99999999999999999));
    assert_int_equal(scan_whole("{\"waited_seconds\":99999999999999}").wait_ns, NONE);
}

/* The server's own words for a refusal: asyncdemod's JSON "error", another's "message", a plain text
 * line; nothing from markup; cut on a character boundary. */
static void test_error_text(void **state)
{
    (void)state;
    char out[AD_ANSWER_ERROR_TEXT_MAX + 1];
    static const struct {
        const char *body, *want;
    } cases[] = {
        {"{\"error\":\"bad delay: over max-delay (30s)\",\"status\":400,\"parameter\":\"delay\"}",
         "bad delay: over max-delay (30s)"},
        {"{\"message\": \"rate limited\"}", "rate limited"},
        {"{\"error\": {\"code\": 5}}", ""},
        {"{\"error\": \"esc \\u001b[2J\"}", "esc \033[2J"}, /* raw here: printing escapes it */
        {"  Service Unavailable  \r\nRetry later", "Service Unavailable"},
        {"<html><body>502</body></html>", ""},
        {"{\"error\": \"cut", ""},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = ad_answer_error_text(cases[i].body, strlen(cases[i].body), out, sizeof(out));
        assert_string_equal(out, cases[i].want);
        assert_int_equal(n, strlen(cases[i].want));
    }
    char body[600], want[AD_ANSWER_ERROR_TEXT_MAX + 1];
    memset(body, 0, sizeof(body));
    strcpy(body, "{\"error\":\"");
    for (int i = 0; i < 100; i++)
        strcat(body, "\xc3\xa9"); /* 200 bytes of two-byte characters */
    strcat(body, "\"}");
    size_t n = ad_answer_error_text(body, strlen(body), out, sizeof(out));
    assert_int_equal(n, AD_ANSWER_ERROR_TEXT_MAX);
    memcpy(want, body + 10, AD_ANSWER_ERROR_TEXT_MAX);
    want[AD_ANSWER_ERROR_TEXT_MAX] = '\0';
    assert_string_equal(out, want);
    assert_int_equal(ad_answer_error_text(body, strlen(body), out, 8), 6); /* 7 bytes of room: 3 characters */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_text),
        cmocka_unit_test(test_daemon_answer),
        cmocka_unit_test(test_whitespace_and_pretty),
        cmocka_unit_test(test_numbers_at_end_of_body),
        cmocka_unit_test(test_wait_precision),
        cmocka_unit_test(test_absent_or_malformed),
        cmocka_unit_test(test_string_values_are_skipped),
        cmocka_unit_test(test_first_value_wins),
        cmocka_unit_test(test_key_restart_after_partial_match),
        cmocka_unit_test(test_overlong_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
