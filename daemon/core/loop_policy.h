#ifndef AD_LOOP_POLICY_H
#define AD_LOOP_POLICY_H
/*
 * The loop monitor's decisions, as pure functions: which endpoint a stall is blamed on, and whether the
 * blocking guard lets a /blocking sleep run now, later (with the Retry-After to send) or never.
 */
#include <stdbool.h>
#include <stdint.h>
#include "stats.h"

/*
 * The endpoint to blame for a tick lag_ns late, given each endpoint's handler run time since the previous
 * tick: the one that ran longest, if it covers at least half of the lag; else -1 (many small callbacks
 * added up, or something outside the handlers). *run_ns: that endpoint's run time (0 when none ran).
 */
int32_t ad_stall_culprit(const int64_t run_ns[AD_EP_COUNT], int64_t lag_ns, int64_t *run_ns_out);

/* The blocking guard's verdict on one /blocking sleep. */
typedef enum {
    AD_GUARD_ALLOW, /* sleep now */
    AD_GUARD_LATER, /* not now (503 + Retry-After): the loop is busy, a retry once it has pinged can succeed */
    AD_GUARD_NEVER, /* the sleep alone is longer than the budget: no retry can succeed (400) */
} ad_guard_t;

/*
 * The blocking guard: a loop that has gone busy_ns without a watchdog ping (or, for loops other than
 * loop 0, without a tick) may sleep delay_ns more only while busy_ns + delay_ns stays within budget_ns
 * (half the watchdog interval). budget_ns <= 0: the watchdog is off, always allowed.
 * On AD_GUARD_LATER, *retry_after_s is busy_ns rounded up to whole seconds, at least 1: once this burst
 * of work is through the loop pings again and the budget is whole. Otherwise *retry_after_s is untouched.
 */
ad_guard_t ad_blocking_guard_decide(int64_t busy_ns, int64_t delay_ns, int64_t budget_ns, unsigned *retry_after_s);

/*
 * A loop's utilisation over the last second: the probe tick's samples of the monotonic clock and the thread's
 * CPU time, kept for AD_BUSY_SAMPLES ticks (over a second at the shortest tick-interval, 1 ms). Zeroed: empty.
 */
#define AD_BUSY_SAMPLES 1024
typedef struct ad_busy_window {
    int64_t mono_ns[AD_BUSY_SAMPLES], cpu_ns[AD_BUSY_SAMPLES];
    size_t n, newest;
} ad_busy_window_t;
/*
 * Adds a tick's sample; returns the CPU time over wall time since the newest earlier sample at least window_ns
 * old (the oldest kept when none is that old yet), in percent (ad_utilisation_percent). A single long tick
 * interval (a blocked loop) counts whole: the window reaches back to the tick before it.
 */
int64_t ad_busy_window_add(ad_busy_window_t *w, int64_t mono_ns, int64_t cpu_ns, int64_t window_ns);

#endif
