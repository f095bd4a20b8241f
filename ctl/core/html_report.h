#ifndef AD_CTL_HTML_REPORT_H
#define AD_CTL_HTML_REPORT_H
/*
 * bench --html and report --html: one self-contained page (inline SVG and CSS, no script, nothing from
 * the network: its Content-Security-Policy allows only inline styles and data: images), readable offline
 * and printable. Per run: the summary row, the latency histogram and percentile curve, the figures over
 * time; then the timeline as the terminal draws it, and the thresholds. Pure apart from the FILE *.
 */
#include <stdio.h>
#include "results.h"
#include "threshold.h"

typedef struct ad_html_report {
    const char *command; /* "bench", "compare" */
    const char *heading; /* a line under the title (report's sources), or NULL */
    int64_t started_wall_ns;
    const ad_run_result_t *const *runs;
    size_t nruns;
    const ad_threshold_result_t *thresholds; /* --fail-if's, or NULL */
    size_t nthresholds;
} ad_html_report_t;

/* Writes the page. Returns 0, or -1 on a write error (errno set). */
int ad_html_report_write(FILE *out, const ad_html_report_t *h);

#endif
