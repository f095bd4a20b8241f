/* The --json document: it validates against docs/bench-json.schema.json, write -> read -> write is
 * identical, merging documents' runs equals one run over everything, and the reader rejects bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <regex.h>
#include <string.h>

#include "json_report.h"
#include "options.h"
#include "test_ctl_fixtures.h"

/* ---- a checker for the JSON Schema keywords docs/bench-json.schema.json uses ---- */

static const json_t *g_schema_root;

static bool type_is(const json_t *v, const char *t)
{
    if (strcmp(t, "object") == 0)
        return json_is_object(v);
    if (strcmp(t, "array") == 0)
        return json_is_array(v);
    if (strcmp(t, "string") == 0)
        return json_is_string(v);
    if (strcmp(t, "integer") == 0)
        return json_is_integer(v) || (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)));
    if (strcmp(t, "number") == 0)
        return json_is_number(v);
    if (strcmp(t, "boolean") == 0)
        return json_is_boolean(v);
    if (strcmp(t, "null") == 0)
        return json_is_null(v);
    fail_msg("schema uses unknown type '%s'", t);
    return false;
}

static bool matches(const char *pattern, const char *s)
{
    regex_t re;
    assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    bool ok = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

/* Returns NULL when v is valid, else a static message naming the path. */
static const char *validate(const json_t *v, const json_t *schema, const char *path);

static const char *problem(const char *path, const char *what)
{
    static char msg[512];
    snprintf(msg, sizeof(msg), "%s: %s", path, what);
    return msg;
}

static const char *validate_keyword(const json_t *v, const char *key, const json_t *kw, const char *path)
{
    char sub[400];
    if (strcmp(key, "$ref") == 0) {
        const char *ref = json_string_value(kw);
        assert_true(strncmp(ref, "#/$defs/", 8) == 0);
        const json_t *target = json_object_get(json_object_get(g_schema_root, "$defs"), ref + 8);
        assert_non_null(target);
        return validate(v, target, path);
    }
    if (strcmp(key, "type") == 0) {
        if (json_is_string(kw))
            return type_is(v, json_string_value(kw)) ? NULL : problem(path, "wrong type");
        size_t i;
        const json_t *t;
        json_array_foreach(kw, i, t) if (type_is(v, json_string_value(t))) return NULL;
        return problem(path, "wrong type");
    }
    if (strcmp(key, "const") == 0)
        return json_equal(v, kw) ? NULL : problem(path, "not the constant");
    if (strcmp(key, "enum") == 0) {
        size_t i;
        const json_t *e;
        json_array_foreach(kw, i, e) if (json_equal(v, e)) return NULL;
        return problem(path, "not in enum");
    }
    if (strcmp(key, "minimum") == 0)
        return !json_is_number(v) || json_number_value(v) >= json_number_value(kw) ? NULL : problem(path, "< minimum");
    if (strcmp(key, "maximum") == 0)
        return !json_is_number(v) || json_number_value(v) <= json_number_value(kw) ? NULL : problem(path, "> maximum");
    if (strcmp(key, "minLength") == 0)
        return !json_is_string(v) || json_string_length(v) >= (size_t)json_integer_value(kw) ? NULL
                                                                                             : problem(path, "short");
    if (strcmp(key, "pattern") == 0)
        return !json_is_string(v) || matches(json_string_value(kw), json_string_value(v)) ? NULL
                                                                                          : problem(path, "pattern");
    if (strcmp(key, "minItems") == 0)
        return !json_is_array(v) || json_array_size(v) >= (size_t)json_integer_value(kw) ? NULL
                                                                                         : problem(path, "too few");
    if (strcmp(key, "maxItems") == 0)
        return !json_is_array(v) || json_array_size(v) <= (size_t)json_integer_value(kw) ? NULL
                                                                                         : problem(path, "too many");
    if (strcmp(key, "required") == 0) {
        size_t i;
        const json_t *r;
        if (!json_is_object(v))
            return NULL;
        json_array_foreach(kw, i, r) if (json_object_get(v, json_string_value(r)) == NULL)
        {
            snprintf(sub, sizeof(sub), "missing required '%s'", json_string_value(r));
            return problem(path, sub);
        }
        return NULL;
    }
    if (strcmp(key, "items") == 0) {
        size_t i;
        const json_t *item;
        if (!json_is_array(v))
            return NULL;
        json_array_foreach(v, i, item)
        {
            snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
            const char *p = validate(item, kw, sub);
            if (p != NULL)
                return p;
        }
        return NULL;
    }
    if (strcmp(key, "properties") == 0 || strcmp(key, "additionalProperties") == 0 ||
        strcmp(key, "propertyNames") == 0) {
        const char *name;
        const json_t *val;
        if (!json_is_object(v))
            return NULL;
        json_object_foreach((json_t *)v, name, val)
        {
            snprintf(sub, sizeof(sub), "%s.%s", path, name);
            const json_t *s = NULL;
            if (strcmp(key, "properties") == 0)
                s = json_object_get(kw, name);
            else if (strcmp(key, "additionalProperties") == 0)
                s = json_object_get(json_object_get(kw, "properties"), name) == NULL ? kw : NULL;
            if (strcmp(key, "propertyNames") == 0) {
                json_t *jn = json_string(name);
                const char *p = validate(jn, kw, sub);
                json_decref(jn);
                if (p != NULL)
                    return p;
                continue;
            }
            const char *p = s != NULL ? validate(val, s, sub) : NULL;
            if (p != NULL)
                return p;
        }
        return NULL;
    }
    static const char *const annotations[] = {"$schema", "$id", "title", "description", "$defs"};
    for (size_t i = 0; i < sizeof(annotations) / sizeof(annotations[0]); i++)
        if (strcmp(key, annotations[i]) == 0)
            return NULL;
    fail_msg("the schema uses keyword '%s', which this checker does not know", key);
    return NULL;
}

static const char *validate(const json_t *v, const json_t *schema, const char *path)
{
    const char *key;
    const json_t *kw;
    json_object_foreach((json_t *)schema, key, kw)
    {
        const char *p = validate_keyword(v, key, kw, path);
        if (p != NULL)
            return p;
    }
    return NULL;
}

static json_t *load_schema(void)
{
    json_error_t je;
    json_t *s = json_load_file(AD_SCHEMA_FILE, 0, &je);
    if (s == NULL)
        fail_msg("%s: %s at line %d", AD_SCHEMA_FILE, je.text, je.line);
    g_schema_root = s;
    return s;
}

/* ---- documents ---- */

typedef struct bench_doc {
    ad_run_result_t *runs[3];
    ad_json_report_t doc;
} bench_doc_t;

static void make_bench_doc(bench_doc_t *b)
{
    ad_bench_opts_t o;
    char err[128];
    char *argv[] = {"bench", "--rate", "200", "-c", "8", "--delay", "0.01", NULL};
    assert_int_equal(ad_ctl_parse_bench(7, argv, &o, err, sizeof(err)), AD_CTL_PARSE_OK);
    b->runs[0] = fx_blocking();
    b->runs[1] = fx_nonblocking();
    b->runs[2] = fx_open();
    memset(&b->doc, 0, sizeof(b->doc));
    snprintf(b->doc.command, sizeof(b->doc.command), "bench");
    b->doc.started_wall_ns = INT64_C(1795541400123456789);
    b->doc.options = ad_json_options_bench(&o);
    assert_non_null(b->doc.options);
    b->doc.runs = b->runs;
    b->doc.nruns = 3;
}

static void free_bench_doc(bench_doc_t *b)
{
    json_decref(b->doc.options);
    for (int i = 0; i < 3; i++)
        free(b->runs[i]);
}

static json_t *parse(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (j == NULL)
        fail_msg("document is not JSON: %s at line %d", je.text, je.line);
    return j;
}

static void test_document_validates(void **state)
{
    (void)state;
    bench_doc_t b;
    make_bench_doc(&b);
    char *text = ad_json_report_dump(&b.doc);
    assert_non_null(text);
    json_t *schema = load_schema(), *j = parse(text);
    const char *p = validate(j, schema, "$");
    if (p != NULL)
        fail_msg("bench document does not validate: %s", p);
    /* the figures a reader cares about, checked directly too */
    assert_string_equal(json_string_value(json_object_get(j, "schema")), "asyncdemo-bench/1");
    assert_string_equal(json_string_value(json_object_get(j, "tool")), "asyncdemoctl");
    assert_string_equal(json_string_value(json_object_get(j, "command")), "bench");
    assert_string_equal(json_string_value(json_object_get(j, "started")), "2026-11-24T17:30:00.123456789Z");
    json_t *runs = json_object_get(j, "runs");
    assert_int_equal(json_array_size(runs), 3);
    json_t *bl = json_array_get(runs, 0);
    assert_string_equal(json_string_value(json_object_get(bl, "name")), "/blocking");
    assert_true(json_number_value(json_object_get(bl, "elapsed_seconds")) == 10.0055);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(bl, "statuses"), "200")), 5);
    json_t *lat = json_object_get(bl, "latency");
    assert_true(fabs(json_number_value(json_object_get(lat, "max")) - 10.0047) < 1e-12);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(lat, "histogram"), "count")), 5);
    assert_int_equal(json_array_size(json_object_get(bl, "requests")), 5);
    json_t *open = json_array_get(runs, 2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(open, "errors"), "timeout")), 1);
    assert_true(json_number_value(json_object_get(open, "rate")) == 200);
    json_t *cmp = json_array_get(json_object_get(j, "comparisons"), 0);
    assert_string_equal(json_string_value(json_object_get(cmp, "slower")), "/blocking");
    assert_string_equal(json_string_value(json_object_get(cmp, "faster")), "/non-blocking");
    assert_true(json_number_value(json_object_get(cmp, "ratio")) > 4.9);
    json_t *opts = json_object_get(j, "options");
    assert_true(json_number_value(json_object_get(opts, "delay_seconds")) == 0.01);
    assert_true(json_number_value(json_object_get(opts, "rate")) == 200);
    /* pretty: indented, histogram bucket pairs on one line, ends with a newline */
    assert_non_null(strstr(text, "\n  \"runs\": [\n"));
    const char *bk = strstr(text, "\"buckets\": [\n");
    assert_non_null(bk);
    char line[128];
    bk += strlen("\"buckets\": [\n");
    snprintf(line, sizeof(line), "%.*s", (int)strcspn(bk, "\n"), bk);
    if (!matches("^ +\\[[0-9]+, [0-9]+\\],?$", line))
        fail_msg("a bucket line is '%s'", line);
    assert_int_equal(text[strlen(text) - 1], '\n');

    /* a document missing a required field does not validate: the checker can fail */
    json_object_del(json_object_get(lat, "histogram"), "sumsq");
    assert_non_null(validate(j, schema, "$"));
    json_decref(j);
    free(text);
    json_decref(schema);
    free_bench_doc(&b);
}

static void test_compare_document(void **state)
{
    (void)state;
    ad_compare_opts_t o;
    char err[128];
    char *argv[] = {"compare", "-n", "5", NULL};
    assert_int_equal(ad_ctl_parse_compare(3, argv, &o, err, sizeof(err)), AD_CTL_PARSE_OK);
    ad_run_result_t *m[] = {fx_mode("sequential"), fx_mode("async"), fx_mode("threads"), fx_mode("processes")};
    ad_json_report_t doc = {.command = "compare", .options = ad_json_options_compare(&o), .runs = m, .nruns = 4};
    char *text = ad_json_report_dump(&doc);
    json_t *schema = load_schema(), *j = parse(text);
    const char *p = validate(j, schema, "$");
    if (p != NULL)
        fail_msg("compare document does not validate: %s", p);
    json_t *modes = json_object_get(json_object_get(j, "options"), "modes");
    assert_int_equal(json_array_size(modes), 4);
    json_t *proc = json_array_get(json_object_get(j, "runs"), 3);
    json_t *rec = json_array_get(json_object_get(proc, "requests"), 0);
    assert_int_equal(json_integer_value(json_object_get(rec, "pid")), 4242);
    assert_true(json_is_null(json_object_get(rec, "server_seq")));
    /* every slower mode is compared with the fastest (async) */
    json_t *cmps = json_object_get(j, "comparisons");
    assert_int_equal(json_array_size(cmps), 3);
    size_t i;
    json_t *c;
    json_array_foreach(cmps, i, c) assert_string_equal(json_string_value(json_object_get(c, "faster")), "async");
    json_decref(j);
    json_decref(schema);
    free(text);
    json_decref(doc.options);
    for (int k = 0; k < 4; k++)
        free(m[k]);
}

static void assert_runs_equal(const ad_run_result_t *a, const ad_run_result_t *b)
{
    assert_string_equal(a->name, b->name);
    assert_string_equal(a->url, b->url);
    assert_int_equal(a->concurrency, b->concurrency);
    assert_true(a->rate == b->rate);
    assert_int_equal(a->start_wall_ns, b->start_wall_ns);
    assert_int_equal(a->elapsed_ns, b->elapsed_ns);
    assert_int_equal(a->sent, b->sent);
    assert_int_equal(a->completed, b->completed);
    assert_int_equal(a->ok, b->ok);
    assert_memory_equal(a->errors, b->errors, sizeof(a->errors));
    assert_memory_equal(a->statuses, b->statuses, sizeof(a->statuses));
    assert_int_equal(a->statuses_other, b->statuses_other);
    assert_int_equal(a->bytes_received, b->bytes_received);
    assert_string_equal(a->engine, b->engine);
    assert_int_equal(a->loops, b->loops);
    assert_int_equal(a->streams, b->streams);
    assert_string_equal(a->protocol, b->protocol);
    assert_int_equal(a->connections, b->connections);
    assert_int_equal(a->interrupted, b->interrupted);
    assert_memory_equal(&a->latency, &b->latency, sizeof(a->latency));
    assert_memory_equal(&a->latency_raw, &b->latency_raw, sizeof(a->latency_raw));
    assert_int_equal(a->nrecords, b->nrecords);
    for (uint32_t i = 0; i < a->nrecords; i++) {
        const ad_request_record_t *x = &a->records[i], *y = &b->records[i];
        assert_int_equal(x->index, y->index);
        assert_int_equal(x->intended_ns, y->intended_ns);
        assert_int_equal(x->sent_ns, y->sent_ns);
        assert_int_equal(x->done_ns, y->done_ns);
        assert_int_equal(x->status, y->status);
        assert_int_equal(x->error, y->error);
        assert_int_equal(x->pid, y->pid);
        assert_int_equal(x->server_seq, y->server_seq);
        assert_int_equal(x->server_wait_ns, y->server_wait_ns);
    }
    assert_string_equal(a->first_error, b->first_error);
}

static void test_write_read_write(void **state)
{
    (void)state;
    bench_doc_t b;
    make_bench_doc(&b);
    b.doc.interrupted = true; /* Ctrl-C during the open-model run */
    b.runs[2]->interrupted = true;
    b.runs[1]->streams = 10; /* bench --h2 -m 10 */
    snprintf(b.runs[1]->protocol, sizeof(b.runs[1]->protocol), "h2");
    b.runs[1]->connections = 3; /* written only when counted: runs[0] has none */
    char *first = ad_json_report_dump(&b.doc), err[256] = "";
    assert_non_null(strstr(first,
                           "\"engine\": \"h2o\",\n      \"loops\": 2,\n      \"streams\": 0,\n      \"protocol\": "
                           "null,\n      \"interrupted\": false"));
    assert_non_null(strstr(first, "\"streams\": 10,\n      \"protocol\": \"h2\",\n      \"connections\": 3,"));
    ad_json_report_t back;
    if (ad_json_report_read_text(first, strlen(first), &back, err, sizeof(err)) != 0)
        fail_msg("reading our own document: %s", err);
    assert_true(back.interrupted);
    assert_int_equal(back.nruns, 3);
    assert_string_equal(back.command, "bench");
    assert_string_equal(back.tool, "asyncdemoctl");
    assert_int_equal(back.started_wall_ns, b.doc.started_wall_ns);
    for (size_t i = 0; i < 3; i++)
        assert_runs_equal(b.runs[i], back.runs[i]);
    char *second = ad_json_report_dump(&back);
    assert_string_equal(first, second);
    /* and the FILE * writer writes the same */
    char *third = NULL;
    FX_CAPTURE(third, assert_int_equal(ad_json_report_write(out, &back), 0));
    assert_string_equal(first, third);
    free(first);
    free(second);
    free(third);
    ad_json_report_free(&back);
    assert_null(back.runs);
    free_bench_doc(&b);
}

/* Latencies of a mixed distribution: the i-th of n. */
static int64_t sample(int i)
{
    return (int64_t)(50 * FX_US + (i * 7919 % 1000) * 3 * FX_US + (i % 13 == 0 ? 2 * FX_S : 0));
}

static void test_merge_equals_one_run(void **state)
{
    (void)state;
    /* two "hosts" measure halves of the requests; their documents are merged */
    ad_run_result_t *part[2] = {fx_new("/non-blocking", "http://a/", 10), fx_new("/non-blocking", "http://b/", 10)};
    ad_run_result_t *all = fx_new("/non-blocking", "http://all/", 20);
    for (int i = 0; i < 3000; i++) {
        int64_t sent = i * 100 * FX_US;
        fx_add(part[i % 2], sent, sent, sent + sample(i), i % 17 == 0 ? 500 : 200, AD_ERR_NONE, 0, i, 0);
        fx_add(all, sent, sent, sent + sample(i), i % 17 == 0 ? 500 : 200, AD_ERR_NONE, 0, i, 0);
    }
    ad_run_result_t *merged = NULL;
    for (int k = 0; k < 2; k++) {
        ad_run_result_t *runs[] = {part[k]};
        ad_json_report_t doc = {.command = "bench", .runs = runs, .nruns = 1};
        char *text = ad_json_report_dump(&doc), err[256] = "";
        ad_json_report_t back;
        assert_int_equal(ad_json_report_read_text(text, strlen(text), &back, err, sizeof(err)), 0);
        if (merged == NULL) {
            merged = fx_new("", "", 0);
            *merged = *back.runs[0];
        } else {
            ad_run_result_merge(merged, back.runs[0]);
        }
        ad_json_report_free(&back);
        free(text);
    }
    assert_int_equal(merged->latency.count, all->latency.count);
    assert_int_equal(merged->latency.min, all->latency.min);
    assert_int_equal(merged->latency.max, all->latency.max);
    assert_true(merged->latency.sum == all->latency.sum);
    assert_memory_equal(merged->latency.buckets, all->latency.buckets, sizeof(all->latency.buckets));
    static const double ps[] = {50, 75, 90, 99, 99.9, 99.99};
    for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
        assert_int_equal(ad_hist_percentile(&merged->latency, ps[i]), ad_hist_percentile(&all->latency, ps[i]));
    assert_int_equal(merged->completed, all->completed);
    assert_int_equal(merged->ok, all->ok);
    assert_int_equal(merged->errors[AD_ERR_STATUS], all->errors[AD_ERR_STATUS]);
    assert_memory_equal(merged->statuses, all->statuses, sizeof(all->statuses));
    free(merged);
    free(part[0]);
    free(part[1]);
    free(all);
}

/* Loads our document, applies an edit at a path, and expects the reader to refuse naming `want`. */
typedef void (*edit_fn)(json_t *doc);

static void expect_refused(edit_fn edit, const char *want)
{
    bench_doc_t b;
    make_bench_doc(&b);
    char *text = ad_json_report_dump(&b.doc), err[256] = "";
    json_t *j = parse(text);
    edit(j);
    ad_json_report_t back;
    assert_int_equal(ad_json_report_read(j, &back, err, sizeof(err)), -1);
    if (strstr(err, want) == NULL)
        fail_msg("reader's message '%s' lacks '%s'", err, want);
    assert_null(back.runs);
    assert_null(back.options);
    ad_json_report_free(&back);
    json_decref(j);
    free(text);
    free_bench_doc(&b);
}

static json_t *run0(json_t *j)
{
    return json_array_get(json_object_get(j, "runs"), 0);
}

static void e_schema(json_t *j)
{
    json_object_set_new(j, "schema", json_string("asyncdemo-bench/2"));
}
static void e_no_runs(json_t *j)
{
    json_object_del(j, "runs");
}
static void e_command(json_t *j)
{
    json_object_set_new(j, "command", json_string("stats"));
}
static void e_started(json_t *j)
{
    json_object_set_new(j, "started", json_string("yesterday"));
}
static void e_options(json_t *j)
{
    json_object_set_new(j, "options", json_array());
}
static void e_comparisons(json_t *j)
{
    json_object_del(j, "comparisons");
}
static void e_sent_type(json_t *j)
{
    json_object_set_new(run0(j), "sent", json_string("5"));
}
static void e_negative(json_t *j)
{
    json_object_set_new(run0(j), "ok", json_integer(-1));
}
static void e_counts(json_t *j)
{
    json_object_set_new(run0(j), "ok", json_integer(4));
}
static void e_sent_lt(json_t *j)
{
    json_object_set_new(run0(j), "sent", json_integer(2));
}
static void e_error_class(json_t *j)
{
    json_t *rec = json_array_get(json_object_get(run0(j), "requests"), 1);
    json_object_set_new(rec, "error", json_string("boom"));
}
static void e_hist(json_t *j)
{
    json_t *h = json_object_get(json_object_get(run0(j), "latency"), "histogram");
    json_object_set_new(h, "count", json_integer(6));
}
static void e_hist_count(json_t *j)
{
    json_object_set_new(json_object_get(run0(j), "latency"), "count", json_integer(4));
}
static void e_status_key(json_t *j)
{
    json_object_set_new(json_object_get(run0(j), "statuses"), "2xx", json_integer(1));
}
static void e_elapsed(json_t *j)
{
    json_object_set_new(run0(j), "elapsed_seconds", json_real(-1));
}
static void e_name_long(json_t *j)
{
    char name[AD_RUN_NAME_MAX + 100];
    memset(name, 'x', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    json_object_set_new(run0(j), "name", json_string(name));
}
static void e_too_many_records(json_t *j)
{
    json_t *reqs = json_object_get(run0(j), "requests"), *one = json_array_get(reqs, 0);
    for (int i = 0; i < AD_RECORDS_MAX; i++)
        json_array_append(reqs, one);
}
static void e_run_not_object(json_t *j)
{
    json_array_set_new(json_object_get(j, "runs"), 1, json_integer(1));
}
static void e_seq(json_t *j)
{
    json_t *rec = json_array_get(json_object_get(run0(j), "requests"), 0);
    json_object_set_new(rec, "server_seq", json_string("1"));
}
static void e_not_object(json_t *j)
{
    json_object_clear(j);
}
static void e_interrupted(json_t *j)
{
    json_object_set_new(j, "interrupted", json_string("yes"));
}
static void e_engine(json_t *j)
{
    json_object_set_new(run0(j), "engine", json_integer(2));
}
static void e_loops(json_t *j)
{
    json_object_set_new(run0(j), "loops", json_integer(-2));
}

static void test_reader_refuses(void **state)
{
    (void)state;
    expect_refused(e_schema, "schema: 'asyncdemo-bench/2' is not asyncdemo-bench/1");
    expect_refused(e_no_runs, "runs: missing");
    expect_refused(e_command, "command: 'stats'");
    expect_refused(e_started, "started: 'yesterday' is not an RFC 3339");
    expect_refused(e_options, "options: expected an object");
    expect_refused(e_comparisons, "comparisons: missing");
    expect_refused(e_sent_type, "runs[0].sent: expected a non-negative integer");
    expect_refused(e_negative, "runs[0].ok: -1 is out of range");
    expect_refused(e_counts, "runs[0].completed: 5 is not ok (4) + errors (0)");
    expect_refused(e_sent_lt, "runs[0].sent: 2 is less than completed");
    expect_refused(e_error_class, "runs[0].requests[1].error: expected null or one of");
    expect_refused(e_hist, "runs[0].latency.histogram:");
    expect_refused(e_hist_count, "runs[0].latency.count: 4 differs");
    expect_refused(e_status_key, "runs[0].statuses: '2xx' is not an HTTP status");
    expect_refused(e_elapsed, "runs[0].elapsed_seconds: -1 is out of range");
    expect_refused(e_name_long, "runs[0].name: longer than 319 bytes");
    expect_refused(e_too_many_records, "runs[0].requests: more than 1000 records");
    expect_refused(e_run_not_object, "runs[1]: expected an object");
    expect_refused(e_seq, "runs[0].requests[0].server_seq: expected null");
    expect_refused(e_not_object, "schema: missing");
    expect_refused(e_interrupted, "interrupted: expected true or false");
    expect_refused(e_engine, "runs[0].engine: expected a string");
    expect_refused(e_loops, "runs[0].loops: -2 is out of range");
}

/* Documents written before engine, loops, streams and interrupted were added are still read. */
static void test_reader_takes_older_documents(void **state)
{
    (void)state;
    bench_doc_t b;
    make_bench_doc(&b);
    char *text = ad_json_report_dump(&b.doc), err[256] = "";
    json_t *j = parse(text);
    json_object_del(j, "interrupted");
    for (size_t i = 0; i < 3; i++) {
        json_t *run = json_array_get(json_object_get(j, "runs"), i);
        json_object_del(run, "engine");
        json_object_del(run, "loops");
        json_object_del(run, "streams");
        json_object_del(run, "interrupted");
    }
    ad_json_report_t back;
    if (ad_json_report_read(j, &back, err, sizeof(err)) != 0)
        fail_msg("an older document: %s", err);
    assert_false(back.interrupted);
    assert_string_equal(back.runs[0]->engine, "");
    assert_int_equal(back.runs[0]->loops, 0);
    assert_int_equal(back.runs[0]->streams, 0);
    ad_json_report_free(&back);
    json_decref(j);
    free(text);
    free_bench_doc(&b);
}

static void test_reader_text_errors(void **state)
{
    (void)state;
    ad_json_report_t doc;
    char err[256];
    assert_int_equal(ad_json_report_read_text("{\"schema\": ", 11, &doc, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not JSON"));
    assert_int_equal(ad_json_report_read_text("", 0, &doc, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not JSON"));
    assert_int_equal(ad_json_report_read_text("[1,2]", 5, &doc, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "expected an object"));
    assert_int_equal(ad_json_report_read_text("{\"a\":1,\"a\":2}", 13, &doc, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not JSON"));
    assert_null(doc.runs);
}

static void test_empty_run(void **state)
{
    (void)state;
    /* nothing completed: zeros, not garbage; still reads back */
    ad_run_result_t *r = fx_new("/x", "http://h/x", 1);
    ad_run_result_t *runs[] = {r};
    ad_json_report_t doc = {.command = "bench", .runs = runs, .nruns = 1};
    char *text = ad_json_report_dump(&doc), err[256] = "";
    json_t *schema = load_schema(), *j = parse(text);
    const char *p = validate(j, schema, "$");
    if (p != NULL)
        fail_msg("empty run does not validate: %s", p);
    json_t *lat = json_object_get(json_array_get(json_object_get(j, "runs"), 0), "latency");
    assert_true(json_number_value(json_object_get(lat, "min")) == 0);
    assert_true(json_number_value(json_object_get(lat, "p99")) == 0);
    ad_json_report_t back;
    assert_int_equal(ad_json_report_read_text(text, strlen(text), &back, err, sizeof(err)), 0);
    assert_int_equal(back.runs[0]->latency.count, 0);
    ad_json_report_free(&back);
    json_decref(j);
    json_decref(schema);
    free(text);
    free(r);
}

/* Damaged documents (bytes changed, text cut) are refused or read, never crash or leak. */
static void test_damaged_documents(void **state)
{
    (void)state;
    bench_doc_t b;
    make_bench_doc(&b);
    char *text = ad_json_report_dump(&b.doc);
    size_t len = strlen(text);
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    uint32_t seed = 777;
    static const char repl[] = "0123456789-.eE\"{}[],:nulltruefalse x";
    int refused = 0;
    for (int round = 0; round < 400; round++) {
        memcpy(copy, text, len + 1);
        size_t n = len;
        for (int k = 0; k < 3; k++) {
            seed = seed * 1103515245u + 12345u;
            copy[(seed >> 4) % len] = repl[(seed >> 20) % (sizeof(repl) - 1)];
        }
        if (round % 5 == 0)
            n = (seed >> 3) % len;
        ad_json_report_t back;
        char err[256] = "";
        if (ad_json_report_read_text(copy, n, &back, err, sizeof(err)) != 0) {
            assert_true(err[0] != '\0');
            refused++;
        }
        ad_json_report_free(&back);
    }
    assert_true(refused > 0);
    free(copy);
    free(text);
    free_bench_doc(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document_validates),
        cmocka_unit_test(test_compare_document),
        cmocka_unit_test(test_write_read_write),
        cmocka_unit_test(test_merge_equals_one_run),
        cmocka_unit_test(test_reader_refuses),
        cmocka_unit_test(test_reader_text_errors),
        cmocka_unit_test(test_reader_takes_older_documents),
        cmocka_unit_test(test_empty_run),
        cmocka_unit_test(test_damaged_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
