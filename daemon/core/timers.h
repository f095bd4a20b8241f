#ifndef AD_TIMERS_H
#define AD_TIMERS_H
/*
 * One timer mechanism per loop thread: a timerfd (CLOCK_MONOTONIC) registered on the h2o evloop drives
 * an ad_timer_heap_t. The timerfd is re-armed only when the earliest deadline moves earlier (or after
 * firing), and every due timer fires on each wake-up. A timer never fires before its deadline.
 * Loop-thread only.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <h2o.h>
#include "timer_heap.h"

typedef struct ad_timers {
    ad_timer_heap_t heap;
    int fd;
    h2o_socket_t *sock;
    int64_t armed_ns; /* deadline the timerfd is set to; INT64_MAX when it is not armed */
    bool firing;      /* inside a batch of callbacks: a nested ad_timers_run_due returns at once */
    /* Run time of callbacks, by their timer's charge slot (ad_timer_init_charged): the loop monitor's per-endpoint
     * run times, so a stall spent in a request's timers is blamed on its endpoint; NULL: not counted. */
    int64_t *charge_ns;
} ad_timers_t;

/* Creates the timerfd and registers it on loop. 0, or -1 with errno set. */
int ad_timers_init(ad_timers_t *t, h2o_evloop_t *loop);
/* Links timer to fire at deadline_ns (CLOCK_MONOTONIC); re-links it when already linked. 0, or -1 (out of memory). */
int ad_timers_add(ad_timers_t *t, ad_timer_t *timer, int64_t deadline_ns);
/* Unlinks timer; no-op when it is not linked. */
void ad_timers_cancel(ad_timers_t *t, ad_timer_t *timer);
/*
 * Fires every timer already due, without waiting for the timerfd's turn among the loop's events. Called
 * between connection teardowns: 10,000 answers fall due within ~0.1 s, and the teardowns their answers
 * cause (~half the cost of each) would otherwise queue ahead of the next due answers.
 */
void ad_timers_run_due(ad_timers_t *t);
static inline size_t ad_timers_count(const ad_timers_t *t)
{
    return t->heap.len;
}

#endif
