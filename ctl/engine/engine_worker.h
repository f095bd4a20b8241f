#ifndef AD_CTL_ENGINE_WORKER_H
#define AD_CTL_ENGINE_WORKER_H
/*
 * Inside the engine: one event loop (a worker) as the orchestration (engine.c) and the backends that
 * drive it see it. engine.c splits the plan between workers, runs the phases (warm-up, measured) and
 * merges the results; a backend - libcurl multi on epoll (engine_curl.c) or libh2o's evloop
 * (engine_h2o.c; engine_nghttp2.c for HTTP/2) - moves the requests of one phase:
 *
 *   while (!ad_ew_phase_over(w, now)) {
 *       while (a connection is free && ad_ew_next_due(w, now, &intended)) send (ad_ew_sent numbers it);
 *       wait for events, at most until ad_ew_wake(w, now, ...);
 *       each finished request -> ad_ew_finish();
 *   }
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "plan.h"
#include "results.h"
#include "tls_client.h"

struct ad_engine_shared;
typedef struct ad_engine_worker ad_engine_worker_t;

typedef struct ad_engine_backend {
    const char *name;
    /* On the caller's thread, before any loop runs: -1 with w->err set. */
    int (*setup)(ad_engine_worker_t *w);
    /* Moves the phase described by w's phase fields until it is over (or w->failed is set). */
    void (*run_phase)(ad_engine_worker_t *w);
    /* Frees the backend's state; also after a failed or partial setup. */
    void (*teardown)(ad_engine_worker_t *w);
    /* Or NULL: frees what the library caches per thread, on the thread ending (a loop's thread) or
     * after teardown (the caller's), so nothing outlives the run. */
    void (*release_thread_cache)(void);
    /* Whether it speaks TLS itself (libcurl does its own): then https:// runs get a client context made once
     * per run (w->tls), offering these protocols by ALPN (tls_client.h's wire format; NULL: none). */
    bool own_tls;
    const char *alpn;
} ad_engine_backend_t;

extern const ad_engine_backend_t ad_engine_backend_curl;
extern const ad_engine_backend_t ad_engine_backend_h2o;
extern const ad_engine_backend_t ad_engine_backend_nghttp2;

struct ad_engine_worker {
    struct ad_engine_shared *sh;
    const ad_engine_plan_t *plan;
    const ad_engine_backend_t *backend;
    void *impl;           /* the backend's state */
    ad_tls_client_t *tls; /* https:// with a backend that speaks TLS itself: the run's context, shared */
    unsigned id;
    /* this loop's share of the plan */
    unsigned conns;
    uint64_t requests;  /* UINT64_MAX: bounded by time */
    double interval_ns; /* open model: between two of this loop's sends; 0 = closed model */
    double phase;       /* open model: offset of this loop's schedule, in intervals */
    ad_run_result_t *res;

    /* the current phase (engine.c sets these before run_phase) */
    bool recording;     /* false during the warm-up */
    int64_t t0;         /* phase start, CLOCK_MONOTONIC */
    uint64_t limit;     /* requests to send in this phase */
    int64_t send_until; /* CLOCK_MONOTONIC; no send (closed) or no intended send (open) from then on */
    uint64_t sent;
    unsigned in_flight;
    int64_t last_done_ns; /* relative to t0 */
    int64_t next_progress;

    /* read by the progress reporter on another thread */
    _Atomic uint64_t a_done, a_errors;

    /* new connections: a token bucket (see ad_ew_may_connect) */
    double connect_tokens;
    int64_t connect_refill_ns;
    double connect_rate; /* per second, this loop's share */

    uint64_t connects; /* TCP connections this loop opened, the warm-up's included (the run's "connections") */
    int failed;        /* the loop itself failed (err says why): the run is abandoned */
    char err[256];
};

/* A backend's state for w, zeroed and kept in w->impl; NULL with w->err set when out of memory. */
void *ad_ew_impl_new(ad_engine_worker_t *w, size_t size);

/* The loop wakes at least this often, to notice a stop request. */
#define AD_EW_WAKE_MAX_NS (100 * INT64_C(1000000))

/* Whether a stop was requested (signal) or another loop of this run failed. */
bool ad_ew_stopping(const ad_engine_worker_t *w);
/* Whether another request may still be sent in this phase (now or later). */
bool ad_ew_more_to_send(const ad_engine_worker_t *w, int64_t now);
/* Whether a request is due now; sets *intended (CLOCK_MONOTONIC ns: now in the closed model, the
 * schedule's time in the open model). Call only with a free connection. */
bool ad_ew_next_due(const ad_engine_worker_t *w, int64_t now, int64_t *intended);
/* The phase is over: nothing in flight and nothing more to send. */
bool ad_ew_phase_over(const ad_engine_worker_t *w, int64_t now);
/* The latest time the loop may sleep until: the next scheduled send (when a connection is free),
 * the single-loop progress tick, and AD_EW_WAKE_MAX_NS from now. */
int64_t ad_ew_wake(const ad_engine_worker_t *w, int64_t now, bool conn_free);

/*
 * Whether a connection slot's first connection may be opened now (then it is counted). They are paced at
 * AD_EW_CONNECT_RATE per second over all loops, in bursts of up to AD_EW_CONNECT_BURST: a server's
 * accept queue holds SOMAXCONN (4096) connections, and 10,000 connects fired at once overflow it while
 * the server accepts; every dropped SYN then costs a 1 s retransmission. When it returns false,
 * *retry_at is when one will be allowed.
 */
#define AD_EW_CONNECT_RATE 25000.0 /* measured: 40,000/s overflowed a fresh asyncdemod's queue */
#define AD_EW_CONNECT_BURST 1024.0
#define AD_EW_CONNECT_BATCH 32.0
bool ad_ew_may_connect(ad_engine_worker_t *w, int64_t now, int64_t *retry_at);

/* Books a request as sent (in flight, numbered). Returns its index (1-based, in send order). */
uint32_t ad_ew_sent(ad_engine_worker_t *w);
/* For the request about to be sent: whether its body is worth scanning for the daemon's sequence and
 * wait (only the first AD_RECORDS_MAX answers are recorded), and whether its connection may be wanted
 * again afterwards (for libcurl, which must be told before the transfer).
 * Connections nothing will use again are closed at once, not at the end of the run: a server that caps
 * its open connections (standalone h2o: 1,024) leaves the rest of ours in its accept queue until idle
 * ones go. */
bool ad_ew_scan_wanted(const ad_engine_worker_t *w);
bool ad_ew_reuse_wanted(const ad_engine_worker_t *w);
/* After a request's answer: whether its connection may carry another request of this run (exact). */
bool ad_ew_conn_wanted(const ad_engine_worker_t *w, int64_t now);

/* Whether ad_ew_finish would keep a reason for a failed request (only the first one is kept). */
bool ad_ew_wants_reason(const ad_engine_worker_t *w);
/* A request finished (answered or failed): counts it, records it, frees its slot. why: a one-line
 * reason for a failed one, or NULL. */
void ad_ew_finish(ad_engine_worker_t *w, const ad_request_record_t *rec, uint64_t bytes, const char *why);
/* The single-loop progress callback, when due. */
void ad_ew_progress(ad_engine_worker_t *w, int64_t now);

#endif
