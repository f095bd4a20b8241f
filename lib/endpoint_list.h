#ifndef AD_ENDPOINT_LIST_H
#define AD_ENDPOINT_LIST_H
/*
 * Every endpoint of the HTTP API (docs/http-api.md), declared once. Each X(ID, PATH, MATCH, METHODS, HANDLER):
 *   ID       the stats slot AD_EP_<ID> (stats.h), in this order in /stats, /metrics and --help;
 *   PATH     the path, also the endpoint's name in /stats, /metrics and logs;
 *   MATCH    EXACT: PATH only; SEGMENT: PATH + "/" + one non-empty segment, handed to the handler (x->arg);
 *   METHODS  AD_METHOD_* bits served; other methods get 405 with an Allow header built from them;
 *   HANDLER  int HANDLER(ad_exchange_t *x) in the endpoint's own file (endpoints.h).
 * The daemon's routing (route.c), stats slots and names (stats.c), handler table (handlers.c) and --help
 * (config.c), and asyncdemoctl stats' endpoint order (stats_view.c) all expand this list; a new endpoint
 * is one line here plus its handler. Only the daemon expands HANDLER.
 */

#define AD_METHOD_GET 1u
#define AD_METHOD_HEAD 2u

#define AD_ENDPOINTS(X)                                                                                                \
    X(NON_BLOCKING, "/non-blocking", EXACT, AD_METHOD_GET | AD_METHOD_HEAD, ad_serve_delay)                            \
    X(BLOCKING, "/blocking", EXACT, AD_METHOD_GET | AD_METHOD_HEAD, ad_serve_delay)                                    \
    X(OFFLOAD, "/offload", EXACT, AD_METHOD_GET | AD_METHOD_HEAD, ad_serve_delay)                                      \
    X(DELAY, "/delay", SEGMENT, AD_METHOD_GET | AD_METHOD_HEAD, ad_serve_delay)                                        \
    X(STATS, "/stats", EXACT, AD_METHOD_GET | AD_METHOD_HEAD, ad_serve_stats)                                          \
    X(METRICS, "/metrics", EXACT, AD_METHOD_GET | AD_METHOD_HEAD, ad_serve_metrics)                                    \
    X(HEALTHZ, "/healthz", EXACT, AD_METHOD_GET | AD_METHOD_HEAD, ad_serve_healthz)

/* How --help shows a path: "/stats", "/delay/{n}". */
#define AD_ENDPOINT_USAGE_EXACT(path) path
#define AD_ENDPOINT_USAGE_SEGMENT(path) path "/{n}"

#endif
