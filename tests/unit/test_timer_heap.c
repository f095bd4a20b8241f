/* The timer heap against a brute-force reference: order (deadline, then push order), cancel, re-push. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "timer_heap.h"

#define NTIMERS 300

/* What the reference knows about each timer, kept apart from the timer's own fields. */
typedef struct ref {
    bool linked;
    int64_t deadline;
    uint64_t order; /* the reference's own push counter */
} ref_t;

static ad_timer_t timers[NTIMERS];
static ref_t refs[NTIMERS];
static uint64_t ref_counter;

static void noop_cb(ad_timer_t *t)
{
    (void)t;
}

static uint64_t rng_state;
static uint32_t rng(void)
{
    /* xorshift64*: deterministic per seed, independent of libc's rand() */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * UINT64_C(2685821657736338717)) >> 32);
}

static int ref_earliest(void)
{
    int best = -1;
    for (int i = 0; i < NTIMERS; i++) {
        if (!refs[i].linked)
            continue;
        if (best < 0 || refs[i].deadline < refs[best].deadline ||
            (refs[i].deadline == refs[best].deadline && refs[i].order < refs[best].order))
            best = i;
    }
    return best;
}

static size_t ref_count(void)
{
    size_t n = 0;
    for (int i = 0; i < NTIMERS; i++)
        n += refs[i].linked;
    return n;
}

static void check_heap_invariants(const ad_timer_heap_t *h)
{
    assert_int_equal(h->len, ref_count());
    for (size_t i = 0; i < h->len; i++) {
        assert_int_equal(h->items[i].timer->index, i);
        assert_int_equal(h->items[i].deadline, h->items[i].timer->deadline);
        if (i > 0) {
            const ad_timer_slot_t *p = &h->items[(i - 1) / 2], *c = &h->items[i];
            assert_true(p->deadline < c->deadline || (p->deadline == c->deadline && p->seq < c->seq));
        }
    }
    for (int i = 0; i < NTIMERS; i++)
        assert_int_equal(ad_timer_is_linked(&timers[i]), refs[i].linked);
}

static void ref_push(ad_timer_heap_t *h, int i, int64_t deadline)
{
    assert_int_equal(ad_timer_heap_push(h, &timers[i], deadline), 0);
    refs[i] = (ref_t){true, deadline, ref_counter++};
}

static void expect_pop(ad_timer_heap_t *h)
{
    int want = ref_earliest();
    ad_timer_t *got = ad_timer_heap_pop(h);
    if (want < 0) {
        assert_null(got);
        return;
    }
    assert_ptr_equal(got, &timers[want]);
    assert_false(ad_timer_is_linked(got));
    refs[want].linked = false;
}

static void run_random(uint64_t seed, int64_t deadline_range)
{
    ad_timer_heap_t h;
    ad_timer_heap_init(&h);
    for (int i = 0; i < NTIMERS; i++) {
        ad_timer_init(&timers[i], noop_cb);
        refs[i] = (ref_t){false, 0, 0};
    }
    rng_state = seed;
    ref_counter = 0;

    for (int step = 0; step < 20000; step++) {
        int i = (int)(rng() % NTIMERS);
        switch (rng() % 5) {
        case 0:
        case 1: /* push, or re-push when already linked */
            ref_push(&h, i, (int64_t)(rng() % (uint32_t)deadline_range));
            break;
        case 2: /* remove, linked or not */
            ad_timer_heap_remove(&h, &timers[i]);
            refs[i].linked = false;
            break;
        case 3:
            expect_pop(&h);
            break;
        case 4: {
            int want = ref_earliest();
            ad_timer_t *got = ad_timer_heap_peek(&h);
            assert_ptr_equal(got, want < 0 ? NULL : &timers[want]);
            break;
        }
        }
        if (step % 97 == 0)
            check_heap_invariants(&h);
    }
    check_heap_invariants(&h);
    while (ref_count() > 0)
        expect_pop(&h);
    assert_null(ad_timer_heap_pop(&h));
    ad_timer_heap_dispose(&h);
}

static void test_random_against_reference(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 8; seed++) {
        run_random(seed * UINT64_C(0x9E3779B97F4A7C15), 1000000); /* mostly distinct deadlines */
        run_random(seed * UINT64_C(0x2545F4914F6CDD1D), 8);       /* many ties */
    }
}

static void test_ties_pop_in_insertion_order(void **state)
{
    (void)state;
    ad_timer_heap_t h;
    ad_timer_t t[50];
    ad_timer_heap_init(&h);
    for (int i = 0; i < 50; i++) {
        ad_timer_init(&t[i], noop_cb);
        assert_int_equal(ad_timer_heap_push(&h, &t[i], 42), 0);
    }
    for (int i = 0; i < 50; i++)
        assert_ptr_equal(ad_timer_heap_pop(&h), &t[i]);
    assert_null(ad_timer_heap_pop(&h));
    ad_timer_heap_dispose(&h);
}

static void test_repush_moves_linked_timer(void **state)
{
    (void)state;
    ad_timer_heap_t h;
    ad_timer_t a, b, c;
    ad_timer_heap_init(&h);
    ad_timer_init(&a, noop_cb);
    ad_timer_init(&b, noop_cb);
    ad_timer_init(&c, noop_cb);
    assert_int_equal(ad_timer_heap_push(&h, &a, 10), 0);
    assert_int_equal(ad_timer_heap_push(&h, &b, 20), 0);
    assert_int_equal(ad_timer_heap_push(&h, &c, 30), 0);

    assert_int_equal(ad_timer_heap_push(&h, &a, 40), 0); /* later: goes to the back */
    assert_int_equal(h.len, 3);
    assert_ptr_equal(ad_timer_heap_peek(&h), &b);
    assert_int_equal(ad_timer_heap_push(&h, &c, 5), 0); /* earlier: comes to the front */
    assert_ptr_equal(ad_timer_heap_peek(&h), &c);
    assert_int_equal(ad_timer_heap_push(&h, &b, 40), 0); /* ties a, pushed after it */
    assert_int_equal(c.deadline, 5);

    assert_ptr_equal(ad_timer_heap_pop(&h), &c);
    assert_ptr_equal(ad_timer_heap_pop(&h), &a);
    assert_ptr_equal(ad_timer_heap_pop(&h), &b);
    assert_null(ad_timer_heap_pop(&h));
    ad_timer_heap_dispose(&h);
}

static void test_remove_unlinked_is_noop(void **state)
{
    (void)state;
    ad_timer_heap_t h;
    ad_timer_t a, b;
    ad_timer_heap_init(&h);
    ad_timer_init(&a, noop_cb);
    ad_timer_init(&b, noop_cb);
    assert_false(ad_timer_is_linked(&a));
    ad_timer_heap_remove(&h, &a); /* never linked, empty heap */
    assert_null(ad_timer_heap_peek(&h));

    assert_int_equal(ad_timer_heap_push(&h, &b, 1), 0);
    ad_timer_heap_remove(&h, &a); /* never linked, heap not empty */
    assert_int_equal(h.len, 1);
    ad_timer_heap_remove(&h, &b);
    assert_false(ad_timer_is_linked(&b));
    ad_timer_heap_remove(&h, &b); /* twice */
    assert_int_equal(h.len, 0);
    assert_null(ad_timer_heap_pop(&h));
    assert_ptr_equal(b.cb, noop_cb);
    ad_timer_heap_dispose(&h);
}

static void test_negative_and_extreme_deadlines(void **state)
{
    (void)state;
    ad_timer_heap_t h;
    ad_timer_t t[4];
    int64_t d[4] = {INT64_MAX, -5, INT64_MIN, 0};
    ad_timer_heap_init(&h);
    for (int i = 0; i < 4; i++) {
        ad_timer_init(&t[i], noop_cb);
        assert_int_equal(ad_timer_heap_push(&h, &t[i], d[i]), 0);
    }
    assert_ptr_equal(ad_timer_heap_pop(&h), &t[2]);
    assert_ptr_equal(ad_timer_heap_pop(&h), &t[1]);
    assert_ptr_equal(ad_timer_heap_pop(&h), &t[3]);
    assert_ptr_equal(ad_timer_heap_pop(&h), &t[0]);
    ad_timer_heap_dispose(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_against_reference),       cmocka_unit_test(test_ties_pop_in_insertion_order),
        cmocka_unit_test(test_repush_moves_linked_timer),      cmocka_unit_test(test_remove_unlinked_is_noop),
        cmocka_unit_test(test_negative_and_extreme_deadlines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
