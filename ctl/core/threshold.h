#ifndef AD_CTL_THRESHOLD_H
#define AD_CTL_THRESHOLD_H
/*
 * --fail-if EXPR: a threshold a result must not break, for CI (k6's thresholds). EXPR is
 * [RUN:]METRIC OP VALUE: METRIC p50 p90 p99.9 (any pN, N in (0, 100]), mean, min, max (latency, VALUE a
 * duration), errors (VALUE a count, or a percentage of the requests sent with %), rps (requests/s);
 * OP > >= < <=. Without RUN it applies to each run; RUN "all" to all runs together (latency from their
 * histograms merged, rps from all completions over the runs' summed time); else to the run of that
 * name. The parser and the check are pure.
 */
#include <stdbool.h>
#include <stddef.h>
#include "i18n.h"
#include "results.h"

#define AD_THRESHOLDS_MAX 16
/* The run name of RUN "all"'s results (in the JSON and the journal too); N_: the report translates it. */
#define AD_TH_ALL_RUNS N_("all runs")
#define AD_THRESHOLD_TEXT_MAX 384 /* a run name (AD_RUN_NAME_MAX) and the expression */

typedef enum { AD_TH_PERCENTILE, AD_TH_MEAN, AD_TH_MIN, AD_TH_MAX, AD_TH_ERRORS, AD_TH_RPS } ad_th_metric_t;
typedef enum { AD_TH_GT, AD_TH_GE, AD_TH_LT, AD_TH_LE } ad_th_op_t;

typedef struct ad_threshold {
    char text[AD_THRESHOLD_TEXT_MAX]; /* as given: "p99>250ms" */
    char run[AD_RUN_NAME_MAX];        /* "" each run, "all" all runs together, else a run's name */
    ad_th_metric_t metric;
    double percentile; /* AD_TH_PERCENTILE: 99.9 */
    ad_th_op_t op;
    double limit; /* ns (latency), requests or percent (errors), requests/s (rps) */
    bool percent; /* errors as a percentage of the requests sent */
} ad_threshold_t;

/* Parses text into *t. Returns 0, or -1 with the reason (naming text) in err. */
int ad_threshold_parse(const char *text, ad_threshold_t *t, char *err, size_t errlen);

typedef struct ad_threshold_result {
    const ad_threshold_t *t;
    char run[AD_RUN_NAME_MAX]; /* the run it was checked on ("all runs" for RUN "all") */
    bool found;                /* false: no run of that name (counted as broken) */
    double value;              /* measured, in the limit's unit */
    bool broken;
} ad_threshold_result_t;

/*
 * Checks thresholds t[0..nt) against runs[0..n): one result per threshold and run it applies to, at most
 * cap into out (*nout: how many). Returns the number broken.
 */
size_t ad_threshold_check(const ad_threshold_t *t, size_t nt, const ad_run_result_t *const *runs, size_t n,
                          ad_threshold_result_t *out, size_t cap, size_t *nout);
/* Whether one of t[0..nt) is about errors (then it, not any failed request, decides the exit status). */
bool ad_threshold_gates_errors(const ad_threshold_t *t, size_t nt);
/* The measured value as text in the limit's unit ("312.4ms", "2.5%", "3", "1234.5 req/s"), in English (journal). */
size_t ad_threshold_format_value(const ad_threshold_t *t, double v, char *buf, size_t size);
/* A result as one line in the user's language: "FAILED p99>250ms: 312.4ms on /blocking, over by 62.4ms". */
size_t ad_threshold_format_result(const ad_threshold_result_t *r, char *buf, size_t size);

#endif
