/*
 * `asyncdemoctl bench`: each endpoint in turn through the multi engine; a report section per endpoint
 * as it finishes, then the ratios and the timeline (or the JSON document), the journal entries and the
 * final STATUS=.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "clock.h"
#include "cmd_common.h"
#include "i18n.h"
#include "commands.h"
#include "engine.h"
#include "file_read.h"
#include "json_report.h"
#include "json_writer.h"
#include "progress.h"
#include "transfer.h"

/* The run's name: the endpoint's path without its query ("/blocking"), or more of it where two endpoints
 * share a path (ad_run_unique_name). */
static void endpoint_name(const ad_bench_opts_t *o, size_t i, char *buf, size_t size)
{
    char paths[AD_CTL_ENDPOINTS_MAX][AD_CTL_ENDPOINT_MAX];
    const char *shorts[AD_CTL_ENDPOINTS_MAX], *longs[AD_CTL_ENDPOINTS_MAX];
    for (size_t j = 0; j < o->nendpoints; j++) {
        size_t len = strcspn(o->endpoints[j], "?");
        if (len == 0)
            snprintf(paths[j], sizeof(paths[j]), "/");
        else
            snprintf(paths[j], sizeof(paths[j]), "%.*s", (int)len, o->endpoints[j]);
        shorts[j] = paths[j];
        longs[j] = o->endpoints[j];
    }
    ad_run_unique_name(shorts, longs, o->nendpoints, i, buf, size);
}

/*
 * The engine: --engine, else $ASYNCDEMOCTL_ENGINE ("auto", "curl", "h2o", "nghttp2"; unset or empty = auto), the
 * older way scripts choose one (bench/ctl/bench_ctl.py). Returns 0, or -1 after printing why.
 */
static int choose_engine(const ad_bench_opts_t *o, ad_engine_backend_id_t *id)
{
    ad_bench_engine_t e = o->engine;
    const char *v = getenv("ASYNCDEMOCTL_ENGINE");
    if (!o->engine_set && v != NULL && v[0] != '\0' && ad_bench_engine_from_name(v, &e) != 0) {
        ad_cmd_error(_("ASYNCDEMOCTL_ENGINE='%s': expected auto, curl, h2o or nghttp2"), v);
        return -1;
    }
    const char *refused = o->engine_set ? NULL : ad_bench_engine_refusal(e, o->h2);
    if (refused != NULL) {
        ad_cmd_error("ASYNCDEMOCTL_ENGINE=%s: %s", v, refused);
        return -1;
    }
    /* h2c goes through the nghttp2 engine, but with --engine curl through libcurl, whose streams on kept
     * connections such a libcurl breaks */
    if (o->h2 && !o->base.https && e == AD_BENCH_ENGINE_CURL && ad_transfer_h2c_reuse_broken()) {
        ad_cmd_error(_("--h2 over http:// (h2c) with --engine curl needs libcurl 8.0 or later (this one is %s); use "
                       "the nghttp2 engine or https://"),
                     curl_version_info(CURLVERSION_NOW)->version);
        return -1;
    }
    static const ad_engine_backend_id_t ids[] = {
        [AD_BENCH_ENGINE_AUTO] = AD_ENGINE_AUTO,
        [AD_BENCH_ENGINE_CURL] = AD_ENGINE_CURL,
        [AD_BENCH_ENGINE_H2O] = AD_ENGINE_H2O,
        [AD_BENCH_ENGINE_NGHTTP2] = AD_ENGINE_NGHTTP2,
    };
    *id = ids[e];
    return 0;
}

/* One endpoint's run. Returns 0, or an exit status after printing why. */
static int bench_one(const ad_bench_opts_t *o, size_t i, const ad_target_t *target, ad_engine_backend_id_t backend,
                     ad_run_result_t *r)
{
    char name[AD_RUN_NAME_MAX], err[256];
    ad_url_t u;
    if (ad_bench_endpoint_target(o, i, &u) != 0) {
        ad_cmd_error(_("endpoint %s: the URL is too long"), o->endpoints[i]);
        return AD_CTL_EXIT_USAGE;
    }
    endpoint_name(o, i, name, sizeof(name));
    ad_run_result_init(r, name, &u);
    ad_series_init(&r->series, o->interval_ns);
    r->ramped = o->nstages > 0;

    ad_progress_t progress;
    ad_progress_init(&progress, "bench", name, !o->no_progress);
    ad_engine_plan_t plan = {
        .target = &u,
        .shape = &o->shape,
        .tls = &o->tls,
        .address = &target->address,
        .concurrency = o->h2 ? o->concurrency * o->streams : o->concurrency,
        .streams = o->h2 ? o->streams : 0,
        .requests = o->requests,
        .duration_ns = o->duration_ns,
        .rate = o->rate,
        .stages = o->stages,
        .nstages = o->nstages,
        .schedule_phase = ad_shard_phase(o),
        .timeout_ns = o->timeout_ns,
        .keepalive = o->keepalive,
        .warmup_ns = o->warmup_ns,
        .threads = o->threads,
        .resolve = target->resolve,
        .direct = true,
        .backend = backend,
        .progress = (progress.tty || progress.notify) ? ad_progress_update : NULL,
        .progress_ud = &progress,
    };
    int rc = ad_engine_run(&plan, r, err, sizeof(err));
    ad_progress_clear(&progress);
    if (rc != 0) {
        ad_cmd_error(_("bench %s: %s"), name, err);
        return AD_CTL_EXIT_SOFTWARE;
    }
    return 0;
}

void ad_bench_report_end(const ad_cmd_runs_t *r)
{
    if (r->n > 1) {
        ad_report_ratios(r->dest.out, (const ad_run_result_t *const *)r->runs, r->n, &r->st);
        fputc('\n', r->dest.out);
    }
}

/*
 * --start-at: sleeps until the wall clock reads t (the shards of a test start together). Returns 0; or
 * AD_CTL_EXIT_USAGE after printing why when t has passed (a late shard would send its share out of step),
 * AD_CTL_EXIT_INTERRUPTED when stopped while waiting.
 */
static int wait_for_start(int64_t t)
{
    int64_t now = ad_wall_ns();
    if (t < now) {
        char when[40];
        ad_format_utc(t, 3, when, sizeof(when));
        ad_cmd_error(_("--start-at %s passed %.3f s ago: start the shards earlier"), when, (double)(now - t) / 1e9);
        return AD_CTL_EXIT_USAGE;
    }
    struct timespec until = {.tv_sec = t / AD_NS_PER_SEC, .tv_nsec = t % AD_NS_PER_SEC};
    while (!ad_engine_stop_requested() && clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL) == EINTR)
        ;
    return ad_engine_stop_requested() ? AD_CTL_EXIT_INTERRUPTED : 0;
}

/* The JSON document's options: bench's, and the host that ran it (to tell shards' documents apart). */
static json_t *json_options(const ad_bench_opts_t *o)
{
    json_t *j = ad_json_options_bench(o);
    char host[256];
    if (j != NULL && gethostname(host, sizeof(host)) == 0) {
        host[sizeof(host) - 1] = '\0';
        json_object_set_new(j, "host", json_string(host));
    }
    return j;
}

/* Every endpoint in turn, then the report. */
static int bench_all(ad_bench_opts_t *o, const char *heading, bool lesson, ad_engine_backend_id_t backend)
{
    ad_cmd_runs_t r;
    int rc = ad_cmd_runs_begin(&r, &AD_CMD_RUNS_SPEC(o, "bench", heading, &o->base, o->nendpoints));
    if (rc != 0)
        return rc;
    r.lesson = lesson;
    r.thresholds = o->fail_if;
    r.nthresholds = o->nfail_if;
    r.html = o->html[0] != '\0' ? o->html : NULL;
    for (size_t i = 0; i < o->nendpoints && !ad_engine_stop_requested(); i++) {
        if (i == 0 && o->start_at_wall_ns > 0 && (rc = wait_for_start(o->start_at_wall_ns)) != 0)
            break;
        ad_run_result_t *run = malloc(sizeof(*run));
        if (run == NULL) {
            ad_cmd_error("%s", _("out of memory"));
            rc = AD_CTL_EXIT_SOFTWARE;
            break;
        }
        rc = bench_one(o, i, &r.target, backend, run);
        if (rc != 0) {
            free(run);
            break;
        }
        ad_cmd_runs_add(&r, run);
    }
    return ad_cmd_runs_end(&r, rc, o->json ? json_options(o) : NULL, ad_bench_report_end);
}

/* --body-file, read once: every request sends the same bytes. NULL and an error printed when it cannot be read. */
static char *read_body_file(ad_request_shape_t *shape)
{
    char *body, err[AD_CTL_PATH_MAX + 128];
    size_t len;
    if (ad_file_read(shape->body_file, AD_CTL_BODY_MAX, _("request body"), &body, &len, err, sizeof(err)) != 0) {
        ad_cmd_error("--body-file: %s", err);
        return NULL;
    }
    shape->body = body;
    shape->body_len = len;
    return body;
}

int ad_bench_execute(ad_bench_opts_t *o, const char *heading, bool lesson)
{
    if (o->threads == 0)
        o->threads = ad_bench_auto_threads(sysconf(_SC_NPROCESSORS_ONLN), o->concurrency);
    ad_engine_backend_id_t backend;
    if (choose_engine(o, &backend) != 0)
        return AD_CTL_EXIT_USAGE;
    char *body_file = NULL;
    if (o->shape.body_file != NULL && (body_file = read_body_file(&o->shape)) == NULL)
        return AD_CTL_EXIT_USAGE;
    int rc = bench_all(o, heading, lesson, backend);
    free(body_file);
    o->shape.body = NULL;
    return rc;
}

/* The subcommand run on its own: no heading, no lesson. */
static int run(ad_bench_opts_t *o)
{
    return ad_bench_execute(o, NULL, false);
}

AD_CMD_ENTRY(ad_cmd_bench, AD_CMD_BENCH, ad_bench_opts_t, ad_ctl_parse_bench, run)
