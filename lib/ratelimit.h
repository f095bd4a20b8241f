#ifndef AD_RATELIMIT_H
#define AD_RATELIMIT_H
/*
 * "Log this at most N times per interval", as systemd's ratelimit.[ch] does it: a window opens at the
 * first event and lets `burst` events through until `interval_ns` has passed. Single-threaded per object.
 */
#include <stdbool.h>
#include <stdint.h>

typedef struct ad_ratelimit {
    int64_t interval_ns; /* INT64_MAX: one window for ever (burst times in all) */
    unsigned burst;
    int64_t begin_ns; /* the window's start; 0 before the first event */
    unsigned num;     /* events let through in this window */
} ad_ratelimit_t;

#define AD_RATELIMIT(interval, n) ((ad_ratelimit_t){.interval_ns = (interval), .burst = (n)})

/* Counts an event at now_ns (monotonic, > 0): true when it is within the limit (go ahead and log). */
static inline bool ad_ratelimit_below(ad_ratelimit_t *rl, int64_t now_ns)
{
    if (rl->begin_ns == 0 || now_ns - rl->begin_ns >= rl->interval_ns) {
        rl->begin_ns = now_ns;
        rl->num = 0;
    }
    if (rl->num >= rl->burst)
        return false;
    rl->num++;
    return true;
}

#endif
