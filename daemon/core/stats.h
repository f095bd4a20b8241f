#ifndef AD_STATS_H
#define AD_STATS_H
/*
 * The one place figures are kept. Each loop thread owns a shard and is its only writer (relaxed
 * atomic stores, see histogram.h); /stats and /metrics merge all shards into a snapshot from any thread.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "endpoint_list.h"
#include "histogram.h"
#include "stats_doc.h"

/* One slot per endpoint of endpoint_list.h with a slot of its own (SLOT OWN), in its order, then "other". */
typedef enum {
#define AD_X(id, path, match, methods, slot, ...) AD_ENDPOINT_IF_OWN_##slot(AD_EP_##id, )
    AD_ENDPOINTS(AD_X)
#undef AD_X
        AD_EP_OTHER, /* unknown paths and methods: 404 / 405 */
    AD_EP_COUNT
} ad_endpoint_t;

/* The endpoint's path as listed ("/non-blocking", "/delay", ...), "other" for AD_EP_OTHER. */
const char *ad_endpoint_name(ad_endpoint_t ep);

/*
 * Why the daemon closed a client's connection itself (each a bounded refusal, counted), from stats_doc.h's
 * AD_STATS_CLOSED: SEND_TIMEOUT, an answer not delivered within send-timeout (the client does not read);
 * HEADER_BLOCK, HTTP/2: a header block past the decoded-size bounds (hpack_scan.h); BAD_FRAMING, HTTP/1: a
 * request head RFC 9112 says to refuse (request_head.h), after the 400; BODIES, HTTP/2: request bodies past the
 * connection's budget (h2_guard.h).
 */
typedef enum {
#define AD_X(t, key, kind, member, ...) AD_CLOSE_##member,
    AD_STATS_CLOSED(AD_X, _)
#undef AD_X
        AD_CLOSE_COUNT
} ad_close_reason_t;
/* "send_timeout", "header_block_too_large", "bad_framing", "bodies_too_large" */
const char *ad_close_reason_name(ad_close_reason_t r);

/* A connection's protocol (stats_doc.h's AD_STATS_PROTOCOLS): AD_PROTO_HTTP1_0, _HTTP1_1, _H2, _H2C. */
typedef enum {
#define AD_X(t, key, kind, member, ...) AD_PROTO_##member,
    AD_STATS_PROTOCOLS(AD_X, _)
#undef AD_X
        AD_PROTO_COUNT
} ad_protocol_t;

/* TLS versions counted (AD_STATS_TLS_VERSIONS): AD_TLS_V_TLS1_2, AD_TLS_V_TLS1_3. */
typedef enum {
#define AD_X(t, key, kind, member, ...) AD_TLS_V_##member,
    AD_STATS_TLS_VERSIONS(AD_X, _)
#undef AD_X
        AD_TLS_V_COUNT
} ad_tls_version_t;

/* The upper bounds of /metrics' latency buckets (Prometheus "le"), in ns, ascending. */
#define AD_STATS_NLE 15
extern const int64_t ad_stats_le_ns[AD_STATS_NLE];

typedef struct ad_endpoint_stats {
    uint64_t requests;               /* arrived */
    uint64_t completed;              /* answered (any status) */
    uint64_t cancelled;              /* the client went away before the answer */
    uint64_t status_4xx, status_5xx; /* real errors: injected statuses are counted in fault_status only */
    uint64_t fault_status;           /* answered with a status status= injected */
    uint64_t fault_closed;           /* closed without an answer by close= (HTTP/1 FIN, HTTP/2 RST_STREAM) */
    uint64_t fault_reset;            /* connection reset without an answer by close=P:reset */
    int64_t in_flight, peak_in_flight;
    ad_histogram_t latency;             /* ns from arrival to answer, completed requests only */
    uint64_t le_bins[AD_STATS_NLE + 1]; /* the same samples by ad_stats_le_ns bin (last: above every bound) */
} ad_endpoint_stats_t;

typedef struct ad_loop_stats {
    uint64_t ticks;
    int64_t lag_ns;           /* lateness of the last probe tick */
    uint64_t stalls;          /* ticks later than the stall threshold */
    int64_t stalled_total_ns; /* sum of those ticks' lateness */
    int64_t longest_stall_ns;
    int32_t longest_stall_endpoint; /* ad_endpoint_t that ran longest during that stall, -1 unknown */
    int64_t longest_stall_wall_ns;  /* when it ended, CLOCK_REALTIME */
    int64_t cpu_ns;                 /* the loop thread's CPU time (CLOCK_THREAD_CPUTIME_ID) at the last tick */
    int64_t utilisation_pct;        /* its CPU time over wall time in the last second, at the last tick (0-100) */
} ad_loop_stats_t;

typedef struct ad_stats_shard {
    uint64_t id; /* unique per ad_stats_shard_init in this process (never 0): lets formatters memoise safely */
    /* Odd while the writer is updating: readers that need one consistent view of the shard (/metrics) read
     * between two equal even values (a sequence lock; the writer never waits). */
    uint64_t seq;
    ad_endpoint_stats_t ep[AD_EP_COUNT];
    ad_loop_stats_t loop;
    int64_t connections_open;
    uint64_t connections_total;
    uint64_t connections_refused;                /* turned away with 503 by max-connections (by the accepting loop) */
    uint64_t connections_closed[AD_CLOSE_COUNT]; /* closed by the daemon, by reason */
    uint64_t bodies_refused; /* request bodies answered 413: over max-body, or sent to an endpoint taking none */
    uint64_t protocols[AD_PROTO_COUNT]; /* connections by the protocol of their first request */
    uint64_t tls_handshakes, tls_handshake_failures;
    uint64_t tls_versions[AD_TLS_V_COUNT]; /* completed handshakes by version */
} ad_stats_shard_t;

void ad_stats_shard_init(ad_stats_shard_t *s);

/* Writer side: called only by the shard's own loop thread. */
void ad_stats_request_begin(ad_stats_shard_t *s, ad_endpoint_t ep);
/* status: the HTTP status sent; latency_ns: arrival to answer. */
void ad_stats_request_end(ad_stats_shard_t *s, ad_endpoint_t ep, int status, int64_t latency_ns);
/* A request whose client vanished; it leaves in-flight without a latency sample. */
void ad_stats_request_cancelled(ad_stats_shard_t *s, ad_endpoint_t ep);
/* An answer whose status a fault injected (status=): completed with its latency, counted in fault_status. */
void ad_stats_request_injected(ad_stats_shard_t *s, ad_endpoint_t ep, int64_t latency_ns);
/* A request left without an answer by close=: out of in-flight, counted in fault_closed or fault_reset. */
void ad_stats_request_dropped(ad_stats_shard_t *s, ad_endpoint_t ep, bool reset);
/* An answer given at once (404, 405, 400 on parse, 503 refusals): begin + end, so it counts toward the peak. */
void ad_stats_request_immediate(ad_stats_shard_t *s, ad_endpoint_t ep, int status, int64_t latency_ns);
/* A probe tick that fired lag_ns late; counted as a stall when lag_ns > threshold_ns. */
void ad_stats_loop_tick(ad_stats_shard_t *s, int64_t lag_ns, int64_t threshold_ns, int32_t culprit, int64_t wall_ns);
/* The loop thread's CPU time now, and its utilisation over the last second (from the probe tick, on that
 * thread; ad_busy_window_add). */
void ad_stats_loop_cpu(ad_stats_shard_t *s, int64_t cpu_ns, int64_t utilisation_pct);
/* busy_ns of wall_ns in percent, rounded, within 0 to 100 (0 when no wall time passed). */
int64_t ad_utilisation_percent(int64_t busy_ns, int64_t wall_ns);
void ad_stats_connection_open(ad_stats_shard_t *s);
void ad_stats_connection_close(ad_stats_shard_t *s);
/* A connection refused because max-connections were open (never counted open or in the total). */
void ad_stats_connection_refused(ad_stats_shard_t *s);
/* A connection the daemon closed for reason r. */
void ad_stats_connection_closed(ad_stats_shard_t *s, ad_close_reason_t r);
/* A connection's first request arrived over protocol p. */
void ad_stats_connection_protocol(ad_stats_shard_t *s, ad_protocol_t p);
/* A TLS handshake completed (version: ad_tls_version_t, or -1 for one not counted by version) or failed. */
void ad_stats_tls_handshake(ad_stats_shard_t *s, int version);
void ad_stats_tls_handshake_failed(ad_stats_shard_t *s);

/*
 * Reader side of the sequence lock: calls read(shard, arg) until it ran while the shard did not change,
 * so what it gathered is one consistent state of the shard. read must only load (relaxed) and fill arg
 * afresh on each call: it may run more than once.
 */
void ad_stats_shard_read_consistent(const ad_stats_shard_t *s, void (*read)(const ad_stats_shard_t *, void *),
                                    void *arg);
/* A request body refused with 413 (besides the request's own count under its endpoint). */
void ad_stats_body_refused(ad_stats_shard_t *s);

/* The C type of each kind of /stats value (stats_doc.h). */
#define AD_STATS_CTYPE_STR const char *
#define AD_STATS_CTYPE_STR_OR_NULL const char *
#define AD_STATS_CTYPE_UTC int64_t
#define AD_STATS_CTYPE_UTC_OR_NULL int64_t
#define AD_STATS_CTYPE_COUNT uint64_t
#define AD_STATS_CTYPE_GAUGE int64_t
#define AD_STATS_CTYPE_SECONDS int64_t
#define AD_STATS_CTYPE_UPTIME int64_t
#define AD_STATS_CTYPE_SETTING int64_t
#define AD_STATS_CTYPE_SETTING_OR_OFF int64_t
#define AD_STATS_MEMBER(t, key, kind, member, ...) AD_STATS_CTYPE_##kind member;

/* The sections of the /stats document as the daemon holds them: one struct per list of stats_doc.h. */
typedef struct ad_stats_top {
    AD_STATS_TOP(AD_STATS_MEMBER, _)
} ad_stats_top_t;
/* The settings; compared whole (memcmp) to know whether the encoded object is still current. */
typedef struct ad_stats_config {
    AD_STATS_CONFIG(AD_STATS_MEMBER, _)
} ad_stats_config_t;
typedef struct ad_stats_offload {
    AD_STATS_OFFLOAD(AD_STATS_MEMBER, _)
} ad_stats_offload_t;
typedef struct ad_stats_connections {
    AD_STATS_CONNECTIONS(AD_STATS_MEMBER, _)
} ad_stats_connections_t;
typedef struct ad_stats_closed {
    AD_STATS_CLOSED(AD_STATS_MEMBER, _)
} ad_stats_closed_t;
typedef struct ad_stats_protocols {
    AD_STATS_PROTOCOLS(AD_STATS_MEMBER, _)
} ad_stats_protocols_t;
typedef struct ad_stats_tls {
    AD_STATS_TLS(AD_STATS_MEMBER, _)
} ad_stats_tls_t;
typedef struct ad_stats_tls_versions {
    AD_STATS_TLS_VERSIONS(AD_STATS_MEMBER, _)
} ad_stats_tls_versions_t;
typedef struct ad_stats_request_bodies {
    AD_STATS_REQUEST_BODIES(AD_STATS_MEMBER, _)
} ad_stats_request_bodies_t;
typedef struct ad_stats_loop_view {
    AD_STATS_LOOP(AD_STATS_MEMBER, _)
} ad_stats_loop_view_t;
typedef struct ad_stats_latency {
    AD_STATS_LATENCY(AD_STATS_MEMBER, _)
} ad_stats_latency_t;

/* Process-wide facts reported beside the figures (pid, threads, uptime, settings, the offload pool). */
typedef struct ad_stats_info {
    ad_stats_top_t top;
    ad_stats_config_t config;
    ad_stats_offload_t offload;
} ad_stats_info_t;

/*
 * What the formatters read: the info plus the live shards (a view: nothing is copied, so /stats stays
 * cheap). Sums across shards are taken when formatting, with relaxed atomic loads; loop lag and longest
 * stall are the max over threads, counts and totals the sum.
 */
typedef struct ad_stats_snapshot {
    ad_stats_info_t info;
    const ad_stats_shard_t *const *shards;
    size_t nshards;
} ad_stats_snapshot_t;

/* Counters of one endpoint summed over all shards (the latency histogram is left out: see
 * ad_hist_percentiles / ad_hist_summarize over &shards[i]->ep[ep].latency). peak_in_flight: the sum of
 * per-thread peaks (exact with one thread). */
typedef struct ad_endpoint_totals {
    AD_STATS_ENDPOINT(AD_STATS_MEMBER, _)
} ad_endpoint_totals_t;
void ad_stats_endpoint_totals(const ad_stats_snapshot_t *snap, ad_endpoint_t ep, ad_endpoint_totals_t *out);
void ad_stats_loop_totals(const ad_stats_snapshot_t *snap, ad_loop_stats_t *out);
/* Connections open, accepted, refused by max-connections and closed by the daemon (by reason), and request
 * bodies refused, summed over all shards. */
void ad_stats_connections(const ad_stats_snapshot_t *snap, ad_stats_connections_t *out, ad_stats_closed_t *closed,
                          ad_stats_request_bodies_t *bodies);
/* Connections by protocol, TLS handshakes and TLS versions, summed over all shards. */
void ad_stats_protocols_tls(const ad_stats_snapshot_t *snap, ad_stats_protocols_t *protocols, ad_stats_tls_t *tls,
                            ad_stats_tls_versions_t *versions);

#endif
