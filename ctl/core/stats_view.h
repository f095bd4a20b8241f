#ifndef AD_CTL_STATS_VIEW_H
#define AD_CTL_STATS_VIEW_H
/*
 * `asyncdemoctl stats`: the daemon's /stats document (docs/http-api.md) as a terminal view - process
 * line, connections, event loop and stalls, offload pool, and a table of endpoints. A document of the
 * wrong shape is rejected before anything is written.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

typedef struct ad_stats_view_style {
    int width;  /* terminal columns (>= 40 handled) */
    bool color; /* ANSI colours: stalls and 5xx highlighted */
} ad_stats_view_style_t;

/* Checks doc's shape (every field the view uses, with its type). Returns 0, or -1 with the first
 * problem in err ("endpoints./blocking.latency_seconds.p99: expected a number"). */
int ad_stats_view_check(const json_t *doc, char *err, size_t errlen);
/* Checks, then renders. Returns 0, or -1 with err set and nothing written. */
int ad_stats_view_render(FILE *out, const json_t *doc, const ad_stats_view_style_t *st, char *err, size_t errlen);
/* Parses body[0..len) ("not JSON: ..." on failure), then ad_stats_view_render. */
int ad_stats_view_render_text(FILE *out, const char *body, size_t len, const ad_stats_view_style_t *st, char *err,
                              size_t errlen);
/* Parses and checks body[0..len) without rendering (`stats --json` prints the raw document, but only
 * one that is the daemon's). Returns 0, or -1 with the reason in err as ad_stats_view_render_text gives it. */
int ad_stats_view_check_text(const char *body, size_t len, char *err, size_t errlen);

#endif
