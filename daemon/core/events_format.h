#ifndef AD_EVENTS_FORMAT_H
#define AD_EVENTS_FORMAT_H
/*
 * What GET /events sends once a second (docs/http-api.md, "/events"), as pure functions: the per-second
 * loop-lag record each loop keeps for the others to read, the request rate, the JSON document and its
 * server-sent-events frame. The runtime (events.c) fills an ad_events_view_t and calls these.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "json_writer.h"
#include "stats.h"

/*
 * One loop's worst tick in one whole second of CLOCK_MONOTONIC: the second (mod 2^24), the endpoint
 * blamed when that tick was a stall (+1, 0 = none) and the lateness in microseconds (saturating), in one
 * 64-bit word, so that another loop's thread reads it with one relaxed atomic load, never torn.
 */
typedef uint64_t ad_events_lag_t;
#define AD_EVENTS_LAG_SLOTS 4 /* seconds a loop keeps (the message reads the last whole one) */

/* The record after a tick lag_ns late in `second` (culprit: ad_endpoint_t or -1): a record of an earlier
 * second is replaced, one of the same second keeps the larger lag (and that tick's culprit). */
ad_events_lag_t ad_events_lag_merge(ad_events_lag_t old, int64_t second, int64_t lag_ns, int32_t culprit);
/* The record's lag and culprit if it is of `second`; false (and 0, -1) when that second has no tick. */
bool ad_events_lag_read(ad_events_lag_t rec, int64_t second, int64_t *lag_ns, int32_t *culprit);

/* Requests per second between two readings of a counter, to 0.1; 0 when no time passed. */
double ad_events_rate(uint64_t prev_count, int64_t prev_ns, uint64_t count, int64_t now_ns);

typedef struct ad_events_loop_view {
    const char *name; /* "loop-N" */
    int64_t lag_ns;   /* its worst tick in the last whole second (0: none) */
    int32_t culprit;  /* the endpoint blamed for that tick when it was a stall, -1 */
    int64_t busy_ns;  /* since its last tick: a stall in progress shows here before it ends */
} ad_events_loop_view_t;

/* The endpoints whose in-flight requests a message shows (the delay endpoints), in order. */
#define AD_EVENTS_NEPS 4
extern const ad_endpoint_t ad_events_endpoints[AD_EVENTS_NEPS];

typedef struct ad_events_view {
    int64_t uptime_ns;
    uint64_t requests; /* arrived since start, every endpoint */
    double requests_per_second;
    int64_t in_flight[AD_EVENTS_NEPS]; /* of ad_events_endpoints[] */
    unsigned pool_busy, pool_queued, pool_size;
    int64_t stall_threshold_ns;
    const ad_events_loop_view_t *loops;
    size_t nloops;
    unsigned clients, max_clients; /* /events streams open now (all loops), and the bound */
    uint64_t refused;              /* /events requests refused since start because of the bound */
} ad_events_view_t;

/* The message's JSON document (one line) into w (reset first). 0, or -1 when w ran out of memory. */
int ad_events_format_json(const ad_events_view_t *v, ad_jw_t *w);

/* The largest frame a message over nloops loops can make (tests/unit/test_events_format.c checks it). */
#define AD_EVENTS_FRAME_MAX(nloops) (768 + 192 * (size_t)(nloops))

/*
 * The server-sent-events frame "id: N\ndata: JSON\n\n" into buf. Returns its length; when that is >= cap,
 * nothing usable was written (call again with a larger buffer). json must hold no newline.
 */
size_t ad_events_frame(uint64_t id, const char *json, size_t len, char *buf, size_t cap);

#endif
