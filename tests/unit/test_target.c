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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loopback_hosts),
        cmocka_unit_test(test_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
