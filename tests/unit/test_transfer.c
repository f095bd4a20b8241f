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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers_by_status),
        cmocka_unit_test(test_transport_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
