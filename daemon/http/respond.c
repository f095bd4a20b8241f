/* The answering path: stats and sending in one place (see respond.h). */
#include "respond.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "clock.h"
#include "digits.h"
#include "route.h"
#include "send_watch.h"
#include "text_escape.h"
#include "version.h"

static void generator_noop(h2o_generator_t *self, h2o_req_t *req) {}

/* Every body is sent in one final h2o_send (or pulled at once), so h2o never needs to ask for more. */
static h2o_generator_t final_generator = {generator_noop, generator_noop};

/* RFC 9110's reason phrases, and 418, 429 and 499, which clients test against. */
static const struct {
    int status;
    const char *phrase;
} reasons[] = {
    {100, "Continue"},
    {101, "Switching Protocols"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {203, "Non-Authoritative Information"},
    {204, "No Content"},
    {205, "Reset Content"},
    {206, "Partial Content"},
    {300, "Multiple Choices"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {305, "Use Proxy"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {402, "Payment Required"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {407, "Proxy Authentication Required"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Content Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Range Not Satisfiable"},
    {417, "Expectation Failed"},
    {418, "I'm a teapot"},
    {421, "Misdirected Request"},
    {422, "Unprocessable Content"},
    {425, "Too Early"},
    {426, "Upgrade Required"},
    {428, "Precondition Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {451, "Unavailable For Legal Reasons"},
    {499, "Client Closed Request"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
    {505, "HTTP Version Not Supported"},
    {511, "Network Authentication Required"},
};

const char *ad_reason_phrase(int status)
{
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        if (reasons[i].status == status)
            return reasons[i].phrase;
    return "Unknown";
}

/*
 * HTTP/1: h2o writes its own header names canonical ("Date", "Connection", "Content-Length", "Server")
 * and a token's name lower case, so ours go out canonical too ("Content-Type"), under a name of their own
 * rather than the token. HTTP/2 requires lower case: the token as it is. value must outlive the request.
 */
void ad_respond_header_named(h2o_req_t *req, const char *name, size_t name_len, const char *value, size_t len)
{
    if (req->version < 0x200) {
        char *cased = h2o_mem_alloc_pool(&req->pool, name_len);
        ad_title_case(name, name_len, cased);
        name = cased;
    }
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, name_len, req->version >= 0x200, NULL, value, len);
}

/* A header on every answer, its HTTP/1 name given canonical as static text (no case copy per answer). */
static void add_header_spelled(h2o_req_t *req, const h2o_token_t *token, const char *canonical, const char *value,
                               size_t len)
{
    if (req->version >= 0x200)
        h2o_add_header(&req->pool, &req->res.headers, token, NULL, value, len);
    else
        h2o_add_header_by_str(&req->pool, &req->res.headers, canonical, token->buf.len, 0, NULL, value, len);
}

static void add_header(h2o_req_t *req, const h2o_token_t *token, const char *value, size_t len)
{
    if (token == H2O_TOKEN_CONTENT_TYPE)
        add_header_spelled(req, token, "Content-Type", value, len);
    else if (req->version >= 0x200)
        h2o_add_header(&req->pool, &req->res.headers, token, NULL, value, len);
    else
        ad_respond_header_named(req, token->buf.base, token->buf.len, value, len);
}

/*
 * Server-Timing (W3C; drawn by browsers' developer tools): wait = arrival at the handler to this answer (its
 * head, for a streamed one), and for /offload queue = how long its job waited for a worker, in milliseconds. h2o 2.2.5
 * has no token for it: the name as each protocol writes it, from static text.
 */
static void add_server_timing(ad_exchange_t *x, int64_t now)
{
    h2o_req_t *req = x->req;
    /* milliseconds with 3 decimals: the seconds formatter (digits.h, no snprintf on this path) on ns x 1000 */
    char *v = h2o_mem_alloc_pool(&req->pool, 2 * AD_SECONDS_MAX + 32), *p = v;
    memcpy(p, "wait;dur=", 9);
    p += 9;
    p += ad_seconds_fixed((now - x->t0) * 1000, 3, p);
    if (x->queued) { /* /offload: how long its job waited for a worker */
        memcpy(p, ", queue;dur=", 12);
        p += 12;
        p += ad_seconds_fixed(x->queue_ns * 1000, 3, p);
    }
    bool h2 = req->version >= 0x200;
    h2o_add_header_by_str(&req->pool, &req->res.headers, h2 ? "server-timing" : "Server-Timing", 13, 0, NULL, v,
                          (size_t)(p - v));
}

/* hsts-max-age: Strict-Transport-Security on answers over TLS only (a cleartext one would be ignored by browsers,
 * RFC 6797 8.1, and must not claim what the connection is not); off (0) by default, as suits a test server. */
static void add_hsts(h2o_req_t *req)
{
    unsigned max_age =
        atomic_load_explicit(&ad_loop_of(req->conn->ctx)->server->live.hsts_max_age, memory_order_relaxed);
    if (max_age == 0)
        return;
    h2o_socket_t *sock = req->conn->callbacks->get_socket ? req->conn->callbacks->get_socket(req->conn) : NULL;
    if (sock == NULL || sock->ssl == NULL)
        return;
    char *v = h2o_mem_alloc_pool(&req->pool, 24);
    int n = snprintf(v, 24, "max-age=%u", max_age);
    add_header(req, H2O_TOKEN_STRICT_TRANSPORT_SECURITY, v, (size_t)n);
}

/* The headers every answer of the daemon carries besides its own: Server-Timing, and over TLS HSTS. */
static void add_common_headers(ad_exchange_t *x, int64_t now)
{
    add_server_timing(x, now);
    add_hsts(x->req);
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

/*
 * HTTP/1: h2o writes a pushed answer (h2o_send) as two buffers, its head and the body, which over TLS are two
 * records; the client reads and decrypts each (wrk spent a fifth more CPU per answer than on standalone h2o's
 * one). Pulled, h2o flattens the head into a buffer with room for the body and asks for the body there: one
 * buffer, one record. h2o's HTTP/2 has no pull (it writes a turn's frames together anyway).
 */
#define PULL_BODY_MAX 16384 /* a TLS record's payload */

typedef struct {
    h2o_generator_t super;
    const char *body; /* the caller's: h2o pulls it before start_pull returns (a remainder is copied) */
    size_t len;       /* of body, still to give h2o */
    bool newline;     /* a '\n' to give after it */
} pulled_answer_t;

static h2o_send_state_t pull_body(h2o_generator_t *gen, h2o_req_t *req, h2o_iovec_t *buf)
{
    (void)req;
    pulled_answer_t *a = (pulled_answer_t *)gen;
    size_t n = a->len < buf->len ? a->len : buf->len;
    memcpy(buf->base, a->body, n);
    a->body += n;
    a->len -= n;
    if (a->len == 0 && a->newline && n < buf->len) {
        buf->base[n++] = '\n';
        a->newline = false;
    }
    buf->len = n;
    return a->len == 0 && !a->newline ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS;
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
    /* RFC 9110: 204 and 304 have no body, and a 204 no Content-Length (h2o then frames neither). */
    bool bodiless = status == 204 || status == 304;
    req->res.status = status;
    req->res.reason = ad_reason_phrase(status);
    req->res.content_length = bodiless ? SIZE_MAX : len + newline;
    if (!bodiless)
        add_header(req, H2O_TOKEN_CONTENT_TYPE, content_type, strlen(content_type));
    bool no_body = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD")) || bodiless || len + newline == 0;
    pulled_answer_t *pulled = NULL;
    if (!no_body && req->version < 0x200 && len + newline <= PULL_BODY_MAX) {
        pulled = h2o_mem_alloc_pool(&req->pool, sizeof(*pulled));
        *pulled = (pulled_answer_t){{generator_noop, generator_noop}, body, len, newline};
    }
    h2o_start_response(req, pulled != NULL ? &pulled->super : &final_generator);
    ad_send_watch_answer(req); /* before h2o_send: a request h2o disposes at once is unwatched in time */
    if (no_body) {
        h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
        return;
    }
    if (pulled != NULL && req->_ostr_top->start_pull != NULL) { /* as h2o's own file handler does */
        req->_ostr_top->start_pull(req->_ostr_top, pull_body);
        if (pulled->len > 0 || pulled->newline) { /* not all pulled yet: what is left must outlive the caller's */
            h2o_iovec_t rest = pool_copy(req, pulled->body, pulled->len, false);
            pulled->body = rest.base;
        }
        return;
    }
    h2o_iovec_t buf = pool_copy(req, body, len, newline);
    h2o_send(req, &buf, 1, H2O_SEND_STATE_FINAL);
}

static const char oom[] = "{\"error\":\"out of memory\",\"status\":500}";

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

/* ---- the exchange ---- */

void ad_answer_hold(ad_exchange_t *x)
{
    if (x->state != AD_EXCHANGE_NEW)
        return;
    x->state = AD_EXCHANGE_HELD;
    if (x->counted)
        ad_stats_request_begin(&x->loop->stats, x->ep);
}

ad_jw_t *ad_answer_body(ad_exchange_t *x, const char *content_type)
{
    ad_jw_reset(&x->loop->jw);
    x->error_open = false;
    x->content_type = content_type;
    x->json = false;
    x->body = NULL;
    return &x->loop->jw;
}

ad_jw_t *ad_answer_json(ad_exchange_t *x)
{
    ad_jw_t *w = ad_answer_body(x, "application/json");
    x->json = true;
    return w;
}

void ad_answer_static(ad_exchange_t *x, const char *content_type, const void *body, size_t len)
{
    ad_answer_body(x, content_type);
    x->body = body;
    x->body_len = len;
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
    ad_respond_header(x->req, token, value, len);
}

void ad_answer_cancelled(ad_exchange_t *x)
{
    if (x->state == AD_EXCHANGE_HELD && x->counted)
        ad_stats_request_cancelled(&x->loop->stats, x->ep);
    x->state = AD_EXCHANGE_DONE;
}

void ad_answer_send(ad_exchange_t *x, int status)
{
    ad_loop_t *loop = x->loop;
    ad_jw_t *w = &loop->jw;
    if (x->error_open)
        ad_jw_object_end(w);
    x->error_open = false;
    bool failed = x->body == NULL && ad_jw_failed(w);
    if (failed)
        status = 500;
    int64_t now = ad_mono_ns(); /* one reading for the stats and Server-Timing */
    if (x->counted && x->state == AD_EXCHANGE_NEW && !failed && x->injected) {
        ad_answer_hold(x);
        ad_stats_request_injected(&loop->stats, x->ep, now - x->t0);
    } else if (x->counted && x->state == AD_EXCHANGE_HELD && !failed && x->injected) {
        ad_stats_request_injected(&loop->stats, x->ep, now - x->t0);
    } else if (x->counted && x->state == AD_EXCHANGE_NEW) {
        ad_stats_request_immediate(&loop->stats, x->ep, status, now - x->t0);
    } else if (x->counted && x->state == AD_EXCHANGE_HELD) {
        ad_stats_request_end(&loop->stats, x->ep, status, now - x->t0);
    }
    x->state = AD_EXCHANGE_DONE;
    add_common_headers(x, now);
    if (failed)
        respond(x->req, 500, "application/json", oom, sizeof(oom) - 1, true);
    else if (x->body != NULL)
        respond(x->req, status, x->content_type, x->body, x->body_len, false);
    else
        respond(x->req, status, x->content_type != NULL ? x->content_type : "application/json", w->buf, w->len,
                x->content_type == NULL || x->json);
    if (w->cap > AD_JW_KEEP_BYTES) { /* a big answer (an echoed body) grew the buffer: give it back */
        ad_jw_free(w);
        ad_jw_init(w, AD_JW_INITIAL_BYTES);
    }
}

void ad_answer_stream_start(ad_exchange_t *x, int status, const char *content_type, size_t content_length,
                            h2o_generator_t *gen)
{
    h2o_req_t *req = x->req;
    if (req->conn->ctx->shutdown_requested) /* as in respond() */
        req->http1_is_persistent = 0;
    req->res.status = status;
    req->res.reason = ad_reason_phrase(status);
    req->res.content_length = content_length;
    add_header(req, H2O_TOKEN_CONTENT_TYPE, content_type, strlen(content_type));
    add_common_headers(x, ad_mono_ns());
    x->streaming = true;
    h2o_start_response(req, gen);
}

void ad_answer_stream_send(ad_exchange_t *x, const char *buf, size_t len, bool final)
{
    h2o_req_t *req = x->req;
    bool head = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"));
    h2o_iovec_t iov = h2o_iovec_init(buf, len);
    if (final || head) {
        if (x->counted && x->state == AD_EXCHANGE_HELD && x->injected)
            ad_stats_request_injected(&x->loop->stats, x->ep, ad_mono_ns() - x->t0);
        else if (x->counted && x->state == AD_EXCHANGE_HELD)
            ad_stats_request_end(&x->loop->stats, x->ep, req->res.status, ad_mono_ns() - x->t0);
        x->state = AD_EXCHANGE_DONE;
        ad_send_watch_answer(req);
    }
    if (head)
        h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
    else
        h2o_send(req, &iov, len > 0, final ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

void ad_answer_drop(ad_exchange_t *x, bool reset)
{
    h2o_req_t *req = x->req;
    h2o_socket_t *sock = req->conn->callbacks->get_socket != NULL ? req->conn->callbacks->get_socket(req->conn) : NULL;
    int fd = sock != NULL ? h2o_socket_get_fd(sock) : -1;
    ad_answer_hold(x);
    if (x->counted)
        ad_stats_request_dropped(&x->loop->stats, x->ep, reset);
    x->state = AD_EXCHANGE_DONE;
    if (req->version >= 0x200 && !(reset && fd >= 0) && !x->streaming) {
        /* HTTP/2: h2o turns an error ending into RST_STREAM; the connection's other streams go on. */
        req->res.status = 503;
        req->res.reason = ad_reason_phrase(503);
        h2o_start_response(req, &final_generator);
        h2o_send(req, NULL, 0, H2O_SEND_STATE_ERROR);
        return;
    }
    if (fd >= 0) {
        /*
         * h2o owns the descriptor, so it is not closed here. Reset: connect(AF_UNSPEC) disconnects a TCP
         * socket at once with an RST (Linux tcp_disconnect), what SO_LINGER 0 + close would send. Close:
         * shutdown sends a FIN. Either way the answer below fails to write and h2o closes the connection
         * by its own path, which disposes the request.
         */
        struct sockaddr unspec = {.sa_family = AF_UNSPEC};
        if (req->version < 0x200 || reset) { /* HTTP/2 without reset: the stream's error below, not the connection */
            if (!reset || connect(fd, &unspec, sizeof(unspec)) != 0)
                shutdown(fd, SHUT_RDWR);
        }
    }
    if (x->streaming) { /* the head is out: an error ending (HTTP/2: RST_STREAM; HTTP/1: no keep-alive) */
        h2o_send(req, NULL, 0, H2O_SEND_STATE_ERROR);
        return;
    }
    req->http1_is_persistent = 0;
    respond(req, 503, "application/json", "", 0, false);
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
        add_hsts(req);
        req->res.content_length = e->body.len;
        if (strcmp(ad_reason_phrase(status), "Unknown") != 0)
            req->res.reason = ad_reason_phrase(status);
        slot = &e->super.next;
    }
    h2o_setup_next_ostream(req, slot);
}

/*
 * Server, added here rather than by h2o: h2o 2.2.5 writes its globalconf.server_name with a sprintf per HTTP/1
 * answer, a twentieth of the zero-delay answer's instructions in user space, so server.c leaves that name empty.
 */
static void on_server_header(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    static const char server[] = AD_SERVER_NAME;
    (void)self;
    add_header_spelled(req, H2O_TOKEN_SERVER, "Server", server, sizeof(server) - 1);
    h2o_setup_next_ostream(req, slot);
}

void ad_respond_filters(h2o_pathconf_t *root, h2o_pathconf_t *fallback)
{
    /* h2o runs a path's filters last created first: a library error's filter replaces the headers, then
     * Server is added */
    h2o_create_filter(fallback, sizeof(h2o_filter_t))->on_setup_ostream = on_server_header;
    h2o_create_filter(fallback, sizeof(h2o_filter_t))->on_setup_ostream = on_library_error;
    h2o_create_filter(root, sizeof(h2o_filter_t))->on_setup_ostream = on_server_header;
}
