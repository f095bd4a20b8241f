/* Unit tests of lib/clock.h's pure parts: the millisecond grid and the timespec conversion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clock.h"

static void test_ceil_ms(void **state)
{
    (void)state;
    assert_int_equal(ad_ceil_ms(0), 0);
    assert_int_equal(ad_ceil_ms(1), AD_NS_PER_MS);
    assert_int_equal(ad_ceil_ms(AD_NS_PER_MS - 1), AD_NS_PER_MS);
    assert_int_equal(ad_ceil_ms(AD_NS_PER_MS), AD_NS_PER_MS);
    assert_int_equal(ad_ceil_ms(AD_NS_PER_MS + 1), 2 * AD_NS_PER_MS);
    assert_int_equal(ad_ceil_ms(INT64_C(60169702253880)), INT64_C(60169703000000));
    /* near the top of the range it cannot round up without overflow: left as it is (later than any deadline) */
    assert_int_equal(ad_ceil_ms(INT64_MAX), INT64_MAX);
    assert_int_equal(ad_ceil_ms(INT64_MAX - 1), INT64_MAX - 1);
}

static void test_ceil_ms_never_early_never_a_ms_late(void **state)
{
    (void)state;
    for (int64_t ns = INT64_C(5) * AD_NS_PER_SEC - 3 * AD_NS_PER_MS; ns < INT64_C(5) * AD_NS_PER_SEC + 3 * AD_NS_PER_MS;
         ns += 997) {
        int64_t up = ad_ceil_ms(ns);
        assert_true(up >= ns);
        assert_true(up - ns < AD_NS_PER_MS);
        assert_int_equal(up % AD_NS_PER_MS, 0);
    }
}

static void test_ns_to_timespec(void **state)
{
    (void)state;
    struct timespec ts = ad_ns_to_timespec(INT64_C(2000000001));
    assert_int_equal(ts.tv_sec, 2);
    assert_int_equal(ts.tv_nsec, 1);
    ts = ad_ns_to_timespec(999999999);
    assert_int_equal(ts.tv_sec, 0);
    assert_int_equal(ts.tv_nsec, 999999999);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ceil_ms),
        cmocka_unit_test(test_ceil_ms_never_early_never_a_ms_late),
        cmocka_unit_test(test_ns_to_timespec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
