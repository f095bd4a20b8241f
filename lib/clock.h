#ifndef AD_CLOCK_H
#define AD_CLOCK_H
/* Clocks in integer nanoseconds: monotonic for intervals, wall (realtime) for display. */
#include <errno.h>
#include <stdint.h>
#include <time.h>

#define AD_NS_PER_SEC INT64_C(1000000000)
#define AD_NS_PER_MS INT64_C(1000000)
#define AD_NS_PER_US INT64_C(1000)

static inline int64_t ad_clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * AD_NS_PER_SEC + ts.tv_nsec;
}
static inline int64_t ad_mono_ns(void)
{
    return ad_clock_ns(CLOCK_MONOTONIC);
}
static inline int64_t ad_wall_ns(void)
{
    return ad_clock_ns(CLOCK_REALTIME);
}
static inline struct timespec ad_ns_to_timespec(int64_t ns)
{
    struct timespec ts = {.tv_sec = ns / AD_NS_PER_SEC, .tv_nsec = ns % AD_NS_PER_SEC};
    return ts;
}

/*
 * ns rounded up to a whole millisecond (ns >= 0). Deadlines put on this grid fall due together, so they share one
 * timerfd wake-up: on a virtual machine each wake-up at a time of its own costs the loop an interrupt and the
 * timer's reprogramming, far more than the work it does (bench/README.md, "Drip").
 */
static inline int64_t ad_ceil_ms(int64_t ns)
{
    int64_t r = ns % AD_NS_PER_MS;
    return r == 0 || ns > INT64_MAX - AD_NS_PER_MS ? ns : ns - r + AD_NS_PER_MS;
}

/* Waits until the monotonic deadline: asleep (clock_nanosleep, whole whatever signals come), or, when burn, busy on the
 * CPU reading the clock, as a parser, a hash or a regex holds a thread (work=cpu, docs/http-api.md). */
static inline void ad_wait_until(int64_t deadline_ns, int burn)
{
    if (burn) {
        while (ad_mono_ns() < deadline_ns)
            ;
        return;
    }
    struct timespec until = ad_ns_to_timespec(deadline_ns);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
        ;
}

#endif
