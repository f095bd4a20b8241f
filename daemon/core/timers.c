/* The per-loop timerfd behind every delay, tick and drain timer of a loop thread. */
#include "timers.h"

#include <errno.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "clock.h"
#include "watch_fd.h"

static void arm(ad_timers_t *t, int64_t deadline_ns)
{
    struct itimerspec its = {.it_value = ad_ns_to_timespec(deadline_ns)};
    if (timerfd_settime(t->fd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
        t->armed_ns = deadline_ns;
}

static void rearm_to_earliest(ad_timers_t *t)
{
    ad_timer_t *first = ad_timer_heap_peek(&t->heap);
    /* An empty heap leaves the timerfd expired: no wake-up until the next add. */
    if (first != NULL && first->deadline != t->armed_ns)
        arm(t, first->deadline);
}

static void fire_due(ad_timers_t *t)
{
    if (t->firing)
        return;
    t->firing = true;
    int64_t now = ad_mono_ns(), mark = now;
    ad_timer_t *first;
    /* Callbacks may add or cancel timers, so peek afresh each time. */
    while ((first = ad_timer_heap_peek(&t->heap)) != NULL && first->deadline <= now) {
        ad_timer_heap_pop(&t->heap);
        int32_t slot = first->charge; /* read before: the callback may free the timer */
        first->cb(first);
        int64_t end = ad_mono_ns();
        if (slot >= 0 && t->charge_ns != NULL)
            t->charge_ns[slot] += end - mark;
        mark = end;
    }
    t->firing = false;
}

void ad_timers_run_due(ad_timers_t *t)
{
    /* The timerfd stays armed at or before this deadline, so its own wake-up still re-arms it after. */
    ad_timer_t *first = ad_timer_heap_peek(&t->heap);
    if (first != NULL && first->deadline <= ad_mono_ns())
        fire_due(t);
}

static void on_timerfd_readable(h2o_socket_t *sock, const char *err)
{
    ad_timers_t *t = sock->data;
    uint64_t expirations;
    if (err != NULL)
        return;
    /* Drain the counter (level-triggered fd); EAGAIN only after a spurious wake. */
    while (read(t->fd, &expirations, sizeof(expirations)) < 0 && errno == EINTR)
        ;
    t->armed_ns = INT64_MAX;
    fire_due(t);
    rearm_to_earliest(t);
}

int ad_timers_init(ad_timers_t *t, h2o_evloop_t *loop)
{
    ad_timer_heap_init(&t->heap);
    t->armed_ns = INT64_MAX;
    t->firing = false;
    t->charge_ns = NULL;
    t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (t->fd < 0)
        return -1;
    t->sock = ad_watch_fd(loop, t->fd, t, on_timerfd_readable);
    return 0;
}

int ad_timers_add(ad_timers_t *t, ad_timer_t *timer, int64_t deadline_ns)
{
    if (ad_timer_heap_push(&t->heap, timer, deadline_ns) != 0)
        return -1;
    if (deadline_ns < t->armed_ns)
        arm(t, deadline_ns);
    return 0;
}

void ad_timers_cancel(ad_timers_t *t, ad_timer_t *timer)
{
    /* The timerfd stays armed: at worst one spurious wake-up, cheaper than a syscall per cancel. */
    ad_timer_heap_remove(&t->heap, timer);
}
