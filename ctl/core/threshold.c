/* --fail-if thresholds: parser and check (threshold.h). */
#include "threshold.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digits.h"
#include "duration.h"
#include "fail.h"
#include "i18n.h"
#include "report.h"

static const struct {
    const char *name;
    ad_th_metric_t metric;
} metric_names[] = {
    {"mean", AD_TH_MEAN}, {"min", AD_TH_MIN}, {"max", AD_TH_MAX}, {"errors", AD_TH_ERRORS}, {"rps", AD_TH_RPS}};

static const char *const op_names[] = {">", ">=", "<", "<="};

static int parse_metric(const char *s, size_t len, ad_threshold_t *t)
{
    for (size_t i = 0; i < sizeof(metric_names) / sizeof(metric_names[0]); i++) {
        if (strlen(metric_names[i].name) == len && memcmp(s, metric_names[i].name, len) == 0) {
            t->metric = metric_names[i].metric;
            return 0;
        }
    }
    if (len < 2 || s[0] != 'p' || ad_parse_decimal(s + 1, len - 1, &t->percentile) != 0 || !(t->percentile > 0) ||
        t->percentile > 100)
        return -1;
    t->metric = AD_TH_PERCENTILE;
    return 0;
}

int ad_threshold_parse(const char *text, ad_threshold_t *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    size_t tlen = strlen(text);
    if (tlen >= sizeof(t->text))
        return ad_fail(err, errlen, _("'%.40s...' is too long (at most %zu bytes)"), text, sizeof(t->text) - 1);
    memcpy(t->text, text, tlen + 1);
    const char *expr = text;
    const char *colon = strrchr(text, ':');
    if (colon != NULL) {
        if (colon == text)
            return ad_fail(err, errlen, _("'%.64s': no run name before ':'"), text);
        snprintf(t->run, sizeof(t->run), "%.*s", (int)(colon - text), text);
        expr = colon + 1;
    }
    size_t mlen = strcspn(expr, "<>");
    if (expr[mlen] == '\0')
        return ad_fail(err, errlen, _("'%.64s' has no comparison (METRIC>VALUE or METRIC<VALUE, e.g. p99>250ms)"),
                       text);
    if (parse_metric(expr, mlen, t) != 0)
        return ad_fail(
            err, errlen,
            _("'%.64s': '%.*s' is not a metric (p50, p90, p99, p99.9 or any pN, mean, min, max, errors, rps)"), text,
            (int)(mlen > 32 ? 32 : mlen), expr);
    const char *op = expr + mlen;
    bool eq = op[1] == '=';
    t->op = op[0] == '>' ? (eq ? AD_TH_GE : AD_TH_GT) : (eq ? AD_TH_LE : AD_TH_LT);
    const char *v = op + (eq ? 2 : 1);
    size_t vlen = strlen(v);
    if (vlen == 0)
        return ad_fail(err, errlen, _("'%.64s' has no value after '%s'"), text, op_names[t->op]);
    switch (t->metric) {
    case AD_TH_ERRORS:
        t->percent = v[vlen - 1] == '%';
        if (ad_parse_decimal(v, vlen - (t->percent ? 1 : 0), &t->limit) != 0 || (t->percent && t->limit > 100))
            return ad_fail(err, errlen,
                           _("'%.64s': errors takes a count (5) or a percentage up to 100 (1%%), not '%.32s'"), text,
                           v);
        return 0;
    case AD_TH_RPS:
        if (ad_parse_decimal(v, vlen, &t->limit) != 0)
            return ad_fail(err, errlen, _("'%.64s': rps takes requests per second (1000), not '%.32s'"), text, v);
        return 0;
    default: {
        int64_t ns;
        ad_duration_status_t st = ad_duration_parse(v, vlen, &ns);
        if (st != AD_DURATION_OK)
            return ad_fail(err, errlen, _("'%.64s': '%.32s' %s (a latency: 250ms, 1.5s)"), text, v,
                           ad_duration_strerror(st));
        t->limit = (double)ns;
        return 0;
    }
    }
}

/* The value of t's metric over runs[0..n) taken together (one run: that run); NAN when nothing to measure. */
static double measure(const ad_threshold_t *t, const ad_run_result_t *const *runs, size_t n)
{
    uint64_t sent = 0, ok = 0, completed = 0;
    int64_t elapsed = 0;
    const ad_histogram_t **hs = calloc(n > 0 ? n : 1, sizeof(*hs));
    if (hs == NULL)
        return NAN; /* out of memory: broken rather than passed */
    for (size_t i = 0; i < n; i++) {
        sent += runs[i]->sent;
        ok += runs[i]->ok;
        completed += runs[i]->completed;
        elapsed += runs[i]->elapsed_ns;
        hs[i] = &runs[i]->latency;
    }
    double v = NAN;
    if (t->metric == AD_TH_ERRORS) {
        double failed = (double)(sent - (ok < sent ? ok : sent));
        v = !t->percent ? failed : sent > 0 ? 100.0 * failed / (double)sent : NAN;
    } else if (t->metric == AD_TH_RPS) {
        v = elapsed > 0 ? (double)completed / ((double)elapsed / 1e9) : NAN;
    } else {
        ad_hist_summary_t sum;
        ad_hist_summarize(hs, n, &sum);
        int64_t p = 0;
        if (t->metric == AD_TH_PERCENTILE && sum.count > 0)
            ad_hist_percentiles(hs, n, &t->percentile, 1, &p);
        /* nothing answered: no latency to pass a gate with (NAN) */
        v = sum.count == 0            ? NAN
            : t->metric == AD_TH_MEAN ? sum.sum / (double)sum.count
            : t->metric == AD_TH_MIN  ? (double)sum.min
            : t->metric == AD_TH_MAX  ? (double)sum.max
                                      : (double)p;
    }
    free(hs);
    return v;
}

static bool breaks(const ad_threshold_t *t, double v)
{
    if (isnan(v))
        return true;
    switch (t->op) {
    case AD_TH_GT:
        return v > t->limit;
    case AD_TH_GE:
        return v >= t->limit;
    case AD_TH_LT:
        return v < t->limit;
    case AD_TH_LE:
        return v <= t->limit;
    }
    return true;
}

static void add_result(const ad_threshold_t *t, const char *run, bool found, double v, ad_threshold_result_t *out,
                       size_t cap, size_t *nout, size_t *nbroken)
{
    bool broken = !found || breaks(t, v);
    *nbroken += broken;
    if (*nout >= cap)
        return;
    ad_threshold_result_t *r = &out[(*nout)++];
    r->t = t;
    snprintf(r->run, sizeof(r->run), "%s", run);
    r->found = found;
    r->value = found ? v : NAN;
    r->broken = broken;
}

size_t ad_threshold_check(const ad_threshold_t *t, size_t nt, const ad_run_result_t *const *runs, size_t n,
                          ad_threshold_result_t *out, size_t cap, size_t *nout)
{
    size_t nbroken = 0;
    *nout = 0;
    for (size_t k = 0; k < nt; k++) {
        const ad_threshold_t *th = &t[k];
        if (strcmp(th->run, "all") == 0) {
            add_result(th, AD_TH_ALL_RUNS, true, measure(th, runs, n), out, cap, nout, &nbroken);
            continue;
        }
        bool found = false;
        for (size_t i = 0; i < n; i++) {
            if (th->run[0] != '\0' && strcmp(th->run, runs[i]->name) != 0)
                continue;
            found = true;
            add_result(th, runs[i]->name, true, measure(th, &runs[i], 1), out, cap, nout, &nbroken);
        }
        if (!found)
            add_result(th, th->run[0] != '\0' ? th->run : "(no run)", false, NAN, out, cap, nout, &nbroken);
    }
    return nbroken;
}

bool ad_threshold_gates_errors(const ad_threshold_t *t, size_t nt)
{
    for (size_t i = 0; i < nt; i++)
        if (t[i].metric == AD_TH_ERRORS)
            return true;
    return false;
}

/* The value as text; human: in the user's language (the report), else English (the journal's fields). */
static size_t format_value(const ad_threshold_t *t, double v, bool human, char *buf, size_t size)
{
    bool counted = t->metric == AD_TH_ERRORS || t->metric == AD_TH_RPS;
    if (isnan(v)) {
        const char *none = counted ? N_("nothing sent") : N_("no answers");
        return (size_t)snprintf(buf, size, "%s", human ? _(none) : none);
    }
    switch (t->metric) {
    case AD_TH_ERRORS:
        return t->percent ? (size_t)snprintf(buf, size, "%.4g%%", v) : (size_t)snprintf(buf, size, "%.0f", v);
    case AD_TH_RPS:
        return (size_t)snprintf(buf, size, human ? _("%.1f req/s") : "%.1f req/s", v);
    default:
        return ad_report_format_latency((int64_t)llround(v), buf, size);
    }
}

size_t ad_threshold_format_value(const ad_threshold_t *t, double v, char *buf, size_t size)
{
    return format_value(t, v, false, buf, size);
}

size_t ad_threshold_format_result(const ad_threshold_result_t *r, char *buf, size_t size)
{
    const ad_threshold_t *t = r->t;
    /* "all runs" is also the JSON's and the journal's name for RUN "all": translated only here */
    const char *run = strcmp(r->run, AD_TH_ALL_RUNS) == 0 ? _(AD_TH_ALL_RUNS) : r->run;
    if (!r->found)
        return (size_t)snprintf(buf, size, _("FAILED %s: no run named '%s'"), t->text, run);
    char value[48];
    format_value(t, r->value, true, value, sizeof(value));
    if (!r->broken)
        return (size_t)snprintf(buf, size, _("passed %s: %s on %s"), t->text, value, run);
    if (isnan(r->value))
        return (size_t)snprintf(buf, size, _("FAILED %s: %s on %s"), t->text, value, run);
    char by[40];
    format_value(t, fabs(r->value - t->limit), true, by, sizeof(by));
    /* TRANSLATORS: a broken --fail-if threshold: "FAILED p99>250ms: 312.4ms on /blocking, over by 62.4ms" */
    return (size_t)snprintf(buf, size,
                            t->op == AD_TH_GT || t->op == AD_TH_GE ? _("FAILED %s: %s on %s, over by %s")
                                                                   : _("FAILED %s: %s on %s, under by %s"),
                            t->text, value, run, by);
}
