/* The text report: a pure function of ad_run_result_t, written into a FILE *. */
#include "report.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "digits.h"
#include "duration.h"
#include "text_escape.h"

#define MIN_WIDTH 40
#define BOLD "\033[1m"
#define RED "\033[31m"
#define GREEN "\033[32m"
#define DIM "\033[2m"
#define RESET "\033[0m"

void ad_report_style_default(ad_report_style_t *st)
{
    memset(st, 0, sizeof(*st));
    st->width = 80;
    st->max_request_lines = 50;
    st->chart_rows = 8;
}

static int width_of(const ad_report_style_t *st)
{
    return st->width < MIN_WIDTH ? MIN_WIDTH : st->width;
}

static const char *esc(const ad_report_style_t *st, const char *code)
{
    return st->color ? code : "";
}

size_t ad_report_format_latency(int64_t ns, char *buf, size_t size)
{
    const char *sign = ns < 0 ? "-" : "";
    uint64_t mag = ad_i64_magnitude(ns);
    int n;
    if (mag >= 1000000000)
        n = snprintf(buf, size, "%s%.3fs", sign, (double)mag / 1e9);
    else if (mag >= 1000000)
        n = snprintf(buf, size, "%s%.2fms", sign, (double)mag / 1e6);
    else if (mag >= 1000)
        n = snprintf(buf, size, "%s%.1fus", sign, (double)mag / 1e3);
    else
        n = snprintf(buf, size, "%s%" PRIu64 "ns", sign, mag);
    return n < 0 ? 0 : (size_t)n;
}

int ad_report_seconds_to_ns(double s, int64_t *ns, const char **text)
{
    double v = s * 1e9;
    if (isnan(v)) {
        *text = "invalid";
        return -1;
    }
    /* 2^63 ns is 292.47 years; llround past it is undefined (it gave "-9223372036.855s" for 1e308) */
    if (v >= 0x1p63 || v < -0x1p63) {
        *text = v > 0 ? ">292y" : "<-292y";
        return -1;
    }
    *ns = (int64_t)llround(v);
    return 0;
}

/* s through fmt when int64 nanoseconds hold it, else the out-of-range text. */
static size_t format_checked(double s, size_t (*fmt)(int64_t ns, char *buf, size_t size), char *buf, size_t size)
{
    int64_t ns;
    const char *text;
    if (ad_report_seconds_to_ns(s, &ns, &text) == 0)
        return fmt(ns, buf, size);
    int n = snprintf(buf, size, "%s", text);
    return n < 0 ? 0 : (size_t)n;
}

size_t ad_report_format_seconds(double s, char *buf, size_t size)
{
    return format_checked(s, ad_report_format_latency, buf, size);
}

size_t ad_report_format_setting(double s, char *buf, size_t size)
{
    return format_checked(s, ad_duration_format, buf, size);
}

static void format_rate(double rps, char *buf, size_t size)
{
    if (rps < 10)
        snprintf(buf, size, "%.2f", rps);
    else if (rps < 1000)
        snprintf(buf, size, "%.1f", rps);
    else
        snprintf(buf, size, "%.0f", rps);
}

/* Columns v takes in decimal. */
static int digits_u64(uint64_t v)
{
    char tmp[AD_U64_DEC_MAX];
    return (int)ad_u64_to_dec(v, tmp);
}

/* ---- flowing "label value" items, wrapped at the width ---- */

typedef struct flow {
    FILE *out;
    int width;
    int indent; /* columns of continuation lines */
    int col;
    bool first;
} flow_t;

static void flow_begin(flow_t *f, FILE *out, int width, const char *head, int indent)
{
    f->out = out;
    f->width = width;
    f->indent = indent;
    f->first = true;
    f->col = fprintf(out, "%-*s", indent, head);
}

/* item's visible width is len (colour codes excluded); sep goes between items on one line. */
static void flow_item_sep(flow_t *f, const char *item, int len, const char *sep)
{
    int seplen = (int)strlen(sep);
    if (!f->first && f->col + seplen + len > f->width) {
        f->col = fprintf(f->out, "\n%*s", f->indent, "") - 1;
        f->first = true;
    }
    if (!f->first)
        f->col += fprintf(f->out, "%s", sep);
    fputs(item, f->out);
    f->col += len;
    f->first = false;
}

static void flow_item(flow_t *f, const char *item, int len)
{
    flow_item_sep(f, item, len, "  ");
}

static void flow_end(flow_t *f)
{
    fputc('\n', f->out);
}

/* ---- per-request lines ---- */

static void format_secs(int64_t ns, char *buf, size_t size)
{
    snprintf(buf, size, "%.3f", (double)(ns < 0 ? 0 : ns) / 1e9);
}

void ad_report_requests(FILE *out, const ad_run_result_t *r, const ad_report_style_t *st)
{
    if (r->nrecords == 0)
        return;
    if (r->nrecords > st->max_request_lines) {
        fprintf(out, "  %s(%" PRIu32 " per-request lines not shown; --json has them)%s\n", esc(st, DIM), r->nrecords,
                esc(st, RESET));
        return;
    }
    /* column widths from the widest value, so the lines align */
    uint32_t max_index = 0;
    int64_t max_t = 0;
    for (uint32_t i = 0; i < r->nrecords; i++) {
        const ad_request_record_t *rec = &r->records[i];
        max_index = rec->index > max_index ? rec->index : max_index;
        max_t = rec->done_ns > max_t ? rec->done_ns : max_t;
    }
    char tmp[32];
    format_secs(max_t, tmp, sizeof(tmp));
    int iw = digits_u64(max_index), tw = (int)strlen(tmp) + 1;
    for (uint32_t i = 0; i < r->nrecords; i++) {
        const ad_request_record_t *rec = &r->records[i];
        char sent[32], done[32], took[32];
        sent[0] = done[0] = '+';
        format_secs(rec->sent_ns, sent + 1, sizeof(sent) - 1);
        format_secs(rec->done_ns, done + 1, sizeof(done) - 1);
        format_secs(rec->done_ns - rec->sent_ns, took, sizeof(took));
        fprintf(out, "  #%-*" PRIu32 " sent %*ss  finished %*ss  took %*ss  ", iw, rec->index, tw, sent, tw, done,
                tw - 1, took);
        bool bad = rec->error != AD_ERR_NONE;
        if (rec->status != 0)
            fprintf(out, "%s%d%s", esc(st, bad ? RED : GREEN), rec->status, esc(st, RESET));
        else
            fprintf(out, "%s%s%s", esc(st, RED), ad_err_class_name(rec->error), esc(st, RESET));
        if (r->rate > 0 && rec->sent_ns - rec->intended_ns >= AD_NS_PER_MS) { /* open model: a late send */
            char late[32];
            ad_report_format_latency(rec->sent_ns - rec->intended_ns, late, sizeof(late));
            fprintf(out, "  %s%s late%s", esc(st, RED), late, esc(st, RESET));
        }
        if (rec->server_seq >= 0)
            fprintf(out, "  seq %" PRId64, rec->server_seq);
        if (rec->pid != 0)
            fprintf(out, "  pid %ld", (long)rec->pid);
        fputc('\n', out);
    }
    if (r->completed > r->nrecords)
        fprintf(out, "  %s(first %" PRIu32 " of %" PRIu64 " requests shown)%s\n", esc(st, DIM), r->nrecords,
                r->completed, esc(st, RESET));
}

/* ---- totals, latency, statuses ---- */

static uint64_t error_total(const ad_run_result_t *r)
{
    uint64_t n = 0;
    for (size_t i = 0; i < AD_ERR_CLASS_COUNT; i++)
        n += r->errors[i];
    return n;
}

static void format_bytes(uint64_t b, char *buf, size_t size)
{
    if (b < 1024)
        snprintf(buf, size, "%" PRIu64 " B", b);
    else if (b < 1024 * 1024)
        snprintf(buf, size, "%.1f KiB", (double)b / 1024);
    else if (b < UINT64_C(1024) * 1024 * 1024)
        snprintf(buf, size, "%.1f MiB", (double)b / (1024.0 * 1024));
    else
        snprintf(buf, size, "%.2f GiB", (double)b / (1024.0 * 1024 * 1024));
}

void ad_report_totals(FILE *out, const ad_run_result_t *r, const ad_report_style_t *st)
{
    char total[32], rps[32], item[128];
    format_secs(r->elapsed_ns, total, sizeof(total));
    format_rate(ad_run_result_rps(r), rps, sizeof(rps));
    uint64_t errs = error_total(r);
    flow_t f;
    int n;
    /* "5 requests in 10.005s, 0.50 req/s, 5 ok, 0 errors, ...": parts wrap, each ends with its comma */
    flow_begin(&f, out, width_of(st), "", 2);
    n = snprintf(item, sizeof(item), "%s%" PRIu64 " request%s in %ss%s,", esc(st, BOLD), r->completed,
                 ad_plural(r->completed), total, esc(st, RESET));
    flow_item_sep(&f, item, n - (int)strlen(esc(st, BOLD)) - (int)strlen(esc(st, RESET)), " ");
    n = snprintf(item, sizeof(item), "%s req/s,", rps);
    flow_item_sep(&f, item, n, " ");
    n = snprintf(item, sizeof(item), "%" PRIu64 " ok,", r->ok);
    flow_item_sep(&f, item, n, " ");
    bool more = r->sent > r->completed || r->bytes_received > 0;
    n = snprintf(item, sizeof(item), "%" PRIu64 " error%s%s", errs, ad_plural(errs), more ? "," : "");
    char colored[160];
    snprintf(colored, sizeof(colored), "%s%s%s", esc(st, errs > 0 ? RED : ""), item, esc(st, errs > 0 ? RESET : ""));
    flow_item_sep(&f, colored, n, " ");
    if (r->sent > r->completed) {
        n = snprintf(item, sizeof(item), "%" PRIu64 " unfinished%s", r->sent - r->completed,
                     r->bytes_received > 0 ? "," : "");
        flow_item_sep(&f, item, n, " ");
    }
    if (r->bytes_received > 0) {
        char bytes[32];
        format_bytes(r->bytes_received, bytes, sizeof(bytes));
        n = snprintf(item, sizeof(item), "%s received", bytes);
        flow_item_sep(&f, item, n, " ");
    }
    flow_end(&f);
}

static const struct {
    const char *label;
    double p;
} percentiles[] = {{"p50", 50}, {"p75", 75}, {"p90", 90}, {"p99", 99}, {"p99.9", 99.9}, {"p99.99", 99.99}};

static void latency_lines(FILE *out, const char *head, const ad_histogram_t *h, const ad_report_style_t *st)
{
    flow_t f;
    char item[64], v[32];
    flow_begin(&f, out, width_of(st), head, 11 + 2);
    if (h->count == 0) {
        flow_item(&f, "no answers", 10);
        flow_end(&f);
        return;
    }
    static const char *const names[] = {"min", "mean", "stdev", "max"};
    int64_t vals[4] = {h->min, (int64_t)llround(ad_hist_mean(h)), (int64_t)llround(ad_hist_stdev(h)), h->max};
    for (size_t i = 0; i < 4; i++) {
        ad_report_format_latency(vals[i], v, sizeof(v));
        int n = snprintf(item, sizeof(item), "%s %s", names[i], v);
        flow_item(&f, item, n);
    }
    flow_end(&f);
    flow_begin(&f, out, width_of(st), "", 11 + 2);
    for (size_t i = 0; i < sizeof(percentiles) / sizeof(percentiles[0]); i++) {
        ad_report_format_latency(ad_hist_percentile(h, percentiles[i].p), v, sizeof(v));
        int n = snprintf(item, sizeof(item), "%s %s", percentiles[i].label, v);
        flow_item(&f, item, n);
    }
    flow_end(&f);
}

void ad_report_latency(FILE *out, const ad_run_result_t *r, const ad_report_style_t *st)
{
    if (r->rate > 0) {
        /* open model: both, so coordinated omission shows instead of hiding in the raw figures */
        flow_t f;
        flow_begin(&f, out, width_of(st), "  latency", 13);
        flow_item_sep(&f, "corrected: from the intended send time,", 39, " ");
        flow_item_sep(&f, "raw: from the actual send", 25, " ");
        flow_end(&f);
        latency_lines(out, "  corrected", &r->latency, st);
        latency_lines(out, "  raw", &r->latency_raw, st);
    } else {
        latency_lines(out, "  latency", &r->latency, st);
    }
}

/* ---- the latency chart ---- */

/* Writes a bar of `eighths` eighth-cells. */
static void put_bar(FILE *out, long eighths, bool ascii)
{
    static const char *const part[8] = {"", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589"};
    if (ascii) {
        for (long i = 0; i < (eighths + 4) / 8; i++)
            fputc('#', out);
        return;
    }
    for (long i = 0; i < eighths / 8; i++)
        fputs("\u2588", out);
    fputs(part[eighths % 8], out);
}

void ad_report_chart(FILE *out, const ad_histogram_t *h, const ad_report_style_t *st)
{
    enum { ROWS_MAX = 32 };
    if (h->count == 0 || st->chart_rows == 0)
        return;
    unsigned rows = st->chart_rows > ROWS_MAX ? ROWS_MAX : st->chart_rows;
    int64_t lo = h->min, hi = h->max;
    size_t first = ad_hist_bucket_index(lo), last = ad_hist_bucket_index(hi);
    /* rows finer than the buckets would only repeat themselves: at most one per non-empty bucket */
    unsigned nonempty = 0;
    for (size_t b = first; b <= last && b < AD_HIST_BUCKETS; b++)
        nonempty += h->buckets[b] != 0;
    if (nonempty < rows)
        rows = nonempty > 0 ? nonempty : 1;
    if (hi <= lo)
        rows = 1;
    /* log-spaced rows when the values span more than a factor of 10, else linear */
    bool logscale = lo > 0 && hi / lo > 10;
    double edges[ROWS_MAX + 1];
    for (unsigned i = 0; i <= rows; i++) {
        double t = (double)i / rows;
        edges[i] = logscale ? exp(log((double)lo) + t * (log((double)hi) - log((double)lo)))
                            : (double)lo + t * (double)(hi - lo);
    }
    uint64_t counts[ROWS_MAX] = {0};
    for (size_t b = first; b <= last && b < AD_HIST_BUCKETS; b++) {
        if (h->buckets[b] == 0)
            continue;
        /* The bucket's values lie in [lower, upper] within [lo, hi]: max's bucket holds max, so it goes to
         * the last row (which ends at max), min's to the first, the others by the middle of their values. */
        unsigned row = 0;
        if (b == last) {
            row = rows - 1;
        } else if (b != first) {
            int64_t l = ad_hist_bucket_lower(b), u = ad_hist_bucket_upper(b);
            double v = ((double)(l < lo ? lo : l) + (double)(u > hi ? hi : u)) / 2;
            while (row + 1 < rows && v >= edges[row + 1])
                row++;
        }
        counts[row] += h->buckets[b];
    }
    uint64_t maxc = 0;
    for (unsigned i = 0; i < rows; i++)
        maxc = counts[i] > maxc ? counts[i] : maxc;
    if (maxc == 0) /* buckets not filled (a hand-made histogram): nothing to draw */
        return;
    char labels[ROWS_MAX][32];
    int lw = 0;
    for (unsigned i = 0; i < rows; i++) {
        ad_report_format_latency((int64_t)llround(edges[i + 1]), labels[i], sizeof(labels[i]));
        int n = (int)strlen(labels[i]);
        lw = n > lw ? n : lw;
    }
    int cw = digits_u64(maxc);
    /* "  <= label |bar count" */
    int area = width_of(st) - (2 + 3 + lw + 2) - (1 + cw);
    area = area < 10 ? 10 : area;
    fprintf(out, "  latency chart%s\n", logscale ? " (log-spaced rows)" : "");
    for (unsigned i = 0; i < rows; i++) {
        long eighths = (long)((counts[i] * (uint64_t)area * 8 + maxc / 2) / maxc);
        if (counts[i] > 0 && eighths == 0)
            eighths = st->ascii ? 4 : 1; /* a non-empty row is never drawn empty */
        fprintf(out, "  <= %*s |", lw, labels[i]);
        put_bar(out, eighths, st->ascii);
        fprintf(out, " %" PRIu64 "\n", counts[i]);
    }
}

void ad_report_statuses(FILE *out, const ad_run_result_t *r, const ad_report_style_t *st)
{
    flow_t f;
    char item[96];
    flow_begin(&f, out, width_of(st), "  statuses", 13);
    bool any = false;
    for (size_t i = 0; i < AD_STATUS_SLOTS && r->statuses[i].count > 0; i++) {
        int s = r->statuses[i].status;
        bool good = s >= 200 && s <= 299;
        const char *c = esc(st, good ? GREEN : RED);
        int n = snprintf(item, sizeof(item), "%d x%" PRIu64, s, r->statuses[i].count);
        char colored[128];
        snprintf(colored, sizeof(colored), "%s%s%s", c, item, *c ? RESET : "");
        flow_item(&f, colored, n);
        any = true;
    }
    if (r->statuses_other > 0) {
        int n = snprintf(item, sizeof(item), "other x%" PRIu64, r->statuses_other);
        flow_item(&f, item, n);
        any = true;
    }
    if (!any)
        flow_item(&f, "none (no answers)", 17);
    flow_end(&f);

    flow_begin(&f, out, width_of(st), "  errors", 13);
    uint64_t total = error_total(r);
    if (total == 0) {
        flow_item(&f, "none", 4);
        flow_end(&f);
        return;
    }
    for (int c = AD_ERR_CONNECT; c < AD_ERR_CLASS_COUNT; c++) {
        if (r->errors[c] == 0)
            continue;
        int n = snprintf(item, sizeof(item), "%s x%" PRIu64, ad_err_class_name((ad_err_class_t)c), r->errors[c]);
        char colored[128];
        snprintf(colored, sizeof(colored), "%s%s%s", esc(st, RED), item, esc(st, RESET));
        flow_item(&f, colored, n);
    }
    flow_end(&f);
    if (r->first_error[0] != '\0') {
        char text[sizeof(r->first_error) * AD_ESCAPE_UNIT_MAX];
        ad_escape_cstr(r->first_error, text, sizeof(text)); /* a library's or the server's words */
        fprintf(out, "  first error: %s\n", text);
    }
}

void ad_report_run(FILE *out, const ad_run_result_t *r, const ad_report_style_t *st)
{
    fprintf(out, "%s%s%s  %s  (concurrency %u", esc(st, BOLD), r->name, esc(st, RESET), r->url, r->concurrency);
    if (r->rate > 0)
        fprintf(out, ", rate %g/s", r->rate);
    if (r->engine[0] != '\0')
        fprintf(out, ", engine %s", r->engine);
    if (r->loops > 0)
        fprintf(out, ", %u loop%s", r->loops, ad_plural(r->loops));
    if (r->streams > 0)
        fprintf(out, ", HTTP/2 %u stream%s per connection", r->streams, ad_plural(r->streams));
    fputs(")\n", out);
    if (r->interrupted)
        fprintf(out, "  %sinterrupted: requests still in flight were abandoned%s\n", esc(st, RED), esc(st, RESET));
    ad_report_requests(out, r, st);
    ad_report_totals(out, r, st);
    ad_report_latency(out, r, st);
    ad_report_chart(out, &r->latency, st);
    ad_report_statuses(out, r, st);
}

void ad_report_interrupted(FILE *out, const ad_report_style_t *st)
{
    fprintf(out, "%sInterrupted (SIGINT/SIGTERM): this report covers only the requests that finished before.%s\n",
            esc(st, RED), esc(st, RESET));
}

/* ---- comparisons ---- */

double ad_run_time_per_request(const ad_run_result_t *r)
{
    if (r->ok == 0) /* a run of failures only measured how fast they fail, not the endpoint */
        return INFINITY;
    return (double)r->elapsed_ns / (double)r->completed;
}

size_t ad_report_reference(const ad_run_result_t *const *runs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(runs[i]->name, "/non-blocking") == 0 && runs[i]->ok > 0)
            return i;
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (ad_run_time_per_request(runs[i]) < ad_run_time_per_request(runs[best]))
            best = i;
    return best;
}

size_t ad_report_comparisons(const ad_run_result_t *const *runs, size_t n, ad_comparison_t *out, size_t max)
{
    if (n < 2)
        return 0;
    size_t ref = ad_report_reference(runs, n), k = 0;
    double tref = ad_run_time_per_request(runs[ref]);
    for (size_t i = 0; i < n && k < max; i++) {
        double t = ad_run_time_per_request(runs[i]);
        if (i == ref || !isfinite(t) || !isfinite(tref) || t <= 0 || tref <= 0)
            continue;
        /* the reference may be slower than another run (e.g. /offload a hair faster than /non-blocking) */
        if (t >= tref)
            out[k++] = (ad_comparison_t){.slower = i, .faster = ref, .ratio = t / tref};
        else
            out[k++] = (ad_comparison_t){.slower = ref, .faster = i, .ratio = tref / t};
    }
    return k;
}

void ad_report_ratio_line(FILE *out, const ad_run_result_t *const *runs, const ad_comparison_t *c,
                          const ad_report_style_t *st)
{
    const char *slow = runs[c->slower]->name, *fast = runs[c->faster]->name;
    if (c->ratio < 1.05)
        fprintf(out, "%s took about as long as %s (%.2fx)\n", slow, fast, c->ratio);
    else
        fprintf(out, "%s%s was %.2fx slower than %s%s\n", esc(st, BOLD), slow, c->ratio, fast, esc(st, RESET));
}

void ad_report_ratios(FILE *out, const ad_run_result_t *const *runs, size_t n, const ad_report_style_t *st)
{
    ad_comparison_t cmp[16];
    size_t k = ad_report_comparisons(runs, n, cmp, sizeof(cmp) / sizeof(cmp[0]));
    for (size_t i = 0; i < k; i++)
        ad_report_ratio_line(out, runs, &cmp[i], st);
    for (size_t i = 0; n > 1 && i < n; i++)
        if (runs[i]->ok == 0)
            fprintf(out, "%s is not compared: %s\n", runs[i]->name,
                    runs[i]->completed == 0 ? "no request finished" : "no request succeeded (see its errors above)");
}

static int cmp_by_time(const void *a, const void *b)
{
    const ad_run_result_t *ra = *(const ad_run_result_t *const *)a, *rb = *(const ad_run_result_t *const *)b;
    double ta = ad_run_time_per_request(ra), tb = ad_run_time_per_request(rb);
    return ta < tb ? -1 : ta > tb ? 1 : 0;
}

void ad_report_ranking(FILE *out, const ad_run_result_t *const *runs, size_t n, const ad_report_style_t *st)
{
    enum { MAX = 16 };
    const ad_run_result_t *sorted[MAX];
    n = n > MAX ? MAX : n;
    if (n == 0)
        return;
    memcpy(sorted, runs, n * sizeof(*sorted));
    /* a stable order for ties: insertion sort keeps the given order */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && cmp_by_time(&sorted[j - 1], &sorted[j]) > 0; j--) {
            const ad_run_result_t *t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    int nw = 4, tw = 5, ow = 2;
    char total[MAX][32], ok[MAX][48];
    for (size_t i = 0; i < n; i++) {
        int l = (int)strlen(sorted[i]->name);
        nw = l > nw ? l : nw;
        snprintf(total[i], sizeof(total[i]), "%.3fs", (double)sorted[i]->elapsed_ns / 1e9);
        l = (int)strlen(total[i]);
        tw = l > tw ? l : tw;
        snprintf(ok[i], sizeof(ok[i]), "%" PRIu64 "/%" PRIu64, sorted[i]->ok, sorted[i]->completed);
        l = (int)strlen(ok[i]);
        ow = l > ow ? l : ow;
    }
    double best = ad_run_time_per_request(sorted[0]);
    fprintf(out, "%s  #  %-*s  %*s  %*s  vs fastest%s\n", esc(st, BOLD), nw, "mode", tw, "total", ow, "ok",
            esc(st, RESET));
    for (size_t i = 0; i < n; i++) {
        double t = ad_run_time_per_request(sorted[i]);
        fprintf(out, "  %zu  %-*s  %*s  %*s  ", i + 1, nw, sorted[i]->name, tw, total[i], ow, ok[i]);
        if (isfinite(t) && isfinite(best) && best > 0)
            fprintf(out, "%.2fx\n", t / best);
        else
            fputs("-\n", out);
    }
}

/* ---- the lesson's conclusion ---- */

static const ad_run_result_t *run_named(const ad_run_result_t *const *runs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(runs[i]->name, name) == 0)
            return runs[i];
    return NULL;
}

/* The ratio at which a run counts as slower than /non-blocking rather than "about as long". */
#define LESSON_SLOWER 1.5

void ad_report_lesson(FILE *out, const ad_run_result_t *const *runs, size_t n, const ad_report_style_t *st)
{
    const ad_run_result_t *nb = run_named(runs, n, "/non-blocking"), *bl = run_named(runs, n, "/blocking"),
                          *off = run_named(runs, n, "/offload");
    if (nb == NULL || nb->ok == 0)
        return;
    double tnb = ad_run_time_per_request(nb);
    char total[32];
    format_secs(nb->elapsed_ns, total, sizeof(total));
    fprintf(out, "\n%sWhat this shows%s\n", esc(st, BOLD), esc(st, RESET));
    fprintf(out,
            "  For I/O, wait on the loop: %" PRIu64 " request%s to /non-blocking took %ss in all, as they\n"
            "  waited side by side on timers while the loop stayed free.\n",
            nb->completed, ad_plural(nb->completed), total);
    if (bl != NULL) {
        format_secs(bl->elapsed_ns, total, sizeof(total));
        if (bl->ok == 0) {
            fprintf(out, "  Never sleep on it: /blocking had no successful answer here, so it proves nothing.\n");
        } else {
            double ratio = ad_run_time_per_request(bl) / tnb;
            if (ratio >= LESSON_SLOWER)
                fprintf(out,
                        "  Never sleep on it: /blocking took %ss, %.2fx as long, because each sleep held the\n"
                        "  loop and the other requests waited their turn.\n",
                        total, ratio);
            else
                fprintf(out,
                        "  Never sleep on it: /blocking took %ss, only %.2fx as long here, because its requests\n"
                        "  were spread over several loops - and each loop still served its own one by one.\n",
                        total, ratio);
        }
    }
    if (off != NULL) {
        format_secs(off->elapsed_ns, total, sizeof(total));
        if (off->ok == 0) {
            fprintf(out, "  Move blocking work to a pool: /offload had no successful answer here, so it proves "
                         "nothing.\n");
        } else {
            double ratio = ad_run_time_per_request(off) / tnb;
            if (ratio < LESSON_SLOWER)
                fprintf(out,
                        "  Move blocking work to a pool: /offload took %ss (%.2fx /non-blocking): the sleeps\n"
                        "  ran on worker threads and the loop stayed free.\n",
                        total, ratio);
            else
                fprintf(out,
                        "  Move blocking work to a pool: /offload took %ss (%.2fx /non-blocking): the loop\n"
                        "  stayed free, but more sleeps came than the pool has workers, and some waited.\n",
                        total, ratio);
        }
    }
}
