/* The target check's pure parts: which hosts are loopback, and the one-line message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "target.h"

static void test_loopback_hosts(void **state)
{
    (void)state;
    assert_true(ad_host_is_loopback("127.0.0.1"));
    assert_true(ad_host_is_loopback("127.1.2.3"));
    assert_true(ad_host_is_loopback("::1"));
    assert_true(ad_host_is_loopback("::ffff:127.0.0.1"));
    assert_true(ad_host_is_loopback("localhost"));
    assert_true(ad_host_is_loopback("LocalHost"));
    assert_false(ad_host_is_loopback("128.0.0.1"));
    assert_false(ad_host_is_loopback("10.0.0.1"));
    assert_false(ad_host_is_loopback("::2"));
    assert_false(ad_host_is_loopback("httpbin.org"));
    assert_false(ad_host_is_loopback("localhost.example"));
    assert_false(ad_host_is_loopback(""));
}

static void test_messages(void **state)
{
    (void)state;
    char buf[256];
    ad_target_unreachable_message("127.0.0.1:8000", true, "Connection refused", buf, sizeof(buf));
    assert_string_equal(buf, "cannot connect to 127.0.0.1:8000 - is asyncdemod running? (systemctl start asyncdemod)");
    ad_target_unreachable_message("httpbin.org:443", false, "Could not resolve host: httpbin.org", buf, sizeof(buf));
    assert_string_equal(buf, "cannot connect to httpbin.org:443: Could not resolve host: httpbin.org");
    /* Truncation keeps the buffer terminated. */
    char small[16];
    ad_target_unreachable_message("127.0.0.1:8000", true, "", small, sizeof(small));
    assert_int_equal(strlen(small), sizeof(small) - 1);
}

/* One mapping for every subcommand: what failed before a usable connection is an unreachable target
 * (exit 2), TLS to a plain port included; after it, the answer's failure; out of memory, internal. */
static void test_classify(void **state)
{
    (void)state;
    assert_int_equal(ad_target_classify(CURLE_OK, true), AD_TARGET_OK);
    assert_int_equal(ad_target_classify(CURLE_COULDNT_CONNECT, false), AD_TARGET_UNREACHABLE);
    assert_int_equal(ad_target_classify(CURLE_COULDNT_RESOLVE_HOST, false), AD_TARGET_UNREACHABLE);
    assert_int_equal(ad_target_classify(CURLE_OPERATION_TIMEDOUT, false), AD_TARGET_UNREACHABLE);
    assert_int_equal(ad_target_classify(CURLE_SSL_CONNECT_ERROR, false), AD_TARGET_UNREACHABLE);
    assert_int_equal(ad_target_classify(CURLE_OPERATION_TIMEDOUT, true), AD_TARGET_OK);
    assert_int_equal(ad_target_classify(CURLE_RECV_ERROR, true), AD_TARGET_OK);
    assert_int_equal(ad_target_classify(CURLE_OUT_OF_MEMORY, false), AD_TARGET_FAILED);

    ad_url_t u;
    char buf[256];
    assert_int_equal(ad_url_parse("https://127.0.0.1:8000/stats", &u, NULL, 0), 0);
    ad_target_failure_message(&u, CURLE_SSL_CONNECT_ERROR, "wrong version number", buf, sizeof(buf));
    assert_string_equal(buf, "cannot connect to 127.0.0.1:8000: wrong version number");
    ad_target_failure_message(&u, CURLE_COULDNT_CONNECT, "Connection refused", buf, sizeof(buf));
    assert_string_equal(buf, "cannot connect to 127.0.0.1:8000 - is asyncdemod running? (systemctl start asyncdemod)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loopback_hosts),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_classify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
