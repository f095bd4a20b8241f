/* The evloop engines' requests in flight: send order, removal from anywhere, expiry of the oldest only,
 * the wake time, no timeout at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "inflight.h"

#define MS INT64_C(1000000)

static void test_oldest_first(void **state)
{
    (void)state;
    ad_inflight_list_t l = {.timeout_ns = 100 * MS};
    ad_inflight_t r[3];
    for (int i = 0; i < 3; i++)
        ad_inflight_track(&l, &r[i], i * 10 * MS);
    assert_ptr_equal(l.oldest, &r[0]);
    assert_ptr_equal(l.newest, &r[2]);
    assert_null(ad_inflight_expired(&l, 99 * MS));
    assert_ptr_equal(ad_inflight_expired(&l, 100 * MS), &r[0]);
    assert_int_equal(ad_inflight_wake(&l, 500 * MS), 100 * MS);
    assert_int_equal(ad_inflight_wake(&l, 50 * MS), 50 * MS);

    /* removed from the middle, then the oldest: the next one's deadline rules */
    ad_inflight_untrack(&l, &r[1]);
    assert_ptr_equal(r[0].newer, &r[2]);
    assert_ptr_equal(r[2].older, &r[0]);
    ad_inflight_untrack(&l, &r[0]);
    assert_ptr_equal(l.oldest, &r[2]);
    assert_null(ad_inflight_expired(&l, 119 * MS));
    assert_ptr_equal(ad_inflight_expired(&l, 120 * MS), &r[2]);
    ad_inflight_untrack(&l, &r[2]);
    assert_null(l.oldest);
    assert_null(l.newest);
    assert_null(ad_inflight_expired(&l, INT64_MAX));
    assert_int_equal(ad_inflight_wake(&l, 7), 7);

    /* tracked again after removal (a connection's next request) */
    ad_inflight_track(&l, &r[1], 200 * MS);
    assert_ptr_equal(l.oldest, &r[1]);
    assert_null(r[1].older);
    assert_null(r[1].newer);
}

static void test_no_timeout(void **state)
{
    (void)state;
    ad_inflight_list_t l = {.timeout_ns = 0};
    ad_inflight_t r;
    ad_inflight_track(&l, &r, 0);
    assert_null(ad_inflight_expired(&l, INT64_MAX));
    assert_int_equal(ad_inflight_wake(&l, 5 * MS), 5 * MS);
}

static void test_reason(void **state)
{
    (void)state;
    char buf[96];
    ad_inflight_list_t l = {.timeout_ns = 300 * MS};
    ad_inflight_timeout_reason(&l, buf, sizeof(buf));
    assert_string_equal(buf, "no complete answer within 0.3s");
    l.timeout_ns = 30000 * MS;
    ad_inflight_timeout_reason(&l, buf, sizeof(buf));
    assert_string_equal(buf, "no complete answer within 30s");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oldest_first),
        cmocka_unit_test(test_no_timeout),
        cmocka_unit_test(test_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
