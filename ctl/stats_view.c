/* The daemon's /stats document as a terminal view: checked against a table of fields, then drawn. */
#include "stats_view.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "clock.h"
#include "digits.h"
#include "options.h"
#include "report.h"
#include "text_escape.h"

#define MIN_WIDTH 40
#define BOLD "\033[1m"
#define RED "\033[31m"
#define YELLOW "\033[33m"
#define RESET "\033[0m"

typedef enum { K_NUM, K_COUNT, K_STR, K_STR_OR_NULL, K_OBJ } kind_t;

typedef struct field_spec {
    const char *path; /* dotted, relative to the document or to one endpoint */
    kind_t kind;
    bool required; /* optional fields are checked only when present */
} field_spec_t;

static const field_spec_t doc_fields[] = {
    {"version", K_STR, true},
    {"pid", K_COUNT, true},
    {"threads", K_COUNT, false},
    {"uptime_seconds", K_NUM, true},
    {"started_wall", K_STR, false},
    {"config", K_OBJ, false},
    {"config.max_delay_seconds", K_NUM, false},
    {"config.default_delay_seconds", K_NUM, false},
    {"config.pool_size", K_COUNT, false},
    {"config.pool_queue", K_COUNT, false},
    {"config.stall_threshold_seconds", K_NUM, false},
    {"config.watchdog_seconds", K_NUM, false},
    {"offload", K_OBJ, false},
    {"offload.busy", K_COUNT, false},
    {"offload.queued", K_COUNT, false},
    {"connections", K_OBJ, true},
    {"connections.open", K_COUNT, true},
    {"connections.total", K_COUNT, true},
    {"loop", K_OBJ, true},
    {"loop.lag_seconds", K_NUM, true},
    {"loop.ticks", K_COUNT, false},
    {"loop.stalls", K_COUNT, true},
    {"loop.stalled_seconds", K_NUM, true},
    {"loop.longest_stall_seconds", K_NUM, true},
    {"loop.longest_stall_endpoint", K_STR_OR_NULL, false},
    {"loop.longest_stall_wall", K_STR_OR_NULL, false},
    {"endpoints", K_OBJ, true},
};

static const field_spec_t endpoint_fields[] = {
    {"requests", K_COUNT, true},           {"in_flight", K_COUNT, true},         {"peak_in_flight", K_COUNT, true},
    {"completed", K_COUNT, true},          {"cancelled", K_COUNT, true},         {"status_4xx", K_COUNT, true},
    {"status_5xx", K_COUNT, true},         {"latency_seconds", K_OBJ, true},     {"latency_seconds.min", K_NUM, true},
    {"latency_seconds.mean", K_NUM, true}, {"latency_seconds.max", K_NUM, true}, {"latency_seconds.p50", K_NUM, true},
    {"latency_seconds.p90", K_NUM, true},  {"latency_seconds.p99", K_NUM, true}, {"latency_seconds.p99_9", K_NUM, true},
};

/* The documented endpoints, shown first and in this order; others follow as the document has them. */
static const char *const known_endpoints[] = {"/non-blocking", "/blocking", "/offload", "/delay",
                                              "/stats",        "/metrics",  "/healthz", "other"};

/* The value at a dotted path, or NULL. */
static const json_t *at(const json_t *obj, const char *path)
{
    char key[64];
    while (obj != NULL) {
        size_t len = strcspn(path, ".");
        if (len >= sizeof(key))
            return NULL;
        memcpy(key, path, len);
        key[len] = '\0';
        obj = json_object_get(obj, key);
        if (path[len] == '\0')
            return obj;
        path += len + 1;
    }
    return NULL;
}

static double num(const json_t *obj, const char *path)
{
    const json_t *v = at(obj, path);
    return json_is_number(v) ? json_number_value(v) : 0.0;
}

static bool has(const json_t *obj, const char *path)
{
    return at(obj, path) != NULL;
}

static const char *kind_name(kind_t k)
{
    switch (k) {
    case K_NUM:
        return "a number";
    case K_COUNT:
        return "a non-negative integer";
    case K_STR:
        return "a string";
    case K_STR_OR_NULL:
        return "a string or null";
    case K_OBJ:
        return "an object";
    }
    return "?";
}

static bool kind_ok(const json_t *v, kind_t k)
{
    switch (k) {
    case K_NUM:
        return json_is_number(v) && isfinite(json_number_value(v));
    case K_COUNT:
        return json_is_integer(v) && json_integer_value(v) >= 0;
    case K_STR:
        return json_is_string(v);
    case K_STR_OR_NULL:
        return json_is_string(v) || json_is_null(v);
    case K_OBJ:
        return json_is_object(v);
    }
    return false;
}

static int check_fields(const json_t *obj, const field_spec_t *spec, size_t n, const char *prefix, char *err,
                        size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        const json_t *v = at(obj, spec[i].path);
        if (v == NULL && !spec[i].required)
            continue;
        if (v == NULL)
            return ad_ctl_fail(err, errlen, "%s%s: missing", prefix, spec[i].path);
        if (!kind_ok(v, spec[i].kind))
            return ad_ctl_fail(err, errlen, "%s%s: expected %s", prefix, spec[i].path, kind_name(spec[i].kind));
    }
    return 0;
}

int ad_stats_view_check(const json_t *doc, char *err, size_t errlen)
{
    if (!json_is_object(doc))
        return ad_ctl_fail(err, errlen, "not a /stats document: expected a JSON object");
    if (check_fields(doc, doc_fields, sizeof(doc_fields) / sizeof(doc_fields[0]), "", err, errlen) != 0)
        return -1;
    const json_t *eps = json_object_get(doc, "endpoints");
    if (json_object_size(eps) == 0)
        return ad_ctl_fail(err, errlen, "endpoints: empty");
    const char *name;
    const json_t *ep;
    json_object_foreach((json_t *)eps, name, ep)
    {
        char prefix[96], safe[72];
        ad_escape_cstr(name, safe, sizeof(safe)); /* the message reaches the terminal */
        snprintf(prefix, sizeof(prefix), "endpoints.%s.", safe);
        if (!json_is_object(ep))
            return ad_ctl_fail(err, errlen, "endpoints.%s: expected an object", safe);
        if (check_fields(ep, endpoint_fields, sizeof(endpoint_fields) / sizeof(endpoint_fields[0]), prefix, err,
                         errlen) != 0)
            return -1;
    }
    return 0;
}

/* ---- drawing ---- */

/* "12.5s", "3m20s", "2h05m", "3d04h"; out of range as ad_report_seconds_to_ns says (1e20 once wrapped) */
static void fmt_uptime(double s, char *buf, size_t size)
{
    int64_t ns;
    const char *text;
    if (ad_report_seconds_to_ns(s, &ns, &text) != 0) {
        snprintf(buf, size, "%s", text);
        return;
    }
    const char *sign = ns < 0 ? "-" : "";
    uint64_t t = ad_i64_magnitude(ns) / (uint64_t)AD_NS_PER_SEC;
    if (t < 60)
        snprintf(buf, size, "%s%.1fs", sign, fabs(s));
    else if (t < 3600)
        snprintf(buf, size, "%s%" PRIu64 "m%02" PRIu64 "s", sign, t / 60, t % 60);
    else if (t < 86400)
        snprintf(buf, size, "%s%" PRIu64 "h%02" PRIu64 "m", sign, t / 3600, t % 3600 / 60);
    else
        snprintf(buf, size, "%s%" PRIu64 "d%02" PRIu64 "h", sign, t / 86400, t % 86400 / 3600);
}

/* A count (K_COUNT: a JSON integer, checked) exactly: 2^63-1 once showed as 9223372036854775808 through a
 * double. */
static void fmt_count(const json_t *obj, const char *path, char *buf, size_t size)
{
    const json_t *v = at(obj, path);
    snprintf(buf, size, "%" PRId64, json_is_integer(v) ? (int64_t)json_integer_value(v) : INT64_C(0));
}

/* The string at path, escaped for the terminal (the server's text: text_escape.h) into buf; NULL when
 * there is none. */
typedef struct safe_str {
    char buf[256];
} safe_str_t;

static const char *str(const json_t *doc, const char *path, safe_str_t *s)
{
    const json_t *v = at(doc, path);
    if (!json_is_string(v))
        return NULL;
    ad_escape_text(json_string_value(v), json_string_length(v), s->buf, sizeof(s->buf));
    return s->buf;
}

/* One header line of "label  item  item ...", wrapped at the width under the first item. */
typedef struct line {
    FILE *out;
    int width, col;
    bool fresh; /* no item on this line yet */
} line_t;

#define INDENT 13

static void line_begin(line_t *l, FILE *out, int width, const char *label)
{
    l->out = out;
    l->width = width;
    l->col = fprintf(out, "%-*s", INDENT, label);
    l->fresh = true;
}

/* Visible columns of s: ANSI colour sequences take none. */
static int visible(const char *s)
{
    int n = 0;
    for (; *s != '\0'; s++) {
        if (*s == '\033') {
            while (*s != '\0' && *s != 'm')
                s++;
            if (*s == '\0')
                break;
            continue;
        }
        n += ((unsigned char)*s & 0xC0) != 0x80;
    }
    return n;
}

__attribute__((format(printf, 2, 3))) static void line_item(line_t *l, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    int len = visible(buf);
    if (!l->fresh && l->col + 2 + len > l->width) {
        l->col = fprintf(l->out, "\n%*s", INDENT, "") - 1;
        l->fresh = true;
    }
    if (!l->fresh)
        l->col += fprintf(l->out, "  ");
    fputs(buf, l->out);
    l->col += len;
    l->fresh = false;
}

static void line_end(line_t *l)
{
    fputc('\n', l->out);
}

/* "label N" for a count at path. */
static void count_item(line_t *l, const char *label, const json_t *obj, const char *path)
{
    char n[24];
    fmt_count(obj, path, n, sizeof(n));
    line_item(l, "%s %s", label, n);
}

static void draw_process(line_t *l, const json_t *doc, const ad_stats_view_style_t *st, int width)
{
    char up[32];
    safe_str_t s;
    fmt_uptime(num(doc, "uptime_seconds"), up, sizeof(up));
    line_begin(l, l->out, width, "asyncdemod");
    const char *version = str(doc, "version", &s); /* required by ad_stats_view_check; never NULL into %s */
    line_item(l, "%s%s%s", st->color ? BOLD : "", version != NULL ? version : "?", st->color ? RESET : "");
    count_item(l, "pid", doc, "pid");
    if (has(doc, "threads"))
        count_item(l, "threads", doc, "threads");
    line_item(l, "up %s", up);
    if (str(doc, "started_wall", &s) != NULL)
        line_item(l, "since %s", s.buf);
    line_end(l);
    line_begin(l, l->out, width, "connections");
    count_item(l, "open", doc, "connections.open");
    count_item(l, "total", doc, "connections.total");
    line_end(l);
}

static void draw_loop(line_t *l, const json_t *doc, const ad_stats_view_style_t *st, int width)
{
    char a[32];
    safe_str_t s;
    double stalls = num(doc, "loop.stalls");
    bool warn = st->color && stalls > 0;
    line_begin(l, l->out, width, "event loop");
    ad_report_format_seconds(num(doc, "loop.lag_seconds"), a, sizeof(a));
    line_item(l, "lag %s", a);
    if (has(doc, "loop.ticks"))
        count_item(l, "ticks", doc, "loop.ticks");
    char nstalls[24];
    fmt_count(doc, "loop.stalls", nstalls, sizeof(nstalls));
    line_item(l, "%sstalls %s%s", warn ? YELLOW : "", nstalls, warn ? RESET : "");
    if (stalls > 0) {
        ad_report_format_seconds(num(doc, "loop.stalled_seconds"), a, sizeof(a));
        line_item(l, "stalled %s in all", a);
        ad_report_format_seconds(num(doc, "loop.longest_stall_seconds"), a, sizeof(a));
        if (str(doc, "loop.longest_stall_endpoint", &s) != NULL)
            line_item(l, "longest %s in %s", a, s.buf);
        else
            line_item(l, "longest %s", a);
        if (str(doc, "loop.longest_stall_wall", &s) != NULL)
            line_item(l, "at %s", s.buf);
    }
    line_end(l);
}

static void draw_settings(line_t *l, const json_t *doc, int width)
{
    char a[32];
    if (has(doc, "offload")) {
        line_begin(l, l->out, width, "offload");
        count_item(l, "busy", doc, "offload.busy");
        count_item(l, "queued", doc, "offload.queued");
        if (has(doc, "config.pool_size"))
            count_item(l, "pool", doc, "config.pool_size");
        if (has(doc, "config.pool_queue"))
            count_item(l, "queue", doc, "config.pool_queue");
        line_end(l);
    }
    if (!has(doc, "config"))
        return;
    static const struct {
        const char *path, *label;
    } settings[] = {{"config.max_delay_seconds", "max delay"},
                    {"config.default_delay_seconds", "default delay"},
                    {"config.stall_threshold_seconds", "stall threshold"},
                    {"config.watchdog_seconds", "watchdog"}};
    line_begin(l, l->out, width, "config");
    for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
        if (!has(doc, settings[i].path))
            continue;
        double v = num(doc, settings[i].path);
        ad_report_format_setting(v, a, sizeof(a));
        bool off = strcmp(settings[i].label, "watchdog") == 0 && v <= 0;
        line_item(l, "%s %s", settings[i].label, off ? "off" : a);
    }
    line_end(l);
}

static void draw_header(FILE *out, const json_t *doc, const ad_stats_view_style_t *st)
{
    int width = st->width < MIN_WIDTH ? MIN_WIDTH : st->width;
    line_t l = {.out = out};
    draw_process(&l, doc, st, width);
    draw_loop(&l, doc, st, width);
    draw_settings(&l, doc, width);
}

typedef struct column {
    const char *head;
    const char *path; /* in the endpoint object */
    bool latency;     /* seconds, "-" while nothing completed */
    int priority;     /* dropped lowest first when the table is too wide */
    int width;
    bool shown;
} column_t;

static void cell_text(const json_t *ep, const column_t *col, char *buf, size_t size)
{
    if (!col->latency) {
        fmt_count(ep, col->path, buf, size);
        return;
    }
    if (num(ep, "completed") == 0)
        snprintf(buf, size, "-");
    else
        ad_report_format_seconds(num(ep, col->path), buf, size);
}

/* Endpoints in display order: the documented ones first, then the rest. */
static size_t endpoint_order(const json_t *eps, const char **names, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof(known_endpoints) / sizeof(known_endpoints[0]) && n < max; i++)
        if (json_object_get(eps, known_endpoints[i]) != NULL)
            names[n++] = known_endpoints[i];
    const char *name;
    json_t *ep;
    json_object_foreach((json_t *)eps, name, ep)
    {
        bool known = false;
        for (size_t i = 0; i < sizeof(known_endpoints) / sizeof(known_endpoints[0]); i++)
            known = known || strcmp(name, known_endpoints[i]) == 0;
        if (!known && n < max)
            names[n++] = name;
    }
    return n;
}

static void draw_endpoints(FILE *out, const json_t *doc, const ad_stats_view_style_t *st)
{
    enum { MAX_EP = 64 };
    column_t cols[] = {
        {"requests", "requests", false, 10, 0, true},
        {"in flight", "in_flight", false, 8, 0, true},
        {"peak", "peak_in_flight", false, 3, 0, true},
        {"done", "completed", false, 7, 0, true},
        {"cancelled", "cancelled", false, 4, 0, true},
        {"4xx", "status_4xx", false, 5, 0, true},
        {"5xx", "status_5xx", false, 6, 0, true},
        {"min", "latency_seconds.min", true, 1, 0, true},
        {"mean", "latency_seconds.mean", true, 2, 0, true},
        {"p50", "latency_seconds.p50", true, 9, 0, true},
        {"p90", "latency_seconds.p90", true, 4, 0, true},
        {"p99", "latency_seconds.p99", true, 9, 0, true},
        {"p99.9", "latency_seconds.p99_9", true, 3, 0, true},
        {"max", "latency_seconds.max", true, 8, 0, true},
    };
    const size_t ncols = sizeof(cols) / sizeof(cols[0]);
    const json_t *eps = json_object_get(doc, "endpoints");
    const char *names[MAX_EP];
    char shown[MAX_EP][96]; /* the names escaped for the terminal (the server's text) */
    size_t n = endpoint_order(eps, names, MAX_EP);
    int name_w = 8;
    for (size_t i = 0; i < n; i++) {
        ad_escape_cstr(names[i], shown[i], sizeof(shown[i]));
        name_w = visible(shown[i]) > name_w ? visible(shown[i]) : name_w;
    }
    int total = name_w;
    for (size_t c = 0; c < ncols; c++) {
        cols[c].width = (int)strlen(cols[c].head);
        for (size_t i = 0; i < n; i++) {
            char buf[32];
            cell_text(json_object_get(eps, names[i]), &cols[c], buf, sizeof(buf));
            cols[c].width = (int)strlen(buf) > cols[c].width ? (int)strlen(buf) : cols[c].width;
        }
        total += 2 + cols[c].width;
    }
    int width = st->width < MIN_WIDTH ? MIN_WIDTH : st->width;
    while (total > width) { /* drop the least telling column */
        size_t drop = ncols;
        for (size_t c = 0; c < ncols; c++)
            if (cols[c].shown && cols[c].priority < 9 && (drop == ncols || cols[c].priority < cols[drop].priority))
                drop = c;
        if (drop == ncols)
            break;
        cols[drop].shown = false;
        total -= 2 + cols[drop].width;
    }
    fprintf(out, "\n%s%-*s", st->color ? BOLD : "", name_w, "endpoint");
    for (size_t c = 0; c < ncols; c++)
        if (cols[c].shown)
            fprintf(out, "  %*s", cols[c].width, cols[c].head);
    fprintf(out, "%s\n", st->color ? RESET : "");
    for (size_t i = 0; i < n; i++) {
        const json_t *ep = json_object_get(eps, names[i]);
        fprintf(out, "%s%*s", shown[i], name_w - visible(shown[i]), "");
        for (size_t c = 0; c < ncols; c++) {
            if (!cols[c].shown)
                continue;
            char buf[32];
            cell_text(ep, &cols[c], buf, sizeof(buf));
            bool alarm =
                st->color && !cols[c].latency && strcmp(cols[c].path, "status_5xx") == 0 && num(ep, cols[c].path) > 0;
            fprintf(out, "  %s%*s%s", alarm ? RED : "", cols[c].width, buf, alarm ? RESET : "");
        }
        fputc('\n', out);
    }
}

int ad_stats_view_render(FILE *out, const json_t *doc, const ad_stats_view_style_t *st, char *err, size_t errlen)
{
    if (ad_stats_view_check(doc, err, errlen) != 0)
        return -1;
    draw_header(out, doc, st);
    draw_endpoints(out, doc, st);
    return 0;
}

/* Parses body; NULL with "not JSON: ..." in err. */
static json_t *parse_body(const char *body, size_t len, char *err, size_t errlen)
{
    json_error_t je;
    json_t *doc = json_loadb(body, len, 0, &je);
    if (doc == NULL) {
        char text[sizeof(je.text) * 2]; /* jansson quotes the bytes it stopped at: the server's */
        ad_escape_cstr(je.text, text, sizeof(text));
        ad_ctl_fail(err, errlen, "not JSON: %s at line %d column %d", text, je.line, je.column);
    }
    return doc;
}

int ad_stats_view_render_text(FILE *out, const char *body, size_t len, const ad_stats_view_style_t *st, char *err,
                              size_t errlen)
{
    json_t *doc = parse_body(body, len, err, errlen);
    if (doc == NULL)
        return -1;
    int rc = ad_stats_view_render(out, doc, st, err, errlen);
    json_decref(doc);
    return rc;
}

int ad_stats_view_check_text(const char *body, size_t len, char *err, size_t errlen)
{
    json_t *doc = parse_body(body, len, err, errlen);
    if (doc == NULL)
        return -1;
    int rc = ad_stats_view_check(doc, err, errlen);
    json_decref(doc);
    return rc;
}
