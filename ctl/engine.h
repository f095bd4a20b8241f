#ifndef AD_CTL_ENGINE_H
#define AD_CTL_ENGINE_H
/*
 * The load engine: event loops that never busy-wait - libcurl's multi interface driven by
 * curl_multi_socket_action on epoll, or (for bench's plain-http closed model) libh2o's evloop with
 * its HTTP/1 response parser. Connections are reused (keep-alive) unless asked otherwise.
 *
 * Closed model (rate 0): `concurrency` requests in flight, a new one sent as each finishes.
 * Open model (rate > 0): requests are due on a global schedule (rate per second); up to `concurrency`
 * are in flight, the rest wait. Latency is measured from the intended send time (corrected: waiting
 * for a free connection counts) and from the actual send (raw), so coordinated omission shows.
 *
 * Several event loops (`threads`) each get a share of the connections, requests and rate; their
 * results are merged exactly (histograms add up bucket by bucket).
 */
#include <stdbool.h>
#include <stdint.h>
#include <curl/curl.h>
#include "results.h"

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

/* Which event loop moves the requests. AUTO picks libh2o's for plain-http closed-model runs (about a
 * third of libcurl's per-request cost, so bench can keep up with wrk) and libcurl for the rest (TLS;
 * the open model, whose schedule needs nanosecond timers). */
typedef enum { AD_ENGINE_AUTO = 0, AD_ENGINE_CURL, AD_ENGINE_H2O } ad_engine_backend_id_t;

typedef struct ad_engine_plan {
    const char *url;
    unsigned concurrency;             /* connections, >= 1 */
    uint64_t requests;                /* how many; 0 = as many as fit in duration_ns */
    int64_t duration_ns;              /* stop sending after this long; 0 = until `requests` are sent */
    double rate;                      /* requests/s over all loops (open model); 0 = closed model */
    int64_t timeout_ns;               /* per request; 0 = none */
    bool keepalive;                   /* false: a new connection per request */
    int64_t warmup_ns;                /* requests sent and discarded for this long before measuring; 0 = none */
    unsigned threads;                 /* event loops, 1..AD_ENGINE_THREADS_MAX (0 means 1) */
    const struct curl_slist *resolve; /* CURLOPT_RESOLVE pins, or NULL (see target.h) */
    bool direct;                      /* ignore proxy variables (bench); compare honours them like curl */
    ad_engine_backend_id_t backend;   /* AUTO unless a caller needs one (compare: libcurl) */
    ad_engine_progress_fn progress;   /* or NULL */
    void *progress_ud;
} ad_engine_plan_t;

/*
 * Once per process, before any thread starts: curl_global_init, and the open-file soft limit raised
 * to the hard limit (10,000 connections need 10,000 descriptors). Returns 0 or -1 with err.
 */
int ad_engine_global_init(char *err, size_t errlen);
void ad_engine_global_cleanup(void);
/* The open-file soft limit now in force (after ad_engine_global_init). */
uint64_t ad_engine_nofile_limit(void);

/*
 * Runs the plan and fills res (which the caller initialised with ad_run_result_init: name and url).
 * Single requests that fail are counted in res, not returned as an error. Returns 0, or -1 with a
 * reason in err when the engine itself could not run (out of memory, epoll, too few descriptors).
 */
int ad_engine_run(const ad_engine_plan_t *plan, ad_run_result_t *res, char *err, size_t errlen);

/* Async-signal-safe: ask running and future runs to stop sending, abandon what is in flight and
 * return what finished so far (SIGINT/SIGTERM). */
void ad_engine_request_stop(void);
bool ad_engine_stop_requested(void);

#endif
