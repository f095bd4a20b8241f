/* Routing: exact paths and methods; every handler timed for stall attribution. */
#include "handlers.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "request_head.h"
#include "handlers_ui.h"
#include "respond.h"
#include "route.h"

static void answer_not_found(ad_loop_t *loop, h2o_req_t *req, const char *path, size_t len, int64_t t0)
{
    ad_respond_error_begin(&loop->jw, 404, "not found");
    ad_jw_key(&loop->jw, "path");
    ad_jw_string(&loop->jw, path, len);
    ad_stats_request_immediate(&loop->stats, AD_EP_OTHER, 404, ad_mono_ns() - t0);
    ad_respond_error_end(req, 404, &loop->jw);
}

static void answer_bad_method(ad_loop_t *loop, h2o_req_t *req, ad_route_kind_t kind, int64_t t0)
{
    const char *allow = ad_route_allow(kind);
    ad_respond_error_begin(&loop->jw, 405, "method not allowed");
    ad_jw_key(&loop->jw, "allow");
    ad_jw_cstr(&loop->jw, allow);
    ad_respond_header(req, H2O_TOKEN_ALLOW, allow, strlen(allow));
    ad_stats_request_immediate(&loop->stats, AD_EP_OTHER, 405, ad_mono_ns() - t0);
    ad_respond_error_end(req, 405, &loop->jw);
}

static void answer_head_too_large(ad_loop_t *loop, h2o_req_t *req, size_t bytes, int64_t t0)
{
    ad_respond_error_begin(&loop->jw, 431, "request head too large");
    ad_jw_key(&loop->jw, "size_bytes");
    ad_jw_uint(&loop->jw, bytes);
    ad_jw_key(&loop->jw, "limit_bytes");
    ad_jw_uint(&loop->jw, AD_MAX_REQUEST_HEAD);
    ad_stats_request_immediate(&loop->stats, AD_EP_OTHER, 431, ad_mono_ns() - t0);
    ad_respond_error_end(req, 431, &loop->jw);
}

/* HTTP/1 framing RFC 9112 refuses (request_head.h): 400, and the connection closes after it, so bytes that
 * another parser would read as a second request are never read as one. */
static void answer_bad_head(ad_loop_t *loop, h2o_req_t *req, ad_head_verdict_t v, int64_t t0)
{
    ad_respond_error_begin(&loop->jw, 400, "bad request head");
    ad_jw_key(&loop->jw, "why");
    ad_jw_cstr(&loop->jw, ad_head_verdict_text(v));
    req->http1_is_persistent = 0;
    ad_stats_request_immediate(&loop->stats, AD_EP_OTHER, 400, ad_mono_ns() - t0);
    ad_stats_connection_closed(&loop->stats, AD_CLOSE_BAD_FRAMING);
    ad_respond_error_end(req, 400, &loop->jw);
}

/* HTTP/1: h2o leaves the raw request head at the start of the connection's input until the answer is sent. */
static ad_head_verdict_t check_http1_head(h2o_req_t *req)
{
    if (req->version >= 0x200 || req->conn->callbacks->get_socket == NULL)
        return AD_HEAD_OK;
    h2o_socket_t *sock = req->conn->callbacks->get_socket(req->conn);
    if (sock == NULL || sock->input == NULL)
        return AD_HEAD_OK;
    return ad_request_head_check(sock->input->bytes, sock->input->size);
}

/* 413 for a body the endpoint does not take (limit 0), or over max-body; counted under ep and as a refused body. */
static void answer_body_refused(ad_loop_t *loop, h2o_req_t *req, ad_endpoint_t ep, bool takes_body, unsigned limit,
                                int64_t t0)
{
    ad_respond_error_begin(&loop->jw, 413,
                           takes_body ? "request body too large" : "this endpoint takes no request body");
    ad_jw_key(&loop->jw, "size_bytes");
    ad_jw_uint(&loop->jw, req->entity.len);
    ad_jw_key(&loop->jw, "limit_bytes");
    ad_jw_uint(&loop->jw, limit);
    ad_stats_body_refused(&loop->stats);
    ad_stats_request_immediate(&loop->stats, ep, 413, ad_mono_ns() - t0);
    ad_respond_error_end(req, 413, &loop->jw);
}

static size_t request_head_bytes(const h2o_req_t *req)
{
    size_t fields = 0;
    for (size_t i = 0; i < req->headers.size; i++)
        fields += req->headers.entries[i].name->len + req->headers.entries[i].value.len;
    return ad_route_head_bytes(req->method.len, req->path.len, req->headers.size, fields);
}

static void dispatch(ad_loop_t *loop, h2o_req_t *req, ad_route_t r, const char *path, size_t len, int64_t t0,
                     const ad_ui_asset_t *asset)
{
    switch (r.kind) {
    case AD_ROUTE_DELAY:
        ad_handle_delay(loop, req, r.ep, t0, NULL, 0);
        break;
    case AD_ROUTE_DELAY_N:
        ad_handle_delay(loop, req, r.ep, t0, r.arg, r.arg_len);
        break;
    case AD_ROUTE_STATS:
        ad_handle_stats(loop, req, t0);
        break;
    case AD_ROUTE_METRICS:
        ad_handle_metrics(loop, req, t0);
        break;
    case AD_ROUTE_HEALTHZ:
        ad_handle_healthz(loop, req, t0);
        break;
    case AD_ROUTE_UI:
        ad_handle_ui(req, asset);
        break;
    case AD_ROUTE_EVENTS:
        ad_handle_events(loop, req);
        break;
    case AD_ROUTE_NONE:
        answer_not_found(loop, req, path, len, t0);
        break;
    }
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    ad_loop_t *loop = ad_loop_of(req->conn->ctx);
    int64_t t0 = ad_mono_ns();
    size_t len;
    const char *path = ad_route_path(req->path.base, req->path.len, req->query_at, &len);
    ad_route_t r = ad_route_find(path, len);
    const ad_ui_asset_t *asset = r.kind == AD_ROUTE_UI ? ad_ui_asset_find(path, len) : NULL;
    bool page = r.kind == AD_ROUTE_UI || r.kind == AD_ROUTE_EVENTS;
    if (page && (!loop->server->cfg.ui || (r.kind == AD_ROUTE_UI && asset == NULL)))
        r.kind = AD_ROUTE_NONE; /* no such page file, or ui = off: a 404 like any unknown path */
    size_t head = request_head_bytes(req);
    bool first = ad_server_claim_first_request(req);
    ad_head_verdict_t verdict = check_http1_head(req);

    if (verdict != AD_HEAD_OK) {
        r.ep = AD_EP_OTHER;
        answer_bad_head(loop, req, verdict, t0);
    } else if (head > AD_MAX_REQUEST_HEAD) {
        r.ep = AD_EP_OTHER;
        answer_head_too_large(loop, req, head, t0);
    } else if (r.kind != AD_ROUTE_NONE && !ad_route_method_allowed(r.kind, req->method.base, req->method.len)) {
        r.ep = AD_EP_OTHER;
        answer_bad_method(loop, req, r.kind, t0);
    } else if (r.kind != AD_ROUTE_NONE && req->entity.len > 0 && !ad_route_takes_body(r.kind)) {
        answer_body_refused(loop, req, r.ep, false, 0, t0);
    } else if (req->entity.len > loop->server->cfg.max_body) {
        answer_body_refused(loop, req, r.ep, true, loop->server->cfg.max_body, t0);
    } else {
        dispatch(loop, req, r, path, len, t0, asset);
    }
    if (first)
        ad_server_first_request_done(loop->server);
    ad_loop_monitor_note(&loop->monitor, r.ep, ad_mono_ns() - t0);
    return 0;
}

/* ---- h2o's own error answers ---- */

/*
 * Some requests are answered by h2o before any handler runs: a body over max-body (413), a broken chunked
 * body (400), an unknown Expect (417). h2o sends them through the host's fallback path with a plain-text
 * body. This filter makes them like every other answer (a JSON error, canonical HTTP/1 header names) and
 * counts them under their endpoint (and a 413 as a refused body).
 */
typedef struct library_error {
    h2o_ostream_t super;
    h2o_iovec_t body;
} library_error_t;

static void library_error_send(h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *bufs, size_t n, h2o_send_state_t state)
{
    library_error_t *e = (library_error_t *)self;
    /* h2o's text is dropped; ours goes out in its place (no body at all for HEAD, where h2o sends none). */
    bool ours = n > 0 && e->body.len > 0;
    (void)bufs;
    h2o_ostream_send_next(&e->super, req, ours ? &e->body : NULL, ours ? 1 : 0, state);
    e->body = h2o_iovec_init(NULL, 0);
}

static bool is_library_error(h2o_req_t *req)
{
    ssize_t i = h2o_find_header(&req->res.headers, H2O_TOKEN_CONTENT_TYPE, -1);
    return req->res.status >= 400 && i >= 0 &&
           h2o_memis(req->res.headers.entries[i].value.base, 10, H2O_STRLIT("text/plain"));
}

static void on_library_error(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    if (is_library_error(req)) {
        ad_loop_t *loop = ad_loop_of(req->conn->ctx);
        int status = req->res.status;
        const char *q = memchr(req->input.path.base, '?', req->input.path.len);
        size_t len, query_at = q != NULL ? (size_t)(q - req->input.path.base) : SIZE_MAX;
        const char *path = ad_route_path(req->input.path.base, req->input.path.len, query_at, &len);
        ad_endpoint_t ep = ad_route_find(path, len).ep;
        struct timeval begun = req->timestamps.request_begin_at;
        int64_t since = ad_wall_ns() - ((int64_t)begun.tv_sec * AD_NS_PER_SEC + (int64_t)begun.tv_usec * AD_NS_PER_US);

        char what[64];
        snprintf(what, sizeof(what), "%s", status == 413 ? "request body too large" : req->res.reason);
        for (char *c = what; *c != '\0'; c++)
            *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
        ad_respond_error_begin(&loop->jw, status, what);
        if (status == 413) {
            ad_jw_key(&loop->jw, "limit_bytes");
            ad_jw_uint(&loop->jw, loop->server->cfg.max_body);
            ad_stats_body_refused(&loop->stats);
        }
        ad_jw_object_end(&loop->jw);
        ad_stats_request_immediate(&loop->stats, ep, status, since > 0 && begun.tv_sec != 0 ? since : 0);

        library_error_t *e = (library_error_t *)h2o_add_ostream(req, sizeof(*e), slot);
        e->super.do_send = library_error_send;
        e->body = ad_respond_json_body(req, &loop->jw);
        memset(&req->res.headers, 0, sizeof(req->res.headers));
        ad_respond_header(req, H2O_TOKEN_CONTENT_TYPE, H2O_STRLIT("application/json"));
        req->res.content_length = e->body.len;
        if (strcmp(ad_reason_phrase(status), "Unknown") != 0)
            req->res.reason = ad_reason_phrase(status);
        slot = &e->super.next;
    }
    h2o_setup_next_ostream(req, slot);
}

void ad_handlers_register(h2o_hostconf_t *host)
{
    h2o_pathconf_t *root = h2o_config_register_path(host, "/", 0);
    h2o_create_handler(root, sizeof(h2o_handler_t))->on_req = on_req;
    /* Request targets that are not paths ("*", absolute URLs h2o could not map) end up here: 404 as JSON. */
    h2o_create_handler(&host->fallback_path, sizeof(h2o_handler_t))->on_req = on_req;
    h2o_create_filter(&host->fallback_path, sizeof(h2o_filter_t))->on_setup_ostream = on_library_error;
}
