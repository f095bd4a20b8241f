/* The loop's probe tick: lag, stalls and their culprit, watchdog pings, STATUS= (see loop_monitor.h). */
#include "loop_monitor.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "duration.h"
#include "log.h"
#include "loop_policy.h"
#include "messages.h"
#include "notify.h"

#define STATUS_PERIOD_NS AD_NS_PER_SEC
/* /stats loop.utilisation_percent: over the last second */
#define UTILISATION_WINDOW_NS AD_NS_PER_SEC

void ad_watchdog_init(ad_watchdog_t *w)
{
    w->interval_ns = (int64_t)ad_notify_watchdog_usec() * AD_NS_PER_US;
    w->budget_ns = w->interval_ns / 2;
    atomic_store(&w->last_ping_ns, ad_mono_ns());
    atomic_store(&w->refusal_logged_for, -1);
}

static void log_stall(ad_loop_t *loop, int64_t lag_ns, int32_t culprit, int64_t run_ns)
{
    const char *ep = culprit >= 0 ? ad_endpoint_name((ad_endpoint_t)culprit) : "unknown";
    char ep_field[64], stall_field[64], thread_field[48];
    snprintf(ep_field, sizeof(ep_field), "ASYNCDEMO_ENDPOINT=%s", ep);
    snprintf(stall_field, sizeof(stall_field), "ASYNCDEMO_STALL_SECONDS=%.6f", (double)lag_ns / 1e9);
    snprintf(thread_field, sizeof(thread_field), "ASYNCDEMO_THREAD=%s", loop->name);
    const char *fields[] = {ep_field, stall_field, thread_field, NULL};
    if (culprit >= 0)
        ad_log_entry(LOG_WARNING, AD_MSGID_LOOP_STALL, fields,
                     "event loop %s stalled for %.3fs: %s handlers and timers ran %.3fs without yielding", loop->name,
                     (double)lag_ns / 1e9, ep, (double)run_ns / 1e9);
    else
        ad_log_entry(LOG_WARNING, AD_MSGID_LOOP_STALL, fields,
                     "event loop %s stalled for %.3fs (no single handler ran that long)", loop->name,
                     (double)lag_ns / 1e9);
}

/* Loop 0: WATCHDOG=1 on every tick, but only while every other loop has ticked within the budget. */
static void ping_watchdog(ad_server_t *s, int64_t now)
{
    ad_watchdog_t *wd = &s->watchdog;
    if (wd->interval_ns == 0)
        return;
    for (unsigned i = 1; i < s->nloops; i++)
        if (now - atomic_load_explicit(&s->loops[i]->monitor.last_tick_ns, memory_order_relaxed) > wd->budget_ns)
            return;
    ad_notify_watchdog();
    atomic_store_explicit(&wd->last_ping_ns, now, memory_order_relaxed);
}

static void update_status(ad_server_t *s, ad_loop_monitor_t *m, int64_t now)
{
    if (now < m->next_status_ns || !ad_notify_enabled())
        return;
    m->next_status_ns = now + STATUS_PERIOD_NS;
    ad_stats_snapshot_t snap;
    ad_server_snapshot(s, &snap);
    int64_t in_flight = 0;
    uint64_t served = 0;
    for (int ep = 0; ep < AD_EP_COUNT; ep++) {
        ad_endpoint_totals_t t;
        ad_stats_endpoint_totals(&snap, (ad_endpoint_t)ep, &t);
        in_flight += t.in_flight;
        served += t.completed;
    }
    ad_loop_stats_t ls;
    ad_stats_loop_totals(&snap, &ls);
    char stall[32];
    ad_duration_format(ls.longest_stall_ns, stall, sizeof(stall));
    ad_notify_status("%sin flight %" PRId64 ", served %" PRIu64 ", longest stall %s",
                     ad_server_draining(s) ? "draining: " : "", in_flight, served, stall);
}

static void on_tick(ad_timer_t *timer)
{
    ad_loop_monitor_t *m = H2O_STRUCT_FROM_MEMBER(ad_loop_monitor_t, tick, timer);
    ad_loop_t *loop = H2O_STRUCT_FROM_MEMBER(ad_loop_t, monitor, m);
    ad_server_t *s = loop->server;
    int64_t now = ad_mono_ns();
    int64_t lag = now - timer->deadline;
    int64_t threshold = atomic_load_explicit(&s->live.stall_threshold_ns, memory_order_relaxed);
    int64_t run;
    int32_t culprit = ad_stall_culprit(m->run_ns, lag, &run);

    ad_stats_loop_tick(&loop->stats, lag, threshold, culprit, ad_wall_ns());
    int64_t cpu = ad_clock_ns(CLOCK_THREAD_CPUTIME_ID);
    ad_stats_loop_cpu(&loop->stats, cpu, ad_busy_window_add(&m->busy, now, cpu, UTILISATION_WINDOW_NS));
    ad_events_note_tick(&loop->events, now, lag, lag > threshold ? culprit : -1);
    if (lag > threshold)
        log_stall(loop, lag, culprit, run);
    memset(m->run_ns, 0, sizeof(m->run_ns));
    atomic_store_explicit(&m->last_tick_ns, now, memory_order_relaxed);
    if (loop->index == 0) {
        ping_watchdog(s, now);
        update_status(s, m, now);
    }
    /* From now, not from the missed deadline: a long stall yields one late tick, not a burst. */
    ad_timers_add(&loop->timers, timer, now + m->interval_ns);
}

int ad_loop_monitor_start(ad_loop_t *loop, int64_t interval_ns)
{
    ad_loop_monitor_t *m = &loop->monitor;
    int64_t now = ad_mono_ns();
    m->interval_ns = interval_ns > 0 ? interval_ns : 50 * AD_NS_PER_MS;
    memset(m->run_ns, 0, sizeof(m->run_ns));
    m->next_status_ns = now;
    memset(&m->busy, 0, sizeof(m->busy));
    ad_busy_window_add(&m->busy, now, ad_clock_ns(CLOCK_THREAD_CPUTIME_ID), UTILISATION_WINDOW_NS);
    atomic_store(&m->last_tick_ns, now);
    ad_timer_init(&m->tick, on_tick);
    loop->timers.charge_ns = m->run_ns; /* the requests' timers count toward their endpoint's run time */
    return ad_timers_add(&loop->timers, &m->tick, now + m->interval_ns);
}

ad_guard_t ad_blocking_guard_check(ad_loop_t *loop, int64_t delay_ns, unsigned *retry_after_s)
{
    ad_watchdog_t *wd = &loop->server->watchdog;
    if (wd->interval_ns == 0)
        return AD_GUARD_ALLOW;
    /* Loop 0 pings; other loops prove they are alive by ticking (loop 0 pings only while they do). */
    int64_t since = loop->index == 0 ? atomic_load_explicit(&wd->last_ping_ns, memory_order_relaxed)
                                     : atomic_load_explicit(&loop->monitor.last_tick_ns, memory_order_relaxed);
    int64_t stalled = ad_mono_ns() - since;
    ad_guard_t verdict = ad_blocking_guard_decide(stalled, delay_ns, wd->budget_ns, retry_after_s);
    if (verdict != AD_GUARD_LATER)
        return verdict; /* NEVER is the client's mistake, answered like any bad delay: not logged */
    int64_t burst = since;
    if (atomic_exchange_explicit(&wd->refusal_logged_for, burst, memory_order_relaxed) != burst) {
        char delay_field[64], budget_field[64], stalled_field[64];
        snprintf(delay_field, sizeof(delay_field), "ASYNCDEMO_DELAY_SECONDS=%.6f", (double)delay_ns / 1e9);
        snprintf(budget_field, sizeof(budget_field), "ASYNCDEMO_BUDGET_SECONDS=%.6f", (double)wd->budget_ns / 1e9);
        snprintf(stalled_field, sizeof(stalled_field), "ASYNCDEMO_STALLED_SECONDS=%.6f", (double)stalled / 1e9);
        char ep_field[64];
        snprintf(ep_field, sizeof(ep_field), "ASYNCDEMO_ENDPOINT=%s", ad_endpoint_name(AD_EP_BLOCKING));
        const char *fields[] = {ep_field, delay_field, budget_field, stalled_field, NULL};
        ad_log_entry(LOG_WARNING, AD_MSGID_BLOCKING_REFUSED, fields,
                     "refusing %s for %.3fs on %s: the loop has been busy %.3fs since its last watchdog "
                     "ping and may not go more than %.3fs (half the watchdog interval) without one",
                     ad_endpoint_name(AD_EP_BLOCKING), (double)delay_ns / 1e9, loop->name, (double)stalled / 1e9,
                     (double)wd->budget_ns / 1e9);
    }
    return AD_GUARD_LATER;
}
