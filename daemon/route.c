/* Request target -> endpoint (see route.h). */
#include "route.h"

#include <stdint.h>
#include <string.h>

typedef struct route_entry {
    const char *path;
    size_t len;
    ad_endpoint_t ep;
    ad_route_kind_t kind;
} route_entry_t;

#define ROUTE(p, ep, kind)                                                                                             \
    {                                                                                                                  \
        p, sizeof(p) - 1, ep, kind                                                                                     \
    }
static const route_entry_t routes[] = {
    ROUTE("/non-blocking", AD_EP_NON_BLOCKING, AD_ROUTE_DELAY),
    ROUTE("/blocking", AD_EP_BLOCKING, AD_ROUTE_DELAY),
    ROUTE("/offload", AD_EP_OFFLOAD, AD_ROUTE_DELAY),
    ROUTE("/stats", AD_EP_STATS, AD_ROUTE_STATS),
    ROUTE("/metrics", AD_EP_METRICS, AD_ROUTE_METRICS),
    ROUTE("/healthz", AD_EP_HEALTHZ, AD_ROUTE_HEALTHZ),
    ROUTE("/", AD_EP_OTHER, AD_ROUTE_UI),
    ROUTE("/events", AD_EP_OTHER, AD_ROUTE_EVENTS),
};
static const char delay_prefix[] = "/delay/";
static const char ui_prefix[] = "/ui/"; /* the page's own files */

ad_route_t ad_route_find(const char *path, size_t len)
{
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
        if (len == routes[i].len && memcmp(path, routes[i].path, len) == 0)
            return (ad_route_t){routes[i].kind, routes[i].ep, NULL, 0};
    size_t plen = sizeof(delay_prefix) - 1;
    if (len > plen && memcmp(path, delay_prefix, plen) == 0 && memchr(path + plen, '/', len - plen) == NULL)
        return (ad_route_t){AD_ROUTE_DELAY_N, AD_EP_DELAY, path + plen, len - plen};
    if (len > sizeof(ui_prefix) - 1 && memcmp(path, ui_prefix, sizeof(ui_prefix) - 1) == 0)
        return (ad_route_t){AD_ROUTE_UI, AD_EP_OTHER, NULL, 0};
    return (ad_route_t){AD_ROUTE_NONE, AD_EP_OTHER, NULL, 0};
}

const char *ad_route_path(const char *target, size_t target_len, size_t query_at, size_t *len)
{
    const char *p = target;
    size_t n = query_at < target_len ? query_at : target_len;
    const char *scheme_end = n > 0 && p[0] != '/' ? memmem(p, n, "://", 3) : NULL;
    if (scheme_end != NULL) {
        const char *authority = scheme_end + 3;
        const char *slash = memchr(authority, '/', (size_t)(p + n - authority));
        const char *start = slash != NULL ? slash : p + n;
        n -= (size_t)(start - p);
        p = start;
    }
    *len = n;
    return p;
}

static bool method_is(const char *method, size_t len, const char *name)
{
    return len == strlen(name) && memcmp(method, name, len) == 0;
}

bool ad_route_method_allowed(ad_route_kind_t kind, const char *method, size_t len)
{
    if (method_is(method, len, "GET") || method_is(method, len, "HEAD"))
        return true;
    return kind == AD_ROUTE_DELAY_N && (method_is(method, len, "POST") || method_is(method, len, "PUT") ||
                                        method_is(method, len, "PATCH") || method_is(method, len, "DELETE"));
}

const char *ad_route_allow(ad_route_kind_t kind)
{
    return kind == AD_ROUTE_DELAY_N ? "GET, HEAD, POST, PUT, PATCH, DELETE" : "GET, HEAD";
}
