/* The /events message, pure (see events_format.h). */
#include "events_format.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"

const ad_endpoint_t ad_events_endpoints[AD_EVENTS_NEPS] = {AD_EP_NON_BLOCKING, AD_EP_BLOCKING, AD_EP_OFFLOAD,
                                                           AD_EP_DELAY};

#define SECOND_BITS 24
#define SECOND_MASK ((1ull << SECOND_BITS) - 1)
#define LAG_US_MAX UINT32_MAX

static ad_events_lag_t pack(int64_t second, uint64_t lag_us, int32_t culprit)
{
    uint64_t c = culprit >= 0 && culprit < AD_EP_COUNT ? (uint64_t)culprit + 1 : 0;
    return ((uint64_t)second & SECOND_MASK) << 40 | c << 32 | lag_us;
}

ad_events_lag_t ad_events_lag_merge(ad_events_lag_t old, int64_t second, int64_t lag_ns, int32_t culprit)
{
    uint64_t us = lag_ns <= 0 ? 0 : (uint64_t)lag_ns / AD_NS_PER_US;
    if (us > LAG_US_MAX)
        us = LAG_US_MAX;
    bool same = old != 0 && (old >> 40) == ((uint64_t)second & SECOND_MASK);
    if (same && (old & LAG_US_MAX) >= us)
        return old;
    return pack(second, us, culprit);
}

bool ad_events_lag_read(ad_events_lag_t rec, int64_t second, int64_t *lag_ns, int32_t *culprit)
{
    *lag_ns = 0;
    *culprit = -1;
    if (rec == 0 || (rec >> 40) != ((uint64_t)second & SECOND_MASK))
        return false;
    *lag_ns = (int64_t)(rec & LAG_US_MAX) * AD_NS_PER_US;
    *culprit = (int32_t)((rec >> 32) & 0xff) - 1;
    return true;
}

double ad_events_rate(uint64_t prev_count, int64_t prev_ns, uint64_t count, int64_t now_ns)
{
    if (now_ns <= prev_ns || count < prev_count)
        return 0;
    double tenths = (double)(count - prev_count) * 1e10 / (double)(now_ns - prev_ns);
    return (double)(uint64_t)(tenths + 0.5) / 10;
}

static void endpoint_or_null(ad_jw_t *w, int32_t ep)
{
    if (ep >= 0 && ep < AD_EP_COUNT)
        ad_jw_cstr(w, ad_endpoint_name((ad_endpoint_t)ep));
    else
        ad_jw_null(w);
}

static void key_uint(ad_jw_t *w, const char *key, uint64_t v)
{
    ad_jw_key(w, key);
    ad_jw_uint(w, v);
}

int ad_events_format_json(const ad_events_view_t *v, ad_jw_t *w)
{
    ad_jw_reset(w);
    ad_jw_object_begin(w);
    ad_jw_key(w, "uptime_seconds");
    ad_jw_seconds(w, v->uptime_ns, 3);
    key_uint(w, "requests", v->requests);
    ad_jw_key(w, "requests_per_second");
    ad_jw_double(w, v->requests_per_second);
    ad_jw_key(w, "in_flight");
    ad_jw_object_begin(w);
    for (size_t i = 0; i < AD_EVENTS_NEPS; i++) {
        ad_jw_key(w, ad_endpoint_name(ad_events_endpoints[i]));
        ad_jw_int(w, v->in_flight[i]);
    }
    ad_jw_object_end(w);
    ad_jw_key(w, "offload");
    ad_jw_object_begin(w);
    key_uint(w, "busy", v->pool_busy);
    key_uint(w, "queued", v->pool_queued);
    key_uint(w, "size", v->pool_size);
    ad_jw_object_end(w);
    ad_jw_key(w, "stall_threshold_seconds");
    ad_jw_seconds(w, v->stall_threshold_ns, 6);
    ad_jw_key(w, "loops");
    ad_jw_array_begin(w);
    for (size_t i = 0; i < v->nloops; i++) {
        const ad_events_loop_view_t *l = &v->loops[i];
        ad_jw_object_begin(w);
        ad_jw_key(w, "thread");
        ad_jw_cstr(w, l->name);
        ad_jw_key(w, "lag_seconds");
        ad_jw_seconds(w, l->lag_ns, 6);
        ad_jw_key(w, "stall_endpoint");
        endpoint_or_null(w, l->culprit);
        ad_jw_key(w, "busy_seconds");
        ad_jw_seconds(w, l->busy_ns, 6);
        ad_jw_object_end(w);
    }
    ad_jw_array_end(w);
    ad_jw_key(w, "events");
    ad_jw_object_begin(w);
    key_uint(w, "clients", v->clients);
    key_uint(w, "max_clients", v->max_clients);
    key_uint(w, "refused", v->refused);
    ad_jw_object_end(w);
    ad_jw_object_end(w);
    return ad_jw_failed(w) ? -1 : 0;
}

size_t ad_events_frame(uint64_t id, const char *json, size_t len, char *buf, size_t cap)
{
    int head = snprintf(buf, cap, "id: %" PRIu64 "\ndata: ", id);
    if (head < 0)
        return SIZE_MAX;
    size_t need = (size_t)head + len + 2;
    if (need >= cap)
        return need;
    memcpy(buf + head, json, len);
    memcpy(buf + head + len, "\n\n", 3);
    return need;
}
