#ifndef AD_ROUTE_H
#define AD_ROUTE_H
/*
 * Routing (docs/http-api.md): which endpoint of endpoint_list.h a request target names, and whether its
 * method is served. EXACT paths match exactly ("/blocking/x" is 404); a query is allowed everywhere; a
 * SEGMENT endpoint ("/delay/{n}") takes one segment, a PREFIX one ("/ui/...") any rest. Pure functions
 * over (pointer, length).
 */
#include <stdbool.h>
#include <stddef.h>
#include "endpoint_list.h"
#include "stats.h"

/* One route per endpoint of the list, in its order. */
typedef enum {
#define AD_X(id, ...) AD_ROUTE_##id,
    AD_ENDPOINTS(AD_X)
#undef AD_X
        AD_ROUTE_NONE, /* no endpoint has this path: 404 */
    AD_ROUTE_COUNT = AD_ROUTE_NONE
} ad_route_id_t;

typedef struct ad_route {
    ad_route_id_t id;
    ad_endpoint_t ep; /* the stats slot: the endpoint's own, or AD_EP_OTHER (also for AD_ROUTE_NONE) */
    bool counted;     /* false for an endpoint of SLOT NONE (its answers are not counted) */
    const char *arg;  /* a SEGMENT or PREFIX endpoint's rest ("/delay/{n}": n), still percent-encoded; else NULL */
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

/* Whether the route serves the method (endpoint_list.h's METHODS); any other is 405 on a known path. */
bool ad_route_method_allowed(ad_route_id_t r, const char *method, size_t len);
/* The Allow header of a 405 on the route: its methods, "GET, HEAD". Returns the length written. */
size_t ad_route_allow(ad_route_id_t r, char *buf, size_t size);
/* Whether the route takes a request body (up to max-body): one that serves a method of AD_METHODS_BODY;
 * the others answer a request that sends one 413. */
bool ad_route_takes_body(ad_route_id_t r);

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
