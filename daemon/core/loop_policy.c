/* Stall attribution and the blocking guard's decision (see loop_policy.h). */
#include "loop_policy.h"

#include <limits.h>

#include "clock.h"

int32_t ad_stall_culprit(const int64_t run_ns[AD_EP_COUNT], int64_t lag_ns, int64_t *run_ns_out)
{
    int ep = 0;
    for (int i = 1; i < AD_EP_COUNT; i++)
        if (run_ns[i] > run_ns[ep])
            ep = i;
    int64_t run = run_ns[ep] > 0 ? run_ns[ep] : 0;
    *run_ns_out = run;
    /* Blame an endpoint only if its handlers cover most of the stall; else many small callbacks added up. */
    return run > 0 && run * 2 >= lag_ns ? ep : -1;
}

ad_guard_t ad_blocking_guard_decide(int64_t busy_ns, int64_t delay_ns, int64_t budget_ns, unsigned *retry_after_s)
{
    if (budget_ns <= 0)
        return AD_GUARD_ALLOW;
    if (delay_ns > budget_ns)
        return AD_GUARD_NEVER;
    if (busy_ns < 0)
        busy_ns = 0; /* a ping stamped by another thread just after we read the clock */
    if (busy_ns + delay_ns <= budget_ns)
        return AD_GUARD_ALLOW;
    int64_t secs = (busy_ns + AD_NS_PER_SEC - 1) / AD_NS_PER_SEC;
    *retry_after_s = secs < 1 ? 1 : secs > UINT_MAX ? UINT_MAX : (unsigned)secs;
    return AD_GUARD_LATER;
}

int64_t ad_busy_window_add(ad_busy_window_t *w, int64_t mono_ns, int64_t cpu_ns, int64_t window_ns)
{
    size_t from = w->newest; /* walks back to the newest sample old enough, or the oldest */
    for (size_t k = 0; k < w->n; k++) {
        from = (w->newest + AD_BUSY_SAMPLES - k) % AD_BUSY_SAMPLES;
        if (mono_ns - w->mono_ns[from] >= window_ns)
            break;
    }
    int64_t pct = w->n > 0 ? ad_utilisation_percent(cpu_ns - w->cpu_ns[from], mono_ns - w->mono_ns[from]) : 0;
    w->newest = w->n > 0 ? (w->newest + 1) % AD_BUSY_SAMPLES : 0;
    w->mono_ns[w->newest] = mono_ns;
    w->cpu_ns[w->newest] = cpu_ns;
    if (w->n < AD_BUSY_SAMPLES)
        w->n++;
    return pct;
}
