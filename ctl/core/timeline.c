/* The timeline renderer: request bars on one shared time axis. Pure: writes into a FILE *. */
#include "timeline.h"
#include "report.h"
#include "i18n.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIN_AREA 10
#define AREA_MAX 1000
#define RED "\033[31m"
#define DIM "\033[2m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

/* What a cell shows; a stronger kind overwrites a weaker one. */
typedef enum { CELL_EMPTY = 0, CELL_WAIT, CELL_FAIL, CELL_SOLID } cell_kind_t;

typedef struct cell {
    cell_kind_t kind;
    uint8_t eighths; /* CELL_SOLID: 8 full, 1-7 a left-anchored part, 9 = right half (a bar starting mid-cell) */
} cell_t;

void ad_timeline_style_default(ad_timeline_style_t *st)
{
    memset(st, 0, sizeof(*st));
    st->width = 80;
    st->max_rows = 20;
}

static int digits_u32(uint32_t v)
{
    int d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

static uint32_t rows_of(const ad_run_result_t *r, const ad_timeline_style_t *st)
{
    return st->max_rows > 0 && r->nrecords > st->max_rows ? st->max_rows : r->nrecords;
}

/* What a row ends with: the time the request took, or its error class. */
static void row_suffix(const ad_request_record_t *rec, char *buf, size_t size)
{
    if (rec->error == AD_ERR_NONE || rec->error == AD_ERR_STATUS)
        snprintf(buf, size, "%.3fs", (double)(rec->done_ns - rec->sent_ns) / 1e9);
    else
        snprintf(buf, size, "%s", ad_err_class_text(rec->error));
    if (rec->error == AD_ERR_STATUS) {
        size_t n = strlen(buf);
        snprintf(buf + n, size - n, " %d", rec->status);
    }
}

static void put_cell(cell_t *cells, int c, cell_kind_t kind, uint8_t eighths)
{
    if (kind > cells[c].kind || (kind == cells[c].kind && eighths > cells[c].eighths))
        cells[c] = (cell_t){kind, eighths};
}

/* Marks [a, b) ns on cells[0..area) at `scale` cells per ns; coarse: whole cells only. */
static void mark(cell_t *cells, int area, double scale, int64_t a, int64_t b, cell_kind_t kind, bool coarse)
{
    if (b < a)
        b = a;
    double x0 = (double)a * scale, x1 = (double)b * scale;
    int c0 = (int)floor(x0), c1 = (int)ceil(x1);
    if (c1 <= c0)
        c1 = c0 + 1;
    if (coarse) {
        /* cells at least half covered, and always one */
        bool any = false;
        for (int c = c0; c < c1 && c < area; c++) {
            double cov = fmin(x1, c + 1) - fmax(x0, c);
            if (cov >= 0.5) {
                put_cell(cells, c, kind, 8);
                any = true;
            }
        }
        /* a bar is never invisible; a short wait may be (it is not the request) */
        if (!any && kind != CELL_WAIT && c0 < area)
            put_cell(cells, c0 < 0 ? 0 : c0, kind, 8);
        return;
    }
    if (c1 - c0 == 1) { /* the whole bar within one cell: at least an eighth, left-anchored */
        long e = lround((x1 - x0) * 8);
        if (c0 < area)
            put_cell(cells, c0, kind, (uint8_t)(e < 1 ? 1 : e > 8 ? 8 : e));
        return;
    }
    for (int c = c0; c < c1 && c < area; c++) {
        double cov = fmin(x1, c + 1) - fmax(x0, c);
        long e = lround(cov * 8);
        if (e >= 8)
            put_cell(cells, c, kind, 8);
        else if (c == c0 && e >= 3) /* starts mid-cell: a right half when it covers enough of it */
            put_cell(cells, c, kind, 9);
        else if (c != c0 && e > 0)
            put_cell(cells, c, kind, (uint8_t)e);
    }
}

static const char *cell_glyph(cell_t c, bool ascii)
{
    static const char *const part[9] = {" ",      "\u258f", "\u258e", "\u258d", "\u258c",
                                        "\u258b", "\u258a", "\u2589", "\u2588"};
    switch (c.kind) {
    case CELL_EMPTY:
        return " ";
    case CELL_WAIT:
        return ascii ? "." : "\u2591";
    case CELL_FAIL:
        return ascii ? "x" : "\u2592";
    case CELL_SOLID:
        if (ascii)
            return "#";
        return c.eighths == 9 ? "\u2590" : part[c.eighths > 8 ? 8 : c.eighths];
    }
    return " ";
}

static void draw_row(FILE *out, const ad_run_result_t *r, const ad_request_record_t *rec, int area, double scale,
                     const ad_timeline_style_t *st)
{
    cell_t cells[AREA_MAX];
    memset(cells, 0, sizeof(cells[0]) * (size_t)area);
    bool failed = rec->error != AD_ERR_NONE && rec->error != AD_ERR_STATUS;
    int64_t sent = rec->sent_ns < 0 ? 0 : rec->sent_ns, done = rec->done_ns < sent ? sent : rec->done_ns;
    if (r->rate > 0 && rec->intended_ns < sent) /* open model: late sends shown as waiting */
        mark(cells, area, scale, rec->intended_ns < 0 ? 0 : rec->intended_ns, sent, CELL_WAIT, true);
    if (failed) {
        mark(cells, area, scale, sent, done, CELL_FAIL, true);
    } else {
        int64_t served = sent;
        if (rec->server_wait_ns > 0 && done - rec->server_wait_ns > sent)
            served = done - rec->server_wait_ns; /* queued until here, then served */
        if (served > sent)
            mark(cells, area, scale, sent, served, CELL_WAIT, true);
        mark(cells, area, scale, served, done, CELL_SOLID, st->ascii);
    }
    fputc('|', out);
    /* colour only where it says something: failures red, waiting dim; served bars plain */
    const char *cur = "";
    for (int c = 0; c < area; c++) {
        const char *want = !st->color ? "" : cells[c].kind == CELL_FAIL ? RED : cells[c].kind == CELL_WAIT ? DIM : "";
        if (want != cur) {
            if (*cur != '\0')
                fputs(RESET, out);
            fputs(want, out);
            cur = want;
        }
        fputs(cell_glyph(cells[c], st->ascii), out);
    }
    if (*cur != '\0')
        fputs(RESET, out);
    fputc('|', out);
}

/* Tick labels: "0s", "2.5s", "500ms", "20us"; trailing zeros dropped. */
static void format_tick(int64_t ns, char *buf, size_t size)
{
    static const struct {
        int64_t unit;
        const char *name;
    } units[] = {{1000000000, "s"}, {1000000, "ms"}, {1000, "us"}, {1, "ns"}};
    size_t u = 0;
    while (u + 1 < sizeof(units) / sizeof(units[0]) && ns < units[u].unit && ns != 0)
        u++;
    int n = snprintf(buf, size, "%.3f", (double)ns / (double)units[u].unit);
    while (n > 0 && buf[n - 1] == '0')
        buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.')
        buf[--n] = '\0';
    snprintf(buf + n, size - (size_t)n, "%s", units[u].name);
}

/* The smallest 1-2-2.5-5 x 10^k step whose ticks are at least min_cols columns apart. */
static int64_t tick_step(int64_t total_ns, int area, int min_cols)
{
    static const int64_t tenths[] = {10, 20, 25, 50};
    for (int64_t p = 1; p <= INT64_MAX / 100; p *= 10)
        for (size_t i = 0; i < sizeof(tenths) / sizeof(tenths[0]); i++) {
            if (p * tenths[i] % 10 != 0)
                continue;
            int64_t step = p * tenths[i] / 10;
            if ((double)step * area / (double)total_ns >= min_cols)
                return step;
        }
    return total_ns;
}

/* The axis under the rows; labels may run into the suffix column (room: tail columns). */
static void draw_axis(FILE *out, int lead, int area, int tail, int64_t total_ns)
{
    char line[AREA_MAX + 3], labels[AREA_MAX + 64];
    int64_t step = tick_step(total_ns, area, 10);
    memset(line, '-', (size_t)area + 2);
    line[0] = '+';
    line[area + 1] = '+';
    line[area + 2] = '\0';
    memset(labels, ' ', sizeof(labels));
    int end = 0; /* first free column of labels */
    for (int64_t t = 0; t <= total_ns; t += step) {
        /* 0 on the left border, total_ns on the right one */
        int col = (int)llround((double)t * (area + 1) / (double)total_ns);
        if (col > area + 1)
            break;
        line[col] = '+';
        char tick[32];
        format_tick(t, tick, sizeof(tick));
        int len = (int)strlen(tick);
        if (col >= end && col + len <= area + 2 + tail) {
            memcpy(labels + col, tick, (size_t)len);
            end = col + len + 1;
        }
        if (step >= total_ns)
            break;
    }
    int lastcol = end > 0 ? end - 1 : 0;
    fprintf(out, "%*s%s\n", lead, "", line);
    fprintf(out, "%*s%.*s\n", lead, "", lastcol, labels);
}

void ad_timeline_render(FILE *out, const ad_run_result_t *const *runs, size_t n, const ad_timeline_style_t *st)
{
    int64_t total = 0;
    uint32_t max_index = 0;
    int suffix_w = 0;
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        for (uint32_t k = 0; k < rows_of(runs[i], st); k++) {
            const ad_request_record_t *rec = &runs[i]->records[k];
            char sfx[48];
            total = rec->done_ns > total ? rec->done_ns : total;
            max_index = rec->index > max_index ? rec->index : max_index;
            row_suffix(rec, sfx, sizeof(sfx));
            suffix_w = ad_text_cells(sfx) > suffix_w ? ad_text_cells(sfx) : suffix_w;
            shown++;
        }
    }
    if (shown == 0)
        return;
    if (total <= 0)
        total = 1;
    /* "  #12 |bars...| 2.003s" */
    int lead = 2 + 1 + digits_u32(max_index) + 1;
    int area = st->width - lead - 2 - 1 - suffix_w;
    area = area < MIN_AREA ? MIN_AREA : area > AREA_MAX ? AREA_MAX : area;
    double scale = (double)area / (double)total;

    char col_time[32];
    format_tick((int64_t)llround((double)total / area), col_time, sizeof(col_time));
    fprintf(out, "%s%s%s ", st->color ? BOLD : "", _("timeline"), st->color ? RESET : "");
    fprintf(out, _("(1 column = %s)"), col_time);
    fputc('\n', out);
    fprintf(out, "  %s %s  %s %s  %s %s\n", st->ascii ? "." : "\u2591", _("queued"), st->ascii ? "#" : "\u2588",
            _("served"), st->ascii ? "x" : "\u2592", _("failed"));
    for (size_t i = 0; i < n; i++) {
        const ad_run_result_t *r = runs[i];
        uint32_t rows = rows_of(r, st);
        if (rows == 0)
            continue;
        fprintf(out, "%s%s%s\n", st->color ? BOLD : "", r->name, st->color ? RESET : "");
        for (uint32_t k = 0; k < rows; k++) {
            const ad_request_record_t *rec = &r->records[k];
            char sfx[48];
            row_suffix(rec, sfx, sizeof(sfx));
            fprintf(out, "  #%-*" PRIu32 " ", lead - 4, rec->index);
            draw_row(out, r, rec, area, scale, st);
            fprintf(out, " %s\n", sfx);
        }
        if (r->nrecords > rows || r->completed > r->nrecords) {
            uint64_t more = (r->completed > r->nrecords ? r->completed : r->nrecords) - rows;
            fputs("  ... ", out);
            fprintf(out, NG_("%llu more request not shown", "%llu more requests not shown", more),
                    (unsigned long long)more);
            fputc('\n', out);
        }
    }
    draw_axis(out, lead, area, 1 + suffix_w, total);
}
