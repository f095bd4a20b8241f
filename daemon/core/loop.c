/* The shared state's accounting: connections, first requests, the /stats snapshot (see loop.h). */
#include "loop.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <h2o/http1.h>
#include <h2o/http2.h>

#include "clock.h"
#include "log.h"
#include "version.h"

/* After connections close, the loop's trim timer (server.c) gives freed heap back a moment later: once per
 * burst of closes, not after every connection. */
#define TRIM_DELAY_NS (200 * AD_NS_PER_MS)

static void on_connection_close(void *data)
{
    ad_loop_t *loop = data;
    if (!ad_timer_is_linked(&loop->trim))
        ad_timers_add(&loop->timers, &loop->trim, ad_mono_ns() + TRIM_DELAY_NS);
    ad_stats_connection_close(&loop->stats);
    ad_server_release(&loop->server->connections);
    ad_timers_run_due(&loop->timers); /* due answers go before the rest of a burst of teardowns */
}

/* A connection that closes before its first request was handled: the drain no longer waits for it. */
static void on_fresh_connection_close(void *data)
{
    ad_loop_t *loop = data;
    atomic_fetch_sub_explicit(&loop->server->fresh, 1, memory_order_release);
    on_connection_close(data);
}

static ad_protocol_t protocol_of(const h2o_req_t *req, const h2o_socket_t *sock)
{
    if (req->version >= 0x200)
        return sock->ssl != NULL ? AD_PROTO_H2 : AD_PROTO_H2C;
    return req->version >= 0x101 ? AD_PROTO_HTTP1_1 : AD_PROTO_HTTP1_0;
}

/* The close callback tells whether a connection is fresh: no per-connection memory. The first request also
 * tells the connection's protocol. */
bool ad_server_claim_first_request(h2o_req_t *req)
{
    h2o_socket_t *sock = req->conn->callbacks->get_socket ? req->conn->callbacks->get_socket(req->conn) : NULL;
    if (sock == NULL || sock->on_close.cb != on_fresh_connection_close)
        return false;
    sock->on_close.cb = on_connection_close;
    ad_stats_connection_protocol(&ad_loop_of(req->conn->ctx)->stats, protocol_of(req, sock));
    return true;
}

/* ---- memory per connection, for those that ask ---- */

typedef struct connection_memory {
    void (*chained)(void *); /* the close callback it stands in front of (on_connection_close) */
    void *chained_data;
    max_align_t block[]; /* the caller's */
} connection_memory_t;

static void on_connection_memory_close(void *data)
{
    connection_memory_t *m = data;
    void (*chained)(void *) = m->chained;
    void *chained_data = m->chained_data;
    free(m);
    chained(chained_data);
}

void *ad_connection_memory(h2o_req_t *req, size_t size)
{
    h2o_socket_t *sock = req->conn->callbacks->get_socket ? req->conn->callbacks->get_socket(req->conn) : NULL;
    /* a request is handled after its connection's first was claimed: the block never hides a fresh one */
    if (sock == NULL || sock->on_close.cb == on_fresh_connection_close)
        return NULL;
    connection_memory_t *m = sock->on_close.data;
    if (sock->on_close.cb != on_connection_memory_close) {
        if ((m = calloc(1, sizeof(*m) + size)) == NULL)
            return NULL;
        m->chained = sock->on_close.cb;
        m->chained_data = sock->on_close.data;
        sock->on_close.cb = on_connection_memory_close;
        sock->on_close.data = m;
    }
    return m->block;
}

/* ---- TLS: the handshake, then HTTP/2 or HTTP/1 as ALPN chose ---- */

/*
 * A TLS connection until its handshake ends. Done here rather than by h2o_accept so that handshakes and their
 * failures are counted, bounded by header-timeout, and served a few per loop turn.
 *
 * header-timeout bounds how long the handshake waits on the client, not on the daemon: the clock starts at
 * accept for the ClientHello and again when the daemon begins the handshake (a burst queues thousands of them
 * behind each other, ~0.4 ms of CPU each), and a timer that finds the client's bytes waiting unread is the
 * daemon's lateness, so it waits once more instead of cutting a client that was on time.
 */
typedef struct tls_handshake {
    ad_timer_t timeout;
    h2o_linklist_t queued; /* in loop->tls_queue while its ClientHello waits for a turn's budget */
    ad_loop_t *loop;
    h2o_socket_t *sock;
    SSL_CTX *ctx; /* a reference held until the end: h2o creates the connection's SSL from it lazily */
    struct timeval connected_at;
    unsigned extensions; /* header-timeouts added because the client's bytes were waiting unread */
} tls_handshake_t;

/* A client whose bytes sit unread for this many header-timeouts more is cut anyway: the daemon is never that far
 * behind, so a handshake cannot be kept open for ever by bytes that stay unread. */
#define MAX_HANDSHAKE_EXTENSIONS 3

static void arm_handshake_timeout(tls_handshake_t *hs)
{
    ad_timers_add(&hs->loop->timers, &hs->timeout, ad_mono_ns() + hs->loop->server->cfg.header_timeout_ns);
}

static void handshake_end(tls_handshake_t *hs)
{
    ad_timers_cancel(&hs->loop->timers, &hs->timeout);
    if (h2o_linklist_is_linked(&hs->queued))
        h2o_linklist_unlink(&hs->queued);
    hs->sock->data = NULL;
    SSL_CTX_free(hs->ctx);
    free(hs);
}

static int tls_version_of(h2o_socket_t *sock)
{
    const char *v = h2o_socket_get_ssl_protocol_version(sock);
    if (v != NULL && strcmp(v, "TLSv1.2") == 0)
        return AD_TLS_V_TLS1_2;
    if (v != NULL && strcmp(v, "TLSv1.3") == 0)
        return AD_TLS_V_TLS1_3;
    return -1;
}

static void handshake_failed(tls_handshake_t *hs)
{
    ad_loop_t *loop = hs->loop;
    h2o_socket_t *sock = hs->sock;
    handshake_end(hs);
    ad_stats_tls_handshake_failed(&loop->stats);
    h2o_socket_close(sock);
}

static void on_handshake(h2o_socket_t *sock, const char *err)
{
    tls_handshake_t *hs = sock->data;
    ad_loop_t *loop = hs->loop;
    struct timeval connected_at = hs->connected_at;
    if (err != NULL) {
        ad_log_debug("%s: TLS handshake failed: %s", loop->name, err);
        handshake_failed(hs);
        return;
    }
    handshake_end(hs);
    ad_stats_tls_handshake(&loop->stats, tls_version_of(sock));
    h2o_iovec_t proto = h2o_socket_ssl_get_selected_protocol(sock);
    if (proto.len == 2 && memcmp(proto.base, "h2", 2) == 0)
        h2o_http2_accept(&loop->accept_ctx, sock, connected_at);
    else
        h2o_http1_accept(&loop->accept_ctx, sock, connected_at);
}

/* The client's first bytes are in sock->input: h2o takes them from there and runs the first (costly) step. */
static void begin_handshake(tls_handshake_t *hs)
{
    hs->loop->tls_budget--;
    arm_handshake_timeout(hs);
    h2o_socket_ssl_handshake(hs->sock, hs->ctx, NULL, on_handshake);
}

static void on_client_hello(h2o_socket_t *sock, const char *err)
{
    tls_handshake_t *hs = sock->data;
    if (err != NULL) {
        handshake_failed(hs);
        return;
    }
    if (sock->input->size == 0)
        return; /* h2o may call with nothing new: the ClientHello is still to come */
    h2o_socket_read_stop(sock);
    if (hs->loop->tls_budget > 0) {
        begin_handshake(hs);
        return;
    }
    /* the daemon's own queue: no clock runs while it waits here */
    ad_timers_cancel(&hs->loop->timers, &hs->timeout);
    h2o_linklist_insert(&hs->loop->tls_queue, &hs->queued);
}

static void on_handshake_timeout(ad_timer_t *timer)
{
    tls_handshake_t *hs = H2O_STRUCT_FROM_MEMBER(tls_handshake_t, timeout, timer);
    int unread = 0;
    if (hs->extensions < MAX_HANDSHAKE_EXTENSIONS && ioctl(h2o_socket_get_fd(hs->sock), FIONREAD, &unread) == 0 &&
        unread > 0) {
        hs->extensions++;
        arm_handshake_timeout(hs); /* the client spoke; the loop has not read it yet */
        return;
    }
    handshake_failed(hs);
}

static void start_handshake(ad_loop_t *loop, h2o_socket_t *sock, ad_tls_t *tls)
{
    tls_handshake_t *hs = calloc(1, sizeof(*hs));
    if (hs == NULL) {
        ad_stats_tls_handshake_failed(&loop->stats);
        h2o_socket_close(sock);
        return;
    }
    hs->loop = loop;
    hs->sock = sock;
    hs->ctx = ad_tls_acquire(tls);
    gettimeofday(&hs->connected_at, NULL);
    ad_timer_init(&hs->timeout, on_handshake_timeout);
    arm_handshake_timeout(hs);
    sock->data = hs;
    h2o_socket_read_start(sock, on_client_hello);
}

bool ad_loop_turn_begin(ad_loop_t *loop)
{
    loop->tls_budget = AD_TLS_HANDSHAKES_PER_TURN;
    while (loop->tls_budget > 0 && !h2o_linklist_is_empty(&loop->tls_queue)) {
        tls_handshake_t *hs = H2O_STRUCT_FROM_MEMBER(tls_handshake_t, queued, loop->tls_queue.next);
        h2o_linklist_unlink(&hs->queued);
        begin_handshake(hs);
    }
    return !h2o_linklist_is_empty(&loop->tls_queue);
}

void ad_loop_adopt_connection(ad_loop_t *loop, h2o_socket_t *sock, ad_tls_t *tls)
{
    ad_stats_connection_open(&loop->stats);
    sock->on_close.cb = on_fresh_connection_close;
    sock->on_close.data = loop;
    if (tls != NULL)
        start_handshake(loop, sock, tls);
    else
        h2o_accept(&loop->accept_ctx, sock);
}

/* ---- /stats view ------------------------------------------------------------------------------------- */

void ad_server_snapshot(ad_server_t *s, ad_stats_snapshot_t *snap)
{
    unsigned busy, queued;
    ad_offload_counts(s->pool, &busy, &queued);
    snap->info = (ad_stats_info_t){
        .top =
            {
                .version = AD_VERSION,
                .pid = (uint64_t)s->pid,
                .threads = s->nloops,
                .uptime_ns = ad_mono_ns() - s->started_mono_ns,
                .started_wall_ns = s->started_wall_ns,
            },
        .config =
            {
                .max_delay_ns = atomic_load_explicit(&s->live.max_delay_ns, memory_order_relaxed),
                .default_delay_ns = atomic_load_explicit(&s->live.default_delay_ns, memory_order_relaxed),
                .pool_size = s->cfg.pool_size,
                .pool_queue = atomic_load_explicit(&s->live.pool_queue, memory_order_relaxed),
                .stall_threshold_ns = atomic_load_explicit(&s->live.stall_threshold_ns, memory_order_relaxed),
                .watchdog_ns = s->watchdog.interval_ns,
                .max_connections = s->cfg.max_connections,
                .max_waiting = s->cfg.max_waiting,
                .header_timeout_ns = s->cfg.header_timeout_ns,
                .idle_timeout_ns = s->cfg.idle_timeout_ns,
                .send_timeout_ns = s->cfg.send_timeout_ns,
                .max_body = s->cfg.max_body,
            },
        .offload = {.busy = busy, .queued = queued},
    };
    snap->shards = s->shards;
    snap->nshards = s->nloops;
}
