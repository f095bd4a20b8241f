#ifndef AD_STATS_FORMAT_H
#define AD_STATS_FORMAT_H
/*
 * /stats (JSON, docs/http-api.md) and /metrics (Prometheus text format 0.0.4) from a snapshot.
 * Pure functions writing into an ad_jw_t buffer (no jansson on this path: /stats must serve
 * >= 50k req/s). Numbers in seconds are written from integer nanoseconds, fixed-point.
 */
#include <stddef.h>
#include "json_writer.h"
#include "stats.h"

/* Appends the /stats document to w. Returns 0, or -1 when w ran out of memory. Each calling thread keeps
 * the last encoded object of every endpoint and reuses it while its counters and sample count are
 * unchanged (the output is the same as without it): under a /stats load only /stats itself is re-encoded. */
int ad_stats_format_json(const ad_stats_snapshot_t *snap, ad_jw_t *w);

/*
 * Prometheus exposition: asyncdemo_ prefix, _total counters, _seconds histograms (cumulative
 * le-buckets on a fixed ladder from 1 ms to 60 s, +Inf, _sum, _count), HELP and TYPE lines.
 * Appends to b. Returns 0, or -1 when out of memory.
 */
int ad_stats_format_prometheus(const ad_stats_snapshot_t *snap, ad_buf_t *b);

#endif
