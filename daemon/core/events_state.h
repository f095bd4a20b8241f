#ifndef AD_EVENTS_STATE_H
#define AD_EVENTS_STATE_H
/*
 * A loop's part of GET /events (events.h), kept in the loop's state (loop.h): its streams, its timer, and
 * the lag records the loop monitor writes on every tick. GET /events (docs/http-api.md): live figures as
 * server-sent events. Each loop keeps its own streams
 * and sends them one message a second from its own timer (armed only while it has streams): no thread
 * per client, and the message is formatted once per loop and second, then copied to each stream. The
 * streams of all loops together are bounded by `events-clients`; past it a request gets 503 and is
 * counted. A stream that has not taken the previous message yet skips one rather than queue.
 * The loop monitor reports each tick here, so a message can show every loop's worst lag in the last
 * whole second and the endpoint behind a stall. Loop-thread only, except the lag records (atomics).
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <h2o.h>
#include "clock.h"
#include "events_format.h"
#include "timer_heap.h"

typedef struct ad_events {
    h2o_linklist_t streams;
    size_t nstreams;
    ad_timer_t timer;
    uint64_t prev_requests; /* the request counter at the previous message, for the rate */
    int64_t prev_ns;
    double rate;
    _Atomic ad_events_lag_t lag[AD_EVENTS_LAG_SLOTS]; /* by second % slots; read by every loop */
} ad_events_t;

/* The loop monitor's tick (loop thread): lag_ns late, culprit the endpoint blamed when it is a stall, else -1. */
static inline void ad_events_note_tick(ad_events_t *e, int64_t now_ns, int64_t lag_ns, int32_t culprit)
{
    int64_t second = now_ns / AD_NS_PER_SEC;
    _Atomic ad_events_lag_t *slot = &e->lag[second % AD_EVENTS_LAG_SLOTS];
    ad_events_lag_t old = atomic_load_explicit(slot, memory_order_relaxed);
    atomic_store_explicit(slot, ad_events_lag_merge(old, second, lag_ns, culprit), memory_order_relaxed);
}

#endif
