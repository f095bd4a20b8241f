/* The self-contained HTML report (html_report.h). */
#include "html_report.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "i18n.h"
#include "json_writer.h"
#include "report.h"
#include "timeline.h"

#define CHART_W 640
#define CHART_H 150
#define PAD_L 64 /* room for the y labels */
#define PAD_B 22 /* room for the x labels */
#define HIST_BARS 40

static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;color:#222;max-width:980px;margin:1.5em auto;padding:0 1em}"
    "h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.6em 0 .3em;border-bottom:1px solid #ccc}"
    "h3{font-size:1em;margin:1em 0 .2em}.sub{color:#555;margin:0}"
    "table{border-collapse:collapse;margin:.5em 0}th,td{padding:.15em .6em;text-align:right;"
    "border-bottom:1px solid #e4e4e4}th:first-child,td:first-child{text-align:left}"
    "td.url{text-align:left;color:#555;font-size:.9em}.bad{color:#b00020;font-weight:600}.good{color:#1b6e20}"
    "svg{display:block;margin:.3em 0 .8em;max-width:100%;height:auto}svg text{font:11px system-ui,sans-serif;"
    "fill:#444}.axis{stroke:#999;stroke-width:1}.bar{fill:#3b73b9}.err{fill:#c0392b}.line{fill:none;"
    "stroke:#3b73b9;stroke-width:1.6}.line2{fill:none;stroke:#d35400;stroke-width:1.6}"
    "pre{font:12px/1.25 ui-monospace,monospace;background:#f7f7f7;padding:.6em;overflow-x:auto}"
    "@media print{body{max-width:none;margin:0}h2{break-after:avoid}svg,pre,table{break-inside:avoid}}";

static void esc(FILE *out, const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&#39;", out);
            break;
        default:
            /* control characters from a server's words are not the page's */
            if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
                fputc('?', out);
            else
                fputc(*s, out);
        }
    }
}

static const char *lat(int64_t ns, char *buf, size_t size)
{
    ad_report_format_latency(ns, buf, size);
    return buf;
}

static void svg_open(FILE *out, const char *label)
{
    fprintf(out, "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"", CHART_W + PAD_L,
            CHART_H + PAD_B, CHART_W + PAD_L, CHART_H + PAD_B);
    esc(out, label);
    fprintf(out,
            "\"><line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
            "<line class=\"axis\" x1=\"%d\" y1=\"0\" x2=\"%d\" y2=\"%d\"/>\n",
            PAD_L, CHART_H, PAD_L + CHART_W, CHART_H, PAD_L, PAD_L, CHART_H);
}

/* <tag>text</tag> and a newline, text escaped. */
static void h_tag(FILE *out, const char *tag, const char *text)
{
    fprintf(out, "<%s>", tag);
    esc(out, text);
    fprintf(out, "</%s>\n", tag);
}

static void text_at(FILE *out, double x, double y, const char *anchor, const char *s)
{
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, y, anchor);
    esc(out, s);
    fputs("</text>", out);
}

/* The latency histogram: HIST_BARS bars from min to max. */
static void svg_histogram(FILE *out, const ad_histogram_t *h)
{
    if (h->count == 0)
        return;
    int64_t bounds[HIST_BARS];
    uint64_t le[HIST_BARS], prev = 0, top = 1;
    double span = (double)(h->max - h->min);
    for (int i = 0; i < HIST_BARS; i++)
        bounds[i] = h->min + (int64_t)(span * (i + 1) / HIST_BARS);
    bounds[HIST_BARS - 1] = h->max;
    const ad_histogram_t *hs[] = {h};
    ad_hist_count_le(hs, 1, bounds, HIST_BARS, le);
    for (int i = 0; i < HIST_BARS; i++) {
        uint64_t c = le[i] - prev;
        prev = le[i];
        top = c > top ? c : top;
    }
    svg_open(out, _("latency histogram"));
    prev = 0;
    double w = (double)CHART_W / HIST_BARS;
    for (int i = 0; i < HIST_BARS; i++) {
        uint64_t c = le[i] - prev;
        prev = le[i];
        double bh = (double)c / (double)top * (CHART_H - 8);
        if (c > 0)
            fprintf(out,
                    "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%" PRIu64
                    "</title></rect>",
                    PAD_L + i * w + 1, CHART_H - bh, w - 2, bh, c);
    }
    char a[32], b[32], c[32];
    snprintf(c, sizeof(c), "%" PRIu64, top);
    text_at(out, PAD_L - 4, 12, "end", c);
    text_at(out, PAD_L - 4, CHART_H, "end", "0");
    text_at(out, PAD_L, CHART_H + 16, "start", lat(h->min, a, sizeof(a)));
    text_at(out, PAD_L + CHART_W, CHART_H + 16, "end", lat(h->max, b, sizeof(b)));
    text_at(out, PAD_L + CHART_W / 2.0, CHART_H + 16, "middle", _("latency (requests per bar)"));
    fputs("</svg>\n", out);
}

/* The percentile curve: x from p0 to p99.999 on a log scale of 1 / (1 - p), y the latency. */
static void svg_percentiles(FILE *out, const ad_histogram_t *h)
{
    if (h->count == 0 || h->max <= 0)
        return;
    enum { STEPS = 50 }; /* 10 per factor of 10 of 1 / (1 - p): p0 .. p99.999 */
    double ps[STEPS + 1];
    int64_t vs[STEPS + 1];
    for (int k = 0; k <= STEPS; k++)
        ps[k] = 100 * (1 - pow(10, -k / 10.0));
    const ad_histogram_t *hs[] = {h};
    ad_hist_percentiles(hs, 1, ps, STEPS + 1, vs);
    svg_open(out, _("latency by percentile"));
    fputs("<polyline class=\"line\" points=\"", out);
    for (int k = 0; k <= STEPS; k++)
        fprintf(out, "%.1f,%.1f ", PAD_L + (double)k / STEPS * CHART_W,
                CHART_H - (double)vs[k] / (double)h->max * (CHART_H - 8));
    fputs("\"/>", out);
    static const struct {
        int k;
        const char *label;
    } ticks[] = {{0, "p0"}, {3, "p50"}, {10, "p90"}, {20, "p99"}, {30, "p99.9"}, {40, "p99.99"}, {50, "p99.999"}};
    for (size_t i = 0; i < sizeof(ticks) / sizeof(ticks[0]); i++)
        text_at(out, PAD_L + (double)ticks[i].k / STEPS * CHART_W, CHART_H + 16,
                i == 0                                      ? "start"
                : i + 1 == sizeof(ticks) / sizeof(ticks[0]) ? "end"
                                                            : "middle",
                ticks[i].label);
    char a[32];
    text_at(out, PAD_L - 4, 12, "end", lat(h->max, a, sizeof(a)));
    text_at(out, PAD_L - 4, CHART_H, "end", "0");
    fputs("</svg>\n", out);
}

/* The figures over time: requests per second (bars, errors red on top) and p99 (a line, its own scale). */
static void svg_series(FILE *out, const ad_series_t *s)
{
    if (s->interval_ns <= 0 || s->npoints == 0)
        return;
    double top_rps = 1, top_p99 = 1, iv = (double)s->interval_ns / 1e9;
    for (uint32_t i = 0; i < s->npoints; i++) {
        top_rps = fmax(top_rps, s->points[i].completed / iv);
        top_p99 = fmax(top_p99, (double)ad_series_percentile(&s->points[i], 99));
    }
    svg_open(out, _("requests per second and p99 over time"));
    double w = (double)CHART_W / s->npoints;
    for (uint32_t i = 0; i < s->npoints; i++) {
        const ad_series_point_t *p = &s->points[i];
        double all = p->completed / iv / top_rps * (CHART_H - 20),
               bad = (p->completed - p->ok) / iv / top_rps * (CHART_H - 20);
        if (p->completed > 0)
            fprintf(out, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", PAD_L + i * w,
                    CHART_H - all, w > 2 ? w - 1 : w, all - bad);
        if (bad > 0)
            fprintf(out, "<rect class=\"err\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", PAD_L + i * w,
                    CHART_H - bad, w > 2 ? w - 1 : w, bad);
    }
    fputs("<polyline class=\"line2\" points=\"", out);
    for (uint32_t i = 0; i < s->npoints; i++)
        if (ad_series_answered(&s->points[i]) > 0)
            fprintf(out, "%.1f,%.1f ", PAD_L + (i + 0.5) * w,
                    CHART_H - (double)ad_series_percentile(&s->points[i], 99) / top_p99 * (CHART_H - 20));
    fputs("\"/>", out);
    char a[96], b[96];
    snprintf(a, sizeof(a), _("%.0f req/s"), top_rps);
    text_at(out, PAD_L - 4, 12, "end", a);
    char v[32];
    snprintf(b, sizeof(b), "p99 %s", lat((int64_t)top_p99, v, sizeof(v)));
    fprintf(out, "<text x=\"%d\" y=\"12\" text-anchor=\"end\" style=\"fill:#d35400\">", PAD_L + CHART_W);
    esc(out, b);
    fputs("</text>", out);
    text_at(out, PAD_L, CHART_H + 16, "start", "0s");
    ad_duration_format((int64_t)s->npoints * s->interval_ns, a, sizeof(a));
    text_at(out, PAD_L + CHART_W, CHART_H + 16, "end", a);
    ad_duration_format(s->interval_ns, v, sizeof(v));
    snprintf(a, sizeof(a), _("per %s: requests (errors red), p99 (line)"), v);
    text_at(out, PAD_L + CHART_W / 2.0, CHART_H + 16, "middle", a);
    fputs("</svg>\n", out);
}

static void summary_table(FILE *out, const ad_html_report_t *h)
{
    /* TRANSLATORS: the HTML report's summary table's headings */
    const char *heads[] = {
        C_("table", "run"), C_("table", "requests"), _("ok"), _("errors"), _("req/s"), "p50", "p90", "p99", _("max")};
    fputs("<table><tr>", out);
    for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
        fputs("<th>", out);
        esc(out, heads[i]);
        fputs("</th>", out);
    }
    fputs("</tr>\n", out);
    for (size_t i = 0; i < h->nruns; i++) {
        const ad_run_result_t *r = h->runs[i];
        char a[32], b[32], c[32], d[32];
        uint64_t errs = r->completed - r->ok;
        fputs("<tr><td>", out);
        esc(out, r->name);
        fprintf(out,
                "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td%s>%" PRIu64 "</td><td>%.1f</td><td>%s</td><td>%s</td>"
                "<td>%s</td><td>%s</td></tr>\n",
                r->completed, r->ok, errs > 0 ? " class=\"bad\"" : "", errs, ad_run_result_rps(r),
                lat(ad_hist_percentile(&r->latency, 50), a, sizeof(a)),
                lat(ad_hist_percentile(&r->latency, 90), b, sizeof(b)),
                lat(ad_hist_percentile(&r->latency, 99), c, sizeof(c)), lat(r->latency.max, d, sizeof(d)));
    }
    fputs("</table>\n", out);
}

static void run_section(FILE *out, const ad_run_result_t *r)
{
    fputs("<h2>", out);
    esc(out, r->name);
    fputs("</h2>\n<p class=\"sub\">", out);
    esc(out, r->url);
    char item[256];
    snprintf(item, sizeof(item), _("concurrency %u"), r->concurrency);
    fputs(" &middot; ", out);
    esc(out, item);
    if (r->rate > 0) {
        snprintf(item, sizeof(item), _("rate %g/s (latency from the intended send time)"), r->rate);
        fputs(" &middot; ", out);
        esc(out, item);
    }
    if (r->engine[0] != '\0') {
        snprintf(item, sizeof(item), _("engine %s"), r->engine);
        fputs(" &middot; ", out);
        esc(out, item);
    }
    if (r->protocol[0] != '\0') {
        snprintf(item, sizeof(item), _("protocol %s"), r->protocol);
        fputs(" &middot; ", out);
        esc(out, item);
    }
    fputs("</p>\n", out);
    if (r->first_error[0] != '\0') {
        fputs("<p class=\"bad\">", out);
        snprintf(item, sizeof(item), _("first error: %s"), r->first_error);
        esc(out, item);
        fputs("</p>\n", out);
    }
    h_tag(out, "h3", _("Latency histogram"));
    svg_histogram(out, &r->latency);
    h_tag(out, "h3", _("Latency by percentile"));
    svg_percentiles(out, &r->latency);
    if (r->series.interval_ns > 0 && r->series.npoints > 0) {
        h_tag(out, "h3", _("Over time"));
        svg_series(out, &r->series);
    }
}

static void timeline(FILE *out, const ad_html_report_t *h)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (mem == NULL)
        return;
    ad_timeline_style_t ts;
    ad_timeline_style_default(&ts);
    ts.width = 110;
    ad_timeline_render(mem, h->runs, h->nruns, &ts);
    if (fclose(mem) == 0 && text != NULL && len > 0) {
        h_tag(out, "h2", _("Timeline: who waited for whom"));
        fputs("<pre>", out);
        esc(out, text);
        fputs("</pre>\n", out);
    }
    free(text);
}

static void thresholds(FILE *out, const ad_html_report_t *h)
{
    if (h->nthresholds == 0)
        return;
    h_tag(out, "h2", _("Thresholds (--fail-if)"));
    fputs("<table>\n", out);
    for (size_t i = 0; i < h->nthresholds; i++) {
        char line[1024];
        ad_threshold_format_result(&h->thresholds[i], line, sizeof(line));
        fprintf(out, "<tr><td class=\"%s\">", h->thresholds[i].broken ? "bad" : "good");
        esc(out, line);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

int ad_html_report_write(FILE *out, const ad_html_report_t *h)
{
    char when[40];
    ad_format_utc(h->started_wall_ns, 0, when, sizeof(when));
    /* TRANSLATORS: the HTML report's language, its <html lang>: this catalogue's language code ("uk") */
    fprintf(out, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">\n", C_("html lang", "en"));
    fputs("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
          "img-src data:\">\n<meta name=\"viewport\" content=\"width=device-width, "
          "initial-scale=1\">\n<title>asyncdemoctl ",
          out);
    esc(out, h->command);
    fprintf(out, " %s</title>\n<style>%s</style></head><body>\n<h1>asyncdemoctl ", when, css);
    esc(out, h->command);
    fputs("</h1>\n<p class=\"sub\">", out);
    esc(out, when);
    if (h->heading != NULL) {
        fputs(" &middot; ", out);
        esc(out, h->heading);
    }
    fputs("</p>\n", out);
    summary_table(out, h);
    thresholds(out, h);
    for (size_t i = 0; i < h->nruns; i++)
        run_section(out, h->runs[i]);
    timeline(out, h);
    fputs("</body></html>\n", out);
    if (fflush(out) != 0 || ferror(out)) {
        if (errno == 0)
            errno = EIO;
        return -1;
    }
    return 0;
}
