#ifndef AD_CTL_RESULTS_H
#define AD_CTL_RESULTS_H
/*
 * What a bench or compare run measured: the data model between the engines (which fill it) and the
 * renderers (text report, timeline, JSON), which are pure functions of it.
 * Memory is bounded: per-request records are kept for the first AD_RECORDS_MAX requests only
 * (per-request lines and the timeline); every figure comes from counters and histograms.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "histogram.h"
#include "series.h"
#include "stats_doc.h"
#include "url.h"

#define AD_RECORDS_MAX 1000
#define AD_STATUS_SLOTS 16
#define AD_RUN_NAME_MAX 320 /* a bench endpoint (256 bytes) and a " #N" */

typedef enum {
    AD_ERR_NONE = 0,
    AD_ERR_CONNECT, /* refused, unreachable, DNS */
    AD_ERR_TIMEOUT, /* --timeout passed */
    AD_ERR_READ,    /* reset or truncated mid-response, bad HTTP */
    AD_ERR_STATUS,  /* a complete response whose status is not 2xx */
    AD_ERR_OTHER,
    AD_ERR_CLASS_COUNT
} ad_err_class_t;
_Static_assert(AD_ERR_CLASS_COUNT == AD_SERIES_ERR_SLOTS, "a series point counts every error class");
const char *ad_err_class_name(ad_err_class_t c); /* "connect", "timeout", "read", "status", "other" */
/* The same name in the user's language, for the text report (JSON and the journal keep the name above). */
const char *ad_err_class_text(ad_err_class_t c);

/* The protocol a request was answered over, named as the daemon's /stats names connections (lib/stats_doc.h,
 * connections.protocols: h2 over TLS, h2c over cleartext); UNKNOWN when there was no answer or the engine does not
 * say. */
typedef enum {
    AD_PROTO_UNKNOWN = 0,
#define AD_X_PROTO(T, KEY, KIND, MEMBER, REQUIRED, LABEL, PROM) AD_PROTO_##MEMBER,
    AD_STATS_PROTOCOLS(AD_X_PROTO, _)
#undef AD_X_PROTO
        AD_PROTO_COUNT
} ad_protocol_t;
/* "http/1.0", "http/1.1", "h2", "h2c"; NULL for UNKNOWN (or out of range). */
const char *ad_protocol_name(ad_protocol_t p);

typedef struct ad_request_record {
    uint32_t index;      /* 1-based, in send order */
    int64_t intended_ns; /* when it should have been sent (open model), relative to run start */
    int64_t sent_ns;     /* when it was sent, relative to run start */
    int64_t done_ns;     /* when it finished (answer or error), relative to run start */
    int status;          /* HTTP status, 0 when none */
    ad_err_class_t error;
    pid_t pid;              /* compare --modes processes: the child that ran it; else 0 */
    ad_protocol_t protocol; /* what answered it, as the engine saw it; UNKNOWN without an answer */
    int64_t server_seq;     /* "sequence" from the daemon's answer, -1 when absent */
    /* Added for the timeline: "waited_seconds" of the daemon's answer in ns, 0 when absent or unknown.
     * The part of the bar before it (queued behind a blocked loop) is drawn lightly, so 5 concurrent
     * /blocking requests show as the lesson's staircase. */
    int64_t server_wait_ns;
    /* "started_monotonic_seconds" of the answer in ns (the server's clock: when it began serving the
     * request), 0 when absent: the order of the rows (ad_run_result_order). */
    int64_t server_start_ns;
} ad_request_record_t;

typedef struct ad_status_count {
    int status;
    uint64_t count;
} ad_status_count_t;

typedef struct ad_run_result {
    char name[AD_RUN_NAME_MAX]; /* "/blocking", or a compare mode: "sequential", "async", "threads", "processes" */
    char url[1024];
    char path[256]; /* the URL's path without the query: "/blocking" */
    unsigned concurrency;
    double rate;              /* requests/s in open model, 0 for closed */
    int64_t start_wall_ns;    /* CLOCK_REALTIME at run start */
    int64_t elapsed_ns;       /* run start to last completion */
    uint64_t sent, completed; /* completed = answered or failed */
    uint64_t ok;              /* 2xx */
    uint64_t errors[AD_ERR_CLASS_COUNT];
    ad_status_count_t statuses[AD_STATUS_SLOTS]; /* distinct statuses seen, by first appearance */
    uint64_t statuses_other;                     /* answers whose status did not fit the slots */
    uint64_t bytes_received;
    ad_histogram_t latency;     /* ns; open model: from the intended send time (corrected) */
    ad_histogram_t latency_raw; /* ns; from the actual send time */
    ad_request_record_t records[AD_RECORDS_MAX];
    uint32_t nrecords;
    char first_error[256]; /* the first error's message, for the report */
    char engine[16];       /* what moved the requests: "h2o" or "curl" (bench's loops, compare's modes); "" unknown */
    unsigned loops;        /* event loops (threads) the engine ran, 0 when the run was not made by event loops */
    unsigned streams;      /* HTTP/2 streams per connection (bench --h2 -m); 0: HTTP/1.1, one request per connection */
    uint64_t connections;  /* TCP connections the engine opened for it, the warm-up's included; 0: not counted */
    /* The protocol its requests were answered over (ad_protocol_name), "mixed" when they differ; "" unknown */
    char protocol[12];
    bool interrupted;   /* stopped by SIGINT/SIGTERM before it was done: the figures cover what finished */
    bool ramped;        /* the open model's rate went through --rate stages: rate is their mean */
    ad_series_t series; /* figures over time; interval 0 (not recorded) unless the caller sets one */
} ad_run_result_t;

/* r empty, named, for a run against u (NULL: none yet): its canonical URL and its path. */
void ad_run_result_init(ad_run_result_t *r, const char *name, const ad_url_t *u);
/* r empty, with src's name, url, path and series interval: a share of src's run. */
void ad_run_result_init_like(ad_run_result_t *r, const ad_run_result_t *src);
/*
 * The name of run i of n such that no two runs share one (report, timeline, JSON, journal): short_names[i]
 * ("/non-blocking") unless another run has the same short name, then long_names[i]
 * ("/non-blocking?delay=1"); runs whose long names are equal too get " #k", k counting them in run order.
 */
void ad_run_unique_name(const char *const *short_names, const char *const *long_names, size_t n, size_t i, char *buf,
                        size_t size);
/* Accounts one finished request (records it while there is room). */
void ad_run_result_add(ad_run_result_t *r, const ad_request_record_t *rec);
/* (Notes on ad_run_result_add: it counts `completed` and raises `sent` to at least `completed`, so
 * engines may count sends themselves or not. An error-free record whose status is not 2xx counts as a
 * status error. Only answered requests (status != 0) enter the latency histograms; latency is
 * done - intended when rate > 0, else done - sent; latency_raw is done - sent.) */
double ad_run_result_rps(const ad_run_result_t *r); /* completed / elapsed */
/*
 * Puts the records in the order the server began serving them, so 5 /blocking requests read as a staircase
 * however many loops the server and the client ran: by server_start_ns when every record has one, else by
 * the answer time (done_ns); ties in send order (index). The one ordering of bench, compare and demo rows.
 */
void ad_run_result_order(ad_run_result_t *r);
/* dst += src, for runs made side by side (several hosts, or --json documents merged): counters,
 * statuses, histograms (exact), concurrency/rate and loops add up; elapsed is the longer one; records are
 * appended while there is room; dst's first error is kept; interrupted if either was; engine "mixed" when
 * they differ; the series add up (ad_series_merge). */
void ad_run_result_merge(ad_run_result_t *dst, const ad_run_result_t *src);

#endif
