#ifndef AD_ROUTE_H
#define AD_ROUTE_H
/*
 * Routing (docs/http-api.md): which endpoint of endpoint_list.h a request target names, and whether its
 * method is served. EXACT paths match exactly ("/blocking/x" is 404); a query is allowed everywhere; a
 * SEGMENT endpoint ("/delay/{n}") takes one segment. Pure functions over (pointer, length).
 */
#include <stdbool.h>
#include <stddef.h>
#include "stats.h"

typedef struct ad_route {
    ad_endpoint_t ep; /* AD_EP_OTHER: no endpoint has this path (404) */
    const char *arg;  /* a SEGMENT endpoint's segment ("/delay/{n}": n), still percent-encoded; else NULL */
    size_t arg_len;
} ad_route_t;

/* The route of path[0..len) (no query). */
ad_route_t ad_route_find(const char *path, size_t len);

/*
 * The path to route on, from a request target of target_len bytes whose query starts at query_at
 * (SIZE_MAX: none): the target up to the query; for an absolute-form target ("http://h/stats", which
 * h2o 2.2.5 leaves as it is) the part from the first '/' after the authority ("" when there is none).
 */
const char *ad_route_path(const char *target, size_t target_len, size_t query_at, size_t *len);

/* Whether ep serves the method; any other is 405 on a known path. */
bool ad_route_method_allowed(ad_endpoint_t ep, const char *method, size_t len);
/* The Allow header of ep's 405: its methods, "GET, HEAD". */
const char *ad_route_allow(ad_endpoint_t ep);

/*
 * The largest request head (request line and header fields, as their name and value bytes plus 4 per
 * line) a handler accepts; larger ones get 431. h2o itself only refuses heads of several hundred KB.
 */
#define AD_MAX_REQUEST_HEAD 32768
/* Bytes of a request head by that measure, from its parts' lengths. Pure. */
static inline size_t ad_route_head_bytes(size_t method_len, size_t path_len, size_t nheaders, size_t fields_len)
{
    return method_len + path_len + 12 + fields_len + 4 * nheaders;
}

#endif
