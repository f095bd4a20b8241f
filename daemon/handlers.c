/* Routing: exact paths, methods, draining; every handler timed for stall attribution. */
#include "handlers.h"

#include <string.h>

#include "clock.h"
#include "respond.h"

typedef enum { ROUTE_NONE, ROUTE_DELAY, ROUTE_DELAY_N, ROUTE_STATS, ROUTE_METRICS, ROUTE_HEALTHZ } route_kind_t;

typedef struct route {
    const char *path;
    size_t len;
    ad_endpoint_t ep;
    route_kind_t kind;
} route_t;

#define ROUTE(p, ep, kind)                                                                                             \
    {                                                                                                                  \
        p, sizeof(p) - 1, ep, kind                                                                                     \
    }
static const route_t routes[] = {
    ROUTE("/non-blocking", AD_EP_NON_BLOCKING, ROUTE_DELAY), ROUTE("/blocking", AD_EP_BLOCKING, ROUTE_DELAY),
    ROUTE("/offload", AD_EP_OFFLOAD, ROUTE_DELAY),           ROUTE("/stats", AD_EP_STATS, ROUTE_STATS),
    ROUTE("/metrics", AD_EP_METRICS, ROUTE_METRICS),         ROUTE("/healthz", AD_EP_HEALTHZ, ROUTE_HEALTHZ),
};
static const char delay_prefix[] = "/delay/";

static route_t find_route(const char *path, size_t len)
{
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
        if (len == routes[i].len && memcmp(path, routes[i].path, len) == 0)
            return routes[i];
    size_t plen = sizeof(delay_prefix) - 1;
    if (len > plen && memcmp(path, delay_prefix, plen) == 0 && memchr(path + plen, '/', len - plen) == NULL)
        return (route_t){delay_prefix, plen, AD_EP_DELAY, ROUTE_DELAY_N};
    return (route_t){NULL, 0, AD_EP_OTHER, ROUTE_NONE};
}

static void answer_not_found(ad_loop_t *loop, h2o_req_t *req, const char *path, size_t len, int64_t t0)
{
    ad_respond_error_begin(&loop->jw, 404, "not found");
    ad_jw_key(&loop->jw, "path");
    ad_jw_string(&loop->jw, path, len);
    ad_stats_request_immediate(&loop->stats, AD_EP_OTHER, 404, ad_mono_ns() - t0);
    ad_respond_error_end(req, 404, &loop->jw);
}

static void answer_bad_method(ad_loop_t *loop, h2o_req_t *req, int64_t t0)
{
    ad_respond_error_begin(&loop->jw, 405, "method not allowed");
    ad_jw_key(&loop->jw, "allow");
    ad_jw_cstr(&loop->jw, "GET, HEAD");
    ad_respond_header(req, H2O_TOKEN_ALLOW, H2O_STRLIT("GET, HEAD"));
    ad_stats_request_immediate(&loop->stats, AD_EP_OTHER, 405, ad_mono_ns() - t0);
    ad_respond_error_end(req, 405, &loop->jw);
}

static void answer_draining(ad_loop_t *loop, h2o_req_t *req, ad_endpoint_t ep, int64_t t0)
{
    /* HTTP/1: h2o writes "Connection: close" for a non-persistent response; HTTP/2 has GOAWAY instead. */
    req->http1_is_persistent = 0;
    ad_respond_error_begin(&loop->jw, 503, "shutting down");
    ad_stats_request_immediate(&loop->stats, ep, 503, ad_mono_ns() - t0);
    ad_respond_error_end(req, 503, &loop->jw);
}

static int is_get_or_head(const h2o_req_t *req)
{
    return h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) ||
           h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"));
}

static void dispatch(ad_loop_t *loop, h2o_req_t *req, route_t r, const char *path, size_t len, int64_t t0)
{
    switch (r.kind) {
    case ROUTE_DELAY:
        ad_handle_delay(loop, req, r.ep, t0, NULL, 0);
        break;
    case ROUTE_DELAY_N:
        ad_handle_delay(loop, req, r.ep, t0, path + r.len, len - r.len);
        break;
    case ROUTE_STATS:
        ad_handle_stats(loop, req, t0);
        break;
    case ROUTE_METRICS:
        ad_handle_metrics(loop, req, t0);
        break;
    case ROUTE_HEALTHZ:
        ad_handle_healthz(loop, req, t0);
        break;
    case ROUTE_NONE:
        answer_not_found(loop, req, path, len, t0);
        break;
    }
}

/* The path to route on: up to the query; h2o 2.2.5 leaves absolute-form targets ("http://h/stats") as they are. */
static const char *route_path(const h2o_req_t *req, size_t *len)
{
    const char *p = req->path.base;
    size_t n = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    const char *scheme_end = n > 0 && p[0] != '/' ? memmem(p, n, "://", 3) : NULL;
    if (scheme_end != NULL) {
        const char *slash = memchr(scheme_end + 3, '/', (size_t)(p + n - (scheme_end + 3)));
        const char *start = slash != NULL ? slash : p + n;
        n -= (size_t)(start - p);
        p = start;
    }
    *len = n;
    return p;
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    ad_loop_t *loop = ad_loop_of(req->conn->ctx);
    int64_t t0 = ad_mono_ns();
    size_t len;
    const char *path = route_path(req, &len);
    route_t r = find_route(path, len);

    if (r.kind != ROUTE_NONE && !is_get_or_head(req)) {
        r.ep = AD_EP_OTHER;
        answer_bad_method(loop, req, t0);
    } else if (ad_server_draining(loop->server)) {
        answer_draining(loop, req, r.ep, t0);
    } else {
        dispatch(loop, req, r, path, len, t0);
    }
    ad_loop_monitor_note(&loop->monitor, r.ep, ad_mono_ns() - t0);
    return 0;
}

void ad_handlers_register(h2o_hostconf_t *host)
{
    h2o_pathconf_t *root = h2o_config_register_path(host, "/", 0);
    h2o_create_handler(root, sizeof(h2o_handler_t))->on_req = on_req;
    /* Request targets that are not paths ("*", absolute URLs h2o could not map) end up here: 404 as JSON. */
    h2o_create_handler(&host->fallback_path, sizeof(h2o_handler_t))->on_req = on_req;
}
