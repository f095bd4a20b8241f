#ifndef AD_ENDPOINT_LIST_H
#define AD_ENDPOINT_LIST_H
/*
 * Every endpoint of the HTTP API (docs/http-api.md), declared once. Each X(ID, PATH, MATCH, METHODS, SLOT,
 * GATE, HANDLER):
 *   ID       the route AD_ROUTE_<ID>, and with SLOT OWN the stats slot AD_EP_<ID> (daemon/stats.h);
 *   PATH     the path, also the endpoint's name in /stats, /metrics and logs;
 *   MATCH    EXACT: PATH only; SEGMENT: PATH + "/" + one non-empty segment, handed to the handler (x->arg);
 *            PREFIX: PATH + "/" + anything non-empty (x->arg); TREE: PATH (x->arg NULL) or PATH + "/" + anything,
 *            also nothing (x->arg, maybe empty);
 *   METHODS  AD_METHOD_* bits served; other methods get 405 with an Allow header built from them. An
 *            endpoint with a method of AD_METHODS_BODY takes a request body (up to max-body), the others 413;
 *   SLOT     OWN: counted in its own slot of /stats and /metrics, in this order; OTHER: counted as "other";
 *            NONE: not counted (the page and its stream watch the figures, they are not part of them);
 *   GATE     AD_ALWAYS, or bool GATE(const ad_exchange_t *x): whether the endpoint is there for this request
 *            (the page with `ui = off`, a file it does not have): when not, a 404 like any unknown path;
 *   HANDLER  int HANDLER(ad_exchange_t *x), in the endpoint's own file (daemon/handlers.h).
 * The daemon's routing (route.c), stats slots and names (stats.c), handler table (handlers.c) and --help
 * (config.c), and asyncdemoctl stats' endpoint order (stats_view.c) all expand this list; a new endpoint
 * is one line here plus its handler. Only the daemon expands GATE and HANDLER.
 */

#define AD_METHOD_GET 1u
#define AD_METHOD_HEAD 2u
#define AD_METHOD_POST 4u
#define AD_METHOD_PUT 8u
#define AD_METHOD_PATCH 16u
#define AD_METHOD_DELETE 32u
#define AD_METHODS_READ (AD_METHOD_GET | AD_METHOD_HEAD)
#define AD_METHODS_BODY (AD_METHOD_POST | AD_METHOD_PUT | AD_METHOD_PATCH | AD_METHOD_DELETE)

#define AD_ENDPOINTS(X)                                                                                                \
    X(NON_BLOCKING, "/non-blocking", EXACT, AD_METHODS_READ, OWN, AD_ALWAYS, ad_serve_delay)                           \
    X(BLOCKING, "/blocking", EXACT, AD_METHODS_READ, OWN, AD_ALWAYS, ad_serve_delay)                                   \
    X(OFFLOAD, "/offload", EXACT, AD_METHODS_READ, OWN, AD_ALWAYS, ad_serve_delay)                                     \
    X(DELAY, "/delay", SEGMENT, AD_METHODS_READ | AD_METHODS_BODY, OWN, AD_ALWAYS, ad_serve_delay)                     \
    X(STATUS, "/status", SEGMENT, AD_METHODS_READ | AD_METHODS_BODY, OWN, AD_ALWAYS, ad_serve_status)                  \
    X(DRIP, "/drip", EXACT, AD_METHODS_READ, OWN, AD_ALWAYS, ad_serve_drip)                                            \
    X(BYTES, "/bytes", SEGMENT, AD_METHODS_READ, OWN, AD_ALWAYS, ad_serve_bytes)                                       \
    X(STREAM, "/stream", SEGMENT, AD_METHODS_READ, OWN, AD_ALWAYS, ad_serve_stream)                                    \
    X(ANYTHING, "/anything", TREE, AD_METHODS_READ | AD_METHODS_BODY, OWN, AD_ALWAYS, ad_serve_anything)               \
    X(STATS, "/stats", EXACT, AD_METHODS_READ, OWN, AD_ALWAYS, ad_serve_stats)                                         \
    X(METRICS, "/metrics", EXACT, AD_METHODS_READ, OWN, AD_ALWAYS, ad_serve_metrics)                                   \
    X(HEALTHZ, "/healthz", EXACT, AD_METHODS_READ, OWN, AD_ALWAYS, ad_serve_healthz)                                   \
    X(PAGE, "/", EXACT, AD_METHODS_READ, NONE, ad_page_present, ad_serve_page)                                         \
    X(PAGE_FILES, "/ui", PREFIX, AD_METHODS_READ, NONE, ad_page_present, ad_serve_page)                                \
    X(EVENTS, "/events", EXACT, AD_METHODS_READ, NONE, ad_ui_on, ad_serve_events)

/* Expands to its arguments for an endpoint with a slot of its own, to nothing for the others:
 * AD_ENDPOINT_IF_OWN_##SLOT(...). */
#define AD_ENDPOINT_IF_OWN_OWN(...) __VA_ARGS__
#define AD_ENDPOINT_IF_OWN_OTHER(...)
#define AD_ENDPOINT_IF_OWN_NONE(...)

/* How --help shows a path: "/stats", "/delay/{n}", "/ui/...", "/anything[/...]". */
#define AD_ENDPOINT_USAGE_EXACT(path) path
#define AD_ENDPOINT_USAGE_SEGMENT(path) path "/{n}"
#define AD_ENDPOINT_USAGE_PREFIX(path) path "/..."
#define AD_ENDPOINT_USAGE_TREE(path) path "[/...]"

#endif
