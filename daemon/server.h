#ifndef AD_SERVER_H
#define AD_SERVER_H
/*
 * The daemon process: one h2o globalconf, N loop threads (loop 0 on the main thread), each with its own
 * evloop, h2o context, timer mechanism, disconnect watcher and stats shard; the offload pool; the
 * start-up, drain and reload orchestration. Loop 0 also owns the signalfd.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <h2o.h>
#include <h2o/multithread.h>

#include "config.h"
#include "disconnect.h"
#include "events.h"
#include "json_writer.h"
#include "listeners.h"
#include "loop_monitor.h"
#include "offload.h"
#include "send_watch.h"
#include "stats.h"
#include "timers.h"

typedef struct ad_server ad_server_t;

/* A loop's response buffer: its initial size, and the most it keeps between answers. */
#define AD_JW_INITIAL_BYTES 2048
#define AD_JW_KEEP_BYTES (256 * 1024)

typedef struct ad_loop {
    ad_server_t *server;
    unsigned index;
    char name[16]; /* "loop-N", also the thread's name */
    pthread_t thread;
    h2o_evloop_t *evloop;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    h2o_socket_t *listeners[AD_MAX_LISTEN];
    size_t nlisteners;
    ad_timer_t accept_resume; /* re-enables accepting after EMFILE */
    ad_timer_t trim;          /* gives freed heap back to the system a moment after connections close */
    int64_t accept_warned_ns; /* when running out of descriptors was last logged */
    int64_t refuse_warned_ns; /* when refusing connections (max-connections) was last logged */
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
    ad_jw_t jw; /* response bodies are built here, then copied into the request's pool */
    ad_stats_shard_t stats;
} ad_loop_t;

/* Settings that a reload (SIGHUP) may change while loops read them. */
typedef struct ad_live_settings {
    _Atomic int64_t max_delay_ns, default_delay_ns, stall_threshold_ns, send_timeout_ns;
    _Atomic unsigned pool_queue;
} ad_live_settings_t;

struct ad_server {
    ad_config_t cfg; /* as started; reloadable values live in `live` */
    int argc;
    char **argv; /* kept to re-read --config with the same flag precedence on reload */
    ad_live_settings_t live;
    ad_listeners_t listeners;
    h2o_globalconf_t globalconf;
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

/* Runs the daemon until it has stopped. 0 after a clean stop, -1 after a start-up or runtime failure (logged). */
int ad_server_run(const ad_config_t *cfg, int argc, char **argv);

/* The loop a request's context belongs to. */
static inline ad_loop_t *ad_loop_of(h2o_context_t *ctx)
{
    return H2O_STRUCT_FROM_MEMBER(ad_loop_t, ctx, ctx);
}

/* Fills snap (info + live shards) for /stats, /metrics and STATUS=. */
void ad_server_snapshot(ad_server_t *s, ad_stats_snapshot_t *snap);

/* Loop 0 only: SIGTERM/SIGINT (a second one stops at once). */
void ad_server_request_stop(ad_server_t *s);
/* Loop 0 only: SIGHUP. */
void ad_server_reload(ad_server_t *s);

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
