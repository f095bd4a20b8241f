/* The per-loop timerfd behind every delay, tick and drain timer of a loop thread. */
#include "timers.h"

#include <errno.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "clock.h"

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

#include <stdio.h>
#include <stdlib.h>
static int64_t exp_rec[3][40000];
static size_t exp_n;
static void exp_dump(void)
{
    FILE *f = fopen(getenv("AD_EXP_TRACE"), "w");
    for (size_t i = 0; i < exp_n; i++)
        fprintf(f, "%lld %lld %lld\n", (long long)exp_rec[0][i], (long long)exp_rec[1][i], (long long)exp_rec[2][i]);
    fclose(f);
}
static void fire_due(ad_timers_t *t)
{
    int64_t now = ad_mono_ns();
    ad_timer_t *first;
    static int reg;
    if (!reg && getenv("AD_EXP_TRACE")) { reg = 1; atexit(exp_dump); }
    int64_t start = now;
    /* Callbacks may add or cancel timers, so peek afresh each time. */
    while ((first = ad_timer_heap_peek(&t->heap)) != NULL) {
        if (first->deadline > now) {
            now = ad_mono_ns();
            if (first->deadline > now || now - start >= (getenv("AD_EXP_BUDGET") ? atoll(getenv("AD_EXP_BUDGET")) : 0))
                break;
        }
        ad_timer_heap_pop(&t->heap);
        if (reg && exp_n < 40000) { exp_rec[0][exp_n] = first->deadline; exp_rec[1][exp_n] = now; exp_rec[2][exp_n] = ad_mono_ns(); exp_n++; }
        first->cb(first);
    }
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
    t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (t->fd < 0)
        return -1;
    t->sock = h2o_evloop_socket_create(loop, t->fd, H2O_SOCKET_FLAG_DONT_READ);
    t->sock->data = t;
    h2o_socket_read_start(t->sock, on_timerfd_readable);
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
