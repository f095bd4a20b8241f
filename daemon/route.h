#ifndef AD_ROUTE_H
#define AD_ROUTE_H
/*
 * Routing (docs/http-api.md): which endpoint a request target names, and whether its method is served.
 * Paths match exactly ("/blocking/x" is 404); a query is allowed everywhere; "/delay/{n}" takes one
 * segment. Pure functions over (pointer, length).
 */
#include <stdbool.h>
#include <stddef.h>
#include "stats.h"

typedef enum {
    AD_ROUTE_NONE = 0, /* unknown path: 404 */
    AD_ROUTE_DELAY,    /* /non-blocking, /blocking, /offload */
    AD_ROUTE_DELAY_N,  /* /delay/{n} */
    AD_ROUTE_STATS,
    AD_ROUTE_METRICS,
    AD_ROUTE_HEALTHZ,
    AD_ROUTE_UI,     /* / and /ui/...: the page (handlers_ui.h) */
    AD_ROUTE_EVENTS, /* /events: the page's live stream */
} ad_route_kind_t;

typedef struct ad_route {
    ad_route_kind_t kind;
    ad_endpoint_t ep; /* AD_EP_OTHER for AD_ROUTE_NONE */
    const char *arg;  /* /delay/{n}: n, still percent-encoded; else NULL */
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

/* GET and HEAD are served everywhere, and /delay/{n} also takes POST, PUT, PATCH and DELETE, as httpbin
 * does; any other method is 405 on a known path. */
bool ad_route_method_allowed(ad_route_kind_t kind, const char *method, size_t len);
/* The Allow header of a 405 on a route of this kind. */
const char *ad_route_allow(ad_route_kind_t kind);
/* Whether a route of this kind takes a request body (up to max-body): /delay/{n} only; the others answer
 * a request that sends one 413. */
static inline bool ad_route_takes_body(ad_route_kind_t kind)
{
    return kind == AD_ROUTE_DELAY_N;
}

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
