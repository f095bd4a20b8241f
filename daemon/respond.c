/* The answering path: stats and sending in one place (see respond.h). */
#include "respond.h"

#include <string.h>

#include "clock.h"

static void generator_noop(h2o_generator_t *self, h2o_req_t *req) {}

/* Every body is sent in one final h2o_send, so h2o never needs to ask for more. */
static h2o_generator_t final_generator = {generator_noop, generator_noop};

const char *ad_reason_phrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 431:
        return "Request Header Fields Too Large";
    case 499:
        return "Client Closed Request";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Unknown";
    }
}

static void send_body(h2o_req_t *req, int status, const char *content_type, const char *body, size_t len)
{
    /*
     * Draining (h2o_context_request_shutdown): h2o drops keep-alive only for requests parsed after the
     * signal. An answer to one that was already waiting says "Connection: close" too, so the client does
     * not send another request on a connection that the exit is about to close.
     */
    if (req->conn->ctx->shutdown_requested)
        req->http1_is_persistent = 0;
    req->res.status = status;
    req->res.reason = ad_reason_phrase(status);
    req->res.content_length = len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type, strlen(content_type));
    h2o_start_response(req, &final_generator);
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD")) || len == 0) {
        h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
        return;
    }
    h2o_iovec_t buf = h2o_strdup(&req->pool, body, len);
    h2o_send(req, &buf, 1, H2O_SEND_STATE_FINAL);
}

void ad_answer_hold(ad_exchange_t *x)
{
    if (x->state != AD_EXCHANGE_NEW)
        return;
    x->state = AD_EXCHANGE_HELD;
    ad_stats_request_begin(&x->loop->stats, x->ep);
}

ad_jw_t *ad_answer_body(ad_exchange_t *x, const char *content_type)
{
    ad_jw_reset(&x->loop->jw);
    x->error_open = false;
    x->content_type = content_type;
    return &x->loop->jw;
}

ad_jw_t *ad_answer_json(ad_exchange_t *x)
{
    return ad_answer_body(x, "application/json");
}

void ad_respond_error_begin(ad_jw_t *w, int status, const char *what)
{
    ad_jw_reset(w);
    ad_jw_object_begin(w);
    ad_jw_key(w, "error");
    ad_jw_cstr(w, what);
    ad_jw_key(w, "status");
    ad_jw_int(w, status);
}

ad_jw_t *ad_answer_error(ad_exchange_t *x, int status, const char *what)
{
    ad_jw_t *w = ad_answer_json(x);
    ad_respond_error_begin(w, status, what);
    x->error_open = true;
    return w;
}

void ad_answer_header(ad_exchange_t *x, const h2o_token_t *token, const char *value, size_t len)
{
    h2o_iovec_t v = h2o_strdup(&x->req->pool, value, len);
    h2o_add_header(&x->req->pool, &x->req->res.headers, token, NULL, v.base, v.len);
}

void ad_answer_cancelled(ad_exchange_t *x)
{
    if (x->state == AD_EXCHANGE_HELD)
        ad_stats_request_cancelled(&x->loop->stats, x->ep);
    x->state = AD_EXCHANGE_DONE;
}

void ad_answer_send(ad_exchange_t *x, int status)
{
    static const char oom[] = "{\"error\":\"out of memory\",\"status\":500}";
    ad_jw_t *w = &x->loop->jw;
    if (x->error_open)
        ad_jw_object_end(w);
    x->error_open = false;
    bool failed = ad_jw_failed(w);
    if (failed)
        status = 500;
    if (x->state == AD_EXCHANGE_NEW)
        ad_stats_request_immediate(&x->loop->stats, x->ep, status, ad_mono_ns() - x->t0);
    else if (x->state == AD_EXCHANGE_HELD)
        ad_stats_request_end(&x->loop->stats, x->ep, status, ad_mono_ns() - x->t0);
    x->state = AD_EXCHANGE_DONE;
    if (failed)
        send_body(x->req, 500, "application/json", oom, sizeof(oom) - 1);
    else
        send_body(x->req, status, x->content_type != NULL ? x->content_type : "application/json", w->buf, w->len);
}
