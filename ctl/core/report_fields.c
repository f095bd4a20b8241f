/* Journal fields and STATUS= lines of results: pure text, sent by the caller. */
#include "report_fields.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "options.h"

static uint64_t errors_of(const ad_run_result_t *r)
{
    uint64_t n = 0;
    for (size_t c = 0; c < AD_ERR_CLASS_COUNT; c++)
        n += r->errors[c];
    return n;
}

typedef struct fields {
    char (*f)[AD_REPORT_FIELD_MAX];
    size_t n, max;
} fields_t;

__attribute__((format(printf, 2, 3))) static void add(fields_t *fs, const char *fmt, ...)
{
    if (fs->n >= fs->max)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fs->f[fs->n++], AD_REPORT_FIELD_MAX, fmt, ap);
    va_end(ap);
}

/* The comparison runs[i] takes part in, if any. */
static bool comparison_of(const ad_run_result_t *const *runs, size_t n, size_t i, ad_comparison_t *out)
{
    ad_comparison_t cmp[32];
    size_t k = ad_report_comparisons(runs, n, cmp, sizeof(cmp) / sizeof(cmp[0]));
    for (size_t j = 0; j < k; j++)
        if (cmp[j].slower == i || cmp[j].faster == i) {
            /* the reference takes part in every comparison: it has none of its own */
            if (ad_report_reference(runs, n) == i)
                return false;
            *out = cmp[j];
            return true;
        }
    return false;
}

size_t ad_report_journal_fields(const char *command, const ad_run_result_t *const *runs, size_t n, size_t i,
                                char fields[][AD_REPORT_FIELD_MAX], size_t max)
{
    fields_t fs = {fields, 0, max};
    const ad_run_result_t *r = runs[i];
    bool compare = strcmp(command, "compare") == 0;
    add(&fs, "ASYNCDEMO_COMMAND=%s", command);
    add(&fs, "ASYNCDEMO_RUN=%s", r->name);
    add(&fs, "ASYNCDEMO_ENDPOINT=%s", r->path);
    if (compare)
        add(&fs, "ASYNCDEMO_MODE=%s", r->name);
    add(&fs, "ASYNCDEMO_URL=%s", r->url);
    add(&fs, "ASYNCDEMO_REQUESTS=%" PRIu64, r->completed);
    add(&fs, "ASYNCDEMO_OK=%" PRIu64, r->ok);
    add(&fs, "ASYNCDEMO_ERRORS=%" PRIu64, errors_of(r));
    add(&fs, "ASYNCDEMO_TOTAL_SECONDS=%.6f", (double)r->elapsed_ns / 1e9);
    add(&fs, "ASYNCDEMO_RPS=%.3f", ad_run_result_rps(r));
    add(&fs, "ASYNCDEMO_CONCURRENCY=%u", r->concurrency);
    add(&fs, "ASYNCDEMO_P50_SECONDS=%.6f", (double)ad_hist_percentile(&r->latency, 50) / 1e9);
    add(&fs, "ASYNCDEMO_P99_SECONDS=%.6f", (double)ad_hist_percentile(&r->latency, 99) / 1e9);
    add(&fs, "ASYNCDEMO_MAX_SECONDS=%.6f", (double)r->latency.max / 1e9);
    ad_comparison_t c;
    if (comparison_of(runs, n, i, &c)) {
        /* the ratio of this run's time to the reference's: > 1 slower, < 1 faster */
        bool slower = c.slower == i;
        add(&fs, "ASYNCDEMO_RATIO=%.3f", slower ? c.ratio : 1.0 / c.ratio);
        add(&fs, "ASYNCDEMO_RATIO_TO=%s", runs[slower ? c.faster : c.slower]->name);
    }
    return fs.n;
}

int ad_report_journal_message(const char *command, const ad_run_result_t *const *runs, size_t n, size_t i, char *buf,
                              size_t size)
{
    const ad_run_result_t *r = runs[i];
    char p99[32];
    ad_report_format_latency(ad_hist_percentile(&r->latency, 99), p99, sizeof(p99));
    uint64_t errs = errors_of(r);
    int len = snprintf(buf, size, "%s %s: %" PRIu64 " request%s in %.3fs, p99 %s, %" PRIu64 " error%s", command,
                       r->name, r->completed, ad_plural(r->completed), (double)r->elapsed_ns / 1e9,
                       r->latency.count > 0 ? p99 : "-", errs, ad_plural(errs));
    ad_comparison_t c;
    if (len >= 0 && (size_t)len < size && comparison_of(runs, n, i, &c)) {
        bool slower = c.slower == i;
        len += snprintf(buf + len, size - (size_t)len, ", %.2fx %s than %s", c.ratio, slower ? "slower" : "faster",
                        runs[slower ? c.faster : c.slower]->name);
    }
    return len;
}

int ad_report_progress_status(const char *command, const char *name, uint64_t done, uint64_t total, uint64_t errors,
                              char *buf, size_t size)
{
    if (total > 0)
        return snprintf(buf, size, "%s %s: %" PRIu64 "/%" PRIu64 ", %" PRIu64 " error%s", command, name, done, total,
                        errors, ad_plural(errors));
    return snprintf(buf, size, "%s %s: %" PRIu64 " done, %" PRIu64 " error%s", command, name, done, errors,
                    ad_plural(errors));
}

int ad_report_summary_status(const char *command, const ad_run_result_t *const *runs, size_t n, char *buf, size_t size)
{
    size_t len = 0;
    int w = snprintf(buf, size, "%s done:", command);
    for (size_t i = 0; i < n && w >= 0; i++) {
        len += (size_t)w;
        if (len >= size)
            return (int)len;
        uint64_t errs = errors_of(runs[i]);
        w = snprintf(buf + len, size - len, "%s %s %.2fs", i == 0 ? "" : ",", runs[i]->name,
                     (double)runs[i]->elapsed_ns / 1e9);
        if (w >= 0 && errs > 0 && len + (size_t)w < size)
            w += snprintf(buf + len + (size_t)w, size - len - (size_t)w, " (%" PRIu64 " error%s)", errs,
                          ad_plural(errs));
    }
    if (w < 0)
        return w;
    len += (size_t)w;
    ad_comparison_t cmp[32];
    size_t k = ad_report_comparisons(runs, n, cmp, sizeof(cmp) / sizeof(cmp[0]));
    /* the largest ratio is the headline */
    size_t best = 0;
    for (size_t j = 1; j < k; j++)
        if (cmp[j].ratio > cmp[best].ratio)
            best = j;
    if (k > 0 && len < size)
        len += (size_t)snprintf(buf + len, size - len, "; %s %.2fx slower than %s", runs[cmp[best].slower]->name,
                                cmp[best].ratio, runs[cmp[best].faster]->name);
    return (int)len;
}
