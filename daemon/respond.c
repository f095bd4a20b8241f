/* Complete responses with Content-Length (see respond.h). */
#include "respond.h"

#include <string.h>

#include "send_watch.h"
#include "delay_json.h"

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
    case 413:
        return "Content Too Large";
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

/*
 * HTTP/1: h2o writes its own header names canonical ("Date", "Connection", "Content-Length", "Server")
 * and a token's name lower case, so ours go out canonical too ("Content-Type"), under a name of their own
 * rather than the token. HTTP/2 requires lower case: the token as it is. value must outlive the request.
 */
static void add_header(h2o_req_t *req, const h2o_token_t *token, const char *value, size_t len)
{
    if (req->version >= 0x200) {
        h2o_add_header(&req->pool, &req->res.headers, token, NULL, value, len);
        return;
    }
    char *name = h2o_mem_alloc_pool(&req->pool, token->buf.len);
    ad_title_case(token->buf.base, token->buf.len, name);
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, token->buf.len, 0, NULL, value, len);
}

void ad_respond_header(h2o_req_t *req, const h2o_token_t *token, const char *value, size_t len)
{
    h2o_iovec_t v = h2o_strdup(&req->pool, value, len);
    add_header(req, token, v.base, v.len);
}

/* body[0..len) and, when newline, a '\n' copied into the request's pool. */
static h2o_iovec_t pool_copy(h2o_req_t *req, const char *body, size_t len, bool newline)
{
    h2o_iovec_t buf = h2o_iovec_init(h2o_mem_alloc_pool(&req->pool, len + newline), len + newline);
    memcpy(buf.base, body, len);
    if (newline)
        buf.base[len] = '\n';
    return buf;
}

/* Sends body[0..len) and, when newline, a '\n' after it. */
static void respond(h2o_req_t *req, int status, const char *content_type, const char *body, size_t len, bool newline)
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
    req->res.content_length = len + newline;
    add_header(req, H2O_TOKEN_CONTENT_TYPE, content_type, strlen(content_type));
    h2o_start_response(req, &final_generator);
    ad_send_watch_answer(req); /* before h2o_send: a request h2o disposes at once is unwatched in time */
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD")) || req->res.content_length == 0) {
        h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
        return;
    }
    h2o_iovec_t buf = pool_copy(req, body, len, newline);
    h2o_send(req, &buf, 1, H2O_SEND_STATE_FINAL);
}

void ad_respond(h2o_req_t *req, int status, const char *content_type, const char *body, size_t len)
{
    respond(req, status, content_type, body, len, false);
}

static const char oom[] = "{\"error\":\"out of memory\",\"status\":500}";

void ad_respond_json(h2o_req_t *req, int status, ad_jw_t *w)
{
    if (ad_jw_failed(w)) {
        respond(req, 500, "application/json", oom, sizeof(oom) - 1, true);
        return;
    }
    respond(req, status, "application/json", w->buf, w->len, true);
}

h2o_iovec_t ad_respond_json_body(h2o_req_t *req, const ad_jw_t *w)
{
    if (ad_jw_failed(w))
        return pool_copy(req, oom, sizeof(oom) - 1, true);
    return pool_copy(req, w->buf, w->len, true);
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
