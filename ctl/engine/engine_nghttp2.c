/*
 * The HTTP/2 backend of the engine (see engine_worker.h): bench --h2's hot path. One h2o evloop (epoll)
 * per worker, connections on libh2o's sockets (h2o_socket_t), each with a libnghttp2 client session
 * carrying up to plan->streams requests at once. nghttp2 only frames: its callbacks change state, and
 * the loop, once per turn, sends what is due and writes each connection's frames in one write
 * (nghttp2_session_mem_send into a buffer) - that batching is where h2load's speed comes from.
 *
 * Cleartext is HTTP/2 by prior knowledge (h2c): the session starts right after the connect. Over TLS the
 * handshake (engine_tls.c, offering "h2" by ALPN) goes between the connect and session_start(), and a server
 * that does not choose h2 fails the connection.
 *
 * The open model (--rate) needs sends on time to the microsecond, which neither h2o_evloop_run's
 * millisecond wait nor h2o_timeout_t (its clock cached per loop turn) gives: a timerfd on the loop, armed
 * for the next due send, wakes it instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <nghttp2/nghttp2.h>
#include "clock.h"
#include "engine_evloop.h"
#include "engine_tls.h"
#include "engine_worker.h"
#include "version.h"

/* As h2load's default (-w 30 -W 30): answers never wait for a WINDOW_UPDATE. */
#define WINDOW_BYTES ((1 << 30) - 1)

struct h2_backend;
struct h2conn;

typedef struct h2stream {
    ad_inflight_t inflight; /* first: the timeout list's entries are streams */
    struct h2conn *c;
    int32_t id;  /* its HTTP/2 stream; 0: the slot is free */
    bool resent; /* refused once already (see refused()) */
    size_t body_sent;
    ad_request_record_t rec;
    ad_answer_t answer;
} h2stream_t;

/* What a socket's data points to: a connection, or (detached) a socket closing once its write is done. */
typedef struct detached {
    bool detached;
    char *out; /* the buffer of that write */
} detached_t;

typedef struct h2conn {
    detached_t ref; /* first, never detached: sockets' data point here */
    struct h2_backend *b;
    h2o_socket_t *sock;       /* NULL: not connected */
    nghttp2_session *session; /* NULL: none (then sock is NULL too) */
    bool connected;           /* the session may write */
    bool opened;              /* this slot has had a connection (only first connections are paced) */
    bool writing;             /* h2o has not yet called back for the last write */
    bool dirty;               /* in the backend's list of connections to flush */
    bool ready;               /* in the backend's list of connections with a free stream */
    bool goaway;              /* the server sent GOAWAY: no new stream; reconnect once it is idle */
    bool heard;               /* bytes came from the server */
    bool spoke;               /* a frame came from the server: it speaks HTTP/2 */
    uint32_t goaway_code;
    h2stream_t *streams;
    unsigned nstreams, busy;
    unsigned *free_slots; /* indexes of free streams */
    unsigned nfree;
    char *out; /* the frames of one write */
    size_t out_len, out_cap;
} h2conn_t;

typedef struct h2_backend {
    ad_engine_worker_t *w;
    h2o_loop_t *loop;
    ad_inflight_list_t inflight;
    bool https;
    ad_engine_tls_t tls; /* https:// only */
    struct sockaddr_storage addr;
    socklen_t addrlen;
    char authority[AD_CTL_HOST_MAX + 16];
    ad_request_h2_t fields;
    nghttp2_nv *nv;
    size_t nnv;
    const char *body; /* NULL: no body */
    size_t body_len;
    nghttp2_session_callbacks *callbacks;
    h2conn_t *conns;
    unsigned n;
    unsigned *ready; /* connections with a free stream (a stack) */
    unsigned nready;
    unsigned *dirty; /* connections with frames to write */
    unsigned ndirty;
    bool write_waiting;           /* a connection had frames while h2o still owed it a write callback */
    ad_request_record_t *refused; /* requests a server refused unprocessed, to send again (a stack) */
    unsigned nrefused;
    int64_t connect_at;  /* a new connection waits for the pacing until then; 0 = none waits */
    h2o_socket_t *timer; /* open model: a timerfd on the loop; NULL in the closed model */
    int64_t timer_at;    /* when it is armed for, 0 = not armed */
} h2_backend_t;

/* ---- the connection lists ---- */

static unsigned conn_index(const h2conn_t *c)
{
    return (unsigned)(c - c->b->conns);
}

static void mark_dirty(h2conn_t *c)
{
    if (!c->dirty) {
        c->dirty = true;
        c->b->dirty[c->b->ndirty++] = conn_index(c);
    }
}

static void mark_ready(h2conn_t *c)
{
    if (!c->ready && !c->goaway && c->nfree > 0) {
        c->ready = true;
        c->b->ready[c->b->nready++] = conn_index(c);
    }
}

/* ---- ending a request ---- */

/* The request on s is over: accounted, its slot free. Never frees the session (nghttp2 may be calling). */
static void finish(h2stream_t *s, ad_err_class_t error, const char *why)
{
    h2conn_t *c = s->c;
    h2_backend_t *b = c->b;
    ad_inflight_untrack(&b->inflight, &s->inflight);
    s->id = 0;
    c->busy--;
    c->free_slots[c->nfree++] = (unsigned)(s - c->streams);
    mark_ready(c);
    if (error != AD_ERR_NONE) {
        s->rec.status = 0; /* no complete answer: no status, no latency, no protocol */
        s->rec.protocol = AD_PROTO_UNKNOWN;
    } else {
        s->rec.status = s->answer.status;
        s->rec.protocol = b->https ? AD_PROTO_H2 : AD_PROTO_H2C;
    }
    ad_answer_finish(&s->answer, b->w, &s->rec, error, why);
}

/*
 * Closes c's socket. One whose write h2o has not yet called back is only detached, with the buffer it
 * may still be writing from, and closed in that callback (on_written): libh2o 2.2.5 frees a closed socket
 * in the next loop turn before it runs the pending write callbacks, so closing it first is a use after
 * free (valgrind showed it).
 */
static void close_sock(h2conn_t *c)
{
    if (c->sock == NULL)
        return;
    c->sock->data = NULL;
    detached_t *d = c->writing ? malloc(sizeof(*d)) : NULL;
    if (d != NULL) {
        d->detached = true;
        d->out = c->out;
        c->out = NULL;
        c->out_cap = 0;
        h2o_socket_read_stop(c->sock);
        c->sock->data = d;
    } else {
        h2o_socket_close(c->sock); /* out of memory: as before the fix, rather than leak the socket */
    }
    c->sock = NULL;
    c->writing = false;
}

/* Closes c's connection; its streams must be over. The slot reconnects when a request needs it. */
static void close_conn(h2conn_t *c)
{
    close_sock(c);
    if (c->session != NULL) {
        nghttp2_session_del(c->session);
        c->session = NULL;
    }
    c->connected = c->writing = c->goaway = c->heard = c->spoke = false;
    c->out_len = 0;
    mark_ready(c);
}

/* The connection is gone (or unusable): every stream on it fails with why, then it is closed. */
static void conn_lost(h2conn_t *c, ad_err_class_t error, const char *why)
{
    char reason[200];
    if (c->busy > 1) {
        snprintf(reason, sizeof(reason), "%s (%u streams in flight on it)", why, c->busy);
        why = reason;
    }
    for (unsigned i = 0; i < c->nstreams && c->busy > 0; i++)
        if (c->streams[i].id != 0)
            finish(&c->streams[i], error, why);
    close_conn(c);
}

/* Fails the requests whose time is up, oldest first, and cancels their streams. */
static void expire(h2_backend_t *b, int64_t now)
{
    ad_inflight_t *r;
    while ((r = ad_inflight_expired(&b->inflight, now)) != NULL) {
        h2stream_t *s = (h2stream_t *)(void *)r;
        h2conn_t *c = s->c;
        if (c->session != NULL) {
            nghttp2_submit_rst_stream(c->session, NGHTTP2_FLAG_NONE, s->id, NGHTTP2_CANCEL);
            mark_dirty(c);
        }
        char why[96];
        ad_inflight_timeout_reason(&b->inflight, why, sizeof(why));
        finish(s, AD_ERR_TIMEOUT, why);
    }
}

/* ---- nghttp2's callbacks: state changes only ---- */

/* The stream of id on c still in flight, or NULL (one this run gave up: timed out, abandoned). */
static h2stream_t *stream_of(nghttp2_session *session, int32_t id)
{
    h2stream_t *s = nghttp2_session_get_stream_user_data(session, id);
    return s != NULL && s->id == id ? s : NULL;
}

static int on_header(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
                     const uint8_t *value, size_t valuelen, uint8_t flags, void *user_data)
{
    (void)flags;
    (void)user_data;
    if (frame->hd.type != NGHTTP2_HEADERS || namelen != 7 || memcmp(name, ":status", 7) != 0)
        return 0;
    h2stream_t *s = stream_of(session, frame->hd.stream_id);
    if (s == NULL)
        return 0;
    int status = 0;
    for (size_t i = 0; i < valuelen && i < 3 && value[i] >= '0' && value[i] <= '9'; i++)
        status = status * 10 + (value[i] - '0');
    if (status >= 200 || s->answer.status == 0) /* interim answers (1xx) precede the real one */
        s->answer.status = status;
    return 0;
}

static int on_data(nghttp2_session *session, uint8_t flags, int32_t stream_id, const uint8_t *data, size_t len,
                   void *user_data)
{
    (void)flags;
    (void)user_data;
    h2stream_t *s = stream_of(session, stream_id);
    if (s != NULL)
        ad_answer_take(&s->answer, (const char *)data, len);
    return 0;
}

/*
 * A stream the server refused without processing it (REFUSED_STREAM, or beyond a GOAWAY's last stream: a
 * server going away gracefully, as nginx does after keepalive_requests), or one never sent because a GOAWAY
 * came first, is sent again, once, on another connection, as libcurl does: its slot is freed, the request stays in
 * flight, keeping its number and send time. Returns false when it was resent already (then it fails).
 */
static bool refused(h2stream_t *s)
{
    h2conn_t *c = s->c;
    h2_backend_t *b = c->b;
    if (s->resent)
        return false;
    ad_inflight_untrack(&b->inflight, &s->inflight);
    b->refused[b->nrefused++] = s->rec;
    s->id = 0;
    c->busy--;
    c->free_slots[c->nfree++] = (unsigned)(s - c->streams);
    mark_ready(c);
    return true;
}

static int on_stream_close(nghttp2_session *session, int32_t stream_id, uint32_t code, void *user_data)
{
    h2conn_t *c = user_data;
    h2stream_t *s = stream_of(session, stream_id);
    if (s == NULL)
        return 0;
    char why[160];
    if (code == NGHTTP2_NO_ERROR && s->answer.status >= 200) {
        finish(s, AD_ERR_NONE, NULL);
        return 0;
    }
    if (code == NGHTTP2_REFUSED_STREAM && refused(s))
        return 0;
    if (code == NGHTTP2_NO_ERROR)
        snprintf(why, sizeof(why), "stream closed before the answer");
    else if (code == NGHTTP2_REFUSED_STREAM && c->goaway)
        snprintf(why, sizeof(why), "stream refused: the server is going away (GOAWAY %s)",
                 nghttp2_http2_strerror(c->goaway_code));
    else
        snprintf(why, sizeof(why), "stream reset (RST_STREAM %s)", nghttp2_http2_strerror(code));
    finish(s, AD_ERR_READ, why);
    return 0;
}

static int on_frame_recv(nghttp2_session *session, const nghttp2_frame *frame, void *user_data)
{
    (void)session;
    h2conn_t *c = user_data;
    c->spoke = true;
    if (frame->hd.type == NGHTTP2_GOAWAY) {
        c->goaway = true; /* taken out of the ready list when next met there */
        c->goaway_code = frame->goaway.error_code;
    }
    return 0;
}

static int on_frame_not_send(nghttp2_session *session, const nghttp2_frame *frame, int error, void *user_data)
{
    (void)user_data;
    h2stream_t *s = frame->hd.type == NGHTTP2_HEADERS ? stream_of(session, frame->hd.stream_id) : NULL;
    if (s != NULL && !refused(s)) { /* the server never saw it (a GOAWAY came first): send it again */
        char why[160];
        snprintf(why, sizeof(why), "request not sent: %s", nghttp2_strerror(error));
        finish(s, AD_ERR_OTHER, why);
    }
    return 0;
}

/* The request body, as DATA frames. */
static ssize_t read_body(nghttp2_session *session, int32_t stream_id, uint8_t *buf, size_t length, uint32_t *data_flags,
                         nghttp2_data_source *source, void *user_data)
{
    (void)session;
    (void)user_data;
    h2stream_t *s = source->ptr;
    if (s->id != stream_id)
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* given up already: the stream is reset */
    const h2_backend_t *b = s->c->b;
    size_t n = b->body_len - s->body_sent;
    n = n < length ? n : length;
    memcpy(buf, b->body + s->body_sent, n);
    s->body_sent += n;
    if (s->body_sent == b->body_len)
        *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

/* ---- writing: once per loop turn and connection ---- */

static void on_written(h2o_socket_t *sock, const char *err)
{
    h2conn_t *c = sock->data;
    if (c == NULL)
        return;
    if (c->ref.detached) { /* by close_sock */
        detached_t *d = sock->data;
        free(d->out);
        free(d);
        h2o_socket_close(sock);
        return;
    }
    c->writing = false;
    c->out_len = 0;
    if (err != NULL) {
        conn_lost(c, AD_ERR_READ, "connection lost while sending");
        return;
    }
    mark_dirty(c); /* frames may have been queued since */
}

/* Writes what the session has to send, in one write. Returns -1 when the session failed (c lost). */
static int flush(h2conn_t *c)
{
    if (!c->connected)
        return 0; /* on_connect flushes */
    if (c->writing) {
        c->b->write_waiting = true; /* on_written marks it again */
        return 0;
    }
    for (;;) {
        const uint8_t *data;
        ssize_t n = nghttp2_session_mem_send(c->session, &data);
        if (n < 0) {
            conn_lost(c, AD_ERR_OTHER, nghttp2_strerror((int)n));
            return -1;
        }
        if (n == 0)
            break;
        if (c->out_len + (size_t)n > c->out_cap) {
            size_t cap = c->out_cap == 0 ? 16384 : c->out_cap;
            while (cap < c->out_len + (size_t)n)
                cap *= 2;
            char *out = realloc(c->out, cap);
            if (out == NULL) {
                conn_lost(c, AD_ERR_OTHER, "out of memory");
                return -1;
            }
            c->out = out;
            c->out_cap = cap;
        }
        memcpy(c->out + c->out_len, data, (size_t)n);
        c->out_len += (size_t)n;
    }
    if (c->out_len > 0) {
        h2o_iovec_t buf = h2o_iovec_init(c->out, c->out_len);
        c->writing = true;
        h2o_socket_write(c->sock, &buf, 1, on_written);
    } else if (!nghttp2_session_want_read(c->session) && c->busy == 0) {
        close_conn(c); /* the session is over (GOAWAY both ways) */
    }
    return 0;
}

static void flush_dirty(h2_backend_t *b)
{
    b->write_waiting = false;
    while (b->ndirty > 0) {
        h2conn_t *c = &b->conns[b->dirty[--b->ndirty]];
        c->dirty = false;
        if (c->session != NULL)
            flush(c);
    }
}

/* ---- reading ---- */

/* The start of a failure's reason when the server sent bytes but never a frame. */
#define NOT_H2 "no HTTP/2 from the server (h2c is HTTP/2 by prior knowledge): "

static void on_read(h2o_socket_t *sock, const char *err)
{
    h2conn_t *c = sock->data;
    if (c == NULL || c->ref.detached)
        return;
    char why[200];
    if (err != NULL) {
        bool reset = err == h2o_socket_error_io; /* a read error: ECONNRESET in practice */
        snprintf(why, sizeof(why), "%s%s", c->heard && !c->spoke ? NOT_H2 : "",
                 reset ? "connection reset" : "connection closed by the server");
        if (c->busy > 0)
            conn_lost(c, AD_ERR_READ, why);
        else
            close_conn(c); /* an idle connection the server closed: reconnect on the next request */
        return;
    }
    c->heard = true;
    ssize_t r = nghttp2_session_mem_recv(c->session, (const uint8_t *)sock->input->bytes, sock->input->size);
    if (r < 0) {
        snprintf(why, sizeof(why), "%s%s",
                 c->heard && !c->spoke ? NOT_H2 : "bad HTTP/2 from the server: ", nghttp2_strerror((int)r));
        conn_lost(c, AD_ERR_READ, why);
        return;
    }
    h2o_buffer_consume(&sock->input, sock->input->size);
    if (c->busy == 0 && (c->goaway || !ad_ew_conn_wanted(c->b->w, ad_mono_ns())))
        close_conn(c); /* nothing will use it again: a server capping connections gets it back now */
    else
        mark_dirty(c); /* SETTINGS and PING acknowledgements, WINDOW_UPDATEs */
}

/* ---- connecting ---- */

/* The connection is up: HTTP/2 starts (cleartext: by prior knowledge). */
static void session_start(h2conn_t *c)
{
    c->connected = true;
    h2o_socket_read_start(c->sock, on_read);
    mark_dirty(c);
}

static void on_handshake(h2o_socket_t *sock, const char *err)
{
    h2conn_t *c = sock->data;
    if (c == NULL || c->ref.detached)
        return;
    char why[200];
    if (ad_engine_tls_failed(err, why, sizeof(why))) {
        conn_lost(c, AD_ERR_CONNECT, why);
        return;
    }
    h2o_iovec_t proto = h2o_socket_ssl_get_selected_protocol(sock);
    if (!h2o_memis(proto.base, proto.len, H2O_STRLIT("h2"))) {
        snprintf(why, sizeof(why), "no HTTP/2 from the server: ALPN chose %.*s", proto.len > 0 ? (int)proto.len : 4,
                 proto.len > 0 ? proto.base : "none");
        conn_lost(c, AD_ERR_CONNECT, why);
        return;
    }
    session_start(c);
}

static void on_connect(h2o_socket_t *sock, const char *err)
{
    h2conn_t *c = sock->data;
    if (c == NULL || c->ref.detached)
        return;
    if (err != NULL) {
        conn_lost(c, AD_ERR_CONNECT, err);
        return;
    }
    ad_evloop_socket_tune(sock);
    if (!c->b->https) {
        session_start(c);
        return;
    }
    ad_engine_tls_handshake(&c->b->tls, c->b->loop, sock, on_handshake);
}

/* A new session on c and its connection under way; requests may be submitted at once. */
static int conn_open(h2conn_t *c, char *why, size_t size)
{
    h2_backend_t *b = c->b;
    c->opened = true;
    int rv = nghttp2_session_client_new(&c->session, b->callbacks, c);
    if (rv != 0) {
        snprintf(why, size, "%s", nghttp2_strerror(rv));
        return -1;
    }
    nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, WINDOW_BYTES},
    };
    nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, settings, sizeof(settings) / sizeof(settings[0]));
    nghttp2_session_set_local_window_size(c->session, NGHTTP2_FLAG_NONE, 0, WINDOW_BYTES);
    c->sock = h2o_socket_connect(b->loop, (struct sockaddr *)&b->addr, b->addrlen, on_connect);
    b->w->connects++;
    if (c->sock == NULL) {
        snprintf(why, size, "%s", strerror(errno));
        nghttp2_session_del(c->session);
        c->session = NULL;
        return -1;
    }
    c->sock->data = c;
    return 0;
}

/* ---- sending ---- */

/* Sends a new request on c, or again one refused (resend: its record; its timeout starts anew). */
static void send_one(h2conn_t *c, int64_t intended, int64_t now, const ad_request_record_t *resend)
{
    h2_backend_t *b = c->b;
    ad_engine_worker_t *w = b->w;
    h2stream_t *s = &c->streams[c->free_slots[--c->nfree]];
    c->busy++;
    ad_answer_begin(&s->answer, w);
    s->resent = resend != NULL;
    if (resend != NULL) {
        s->rec = *resend;
    } else {
        memset(&s->rec, 0, sizeof(s->rec));
        s->rec.index = ad_ew_sent(w);
        s->rec.intended_ns = intended - w->t0;
        s->rec.sent_ns = now - w->t0;
        s->rec.server_seq = -1;
    }
    s->body_sent = 0;
    s->id = -1; /* booked: finish() accepts it */
    ad_inflight_track(&b->inflight, &s->inflight, now);
    char why[160];
    if (c->session == NULL && conn_open(c, why, sizeof(why)) != 0) {
        finish(s, AD_ERR_CONNECT, why);
        return;
    }
    nghttp2_data_provider body = {.source.ptr = s, .read_callback = read_body};
    int32_t id = nghttp2_submit_request(c->session, NULL, b->nv, b->nnv, b->body != NULL ? &body : NULL, s);
    if (id < 0) {
        snprintf(why, sizeof(why), "request not submitted: %s", nghttp2_strerror(id));
        finish(s, AD_ERR_OTHER, why);
        return;
    }
    s->id = id;
    mark_dirty(c);
}

/* Sends what is due while streams are free, refused requests first, filling one connection before the
 * next (as h2load). */
static void fill(h2_backend_t *b)
{
    ad_engine_worker_t *w = b->w;
    int64_t intended = 0, now = ad_mono_ns();
    b->connect_at = 0;
    while (b->nready > 0 && !w->failed && (b->nrefused > 0 || ad_ew_next_due(w, now, &intended))) {
        h2conn_t *c = &b->conns[b->ready[b->nready - 1]];
        if (c->nfree == 0 || c->goaway) {
            c->ready = false;
            b->nready--;
            continue;
        }
        /* Pacing is for the ramp-up: reconnects are bounded by the number of connections anyway. */
        if (c->session == NULL && !c->opened && !ad_ew_may_connect(w, now, &b->connect_at))
            break;
        if (b->nrefused > 0) {
            ad_request_record_t rec = b->refused[--b->nrefused];
            send_one(c, intended, now, &rec);
        } else {
            send_one(c, intended, now, NULL);
        }
        now = ad_mono_ns();
    }
}

/* ---- setup and teardown ---- */

static int setup_request(h2_backend_t *b, const ad_engine_plan_t *plan, char *err, size_t errlen)
{
    const ad_url_t *u = plan->target;
    /* The address the target probe resolved and connected to: no resolver here. */
    if (plan->address == NULL || plan->address->len == 0) {
        snprintf(err, errlen, "%.200s: the target's address is not known", u->host);
        return -1;
    }
    memcpy(&b->addr, &plan->address->sa, plan->address->len);
    b->addrlen = plan->address->len;
    /* The same request the other engines send, so they measure the same thing. */
    ad_url_host(u, b->authority, sizeof(b->authority));
    static const ad_request_shape_t plain_get;
    const ad_request_shape_t *shape = plan->shape != NULL ? plan->shape : &plain_get;
    if (ad_request_shape_h2(shape, u->https ? "https" : "http", u->path, b->authority, "asyncdemoctl/" AD_VERSION,
                            &b->fields) != 0 ||
        (b->nv = calloc(b->fields.nfields, sizeof(*b->nv))) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < b->fields.nfields; i++) {
        const ad_request_field_t *f = &b->fields.fields[i];
        b->nv[i] = (nghttp2_nv){.name = (uint8_t *)(uintptr_t)f->name,
                                .value = (uint8_t *)(uintptr_t)f->value,
                                .namelen = f->name_len,
                                .valuelen = f->value_len,
                                .flags = NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE};
    }
    b->nnv = b->fields.nfields;
    b->body = shape->body;
    b->body_len = shape->body_len;
    return 0;
}

static int setup_callbacks(h2_backend_t *b)
{
    if (nghttp2_session_callbacks_new(&b->callbacks) != 0)
        return -1;
    nghttp2_session_callbacks_set_on_header_callback(b->callbacks, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(b->callbacks, on_data);
    nghttp2_session_callbacks_set_on_stream_close_callback(b->callbacks, on_stream_close);
    nghttp2_session_callbacks_set_on_frame_recv_callback(b->callbacks, on_frame_recv);
    nghttp2_session_callbacks_set_on_frame_not_send_callback(b->callbacks, on_frame_not_send);
    return 0;
}

/* This loop's `conns` requests in flight on connections of plan->streams streams (the last maybe fewer). */
static int setup_conns(h2_backend_t *b, unsigned slots, unsigned streams)
{
    b->n = (slots + streams - 1) / streams;
    b->conns = calloc(b->n, sizeof(*b->conns));
    b->ready = calloc(b->n, sizeof(*b->ready));
    b->dirty = calloc(b->n, sizeof(*b->dirty));
    b->refused = calloc(slots, sizeof(*b->refused));
    if (b->conns == NULL || b->ready == NULL || b->dirty == NULL || b->refused == NULL)
        return -1;
    for (unsigned i = 0; i < b->n; i++) {
        h2conn_t *c = &b->conns[i];
        c->b = b;
        c->nstreams = slots - i * streams < streams ? slots - i * streams : streams;
        c->streams = calloc(c->nstreams, sizeof(*c->streams));
        c->free_slots = calloc(c->nstreams, sizeof(*c->free_slots));
        if (c->streams == NULL || c->free_slots == NULL)
            return -1;
        for (unsigned k = 0; k < c->nstreams; k++) {
            c->streams[k].c = c;
            c->free_slots[k] = c->nstreams - 1 - k;
        }
        c->nfree = c->nstreams;
    }
    for (unsigned i = b->n; i-- > 0;) /* so the first sends fill connection 0, then 1... */
        mark_ready(&b->conns[i]);
    return 0;
}

static void h2_teardown(ad_engine_worker_t *w)
{
    h2_backend_t *b = w->impl;
    if (b == NULL)
        return;
    if (b->timer != NULL)
        h2o_socket_close(b->timer); /* closes the timerfd */
    for (unsigned i = 0; b->conns != NULL && i < b->n; i++)
        close_sock(&b->conns[i]);
    if (b->loop != NULL) {
        h2o_evloop_run(b->loop, 0); /* the write callbacks still due close their sockets */
        h2o_evloop_run(b->loop, 0); /* and the closed sockets are freed */
        h2o_evloop_destroy(b->loop);
    }
    for (unsigned i = 0; b->conns != NULL && i < b->n; i++) {
        h2conn_t *c = &b->conns[i];
        if (c->session != NULL)
            nghttp2_session_del(c->session);
        for (unsigned k = 0; c->streams != NULL && k < c->nstreams; k++)
            ad_answer_free(&c->streams[k].answer);
        free(c->streams);
        free(c->free_slots);
        free(c->out);
    }
    if (b->callbacks != NULL)
        nghttp2_session_callbacks_del(b->callbacks);
    ad_request_h2_free(&b->fields);
    ad_engine_tls_free(&b->tls);
    free(b->nv);
    free(b->conns);
    free(b->ready);
    free(b->dirty);
    free(b->refused);
    free(b);
    w->impl = NULL;
}

static void on_timer(h2o_socket_t *sock, const char *err)
{
    (void)err;
    uint64_t expirations;
    if (read(h2o_socket_get_fd(sock), &expirations, sizeof(expirations)) < 0) /* clears it; EAGAIN: early */
        return;
    ((h2_backend_t *)sock->data)->timer_at = 0;
}

static int setup_timer(h2_backend_t *b)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0)
        return -1;
    b->timer = h2o_evloop_socket_create(b->loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    b->timer->data = b;
    h2o_socket_read_start(b->timer, on_timer);
    return 0;
}

/* The loop's wait until wake: the timerfd armed for it in the open model, h2o's milliseconds otherwise. */
static int32_t wait_ms(h2_backend_t *b, int64_t now, int64_t wake)
{
    if (b->write_waiting || wake <= now)
        return 0;
    if (b->timer != NULL && wake != b->timer_at) {
        struct itimerspec its = {.it_value = {.tv_sec = wake / AD_NS_PER_SEC, .tv_nsec = wake % AD_NS_PER_SEC}};
        if (timerfd_settime(h2o_socket_get_fd(b->timer), TFD_TIMER_ABSTIME, &its, NULL) == 0)
            b->timer_at = wake;
    }
    /* with the timer armed, this is only a backstop */
    return ad_evloop_wait_ms(now, wake) + (b->timer != NULL ? 1 : 0);
}

static int h2_setup(ad_engine_worker_t *w)
{
    h2_backend_t *b = ad_ew_impl_new(w, sizeof(*b));
    if (b == NULL)
        return -1;
    b->w = w;
    b->inflight.timeout_ns = w->plan->timeout_ns;
    if (setup_request(b, w->plan, w->err, sizeof(w->err)) != 0)
        return -1;
    b->https = w->plan->target->https;
    if (b->https && ad_engine_tls_setup(&b->tls, w->tls, w->plan->target, w->err, sizeof(w->err)) != 0)
        return -1;
    unsigned streams = w->plan->streams > 0 ? w->plan->streams : 1;
    if (setup_callbacks(b) != 0 || setup_conns(b, w->conns, streams) != 0 || (b->loop = h2o_evloop_create()) == NULL) {
        snprintf(w->err, sizeof(w->err), "out of memory setting up %u connections", (w->conns + streams - 1) / streams);
        return -1;
    }
    if (w->interval_ns > 0 && setup_timer(b) != 0) {
        snprintf(w->err, sizeof(w->err), "timerfd_create: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- the loop ---- */

/* A stop request: what is in flight is abandoned, not counted; the connections are closed. */
static void abandon_in_flight(h2_backend_t *b)
{
    for (unsigned i = 0; i < b->n; i++) {
        h2conn_t *c = &b->conns[i];
        for (unsigned k = 0; k < c->nstreams; k++) {
            h2stream_t *s = &c->streams[k];
            if (s->id == 0)
                continue;
            ad_inflight_untrack(&b->inflight, &s->inflight);
            s->id = 0;
            c->free_slots[c->nfree++] = k;
        }
        c->busy = 0;
        close_conn(c);
    }
    b->nrefused = 0;
    b->w->in_flight = 0;
}

static void h2_run_phase(ad_engine_worker_t *w)
{
    h2_backend_t *b = w->impl;
    for (;;) {
        int64_t now = ad_mono_ns();
        if (ad_ew_stopping(w)) {
            abandon_in_flight(b);
            return;
        }
        expire(b, now);
        fill(b);
        flush_dirty(b);
        if (ad_ew_phase_over(w, now))
            return;
        int64_t wake = ad_evloop_wake(w, now, b->nready > 0, &b->inflight, b->connect_at);
        if (ad_evloop_turn(w, b->loop, wait_ms(b, now, wake)) != 0)
            return;
    }
}

const ad_engine_backend_t ad_engine_backend_nghttp2 = {
    .name = "nghttp2",
    .setup = h2_setup,
    .run_phase = h2_run_phase,
    .teardown = h2_teardown,
    .release_thread_cache = ad_evloop_release_thread_cache,
    .own_tls = true,
    .alpn = "\x02h2",
};
