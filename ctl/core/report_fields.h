#ifndef AD_CTL_REPORT_FIELDS_H
#define AD_CTL_REPORT_FIELDS_H
/*
 * What the ctl tells systemd and the journal about a result, as pure text: journal fields
 * (ASYNCDEMO_*=..., for ad_log_entry with AD_MSGID_BENCH_RESULT / AD_MSGID_COMPARE_RESULT) and
 * one-line STATUS= texts for progress and the final summary.
 */
#include <stddef.h>
#include <stdint.h>
#include "report.h"
#include "results.h"

#define AD_REPORT_FIELD_MAX 128
#define AD_REPORT_FIELDS_MAX 20

/*
 * Journal fields of runs[i] (one entry per run). command: "bench" or "compare". Fields: ASYNCDEMO_COMMAND,
 * ASYNCDEMO_RUN (run name), ASYNCDEMO_ENDPOINT (URL path without query), ASYNCDEMO_MODE (compare),
 * ASYNCDEMO_URL (cut to fit), ASYNCDEMO_REQUESTS (completed), ASYNCDEMO_OK, ASYNCDEMO_ERRORS,
 * ASYNCDEMO_TOTAL_SECONDS, ASYNCDEMO_RPS, ASYNCDEMO_CONCURRENCY, ASYNCDEMO_P50_SECONDS,
 * ASYNCDEMO_P99_SECONDS, ASYNCDEMO_MAX_SECONDS, and, when runs[i] is compared with the reference,
 * ASYNCDEMO_RATIO and ASYNCDEMO_RATIO_TO. Returns the number of fields written (<= max).
 */
size_t ad_report_journal_fields(const char *command, const ad_run_result_t *const *runs, size_t n, size_t i,
                                char fields[][AD_REPORT_FIELD_MAX], size_t max);

/* The MESSAGE of runs[i]'s journal entry: "bench /blocking: 5 requests in 10.012s, p99 10.012s, 0 errors,
 * 4.98x slower than /non-blocking". Returns snprintf's length. */
int ad_report_journal_message(const char *command, const ad_run_result_t *const *runs, size_t n, size_t i, char *buf,
                              size_t size);

/* Progress STATUS: "bench /non-blocking: 3200/10000, 0 errors" (total 0 = unbounded: "3200 done"). */
int ad_report_progress_status(const char *command, const char *name, uint64_t done, uint64_t total, uint64_t errors,
                              char *buf, size_t size);

/* Final STATUS: "bench done: /blocking 10.01s, /non-blocking 2.00s, /offload 2.00s; /blocking 4.98x slower
 * than /non-blocking" (cut to size). Returns snprintf-like length. */
int ad_report_summary_status(const char *command, const ad_run_result_t *const *runs, size_t n, char *buf, size_t size);

#endif
