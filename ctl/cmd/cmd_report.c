/*
 * `asyncdemoctl report FILE...`: bench or compare --json documents read back (from several runs or hosts),
 * runs of the same name merged exactly (result_merge.h), then the report bench or compare prints, or the
 * merged document, whose options record the files it came from.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "cmd_common.h"
#include "commands.h"
#include "i18n.h"
#include "json_report.h"
#include "result_merge.h"

/* The whole of path ("-": stdin) into b. Returns 0, or -1 after printing why. */
static int read_all(const char *path, ad_buf_t *b)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (f == NULL) {
        ad_cmd_error("report: %s: %s", path, strerror(errno));
        return -1;
    }
    size_t got;
    do {
        if (!ad_buf_reserve(b, 65536))
            break;
        got = fread(b->buf + b->len, 1, 65536, f);
        b->len += got;
        b->buf[b->len] = '\0';
    } while (got > 0);
    int failed = ferror(f) || b->failed;
    if (f != stdin)
        fclose(f);
    if (failed) {
        ad_cmd_error("report: %s: %s", path, b->failed ? _("out of memory") : _("read error"));
        return -1;
    }
    return 0;
}

/* The merged document's options: the first file's, with "sources": [{file, command, version, started, runs}]. */
static json_t *merged_options(const ad_json_report_t *docs, const char *const *files, size_t n)
{
    json_t *o = docs[0].options != NULL ? json_deep_copy(docs[0].options) : json_object();
    json_t *sources = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_pack("{s:s, s:s, s:s, s:f, s:I}", "file", files[i], "command", docs[i].command, "version",
                              docs[i].version, "started", (double)docs[i].started_wall_ns / 1e9, "runs",
                              (json_int_t)docs[i].nruns);
        /* where each came from, as its own options say (bench --shard, the host it ran on) */
        static const char *const keep[] = {"shard", "host"};
        for (size_t k = 0; k < 2; k++) {
            json_t *v = docs[i].options != NULL ? json_object_get(docs[i].options, keep[k]) : NULL;
            if (v != NULL)
                json_object_set(s, keep[k], v);
        }
        json_array_append_new(sources, s);
    }
    /* the whole test's, not the first shard's: the shards' shares added up */
    if (json_object_get(o, "shard") != NULL) {
        static const char *const shares[] = {"requests", "concurrency", "rate"};
        for (size_t k = 0; k < 3; k++) {
            double sum = 0;
            for (size_t i = 0; i < n; i++)
                sum += docs[i].options != NULL ? json_number_value(json_object_get(docs[i].options, shares[k])) : 0;
            json_t *v = json_object_get(o, shares[k]);
            if (json_is_integer(v))
                json_object_set_new(o, shares[k], json_integer((json_int_t)sum));
            else if (json_is_real(v))
                json_object_set_new(o, shares[k], json_real(sum));
        }
    }
    json_object_del(o, "shard");
    json_object_del(o, "host");
    json_object_set_new(o, "sources", sources);
    return o;
}

/* The text report's first line: how many documents (hosts, shards, runs) the figures below add up. */
static void merged_heading(const ad_json_report_t *docs, const char *const *files, size_t n, const char *origin,
                           ad_run_result_t *const *runs, size_t nruns, char *buf, size_t size)
{
    /* TRANSLATORS: report's first line, then the files: "report: 2 bench documents merged: a.json, b.json" */
    size_t len = (size_t)snprintf(
        buf, size, NG_("report: %zu %s document merged:", "report: %zu %s documents merged:", n), n, docs[0].command);
    for (size_t i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s %s", i ? "," : "",
                                strcmp(files[i], "-") ? files[i] : _("(stdin)"));
    if (origin[0] != '\0' && len < size)
        len += (size_t)snprintf(buf + len, size - len, _("\nfrom %s"), origin);
    char partial[1024];
    if (ad_result_merge_partial(docs, files, n, runs, nruns, partial, sizeof(partial)) > 0 && len < size)
        snprintf(buf + len, size - len, _("\nkept apart, not in every document:\n%s"), partial);
}

static int report_execute(ad_report_opts_t *o)
{
    ad_json_report_t *docs = calloc(o->nfiles, sizeof(*docs));
    if (docs == NULL) {
        ad_cmd_error("%s", _("out of memory"));
        return AD_CTL_EXIT_SOFTWARE;
    }
    int rc = 0;
    size_t nread = 0;
    for (; nread < o->nfiles && rc == 0; nread++) {
        ad_buf_t b;
        char err[512];
        ad_buf_init(&b, 65536);
        if (read_all(o->files[nread], &b) != 0) {
            rc = AD_CTL_EXIT_USAGE;
        } else if (ad_json_report_read_text(b.buf, b.len, &docs[nread], err, sizeof(err)) != 0) {
            ad_cmd_error("report: %s: %s", o->files[nread], err);
            rc = AD_CTL_EXIT_USAGE;
        }
        ad_buf_free(&b);
    }
    ad_run_result_t **merged = NULL;
    size_t nmerged = 0;
    char err[1536], origin[512] = "";
    if (rc == 0 && ad_result_merge_origin(docs, o->files, o->nfiles, origin, sizeof(origin), err, sizeof(err)) != 0) {
        ad_cmd_error("report: %s", err);
        rc = AD_CTL_EXIT_USAGE;
    }
    if (rc == 0 && ad_result_merge_docs(docs, o->files, o->nfiles, &merged, &nmerged, err, sizeof(err)) != 0) {
        ad_cmd_error("report: %s", err);
        rc = AD_CTL_EXIT_USAGE;
    }
    ad_cmd_runs_t r;
    bool compare = rc == 0 && strcmp(docs[0].command, "compare") == 0;
    char heading[2800];
    if (rc == 0) {
        merged_heading(docs, o->files, o->nfiles, origin, merged, nmerged, heading, sizeof(heading));
        ad_cmd_runs_spec_t spec = {.command = docs[0].command,
                                   .heading = heading,
                                   .output = o->output,
                                   .json = o->json,
                                   .ascii = o->ascii,
                                   .timeline = !o->no_timeline,
                                   .color = o->color,
                                   .max_runs = nmerged};
        rc = ad_cmd_runs_begin(&r, &spec);
    }
    if (rc == 0) {
        r.command = compare ? "compare" : "bench"; /* docs are freed before the end */
        r.thresholds = o->fail_if;
        r.nthresholds = o->nfail_if;
        r.html = o->html[0] != '\0' ? o->html : NULL;
        r.started_wall_ns = docs[0].started_wall_ns;
        for (size_t i = 1; i < o->nfiles; i++)
            if (docs[i].started_wall_ns < r.started_wall_ns)
                r.started_wall_ns = docs[i].started_wall_ns;
        json_t *options = o->json ? merged_options(docs, o->files, o->nfiles) : NULL;
        for (size_t i = 0; i < nmerged; i++)
            ad_cmd_runs_add(&r, merged[i]);
        nmerged = 0;
        for (size_t i = 0; i < nread; i++)
            ad_json_report_free(&docs[i]);
        nread = 0;
        rc = ad_cmd_runs_end(&r, 0, options, compare ? ad_compare_report_end : ad_bench_report_end);
    }
    for (size_t i = 0; i < nmerged; i++)
        free(merged[i]);
    free(merged);
    for (size_t i = 0; i < nread; i++)
        ad_json_report_free(&docs[i]);
    free(docs);
    return rc;
}

AD_CMD_ENTRY(ad_cmd_report, AD_CMD_REPORT, ad_report_opts_t, ad_ctl_parse_report, report_execute)
