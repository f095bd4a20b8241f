/* Request target -> endpoint, from the list in endpoint_list.h (see route.h). */
#include "route.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef enum { MATCH_EXACT, MATCH_SEGMENT, MATCH_PREFIX, MATCH_TREE } match_t;

typedef struct route_entry {
    const char *path;
    size_t len;
    match_t match;
    unsigned methods;
    ad_endpoint_t ep;
    bool counted;
} route_entry_t;

/* SLOT -> the stats slot an endpoint's answers are counted in, and whether they are. */
#define SLOT_EP_OWN(id) AD_EP_##id
#define SLOT_EP_OTHER(id) AD_EP_OTHER
#define SLOT_EP_NONE(id) AD_EP_OTHER
#define SLOT_COUNTED_OWN true
#define SLOT_COUNTED_OTHER true
#define SLOT_COUNTED_NONE false

static const route_entry_t routes[AD_ROUTE_COUNT] = {
#define AD_X(id, path, match, methods, slot, ...)                                                                      \
    [AD_ROUTE_##id] = {path, sizeof(path) - 1, MATCH_##match, methods, SLOT_EP_##slot(id), SLOT_COUNTED_##slot},
    AD_ENDPOINTS(AD_X)
#undef AD_X
};

ad_route_t ad_route_find(const char *path, size_t len)
{
    for (size_t i = 0; i < AD_ROUTE_COUNT; i++) {
        const route_entry_t *r = &routes[i];
        if (len < r->len || memcmp(path, r->path, r->len) != 0)
            continue;
        if (r->match == MATCH_EXACT || (r->match == MATCH_TREE && len == r->len)) {
            if (len == r->len)
                return (ad_route_t){(ad_route_id_t)i, r->ep, r->counted, NULL, 0};
            continue;
        }
        if (r->match == MATCH_TREE) { /* "/anything/" and any rest, also an empty one */
            if (path[r->len] == '/')
                return (ad_route_t){(ad_route_id_t)i, r->ep, r->counted, path + r->len + 1, len - r->len - 1};
            continue;
        }
        /* SEGMENT and PREFIX: "/delay/" and a non-empty rest, without another '/' for SEGMENT */
        if (len <= r->len + 1 || path[r->len] != '/')
            continue;
        const char *rest = path + r->len + 1;
        size_t rest_len = len - r->len - 1;
        if (r->match == MATCH_PREFIX || memchr(rest, '/', rest_len) == NULL)
            return (ad_route_t){(ad_route_id_t)i, r->ep, r->counted, rest, rest_len};
    }
    return (ad_route_t){AD_ROUTE_NONE, AD_EP_OTHER, true, NULL, 0};
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

/* Method names by AD_METHOD_* bit, in the order an Allow header lists them. */
static const struct {
    unsigned bit;
    const char *name;
} methods[] = {{AD_METHOD_GET, "GET"}, {AD_METHOD_HEAD, "HEAD"},   {AD_METHOD_POST, "POST"},
               {AD_METHOD_PUT, "PUT"}, {AD_METHOD_PATCH, "PATCH"}, {AD_METHOD_DELETE, "DELETE"}};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

bool ad_route_method_allowed(ad_route_id_t r, const char *method, size_t len)
{
    if ((unsigned)r >= AD_ROUTE_COUNT)
        return false;
    for (size_t i = 0; i < NMETHODS; i++)
        if (len == strlen(methods[i].name) && memcmp(method, methods[i].name, len) == 0)
            return (routes[r].methods & methods[i].bit) != 0;
    return false;
}

size_t ad_route_allow(ad_route_id_t r, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; (unsigned)r < AD_ROUTE_COUNT && i < NMETHODS; i++)
        if ((routes[r].methods & methods[i].bit) != 0 && n < size)
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n > 0 ? ", " : "", methods[i].name);
    return n < size ? n : size - 1;
}

bool ad_route_takes_body(ad_route_id_t r)
{
    return (unsigned)r < AD_ROUTE_COUNT && (routes[r].methods & AD_METHODS_BODY) != 0;
}
