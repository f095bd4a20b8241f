/* Routing: every request to its endpoint's handler (endpoint_list.h); every handler timed for stall attribution. */
#include "handlers.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "loop_monitor.h"
#include "request_head.h"
#include "route.h"

static ad_handler_fn *const handlers[AD_ROUTE_COUNT] = {
#define AD_X(id, path, match, methods, slot, gate, handler) [AD_ROUTE_##id] = handler,
    AD_ENDPOINTS(AD_X)
#undef AD_X
};

static ad_gate_fn *const gates[AD_ROUTE_COUNT] = {
#define AD_X(id, path, match, methods, slot, gate, handler) [AD_ROUTE_##id] = gate,
    AD_ENDPOINTS(AD_X)
#undef AD_X
};

bool ad_gate_always(const ad_exchange_t *x)
{
    (void)x;
    return true;
}

static int answer_not_found(ad_exchange_t *x)
{
    ad_jw_t *w = ad_answer_error(x, 404, "not found");
    ad_jw_key(w, "path");
    ad_jw_string(w, x->path, x->path_len);
    return 404;
}

static int answer_bad_method(ad_exchange_t *x, ad_route_id_t r)
{
    char allow[64];
    size_t n = ad_route_allow(r, allow, sizeof(allow));
    ad_jw_t *w = ad_answer_error(x, 405, "method not allowed");
    ad_jw_key(w, "allow");
    ad_jw_string(w, allow, n);
    ad_answer_header(x, H2O_TOKEN_ALLOW, allow, n);
    return 405;
}

static int answer_head_too_large(ad_exchange_t *x, size_t bytes)
{
    ad_jw_t *w = ad_answer_error(x, 431, "request head too large");
    ad_jw_key(w, "size_bytes");
    ad_jw_uint(w, bytes);
    ad_jw_key(w, "limit_bytes");
    ad_jw_uint(w, AD_MAX_REQUEST_HEAD);
    return 431;
}

/* HTTP/1 framing RFC 9112 refuses (request_head.h): 400, and the connection closes after it, so bytes that
 * another parser would read as a second request are never read as one. */
static int answer_bad_head(ad_exchange_t *x, ad_head_verdict_t v)
{
    ad_jw_t *w = ad_answer_error(x, 400, "bad request head");
    ad_jw_key(w, "why");
    ad_jw_cstr(w, ad_head_verdict_text(v));
    x->req->http1_is_persistent = 0;
    ad_stats_connection_closed(&x->loop->stats, AD_CLOSE_BAD_FRAMING);
    return 400;
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

/* 413 for a body the endpoint does not take (limit 0), or over max-body; counted under the endpoint and as a
 * refused body. A body over max-body is read no further than max-body + 1 bytes (over HTTP/2 the rest is
 * dropped, h2_guard.h), so its size is not known and not given. */
static int answer_body_refused(ad_exchange_t *x, bool takes_body, unsigned limit)
{
    ad_jw_t *w = ad_answer_error(x, 413, takes_body ? "request body too large" : "this endpoint takes no request body");
    if (x->req->entity.len <= x->loop->server->cfg.max_body) {
        ad_jw_key(w, "size_bytes");
        ad_jw_uint(w, x->req->entity.len);
    }
    ad_jw_key(w, "limit_bytes");
    ad_jw_uint(w, limit);
    ad_stats_body_refused(&x->loop->stats);
    return 413;
}

static size_t request_head_bytes(const h2o_req_t *req)
{
    size_t fields = 0;
    for (size_t i = 0; i < req->headers.size; i++)
        fields += req->headers.entries[i].name->len + req->headers.entries[i].value.len;
    return ad_route_head_bytes(req->method.len, req->path.len, req->headers.size, fields);
}

/* The status of an answer given now, or AD_ANSWER_LATER. x->ep is the slot the request is counted in. */
static int route(ad_exchange_t *x)
{
    h2o_req_t *req = x->req;
    unsigned max_body = x->loop->server->cfg.max_body;
    ad_route_t r = ad_route_find(x->path, x->path_len);
    x->arg = r.arg;
    x->arg_len = r.arg_len;
    if (r.id != AD_ROUTE_NONE && !gates[r.id](x))
        r = ad_route_find("", 0); /* not there for this request: a 404 like any unknown path */
    size_t head = request_head_bytes(req);
    ad_head_verdict_t verdict = check_http1_head(req);
    if (verdict != AD_HEAD_OK)
        return answer_bad_head(x, verdict);
    if (head > AD_MAX_REQUEST_HEAD)
        return answer_head_too_large(x, head);
    if (r.id != AD_ROUTE_NONE && !ad_route_method_allowed(r.id, req->method.base, req->method.len))
        return answer_bad_method(x, r.id);
    x->ep = r.ep;
    if (r.id != AD_ROUTE_NONE && req->entity.len > 0 && !ad_route_takes_body(r.id))
        return answer_body_refused(x, false, 0);
    if (req->entity.len > max_body)
        return answer_body_refused(x, true, max_body);
    if (r.id == AD_ROUTE_NONE)
        return answer_not_found(x);
    x->counted = r.counted;
    return handlers[r.id](x);
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    ad_loop_t *loop = ad_loop_of(req->conn->ctx);
    ad_exchange_t x = {.loop = loop, .req = req, .ep = AD_EP_OTHER, .counted = true, .t0 = ad_mono_ns()};
    x.path = ad_route_path(req->path.base, req->path.len, req->query_at, &x.path_len);
    bool first = ad_server_claim_first_request(req);

    int status = route(&x);
    if (status != AD_ANSWER_LATER)
        ad_answer_send(&x, status);
    if (first)
        ad_server_first_request_done(loop->server);
    ad_loop_monitor_note(&loop->monitor, x.ep, ad_mono_ns() - x.t0);
    return 0;
}

void ad_handlers_register(h2o_hostconf_t *host)
{
    h2o_pathconf_t *root = h2o_config_register_path(host, "/", 0);
    h2o_create_handler(root, sizeof(h2o_handler_t))->on_req = on_req;
    /* Request targets that are not paths ("*", absolute URLs h2o could not map) end up here: 404 as JSON. */
    h2o_create_handler(&host->fallback_path, sizeof(h2o_handler_t))->on_req = on_req;
    ad_respond_filters(root, &host->fallback_path);
}
