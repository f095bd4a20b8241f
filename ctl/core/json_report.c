/*
 * The --json document (docs/bench-json.md): writer and validating reader. Written with the streaming
 * writer (exact integers, shortest round-trip doubles) and pretty-printed; every value written is
 * either stored in ad_run_result_t or derived from it, so write -> read -> write gives the same text.
 */
#include "json_report.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "histogram_json.h"
#include "i18n.h"
#include "json_value.h"
#include "json_writer.h"
#include "report.h"
#include "version.h"

#define TOOL_NAME "asyncdemoctl"

static const struct {
    const char *key;
    double p;
} pcts[] = {{"p50", 50}, {"p75", 75}, {"p90", 90}, {"p99", 99}, {"p99_9", 99.9}, {"p99_99", 99.99}};

/* ---- options ---- */

static double secs(int64_t ns)
{
    return (double)ns / 1e9;
}

static int64_t to_ns(double s)
{
    return (int64_t)llround(s * 1e9);
}

json_t *ad_json_options_bench(const ad_bench_opts_t *o)
{
    json_t *eps = json_array();
    for (size_t i = 0; eps != NULL && i < o->nendpoints; i++)
        json_array_append_new(eps, json_string(o->endpoints[i]));
    json_t *j = json_pack("{s:s, s:o, s:I, s:I, s:f, s:f, s:f, s:b, s:f, s:f, s:I}", "url", o->url, "endpoints", eps,
                          "requests", (json_int_t)o->requests, "concurrency", (json_int_t)o->concurrency,
                          "duration_seconds", secs(o->duration_ns), "rate", o->rate, "timeout_seconds",
                          secs(o->timeout_ns), "keepalive", o->keepalive, "warmup_seconds", secs(o->warmup_ns),
                          "delay_seconds", secs(o->delay_ns), "threads", (json_int_t)o->threads);
    if (j != NULL && o->shards > 0)
        json_object_set_new(j, "shard",
                            json_pack("{s:I, s:I}", "index", (json_int_t)o->shard, "count", (json_int_t)o->shards));
    if (j != NULL && o->nstages > 0) {
        json_t *st = json_array();
        for (size_t i = 0; i < o->nstages; i++)
            json_array_append_new(st, json_pack("{s:f, s:f}", "target", o->stages[i].target, "duration_seconds",
                                                secs(o->stages[i].duration_ns)));
        json_object_set_new(j, "rate_stages", st);
    }
    if (j != NULL && o->start_at_wall_ns > 0) {
        char when[40];
        ad_format_utc(o->start_at_wall_ns, 9, when, sizeof(when));
        json_object_set_new(j, "start_at", json_string(when));
    }
    return j;
}

json_t *ad_json_options_compare(const ad_compare_opts_t *o)
{
    json_t *modes = json_array();
    for (size_t i = 0; modes != NULL && i < o->nmodes; i++)
        json_array_append_new(modes, json_string(ad_compare_mode_name(o->modes[i])));
    return json_pack("{s:s, s:I, s:o, s:f, s:I, s:b}", "url", o->url, "requests", (json_int_t)o->n, "modes", modes,
                     "timeout_seconds", secs(o->timeout_ns), "max_parallel", (json_int_t)o->max_parallel, "h2", o->h2);
}

/* ---- writing ---- */

static void key_secs(ad_jw_t *w, const char *key, int64_t ns)
{
    ad_jw_key(w, key);
    ad_jw_double(w, secs(ns));
}

static void key_uint(ad_jw_t *w, const char *key, uint64_t v)
{
    ad_jw_key(w, key);
    ad_jw_uint(w, v);
}

static int write_latency(ad_jw_t *w, const char *key, const ad_histogram_t *h)
{
    ad_jw_key(w, key);
    ad_jw_object_begin(w);
    key_uint(w, "count", h->count);
    key_secs(w, "min", h->count > 0 ? h->min : 0);
    ad_jw_key(w, "mean");
    ad_jw_double(w, ad_hist_mean(h) / 1e9);
    ad_jw_key(w, "stdev");
    ad_jw_double(w, ad_hist_stdev(h) / 1e9);
    key_secs(w, "max", h->max);
    for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
        key_secs(w, pcts[i].key, ad_hist_percentile(h, pcts[i].p));
    json_t *hj = ad_hist_to_json(h);
    if (hj == NULL)
        return -1;
    ad_jw_key(w, "histogram");
    ad_jw_json(w, hj);
    json_decref(hj);
    ad_jw_object_end(w);
    return 0;
}

static void write_record(ad_jw_t *w, const ad_request_record_t *rec)
{
    ad_jw_object_begin(w);
    key_uint(w, "index", rec->index);
    key_secs(w, "intended_seconds", rec->intended_ns);
    key_secs(w, "sent_seconds", rec->sent_ns);
    key_secs(w, "done_seconds", rec->done_ns);
    key_secs(w, "took_seconds", rec->done_ns - rec->sent_ns);
    ad_jw_key(w, "status");
    ad_jw_int(w, rec->status);
    ad_jw_key(w, "error");
    ad_jw_cstr(w, rec->error == AD_ERR_NONE ? NULL : ad_err_class_name(rec->error));
    ad_jw_key(w, "pid");
    ad_jw_int(w, (int64_t)rec->pid);
    ad_jw_key(w, "server_seq");
    if (rec->server_seq >= 0)
        ad_jw_int(w, rec->server_seq);
    else
        ad_jw_null(w);
    ad_jw_key(w, "server_wait_seconds");
    if (rec->server_wait_ns > 0)
        ad_jw_double(w, secs(rec->server_wait_ns));
    else
        ad_jw_null(w);
    ad_jw_object_end(w);
}

/* The figures over time (series.h): the counters to merge again, and per point the figures a plot needs. */
static void write_series(ad_jw_t *w, const ad_series_t *s)
{
    ad_jw_key(w, "series");
    ad_jw_object_begin(w);
    key_secs(w, "interval_seconds", s->interval_ns);
    ad_jw_key(w, "points");
    ad_jw_array_begin(w);
    for (uint32_t i = 0; i < s->npoints; i++) {
        const ad_series_point_t *p = &s->points[i];
        ad_jw_object_begin(w);
        key_secs(w, "start_seconds", (int64_t)i * s->interval_ns);
        key_uint(w, "completed", p->completed);
        key_uint(w, "ok", p->ok);
        ad_jw_key(w, "errors");
        ad_jw_object_begin(w);
        for (int c = AD_ERR_CONNECT; c < AD_ERR_CLASS_COUNT; c++)
            key_uint(w, ad_err_class_name((ad_err_class_t)c), p->errors[c]);
        ad_jw_object_end(w);
        ad_jw_key(w, "in_flight");
        ad_jw_double(w, (double)p->busy_ns / (double)s->interval_ns);
        key_secs(w, "busy_seconds", (int64_t)p->busy_ns);
        key_uint(w, "sends", p->sends);
        key_secs(w, "late_sum_seconds", (int64_t)p->late_sum_ns);
        key_secs(w, "late_max_seconds", p->late_max_ns);
        static const struct {
            const char *key;
            double p;
        } point_pcts[] = {{"p50", 50}, {"p90", 90}, {"p99", 99}, {"max", 100}};
        for (size_t k = 0; k < sizeof(point_pcts) / sizeof(point_pcts[0]); k++)
            key_secs(w, point_pcts[k].key, ad_series_percentile(p, point_pcts[k].p));
        ad_jw_key(w, "latency_buckets");
        ad_jw_array_begin(w);
        for (size_t b = 0; b < AD_SERIES_BUCKETS; b++) {
            if (p->lat[b] == 0)
                continue;
            ad_jw_array_begin(w);
            ad_jw_uint(w, b);
            ad_jw_uint(w, p->lat[b]);
            ad_jw_array_end(w);
        }
        ad_jw_array_end(w);
        ad_jw_object_end(w);
    }
    ad_jw_array_end(w);
    ad_jw_object_end(w);
}

static int write_run(ad_jw_t *w, const ad_run_result_t *r)
{
    ad_jw_object_begin(w);
    ad_jw_key(w, "name");
    ad_jw_cstr(w, r->name);
    ad_jw_key(w, "url");
    ad_jw_cstr(w, r->url);
    ad_jw_key(w, "started");
    ad_jw_utc(w, r->start_wall_ns, 9);
    key_uint(w, "concurrency", r->concurrency);
    ad_jw_key(w, "rate");
    ad_jw_double(w, r->rate);
    ad_jw_key(w, "engine");
    ad_jw_cstr(w, r->engine[0] != '\0' ? r->engine : NULL);
    key_uint(w, "loops", r->loops);
    key_uint(w, "streams", r->streams);
    ad_jw_key(w, "protocol");
    ad_jw_cstr(w, r->protocol[0] != '\0' ? r->protocol : NULL);
    if (r->connections > 0) /* only then: compare's runs, which do not count them, stay as they were */
        key_uint(w, "connections", r->connections);
    ad_jw_key(w, "interrupted");
    ad_jw_bool(w, r->interrupted);
    if (r->ramped) { /* only then: documents of a constant rate stay as they were */
        ad_jw_key(w, "ramped");
        ad_jw_bool(w, true);
    }
    key_secs(w, "elapsed_seconds", r->elapsed_ns);
    key_uint(w, "sent", r->sent);
    key_uint(w, "completed", r->completed);
    key_uint(w, "ok", r->ok);
    ad_jw_key(w, "rps");
    ad_jw_double(w, ad_run_result_rps(r));
    key_uint(w, "bytes_received", r->bytes_received);
    ad_jw_key(w, "errors");
    ad_jw_object_begin(w);
    for (int c = AD_ERR_CONNECT; c < AD_ERR_CLASS_COUNT; c++)
        key_uint(w, ad_err_class_name((ad_err_class_t)c), r->errors[c]);
    ad_jw_object_end(w);
    ad_jw_key(w, "first_error");
    ad_jw_cstr(w, r->first_error[0] != '\0' ? r->first_error : NULL);
    ad_jw_key(w, "statuses");
    ad_jw_object_begin(w);
    for (size_t i = 0; i < AD_STATUS_SLOTS && r->statuses[i].count > 0; i++) {
        char key[16];
        snprintf(key, sizeof(key), "%d", r->statuses[i].status);
        key_uint(w, key, r->statuses[i].count);
    }
    ad_jw_object_end(w);
    key_uint(w, "statuses_other", r->statuses_other);
    if (write_latency(w, "latency", &r->latency) != 0 || write_latency(w, "latency_raw", &r->latency_raw) != 0)
        return -1;
    if (r->series.interval_ns > 0)
        write_series(w, &r->series);
    ad_jw_key(w, "requests");
    ad_jw_array_begin(w);
    for (uint32_t i = 0; i < r->nrecords && i < AD_RECORDS_MAX; i++)
        write_record(w, &r->records[i]);
    ad_jw_array_end(w);
    ad_jw_object_end(w);
    return 0;
}

static void write_comparisons(ad_jw_t *w, const ad_run_result_t *const *runs, size_t n)
{
    ad_comparison_t cmp[32];
    size_t k = ad_report_comparisons(runs, n, cmp, sizeof(cmp) / sizeof(cmp[0]));
    ad_jw_key(w, "comparisons");
    ad_jw_array_begin(w);
    for (size_t i = 0; i < k; i++) {
        ad_jw_object_begin(w);
        ad_jw_key(w, "slower");
        ad_jw_cstr(w, runs[cmp[i].slower]->name);
        ad_jw_key(w, "faster");
        ad_jw_cstr(w, runs[cmp[i].faster]->name);
        key_uint(w, "slower_run", cmp[i].slower);
        key_uint(w, "faster_run", cmp[i].faster);
        ad_jw_key(w, "ratio");
        ad_jw_double(w, cmp[i].ratio);
        ad_jw_object_end(w);
    }
    ad_jw_array_end(w);
}

/* The compact document; NULL when out of memory. */
static char *dump_compact(const ad_json_report_t *doc)
{
    ad_jw_t w;
    ad_jw_init(&w, 64 * 1024);
    ad_jw_object_begin(&w);
    ad_jw_key(&w, "schema");
    ad_jw_cstr(&w, AD_JSON_REPORT_SCHEMA);
    ad_jw_key(&w, "tool");
    ad_jw_cstr(&w, doc->tool[0] != '\0' ? doc->tool : TOOL_NAME);
    ad_jw_key(&w, "version");
    ad_jw_cstr(&w, doc->version[0] != '\0' ? doc->version : AD_VERSION);
    ad_jw_key(&w, "command");
    ad_jw_cstr(&w, doc->command);
    ad_jw_key(&w, "started");
    ad_jw_utc(&w, doc->started_wall_ns, 9);
    ad_jw_key(&w, "interrupted");
    ad_jw_bool(&w, doc->interrupted);
    ad_jw_key(&w, "options");
    if (doc->options != NULL) {
        ad_jw_json(&w, doc->options);
    } else {
        ad_jw_object_begin(&w);
        ad_jw_object_end(&w);
    }
    ad_jw_key(&w, "runs");
    ad_jw_array_begin(&w);
    bool failed = false;
    for (size_t i = 0; i < doc->nruns && !failed; i++)
        failed = write_run(&w, doc->runs[i]) != 0;
    ad_jw_array_end(&w);
    write_comparisons(&w, (const ad_run_result_t *const *)doc->runs, doc->nruns);
    if (doc->thresholds != NULL) {
        ad_jw_key(&w, "thresholds");
        ad_jw_json(&w, doc->thresholds);
    }
    ad_jw_object_end(&w);
    if (failed || ad_jw_failed(&w)) {
        ad_jw_free(&w);
        return NULL;
    }
    return w.buf; /* the caller frees it */
}

/* ---- pretty printing (of our own compact output: no whitespace outside strings) ---- */

/* Length of the string token at s (s[0] == '"'), quotes included. */
static size_t string_len(const char *s)
{
    size_t i = 1;
    while (s[i] != '\0' && s[i] != '"')
        i += s[i] == '\\' && s[i + 1] != '\0' ? 2 : 1;
    return s[i] == '"' ? i + 1 : i;
}

/* Whether the array or object at s holds no nested array or object (and so fits on one line). */
static bool is_flat(const char *s)
{
    for (size_t i = 1; s[i] != '\0';) {
        if (s[i] == '"') {
            i += string_len(s + i);
            continue;
        }
        if (s[i] == ']' || s[i] == '}')
            return true;
        if (s[i] == '[' || s[i] == '{')
            return false;
        i++;
    }
    return true;
}

static void newline(FILE *out, int depth)
{
    fputc('\n', out);
    for (int i = 0; i < depth; i++)
        fputs("  ", out);
}

static void pretty(FILE *out, const char *s)
{
    int depth = 0, flat = 0; /* flat > 0: inside a one-line array */
    for (size_t i = 0; s[i] != '\0';) {
        char c = s[i];
        if (c == '"') {
            size_t n = string_len(s + i);
            fwrite(s + i, 1, n, out);
            i += n;
            continue;
        }
        i++;
        if (flat > 0) {
            fputc(c, out);
            if (c == ',' || c == ':')
                fputc(' ', out);
            flat += c == '[' || c == '{' ? 1 : c == ']' || c == '}' ? -1 : 0;
            continue;
        }
        switch (c) {
        case '[':
        case '{':
            fputc(c, out);
            if (s[i] == ']' || s[i] == '}') { /* empty */
                fputc(s[i++], out);
            } else if (c == '[' && is_flat(s + i - 1)) {
                flat = 1;
            } else {
                newline(out, ++depth);
            }
            break;
        case ']':
        case '}':
            newline(out, --depth);
            fputc(c, out);
            break;
        case ',':
            fputc(c, out);
            newline(out, depth);
            break;
        case ':':
            fputs(": ", out);
            break;
        default:
            fputc(c, out);
        }
    }
    fputc('\n', out);
}

char *ad_json_report_dump(const ad_json_report_t *doc)
{
    char *compact = dump_compact(doc);
    if (compact == NULL)
        return NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (mem == NULL) {
        free(compact);
        return NULL;
    }
    pretty(mem, compact);
    free(compact);
    if (fclose(mem) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

int ad_json_report_write(FILE *out, const ad_json_report_t *doc)
{
    char *text = ad_json_report_dump(doc);
    if (text == NULL) {
        errno = ENOMEM;
        return -1;
    }
    size_t len = strlen(text);
    int rc = fwrite(text, 1, len, out) == len && fflush(out) == 0 ? 0 : -1;
    free(text);
    return rc;
}

/* ---- reading ---- */

/* Where the reader is, for messages: "runs[1].latency". */
typedef struct reader {
    char *err;
    size_t errlen;
    char path[96];
} reader_t;

__attribute__((format(printf, 3, 4))) static int bad(reader_t *rd, const char *key, const char *fmt, ...)
{
    if (rd->err == NULL || rd->errlen == 0)
        return -1;
    int n = snprintf(rd->err, rd->errlen, "%s%s%s: ", rd->path, rd->path[0] != '\0' && key[0] != '\0' ? "." : "", key);
    if (n >= 0 && (size_t)n < rd->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(rd->err + n, rd->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static const json_t *member(reader_t *rd, const json_t *obj, const char *key, json_type type, const char *what)
{
    const json_t *v = json_object_get(obj, key);
    if (v == NULL) {
        bad(rd, key, _("missing"));
        return NULL;
    }
    bool ok =
        json_typeof(v) == type || (type == JSON_REAL && json_is_number(v)) || (type == JSON_TRUE && json_is_boolean(v));
    if (!ok) {
        bad(rd, key, _("expected %s"), _(what));
        return NULL;
    }
    return v;
}

static int get_uint(reader_t *rd, const json_t *obj, const char *key, uint64_t max, uint64_t *out)
{
    const json_t *v = member(rd, obj, key, JSON_INTEGER, N_("a non-negative integer"));
    if (v == NULL)
        return -1;
    json_int_t i = json_integer_value(v);
    if (i < 0 || (uint64_t)i > max)
        return bad(rd, key, _("%lld is out of range"), (long long)i);
    *out = (uint64_t)i;
    return 0;
}

/* A number of seconds in [0, ~292 years] as ns. allow_negative for request times (clock skew). */
static int get_secs(reader_t *rd, const json_t *obj, const char *key, bool allow_negative, int64_t *out)
{
    const json_t *v = member(rd, obj, key, JSON_REAL, N_("a number of seconds"));
    if (v == NULL)
        return -1;
    double s = json_number_value(v);
    if (!isfinite(s) || fabs(s) > 9.2e9 || (s < 0 && !allow_negative))
        return bad(rd, key, _("%g is out of range"), s);
    *out = to_ns(s);
    return 0;
}

static int get_string(reader_t *rd, const json_t *obj, const char *key, char *out, size_t size)
{
    const json_t *v = member(rd, obj, key, JSON_STRING, N_("a string"));
    if (v == NULL)
        return -1;
    if (json_string_length(v) >= size)
        return bad(rd, key, _("longer than %zu bytes"), size - 1);
    memcpy(out, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

static int get_utc(reader_t *rd, const json_t *obj, const char *key, int64_t *out)
{
    char buf[64];
    if (get_string(rd, obj, key, buf, sizeof(buf)) != 0)
        return -1;
    if (ad_parse_utc(buf, false, out) != 0)
        return bad(rd, key, _("'%s' is not an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SS[.fraction]Z)"), buf);
    return 0;
}

static int read_latency(reader_t *rd, const json_t *run, const char *key, ad_histogram_t *h)
{
    const json_t *lat = member(rd, run, key, JSON_OBJECT, N_("an object"));
    if (lat == NULL)
        return -1;
    size_t len = strlen(rd->path);
    snprintf(rd->path + len, sizeof(rd->path) - len, ".%s", key);
    const json_t *hj = member(rd, lat, "histogram", JSON_OBJECT, N_("an object"));
    if (hj == NULL)
        return -1;
    char why[200];
    if (ad_hist_from_json(h, hj, why, sizeof(why)) != 0)
        return bad(rd, "histogram", "%s", why);
    /* the summary figures are derived from the histogram; its count must agree */
    uint64_t count;
    if (get_uint(rd, lat, "count", UINT64_MAX, &count) != 0)
        return -1;
    if (count != h->count)
        return bad(rd, "count", _("%" PRIu64 " differs from the histogram's %" PRIu64), count, h->count);
    rd->path[len] = '\0';
    return 0;
}

static int read_error_class(reader_t *rd, const json_t *rec, ad_err_class_t *out)
{
    const json_t *v = json_object_get(rec, "error");
    *out = AD_ERR_NONE;
    if (v == NULL)
        return bad(rd, "error", _("missing"));
    if (json_is_null(v))
        return 0;
    for (int c = AD_ERR_CONNECT; c < AD_ERR_CLASS_COUNT; c++)
        if (json_is_string(v) && strcmp(json_string_value(v), ad_err_class_name((ad_err_class_t)c)) == 0) {
            *out = (ad_err_class_t)c;
            return 0;
        }
    return bad(rd, "error", _("expected null or one of connect, timeout, read, status, other"));
}

static int read_record(reader_t *rd, const json_t *rec, ad_request_record_t *out)
{
    uint64_t index, pid;
    const json_t *st, *seq, *wait;
    memset(out, 0, sizeof(*out));
    if (!json_is_object(rec))
        return bad(rd, "", _("expected an object"));
    if (get_uint(rd, rec, "index", UINT32_MAX, &index) != 0 ||
        get_secs(rd, rec, "intended_seconds", true, &out->intended_ns) != 0 ||
        get_secs(rd, rec, "sent_seconds", true, &out->sent_ns) != 0 ||
        get_secs(rd, rec, "done_seconds", true, &out->done_ns) != 0 ||
        (st = member(rd, rec, "status", JSON_INTEGER, N_("an integer"))) == NULL ||
        read_error_class(rd, rec, &out->error) || get_uint(rd, rec, "pid", INT32_MAX, &pid) != 0)
        return -1;
    if (json_integer_value(st) < 0 || json_integer_value(st) > 999)
        return bad(rd, "status", _("%lld is not an HTTP status"), (long long)json_integer_value(st));
    out->index = (uint32_t)index;
    out->status = (int)json_integer_value(st);
    out->pid = (pid_t)pid;
    seq = json_object_get(rec, "server_seq");
    if (seq == NULL || !(json_is_null(seq) || (json_is_integer(seq) && json_integer_value(seq) >= 0)))
        return bad(rd, "server_seq", _("expected null or a non-negative integer"));
    out->server_seq = json_is_null(seq) ? -1 : (int64_t)json_integer_value(seq);
    wait = json_object_get(rec, "server_wait_seconds");
    if (wait == NULL || !(json_is_null(wait) ||
                          (json_is_number(wait) && json_number_value(wait) >= 0 && json_number_value(wait) < 9.2e9)))
        return bad(rd, "server_wait_seconds", _("expected null or a non-negative number"));
    out->server_wait_ns = json_is_null(wait) ? 0 : to_ns(json_number_value(wait));
    return 0;
}

static int read_statuses(reader_t *rd, const json_t *run, ad_run_result_t *r)
{
    const json_t *st = member(rd, run, "statuses", JSON_OBJECT, N_("an object"));
    if (st == NULL)
        return -1;
    if (json_object_size(st) > AD_STATUS_SLOTS)
        return bad(rd, "statuses", _("more than %d statuses"), AD_STATUS_SLOTS);
    const char *key;
    json_t *v;
    size_t i = 0;
    json_object_foreach((json_t *)st, key, v)
    {
        char *end;
        long code = strtol(key, &end, 10);
        if (*key < '1' || *key > '9' || *end != '\0' || code > 999)
            return bad(rd, "statuses", _("'%.16s' is not an HTTP status"), key);
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            return bad(rd, "statuses", _("%s: expected a positive integer"), key);
        r->statuses[i].status = (int)code;
        r->statuses[i].count = (uint64_t)json_integer_value(v);
        i++;
    }
    return get_uint(rd, run, "statuses_other", UINT64_MAX, &r->statuses_other);
}

static int read_errors(reader_t *rd, const json_t *run, ad_run_result_t *r)
{
    const json_t *errs = member(rd, run, "errors", JSON_OBJECT, N_("an object"));
    if (errs == NULL)
        return -1;
    size_t len = strlen(rd->path);
    snprintf(rd->path + len, sizeof(rd->path) - len, ".errors");
    for (int c = AD_ERR_CONNECT; c < AD_ERR_CLASS_COUNT; c++)
        if (get_uint(rd, errs, ad_err_class_name((ad_err_class_t)c), UINT64_MAX, &r->errors[c]) != 0)
            return -1;
    rd->path[len] = '\0';
    const json_t *fe = json_object_get(run, "first_error");
    if (fe == NULL || !(json_is_null(fe) || json_is_string(fe)))
        return bad(rd, "first_error", _("expected null or a string"));
    if (json_is_string(fe))
        snprintf(r->first_error, sizeof(r->first_error), "%s", json_string_value(fe));
    return 0;
}

/* The counters must add up the way ad_run_result_add keeps them. */
static int check_run(reader_t *rd, const ad_run_result_t *r)
{
    uint64_t errs = 0, statuses = r->statuses_other;
    for (int c = 0; c < AD_ERR_CLASS_COUNT; c++)
        errs += r->errors[c];
    for (size_t i = 0; i < AD_STATUS_SLOTS; i++)
        statuses += r->statuses[i].count;
    if (r->ok + errs != r->completed)
        return bad(rd, "completed", _("%" PRIu64 " is not ok (%" PRIu64 ") + errors (%" PRIu64 ")"), r->completed,
                   r->ok, errs);
    if (r->sent < r->completed)
        return bad(rd, "sent", _("%" PRIu64 " is less than completed (%" PRIu64 ")"), r->sent, r->completed);
    if (statuses > r->completed)
        return bad(rd, "statuses", _("count more answers than completed requests"));
    if (r->latency.count > r->completed || r->latency_raw.count != r->latency.count)
        return bad(rd, "latency", _("histogram counts do not match the completed requests"));
    if (r->nrecords > r->completed)
        return bad(rd, "requests", _("more records than completed requests"));
    return 0;
}

/* Fields added within asyncdemo-bench/1: absent in older documents, checked when present. */
static int read_optional_bool(reader_t *rd, const json_t *obj, const char *key, bool *out)
{
    const json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return 0;
    if (!json_is_boolean(v))
        return bad(rd, key, _("expected true or false"));
    *out = json_is_true(v);
    return 0;
}

static int read_engine(reader_t *rd, const json_t *run, ad_run_result_t *r)
{
    const json_t *e = json_object_get(run, "engine"), *loops = json_object_get(run, "loops");
    if (e != NULL && !json_is_null(e) && get_string(rd, run, "engine", r->engine, sizeof(r->engine)) != 0)
        return -1;
    const json_t *p = json_object_get(run, "protocol");
    if (p != NULL && !json_is_null(p) && get_string(rd, run, "protocol", r->protocol, sizeof(r->protocol)) != 0)
        return -1;
    if (loops != NULL) {
        uint64_t n;
        if (get_uint(rd, run, "loops", UINT32_MAX, &n) != 0)
            return -1;
        r->loops = (unsigned)n;
    }
    if (read_optional_bool(rd, run, "ramped", &r->ramped) != 0)
        return -1;
    if (json_object_get(run, "connections") != NULL &&
        get_uint(rd, run, "connections", UINT64_MAX, &r->connections) != 0)
        return -1;
    if (json_object_get(run, "streams") != NULL) {
        uint64_t n;
        if (get_uint(rd, run, "streams", UINT32_MAX, &n) != 0)
            return -1;
        r->streams = (unsigned)n;
    }
    return read_optional_bool(rd, run, "interrupted", &r->interrupted);
}

static int read_point(reader_t *rd, const json_t *pj, ad_series_point_t *p)
{
    uint64_t v[4];
    int64_t busy, late_sum;
    const json_t *errs, *buckets;
    if (!json_is_object(pj))
        return bad(rd, "", _("expected an object"));
    if (get_uint(rd, pj, "completed", UINT32_MAX, &v[0]) != 0 || get_uint(rd, pj, "ok", UINT32_MAX, &v[1]) != 0 ||
        get_uint(rd, pj, "sends", UINT32_MAX, &v[2]) != 0 || get_secs(rd, pj, "busy_seconds", false, &busy) != 0 ||
        get_secs(rd, pj, "late_sum_seconds", false, &late_sum) != 0 ||
        get_secs(rd, pj, "late_max_seconds", false, &p->late_max_ns) != 0 ||
        (errs = member(rd, pj, "errors", JSON_OBJECT, N_("an object"))) == NULL ||
        (buckets = member(rd, pj, "latency_buckets", JSON_ARRAY, N_("an array"))) == NULL)
        return -1;
    p->completed = (uint32_t)v[0];
    p->ok = (uint32_t)v[1];
    p->sends = (uint32_t)v[2];
    p->busy_ns = (uint64_t)busy;
    p->late_sum_ns = (uint64_t)late_sum;
    uint64_t sum = p->ok, answered = 0;
    for (int c = AD_ERR_CONNECT; c < AD_ERR_CLASS_COUNT; c++) {
        if (get_uint(rd, errs, ad_err_class_name((ad_err_class_t)c), UINT32_MAX, &v[3]) != 0)
            return -1;
        p->errors[c] = (uint32_t)v[3];
        sum += v[3];
    }
    if (sum != p->completed)
        return bad(rd, "completed", _("%u is not ok + errors (%" PRIu64 ")"), p->completed, sum);
    size_t i;
    const json_t *pair;
    json_array_foreach(buckets, i, pair)
    {
        const json_t *b = json_array_get(pair, 0), *c = json_array_get(pair, 1);
        if (json_array_size(pair) != 2 || !json_is_integer(b) || !json_is_integer(c) || json_integer_value(b) < 0 ||
            json_integer_value(b) >= AD_SERIES_BUCKETS || json_integer_value(c) < 0 ||
            json_integer_value(c) > UINT32_MAX)
            return bad(rd, "latency_buckets", _("[%zu] is not [bucket 0-%d, count]"), i, AD_SERIES_BUCKETS - 1);
        p->lat[json_integer_value(b)] += (uint32_t)json_integer_value(c);
        answered += (uint64_t)json_integer_value(c);
    }
    if (answered > p->completed)
        return bad(rd, "latency_buckets", _("count more answers than completed requests"));
    return 0;
}

/* "series", added within asyncdemo-bench/1: absent in older documents and in compare's. */
static int read_series(reader_t *rd, const json_t *run, ad_series_t *s)
{
    const json_t *sj = json_object_get(run, "series"), *points;
    if (sj == NULL)
        return 0;
    size_t len = strlen(rd->path);
    snprintf(rd->path + len, sizeof(rd->path) - len, ".series");
    int64_t interval;
    if (!json_is_object(sj))
        return bad(rd, "", _("expected an object"));
    if (get_secs(rd, sj, "interval_seconds", false, &interval) != 0 ||
        (points = member(rd, sj, "points", JSON_ARRAY, N_("an array"))) == NULL)
        return -1;
    if (interval <= 0)
        return bad(rd, "interval_seconds", _("must be more than 0"));
    if (json_array_size(points) > AD_SERIES_POINTS)
        return bad(rd, "points", _("more than %d points"), AD_SERIES_POINTS);
    ad_series_init(s, interval);
    size_t i, plen = strlen(rd->path);
    const json_t *pj;
    json_array_foreach(points, i, pj)
    {
        snprintf(rd->path + plen, sizeof(rd->path) - plen, ".points[%zu]", i);
        if (read_point(rd, pj, &s->points[i]) != 0)
            return -1;
    }
    s->npoints = (uint32_t)json_array_size(points);
    rd->path[len] = '\0';
    return 0;
}

static int read_run(reader_t *rd, const json_t *run, ad_run_result_t *r)
{
    uint64_t conc;
    const json_t *rate, *reqs;
    ad_run_result_init(r, "", NULL);
    if (!json_is_object(run))
        return bad(rd, "", _("expected an object"));
    if (get_string(rd, run, "name", r->name, sizeof(r->name)) != 0 ||
        get_string(rd, run, "url", r->url, sizeof(r->url)) != 0 || get_utc(rd, run, "started", &r->start_wall_ns) ||
        get_uint(rd, run, "concurrency", UINT32_MAX, &conc) != 0 ||
        (rate = member(rd, run, "rate", JSON_REAL, N_("a number"))) == NULL ||
        get_secs(rd, run, "elapsed_seconds", false, &r->elapsed_ns) != 0 ||
        get_uint(rd, run, "sent", UINT64_MAX, &r->sent) != 0 ||
        get_uint(rd, run, "completed", UINT64_MAX, &r->completed) != 0 ||
        get_uint(rd, run, "ok", UINT64_MAX, &r->ok) != 0 ||
        get_uint(rd, run, "bytes_received", UINT64_MAX, &r->bytes_received) != 0 || read_errors(rd, run, r) != 0 ||
        read_statuses(rd, run, r) != 0 || read_latency(rd, run, "latency", &r->latency) != 0 ||
        read_latency(rd, run, "latency_raw", &r->latency_raw) != 0 || read_engine(rd, run, r) != 0 ||
        read_series(rd, run, &r->series) != 0 ||
        (reqs = member(rd, run, "requests", JSON_ARRAY, N_("an array"))) == NULL)
        return -1;
    r->concurrency = (unsigned)conc;
    r->rate = json_number_value(rate);
    if (!(r->rate >= 0) || !isfinite(r->rate))
        return bad(rd, "rate", _("must be 0 or more"));
    if (json_array_size(reqs) > AD_RECORDS_MAX)
        return bad(rd, "requests", _("more than %d records"), AD_RECORDS_MAX);
    size_t i, len = strlen(rd->path);
    const json_t *rec;
    json_array_foreach(reqs, i, rec)
    {
        snprintf(rd->path + len, sizeof(rd->path) - len, ".requests[%zu]", i);
        if (read_record(rd, rec, &r->records[i]) != 0)
            return -1;
    }
    rd->path[len] = '\0';
    r->nrecords = (uint32_t)json_array_size(reqs);
    return check_run(rd, r);
}

static int read_top(reader_t *rd, const json_t *j, ad_json_report_t *doc, const json_t **runs)
{
    char schema[64];
    if (!json_is_object(j))
        return bad(rd, "document", _("expected an object"));
    if (get_string(rd, j, "schema", schema, sizeof(schema)) != 0)
        return -1;
    if (strcmp(schema, AD_JSON_REPORT_SCHEMA) != 0)
        return bad(rd, "schema", _("'%s' is not %s"), schema, AD_JSON_REPORT_SCHEMA);
    if (get_string(rd, j, "tool", doc->tool, sizeof(doc->tool)) != 0 ||
        get_string(rd, j, "version", doc->version, sizeof(doc->version)) != 0 ||
        get_string(rd, j, "command", doc->command, sizeof(doc->command)) != 0 ||
        get_utc(rd, j, "started", &doc->started_wall_ns) != 0 ||
        read_optional_bool(rd, j, "interrupted", &doc->interrupted) != 0)
        return -1;
    if (strcmp(doc->command, "bench") != 0 && strcmp(doc->command, "compare") != 0)
        return bad(rd, "command", _("'%s' is not bench or compare"), doc->command);
    const json_t *opts = member(rd, j, "options", JSON_OBJECT, N_("an object"));
    if (opts == NULL || (*runs = member(rd, j, "runs", JSON_ARRAY, N_("an array"))) == NULL ||
        member(rd, j, "comparisons", JSON_ARRAY, N_("an array")) == NULL)
        return -1;
    doc->options = json_incref((json_t *)opts);
    return 0;
}

int ad_json_report_read(const json_t *j, ad_json_report_t *doc, char *err, size_t errlen)
{
    reader_t rd = {.err = err, .errlen = errlen};
    const json_t *runs = NULL;
    memset(doc, 0, sizeof(*doc));
    if (read_top(&rd, j, doc, &runs) != 0)
        goto error;
    size_t n = json_array_size(runs);
    doc->runs = calloc(n > 0 ? n : 1, sizeof(*doc->runs));
    if (doc->runs == NULL) {
        bad(&rd, "runs", _("out of memory"));
        goto error;
    }
    for (size_t i = 0; i < n; i++) {
        doc->runs[i] = malloc(sizeof(*doc->runs[i]));
        if (doc->runs[i] == NULL) {
            bad(&rd, "runs", _("out of memory"));
            goto error;
        }
        doc->nruns = i + 1;
        snprintf(rd.path, sizeof(rd.path), "runs[%zu]", i);
        if (read_run(&rd, json_array_get(runs, i), doc->runs[i]) != 0)
            goto error;
    }
    return 0;
error:
    ad_json_report_free(doc);
    return -1;
}

int ad_json_report_read_text(const char *text, size_t len, ad_json_report_t *doc, char *err, size_t errlen)
{
    json_error_t je;
    memset(doc, 0, sizeof(*doc));
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL) {
        snprintf(err, errlen, _("not JSON: %s at line %d column %d"), je.text, je.line, je.column);
        return -1;
    }
    int rc = ad_json_report_read(j, doc, err, errlen);
    json_decref(j);
    return rc;
}

void ad_json_report_free(ad_json_report_t *doc)
{
    for (size_t i = 0; doc->runs != NULL && i < doc->nruns; i++)
        free(doc->runs[i]);
    free(doc->runs);
    json_decref(doc->options);
    memset(doc, 0, sizeof(*doc));
}
