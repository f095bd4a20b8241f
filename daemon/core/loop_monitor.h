#ifndef AD_LOOP_MONITOR_H
#define AD_LOOP_MONITOR_H
/*
 * Watching the event loop from inside: a probe tick every tick-interval on the loop's timer heap. How
 * late it fires is the loop's lag; lag over stall-threshold is a stall, logged (AD_MSGID_LOOP_STALL)
 * with the endpoint whose handlers, timers and send callbacks ran longest since the previous tick (a
 * request's timers are charged through ad_timers_t.charge_ns), like asyncio's debug-mode
 * "slow callback" warning. Loop 0's tick also pings the systemd watchdog and keeps STATUS= current.
 * The blocking guard lives here too, because it must agree with the pings: /blocking is refused when
 * its sleep would push the gap between two pings past half the watchdog interval.
 */
#include <stdbool.h>
#include <stdint.h>
#include "loop.h"
#include "loop_policy.h"

void ad_watchdog_init(ad_watchdog_t *w);

/* Starts the probe tick on loop (its timers must be initialised). */
int ad_loop_monitor_start(ad_loop_t *loop, int64_t interval_ns);
/* Records that a handler for ep (or a callback doing its work: an answer sent when h2o took the last piece, an
 * /offload reply) ran run_ns on this loop (for stall attribution). */
static inline void ad_loop_monitor_note(ad_loop_monitor_t *m, ad_endpoint_t ep, int64_t run_ns)
{
    m->run_ns[ep] += run_ns;
}

/*
 * The blocking guard (ad_blocking_guard_decide against this loop's last ping or tick): whether a /blocking
 * sleep of delay_ns may run on loop now. On AD_GUARD_LATER *retry_after_s is set (>= 1) and the first
 * refusal of a burst is logged (AD_MSGID_BLOCKING_REFUSED). Always AD_GUARD_ALLOW when the watchdog is off.
 */
ad_guard_t ad_blocking_guard_check(ad_loop_t *loop, int64_t delay_ns, unsigned *retry_after_s);

#endif
