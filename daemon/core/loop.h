#ifndef AD_LOOP_H
#define AD_LOOP_H
/*
 * The state every part of the daemon shares, at the bottom of its layers (nothing here calls up): a loop
 * (evloop, h2o context, timers, disconnect watcher, stats shard, response buffer), the server's shared
 * settings and counters, and the accounting of admission (max-connections, max-waiting), waits and
 * first requests that the drain reads. The process that creates and runs all this is server.h; the
 * endpoints that use it sit in between (handlers.h).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <h2o.h>
#include <h2o/multithread.h>

#include "config.h"
#include "disconnect.h"
#include "events_state.h"
#include "json_writer.h"
#include "loop_policy.h"
#include "timer_heap.h"
#include "offload.h"
#include "ratelimit.h"
#include "send_watch.h"
#include "stats.h"
#include "timers.h"
#include "tls.h"

typedef struct ad_server ad_server_t;

/* A loop's response buffer: its initial size, and the most it keeps between answers. */
#define AD_JW_INITIAL_BYTES 2048
#define AD_JW_KEEP_BYTES (256 * 1024)

/* A loop's probe tick and stall attribution (loop_monitor.h). */
typedef struct ad_loop_monitor {
    ad_timer_t tick;
    int64_t interval_ns;
    int64_t run_ns[AD_EP_COUNT];  /* handler run time per endpoint since the previous tick */
    _Atomic int64_t last_tick_ns; /* CLOCK_MONOTONIC; read by loop 0 before it pings the watchdog */
    int64_t next_status_ns;       /* loop 0: when STATUS= is due again */
    ad_busy_window_t busy;        /* the ticks' CPU samples: the utilisation over the last second */
} ad_loop_monitor_t;

/* Process-wide watchdog state (one per server). */
typedef struct ad_watchdog {
    int64_t interval_ns;                /* WATCHDOG_USEC as ns; 0 when the watchdog is off */
    int64_t budget_ns;                  /* interval / 2: the longest the loop may go without pinging */
    _Atomic int64_t last_ping_ns;       /* CLOCK_MONOTONIC of the last WATCHDOG=1 */
    _Atomic int64_t refusal_logged_for; /* last_ping_ns of the burst whose first refusal was logged */
} ad_watchdog_t;

typedef struct ad_loop {
    ad_server_t *server;
    unsigned index;
    char name[16]; /* "loop-N", also the thread's name */
    pthread_t thread;
    h2o_evloop_t *evloop;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    h2o_socket_t *listeners[AD_MAX_LISTEN];
    ad_tls_t *listener_tls[AD_MAX_LISTEN]; /* the TLS settings of listeners[i], NULL for cleartext */
    size_t nlisteners;
    ad_timer_t accept_resume;  /* re-enables accepting after EMFILE */
    ad_timer_t trim;           /* gives freed heap back to the system a moment after connections close */
    ad_ratelimit_t accept_log; /* running out of descriptors, logged every 10 s at most */
    ad_ratelimit_t refuse_log; /* refusing connections (max-connections), the same */
    ad_timers_t timers;
    ad_disconnect_t disconnect;
    ad_send_watch_t send_watch; /* answers not delivered yet (send-timeout) */
    ad_loop_monitor_t monitor;
    ad_events_t events;                          /* GET /events streams on this loop, and its per-second lag records */
    h2o_multithread_receiver_t offload_receiver; /* finished /offload jobs */
    h2o_multithread_receiver_t control_receiver; /* drain / exit from loop 0 */
    h2o_multithread_receiver_t handoff_receiver; /* connections another loop accepted for this one */
    h2o_multithread_message_t drain_msg, exit_msg;
    bool running;
    h2o_linklist_t tls_queue; /* TLS connections whose ClientHello waits for a turn's handshake budget (loop.c) */
    unsigned tls_budget;      /* TLS handshakes this loop may still begin in the current turn */
    ad_jw_t jw;               /* response bodies are built here, then copied into the request's pool */
    ad_stats_shard_t stats;
} ad_loop_t;

/* Settings that a reload (SIGHUP) may change while loops read them. */
typedef struct ad_live_settings {
    _Atomic int64_t max_delay_ns, default_delay_ns, stall_threshold_ns, send_timeout_ns;
    _Atomic unsigned pool_queue;
    _Atomic unsigned hsts_max_age; /* 0: no Strict-Transport-Security */
} ad_live_settings_t;

struct ad_server {
    ad_config_t cfg; /* as started; reloadable values live in `live` */
    int argc;
    char **argv; /* kept to re-read --config with the same flag precedence on reload */
    ad_live_settings_t live;
    h2o_globalconf_t globalconf;
    ad_tls_t *tls[AD_MAX_LISTEN]; /* per listener (the process's listener order), NULL for cleartext */
    ad_loop_t **loops;
    const ad_stats_shard_t **shards;
    unsigned nloops;
    ad_offload_pool_t *pool;
    ad_watchdog_t watchdog;
    pid_t pid;
    int64_t started_mono_ns, started_wall_ns;
    _Atomic uint64_t sequence;   /* delay requests, in arrival order */
    _Atomic int64_t waiting;     /* requests on a timer, in the pool or in a blocking sleep, all loops */
    _Atomic int64_t connections; /* client connections open, all loops: held to cfg.max_connections */
    _Atomic int64_t timer_waits; /* requests waiting on a delay timer, all loops: held to cfg.max_waiting */
    _Atomic int64_t fresh;       /* connections accepted whose first request has not been handled yet */
    char refusal[512];           /* the canned 503 sent to a connection past max-connections */
    size_t refusal_len;
    _Atomic bool draining;
    _Atomic unsigned next_loop; /* round-robin turn of the next accepted connection */
    _Atomic bool handoff_ready; /* every loop can receive connections */
    /* loop 0 only */
    bool stop_now;
    int64_t drain_started_ns, drain_deadline_ns;
    int64_t first_request_deadline_ns; /* the drain stops waiting for fresh connections here */
    ad_timer_t drain_timer;
    /* start-up and exit rendezvous of the loop threads */
    pthread_mutex_t sync_lock;
    pthread_cond_t sync_cond;
    unsigned loops_ready, loops_failed, loops_parked;
};

/* The loop a request's context belongs to. */
static inline ad_loop_t *ad_loop_of(h2o_context_t *ctx)
{
    return H2O_STRUCT_FROM_MEMBER(ad_loop_t, ctx, ctx);
}

/* Fills snap (info + live shards) for /stats, /metrics and STATUS=. */
void ad_server_snapshot(ad_server_t *s, ad_stats_snapshot_t *snap);

/* A request enters / leaves a wait (timer, pool, blocking sleep); the drain waits for these. */
static inline void ad_server_wait_begin(ad_server_t *s)
{
    atomic_fetch_add_explicit(&s->waiting, 1, memory_order_relaxed);
}
static inline void ad_server_wait_end(ad_server_t *s)
{
    atomic_fetch_sub_explicit(&s->waiting, 1, memory_order_relaxed);
}
/*
 * A connection's first request. Only this process can serve a connection it has accepted (a restart's
 * successor never sees it), so a first request is served even while draining, and the drain waits a
 * moment for accepted connections whose request has not arrived yet. claim: true once per connection,
 * for its first request; then ..._done after the request was handled (answered or waiting).
 */
bool ad_server_claim_first_request(h2o_req_t *req);
/*
 * Memory that lives as long as req's connection: size bytes, zeroed when the connection first asks, the same
 * block on every later request of the connection (HTTP/1 keep-alive, HTTP/2 streams); NULL when out of memory.
 * Chained on the connection's close callback, so connections that never ask carry nothing. One block per
 * connection, so one user: seed='s draw counters (delay.c).
 */
void *ad_connection_memory(h2o_req_t *req, size_t size);
/* A connection this loop accepted (or was handed): counted open and fresh until its first request. On a TLS
 * listener (tls non-NULL) the handshake comes first, counted and bounded by header-timeout. */
void ad_loop_adopt_connection(ad_loop_t *loop, h2o_socket_t *sock, ad_tls_t *tls);
/*
 * TLS handshakes a loop begins per turn (~0.4 ms of CPU each): a burst of new TLS connections waits its
 * turn in the loop's queue instead of stalling timers and answers for seconds. Each turn of the loop
 * (server.c) starts with ad_loop_turn_begin: the budget renewed, queued handshakes begun first; true when
 * some still wait (the turn must then not block in epoll).
 */
#define AD_TLS_HANDSHAKES_PER_TURN 16
bool ad_loop_turn_begin(ad_loop_t *loop);
static inline void ad_server_first_request_done(ad_server_t *s)
{
    /* release: whatever the request entered (`waiting`) is visible to the drain poll once this is */
    atomic_fetch_sub_explicit(&s->fresh, 1, memory_order_release);
}
/*
 * One more of a bounded resource: true and counted when fewer than max are taken, false (nothing counted)
 * otherwise. The limit holds exactly across loops: one atomic add, undone when it went past.
 */
static inline bool ad_server_admit(_Atomic int64_t *count, unsigned max)
{
    if (atomic_fetch_add_explicit(count, 1, memory_order_relaxed) < (int64_t)max)
        return true;
    atomic_fetch_sub_explicit(count, 1, memory_order_relaxed);
    return false;
}
static inline void ad_server_release(_Atomic int64_t *count)
{
    atomic_fetch_sub_explicit(count, 1, memory_order_relaxed);
}
static inline bool ad_server_draining(ad_server_t *s)
{
    return atomic_load_explicit(&s->draining, memory_order_relaxed);
}

#endif
