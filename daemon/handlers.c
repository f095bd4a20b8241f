/* Routing: every request to its endpoint's handler (endpoint_list.h); every handler timed for stall attribution. */
#include "handlers.h"

#include "clock.h"
#include "loop_monitor.h"
#include "route.h"

static ad_handler_fn *const handlers[AD_EP_OTHER] = {
#define AD_X(id, path, match, methods, handler) [AD_EP_##id] = handler,
    AD_ENDPOINTS(AD_X)
#undef AD_X
};

static int answer_not_found(ad_exchange_t *x, const char *path, size_t len)
{
    ad_jw_t *w = ad_answer_error(x, 404, "not found");
    ad_jw_key(w, "path");
    ad_jw_string(w, path, len);
    return 404;
}

static int answer_bad_method(ad_exchange_t *x, ad_endpoint_t ep)
{
    const char *allow = ad_route_allow(ep);
    ad_jw_t *w = ad_answer_error(x, 405, "method not allowed");
    ad_jw_key(w, "allow");
    ad_jw_cstr(w, allow);
    ad_answer_header(x, H2O_TOKEN_ALLOW, allow, strlen(allow));
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

static size_t request_head_bytes(const h2o_req_t *req)
{
    size_t fields = 0;
    for (size_t i = 0; i < req->headers.size; i++)
        fields += req->headers.entries[i].name->len + req->headers.entries[i].value.len;
    return ad_route_head_bytes(req->method.len, req->path.len, req->headers.size, fields);
}

/* The status of an answer given now, or AD_ANSWER_LATER. x->ep is the slot the request is counted in. */
static int route(ad_exchange_t *x, const char *path, size_t len)
{
    h2o_req_t *req = x->req;
    ad_route_t r = ad_route_find(path, len);
    size_t head = request_head_bytes(req);
    if (head > AD_MAX_REQUEST_HEAD)
        return answer_head_too_large(x, head);
    if (r.ep == AD_EP_OTHER)
        return answer_not_found(x, path, len);
    if (!ad_route_method_allowed(r.ep, req->method.base, req->method.len))
        return answer_bad_method(x, r.ep);
    x->ep = r.ep;
    x->arg = r.arg;
    x->arg_len = r.arg_len;
    return handlers[r.ep](x);
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    ad_loop_t *loop = ad_loop_of(req->conn->ctx);
    ad_exchange_t x = {.loop = loop, .req = req, .ep = AD_EP_OTHER, .t0 = ad_mono_ns()};
    size_t len;
    const char *path = ad_route_path(req->path.base, req->path.len, req->query_at, &len);
    bool first = ad_server_claim_first_request(req);

    int status = route(&x, path, len);
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
}
