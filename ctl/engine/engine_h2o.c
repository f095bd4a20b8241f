/*
 * The libh2o backend of the engine (see engine_worker.h): bench's hot path for plain-http, closed-model
 * runs. One h2o evloop (epoll) per worker, `conns` persistent connections (h2o_socket_t), one request
 * at a time on each, answers framed with libh2o's HTTP/1 parser (picohttpparser). Per request it makes
 * two system calls (writev, read) where libcurl makes four (two polls, send, recv), and costs about a
 * third of libcurl's CPU time (5 us against 15 us here): that is what lets bench keep up with wrk
 * (bench/README.md, "Load generator").
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <curl/curl.h>
#include <h2o.h>
#include "clock.h"
#include "engine_evloop.h"
#include "engine_tls.h"
#include "engine_worker.h"
#include "version.h"

/*
 * libh2o's HTTP/1 parser. libh2o-evloop exports these functions but the package does not install
 * picohttpparser.h; the declarations below are picohttpparser's (unchanged since 2014).
 */
struct phr_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};
struct phr_chunked_decoder {
    size_t bytes_left_in_chunk;
    char consume_trailer;
    char _hex_count;
    char _state;
};
int phr_parse_response(const char *buf, size_t len, int *minor_version, int *status, const char **msg, size_t *msg_len,
                       struct phr_header *headers, size_t *num_headers, size_t last_len);
ssize_t phr_decode_chunked(struct phr_chunked_decoder *decoder, char *buf, size_t *bufsz);

#define HEADERS_MAX 64
#define HEAD_BYTES_MAX 65536 /* a response head larger than this is not one this tool expects */
#define AD_STR_(x) #x
#define AD_STR(x) AD_STR_(x)

typedef enum { BODY_NONE = 0, BODY_LENGTH, BODY_CHUNKED, BODY_UNTIL_CLOSE } framing_t;

struct h2o_backend;

typedef struct hconn {
    ad_inflight_t inflight; /* first: the timeout list's entries are connections (engine_evloop.h) */
    struct h2o_backend *b;
    h2o_socket_t *sock; /* NULL: not connected */
    bool busy;          /* a request is in flight on it */
    bool writing;       /* h2o has not yet called back for the last write */
    bool send_after;    /* send the request once that write is done */
    bool reused;        /* this request went out on a connection opened for an earlier one */
    bool retried;       /* ...which had died: it was sent again on a new connection */
    bool opened;        /* this slot has had a connection (only first connections are paced) */
    /* the request in flight */
    ad_request_record_t rec;
    ad_answer_t answer; /* status, bytes, scan, a refusal's words */
    /* its answer */
    bool head_done;
    bool server_keeps; /* the server keeps the connection open after this answer */
    framing_t framing;
    size_t body_left;
    struct phr_chunked_decoder chunk;
} hconn_t;

typedef struct h2o_backend {
    ad_engine_worker_t *w;
    h2o_loop_t *loop;
    bool https;
    ad_engine_tls_t tls;         /* https:// only */
    ad_inflight_list_t inflight; /* requests in flight, in send order */
    struct sockaddr_storage addr;
    socklen_t addrlen;
    h2o_iovec_t request;
    bool no_answer_body; /* HEAD: answers have a head only, whatever their Content-Length says */
    hconn_t *conns;
    unsigned n;
    unsigned *idle; /* indexes of connections without a request in flight */
    unsigned nidle;
    bool filling;       /* fill() is on the stack */
    int64_t connect_at; /* a new connection waits for the pacing until then; 0 = none waits */
} h2o_backend_t;

static void fill(h2o_backend_t *b);

/* ---- setup: the target's address and the request bytes, from the URL ---- */

static int setup_target(h2o_backend_t *b, const ad_engine_plan_t *plan, char *err, size_t errlen)
{
    const ad_url_t *u = plan->target;
    b->https = u->https;
    if (u->https && ad_engine_tls_setup(&b->tls, b->w->tls, u, err, errlen) != 0)
        return -1;
    /* The address the target probe resolved and connected to: no resolver here. */
    if (plan->address == NULL || plan->address->len == 0) {
        snprintf(err, errlen, "%.200s: the target's address is not known", u->host);
        return -1;
    }
    memcpy(&b->addr, &plan->address->sa, plan->address->len);
    b->addrlen = plan->address->len;

    /* The same request libcurl sends, so both engines measure the same thing. */
    char authority[AD_CTL_HOST_MAX + 16];
    ad_url_host(u, authority, sizeof(authority));
    static const ad_request_shape_t plain_get;
    const ad_request_shape_t *shape = plan->shape != NULL ? plan->shape : &plain_get;
    b->request.base = ad_request_shape_http1(shape, u->path, authority, "asyncdemoctl/" AD_VERSION, &b->request.len);
    if (b->request.base == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    b->no_answer_body = ad_request_shape_no_answer_body(shape);
    return 0;
}

static void h2o_teardown(ad_engine_worker_t *w)
{
    h2o_backend_t *b = w->impl;
    if (b == NULL)
        return;
    if (b->conns != NULL) {
        for (unsigned i = 0; i < b->n; i++) {
            if (b->conns[i].sock != NULL)
                h2o_socket_close(b->conns[i].sock);
            ad_answer_free(&b->conns[i].answer);
        }
    }
    if (b->loop != NULL) {
        h2o_evloop_run(b->loop, 0); /* lets the closed sockets be freed */
        h2o_evloop_destroy(b->loop);
    }
    free(b->request.base);
    ad_engine_tls_free(&b->tls);
    free(b->conns);
    free(b->idle);
    free(b);
    w->impl = NULL;
}

static int h2o_setup(ad_engine_worker_t *w)
{
    h2o_backend_t *b = ad_ew_impl_new(w, sizeof(*b));
    if (b == NULL)
        return -1;
    b->w = w;
    b->n = w->conns;
    if (setup_target(b, w->plan, w->err, sizeof(w->err)) != 0)
        return -1;
    b->conns = calloc(b->n, sizeof(*b->conns));
    b->idle = calloc(b->n, sizeof(*b->idle));
    b->loop = h2o_evloop_create();
    if (b->conns == NULL || b->idle == NULL || b->loop == NULL) {
        snprintf(w->err, sizeof(w->err), "out of memory setting up %u connections", b->n);
        return -1;
    }
    b->inflight.timeout_ns = w->plan->timeout_ns;
    for (unsigned i = 0; i < b->n; i++) {
        b->conns[i].b = b;
        b->idle[i] = b->n - 1 - i;
    }
    b->nidle = b->n;
    return 0;
}

/* ---- ending a request ---- */

static void close_conn(hconn_t *c)
{
    if (c->sock != NULL) {
        c->sock->data = NULL;
        h2o_socket_close(c->sock);
        c->sock = NULL;
    }
    c->writing = false;
    c->send_after = false;
}

/* The request on c is over (answered or failed): account it, free the slot, send what is due. */
static void finish(hconn_t *c, ad_err_class_t error, const char *why)
{
    h2o_backend_t *b = c->b;
    ad_engine_worker_t *w = b->w;
    ad_inflight_untrack(&b->inflight, &c->inflight);
    ad_answer_finish(&c->answer, w, &c->rec, error, why);
    if (error != AD_ERR_NONE || !c->server_keeps || !ad_ew_conn_wanted(w, ad_mono_ns()))
        close_conn(c);
    c->busy = false;
    b->idle[b->nidle++] = (unsigned)(c - b->conns);
    fill(b);
}

static void fail(hconn_t *c, ad_err_class_t error, const char *why)
{
    c->rec.status = 0; /* no complete answer: no status, no latency, no protocol */
    c->rec.protocol = AD_PROTO_UNKNOWN;
    finish(c, error, why);
}

/* Fails the requests whose time is up, oldest first. */
static void expire(h2o_backend_t *b, int64_t now)
{
    ad_inflight_t *r;
    while ((r = ad_inflight_expired(&b->inflight, now)) != NULL) {
        char why[96];
        ad_inflight_timeout_reason(&b->inflight, why, sizeof(why));
        fail((hconn_t *)(void *)r, AD_ERR_TIMEOUT, why);
    }
}

/* ---- reading the answer ---- */

static bool header_is(const struct phr_header *h, const char *name)
{
    size_t len = strlen(name);
    return h->name_len == len && strncasecmp(h->name, name, len) == 0;
}

static bool value_has_token(const struct phr_header *h, const char *token)
{
    size_t len = strlen(token);
    for (size_t i = 0; i + len <= h->value_len; i++)
        if (strncasecmp(h->value + i, token, len) == 0)
            return true;
    return false;
}

/* A Content-Length value: digits only (strtoull would take "-5" as a huge length). Returns -1 if not. */
static int parse_length(const struct phr_header *h, size_t *len)
{
    unsigned long long v = 0;
    if (h->value_len == 0 || h->value_len > 19)
        return -1;
    for (size_t i = 0; i < h->value_len; i++) {
        if (h->value[i] < '0' || h->value[i] > '9')
            return -1;
        v = v * 10 + (unsigned long long)(h->value[i] - '0');
    }
    if (v > SIZE_MAX)
        return -1;
    *len = (size_t)v;
    return 0;
}

/*
 * Parses a complete head with room for up to cap headers (picohttpparser fails past them). Returns
 * phr_parse_response's result: the head's length, -2 (incomplete) or -1 (malformed, or more headers).
 */
static int parse_response(const h2o_buffer_t *in, struct phr_header *h, size_t cap, size_t *nh, int *minor, int *status)
{
    const char *msg;
    size_t msg_len;
    *nh = cap;
    return phr_parse_response(in->bytes, in->size, minor, status, &msg, &msg_len, h, nh, 0);
}

/* Parses the head once complete. Returns 1 when parsed, 0 when more bytes are needed, -1 on error (with
 * the reason in *why). */
static int read_head(hconn_t *c, h2o_socket_t *sock, const char **why)
{
    *why = "malformed HTTP answer";
    for (;;) {
        int minor, status;
        size_t nh;
        struct phr_header hs[HEADERS_MAX], *heap = NULL, *h = hs;
        int r = parse_response(sock->input, h, HEADERS_MAX, &nh, &minor, &status);
        if (r == -1) {
            /* Refused: maybe only more headers than the common case. Again with room for as many as a
             * head can hold (at most HEAD_BYTES_MAX bytes, each header at least 3). */
            size_t cap = (sock->input->size < HEAD_BYTES_MAX ? sock->input->size : HEAD_BYTES_MAX) / 3 + 1;
            heap = malloc(cap * sizeof(*heap));
            if (heap != NULL) {
                h = heap;
                r = parse_response(sock->input, h, cap, &nh, &minor, &status);
            }
        }
        if (r == -2 && sock->input->size > HEAD_BYTES_MAX)
            *why = "the answer's head is larger than " AD_STR(HEAD_BYTES_MAX) " bytes";
        if (r < 0) {
            free(heap);
            return r == -2 && sock->input->size <= HEAD_BYTES_MAX ? 0 : -1;
        }
        if (status >= 100 && status <= 199) { /* interim answers (100 Continue...) precede the real one */
            free(heap);
            h2o_buffer_consume(&sock->input, (size_t)r);
            continue;
        }
        c->answer.status = status;
        c->server_keeps = minor >= 1;
        c->framing = BODY_UNTIL_CLOSE;
        for (size_t i = 0; i < nh; i++) {
            if (header_is(&h[i], "content-length") && c->framing != BODY_CHUNKED) {
                if (parse_length(&h[i], &c->body_left) != 0) {
                    free(heap);
                    *why = "bad Content-Length";
                    return -1;
                }
                c->framing = BODY_LENGTH;
            } else if (header_is(&h[i], "transfer-encoding") && value_has_token(&h[i], "chunked")) {
                c->framing = BODY_CHUNKED;
                memset(&c->chunk, 0, sizeof(c->chunk));
                c->chunk.consume_trailer = 1;
            } else if (header_is(&h[i], "connection")) {
                if (value_has_token(&h[i], "close"))
                    c->server_keeps = false;
                else if (value_has_token(&h[i], "keep-alive"))
                    c->server_keeps = true;
            }
        }
        free(heap);
        if (status == 204 || status == 304 || c->b->no_answer_body)
            c->framing = BODY_NONE;
        if (c->framing == BODY_UNTIL_CLOSE)
            c->server_keeps = false;
        h2o_buffer_consume(&sock->input, (size_t)r);
        c->head_done = true;
        c->rec.status = status;
        c->rec.protocol = minor == 0 ? AD_PROTO_HTTP1_0 : AD_PROTO_HTTP1_1;
        return 1;
    }
}

/* Consumes body bytes. Returns 1 when the body is complete, 0 when more is needed, -1 on error. */
static int read_body(hconn_t *c, h2o_socket_t *sock)
{
    h2o_buffer_t *in = sock->input;
    switch (c->framing) {
    case BODY_NONE:
        return 1;
    case BODY_LENGTH: {
        size_t take = in->size < c->body_left ? in->size : c->body_left;
        ad_answer_take(&c->answer, in->bytes, take);
        c->body_left -= take;
        h2o_buffer_consume(&sock->input, take);
        return c->body_left == 0 ? 1 : 0;
    }
    case BODY_CHUNKED: {
        size_t size = in->size;
        ssize_t r = phr_decode_chunked(&c->chunk, in->bytes, &size); /* decodes in place */
        if (r == -1)
            return -1;
        ad_answer_take(&c->answer, in->bytes, size);
        if (r > 0)
            c->server_keeps = false; /* bytes after the last chunk: not a conversation we can continue */
        h2o_buffer_consume(&sock->input, in->size);
        return r >= 0 ? 1 : 0;
    }
    case BODY_UNTIL_CLOSE:
        ad_answer_take(&c->answer, in->bytes, in->size);
        h2o_buffer_consume(&sock->input, in->size);
        return 0; /* complete at the close */
    }
    return -1;
}

static void connect_and_send(hconn_t *c);

/*
 * A keep-alive connection the server closed just as we reused it (its close and our request crossed):
 * the request never reached an answer, so send it again once on a new connection, as libcurl does.
 * Returns true when it did.
 */
static bool retry_on_new_connection(hconn_t *c)
{
    if (!c->reused || c->retried || c->head_done || c->b->w->failed)
        return false;
    close_conn(c);
    c->retried = true;
    c->reused = false;
    connect_and_send(c);
    return true;
}

static void on_read(h2o_socket_t *sock, const char *err)
{
    hconn_t *c = sock->data;
    if (c == NULL)
        return;
    if (err != NULL) {
        if (!c->busy) {
            close_conn(c); /* an idle connection the server closed: reconnect on the next request */
        } else if (c->head_done && c->framing == BODY_UNTIL_CLOSE) {
            finish(c, AD_ERR_NONE, NULL);
        } else if (!retry_on_new_connection(c)) {
            bool reset = err == h2o_socket_error_io; /* a read error: ECONNRESET in practice */
            fail(c, AD_ERR_READ,
                 c->head_done ? (reset ? "connection reset in the middle of the answer"
                                       : "connection closed in the middle of the answer")
                              : (reset ? "connection reset before the answer" : "connection closed before the answer"));
        }
        return;
    }
    if (!c->busy) {
        if (sock->input->size > 0)
            close_conn(c); /* bytes nobody asked for: the connection is out of step */
        return;
    }
    if (!c->head_done) {
        const char *why;
        int r = read_head(c, sock, &why);
        if (r == 0)
            return;
        if (r < 0) {
            fail(c, AD_ERR_READ, why);
            return;
        }
    }
    int r = read_body(c, sock);
    if (r < 0) {
        fail(c, AD_ERR_READ, "malformed chunked body");
    } else if (r > 0) {
        if (sock->input->size > 0)
            c->server_keeps = false; /* more than one answer to one request */
        finish(c, AD_ERR_NONE, NULL);
    }
}

/* ---- sending ---- */

static void write_request(hconn_t *c);

static void on_written(h2o_socket_t *sock, const char *err)
{
    hconn_t *c = sock->data;
    if (c == NULL)
        return;
    c->writing = false;
    if (err != NULL) {
        if (c->busy && !retry_on_new_connection(c))
            fail(c, AD_ERR_READ, "connection lost while sending the request");
        return;
    }
    if (c->send_after) {
        c->send_after = false;
        write_request(c);
    }
}

static void write_request(hconn_t *c)
{
    if (c->writing) { /* h2o calls back for the previous write later in this loop turn */
        c->send_after = true;
        return;
    }
    c->writing = true;
    h2o_socket_write(c->sock, &c->b->request, 1, on_written);
}

/* The connection is ready for HTTP (after the TLS handshake over https://). */
static void start_http(hconn_t *c)
{
    h2o_socket_read_start(c->sock, on_read);
    write_request(c);
}

static void on_handshake(h2o_socket_t *sock, const char *err)
{
    hconn_t *c = sock->data;
    if (c == NULL)
        return;
    char why[200];
    if (ad_engine_tls_failed(err, why, sizeof(why))) {
        fail(c, AD_ERR_CONNECT, why);
        return;
    }
    start_http(c);
}

static void on_connect(h2o_socket_t *sock, const char *err)
{
    hconn_t *c = sock->data;
    if (c == NULL)
        return;
    if (err != NULL) {
        fail(c, AD_ERR_CONNECT, err);
        return;
    }
    ad_evloop_socket_tune(sock);
    h2o_backend_t *b = c->b;
    if (!b->https) {
        start_http(c);
        return;
    }
    ad_engine_tls_handshake(&b->tls, b->loop, sock, on_handshake);
}

static void send_one(h2o_backend_t *b, int64_t intended, int64_t now)
{
    ad_engine_worker_t *w = b->w;
    hconn_t *c = &b->conns[b->idle[--b->nidle]];
    c->busy = true;
    c->head_done = false;
    ad_answer_begin(&c->answer, w);
    memset(&c->rec, 0, sizeof(c->rec));
    c->rec.index = ad_ew_sent(w);
    c->rec.intended_ns = intended - w->t0;
    c->rec.sent_ns = now - w->t0;
    c->rec.server_seq = -1;
    c->retried = false;
    c->reused = c->sock != NULL;
    ad_inflight_track(&b->inflight, &c->inflight, now);
    if (c->sock != NULL)
        write_request(c);
    else
        connect_and_send(c);
}

static void connect_and_send(hconn_t *c)
{
    h2o_backend_t *b = c->b;
    c->opened = true;
    c->sock = h2o_socket_connect(b->loop, (struct sockaddr *)&b->addr, b->addrlen, on_connect);
    b->w->connects++;
    if (c->sock == NULL) {
        fail(c, AD_ERR_CONNECT, strerror(errno));
        return;
    }
    c->sock->data = c;
}

/* Sends what is due while connections are free. finish() calls it to reuse a freed slot at once; a
 * request that fails inside send_one (connect refused on the spot) frees its slot while fill() is on
 * the stack, and the loop below takes it: no recursion, however many fail in a row. */
static void fill(h2o_backend_t *b)
{
    if (b->filling)
        return;
    b->filling = true;
    ad_engine_worker_t *w = b->w;
    int64_t intended, now = ad_mono_ns();
    b->connect_at = 0;
    while (b->nidle > 0 && !w->failed && ad_ew_next_due(w, now, &intended)) {
        /* Pacing is for the ramp-up: later reconnects (no keep-alive, a server closing) are bounded by
         * the number of connections anyway, so they go at once. */
        if (!b->conns[b->idle[b->nidle - 1]].opened && !ad_ew_may_connect(w, now, &b->connect_at))
            break;
        send_one(b, intended, now);
        now = ad_mono_ns();
    }
    b->filling = false;
}

static void abandon_in_flight(h2o_backend_t *b)
{
    for (unsigned i = 0; i < b->n; i++) {
        hconn_t *c = &b->conns[i];
        if (!c->busy)
            continue;
        ad_inflight_untrack(&b->inflight, &c->inflight);
        close_conn(c);
        c->busy = false;
        b->idle[b->nidle++] = i;
    }
    b->w->in_flight = 0;
}

static void h2o_run_phase(ad_engine_worker_t *w)
{
    h2o_backend_t *b = w->impl;
    fill(b);
    for (;;) {
        int64_t now = ad_mono_ns();
        if (ad_ew_stopping(w)) {
            abandon_in_flight(b);
            return;
        }
        expire(b, now);
        fill(b);
        if (ad_ew_phase_over(w, now))
            return;
        int64_t wake = ad_evloop_wake(w, now, b->nidle > 0, &b->inflight, b->connect_at);
        if (ad_evloop_turn(w, b->loop, ad_evloop_wait_ms(now, wake)) != 0)
            return;
    }
}

const ad_engine_backend_t ad_engine_backend_h2o = {
    .name = "h2o",
    .setup = h2o_setup,
    .run_phase = h2o_run_phase,
    .teardown = h2o_teardown,
    .release_thread_cache = ad_evloop_release_thread_cache,
    .own_tls = true,
    .alpn = "\x08http/1.1",
};
