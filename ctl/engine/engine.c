/*
 * The load engine's orchestration (see engine.h, engine_worker.h): the plan split between event loops,
 * the phases (warm-up, then measured), progress, and the results merged. The loops themselves are the
 * backends' (engine_curl.c, engine_h2o.c). With one loop it runs on the caller's thread and reports
 * progress itself; with several, each runs on its own thread and this one reports and merges.
 */
#include "engine.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include "clock.h"
#include "nofile.h"
#include "engine_worker.h"

/* Descriptors kept free beyond one per connection: epoll, stdio, journal, resolver. */
#define FD_RESERVE 32

static uint64_t nofile_limit;

typedef struct ad_engine_shared {
    const ad_engine_plan_t *plan;
    unsigned nworkers;
    ad_engine_worker_t *workers;
    _Atomic bool a_abort; /* this run failed: every loop stops */
    _Atomic int64_t a_phase_t0;
    _Atomic bool a_warmup;
    /* the start gate after warm-up, and completion for the reporting thread's timed wait */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned ready, expected, finished;
} shared_t;

int ad_engine_global_init(char *err, size_t errlen)
{
    nofile_limit = ad_nofile_raise();
    CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "curl_global_init: %s", curl_easy_strerror(rc));
        return -1;
    }
    return 0;
}

void ad_engine_global_cleanup(void)
{
    curl_global_cleanup();
}

/* ---- what the backends call ---- */

void *ad_ew_impl_new(ad_engine_worker_t *w, size_t size)
{
    w->impl = calloc(1, size);
    if (w->impl == NULL)
        snprintf(w->err, sizeof(w->err), "out of memory");
    return w->impl;
}

bool ad_ew_stopping(const ad_engine_worker_t *w)
{
    return ad_engine_stop_requested() || atomic_load_explicit(&w->sh->a_abort, memory_order_relaxed);
}

static int64_t intended_at(const ad_engine_worker_t *w, uint64_t k)
{
    if (w->plan->nstages > 0) {
        /* this loop's k-th request is request (k + phase) x loops of this process's ramp */
        double t = ad_stages_time_of(w->plan->stages, w->plan->nstages, ((double)k + w->phase) * w->sh->nworkers);
        return isinf(t) ? INT64_MAX : w->t0 + (int64_t)(t * 1e9);
    }
    return w->t0 + (int64_t)(((double)k + w->phase) * w->interval_ns);
}

bool ad_ew_more_to_send(const ad_engine_worker_t *w, int64_t now)
{
    if (w->sent >= w->limit || w->failed || ad_ew_stopping(w))
        return false;
    if (w->interval_ns > 0) /* requests due before the end are still sent, however late */
        return intended_at(w, w->sent) < w->send_until;
    return now < w->send_until;
}

bool ad_ew_next_due(const ad_engine_worker_t *w, int64_t now, int64_t *intended)
{
    if (!ad_ew_more_to_send(w, now))
        return false;
    *intended = w->interval_ns > 0 ? intended_at(w, w->sent) : now;
    return *intended <= now;
}

bool ad_ew_phase_over(const ad_engine_worker_t *w, int64_t now)
{
    return w->failed || (w->in_flight == 0 && !ad_ew_more_to_send(w, now));
}

int64_t ad_ew_wake(const ad_engine_worker_t *w, int64_t now, bool conn_free)
{
    int64_t wake = now + AD_EW_WAKE_MAX_NS;
    if (w->interval_ns > 0 && conn_free && ad_ew_more_to_send(w, now)) {
        int64_t due = intended_at(w, w->sent);
        if (due < wake)
            wake = due;
    }
    if (w->sh->nworkers == 1 && w->plan->progress != NULL && w->next_progress < wake)
        wake = w->next_progress;
    return wake;
}

bool ad_ew_may_connect(ad_engine_worker_t *w, int64_t now, int64_t *retry_at)
{
    if (now > w->connect_refill_ns) {
        w->connect_tokens += (double)(now - w->connect_refill_ns) * w->connect_rate / 1e9;
        if (w->connect_tokens > AD_EW_CONNECT_BURST)
            w->connect_tokens = AD_EW_CONNECT_BURST;
        w->connect_refill_ns = now;
    }
    if (w->connect_tokens >= 1.0) {
        w->connect_tokens -= 1.0;
        return true;
    }
    /* Wake when a batch is due, not for every token: a loop turn per connection would cost more than
     * the connection. */
    *retry_at = now + (int64_t)((AD_EW_CONNECT_BATCH - w->connect_tokens) * 1e9 / w->connect_rate) + 1;
    return false;
}

uint32_t ad_ew_sent(ad_engine_worker_t *w)
{
    w->sent++;
    w->in_flight++;
    if (w->recording)
        w->res->sent++;
    return w->sent > UINT32_MAX ? UINT32_MAX : (uint32_t)w->sent;
}

bool ad_ew_scan_wanted(const ad_engine_worker_t *w)
{
    /* With at most `conns` in flight, request number s finishes after at least s - conns others: from
     * AD_RECORDS_MAX + conns on, none can be among the recorded ones. */
    return w->recording && w->sent < (uint64_t)AD_RECORDS_MAX + w->conns;
}

bool ad_ew_reuse_wanted(const ad_engine_worker_t *w)
{
    /* Once fewer requests remain than there are connections, some connections will carry nothing more
     * (the ones that finish first take the rest): a guess, at worst a request opens a new connection. */
    return w->plan->keepalive && (w->limit == UINT64_MAX || w->sent + w->conns < w->limit);
}

bool ad_ew_conn_wanted(const ad_engine_worker_t *w, int64_t now)
{
    /* The measured phase is the run's last: nothing sends after it. */
    return w->plan->keepalive && (!w->recording || ad_ew_more_to_send(w, now));
}

bool ad_ew_wants_reason(const ad_engine_worker_t *w)
{
    return w->recording && w->res->first_error[0] == '\0';
}

void ad_ew_finish(ad_engine_worker_t *w, const ad_request_record_t *rec, uint64_t bytes, const char *why)
{
    w->in_flight--;
    bool failed = rec->error != AD_ERR_NONE || rec->status < 200 || rec->status > 299;
    if (w->recording) {
        ad_run_result_t *r = w->res;
        ad_run_result_add(r, rec);
        r->bytes_received += bytes;
        if (failed && why != NULL && r->first_error[0] == '\0')
            snprintf(r->first_error, sizeof(r->first_error), "%s", why);
        if (rec->done_ns > w->last_done_ns)
            w->last_done_ns = rec->done_ns;
    }
    atomic_fetch_add_explicit(&w->a_done, 1, memory_order_relaxed);
    if (failed)
        atomic_fetch_add_explicit(&w->a_errors, 1, memory_order_relaxed);
}

static void emit_progress(shared_t *sh, int64_t now)
{
    const ad_engine_plan_t *plan = sh->plan;
    ad_engine_progress_t p = {.name = sh->workers[0].res->name};
    for (unsigned i = 0; i < sh->nworkers; i++) {
        p.completed += atomic_load_explicit(&sh->workers[i].a_done, memory_order_relaxed);
        p.errors += atomic_load_explicit(&sh->workers[i].a_errors, memory_order_relaxed);
    }
    p.warmup = atomic_load(&sh->a_warmup);
    p.total = p.warmup ? 0 : plan->requests;
    p.duration_ns = p.warmup ? plan->warmup_ns : plan->duration_ns;
    p.elapsed_ns = now - atomic_load(&sh->a_phase_t0);
    if (p.elapsed_ns > 0) /* since the phase began: steadier than per tick with slow endpoints */
        p.rps = (double)p.completed * 1e9 / (double)p.elapsed_ns;
    plan->progress(&p, plan->progress_ud);
}

void ad_ew_progress(ad_engine_worker_t *w, int64_t now)
{
    if (w->sh->nworkers != 1 || w->plan->progress == NULL || now < w->next_progress)
        return;
    w->next_progress = now + AD_ENGINE_PROGRESS_NS;
    emit_progress(w->sh, now);
}

/* ---- phases ---- */

static void run_phase(ad_engine_worker_t *w, bool recording, uint64_t limit, int64_t length_ns)
{
    w->recording = recording;
    w->t0 = ad_mono_ns();
    w->limit = limit;
    w->send_until = length_ns > 0 ? w->t0 + length_ns : INT64_MAX;
    w->sent = 0;
    w->last_done_ns = 0;
    w->next_progress = w->t0 + AD_ENGINE_PROGRESS_NS;
    atomic_store_explicit(&w->a_done, 0, memory_order_relaxed);
    atomic_store_explicit(&w->a_errors, 0, memory_order_relaxed);
    if (w->id == 0) {
        atomic_store(&w->sh->a_phase_t0, w->t0);
        atomic_store(&w->sh->a_warmup, !recording);
    }
    if (recording)
        w->res->start_wall_ns = ad_wall_ns();
    w->backend->run_phase(w);
    if (w->failed)
        atomic_store(&w->sh->a_abort, true);
    if (recording)
        w->res->elapsed_ns = w->last_done_ns > 0 ? w->last_done_ns : ad_mono_ns() - w->t0;
}

static void gate_wait(shared_t *sh)
{
    pthread_mutex_lock(&sh->mu);
    sh->ready++;
    pthread_cond_broadcast(&sh->cv);
    while (sh->ready < sh->expected)
        pthread_cond_wait(&sh->cv, &sh->mu);
    pthread_mutex_unlock(&sh->mu);
}

static void *worker_main(void *arg)
{
    ad_engine_worker_t *w = arg;
    if (w->plan->warmup_ns > 0)
        run_phase(w, false, UINT64_MAX, w->plan->warmup_ns);
    if (w->sh->nworkers > 1)
        gate_wait(w->sh); /* every loop starts measuring together */
    run_phase(w, true, w->requests, w->plan->duration_ns);
    if (w->sh->nworkers > 1 && w->backend->release_thread_cache != NULL)
        w->backend->release_thread_cache();
    pthread_mutex_lock(&w->sh->mu);
    w->sh->finished++;
    pthread_cond_broadcast(&w->sh->cv);
    pthread_mutex_unlock(&w->sh->mu);
    return NULL;
}

/* ---- the plan, split between loops ---- */

static int check_plan(const ad_engine_plan_t *plan, char *err, size_t errlen)
{
    if (plan->target == NULL || plan->concurrency == 0) {
        snprintf(err, errlen, "engine: a URL and at least one connection are needed");
        return -1;
    }
    if (plan->requests == 0 && plan->duration_ns <= 0) {
        snprintf(err, errlen, "engine: neither a number of requests nor a duration");
        return -1;
    }
    if (!(plan->rate >= 0) || isinf(plan->rate)) {
        snprintf(err, errlen, "engine: bad rate %g", plan->rate);
        return -1;
    }
    return 0;
}

/* AUTO: libh2o's loop for closed-model HTTP/1.1 runs, http:// and https:// (its per-request cost is a third
 * of libcurl's); libnghttp2 on the same loop for HTTP/2 (h2c and h2 over TLS) in both models; libcurl for
 * HTTP/1.1's open model, whose schedule needs nanosecond timers. */
static const ad_engine_backend_t *choose_backend(const ad_engine_plan_t *plan)
{
    switch (plan->backend) {
    case AD_ENGINE_CURL:
        return &ad_engine_backend_curl;
    case AD_ENGINE_H2O:
        return &ad_engine_backend_h2o;
    case AD_ENGINE_NGHTTP2:
        return &ad_engine_backend_nghttp2;
    case AD_ENGINE_AUTO:
        break;
    }
    if (plan->streams > 0)
        return &ad_engine_backend_nghttp2;
    if (plan->rate == 0)
        return &ad_engine_backend_h2o;
    return &ad_engine_backend_curl;
}

/* Requests in flight of loop i of nw: an equal share of the connections (HTTP/2: each with `streams`
 * of them, the last connection of the run maybe fewer), so loops never split a connection's streams. */
static unsigned loop_share(unsigned conns, unsigned streams, unsigned nw, unsigned i)
{
    unsigned per = streams > 0 ? streams : 1, sockets = (conns + per - 1) / per;
    unsigned before = i * (sockets / nw) + (i < sockets % nw ? i : sockets % nw);
    unsigned mine = sockets / nw + (i < sockets % nw ? 1 : 0);
    unsigned from = before * per, to = (before + mine) * per;
    return (to < conns ? to : conns) - (from < conns ? from : conns);
}

static void split_plan(shared_t *sh, unsigned conns, unsigned nw, const ad_engine_backend_t *backend,
                       ad_tls_client_t *tls)
{
    const ad_engine_plan_t *plan = sh->plan;
    for (unsigned i = 0; i < nw; i++) {
        ad_engine_worker_t *w = &sh->workers[i];
        w->sh = sh;
        w->plan = plan;
        w->backend = backend;
        w->tls = tls;
        w->id = i;
        w->conns = loop_share(conns, plan->streams, nw, i);
        w->requests = plan->requests == 0 ? UINT64_MAX : plan->requests / nw + (i < plan->requests % nw ? 1 : 0);
        if (plan->rate > 0) {
            w->interval_ns = 1e9 * nw / plan->rate;
            /* interleave the loops' schedules into one global one, and that with other shards' */
            w->phase = ((double)i + plan->schedule_phase) / nw;
        }
        w->connect_rate = AD_EW_CONNECT_RATE / nw;
        w->connect_tokens = AD_EW_CONNECT_BURST / nw;
        w->connect_refill_ns = ad_mono_ns();
    }
}

/* Records of several loops, in send order, numbered again. */
static int by_sent(const void *a, const void *b)
{
    const ad_request_record_t *x = a, *y = b;
    return (x->sent_ns > y->sent_ns) - (x->sent_ns < y->sent_ns);
}

static void merge_results(shared_t *sh, ad_run_result_t *res)
{
    res->concurrency = 0;
    res->rate = 0;
    res->start_wall_ns = sh->workers[0].res->start_wall_ns;
    for (unsigned i = 0; i < sh->nworkers; i++)
        ad_run_result_merge(res, sh->workers[i].res);
    qsort(res->records, res->nrecords, sizeof(res->records[0]), by_sent);
    for (uint32_t i = 0; i < res->nrecords; i++)
        res->records[i].index = i + 1;
}

/* Runs the workers on threads and reports progress from this one until they finish. */
static int run_threads(shared_t *sh)
{
    pthread_t tids[AD_ENGINE_THREADS_MAX];
    unsigned started = 0;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    for (; started < sh->nworkers; started++)
        if (pthread_create(&tids[started], &attr, worker_main, &sh->workers[started]) != 0)
            break;
    pthread_attr_destroy(&attr);
    pthread_mutex_lock(&sh->mu);
    if (started < sh->nworkers) {
        /* The start gate waits for every loop: let the ones started through, and stop them. */
        atomic_store(&sh->a_abort, true);
        sh->expected = started;
        pthread_cond_broadcast(&sh->cv);
        snprintf(sh->workers[0].err, sizeof(sh->workers[0].err), "cannot start engine threads");
        sh->workers[0].failed = 1;
    }
    while (sh->finished < started) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        int64_t ns = (int64_t)until.tv_nsec + AD_ENGINE_PROGRESS_NS;
        until.tv_sec += ns / AD_NS_PER_SEC;
        until.tv_nsec = ns % AD_NS_PER_SEC;
        pthread_cond_timedwait(&sh->cv, &sh->mu, &until);
        if (sh->plan->progress != NULL && sh->finished < started) {
            pthread_mutex_unlock(&sh->mu);
            emit_progress(sh, ad_mono_ns());
            pthread_mutex_lock(&sh->mu);
        }
    }
    pthread_mutex_unlock(&sh->mu);
    for (unsigned i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    return started == sh->nworkers ? 0 : -1;
}

/* The caller's result for one loop, or a fresh one per loop to merge afterwards. */
static int setup_workers(shared_t *sh, ad_run_result_t *res)
{
    unsigned nw = sh->nworkers;
    for (unsigned i = 0; i < nw; i++) {
        ad_engine_worker_t *w = &sh->workers[i];
        if (nw == 1) {
            w->res = res;
        } else {
            w->res = malloc(sizeof(*w->res));
            if (w->res == NULL) {
                snprintf(w->err, sizeof(w->err), "out of memory");
                return -1;
            }
            ad_run_result_init_like(w->res, res);
        }
        w->res->concurrency = w->conns;
        w->res->rate = sh->plan->rate > 0 ? sh->plan->rate / nw : 0;
        if (w->backend->setup(w) != 0)
            return -1;
    }
    return 0;
}

int ad_engine_run(const ad_engine_plan_t *plan, ad_run_result_t *res, char *err, size_t errlen)
{
    if (check_plan(plan, err, errlen) != 0)
        return -1;
    unsigned conns = plan->concurrency; /* requests in flight: HTTP/1.1's connections, HTTP/2's streams */
    if (plan->requests > 0 && plan->requests < conns)
        conns = (unsigned)plan->requests; /* more connections than requests would stay idle */
    unsigned sockets = plan->streams > 0 ? (conns + plan->streams - 1) / plan->streams : conns;
    if (nofile_limit != 0 && (uint64_t)sockets + FD_RESERVE > nofile_limit) {
        snprintf(err, errlen, "%u connections need %u open files, the limit is %llu (ulimit -n, LimitNOFILE=)", sockets,
                 sockets + FD_RESERVE, (unsigned long long)nofile_limit);
        return -1;
    }
    unsigned nw = plan->threads == 0 ? 1 : plan->threads;
    if (nw > AD_ENGINE_THREADS_MAX)
        nw = AD_ENGINE_THREADS_MAX;
    if (nw > sockets)
        nw = sockets; /* a loop without a connection would idle */

    shared_t sh = {.plan = plan, .nworkers = nw, .expected = nw};
    sh.workers = calloc(nw, sizeof(*sh.workers));
    if (sh.workers == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    const ad_engine_backend_t *backend = choose_backend(plan);
    ad_tls_client_t *tls = NULL;
    if (plan->target->https && backend->own_tls) {
        tls = ad_tls_client_new(plan->tls, plan->target->host, backend->alpn, err, errlen);
        if (tls == NULL) {
            free(sh.workers);
            return -1;
        }
    }
    split_plan(&sh, conns, nw, backend, tls);
    pthread_mutex_init(&sh.mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* run_threads' timed waits are on that clock */
    pthread_cond_init(&sh.cv, &ca);
    pthread_condattr_destroy(&ca);

    int rc = setup_workers(&sh, res);
    if (rc == 0) {
        if (nw == 1) {
            worker_main(&sh.workers[0]);
        } else {
            rc = run_threads(&sh);
            merge_results(&sh, res);
        }
    }
    snprintf(res->engine, sizeof(res->engine), "%s", sh.workers[0].backend->name);
    res->loops = nw;
    res->streams = plan->streams;
    res->connections = 0;
    for (unsigned i = 0; i < nw; i++)
        res->connections += sh.workers[i].connects;
    pthread_mutex_destroy(&sh.mu);
    pthread_cond_destroy(&sh.cv);
    for (unsigned i = 0; i < nw; i++) {
        ad_engine_worker_t *w = &sh.workers[i];
        if (w->failed || (rc != 0 && w->err[0] != '\0')) {
            snprintf(err, errlen, "%s", w->err);
            rc = -1;
        }
        w->backend->teardown(w);
        if (nw > 1)
            free(w->res);
    }
    if (sh.workers[0].backend->release_thread_cache != NULL)
        sh.workers[0].backend->release_thread_cache();
    ad_tls_client_free(tls);
    free(sh.workers);
    return rc;
}
