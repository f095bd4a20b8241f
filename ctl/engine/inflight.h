#ifndef AD_CTL_INFLIGHT_H
#define AD_CTL_INFLIGHT_H
/* The requests in flight of one event loop, in send order, for the per-request timeout. Pure. */
#include <stddef.h>
#include <stdint.h>

/*
 * Requests in flight, oldest first: every request has the same timeout, so the oldest is always the
 * first to expire. (h2o_timeout_t cannot serve: its clock is cached per loop turn, up to 100 ms stale
 * when a request is sent after an idle wait, so it fires early.) A request embeds an ad_inflight_t.
 */
typedef struct ad_inflight {
    struct ad_inflight *older, *newer;
    int64_t deadline; /* CLOCK_MONOTONIC */
} ad_inflight_t;

typedef struct ad_inflight_list {
    ad_inflight_t *oldest, *newest;
    int64_t timeout_ns; /* per request, 0 = none */
} ad_inflight_list_t;

void ad_inflight_track(ad_inflight_list_t *l, ad_inflight_t *r, int64_t sent);
void ad_inflight_untrack(ad_inflight_list_t *l, ad_inflight_t *r);
/* The oldest request when its time is up at now, else NULL. */
ad_inflight_t *ad_inflight_expired(const ad_inflight_list_t *l, int64_t now);
/* wake, or the oldest request's deadline when that is earlier. */
int64_t ad_inflight_wake(const ad_inflight_list_t *l, int64_t wake);
/* A timed-out request's reason: "no complete answer within 2s". */
void ad_inflight_timeout_reason(const ad_inflight_list_t *l, char *buf, size_t size);

#endif
