#ifndef AD_CTL_REPORT_H
#define AD_CTL_REPORT_H
/*
 * The text report of bench and compare runs: per-request lines, totals, latency figures and chart,
 * statuses, errors; the ratio between runs and compare's ranking. Pure: writes into a FILE * (tests
 * use open_memstream), ANSI colour only when the style asks for it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "results.h"

/* "s" unless n is 1: "1 request", "5 requests", "0 errors". */
static inline const char *ad_plural(uint64_t n)
{
    return n == 1 ? "" : "s";
}

typedef struct ad_report_style {
    int width;                  /* terminal columns; < 40 is treated as 40 (lines may then be wider) */
    bool color;                 /* ANSI colours */
    bool ascii;                 /* '#' bars instead of Unicode blocks in the chart */
    uint32_t max_request_lines; /* per-request lines only when the run has at most this many records */
    unsigned chart_rows;        /* rows of the latency chart, 0 = no chart */
} ad_report_style_t;

/* width 80, no colour, Unicode, 50 request lines, 8 chart rows. */
void ad_report_style_default(ad_report_style_t *st);

/* A run's whole report: header (with the engine and its loops, and whether it was interrupted),
 * per-request lines, totals, latency (corrected and raw for open-model runs), chart, statuses, errors with
 * the first error message. */
void ad_report_run(FILE *out, const ad_run_result_t *r, const ad_report_style_t *st);
/* Parts of it, for callers that lay the report out differently. */
void ad_report_requests(FILE *out, const ad_run_result_t *r, const ad_report_style_t *st);
void ad_report_totals(FILE *out, const ad_run_result_t *r, const ad_report_style_t *st);
void ad_report_latency(FILE *out, const ad_run_result_t *r, const ad_report_style_t *st);
void ad_report_chart(FILE *out, const ad_histogram_t *h, const ad_report_style_t *st);
void ad_report_statuses(FILE *out, const ad_run_result_t *r, const ad_report_style_t *st);
/* The figures over time (bench --interval) as sparkline rows: req/s, p99, and errors and the open model's
 * lateness when there are some; nothing for a run without a series of at least 2 points. */
void ad_report_series(FILE *out, const ad_run_result_t *r, const ad_report_style_t *st);

/* The end of a report cut short by SIGINT/SIGTERM: what it covers. */
void ad_report_interrupted(FILE *out, const ad_report_style_t *st);

/* "slower was R x slower than faster": time per completed request of one run over another's. */
typedef struct ad_comparison {
    size_t slower, faster; /* indices into the runs array */
    double ratio;          /* >= 1 */
} ad_comparison_t;

/* Time per completed request (elapsed / completed), the measure runs are ranked by; INFINITY when no
 * request succeeded (such a run is never compared). With equal request counts this is the ratio of total
 * times. */
double ad_run_time_per_request(const ad_run_result_t *r);
/* The run the others are compared with: the first one named "/non-blocking" with a successful answer (the
 * lesson's point of reference), else the fastest. n must be > 0. */
size_t ad_report_reference(const ad_run_result_t *const *runs, size_t n);
/* Every other run with a successful answer against the reference, in run order. Returns the count. */
size_t ad_report_comparisons(const ad_run_result_t *const *runs, size_t n, ad_comparison_t *out, size_t max);

/* "/blocking was 4.98x slower than /non-blocking" (or "... took about as long as ..." under 1.05x). */
void ad_report_ratio_line(FILE *out, const ad_run_result_t *const *runs, const ad_comparison_t *c,
                          const ad_report_style_t *st);
/* Every comparison's ratio line, then why each run without a successful answer is not compared. */
void ad_report_ratios(FILE *out, const ad_run_result_t *const *runs, size_t n, const ad_report_style_t *st);
/* compare's table: rank, mode, total, ok/requests, ratio to the fastest; fastest first. */
void ad_report_ranking(FILE *out, const ad_run_result_t *const *runs, size_t n, const ad_report_style_t *st);

/*
 * The lesson's conclusion, worded from the runs just measured (those named /non-blocking, /blocking and
 * /offload; the others are ignored): for I/O, wait on the loop; never sleep on it; move blocking work to
 * a pool - each with the run's total time and its ratio to /non-blocking, and what that means. A run
 * without a successful answer is said to prove nothing. Writes nothing when /non-blocking has no
 * successful answer (nothing to compare with).
 */
void ad_report_lesson(FILE *out, const ad_run_result_t *const *runs, size_t n, const ad_report_style_t *st);

/* Human duration for reports: "2.003s", "12.35ms", "850.0us", "420ns"; a negative one keeps its sign. */
size_t ad_report_format_latency(int64_t ns, char *buf, size_t size);

/*
 * Seconds a document gave (a /stats figure; anything a server sent) as nanoseconds: 0 with *ns set, or
 * -1 with *text set to how to show a value no int64 of nanoseconds holds (about 292 years): ">292y",
 * "<-292y", or "invalid" for NaN and infinities. Never wraps. Pure.
 */
int ad_report_seconds_to_ns(double s, int64_t *ns, const char **text);
/* Such seconds shown as ad_report_format_latency does, out-of-range ones as ad_report_seconds_to_ns says. */
size_t ad_report_format_seconds(double s, char *buf, size_t size);
/* Such seconds shown as a setting, in lib/duration.h's syntax ("30s", "100ms"), out of range the same way. */
size_t ad_report_format_setting(double s, char *buf, size_t size);

#endif
