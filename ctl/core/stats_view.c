/* The daemon's /stats document as a terminal view: checked against a table of fields, then drawn. */
#include "stats_view.h"
#include "i18n.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "clock.h"
#include "digits.h"
#include "endpoint_list.h"
#include "options.h"
#include "report.h"
#include "stats_doc.h"
#include "text_escape.h"

#define MIN_WIDTH 40
#define BOLD "\033[1m"
#define RED "\033[31m"
#define YELLOW "\033[33m"
#define RESET "\033[0m"

typedef enum { K_NUM, K_COUNT, K_STR, K_STR_OR_NULL, K_OBJ } kind_t;

/* How each kind of stats_doc.h value looks in JSON (a macro: the tables below are constant initializers). */
#define JSON_KIND_STR K_STR
#define JSON_KIND_STR_OR_NULL K_STR_OR_NULL
#define JSON_KIND_UTC K_STR
#define JSON_KIND_UTC_OR_NULL K_STR_OR_NULL
#define JSON_KIND_COUNT K_COUNT
#define JSON_KIND_GAUGE K_COUNT
#define JSON_KIND_SECONDS K_NUM
#define JSON_KIND_UPTIME K_NUM
#define JSON_KIND_SETTING K_NUM
#define JSON_KIND_SETTING_OR_OFF K_NUM

typedef struct field_spec {
    const char *path; /* dotted, relative to the document or to one endpoint */
    kind_t kind;
    bool required; /* optional fields are checked only when present */
    ad_stats_kind_t skind;
    const char *label;
} field_spec_t;

/* Every field of the document (stats_doc.h), by a generated id: F_<SECTION>_<key>, F_<SECTION> for the object. */
#define AD_X(t, key, ...) t##_##key,
enum {
    AD_STATS_TOP(AD_X, F_TOP) F_CONFIG,
    AD_STATS_CONFIG(AD_X, F_CONFIG) F_OFFLOAD,
    AD_STATS_OFFLOAD(AD_X, F_OFFLOAD) F_CONNECTIONS,
    AD_STATS_CONNECTIONS(AD_X, F_CONNECTIONS) F_CLOSED,
    AD_STATS_CLOSED(AD_X, F_CLOSED) F_PROTOCOLS,
    AD_STATS_PROTOCOLS(AD_X, F_PROTOCOLS) F_TLS,
    AD_STATS_TLS(AD_X, F_TLS) F_TLS_VERSIONS,
    AD_STATS_TLS_VERSIONS(AD_X, F_TLS_VERSIONS) F_BODIES,
    AD_STATS_REQUEST_BODIES(AD_X, F_BODIES) F_LOOP,
    AD_STATS_LOOP(AD_X, F_LOOP) F_ENDPOINTS,
    F_COUNT
};

/* One endpoint's object: its counters, then latency_seconds and its members. */
enum { AD_STATS_ENDPOINT(AD_X, E) E_LATENCY, AD_STATS_LATENCY(AD_X, E_LATENCY) E_COUNT };
#undef AD_X

/* Where each section's fields are, as a path prefix. */
#define PREFIX_F_TOP ""
#define PREFIX_F_CONFIG "config."
#define PREFIX_F_OFFLOAD "offload."
#define PREFIX_F_CONNECTIONS "connections."
#define PREFIX_F_CLOSED "connections.closed."
#define PREFIX_F_PROTOCOLS "connections.protocols."
#define PREFIX_F_TLS "tls."
#define PREFIX_F_TLS_VERSIONS "tls.versions."
#define PREFIX_F_BODIES "request_bodies."
#define PREFIX_F_LOOP "loop."
#define PREFIX_E ""
#define PREFIX_E_LATENCY "latency_seconds."

#define AD_X(t, key, kind, member, required, label, prom)                                                              \
    [t##_##key] = {PREFIX_##t #key, JSON_KIND_##kind, required, AD_STATS_KIND_##kind, label},
#define OBJECT(id, key, required) [id] = {key, K_OBJ, required, AD_STATS_KIND_STR, key},
static const field_spec_t doc_fields[F_COUNT] = {
    AD_STATS_TOP(AD_X, F_TOP) OBJECT(F_CONFIG, "config", false) AD_STATS_CONFIG(AD_X, F_CONFIG)
        OBJECT(F_OFFLOAD, "offload", false) AD_STATS_OFFLOAD(AD_X, F_OFFLOAD) OBJECT(F_CONNECTIONS, "connections", true)
            AD_STATS_CONNECTIONS(AD_X, F_CONNECTIONS) OBJECT(F_CLOSED, "connections.closed", false)
                AD_STATS_CLOSED(AD_X, F_CLOSED) OBJECT(F_PROTOCOLS, "connections.protocols", false)
                    AD_STATS_PROTOCOLS(AD_X, F_PROTOCOLS) OBJECT(F_TLS, "tls", false) AD_STATS_TLS(AD_X, F_TLS)
                        OBJECT(F_TLS_VERSIONS, "tls.versions", false) AD_STATS_TLS_VERSIONS(AD_X, F_TLS_VERSIONS)
                            OBJECT(F_BODIES, "request_bodies", false) AD_STATS_REQUEST_BODIES(AD_X, F_BODIES)
                                OBJECT(F_LOOP, "loop", true) AD_STATS_LOOP(AD_X, F_LOOP)
                                    OBJECT(F_ENDPOINTS, "endpoints", true)};
static const field_spec_t endpoint_fields[E_COUNT] = {
    AD_STATS_ENDPOINT(AD_X, E) OBJECT(E_LATENCY, "latency_seconds", true) AD_STATS_LATENCY(AD_X, E_LATENCY)};
#undef AD_X
#undef OBJECT

/* The endpoints of endpoint_list.h, shown first and in its order; others follow as the document has them. */
static const char *const known_endpoints[] = {
#define AD_X(id, path, ...) path,
    AD_ENDPOINTS(AD_X)
#undef AD_X
        "other"};

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
        return _("a number");
    case K_COUNT:
        return _("a non-negative integer");
    case K_STR:
        return _("a string");
    case K_STR_OR_NULL:
        return _("a string or null");
    case K_OBJ:
        return _("an object");
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
            return ad_fail(err, errlen, _("%s%s: missing"), prefix, spec[i].path);
        if (!kind_ok(v, spec[i].kind))
            return ad_fail(err, errlen, _("%s%s: expected %s"), prefix, spec[i].path, kind_name(spec[i].kind));
    }
    return 0;
}

int ad_stats_view_check(const json_t *doc, char *err, size_t errlen)
{
    if (!json_is_object(doc))
        return ad_fail(err, errlen, _("not a /stats document: expected a JSON object"));
    if (check_fields(doc, doc_fields, F_COUNT, "", err, errlen) != 0)
        return -1;
    const json_t *eps = json_object_get(doc, "endpoints");
    if (json_object_size(eps) == 0)
        return ad_fail(err, errlen, _("endpoints: empty"));
    const char *name;
    const json_t *ep;
    json_object_foreach((json_t *)eps, name, ep)
    {
        char prefix[96], safe[72];
        ad_escape_cstr(name, safe, sizeof(safe)); /* the message reaches the terminal */
        snprintf(prefix, sizeof(prefix), "endpoints.%s.", safe);
        if (!json_is_object(ep))
            return ad_fail(err, errlen, _("endpoints.%s: expected an object"), safe);
        if (check_fields(ep, endpoint_fields, E_COUNT, prefix, err, errlen) != 0)
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
static void fmt_count(const json_t *v, char *buf, size_t size)
{
    snprintf(buf, size, "%" PRId64, json_is_integer(v) ? (int64_t)json_integer_value(v) : INT64_C(0));
}

/* The string at path, escaped for the terminal (the server's text: text_escape.h) into buf; NULL when
 * there is none. */
static const char *str(const json_t *doc, const char *path, char *buf, size_t size)
{
    const json_t *v = at(doc, path);
    if (!json_is_string(v))
        return NULL;
    ad_escape_text(json_string_value(v), json_string_length(v), buf, size);
    return buf;
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
    ad_fput_cells(out, label, -INDENT);
    l->col = ad_text_cells(label) > INDENT ? ad_text_cells(label) : INDENT;
    l->fresh = true;
}

/* A field's label in the user's language (lib/stats_doc.h's labels are in the catalogue); "" stays "". */
static const char *label_text(const char *label)
{
    return label[0] != '\0' ? _(label) : label;
}

__attribute__((format(printf, 2, 3))) static void line_item(line_t *l, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    int len = ad_text_cells(buf);
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

/* A field's value as the view shows it, by its kind; false when the document lacks it. */
static bool field_text(const json_t *obj, const field_spec_t *f, char *buf, size_t size)
{
    const json_t *v = at(obj, f->path);
    if (v == NULL)
        return false;
    double x = json_is_number(v) ? json_number_value(v) : 0.0;
    switch (f->skind) {
    case AD_STATS_KIND_STR:
    case AD_STATS_KIND_STR_OR_NULL:
    case AD_STATS_KIND_UTC:
    case AD_STATS_KIND_UTC_OR_NULL:
        return str(obj, f->path, buf, size) != NULL;
    case AD_STATS_KIND_COUNT:
    case AD_STATS_KIND_GAUGE:
        fmt_count(v, buf, size);
        return true;
    case AD_STATS_KIND_SECONDS:
        ad_report_format_seconds(x, buf, size);
        return true;
    case AD_STATS_KIND_UPTIME:
        fmt_uptime(x, buf, size);
        return true;
    case AD_STATS_KIND_SETTING_OR_OFF:
        if (x <= 0) {
            snprintf(buf, size, "%s", _("off"));
            return true;
        }
        /* fall through */
    case AD_STATS_KIND_SETTING:
        ad_report_format_setting(x, buf, size);
        return true;
    }
    return false;
}

/* "label value" for each field in [first, last] the document has ("value" alone for an empty label). */
static void line_fields(line_t *l, const json_t *doc, int first, int last, const ad_stats_view_style_t *st)
{
    for (int i = first; i <= last; i++) {
        char v[96];
        const field_spec_t *f = &doc_fields[i];
        if (!field_text(doc, f, v, sizeof(v)))
            continue;
        if (f->label[0] == '\0')
            line_item(l, "%s%s%s", st->color ? BOLD : "", v, st->color ? RESET : "");
        else
            line_item(l, "%s %s", label_text(f->label), v);
    }
}

/* A section's line: every field of it, in the document's order. */
static void draw_section(line_t *l, const json_t *doc, const char *label, int object, int last,
                         const ad_stats_view_style_t *st, int width)
{
    if (!has(doc, doc_fields[object].path))
        return;
    line_begin(l, l->out, width, label);
    line_fields(l, doc, object + 1, last, st);
    line_end(l);
}

static void draw_loop(line_t *l, const json_t *doc, const ad_stats_view_style_t *st, int width)
{
    char a[64];
    double stalls = num(doc, doc_fields[F_LOOP_stalls].path);
    bool warn = st->color && stalls > 0;
    line_begin(l, l->out, width, _("event loop"));
    line_fields(l, doc, F_LOOP_lag_seconds, F_LOOP_ticks, st);
    /* working, not waiting: the loop's CPU time and how busy it was (the lesson's work=cpu shows here) */
    line_fields(l, doc, F_LOOP_cpu_seconds, F_LOOP_utilisation_since_start_percent, st);
    char nstalls[24];
    field_text(doc, &doc_fields[F_LOOP_stalls], nstalls, sizeof(nstalls));
    line_item(l, "%s%s %s%s", warn ? YELLOW : "", label_text(doc_fields[F_LOOP_stalls].label), nstalls,
              warn ? RESET : "");
    if (stalls > 0) { /* the rest tells about the stalls */
        field_text(doc, &doc_fields[F_LOOP_stalled_seconds], a, sizeof(a));
        line_item(l, _("%s %s in all"), label_text(doc_fields[F_LOOP_stalled_seconds].label), a);
        field_text(doc, &doc_fields[F_LOOP_longest_stall_seconds], a, sizeof(a));
        char where[256];
        const char *culprit = str(doc, doc_fields[F_LOOP_longest_stall_endpoint].path, where, sizeof(where));
        if (culprit != NULL)
            line_item(l, "%s %s %s %s", label_text(doc_fields[F_LOOP_longest_stall_seconds].label), a,
                      label_text(doc_fields[F_LOOP_longest_stall_endpoint].label), culprit);
        else
            line_item(l, "%s %s", label_text(doc_fields[F_LOOP_longest_stall_seconds].label), a);
        line_fields(l, doc, F_LOOP_longest_stall_wall, F_LOOP_longest_stall_wall, st);
    }
    line_end(l);
}

static void draw_header(FILE *out, const json_t *doc, const ad_stats_view_style_t *st)
{
    int width = st->width < MIN_WIDTH ? MIN_WIDTH : st->width;
    line_t l = {.out = out};
    line_begin(&l, out, width, "asyncdemod");
    line_fields(&l, doc, 0, F_CONFIG - 1, st);
    line_end(&l);
    draw_section(&l, doc, _("connections"), F_CONNECTIONS, F_CLOSED - 1, st, width);
    draw_section(&l, doc, _("closed"), F_CLOSED, F_PROTOCOLS - 1, st, width);
    draw_section(&l, doc, _("protocols"), F_PROTOCOLS, F_TLS - 1, st, width);
    draw_section(&l, doc, _("tls"), F_TLS, F_TLS_VERSIONS - 1, st, width);
    draw_section(&l, doc, _("tls versions"), F_TLS_VERSIONS, F_BODIES - 1, st, width);
    draw_section(&l, doc, _("bodies"), F_BODIES, F_LOOP - 1, st, width);
    draw_loop(&l, doc, st, width);
    draw_section(&l, doc, _("offload"), F_OFFLOAD, F_CONNECTIONS - 1, st, width);
    draw_section(&l, doc, _("config"), F_CONFIG, F_OFFLOAD - 1, st, width);
}

/* The endpoint table's columns are the endpoint fields; when the table is too wide, the lowest priority
 * goes first (a field without one, first of all); 9 and up always stay. */
static const int column_priority[E_COUNT] = {
    [E_requests] = 10,   [E_in_flight] = 8,   [E_peak_in_flight] = 3, [E_completed] = 7,     [E_cancelled] = 4,
    [E_status_4xx] = 5,  [E_status_5xx] = 6,  [E_LATENCY_min] = 1,    [E_LATENCY_mean] = 2,  [E_LATENCY_max] = 8,
    [E_LATENCY_p50] = 9, [E_LATENCY_p90] = 4, [E_LATENCY_p99] = 9,    [E_LATENCY_p99_9] = 3,
};

typedef struct column {
    int id; /* in endpoint_fields */
    int width;
    bool shown;
} column_t;

static void cell_text(const json_t *ep, const column_t *col, char *buf, size_t size)
{
    /* latencies: "-" while nothing completed */
    if (col->id > E_LATENCY && num(ep, endpoint_fields[E_completed].path) == 0)
        snprintf(buf, size, "-");
    else if (!field_text(ep, &endpoint_fields[col->id], buf, size))
        snprintf(buf, size, "?");
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
    column_t cols[E_COUNT];
    size_t ncols = 0;
    for (int id = 0; id < E_COUNT; id++)
        if (id != E_LATENCY)
            cols[ncols++] = (column_t){id, 0, true};
    const json_t *eps = json_object_get(doc, "endpoints");
    const char *names[MAX_EP];
    char shown[MAX_EP][96]; /* the names escaped for the terminal (the server's text) */
    size_t n = endpoint_order(eps, names, MAX_EP);
    const char *h_endpoint = _("endpoint");
    int name_w = ad_text_cells(h_endpoint);
    for (size_t i = 0; i < n; i++) {
        ad_escape_cstr(names[i], shown[i], sizeof(shown[i]));
        name_w = ad_text_cells(shown[i]) > name_w ? ad_text_cells(shown[i]) : name_w;
    }
    int total = name_w;
    for (size_t c = 0; c < ncols; c++) {
        cols[c].width = ad_text_cells(label_text(endpoint_fields[cols[c].id].label));
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
            if (cols[c].shown && column_priority[cols[c].id] < 9 &&
                (drop == ncols || column_priority[cols[c].id] < column_priority[cols[drop].id]))
                drop = c;
        if (drop == ncols)
            break;
        cols[drop].shown = false;
        total -= 2 + cols[drop].width;
    }
    fprintf(out, "\n%s", st->color ? BOLD : "");
    ad_fput_cells(out, h_endpoint, -name_w);
    for (size_t c = 0; c < ncols; c++)
        if (cols[c].shown) {
            fputs("  ", out);
            ad_fput_cells(out, label_text(endpoint_fields[cols[c].id].label), cols[c].width);
        }
    fprintf(out, "%s\n", st->color ? RESET : "");
    for (size_t i = 0; i < n; i++) {
        const json_t *ep = json_object_get(eps, names[i]);
        fprintf(out, "%s%*s", shown[i], name_w - ad_text_cells(shown[i]), "");
        for (size_t c = 0; c < ncols; c++) {
            if (!cols[c].shown)
                continue;
            char buf[32];
            cell_text(ep, &cols[c], buf, sizeof(buf));
            bool alarm = st->color && cols[c].id == E_status_5xx && num(ep, endpoint_fields[E_status_5xx].path) > 0;
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
        ad_fail(err, errlen, _("not JSON: %s at line %d column %d"), text, je.line, je.column);
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
