/* The process: loop threads, start-up, drain and exit (see server.h). */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "duration.h"
#include "events.h"
#include "fail.h"
#include "h2_guard.h"
#include "handlers.h"
#include "listeners.h"
#include "loop_monitor.h"
#include "log.h"
#include "messages.h"
#include "nofile.h"
#include "notify.h"
#include "respond.h"
#include "signals.h"
#include "version.h"

#define DRAIN_POLL_NS (10 * AD_NS_PER_MS)
/* How long the drain waits for the first request of a connection accepted just before the signal. */
#define FIRST_REQUEST_GRACE_NS AD_NS_PER_SEC
#define ACCEPT_PAUSE_NS (100 * AD_NS_PER_MS)
#define ACCEPT_BATCH 32 /* connections taken per wake-up; fairness between loops comes from dispatch_connection */
#define PARK_WAIT_SECONDS 2
#define WARN_EVERY_NS (10 * AD_NS_PER_SEC) /* a loop logs running out of descriptors, or refusing, this often */
/* After connections close (loop.c arms the loop's trim timer), freed heap above this much is given back to
 * the system (malloc_trim): glibc keeps what a heavy client made the daemon allocate (326 MB measured after
 * an HPACK flood). */
#define TRIM_FREE_BYTES (8 * 1024 * 1024)

/* One process, one server; static so that everything stays reachable until exit (leak checkers). */
static ad_server_t the_server;
static ad_signals_t the_signals;
static ad_listeners_t the_listeners; /* the process's own: each loop listens on a duplicate (open_loop_listeners) */

/* ---- accepting ------------------------------------------------------------------------------------- */

static void on_trim(ad_timer_t *timer)
{
    (void)timer;
    struct mallinfo2 mi = mallinfo2();
    if (mi.fordblks > TRIM_FREE_BYTES)
        malloc_trim(0);
}

/* ---- max-connections: a canned 503, then close ---- */

/* The answer is built once: every refusal sends the same bytes, with no request parsed. */
static void build_refusal(ad_server_t *s)
{
    ad_jw_t jw;
    ad_jw_init(&jw, 256);
    ad_respond_error_begin(&jw, 503, "too many connections");
    ad_jw_key(&jw, "max_connections");
    ad_jw_uint(&jw, s->cfg.max_connections);
    ad_jw_key(&jw, "retry_after_seconds");
    ad_jw_uint(&jw, 1);
    ad_jw_object_end(&jw);
    int n =
        snprintf(s->refusal, sizeof(s->refusal),
                 "HTTP/1.1 503 Service Unavailable\r\nServer: " AD_SERVER_NAME "\r\nContent-Type: application/json\r\n"
                 "Content-Length: %zu\r\nRetry-After: 1\r\nConnection: close\r\n\r\n%.*s\n",
                 jw.len + 1, (int)jw.len, ad_jw_failed(&jw) ? "" : jw.buf);
    s->refusal_len = n > 0 && (size_t)n < sizeof(s->refusal) ? (size_t)n : 0;
    ad_jw_free(&jw);
}

static void on_refusal_sent(h2o_socket_t *sock, const char *err)
{
    /* Read what the client already sent: closing with unread input would reset the connection, and the
     * client could lose the 503 before reading it. */
    char discard[4096];
    int fd = h2o_socket_get_fd(sock);
    for (int i = 0; err == NULL && fd >= 0 && i < 4; i++)
        if (recv(fd, discard, sizeof(discard), MSG_DONTWAIT) <= 0)
            break;
    h2o_socket_close(sock);
}

static void refuse_connection(ad_loop_t *loop, h2o_socket_t *sock, bool tls)
{
    ad_server_t *s = loop->server;
    int64_t now = ad_mono_ns();
    ad_stats_connection_refused(&loop->stats);
    if (ad_ratelimit_below(&loop->refuse_log, now))
        ad_log_warning("%s: %u connections open (max-connections); refusing new ones with 503", loop->name,
                       s->cfg.max_connections);
    if (tls) { /* the canned 503 is cleartext; a handshake just to refuse would cost what the limit saves */
        h2o_socket_close(sock);
        return;
    }
    h2o_iovec_t buf = h2o_iovec_init(s->refusal, s->refusal_len);
    h2o_socket_write(sock, &buf, 1, on_refusal_sent);
}

static void on_accept(h2o_socket_t *listener, const char *err);

static void on_accept_resume(ad_timer_t *timer)
{
    ad_loop_t *loop = H2O_STRUCT_FROM_MEMBER(ad_loop_t, accept_resume, timer);
    for (size_t i = 0; i < loop->nlisteners; i++)
        h2o_socket_read_start(loop->listeners[i], on_accept);
}

/* Out of descriptors: a level-triggered listener would spin; rest 100 ms instead (logged every 10 s at most). */
static void pause_accepting(ad_loop_t *loop, int err)
{
    int64_t now = ad_mono_ns();
    if (ad_ratelimit_below(&loop->accept_log, now))
        ad_log_warning("%s: cannot accept connections (%s); pausing accept for 100ms at a time", loop->name,
                       strerror(err));
    for (size_t i = 0; i < loop->nlisteners; i++)
        h2o_socket_read_stop(loop->listeners[i]);
    ad_timers_add(&loop->timers, &loop->accept_resume, now + ACCEPT_PAUSE_NS);
}

/* A connection accepted by one loop for another, moved with h2o's own export/import. */
typedef struct handoff {
    h2o_multithread_message_t super;
    h2o_socket_export_t exported;
    ad_tls_t *tls; /* the listener's TLS settings, NULL for cleartext */
} handoff_t;

static void on_handoff(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    ad_loop_t *loop = H2O_STRUCT_FROM_MEMBER(ad_loop_t, handoff_receiver, receiver);
    while (!h2o_linklist_is_empty(messages)) {
        handoff_t *h = H2O_STRUCT_FROM_MEMBER(handoff_t, super.link, messages->next);
        h2o_linklist_unlink(&h->super.link);
        h2o_socket_t *sock = h2o_socket_import(loop->evloop, &h->exported);
        ad_tls_t *tls = h->tls;
        free(h);
        ad_loop_adopt_connection(loop, sock, tls);
    }
}

/*
 * With several loops, each new connection goes to the loop whose turn it is, whichever loop's epoll
 * woke up: the kernel wakes threads unevenly (an idle loop wins every race against a busy one), so
 * only an explicit round-robin spreads connections evenly.
 */
static void dispatch_connection(ad_loop_t *loop, h2o_socket_t *sock, ad_tls_t *tls)
{
    ad_server_t *s = loop->server;
    if (s->nloops == 1 || !atomic_load_explicit(&s->handoff_ready, memory_order_acquire)) {
        ad_loop_adopt_connection(loop, sock, tls);
        return;
    }
    unsigned turn = atomic_fetch_add_explicit(&s->next_loop, 1, memory_order_relaxed) % s->nloops;
    ad_loop_t *target = s->loops[turn];
    handoff_t *h = target == loop ? NULL : calloc(1, sizeof(*h));
    if (h == NULL) { /* our own turn, or no memory to move it: serve it here */
        ad_loop_adopt_connection(loop, sock, tls);
        return;
    }
    if (h2o_socket_export(sock, &h->exported) != 0) { /* sock is left as it was: serve it here */
        free(h);
        ad_loop_adopt_connection(loop, sock, tls);
        return;
    }
    h->tls = tls; /* the handshake is the adopting loop's: nothing of TLS exists yet */
    h2o_multithread_send_message(&target->handoff_receiver, &h->super);
}

static ad_tls_t *listener_tls(const ad_loop_t *loop, const h2o_socket_t *listener)
{
    for (size_t i = 0; i < loop->nlisteners; i++)
        if (loop->listeners[i] == listener)
            return loop->listener_tls[i];
    return NULL;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    ad_loop_t *loop = listener->data;
    if (err != NULL)
        return;
    ad_tls_t *tls = listener_tls(loop, listener);
    for (unsigned i = 0; i < ACCEPT_BATCH; i++) {
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (sock == NULL) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                pause_accepting(loop, errno);
            return;
        }
        if (ad_server_admit(&loop->server->connections, loop->server->cfg.max_connections)) {
            /* counted here, not on adoption, so that a connection handed to another loop is never missed */
            atomic_fetch_add_explicit(&loop->server->fresh, 1, memory_order_relaxed);
            dispatch_connection(loop, sock, tls);
        } else
            refuse_connection(loop, sock, tls != NULL);
    }
}

/* ---- drain and exit -------------------------------------------------------------------------------- */

static void begin_drain(ad_loop_t *loop)
{
    for (size_t i = 0; i < loop->nlisteners; i++) {
        h2o_socket_read_stop(loop->listeners[i]);
        h2o_socket_close(loop->listeners[i]);
    }
    loop->nlisteners = 0;
    ad_timers_cancel(&loop->timers, &loop->accept_resume);
    /* HTTP/2: GOAWAY. HTTP/1: h2o answers later requests with "Connection: close". */
    h2o_context_request_shutdown(&loop->ctx);
}

static void on_control(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    ad_loop_t *loop = H2O_STRUCT_FROM_MEMBER(ad_loop_t, control_receiver, receiver);
    while (!h2o_linklist_is_empty(messages)) {
        h2o_linklist_t *link = messages->next;
        h2o_linklist_unlink(link);
        if (link == &loop->drain_msg.link)
            begin_drain(loop);
        else if (link == &loop->exit_msg.link)
            loop->running = false;
    }
}

/* Loop 0: every loop leaves its run loop after the current iteration (which still flushes HTTP/2 output). */
static void stop_loops(ad_server_t *s)
{
    if (s->stop_now)
        return;
    s->stop_now = true;
    for (unsigned i = 1; i < s->nloops; i++)
        h2o_multithread_send_message(&s->loops[i]->control_receiver, &s->loops[i]->exit_msg);
    s->loops[0]->running = false;
}

static void on_drain_poll(ad_timer_t *timer)
{
    ad_server_t *s = H2O_STRUCT_FROM_MEMBER(ad_server_t, drain_timer, timer);
    int64_t now = ad_mono_ns();
    /* fresh before waiting: a first request is counted in `waiting` before it leaves `fresh` */
    int64_t fresh = atomic_load_explicit(&s->fresh, memory_order_acquire);
    int64_t waiting = atomic_load_explicit(&s->waiting, memory_order_relaxed);
    bool fresh_waited_enough = fresh == 0 || now >= s->first_request_deadline_ns;
    if (waiting == 0 && fresh_waited_enough) {
        if (fresh > 0) {
            char grace[32];
            ad_duration_format(s->first_request_deadline_ns - s->drain_started_ns, grace, sizeof(grace));
            ad_log_info("closing connections that sent no request within %s of the stop: %" PRId64, grace, fresh);
        }
        ad_log_info("all in-flight requests finished");
        stop_loops(s);
    } else if (now >= s->drain_deadline_ns) {
        ad_log_warning("drain timeout: %" PRId64 " requests still in flight; stopping anyway", waiting);
        stop_loops(s);
    } else {
        ad_timers_add(&s->loops[0]->timers, timer, now + DRAIN_POLL_NS);
    }
}

void ad_server_request_stop(ad_server_t *s)
{
    if (ad_server_draining(s)) {
        ad_log_notice("second stop signal: stopping now");
        stop_loops(s);
        return;
    }
    atomic_store(&s->draining, true);
    /* Listeners first, so that once the line below is out, loop 0 refuses new connections. */
    begin_drain(s->loops[0]);
    for (unsigned i = 1; i < s->nloops; i++)
        h2o_multithread_send_message(&s->loops[i]->control_receiver, &s->loops[i]->drain_msg);
    int64_t waiting = atomic_load(&s->waiting);
    char timeout[32], status[96];
    ad_duration_format(s->cfg.drain_timeout_ns, timeout, sizeof(timeout));
    snprintf(status, sizeof(status), "draining: %" PRId64 " requests in flight", waiting);
    ad_notify_stopping(status);
    ad_log_entry(LOG_NOTICE, AD_MSGID_DAEMON_STOPPING, NULL,
                 "stopping: no new connections; letting %" PRId64 " in-flight requests finish (at most %s)", waiting,
                 timeout);
    s->drain_started_ns = ad_mono_ns();
    s->drain_deadline_ns = s->drain_started_ns + s->cfg.drain_timeout_ns;
    int64_t grace = s->cfg.drain_timeout_ns < FIRST_REQUEST_GRACE_NS ? s->cfg.drain_timeout_ns : FIRST_REQUEST_GRACE_NS;
    s->first_request_deadline_ns = s->drain_started_ns + grace;
    ad_timer_init(&s->drain_timer, on_drain_poll);
    on_drain_poll(&s->drain_timer);
}

/* ---- loop threads ---------------------------------------------------------------------------------- */

static int open_loop_listeners(ad_loop_t *loop)
{
    const ad_listeners_t *ls = &the_listeners;
    for (size_t i = 0; i < ls->n; i++) {
        int fd = fcntl(ls->fds[i], F_DUPFD_CLOEXEC, 0);
        if (fd < 0)
            return -1;
        h2o_socket_t *sock = h2o_evloop_socket_create(loop->evloop, fd, H2O_SOCKET_FLAG_DONT_READ);
        sock->data = loop;
        h2o_socket_read_start(sock, on_accept);
        loop->listener_tls[loop->nlisteners] = loop->server->tls[i];
        loop->listeners[loop->nlisteners++] = sock;
    }
    return 0;
}

/* Everything a loop owns, created on its own thread. 0, or -1 (logged). */
static int init_loop(ad_loop_t *loop)
{
    ad_server_t *s = loop->server;
    loop->evloop = h2o_evloop_create();
    h2o_context_init(&loop->ctx, loop->evloop, &s->globalconf);
    loop->accept_ctx.ctx = &loop->ctx;
    loop->accept_ctx.hosts = s->globalconf.hosts;
    ad_jw_init(&loop->jw, AD_JW_INITIAL_BYTES);
    h2o_linklist_init_anchor(&loop->tls_queue);
    ad_events_init(loop);
    ad_timer_init(&loop->accept_resume, on_accept_resume);
    ad_timer_init(&loop->trim, on_trim);
    if (ad_timers_init(&loop->timers, loop->evloop) != 0 ||
        ad_disconnect_init(&loop->disconnect, loop->evloop, ad_handlers_on_client_gone) != 0 ||
        ad_loop_monitor_start(loop, s->cfg.tick_interval_ns) != 0 || open_loop_listeners(loop) != 0) {
        ad_log_error("%s: cannot set up the event loop: %s", loop->name, strerror(errno));
        return -1;
    }
    ad_h2_guard_bind(&loop->stats, &loop->ctx);
    ad_send_watch_init(&loop->send_watch, &loop->timers, &s->live.send_timeout_ns, &loop->stats);
    h2o_multithread_register_receiver(loop->ctx.queue, &loop->offload_receiver, ad_handlers_on_offload_reply);
    h2o_multithread_register_receiver(loop->ctx.queue, &loop->control_receiver, on_control);
    h2o_multithread_register_receiver(loop->ctx.queue, &loop->handoff_receiver, on_handoff);
    loop->running = true;
    return 0;
}

static void run_loop(ad_loop_t *loop)
{
    while (loop->running)
        h2o_evloop_run(loop->evloop, ad_loop_turn_begin(loop) ? 0 : INT32_MAX);
}

static void report_ready(ad_server_t *s, int rc)
{
    pthread_mutex_lock(&s->sync_lock);
    if (rc == 0)
        s->loops_ready++;
    else
        s->loops_failed++;
    pthread_cond_broadcast(&s->sync_cond);
    pthread_mutex_unlock(&s->sync_lock);
}

/*
 * A stopped loop thread parks instead of returning: its h2o state (connections still open at exit,
 * per-thread buffer caches) stays reachable, and the process exits from the main thread.
 */
static void park(ad_server_t *s)
{
    pthread_mutex_lock(&s->sync_lock);
    s->loops_parked++;
    pthread_cond_broadcast(&s->sync_cond);
    for (;;)
        pthread_cond_wait(&s->sync_cond, &s->sync_lock);
}

static void *loop_thread(void *arg)
{
    ad_loop_t *loop = arg;
    pthread_setname_np(pthread_self(), loop->name);
    int rc = init_loop(loop);
    report_ready(loop->server, rc);
    if (rc == 0)
        run_loop(loop);
    park(loop->server);
    return NULL;
}

/* Waits until *counter (+ *also) reaches target or `seconds` pass; true when *counter alone reached it. */
static bool wait_count(ad_server_t *s, const unsigned *counter, const unsigned *also, unsigned target, int seconds)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += seconds;
    pthread_mutex_lock(&s->sync_lock);
    int rc = 0;
    while (*counter + (also != NULL ? *also : 0) < target && rc == 0)
        rc = pthread_cond_timedwait(&s->sync_cond, &s->sync_lock, &until);
    bool ok = *counter >= target;
    pthread_mutex_unlock(&s->sync_lock);
    return ok;
}

/* ---- start-up ---------------------------------------------------------------------------------------- */

static void setup_globalconf(ad_server_t *s)
{
    /* h2o's read buffers (request bodies among them) spill to files in /tmp past 32 MB by default; with
     * bodies bounded by max-body nothing needs to, so nothing ever is. Process-wide, set before any loop. */
    h2o_socket_buffer_mmap_settings.threshold = SIZE_MAX;
    h2o_config_init(&s->globalconf);
    s->globalconf.server_name = h2o_iovec_init("", 0); /* Server comes from a filter (respond.c) */
    /* h2o copies these into each context at h2o_context_init: set before the loops start. */
    s->globalconf.http1.req_timeout = ad_config_http1_timeout_ms(&s->cfg);
    s->globalconf.http2.idle_timeout = ad_config_http2_timeout_ms(&s->cfg);
    /*
     * Request bodies: h2o reads a whole body before the handler runs, so it must refuse big ones itself.
     * One byte over max-body so that the limit is the same on every path: h2o refuses a Content-Length
     * above this before reading the body, and a chunked (or HTTP/2) body once it reaches this; a body of
     * exactly max-body + 1 declared bytes reaches the handler, which refuses it (413).
     */
    s->globalconf.max_request_entity_size = (size_t)s->cfg.max_body + 1;
    h2o_hostconf_t *host = h2o_config_register_host(&s->globalconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    ad_handlers_register(host);
}

void ad_live_settings_apply(ad_live_settings_t *live, const ad_config_t *cfg)
{
    atomic_store(&live->max_delay_ns, cfg->max_delay_ns);
    atomic_store(&live->default_delay_ns, cfg->default_delay_ns);
    atomic_store(&live->stall_threshold_ns, cfg->stall_threshold_ns);
    atomic_store(&live->send_timeout_ns, cfg->send_timeout_ns);
    atomic_store(&live->pool_queue, cfg->pool_queue);
    atomic_store(&live->hsts_max_age, cfg->hsts_max_age);
}

/* Descriptors the daemon needs besides client connections: listeners, timerfds, epolls, pipes, logs. */
#define NOFILE_RESERVE 64

/*
 * 10,000 concurrent clients need more than the usual 1024 descriptors: take what the hard limit allows.
 * When max-connections is above what remains, the limit cannot bite: accepts fail with EMFILE first
 * (and accepting pauses), so say so once.
 */
static void raise_nofile_limit(unsigned max_connections)
{
    uint64_t limit = ad_nofile_raise();
    if (limit == 0 || limit == UINT64_MAX || (uint64_t)max_connections + NOFILE_RESERVE <= limit)
        return;
    if (limit > NOFILE_RESERVE)
        ad_log_warning("max-connections (%u) does not fit the open-file limit (%llu): past about %llu connections, "
                       "new ones fail to be accepted instead of getting a 503",
                       max_connections, (unsigned long long)limit, (unsigned long long)(limit - NOFILE_RESERVE));
    else /* the daemon's own descriptors may take all of it: no count of connections would be true */
        ad_log_warning(
            "the open-file limit (%llu) leaves no room beyond the %d descriptors asyncdemod keeps for itself: "
            "connections may fail to be accepted at any count; raise it (ulimit -n, LimitNOFILE=)",
            (unsigned long long)limit, NOFILE_RESERVE);
}

static int create_loops(ad_server_t *s)
{
    s->nloops = s->cfg.threads > 0 ? s->cfg.threads : 1;
    s->loops = calloc(s->nloops, sizeof(*s->loops));
    s->shards = calloc(s->nloops, sizeof(*s->shards));
    if (s->loops == NULL || s->shards == NULL)
        return -1;
    for (unsigned i = 0; i < s->nloops; i++) {
        ad_loop_t *loop = calloc(1, sizeof(*loop));
        if (loop == NULL)
            return -1;
        loop->server = s;
        loop->index = i;
        snprintf(loop->name, sizeof(loop->name), "loop-%u", i);
        loop->accept_log = AD_RATELIMIT(WARN_EVERY_NS, 1);
        loop->refuse_log = AD_RATELIMIT(WARN_EVERY_NS, 1);
        ad_stats_shard_init(&loop->stats);
        s->loops[i] = loop;
        s->shards[i] = &loop->stats;
    }
    return 0;
}

/* Loops 1..N-1 on their own threads, loop 0 here; true once all of them are ready. */
static bool start_loops(ad_server_t *s)
{
    for (unsigned i = 1; i < s->nloops; i++) {
        int rc = pthread_create(&s->loops[i]->thread, NULL, loop_thread, s->loops[i]);
        if (rc != 0) {
            ad_log_error("cannot start thread %s: %s", s->loops[i]->name, strerror(rc));
            report_ready(s, -1);
        }
    }
    report_ready(s, init_loop(s->loops[0]));
    if (!wait_count(s, &s->loops_ready, &s->loops_failed, s->nloops, 30))
        return false;
    atomic_store_explicit(&s->handoff_ready, true, memory_order_release);
    return true;
}

static void announce(ad_server_t *s)
{
    char listen[AD_MAX_LISTEN * 64], threads[32], lfield[AD_MAX_LISTEN * 64 + 32], vfield[64];
    for (size_t i = 0; i < the_listeners.n; i++)
        ad_log_notice("listening on %s%s", the_listeners.names[i], s->tls[i] != NULL ? " (TLS: h2, http/1.1)" : "");
    ad_listeners_describe(&the_listeners, listen, sizeof(listen));
    snprintf(lfield, sizeof(lfield), "ASYNCDEMO_LISTEN=%s", listen);
    snprintf(threads, sizeof(threads), "ASYNCDEMO_THREADS=%u", s->nloops);
    snprintf(vfield, sizeof(vfield), "ASYNCDEMO_VERSION=%s", AD_VERSION);
    const char *fields[] = {lfield, threads, vfield, NULL};
    ad_log_entry(LOG_NOTICE, AD_MSGID_DAEMON_STARTED, fields,
                 "asyncdemod %s started: %u loop thread%s, %u offload worker%s%s", AD_VERSION, s->nloops,
                 s->nloops == 1 ? "" : "s", s->cfg.pool_size, s->cfg.pool_size == 1 ? "" : "s",
                 the_listeners.activated ? ", sockets from systemd" : "");
    char status[AD_MAX_LISTEN * 64 + 64];
    snprintf(status, sizeof(status), "listening on %s; in flight 0, served 0, longest stall 0s", listen);
    ad_notify_ready(status);
}

/* A TLS context for each listener whose config entry names a certificate. 0, or -1 with the reason in err. */
static int open_tls(ad_server_t *s, const ad_config_t *cfg, char *err, size_t errlen)
{
    for (size_t i = 0; i < the_listeners.n; i++) {
        int c = the_listeners.conf_index[i];
        if (c < 0 || cfg->listen[c].tls_cert[0] == '\0')
            continue;
        SSL_CTX *ctx;
        char why[512];
        if (ad_tls_context_new(cfg->listen[c].tls_cert, cfg->listen[c].tls_key, &ctx, why, sizeof(why)) != 0)
            return ad_fail(err, errlen, "cannot serve TLS on %s: %s", cfg->listen[c].text, why);
        if ((s->tls[i] = calloc(1, sizeof(*s->tls[i]))) == NULL) {
            SSL_CTX_free(ctx);
            return ad_fail(err, errlen, "cannot serve TLS on %s: out of memory", cfg->listen[c].text);
        }
        ad_tls_init(s->tls[i], (size_t)c, cfg->listen[c].text, the_listeners.names[i], ctx);
    }
    return 0;
}

static int init_server(ad_server_t *s, const ad_config_t *cfg, int argc, char **argv)
{
    char err[1024];
    s->cfg = *cfg;
    s->argc = argc;
    s->argv = argv;
    s->pid = getpid();
    s->started_mono_ns = ad_mono_ns();
    s->started_wall_ns = ad_wall_ns();
    pthread_mutex_init(&s->sync_lock, NULL);
    pthread_cond_init(&s->sync_cond, NULL);
    ad_live_settings_apply(&s->live, cfg);
    raise_nofile_limit(cfg->max_connections);
    if (ad_signals_block() != 0) {
        ad_log_error("cannot block signals: %s", strerror(errno));
        return -1;
    }
    if (ad_listeners_open(&the_listeners, cfg, err, sizeof(err)) != 0) {
        ad_log_error("%s", err);
        return -1;
    }
    if (open_tls(s, cfg, err, sizeof(err)) != 0) {
        ad_log_error("%s", err);
        return AD_SERVER_BAD_CONFIG;
    }
    setup_globalconf(s);
    build_refusal(s);
    if (!ad_h2_guard_active())
        ad_log_warning("HTTP/2 header blocks and request bodies cannot be bounded (libh2o's decoders not found); "
                       "one connection can take much memory");
    ad_watchdog_init(&s->watchdog);
    s->pool = ad_offload_pool_start(cfg->pool_size, &s->live.pool_queue);
    if (s->pool == NULL || create_loops(s) != 0) {
        ad_log_error("cannot start: out of memory or threads");
        return -1;
    }
    return 0;
}

/*
 * What can be released once the loops are stopped: the idle worker threads, and the configuration
 * (its mime map is reachable only through interior pointers, which leak checkers call "possibly lost").
 * The loops' contexts stay: h2o cannot dispose a context with live connections.
 */
static void release_at_exit(ad_server_t *s, bool all_parked)
{
    if (ad_offload_pool_stop(s->pool, AD_NS_PER_SEC))
        s->pool = NULL;
    if (all_parked)
        h2o_config_dispose(&s->globalconf);
}

static void on_stop_signal(void *data)
{
    ad_server_request_stop(data);
}

static void on_reload_signal(void *data)
{
    ad_server_reload(data);
}

int ad_server_run(const ad_config_t *cfg, int argc, char **argv)
{
    ad_server_t *s = &the_server;
    int rc = init_server(s, cfg, argc, argv);
    if (rc != 0)
        return rc;
    if (!start_loops(s)) {
        ad_log_error("cannot start: %u of %u event loops failed", s->loops_failed, s->nloops);
        return -1;
    }
    the_signals = (ad_signals_t){.on_stop = on_stop_signal, .on_reload = on_reload_signal, .data = s};
    if (ad_signals_start(&the_signals, s->loops[0]->evloop) != 0) {
        ad_log_error("cannot watch signals: %s", strerror(errno));
        return -1;
    }
    announce(s);
    /* Every loop holds its own duplicate now; the originals would keep the sockets open past the drain. */
    for (size_t i = 0; i < the_listeners.n; i++)
        close(the_listeners.fds[i]);
    run_loop(s->loops[0]);

    bool all_parked = wait_count(s, &s->loops_parked, NULL, s->nloops - 1, PARK_WAIT_SECONDS);
    if (!all_parked)
        ad_log_warning("some event loops did not stop within %ds (a /blocking sleep?); exiting anyway",
                       PARK_WAIT_SECONDS);
    release_at_exit(s, all_parked);
    ad_log_entry(LOG_NOTICE, AD_MSGID_DAEMON_STOPPED, NULL, "stopped");
    return 0;
}
