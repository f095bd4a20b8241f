#ifndef AD_CTL_JSON_REPORT_H
#define AD_CTL_JSON_REPORT_H
/*
 * The --json document of bench and compare (docs/bench-json.md, docs/bench-json.schema.json), and its
 * reader, which validates a document and rebuilds the runs, histograms included, so documents from
 * several runs or hosts can be merged exactly (ad_run_result_merge). Pure apart from the FILE *.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "options.h"
#include "results.h"

#define AD_JSON_REPORT_SCHEMA "asyncdemo-bench/1"

typedef struct ad_json_report {
    char command[16];        /* "bench" or "compare" */
    char tool[32];           /* "" when writing: "asyncdemoctl" */
    char version[32];        /* "" when writing: AD_VERSION */
    int64_t started_wall_ns; /* CLOCK_REALTIME when the command started */
    bool interrupted;        /* stopped by SIGINT/SIGTERM: runs may be partial or missing */
    json_t *options;         /* an object (ad_json_options_*), or NULL for {}; the reader owns a reference */
    json_t *thresholds;      /* --fail-if's results (an array), written when not NULL; not read back */
    ad_run_result_t **runs;  /* the reader allocates these (ad_json_report_free) */
    size_t nruns;
} ad_json_report_t;

/* The "options" object of each command (durations in seconds). New reference. */
json_t *ad_json_options_bench(const ad_bench_opts_t *o);
json_t *ad_json_options_compare(const ad_compare_opts_t *o);

/* The document as text, pretty-printed (2-space indent, flat arrays on one line), ending in a newline.
 * malloc'd; NULL when out of memory. Comparisons are derived from the runs (ad_report_comparisons). */
char *ad_json_report_dump(const ad_json_report_t *doc);
/* ad_json_report_dump into out. Returns 0, or -1 (out of memory or write error, errno set). */
int ad_json_report_write(FILE *out, const ad_json_report_t *doc);

/*
 * Validates a parsed document and rebuilds it into *doc (zeroed first). Returns 0, or -1 with a reason
 * naming the field ("runs[1].latency.histogram: ...") in err; *doc is then empty (free it anyway).
 */
int ad_json_report_read(const json_t *j, ad_json_report_t *doc, char *err, size_t errlen);
/* ad_json_report_read of text; "not JSON: <jansson's message> at line L column C" when unparsable. */
int ad_json_report_read_text(const char *text, size_t len, ad_json_report_t *doc, char *err, size_t errlen);
/* Frees what the reader allocated (runs, options reference) and zeroes doc. */
void ad_json_report_free(ad_json_report_t *doc);

#endif
