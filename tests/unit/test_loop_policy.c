/* Stall attribution and the /blocking guard's decision (Retry-After). */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "clock.h"
#include "loop_policy.h"

#define MS AD_NS_PER_MS
#define SEC AD_NS_PER_SEC

static void test_culprit(void **state)
{
    (void)state;
    int64_t run[AD_EP_COUNT] = {0}, got;
    /* nothing ran: unknown */
    assert_int_equal(ad_stall_culprit(run, 2 * SEC, &got), -1);
    assert_int_equal(got, 0);

    /* /blocking ran 2 s of a 2.001 s stall */
    run[AD_EP_BLOCKING] = 2 * SEC;
    run[AD_EP_STATS] = 3 * MS;
    assert_int_equal(ad_stall_culprit(run, 2 * SEC + MS, &got), AD_EP_BLOCKING);
    assert_int_equal(got, 2 * SEC);

    /* exactly half of the lag still counts; just under does not */
    assert_int_equal(ad_stall_culprit(run, 4 * SEC, &got), AD_EP_BLOCKING);
    assert_int_equal(ad_stall_culprit(run, 4 * SEC + 1, &got), -1);
    assert_int_equal(got, 2 * SEC); /* the longest is reported even when not blamed */

    /* the longest wins, wherever it is */
    memset(run, 0, sizeof(run));
    run[AD_EP_NON_BLOCKING] = 10 * MS;
    run[AD_EP_OTHER] = 150 * MS;
    assert_int_equal(ad_stall_culprit(run, 200 * MS, &got), AD_EP_OTHER);
    assert_int_equal(got, 150 * MS);

    /* a tie goes to the first endpoint */
    run[AD_EP_DELAY] = 150 * MS;
    assert_int_equal(ad_stall_culprit(run, 200 * MS, &got), AD_EP_DELAY);

    /* a tick that was not late at all blames whoever ran */
    assert_int_equal(ad_stall_culprit(run, 0, &got), AD_EP_DELAY);
}

static void test_guard_off(void **state)
{
    (void)state;
    unsigned ra = 12345;
    assert_int_equal(ad_blocking_guard_decide(100 * SEC, 30 * SEC, 0, &ra), AD_GUARD_ALLOW);
    assert_int_equal(ra, 12345); /* untouched when allowed */
}

static void test_guard_within_budget(void **state)
{
    (void)state;
    unsigned ra = 0;
    int64_t budget = 5 * SEC; /* WatchdogSec=10 */
    assert_int_equal(ad_blocking_guard_decide(0, 2 * SEC, budget, &ra), AD_GUARD_ALLOW);
    /* exactly at the budget */
    assert_int_equal(ad_blocking_guard_decide(3 * SEC, 2 * SEC, budget, &ra), AD_GUARD_ALLOW);
    /* a ping stamped just after "now" */
    assert_int_equal(ad_blocking_guard_decide(-MS, 5 * SEC, budget, &ra), AD_GUARD_ALLOW);
    assert_int_equal(ra, 0);
}

static void test_guard_refuses(void **state)
{
    (void)state;
    unsigned ra = 0;
    int64_t budget = 5 * SEC;
    /* one nanosecond over */
    assert_int_equal(ad_blocking_guard_decide(3 * SEC + 1, 2 * SEC, budget, &ra), AD_GUARD_LATER);
    assert_int_equal(ra, 4); /* busy 3.000000001 s: rounded up */
    assert_int_equal(ad_blocking_guard_decide(200 * MS, 5 * SEC, budget, &ra), AD_GUARD_LATER);
    assert_int_equal(ra, 1); /* at least 1 */
    /* whole seconds stay whole */
    assert_int_equal(ad_blocking_guard_decide(4 * SEC, 2 * SEC, budget, &ra), AD_GUARD_LATER);
    assert_int_equal(ra, 4);
    /* absurdly long busy times saturate instead of wrapping */
    assert_int_equal(ad_blocking_guard_decide(INT64_MAX / 2, SEC, budget, &ra), AD_GUARD_LATER);
    assert_int_equal(ra, UINT_MAX);
}

static void test_guard_never(void **state)
{
    (void)state;
    unsigned ra = 77;
    int64_t budget = 5 * SEC;
    /* a sleep longer than the whole budget: no retry can succeed, even on an idle loop; no Retry-After */
    assert_int_equal(ad_blocking_guard_decide(0, 5 * SEC + 1, budget, &ra), AD_GUARD_NEVER);
    assert_int_equal(ad_blocking_guard_decide(4 * SEC, 6 * SEC, budget, &ra), AD_GUARD_NEVER);
    assert_int_equal(ad_blocking_guard_decide(-MS, 30 * SEC, budget, &ra), AD_GUARD_NEVER);
    assert_int_equal(ra, 77);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_culprit),
        cmocka_unit_test(test_guard_off),
        cmocka_unit_test(test_guard_within_budget),
        cmocka_unit_test(test_guard_refuses),
        cmocka_unit_test(test_guard_never),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
