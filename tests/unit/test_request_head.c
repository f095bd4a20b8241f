/* The HTTP/1 request-head check: framing RFC 9112 refuses, and heads it must leave alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "request_head.h"

static void expect(const char *head, ad_head_verdict_t want)
{
    ad_head_verdict_t got = ad_request_head_check(head, strlen(head));
    if (got != want)
        fail_msg("%s: verdict %d (%s), want %d", head, got, ad_head_verdict_text(got), want);
}

static void test_accepted(void **state)
{
    (void)state;
    expect("GET / HTTP/1.1\r\nHost: a\r\n\r\n", AD_HEAD_OK);
    expect("GET / HTTP/1.1\nhost: a\n\n", AD_HEAD_OK); /* bare LF, as picohttpparser accepts */
    expect("GET / HTTP/1.0\r\n\r\n", AD_HEAD_OK);      /* HTTP/1.0 needs no Host */
    expect("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length:  5 \r\n\r\nhello", AD_HEAD_OK);
    expect("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", AD_HEAD_OK);
    /* only the head is read: what follows it (a body, a pipelined request) is not judged */
    expect("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: b\r\nHost: c\r\n\r\n", AD_HEAD_OK);
    expect("GET / HTTP/1.1\r\nX-Host: a\r\nHost: b\r\nHostname: c\r\n\r\n", AD_HEAD_OK);
    expect("GET / HTTP/1.1\r\nHost: a\r\n", AD_HEAD_OK); /* no end in the buffer: not judged */
    expect("", AD_HEAD_OK);
}

static void test_refused(void **state)
{
    (void)state;
    expect("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 37\r\n\r\n",
           AD_HEAD_CONTENT_LENGTH_DIFFERS);
    expect("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", AD_HEAD_CONTENT_LENGTH_DIFFERS);
    expect("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", AD_HEAD_CONTENT_LENGTH_DIFFERS);
    expect("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
           AD_HEAD_CONTENT_LENGTH_WITH_TE);
    expect("POST / HTTP/1.1\r\nHost: a\r\ntransfer-encoding: chunked\r\ncontent-LENGTH: 5\r\n\r\n",
           AD_HEAD_CONTENT_LENGTH_WITH_TE);
    expect("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", AD_HEAD_OBS_FOLD);
    expect("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n", AD_HEAD_OBS_FOLD);
    expect("GET / HTTP/1.1\r\nHost: a\r\nHOST: b\r\n\r\n", AD_HEAD_DUPLICATE_HOST);
    expect("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", AD_HEAD_DUPLICATE_HOST);
    expect("GET / HTTP/1.1\r\n\r\n", AD_HEAD_MISSING_HOST);
    expect("GET / HTTP/1.1\r\nX: y\r\n\r\n", AD_HEAD_MISSING_HOST);
}

static void test_texts(void **state)
{
    (void)state;
    for (int v = AD_HEAD_OK; v <= AD_HEAD_MISSING_HOST; v++)
        assert_true(strlen(ad_head_verdict_text((ad_head_verdict_t)v)) > 0);
    assert_string_equal(ad_head_verdict_text((ad_head_verdict_t)99), "bad request head");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
