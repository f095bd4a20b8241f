/* Complete responses with Content-Length (see respond.h). */
#include "respond.h"

#include <string.h>

#include "send_watch.h"

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

void ad_respond_header(h2o_req_t *req, const h2o_token_t *token, const char *value, size_t len)
{
    h2o_iovec_t v = h2o_strdup(&req->pool, value, len);
    h2o_add_header(&req->pool, &req->res.headers, token, NULL, v.base, v.len);
}

void ad_respond(h2o_req_t *req, int status, const char *content_type, const char *body, size_t len)
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
    ad_send_watch_answer(req); /* before h2o_send: a request h2o disposes at once is unwatched in time */
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD")) || len == 0) {
        h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
        return;
    }
    h2o_iovec_t buf = h2o_strdup(&req->pool, body, len);
    h2o_send(req, &buf, 1, H2O_SEND_STATE_FINAL);
}

void ad_respond_json(h2o_req_t *req, int status, ad_jw_t *w)
{
    static const char oom[] = "{\"error\":\"out of memory\",\"status\":500}";
    if (ad_jw_failed(w)) {
        ad_respond(req, 500, "application/json", oom, sizeof(oom) - 1);
        return;
    }
    ad_respond(req, status, "application/json", w->buf, w->len);
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

void ad_respond_error_end(h2o_req_t *req, int status, ad_jw_t *w)
{
    ad_jw_object_end(w);
    ad_respond_json(req, status, w);
}
