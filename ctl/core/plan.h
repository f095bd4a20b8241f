#ifndef AD_CTL_PLAN_H
#define AD_CTL_PLAN_H
/*
 * What one load run is asked to do (a plan), as the subcommands build it and the engine (engine.h) and
 * its event loops (engine_worker.h) read it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <curl/curl.h>
#include "cli.h"
#include "request_shape.h"
#include "stages.h"
#include "url.h"

/* What a progress callback sees, about every AD_ENGINE_PROGRESS_NS. */
typedef struct ad_engine_progress {
    const char *name;    /* the run's name (ad_run_result_t.name) */
    bool warmup;         /* still in the unrecorded warm-up */
    uint64_t completed;  /* finished requests (answered or failed) */
    uint64_t errors;     /* of which failed */
    uint64_t total;      /* requests planned, 0 when the run is bounded by time */
    int64_t elapsed_ns;  /* since the (measured or warm-up) phase began */
    int64_t duration_ns; /* the planned duration, 0 when bounded by requests */
    double rps;          /* completions per second since the phase began */
} ad_engine_progress_t;

typedef void (*ad_engine_progress_fn)(const ad_engine_progress_t *p, void *ud);

#define AD_ENGINE_PROGRESS_NS (100 * INT64_C(1000000))
#define AD_ENGINE_THREADS_MAX 64

/* Which event loop moves the requests. AUTO picks libh2o's for HTTP/1.1 closed-model runs, http and https
 * (about a third of libcurl's per-request cost, so bench can keep up with wrk), libnghttp2 on libh2o's loop
 * for HTTP/2 (h2c by prior knowledge, h2 by ALPN over TLS; both models), and libcurl for HTTP/1.1's open
 * model, whose schedule needs nanosecond timers. */
typedef enum { AD_ENGINE_AUTO = 0, AD_ENGINE_CURL, AD_ENGINE_H2O, AD_ENGINE_NGHTTP2 } ad_engine_backend_id_t;

typedef struct ad_engine_plan {
    const ad_url_t *target;          /* what to request, parsed (url.h) */
    const ad_request_shape_t *shape; /* method, headers, body (request_shape.h); NULL = a plain GET */
    const ad_tls_verify_t *tls;      /* --cacert, --insecure (cli.h); NULL = the system's CA store */
    const ad_address_t *address;     /* where its host is, resolved once by the target probe; or NULL */
    unsigned concurrency;            /* requests in flight (HTTP/1.1: connections), >= 1 */
    unsigned streams;                /* > 0: HTTP/2 (h2c by prior knowledge, h2 by ALPN over TLS) with this
                                      * many streams per connection, concurrency / streams connections */
    uint64_t requests;               /* how many; 0 = as many as fit in duration_ns */
    int64_t duration_ns;             /* stop sending after this long; 0 = until `requests` are sent */
    double rate;                     /* requests/s over all loops (open model); 0 = closed model */
    const ad_rate_stage_t *stages;   /* open model: the rate in stages (stages.h), rate their mean; or NULL */
    size_t nstages;
    double schedule_phase;            /* open model: offset of this process's schedule, in intervals of it, in
                                       * [0, 1): bench --shard's, so shards interleave into one schedule */
    int64_t timeout_ns;               /* per request; 0 = none */
    bool keepalive;                   /* false: a new connection per request */
    int64_t warmup_ns;                /* requests sent and discarded for this long before measuring; 0 = none */
    unsigned threads;                 /* event loops, 1..AD_ENGINE_THREADS_MAX (0 means 1) */
    const struct curl_slist *resolve; /* the same address as CURLOPT_RESOLVE pins for libcurl, or NULL */
    bool direct;                      /* ignore proxy variables (bench); compare honours them like curl */
    ad_engine_backend_id_t backend;   /* AUTO unless a caller needs one (compare: libcurl) */
    ad_engine_progress_fn progress;   /* or NULL */
    void *progress_ud;
} ad_engine_plan_t;

#endif
