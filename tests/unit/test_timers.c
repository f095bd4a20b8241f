/*
 * The loop's timer mechanism on a real h2o evloop and timerfd: timers fire at or after their deadline, in
 * order; ad_timers_run_due fires what is due without the loop, never what is not, and never recursively;
 * the timerfd still wakes the loop for what stays linked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clock.h"
#include "timers.h"

#define MS 1000000LL

typedef struct probe {
    ad_timer_t timer;
    ad_timers_t *timers;
    int64_t fired_at;
    int order;
    struct probe *nested; /* run_due is called from this probe's callback */
} probe_t;

static int fired_count;
static int depth, max_depth; /* callbacks running inside one another */

static void on_probe(ad_timer_t *timer)
{
    probe_t *p = (probe_t *)timer;
    p->fired_at = ad_mono_ns();
    p->order = ++fired_count;
    if (++depth > max_depth)
        max_depth = depth;
    if (p->nested != NULL)
        ad_timers_run_due(p->timers); /* must not fire p->nested from inside this batch's callback */
    depth--;
}

typedef struct fixture {
    h2o_evloop_t *loop;
    ad_timers_t timers;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    f->loop = h2o_evloop_create();
    assert_int_equal(ad_timers_init(&f->timers, f->loop), 0);
    fired_count = 0;
    depth = max_depth = 0;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    h2o_socket_read_stop(f->timers.sock);
    h2o_socket_close(f->timers.sock);
    h2o_evloop_run(f->loop, 0); /* lets h2o free the closed socket */
    ad_timer_heap_dispose(&f->timers.heap);
    h2o_evloop_destroy(f->loop);
    free(f);
    return 0;
}

static probe_t probe(fixture_t *f)
{
    probe_t p = {.timers = &f->timers};
    ad_timer_init(&p.timer, on_probe);
    return p;
}

/* Runs the loop until n probes fired or 2 s passed. */
static void run_until(fixture_t *f, int n)
{
    int64_t give_up = ad_mono_ns() + 2000 * MS;
    while (fired_count < n && ad_mono_ns() < give_up)
        h2o_evloop_run(f->loop, 100);
}

static void test_loop_fires_in_deadline_order_never_early(void **state)
{
    fixture_t *f = *state;
    probe_t late = probe(f), early = probe(f);
    int64_t now = ad_mono_ns();
    assert_int_equal(ad_timers_add(&f->timers, &late.timer, now + 30 * MS), 0);
    assert_int_equal(ad_timers_add(&f->timers, &early.timer, now + 10 * MS), 0);
    run_until(f, 2);
    assert_int_equal(early.order, 1);
    assert_int_equal(late.order, 2);
    assert_true(early.fired_at >= now + 10 * MS);
    assert_true(late.fired_at >= now + 30 * MS);
    assert_int_equal(ad_timers_count(&f->timers), 0);
}

static void test_run_due_fires_only_what_is_due(void **state)
{
    fixture_t *f = *state;
    probe_t due = probe(f), later = probe(f);
    int64_t now = ad_mono_ns();
    assert_int_equal(ad_timers_add(&f->timers, &due.timer, now - MS), 0);
    /* Far enough ahead that no pause of a busy machine makes it due before run_due below. */
    assert_int_equal(ad_timers_add(&f->timers, &later.timer, now + 200 * MS), 0);
    ad_timers_run_due(&f->timers);
    assert_int_equal(due.order, 1);
    assert_int_equal(later.order, 0);
    assert_int_equal(ad_timers_count(&f->timers), 1);
    /* The timerfd still wakes the loop for the one left. */
    run_until(f, 2);
    assert_int_equal(later.order, 2);
    assert_true(later.fired_at >= now + 200 * MS);
}

static void test_run_due_with_nothing_linked(void **state)
{
    fixture_t *f = *state;
    ad_timers_run_due(&f->timers);
    assert_int_equal(fired_count, 0);
}

static void test_run_due_inside_a_callback_does_not_recurse(void **state)
{
    fixture_t *f = *state;
    probe_t outer = probe(f), inner = probe(f);
    outer.nested = &inner;
    int64_t now = ad_mono_ns();
    assert_int_equal(ad_timers_add(&f->timers, &outer.timer, now - 2 * MS), 0);
    assert_int_equal(ad_timers_add(&f->timers, &inner.timer, now - MS), 0);
    ad_timers_run_due(&f->timers);
    /* Both fired once, in order: the nested call returned and the outer batch went on to inner. */
    assert_int_equal(outer.order, 1);
    assert_int_equal(inner.order, 2);
    assert_int_equal(fired_count, 2);
    assert_int_equal(max_depth, 1);
    assert_false(f->timers.firing);
}

static void test_cancelled_timer_never_fires(void **state)
{
    fixture_t *f = *state;
    probe_t gone = probe(f), kept = probe(f);
    int64_t now = ad_mono_ns();
    assert_int_equal(ad_timers_add(&f->timers, &gone.timer, now + 5 * MS), 0);
    assert_int_equal(ad_timers_add(&f->timers, &kept.timer, now + 15 * MS), 0);
    ad_timers_cancel(&f->timers, &gone.timer);
    run_until(f, 1);
    assert_int_equal(gone.order, 0);
    assert_int_equal(kept.order, 1);
}

/* A callback that keeps the loop busy this long (a large answer written from a timer). */
static void on_busy(ad_timer_t *timer)
{
    int64_t until = ad_mono_ns() + 5 * MS;
    (void)timer;
    while (ad_mono_ns() < until)
        ;
    fired_count++;
}

/* A charged timer's callback time goes to its slot (a request's endpoint, for stall attribution); an uncharged
 * one's to none. */
static void test_callbacks_are_charged_to_their_slot(void **state)
{
    fixture_t *f = *state;
    int64_t charged[3] = {0, 0, 0};
    f->timers.charge_ns = charged;
    ad_timer_t a, b, c;
    ad_timer_init_charged(&a, on_busy, 1);
    ad_timer_init_charged(&b, on_busy, 1);
    ad_timer_init(&c, on_busy);
    int64_t now = ad_mono_ns();
    assert_int_equal(ad_timers_add(&f->timers, &a, now), 0);
    assert_int_equal(ad_timers_add(&f->timers, &b, now), 0);
    assert_int_equal(ad_timers_add(&f->timers, &c, now), 0);
    ad_timers_run_due(&f->timers);
    int64_t elapsed = ad_mono_ns() - now;
    assert_int_equal(fired_count, 3);
    assert_true(charged[1] >= 10 * MS);          /* both of slot 1's, each at least 5 ms */
    assert_true(charged[1] <= elapsed - 5 * MS); /* and not the uncharged one's */
    assert_int_equal(charged[0], 0);
    assert_int_equal(charged[2], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_loop_fires_in_deadline_order_never_early, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_due_fires_only_what_is_due, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_due_with_nothing_linked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_due_inside_a_callback_does_not_recurse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancelled_timer_never_fires, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callbacks_are_charged_to_their_slot, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
