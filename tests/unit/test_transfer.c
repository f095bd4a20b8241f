/* How a request ended, as an error class: curl's result code and the HTTP status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "transfer.h"

static void test_answers_by_status(void **state)
{
    (void)state;
    assert_int_equal(ad_classify_result(CURLE_OK, 200), AD_ERR_NONE);
    assert_int_equal(ad_classify_result(CURLE_OK, 204), AD_ERR_NONE);
    assert_int_equal(ad_classify_result(CURLE_OK, 299), AD_ERR_NONE);
    assert_int_equal(ad_classify_result(CURLE_OK, 199), AD_ERR_STATUS);
    assert_int_equal(ad_classify_result(CURLE_OK, 301), AD_ERR_STATUS);
    assert_int_equal(ad_classify_result(CURLE_OK, 400), AD_ERR_STATUS);
    assert_int_equal(ad_classify_result(CURLE_OK, 503), AD_ERR_STATUS);
    /* No status at all on a "successful" transfer is not a success either. */
    assert_int_equal(ad_classify_result(CURLE_OK, 0), AD_ERR_STATUS);
}

static void test_transport_failures(void **state)
{
    (void)state;
    assert_int_equal(ad_classify_result(CURLE_COULDNT_CONNECT, 0), AD_ERR_CONNECT);
    assert_int_equal(ad_classify_result(CURLE_COULDNT_RESOLVE_HOST, 0), AD_ERR_CONNECT);
    assert_int_equal(ad_classify_result(CURLE_OPERATION_TIMEDOUT, 0), AD_ERR_TIMEOUT);
    assert_int_equal(ad_classify_result(CURLE_RECV_ERROR, 0), AD_ERR_READ);
    assert_int_equal(ad_classify_result(CURLE_PARTIAL_FILE, 200), AD_ERR_READ);
    assert_int_equal(ad_classify_result(CURLE_WEIRD_SERVER_REPLY, 0), AD_ERR_READ);
    assert_int_equal(ad_classify_result(CURLE_GOT_NOTHING, 0), AD_ERR_READ);
    assert_int_equal(ad_classify_result(CURLE_SEND_ERROR, 0), AD_ERR_READ);
    assert_int_equal(ad_classify_result(CURLE_UNSUPPORTED_PROTOCOL, 0), AD_ERR_READ);
    assert_int_equal(ad_classify_result(CURLE_OUT_OF_MEMORY, 0), AD_ERR_OTHER);
    assert_int_equal(ad_classify_result(CURLE_ABORTED_BY_CALLBACK, 0), AD_ERR_OTHER);
}

/* An answer's protocol as the daemon's /stats names it: HTTP/2 is h2 over TLS, h2c over cleartext. */
static void test_protocol_of_answer(void **state)
{
    (void)state;
    assert_int_equal(ad_transfer_protocol(CURL_HTTP_VERSION_2_0, true), AD_PROTO_H2);
    assert_int_equal(ad_transfer_protocol(CURL_HTTP_VERSION_2_0, false), AD_PROTO_H2C);
    assert_int_equal(ad_transfer_protocol(CURL_HTTP_VERSION_1_1, true), AD_PROTO_HTTP1_1);
    assert_int_equal(ad_transfer_protocol(CURL_HTTP_VERSION_1_0, false), AD_PROTO_HTTP1_0);
    assert_int_equal(ad_transfer_protocol(0, false), AD_PROTO_UNKNOWN); /* no answer */
    assert_string_equal(ad_protocol_name(AD_PROTO_H2C), "h2c");
    assert_string_equal(ad_protocol_name(AD_PROTO_HTTP1_1), "http/1.1");
    assert_null(ad_protocol_name(AD_PROTO_UNKNOWN));
    assert_null(ad_protocol_name(AD_PROTO_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protocol_of_answer),
        cmocka_unit_test(test_answers_by_status),
        cmocka_unit_test(test_transport_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
