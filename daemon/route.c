/* Request target -> endpoint, from the list in endpoint_list.h (see route.h). */
#include "route.h"

#include <stdint.h>
#include <string.h>

typedef enum { MATCH_EXACT, MATCH_SEGMENT } match_t;

typedef struct route_entry {
    const char *path;
    size_t len;
    match_t match;
    unsigned methods;
} route_entry_t;

static const route_entry_t routes[AD_EP_OTHER] = {
#define AD_X(id, path, match, methods, handler) [AD_EP_##id] = {path, sizeof(path) - 1, MATCH_##match, methods},
    AD_ENDPOINTS(AD_X)
#undef AD_X
};

ad_route_t ad_route_find(const char *path, size_t len)
{
    for (size_t i = 0; i < AD_EP_OTHER; i++) {
        const route_entry_t *r = &routes[i];
        if (len < r->len || memcmp(path, r->path, r->len) != 0)
            continue;
        if (r->match == MATCH_EXACT && len == r->len)
            return (ad_route_t){(ad_endpoint_t)i, NULL, 0};
        /* SEGMENT: "/delay/" and one non-empty segment without another '/' */
        const char *seg = path + r->len + 1;
        size_t seg_len = len - r->len - 1;
        if (r->match == MATCH_SEGMENT && len > r->len + 1 && path[r->len] == '/' && memchr(seg, '/', seg_len) == NULL)
            return (ad_route_t){(ad_endpoint_t)i, seg, seg_len};
    }
    return (ad_route_t){AD_EP_OTHER, NULL, 0};
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

/* Method names by AD_METHOD_* bit, and the Allow header each combination of bits makes. */
static const struct {
    unsigned bit;
    const char *name;
} methods[] = {{AD_METHOD_GET, "GET"}, {AD_METHOD_HEAD, "HEAD"}};
static const char *const allow_text[] = {"", "GET", "HEAD", "GET, HEAD"};

bool ad_route_method_allowed(ad_endpoint_t ep, const char *method, size_t len)
{
    if ((unsigned)ep >= AD_EP_OTHER)
        return false;
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (len == strlen(methods[i].name) && memcmp(method, methods[i].name, len) == 0)
            return (routes[ep].methods & methods[i].bit) != 0;
    return false;
}

const char *ad_route_allow(ad_endpoint_t ep)
{
    return (unsigned)ep < AD_EP_OTHER ? allow_text[routes[ep].methods & 3u] : "";
}
