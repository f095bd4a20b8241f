/* Each subcommand's options: defaults, its own flags, what follows from them (see options.h). */
#include "options.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "digits.h"
#include "flags.h"
#include "i18n.h"
#include "json_writer.h"

#define VAL AD_FLAG_VAL

static int parse_endpoint(const char *flag, const char *v, ad_bench_opts_t *o, char *err, size_t errlen)
{
    if (o->nendpoints == AD_CTL_ENDPOINTS_MAX)
        return ad_fail(err, errlen, _("%s: at most %d endpoints"), flag, AD_CTL_ENDPOINTS_MAX);
    if (v[0] != '/')
        return ad_fail(err, errlen, _("%s: '%.64s' must be a path starting with '/' (e.g. /non-blocking)"), flag, v);
    if (strlen(v) >= AD_CTL_ENDPOINT_MAX)
        return ad_fail(err, errlen, _("%s: '%.64s' is too long (at most %d bytes)"), flag, v, AD_CTL_ENDPOINT_MAX - 1);
    for (const char *p = v; *p != '\0'; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '#')
            return ad_fail(err, errlen, _("%s: '%.64s' contains a space, control character or '#'"), flag, v);
    memcpy(o->endpoints[o->nendpoints++], v, strlen(v) + 1);
    return 0;
}

static int parse_modes(const char *flag, const char *v, ad_compare_opts_t *o, char *err, size_t errlen)
{
    o->nmodes = 0;
    const char *p = v;
    for (;;) {
        size_t len = strcspn(p, ",");
        int m = ad_compare_mode_from_name(p, len);
        if (m < 0)
            return ad_fail(err, errlen, _("%s: '%.*s' is not a mode (sequential, async, threads, processes)"), flag,
                           (int)(len > 64 ? 64 : len), p);
        for (size_t i = 0; i < o->nmodes; i++)
            if (o->modes[i] == (ad_compare_mode_t)m)
                return ad_fail(err, errlen, _("%s: mode '%s' given twice"), flag,
                               ad_compare_mode_name((ad_compare_mode_t)m));
        o->modes[o->nmodes++] = (ad_compare_mode_t)m;
        if (p[len] == '\0')
            return 0;
        p += len + 1;
    }
}

/* ---- defaults ---- */

int64_t ad_ctl_default_timeout(int64_t delay_ns)
{
    int64_t floor_ns = 30 * AD_NS_PER_SEC;
    if (delay_ns > (INT64_MAX - 10 * AD_NS_PER_SEC) / 5)
        return INT64_MAX;
    int64_t t = 5 * delay_ns + 10 * AD_NS_PER_SEC;
    return t > floor_ns ? t : floor_ns;
}

static void set_base(ad_url_t *u, char *canon, size_t canonlen, const char *url)
{
    ad_url_parse(url, u, NULL, 0);
    ad_url_format(u, canon, canonlen);
}

void ad_bench_opts_default(ad_bench_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    set_base(&o->base, o->url, sizeof(o->url), AD_CTL_DEFAULT_BASE_URL);
    static const char *const eps[] = {"/blocking", "/non-blocking", "/offload"};
    for (size_t i = 0; i < 3; i++)
        snprintf(o->endpoints[i], sizeof(o->endpoints[i]), "%s", eps[i]);
    o->nendpoints = 3;
    o->requests = 5;
    o->concurrency = 5;
    o->delay_ns = 2 * AD_NS_PER_SEC;
    o->timeout_ns = ad_ctl_default_timeout(o->delay_ns);
    o->keepalive = true;
    o->threads = 0; /* auto */
    o->interval_ns = AD_NS_PER_SEC;
}

unsigned ad_bench_auto_threads(long ncpu, unsigned concurrency)
{
    unsigned n = ncpu < 1 ? 1 : ncpu > AD_CTL_THREADS_MAX ? AD_CTL_THREADS_MAX : (unsigned)ncpu;
    if (concurrency > 0 && n > concurrency)
        n = concurrency;
    return n;
}

void ad_compare_opts_default(ad_compare_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    set_base(&o->target, o->url, sizeof(o->url), AD_CTL_DEFAULT_COMPARE_URL);
    o->n = 5;
    for (int m = 0; m < AD_MODE_COUNT; m++)
        o->modes[o->nmodes++] = (ad_compare_mode_t)m;
    o->timeout_ns = 60 * AD_NS_PER_SEC;
    o->max_parallel = AD_CTL_MAX_PARALLEL_DEFAULT;
}

void ad_stats_opts_default(ad_stats_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    set_base(&o->target, o->url, sizeof(o->url), AD_CTL_DEFAULT_BASE_URL "/stats");
    o->interval_ns = AD_NS_PER_SEC;
    o->timeout_ns = 5 * AD_NS_PER_SEC;
}

void ad_demo_opts_default(ad_demo_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    set_base(&o->base, o->url, sizeof(o->url), AD_CTL_DEFAULT_BASE_URL);
    o->delay_ns = 2 * AD_NS_PER_SEC;
    o->n = 5;
    o->timeout_ns = ad_ctl_default_timeout(o->delay_ns);
}

/* ---- bench ---- */

static int prefix_len(const ad_url_t *u);

/* The paths /blocking, /non-blocking, /offload (after the base's prefix) take ?delay=. */
static bool is_delay_endpoint(const char *ep)
{
    size_t len = strcspn(ep, "?");
    static const char *const names[] = {"/blocking", "/non-blocking", "/offload"};
    for (size_t i = 0; i < 3; i++)
        if (strlen(names[i]) == len && memcmp(ep, names[i], len) == 0)
            return true;
    return false;
}

static bool has_delay_param(const char *ep)
{
    const char *q = strchr(ep, '?');
    while (q != NULL) {
        if (strncmp(q + 1, "delay=", 6) == 0)
            return true;
        q = strchr(q + 1, '&');
    }
    return false;
}

/* Seconds exactly, trailing zeros dropped: the daemon's syntax (digits.h). */
static void format_seconds(int64_t ns, char out[AD_SECONDS_MAX + 1])
{
    out[ad_seconds_exact(ns, out)] = '\0';
}

int ad_bench_endpoint_target(const ad_bench_opts_t *o, size_t i, ad_url_t *u)
{
    *u = o->base;
    if (i >= o->nendpoints)
        return -1;
    const char *ep = o->endpoints[i];
    char delay[40] = "";
    if (is_delay_endpoint(ep) && !has_delay_param(ep)) {
        char secs[AD_SECONDS_MAX + 1];
        format_seconds(o->delay_ns, secs);
        snprintf(delay, sizeof(delay), "%cdelay=%s", strchr(ep, '?') != NULL ? '&' : '?', secs);
    }
    /* the base path is a prefix ("/" or "/proxy/"): joined without doubling the slash */
    int n = snprintf(u->path, sizeof(u->path), "%.*s%s%s", prefix_len(&o->base), o->base.path, ep, delay);
    return n >= 0 && (size_t)n < sizeof(u->path) ? 0 : -1;
}

/* Applies one of bench's own flags (apart from the loop, so both stay short). */
static int bench_flag(void *opts, int id, const char *f, const char *v, ad_flags_seen_t seen, char *err, size_t errlen)
{
    ad_bench_opts_t *o = opts;
    switch (id) {
    case F_ENDPOINT:
        if ((seen & SEEN(F_ENDPOINT)) == 0)
            o->nendpoints = 0; /* the first --endpoint replaces the defaults */
        return parse_endpoint(f, v, o, err, errlen);
    case F_REQUESTS:
        o->requests_set = true;
        return ad_flag_count(f, v, 1, UINT64_C(1000000000000), &o->requests, err, errlen);
    case F_CONCURRENCY:
        return ad_flag_unsigned(f, v, 1, AD_CTL_CONCURRENCY_MAX, &o->concurrency, err, errlen);
    case F_DURATION:
        return ad_flag_duration(f, v, false, &o->duration_ns, err, errlen);
    case F_RATE:
        if (strchr(v, ':') != NULL) {
            char why[160];
            int n = ad_stages_parse(v, o->stages, why, sizeof(why));
            if (n < 0)
                return ad_fail(err, errlen, "%s: " VAL ": %s", f, v, why);
            o->nstages = (size_t)n;
            return 0;
        }
        o->nstages = 0;
        return ad_flag_rate(f, v, &o->rate, err, errlen);
    case F_NO_KEEPALIVE:
        o->keepalive = false;
        return 0;
    case F_WARMUP:
        return ad_flag_duration(f, v, true, &o->warmup_ns, err, errlen);
    case F_DELAY:
        return ad_flag_duration(f, v, true, &o->delay_ns, err, errlen);
    case F_THREADS:
        return ad_flag_unsigned(f, v, 1, AD_CTL_THREADS_MAX, &o->threads, err, errlen);
    case F_FAIL_IF:
        return ad_flag_fail_if(f, v, o->fail_if, &o->nfail_if, err, errlen);
    case F_SHARD:
        return ad_shard_parse(f, v, o, err, errlen);
    case F_HTML:
        return ad_flag_file(f, v, false, o->html, err, errlen);
    case F_INTERVAL:
        if (ad_flag_duration(f, v, false, &o->interval_ns, err, errlen) != 0)
            return AD_CTL_PARSE_ERROR;
        if (o->interval_ns < AD_NS_PER_MS)
            return ad_fail(err, errlen, _("%s: '%.64s' is below 1ms"), f, v);
        return 0;
    case F_START_AT:
        if (ad_parse_utc(v, true, &o->start_at_wall_ns) != 0)
            return ad_fail(err, errlen,
                           _("%s: '%.64s' is not an RFC 3339 time (2026-12-04T15:00:00Z, or +01:00 for Z)"), f, v);
        return 0;
    case F_METHOD:
        return ad_request_shape_method(&o->shape, f, v, err, errlen);
    case F_HEADER:
        return ad_request_shape_header(&o->shape, f, v, err, errlen);
    case F_CONTENT_TYPE:
        return ad_request_shape_content_type(&o->shape, f, v, err, errlen);
    case F_BODY:
        o->shape.body = v;
        o->shape.body_len = strlen(v);
        return 0;
    case F_BODY_FILE:
        if (*v == '\0')
            return ad_fail(err, errlen, _("%s: needs a file name"), f);
        o->shape.body_file = v;
        return 0;
    case F_H2:
        o->h2 = true;
        return 0;
    case F_STREAMS:
        return ad_flag_unsigned(f, v, 1, AD_CTL_STREAMS_MAX, &o->streams, err, errlen);
    case F_ENGINE:
        o->engine_set = true;
        if (ad_bench_engine_from_name(v, &o->engine) != 0)
            return ad_fail(err, errlen, _("%s: '%.64s' is not one of auto, curl, h2o, nghttp2"), f, v);
        return 0;
    }
    return NOT_HANDLED;
}

const char *ad_bench_engine_refusal(ad_bench_engine_t e, bool h2)
{
    if (e == AD_BENCH_ENGINE_NGHTTP2 && !h2)
        return _("speaks HTTP/2 only (add --h2)");
    if (e == AD_BENCH_ENGINE_H2O && h2)
        return _("speaks HTTP/1.1 only (nghttp2, curl or auto for --h2)");
    return NULL;
}

/* --h2 and -m: HTTP/2 over kept connections (the nghttp2 engine, or libcurl); -m needs --h2. */
static int h2_finish(ad_bench_opts_t *o, ad_flags_seen_t seen, char *err, size_t errlen)
{
    if ((seen & SEEN(F_STREAMS)) != 0 && !o->h2)
        return ad_fail(err, errlen, _("--streams: only with --h2 (HTTP/1.1 has one request at a time per connection)"));
    const char *refused = ad_bench_engine_refusal(o->engine, o->h2);
    if (refused != NULL)
        return ad_fail(err, errlen, "--engine %s: %s", ad_bench_engine_name(o->engine), refused);
    if (!o->h2)
        return AD_CTL_PARSE_OK;
    if (o->streams == 0)
        o->streams = 1;
    if (!o->keepalive)
        return ad_fail(err, errlen, _("--no-keepalive: not with --h2 (streams share kept connections)"));
    if ((uint64_t)o->concurrency * o->streams > AD_CTL_CONCURRENCY_MAX)
        return ad_fail(err, errlen, _("--streams: %u connections x %u streams is over %d requests in flight"),
                       o->concurrency, o->streams, AD_CTL_CONCURRENCY_MAX);
    return AD_CTL_PARSE_OK;
}

/* After all flags: endpoints from the URL's path, derived defaults, combinations. */
/* --rate in stages: they give the duration (the run is as long as they are) and the mean rate. */
static int finish_stages(ad_bench_opts_t *o, ad_flags_seen_t seen, char *err, size_t errlen)
{
    if (o->nstages == 0)
        return 0;
    if ((seen & SEEN(F_DURATION)) != 0)
        return ad_fail(err, errlen, _("--duration: the --rate stages give the run's length"));
    if (o->warmup_ns > 0)
        return ad_fail(err, errlen, _("--warmup: not with --rate stages (begin with a stage instead)"));
    o->duration_ns = ad_stages_duration(o->stages, o->nstages);
    o->rate = ad_stages_count(o->stages, o->nstages) / ((double)o->duration_ns / 1e9);
    return 0;
}

static int bench_finish(void *opts, ad_flags_seen_t seen, char *err, size_t errlen)
{
    ad_bench_opts_t *o = opts;
    if (finish_stages(o, seen, err, errlen) != 0)
        return AD_CTL_PARSE_ERROR;
    bool url_set = (seen & SEEN(F_URL)) != 0, endpoints_set = (seen & SEEN(F_ENDPOINT)) != 0;
    bool has_path = strcmp(o->base.path, "/") != 0;
    if (url_set && has_path && !endpoints_set) {
        /* `bench --url http://h:8000/non-blocking?delay=0` benches that one URL */
        if (strlen(o->base.path) >= AD_CTL_ENDPOINT_MAX)
            return ad_fail(err, errlen, _("--url: path too long (at most %d bytes)"), AD_CTL_ENDPOINT_MAX - 1);
        memcpy(o->endpoints[0], o->base.path, strlen(o->base.path) + 1);
        o->nendpoints = 1;
        snprintf(o->base.path, sizeof(o->base.path), "/");
    } else if (url_set && endpoints_set && strchr(o->base.path, '?') != NULL) {
        return ad_fail(err, errlen, _("--url: a URL with a query cannot be combined with --endpoint"));
    }
    ad_url_format(&o->base, o->url, sizeof(o->url));
    if (o->duration_ns > 0 && !o->requests_set)
        o->requests = 0;
    if ((seen & SEEN(F_TIMEOUT)) == 0)
        o->timeout_ns = ad_ctl_default_timeout(o->delay_ns);
    if (ad_shard_take(o, err, errlen) != 0)
        return AD_CTL_PARSE_ERROR;
    if (ad_request_shape_finish(&o->shape, err, errlen) != 0)
        return AD_CTL_PARSE_ERROR;
    return h2_finish(o, seen, err, errlen);
}

int ad_ctl_parse_bench(int argc, char **argv, ad_bench_opts_t *o, char *err, size_t errlen)
{
    ad_bench_opts_default(o);
    const subcommand_t sc = {.command = AD_CMD_BENCH,
                             .apply = bench_flag,
                             .finish = bench_finish,
                             .url_repeats = true,
                             SHARED_OPTS(o, base),
                             .timeout_set = &o->timeout_set,
                             REPORT_OPTS(o)};
    return ad_flags_parse(argc, argv, &sc, err, errlen);
}

/* ---- compare ---- */

static int compare_flag(void *opts, int id, const char *f, const char *v, ad_flags_seen_t seen, char *err,
                        size_t errlen)
{
    ad_compare_opts_t *o = opts;
    (void)seen;
    switch (id) {
    case F_REQUESTS:
        return ad_flag_count(f, v, 1, 1000000, &o->n, err, errlen);
    case F_MODES:
        return parse_modes(f, v, o, err, errlen);
    case F_MAX_PARALLEL:
        return ad_flag_unsigned(f, v, 1, AD_CTL_CONCURRENCY_MAX, &o->max_parallel, err, errlen);
    case F_H2:
        o->h2 = true;
        return 0;
    }
    return NOT_HANDLED;
}

int ad_ctl_parse_compare(int argc, char **argv, ad_compare_opts_t *o, char *err, size_t errlen)
{
    ad_compare_opts_default(o);
    const subcommand_t sc = {.command = AD_CMD_COMPARE, .apply = compare_flag, SHARED_OPTS(o, target), REPORT_OPTS(o)};
    return ad_flags_parse(argc, argv, &sc, err, errlen);
}

/* ---- stats ---- */

static int stats_flag(void *opts, int id, const char *f, const char *v, ad_flags_seen_t seen, char *err, size_t errlen)
{
    ad_stats_opts_t *o = opts;
    (void)seen;
    switch (id) {
    case F_WATCH:
        o->watch = true;
        return 0;
    case F_INTERVAL:
        if (ad_flag_duration(f, v, false, &o->interval_ns, err, errlen) != 0)
            return AD_CTL_PARSE_ERROR;
        if (o->interval_ns < 10 * AD_NS_PER_MS)
            return ad_fail(err, errlen, _("%s: '%.64s' is too short (at least 10ms)"), f, v);
        return 0;
    }
    return NOT_HANDLED;
}

/* A base URL names the daemon: its document is at /stats. */
static int stats_url(void *opts, const char *f, const char *v, char *err, size_t errlen)
{
    ad_stats_opts_t *o = opts;
    (void)f;
    (void)v;
    (void)err;
    (void)errlen;
    if (strcmp(o->target.path, "/") == 0)
        snprintf(o->target.path, sizeof(o->target.path), "/stats");
    ad_url_format(&o->target, o->url, sizeof(o->url));
    return 0;
}

int ad_ctl_parse_stats(int argc, char **argv, ad_stats_opts_t *o, char *err, size_t errlen)
{
    ad_stats_opts_default(o);
    const subcommand_t sc = {
        .command = AD_CMD_STATS, .apply = stats_flag, .url_done = stats_url, SHARED_OPTS(o, target), .json = &o->json};
    return ad_flags_parse(argc, argv, &sc, err, errlen);
}

/* ---- demo ---- */

static int demo_flag(void *opts, int id, const char *f, const char *v, ad_flags_seen_t seen, char *err, size_t errlen)
{
    ad_demo_opts_t *o = opts;
    (void)seen;
    switch (id) {
    case F_DELAY:
        return ad_flag_duration(f, v, true, &o->delay_ns, err, errlen);
    case F_REQUESTS:
        return ad_flag_count(f, v, 1, 100000, &o->n, err, errlen);
    }
    return NOT_HANDLED;
}

static int demo_url(void *opts, const char *f, const char *v, char *err, size_t errlen)
{
    const ad_demo_opts_t *o = opts;
    if (strchr(o->base.path, '?') != NULL)
        return ad_fail(err, errlen, _("%s: '%.64s': the demo needs the daemon's base URL, without a query"), f, v);
    return 0;
}

/* Without --timeout, the timeout follows the delay. */
static int demo_finish(void *opts, ad_flags_seen_t seen, char *err, size_t errlen)
{
    ad_demo_opts_t *o = opts;
    (void)err;
    (void)errlen;
    if ((seen & SEEN(F_TIMEOUT)) == 0)
        o->timeout_ns = ad_ctl_default_timeout(o->delay_ns);
    return AD_CTL_PARSE_OK;
}

int ad_ctl_parse_demo(int argc, char **argv, ad_demo_opts_t *o, char *err, size_t errlen)
{
    ad_demo_opts_default(o);
    const subcommand_t sc = {.command = AD_CMD_DEMO,
                             .apply = demo_flag,
                             .url_done = demo_url,
                             .finish = demo_finish,
                             SHARED_OPTS(o, base),
                             .journal = &o->journal,
                             .no_progress = &o->no_progress,
                             .ascii = &o->ascii};
    return ad_flags_parse(argc, argv, &sc, err, errlen);
}

/* The base URL's path as a prefix without its trailing slash ("" for "/"). */
static int prefix_len(const ad_url_t *u)
{
    size_t n = strlen(u->path);
    while (n > 0 && u->path[n - 1] == '/')
        n--;
    return (int)n;
}

void ad_demo_compare_opts(const ad_demo_opts_t *d, ad_compare_opts_t *c)
{
    char secs[AD_SECONDS_MAX + 1];
    ad_compare_opts_default(c);
    format_seconds(d->delay_ns, secs);
    c->target = d->base;
    snprintf(c->target.path, sizeof(c->target.path), "%.*s/delay/%s", prefix_len(&d->base), d->base.path, secs);
    ad_url_format(&c->target, c->url, sizeof(c->url));
    c->n = d->n;
    c->timeout_ns = d->timeout_ns;
    c->journal = d->journal;
    c->no_progress = d->no_progress;
    c->ascii = d->ascii;
    c->color = d->color;
}

void ad_demo_bench_opts(const ad_demo_opts_t *d, ad_bench_opts_t *b)
{
    ad_bench_opts_default(b);
    b->base = d->base;
    ad_url_format(&b->base, b->url, sizeof(b->url));
    b->requests = d->n;
    b->requests_set = true;
    b->concurrency = d->n > AD_CTL_CONCURRENCY_MAX ? AD_CTL_CONCURRENCY_MAX : (unsigned)d->n;
    b->delay_ns = d->delay_ns;
    b->timeout_ns = d->timeout_ns;
    b->timeout_set = true;
    b->journal = d->journal;
    b->no_progress = d->no_progress;
    b->ascii = d->ascii;
    b->color = d->color;
}
