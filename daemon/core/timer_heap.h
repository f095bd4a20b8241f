#ifndef AD_TIMER_HEAP_H
#define AD_TIMER_HEAP_H
/*
 * A binary min-heap of deadlines: the data structure behind each loop thread's one timerfd.
 * Each timer keeps its heap index, so cancel is O(log n). Equal deadlines pop in insertion order.
 * The array holds each timer's (deadline, seq) key beside its pointer, so sifting compares within the
 * array instead of loading 10,000 timers scattered over as many request pools.
 * Pure (no clock, no I/O); not thread-safe (one heap per loop thread).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ad_timer ad_timer_t;
typedef void (*ad_timer_cb)(ad_timer_t *timer);

struct ad_timer {
    int64_t deadline; /* CLOCK_MONOTONIC ns */
    size_t index;     /* position in the heap, AD_TIMER_UNLINKED when not in one */
    ad_timer_cb cb;
    int32_t charge; /* the slot its callback's run time is charged to (timers.h), -1 none */
};
#define AD_TIMER_UNLINKED SIZE_MAX

typedef struct ad_timer_slot {
    int64_t deadline;
    uint64_t seq; /* insertion order, breaks ties */
    ad_timer_t *timer;
} ad_timer_slot_t;

typedef struct ad_timer_heap {
    ad_timer_slot_t *items;
    size_t len, cap;
    uint64_t next_seq;
} ad_timer_heap_t;

void ad_timer_init(ad_timer_t *t, ad_timer_cb cb);
/* The same, its callbacks' run time charged to slot (timers.h: a request's endpoint, for stall attribution). */
void ad_timer_init_charged(ad_timer_t *t, ad_timer_cb cb, int32_t slot);
static inline bool ad_timer_is_linked(const ad_timer_t *t)
{
    return t->index != AD_TIMER_UNLINKED;
}

void ad_timer_heap_init(ad_timer_heap_t *h);
void ad_timer_heap_dispose(ad_timer_heap_t *h); /* frees the array; unlinks nothing */
/* Links t with the deadline (re-positions it if already linked). 0, or -1 when out of memory. */
int ad_timer_heap_push(ad_timer_heap_t *h, ad_timer_t *t, int64_t deadline);
void ad_timer_heap_remove(ad_timer_heap_t *h, ad_timer_t *t); /* no-op when t is not linked */
ad_timer_t *ad_timer_heap_peek(const ad_timer_heap_t *h);     /* earliest, or NULL */
ad_timer_t *ad_timer_heap_pop(ad_timer_heap_t *h);            /* removes and returns the earliest, or NULL */

#endif
