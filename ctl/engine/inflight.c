/* Requests in flight in send order (see inflight.h). */
#include "inflight.h"

#include <stdio.h>

void ad_inflight_track(ad_inflight_list_t *l, ad_inflight_t *r, int64_t sent)
{
    r->deadline = sent + l->timeout_ns;
    r->newer = NULL;
    r->older = l->newest;
    if (l->newest != NULL)
        l->newest->newer = r;
    else
        l->oldest = r;
    l->newest = r;
}

void ad_inflight_untrack(ad_inflight_list_t *l, ad_inflight_t *r)
{
    if (r->older != NULL)
        r->older->newer = r->newer;
    else
        l->oldest = r->newer;
    if (r->newer != NULL)
        r->newer->older = r->older;
    else
        l->newest = r->older;
    r->older = r->newer = NULL;
}

ad_inflight_t *ad_inflight_expired(const ad_inflight_list_t *l, int64_t now)
{
    return l->timeout_ns > 0 && l->oldest != NULL && l->oldest->deadline <= now ? l->oldest : NULL;
}

int64_t ad_inflight_wake(const ad_inflight_list_t *l, int64_t wake)
{
    return l->timeout_ns > 0 && l->oldest != NULL && l->oldest->deadline < wake ? l->oldest->deadline : wake;
}

void ad_inflight_timeout_reason(const ad_inflight_list_t *l, char *buf, size_t size)
{
    snprintf(buf, size, "no complete answer within %.3gs", (double)l->timeout_ns / 1e9);
}
