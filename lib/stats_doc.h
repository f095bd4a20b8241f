#ifndef AD_STATS_DOC_H
#define AD_STATS_DOC_H
/*
 * The /stats document (docs/http-api.md), defined once: the daemon writes it from these lists (JSON in
 * daemon/stats_format.c, and the Prometheus families that have a PROM entry) and asyncdemoctl checks and
 * shows it from the same lists (ctl/stats_view.c), so the two cannot drift. Each section is a list
 * AD_STATS_<SECTION>(X, T) of X(T, KEY, KIND, MEMBER, REQUIRED, LABEL, PROM):
 *   T         passed through: what the caller needs per section (the daemon: the section's struct);
 *   KEY       the JSON key, in document order;
 *   KIND      how it is written and shown (ad_stats_kind_t below);
 *   MEMBER    the field of the daemon's section struct (daemon/stats.h) that holds it;
 *   REQUIRED  1: asyncdemoctl refuses a document without it; 0: checked only when present;
 *   LABEL     how asyncdemoctl stats names it;
 *   PROM      AD_PROM(name, type, help) when /metrics exports it as one sample, else AD_NO_PROM.
 */

/*
 * Kinds. STR: a string (const char *); STR_OR_NULL: a string or null (NULL); UTC: an RFC 3339 string from
 * CLOCK_REALTIME ns (int64_t); UTC_OR_NULL: the same, null for 0; COUNT: a non-negative integer
 * (uint64_t); GAUGE: an integer that is never negative in practice (int64_t); SECONDS: seconds from ns
 * (int64_t), shown as a measured time; UPTIME: the same, shown as "3m20s"; SETTING: the same, shown as a
 * setting ("30s"); SETTING_OR_OFF: the same, 0 shown as "off".
 */
typedef enum {
    AD_STATS_KIND_STR,
    AD_STATS_KIND_STR_OR_NULL,
    AD_STATS_KIND_UTC,
    AD_STATS_KIND_UTC_OR_NULL,
    AD_STATS_KIND_COUNT,
    AD_STATS_KIND_GAUGE,
    AD_STATS_KIND_SECONDS,
    AD_STATS_KIND_UPTIME,
    AD_STATS_KIND_SETTING,
    AD_STATS_KIND_SETTING_OR_OFF,
} ad_stats_kind_t;

#define AD_STATS_TOP(X, T)                                                                                             \
    X(T, version, STR, version, 1, "", AD_NO_PROM)                                                                     \
    X(T, pid, COUNT, pid, 1, "pid", AD_NO_PROM)                                                                        \
    X(T, threads, COUNT, threads, 0, "threads", AD_NO_PROM)                                                            \
    X(T, uptime_seconds, UPTIME, uptime_ns, 1, "up",                                                                   \
      AD_PROM("asyncdemo_uptime_seconds", gauge, "Seconds since the daemon started."))                                 \
    X(T, started_wall, UTC, started_wall_ns, 0, "since", AD_NO_PROM)

#define AD_STATS_CONFIG(X, T)                                                                                          \
    X(T, max_delay_seconds, SETTING, max_delay_ns, 0, "max delay", AD_NO_PROM)                                         \
    X(T, default_delay_seconds, SETTING, default_delay_ns, 0, "default delay", AD_NO_PROM)                             \
    X(T, pool_size, COUNT, pool_size, 0, "pool size", AD_NO_PROM)                                                      \
    X(T, pool_queue, COUNT, pool_queue, 0, "pool queue", AD_NO_PROM)                                                   \
    X(T, stall_threshold_seconds, SETTING, stall_threshold_ns, 0, "stall threshold", AD_NO_PROM)                       \
    X(T, watchdog_seconds, SETTING_OR_OFF, watchdog_ns, 0, "watchdog", AD_NO_PROM)                                     \
    X(T, max_connections, COUNT, max_connections, 0, "max connections", AD_NO_PROM)                                    \
    X(T, max_waiting, COUNT, max_waiting, 0, "max waiting", AD_NO_PROM)                                                \
    X(T, header_timeout_seconds, SETTING, header_timeout_ns, 0, "header timeout", AD_NO_PROM)                          \
    X(T, idle_timeout_seconds, SETTING, idle_timeout_ns, 0, "idle timeout", AD_NO_PROM)                                \
    X(T, send_timeout_seconds, SETTING, send_timeout_ns, 0, "send timeout", AD_NO_PROM)                                \
    X(T, max_body_bytes, COUNT, max_body, 0, "max body", AD_NO_PROM)

#define AD_STATS_OFFLOAD(X, T)                                                                                         \
    X(T, busy, COUNT, busy, 0, "busy", AD_PROM("asyncdemo_offload_busy", gauge, "Offload workers sleeping now."))      \
    X(T, queued, COUNT, queued, 0, "queued",                                                                           \
      AD_PROM("asyncdemo_offload_queued", gauge, "Offload jobs waiting for a worker."))

#define AD_STATS_CONNECTIONS(X, T)                                                                                     \
    X(T, open, GAUGE, open, 1, "open", AD_PROM("asyncdemo_connections_open", gauge, "Client connections open now."))   \
    X(T, total, COUNT, total, 1, "total",                                                                              \
      AD_PROM("asyncdemo_connections_total", counter, "Client connections accepted."))                                 \
    X(T, refused, COUNT, refused, 0, "refused",                                                                        \
      AD_PROM("asyncdemo_connections_refused_total", counter,                                                          \
              "Client connections refused with 503 because max-connections were open."))

/* connections.closed: the connections the daemon closed itself, by reason; MEMBER is the reason's id
 * (AD_CLOSE_<MEMBER> in daemon/stats.h). /metrics has them as one family with a reason label. */
#define AD_STATS_CLOSED(X, T)                                                                                          \
    X(T, send_timeout, COUNT, SEND_TIMEOUT, 0, "send timeout", AD_NO_PROM)                                             \
    X(T, header_block_too_large, COUNT, HEADER_BLOCK, 0, "header block too large", AD_NO_PROM)                         \
    X(T, bad_framing, COUNT, BAD_FRAMING, 0, "bad framing", AD_NO_PROM)                                                \
    X(T, bodies_too_large, COUNT, BODIES, 0, "bodies too large", AD_NO_PROM)

/* connections.protocols: connections by the protocol of their first request (a connection that sends none is
 * not counted); h2 is HTTP/2 over TLS, h2c over cleartext (prior knowledge). /metrics: one family, a protocol
 * label. */
#define AD_STATS_PROTOCOLS(X, T)                                                                                       \
    X(T, http1_0, COUNT, HTTP1_0, 0, "http/1.0", AD_NO_PROM)                                                           \
    X(T, http1_1, COUNT, HTTP1_1, 0, "http/1.1", AD_NO_PROM)                                                           \
    X(T, h2, COUNT, H2, 0, "h2", AD_NO_PROM)                                                                           \
    X(T, h2c, COUNT, H2C, 0, "h2c", AD_NO_PROM)

/* tls: handshakes on the TLS listeners, finished and failed (a client gone or silent mid-handshake, a protocol
 * or version it cannot agree on, header-timeout reached). */
#define AD_STATS_TLS(X, T)                                                                                             \
    X(T, handshakes, COUNT, handshakes, 0, "handshakes",                                                               \
      AD_PROM("asyncdemo_tls_handshakes_total", counter, "TLS handshakes completed."))                                 \
    X(T, handshake_failures, COUNT, handshake_failures, 0, "failed",                                                   \
      AD_PROM("asyncdemo_tls_handshake_failures_total", counter,                                                       \
              "TLS handshakes that failed, timed out or were abandoned by the client."))

/* tls.versions: completed handshakes by TLS version; MEMBER is the index ad_tls_version_index gives. /metrics:
 * one family, a version label. */
#define AD_STATS_TLS_VERSIONS(X, T)                                                                                    \
    X(T, tls1_2, COUNT, TLS1_2, 0, "TLS 1.2", AD_NO_PROM)                                                              \
    X(T, tls1_3, COUNT, TLS1_3, 0, "TLS 1.3", AD_NO_PROM)

#define AD_STATS_REQUEST_BODIES(X, T)                                                                                  \
    X(T, refused, COUNT, refused, 0, "refused",                                                                        \
      AD_PROM("asyncdemo_request_bodies_refused_total", counter,                                                       \
              "Request bodies answered 413: over max-body, or sent to an endpoint that takes none."))

#define AD_STATS_LOOP(X, T)                                                                                            \
    X(T, lag_seconds, SECONDS, lag_ns, 1, "lag",                                                                       \
      AD_PROM("asyncdemo_loop_lag_seconds", gauge, "Lateness of the last loop probe tick (max over threads)."))        \
    X(T, ticks, COUNT, ticks, 0, "ticks", AD_PROM("asyncdemo_loop_ticks_total", counter, "Loop probe ticks."))         \
    X(T, stalls, COUNT, stalls, 1, "stalls",                                                                           \
      AD_PROM("asyncdemo_loop_stalls_total", counter, "Probe ticks later than the stall threshold."))                  \
    X(T, stalled_seconds, SECONDS, stalled_total_ns, 1, "stalled",                                                     \
      AD_PROM("asyncdemo_loop_stalled_seconds_total", counter, "Sum of the stalled ticks' lateness."))                 \
    X(T, longest_stall_seconds, SECONDS, longest_stall_ns, 1, "longest",                                               \
      AD_PROM("asyncdemo_loop_longest_stall_seconds", gauge, "Longest loop stall seen."))                              \
    X(T, longest_stall_endpoint, STR_OR_NULL, longest_stall_endpoint, 0, "in", AD_NO_PROM)                             \
    X(T, longest_stall_wall, UTC_OR_NULL, longest_stall_wall_ns, 0, "at", AD_NO_PROM)                                  \
    X(T, cpu_seconds, SECONDS, cpu_ns, 0, "cpu",                                                                       \
      AD_PROM("asyncdemo_loop_cpu_seconds_total", counter,                                                             \
              "CPU time the loop threads used (sum), as of their last probe tick: working, not waiting."))             \
    X(T, utilisation_percent, GAUGE, utilisation_pct, 0, "busy %",                                                     \
      AD_PROM("asyncdemo_loop_utilisation_percent", gauge,                                                             \
              "Share of wall time the busiest loop thread spent on the CPU over the last second, in percent."))        \
    X(T, utilisation_since_start_percent, GAUGE, utilisation_since_start_pct, 0, "since start %",                      \
      AD_PROM("asyncdemo_loop_utilisation_since_start_percent", gauge,                                                 \
              "Share of wall time the loop threads together spent on the CPU since start, in percent."))

/* Each endpoint's object, under "endpoints" by the endpoint's name (endpoint_list.h); then "latency_seconds". */
#define AD_STATS_ENDPOINT(X, T)                                                                                        \
    X(T, requests, COUNT, requests, 1, "requests",                                                                     \
      AD_PROM("asyncdemo_requests_total", counter, "Requests that arrived, by endpoint."))                             \
    X(T, in_flight, GAUGE, in_flight, 1, "in flight",                                                                  \
      AD_PROM("asyncdemo_requests_in_flight", gauge, "Requests arrived and not yet answered."))                        \
    X(T, peak_in_flight, GAUGE, peak_in_flight, 1, "peak",                                                             \
      AD_PROM("asyncdemo_requests_in_flight_peak", gauge,                                                              \
              "Most requests in flight at once (sum of per-thread peaks)."))                                           \
    X(T, completed, COUNT, completed, 1, "done",                                                                       \
      AD_PROM("asyncdemo_requests_completed_total", counter, "Requests answered (any status), by endpoint."))          \
    X(T, cancelled, COUNT, cancelled, 1, "cancelled",                                                                  \
      AD_PROM("asyncdemo_requests_cancelled_total", counter, "Requests whose client went away before the answer."))    \
    X(T, status_4xx, COUNT, status_4xx, 1, "4xx", AD_NO_PROM)                                                          \
    X(T, status_5xx, COUNT, status_5xx, 1, "5xx", AD_NO_PROM)                                                          \
    X(T, fault_status, COUNT, fault_status, 0, "injected",                                                             \
      AD_PROM("asyncdemo_faults_status_total", counter,                                                                \
              "Answers with a status injected by status= (not in the 4xx/5xx counts), by endpoint."))                  \
    X(T, fault_closed, COUNT, fault_closed, 0, "closed",                                                               \
      AD_PROM("asyncdemo_faults_closed_total", counter, "Requests closed without an answer by close=, by endpoint."))  \
    X(T, fault_reset, COUNT, fault_reset, 0, "reset",                                                                  \
      AD_PROM("asyncdemo_faults_reset_total", counter, "Connections reset without an answer by close=P:reset."))

/* An endpoint's "latency_seconds": min, mean, max and the percentiles of AD_STATS_PERCENTILES. */
#define AD_STATS_LATENCY(X, T)                                                                                         \
    X(T, min, SECONDS, min_ns, 1, "min", AD_NO_PROM)                                                                   \
    X(T, mean, SECONDS, mean_ns, 1, "mean", AD_NO_PROM)                                                                \
    X(T, max, SECONDS, max_ns, 1, "max", AD_NO_PROM)                                                                   \
    X(T, p50, SECONDS, p50_ns, 1, "p50", AD_NO_PROM)                                                                   \
    X(T, p90, SECONDS, p90_ns, 1, "p90", AD_NO_PROM)                                                                   \
    X(T, p99, SECONDS, p99_ns, 1, "p99", AD_NO_PROM)                                                                   \
    X(T, p99_9, SECONDS, p99_9_ns, 1, "p99.9", AD_NO_PROM)

/* P(MEMBER, PERCENT): which latency members are percentiles, and of what. */
#define AD_STATS_PERCENTILES(P) P(p50_ns, 50) P(p90_ns, 90) P(p99_ns, 99) P(p99_9_ns, 99.9)

#endif
