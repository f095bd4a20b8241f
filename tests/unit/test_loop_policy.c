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
#define US AD_NS_PER_US

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

/* The utilisation over the last second from the ticks' samples (50 ms apart here). */
static void test_busy_window(void **state)
{
    (void)state;
    static ad_busy_window_t w; /* 16 KiB: not on the stack */
    const int64_t tick = 50 * MS;
    assert_int_equal(ad_busy_window_add(&w, 0, 0, SEC), 0); /* the first sample: nothing to compare yet */
    int64_t t = 0, cpu = 0;
    for (int i = 0; i < 40; i++) /* idle: 1 ms of CPU per tick */
        assert_int_equal(ad_busy_window_add(&w, t += tick, cpu += MS, SEC), 2);
    /* a 1.5 s block on the CPU: one late tick covers it, the window reaches back to the tick before it */
    assert_int_equal(ad_busy_window_add(&w, t += 1500 * MS, cpu += 1500 * MS, SEC), 100);
    /* then idle again: the block leaves the window once the newest sample a second old is after it */
    assert_int_equal(ad_busy_window_add(&w, t += tick, cpu += MS, SEC), 97); /* 1501 ms of 1550 ms */
    for (int i = 0; i < 19; i++)
        ad_busy_window_add(&w, t += tick, cpu += MS, SEC);
    assert_int_equal(ad_busy_window_add(&w, t += tick, cpu += MS, SEC), 2);
    /* half busy: 25 ms per 50 ms tick */
    for (int i = 0; i < 30; i++)
        ad_busy_window_add(&w, t += tick, cpu += 25 * MS, SEC);
    assert_int_equal(ad_busy_window_add(&w, t += tick, cpu += 25 * MS, SEC), 50);
    /* more ticks than kept: still a second's window (1 ms ticks, each busy 0.1 ms) */
    for (int i = 0; i < 3 * AD_BUSY_SAMPLES; i++)
        ad_busy_window_add(&w, t += MS, cpu += 100 * US, SEC);
    assert_int_equal(w.n, AD_BUSY_SAMPLES);
    assert_int_equal(ad_busy_window_add(&w, t += MS, cpu += 100 * US, SEC), 10);
    /* the clocks read a moment apart: never above 100, never below 0 */
    assert_int_equal(ad_busy_window_add(&w, t += MS, cpu += 2 * MS, 0), 100);
    assert_int_equal(ad_utilisation_percent(-5, SEC), 0);
    assert_int_equal(ad_utilisation_percent(5, 0), 0);
    assert_int_equal(ad_utilisation_percent(SEC / 200, SEC), 1); /* 0.5 % rounds up */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_culprit),       cmocka_unit_test(test_busy_window),
        cmocka_unit_test(test_guard_off),     cmocka_unit_test(test_guard_within_budget),
        cmocka_unit_test(test_guard_refuses), cmocka_unit_test(test_guard_never),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
