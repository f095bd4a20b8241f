/* The text report: a pure function of ad_run_result_t, written into a FILE *. */
#include "report.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "digits.h"
#include "duration.h"
#include "i18n.h"
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
    ad_fput_cells(out, head, -indent);
    int w = ad_text_cells(head);
    f->col = w > indent ? w : indent;
}

/* sep goes between items on one line; the item's width is its cells (colour codes take none). */
static void flow_item_sep(flow_t *f, const char *item, const char *sep)
{
    int seplen = (int)strlen(sep), len = ad_text_cells(item);
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

static void flow_item(flow_t *f, const char *item)
{
    flow_item_sep(f, item, "  ");
}

static void flow_end(flow_t *f)
{
    fputc('\n', f->out);
}

/* A section's head, "  latency": indented by two (a static buffer: used before the next call). */
static const char *head_text(const char *label)
{
    static char buf[64];
    snprintf(buf, sizeof(buf), "  %s", label);
    return buf;
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
        fprintf(out, "  %s", esc(st, DIM));
        fprintf(out,
                NG_("(%lu per-request line not shown; --json has it)",
                    "(%lu per-request lines not shown; --json has them)", r->nrecords),
                (unsigned long)r->nrecords);
        fprintf(out, "%s\n", esc(st, RESET));
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
        fprintf(out, "  #%-*lu ", iw, (unsigned long)rec->index);
        /* TRANSLATORS: one request's times; %*s are seconds with a sign ("+0.002"), aligned between lines */
        fprintf(out, _("sent %*ss  finished %*ss  took %*ss  "), tw, sent, tw, done, tw - 1, took);
        bool bad = rec->error != AD_ERR_NONE;
        if (rec->status != 0)
            fprintf(out, "%s%d%s", esc(st, bad ? RED : GREEN), rec->status, esc(st, RESET));
        else
            fprintf(out, "%s%s%s", esc(st, RED), ad_err_class_text(rec->error), esc(st, RESET));
        if (r->rate > 0 && rec->sent_ns - rec->intended_ns >= AD_NS_PER_MS) { /* open model: a late send */
            char late[32];
            ad_report_format_latency(rec->sent_ns - rec->intended_ns, late, sizeof(late));
            fprintf(out, "  %s", esc(st, RED));
            fprintf(out, _("%s late"), late);
            fputs(esc(st, RESET), out);
        }
        if (rec->server_seq >= 0)
            fprintf(out, _("  seq %lld"), (long long)rec->server_seq);
        if (rec->pid != 0)
            fprintf(out, _("  pid %ld"), (long)rec->pid);
        fputc('\n', out);
    }
    if (r->completed > r->nrecords) {
        fprintf(out, "  %s", esc(st, DIM));
        fprintf(out, NG_("(first %lu of %llu request shown)", "(first %lu of %llu requests shown)", r->completed),
                (unsigned long)r->nrecords, (unsigned long long)r->completed);
        fprintf(out, "%s\n", esc(st, RESET));
    }
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
    char total[32], rps[32], item[160];
    format_secs(r->elapsed_ns, total, sizeof(total));
    format_rate(ad_run_result_rps(r), rps, sizeof(rps));
    uint64_t errs = error_total(r);
    char part[128];
    flow_t f;
    /* "5 requests in 10.005s, 0.50 req/s, 5 ok, 0 errors, ...": parts wrap, each ends with its comma */
    flow_begin(&f, out, width_of(st), "", 2);
    snprintf(part, sizeof(part), NG_("%llu request in %ss", "%llu requests in %ss", r->completed),
             (unsigned long long)r->completed, total);
    snprintf(item, sizeof(item), "%s%s%s,", esc(st, BOLD), part, esc(st, RESET));
    flow_item_sep(&f, item, " ");
    snprintf(item, sizeof(item), _("%s req/s,"), rps);
    flow_item_sep(&f, item, " ");
    snprintf(item, sizeof(item), _("%llu ok,"), (unsigned long long)r->ok);
    flow_item_sep(&f, item, " ");
    bool more = r->sent > r->completed || r->bytes_received > 0;
    snprintf(part, sizeof(part), NG_("%llu error", "%llu errors", errs), (unsigned long long)errs);
    snprintf(item, sizeof(item), "%s%s%s%s", esc(st, errs > 0 ? RED : ""), part, more ? "," : "",
             esc(st, errs > 0 ? RESET : ""));
    flow_item_sep(&f, item, " ");
    if (r->sent > r->completed) {
        snprintf(part, sizeof(part), _("%llu unfinished"), (unsigned long long)(r->sent - r->completed));
        snprintf(item, sizeof(item), "%s%s", part, r->bytes_received > 0 ? "," : "");
        flow_item_sep(&f, item, " ");
    }
    if (r->bytes_received > 0) {
        char bytes[32];
        format_bytes(r->bytes_received, bytes, sizeof(bytes));
        snprintf(item, sizeof(item), _("%s received"), bytes);
        flow_item_sep(&f, item, " ");
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
        flow_item(&f, _("no answers"));
        flow_end(&f);
        return;
    }
    static const char *const names[] = {N_("min"), N_("mean"), N_("stdev"), N_("max")};
    int64_t vals[4] = {h->min, (int64_t)llround(ad_hist_mean(h)), (int64_t)llround(ad_hist_stdev(h)), h->max};
    for (size_t i = 0; i < 4; i++) {
        ad_report_format_latency(vals[i], v, sizeof(v));
        snprintf(item, sizeof(item), "%s %s", _(names[i]), v);
        flow_item(&f, item);
    }
    flow_end(&f);
    flow_begin(&f, out, width_of(st), "", 11 + 2);
    for (size_t i = 0; i < sizeof(percentiles) / sizeof(percentiles[0]); i++) {
        ad_report_format_latency(ad_hist_percentile(h, percentiles[i].p), v, sizeof(v));
        snprintf(item, sizeof(item), "%s %s", percentiles[i].label, v);
        flow_item(&f, item);
    }
    flow_end(&f);
}

void ad_report_latency(FILE *out, const ad_run_result_t *r, const ad_report_style_t *st)
{
    if (r->rate > 0) {
        /* open model: both, so coordinated omission shows instead of hiding in the raw figures */
        flow_t f;
        flow_begin(&f, out, width_of(st), head_text(_("latency")), 13);
        flow_item_sep(&f, _("corrected: from the intended send time,"), " ");
        flow_item_sep(&f, _("raw: from the actual send"), " ");
        flow_end(&f);
        latency_lines(out, head_text(_("corrected")), &r->latency, st);
        latency_lines(out, head_text(_("raw")), &r->latency_raw, st);
    } else {
        latency_lines(out, head_text(_("latency")), &r->latency, st);
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
    fprintf(out, "  %s\n", logscale ? _("latency chart (log-spaced rows)") : _("latency chart"));
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
    flow_begin(&f, out, width_of(st), head_text(_("statuses")), 13);
    bool any = false;
    for (size_t i = 0; i < AD_STATUS_SLOTS && r->statuses[i].count > 0; i++) {
        int s = r->statuses[i].status;
        bool good = s >= 200 && s <= 299;
        const char *c = esc(st, good ? GREEN : RED);
        snprintf(item, sizeof(item), "%d x%" PRIu64, s, r->statuses[i].count);
        char colored[128];
        snprintf(colored, sizeof(colored), "%s%s%s", c, item, *c ? RESET : "");
        flow_item(&f, colored);
        any = true;
    }
    if (r->statuses_other > 0) {
        snprintf(item, sizeof(item), _("other x%llu"), (unsigned long long)r->statuses_other);
        flow_item(&f, item);
        any = true;
    }
    if (!any)
        flow_item(&f, _("none (no answers)"));
    flow_end(&f);

    flow_begin(&f, out, width_of(st), head_text(_("errors")), 13);
    uint64_t total = error_total(r);
    if (total == 0) {
        flow_item(&f, _("none"));
        flow_end(&f);
        return;
    }
    for (int c = AD_ERR_CONNECT; c < AD_ERR_CLASS_COUNT; c++) {
        if (r->errors[c] == 0)
            continue;
        snprintf(item, sizeof(item), "%s x%" PRIu64, ad_err_class_text((ad_err_class_t)c), r->errors[c]);
        char colored[128];
        snprintf(colored, sizeof(colored), "%s%s%s", esc(st, RED), item, esc(st, RESET));
        flow_item(&f, colored);
    }
    flow_end(&f);
    if (r->first_error[0] != '\0') {
        char text[sizeof(r->first_error) * AD_ESCAPE_UNIT_MAX];
        ad_escape_cstr(r->first_error, text, sizeof(text)); /* a library's or the server's words */
        fprintf(out, _("  first error: %s\n"), text);
    }
}

/* One sparkline row: label (padded to lw cells), the marks (at most the width left), and the range of the values. */
static void series_row(FILE *out, const char *label, int lw, const double *v, size_t n, const char *lo, const char *hi,
                       const ad_report_style_t *st)
{
    char marks[AD_SERIES_POINTS * 4 + 1];
    /* the marks after a 13 + lw + 1 column label (21 in English) and before the range; a narrow terminal
     * still gets 10 */
    int w = st->width - 40 - (lw - 7);
    size_t room = w > 10 ? (size_t)w : 10, from = n > room ? n - room : 0;
    ad_sparkline(v + from, n - from, st->ascii, marks, sizeof(marks));
    fprintf(out, "%13s", "");
    ad_fput_cells(out, label, -lw);
    fprintf(out, " %s%s  ", from > 0 ? "<" : "", marks);
    /* TRANSLATORS: the range of a sparkline's values: "12 to 480", "1.2ms to 35.0ms" */
    fprintf(out, _("%s to %s"), lo, hi);
    fputc('\n', out);
}

void ad_report_series(FILE *out, const ad_run_result_t *r, const ad_report_style_t *st)
{
    const ad_series_t *s = &r->series;
    if (s->interval_ns <= 0 || s->npoints < 2)
        return;
    double rps[AD_SERIES_POINTS], p99[AD_SERIES_POINTS], errs[AD_SERIES_POINTS], late[AD_SERIES_POINTS];
    double rmin = INFINITY, rmax = 0, pmin = INFINITY, pmax = 0, emax = 0, lmax = 0;
    for (uint32_t i = 0; i < s->npoints; i++) {
        const ad_series_point_t *p = &s->points[i];
        rps[i] = (double)p->completed * 1e9 / (double)s->interval_ns;
        p99[i] = (double)ad_series_percentile(p, 99);
        errs[i] = (double)(p->completed - p->ok);
        late[i] = (double)p->late_max_ns;
        /* the last interval is cut short by the end of the run: left out of the ranges */
        if (i + 1 < s->npoints) {
            rmin = fmin(rmin, rps[i]);
            rmax = fmax(rmax, rps[i]);
        }
        if (ad_series_answered(p) > 0) {
            pmin = fmin(pmin, p99[i]);
            pmax = fmax(pmax, p99[i]);
        }
        emax = fmax(emax, errs[i]);
        lmax = fmax(lmax, late[i]);
    }
    /* TRANSLATORS: the sparklines' labels (requests per second, the 99th percentile, failed requests, how
     * late the open model's sends were): padded to the widest of them */
    const char *l_rps = _("req/s"), *l_p99 = _("p99"), *l_errors = _("errors"), *l_late = _("late");
    bool show_p99 = isfinite(pmin), show_late = lmax > 0 && r->rate > 0;
    int lw = 7;
    const char *labels[] = {l_rps, show_p99 ? l_p99 : "", emax > 0 ? l_errors : "", show_late ? l_late : ""};
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        lw = ad_text_cells(labels[i]) > lw ? ad_text_cells(labels[i]) : lw;
    char iv[32], per[64], a[32], b[32];
    ad_duration_format(s->interval_ns, iv, sizeof(iv));
    flow_t f;
    flow_begin(&f, out, width_of(st), head_text(_("over time")), 13);
    /* TRANSLATORS: the sparklines' interval: "per 1s" */
    snprintf(per, sizeof(per), _("per %s"), iv);
    flow_item(&f, per);
    flow_end(&f);
    snprintf(a, sizeof(a), "%.0f", isfinite(rmin) ? rmin : 0);
    snprintf(b, sizeof(b), "%.0f", rmax);
    series_row(out, l_rps, lw, rps, s->npoints, a, b, st);
    if (show_p99) {
        ad_report_format_latency((int64_t)pmin, a, sizeof(a));
        ad_report_format_latency((int64_t)pmax, b, sizeof(b));
        series_row(out, l_p99, lw, p99, s->npoints, a, b, st);
    }
    if (emax > 0) {
        snprintf(b, sizeof(b), "%.0f", emax);
        series_row(out, l_errors, lw, errs, s->npoints, "0", b, st);
    }
    if (show_late) {
        ad_report_format_latency((int64_t)lmax, b, sizeof(b));
        series_row(out, l_late, lw, late, s->npoints, "0", b, st);
    }
}

void ad_report_run(FILE *out, const ad_run_result_t *r, const ad_report_style_t *st)
{
    fprintf(out, "%s%s%s  %s  (", esc(st, BOLD), r->name, esc(st, RESET), r->url);
    fprintf(out, _("concurrency %u"), r->concurrency);
    if (r->rate > 0)
        fprintf(out, r->ramped ? _(", rate %g/s on average, ramped in stages") : _(", rate %g/s"), r->rate);
    if (r->engine[0] != '\0')
        fprintf(out, _(", engine %s"), r->engine);
    if (r->loops > 0)
        fprintf(out, NG_(", %u loop", ", %u loops", r->loops), r->loops);
    if (r->streams > 0)
        fprintf(out, NG_(", HTTP/2 %u stream per connection", ", HTTP/2 %u streams per connection", r->streams),
                r->streams);
    if (r->protocol[0] != '\0')
        fprintf(out, _(", protocol %s"), r->protocol);
    if (r->connections > 0)
        fprintf(out, NG_(", %llu connection opened", ", %llu connections opened", r->connections),
                (unsigned long long)r->connections);
    fputs(")\n", out);
    if (r->interrupted)
        fprintf(out, "  %s%s%s\n", esc(st, RED), _("interrupted: requests still in flight were abandoned"),
                esc(st, RESET));
    ad_report_requests(out, r, st);
    ad_report_totals(out, r, st);
    ad_report_latency(out, r, st);
    ad_report_chart(out, &r->latency, st);
    ad_report_series(out, r, st);
    ad_report_statuses(out, r, st);
}

void ad_report_interrupted(FILE *out, const ad_report_style_t *st)
{
    fprintf(out, "%s%s%s\n", esc(st, RED),
            _("Interrupted (SIGINT/SIGTERM): this report covers only the requests that finished before."),
            esc(st, RESET));
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
    if (c->ratio < 1.05) {
        fprintf(out, _("%s took about as long as %s (%.2fx)"), slow, fast, c->ratio);
    } else {
        fputs(esc(st, BOLD), out);
        /* TRANSLATORS: the lesson's "Blocking is 4.86 times slower" */
        fprintf(out, _("%s was %.2fx slower than %s"), slow, c->ratio, fast);
        fputs(esc(st, RESET), out);
    }
    fputc('\n', out);
}

void ad_report_ratios(FILE *out, const ad_run_result_t *const *runs, size_t n, const ad_report_style_t *st)
{
    ad_comparison_t cmp[16];
    size_t k = ad_report_comparisons(runs, n, cmp, sizeof(cmp) / sizeof(cmp[0]));
    for (size_t i = 0; i < k; i++)
        ad_report_ratio_line(out, runs, &cmp[i], st);
    for (size_t i = 0; n > 1 && i < n; i++)
        if (runs[i]->ok == 0)
            fprintf(out, _("%s is not compared: %s\n"), runs[i]->name,
                    runs[i]->completed == 0 ? _("no request finished")
                                            : _("no request succeeded (see its errors above)"));
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
    /* "total" is the time here, a count in the stats view: two words in Ukrainian */
    const char *h_mode = _("mode"), *h_total = C_("total time", "total"), *h_ok = _("ok");
    int nw = ad_text_cells(h_mode), tw = ad_text_cells(h_total), ow = ad_text_cells(h_ok);
    char total[MAX][32], ok[MAX][48];
    for (size_t i = 0; i < n; i++) {
        int l = ad_text_cells(sorted[i]->name);
        nw = l > nw ? l : nw;
        snprintf(total[i], sizeof(total[i]), "%.3fs", (double)sorted[i]->elapsed_ns / 1e9);
        l = (int)strlen(total[i]);
        tw = l > tw ? l : tw;
        snprintf(ok[i], sizeof(ok[i]), "%" PRIu64 "/%" PRIu64, sorted[i]->ok, sorted[i]->completed);
        l = (int)strlen(ok[i]);
        ow = l > ow ? l : ow;
    }
    double best = ad_run_time_per_request(sorted[0]);
    fprintf(out, "%s  #  ", esc(st, BOLD));
    ad_fput_cells(out, h_mode, -nw);
    fputs("  ", out);
    ad_fput_cells(out, h_total, tw);
    fputs("  ", out);
    ad_fput_cells(out, h_ok, ow);
    fprintf(out, "  %s%s\n", _("vs fastest"), esc(st, RESET));
    for (size_t i = 0; i < n; i++) {
        double t = ad_run_time_per_request(sorted[i]);
        fprintf(out, "  %zu  ", i + 1);
        ad_fput_cells(out, sorted[i]->name, -nw);
        fprintf(out, "  %*s  %*s  ", tw, total[i], ow, ok[i]);
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
    fprintf(out, "\n%s%s%s\n", esc(st, BOLD), _("What this shows"), esc(st, RESET));
    fprintf(out,
            NG_("  For I/O, wait on the loop: %llu request to /non-blocking took %ss in all, as it\n"
                "  waited on a timer while the loop stayed free.\n",
                "  For I/O, wait on the loop: %llu requests to /non-blocking took %ss in all, as they\n"
                "  waited side by side on timers while the loop stayed free.\n",
                nb->completed),
            (unsigned long long)nb->completed, total);
    if (bl != NULL) {
        format_secs(bl->elapsed_ns, total, sizeof(total));
        if (bl->ok == 0) {
            fputs(_("  Never sleep on it: /blocking had no successful answer here, so it proves nothing.\n"), out);
        } else {
            double ratio = ad_run_time_per_request(bl) / tnb;
            if (ratio >= LESSON_SLOWER)
                fprintf(out,
                        _("  Never sleep on it: /blocking took %ss, %.2fx as long, because each sleep held the\n"
                          "  loop and the other requests waited their turn.\n"),
                        total, ratio);
            else
                fprintf(out,
                        _("  Never sleep on it: /blocking took %ss, only %.2fx as long here, because its requests\n"
                          "  were spread over several loops - and each loop still served its own one by one.\n"),
                        total, ratio);
        }
    }
    if (off != NULL) {
        format_secs(off->elapsed_ns, total, sizeof(total));
        if (off->ok == 0) {
            fputs(_("  Move blocking work to a pool: /offload had no successful answer here, so it proves nothing.\n"),
                  out);
        } else {
            double ratio = ad_run_time_per_request(off) / tnb;
            if (ratio < LESSON_SLOWER)
                fprintf(out,
                        _("  Move blocking work to a pool: /offload took %ss (%.2fx /non-blocking): the sleeps\n"
                          "  ran on worker threads and the loop stayed free.\n"),
                        total, ratio);
            else
                fprintf(out,
                        _("  Move blocking work to a pool: /offload took %ss (%.2fx /non-blocking): the loop\n"
                          "  stayed free, but more sleeps came than the pool has workers, and some waited.\n"),
                        total, ratio);
        }
    }
}
