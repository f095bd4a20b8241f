/*
 * The load engine (see engine.h). Each worker is one event loop: an epoll set, a curl multi handle
 * driven by curl_multi_socket_action, and `conns` reusable transfers. With one worker the loop runs on
 * the caller's thread and calls the progress callback itself; with several, each runs on its own
 * thread and the caller's thread reports progress and merges the results.
 */
#include "engine.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>
#include "clock.h"
#include "transfer.h"

#define EVENTS_MAX 256
/* The loop wakes at least this often, to notice a stop request. */
#define WAKE_MAX_NS (100 * AD_NS_PER_MS)
/* Descriptors kept free beyond one per connection: epoll, stdio, journal, resolver. */
#define FD_RESERVE 32

static volatile sig_atomic_t stop_flag;

void ad_engine_request_stop(void)
{
    stop_flag = 1;
}

bool ad_engine_stop_requested(void)
{
    return stop_flag != 0;
}

struct shared;

typedef struct worker {
    struct shared *sh;
    unsigned id;
    /* this loop's share of the plan */
    unsigned conns;
    uint64_t requests;  /* UINT64_MAX: bounded by time */
    double interval_ns; /* open model: between two of this loop's sends; 0 = closed model */
    double phase;       /* open model: offset of this loop's schedule, in intervals */

    CURLM *multi;
    int epfd;
    int64_t curl_deadline; /* CLOCK_MONOTONIC ns curl wants a timeout call, -1 none */
    ad_transfer_t *xfers;
    unsigned *idle;           /* indexes of transfers not in flight */
    ad_transfer_t **finished; /* drain()'s scratch: transfers done in this round */
    unsigned nidle;

    ad_run_result_t *res;
    /* the current phase */
    bool recording;
    int64_t t0;         /* phase start, CLOCK_MONOTONIC */
    uint64_t limit;     /* requests to send in this phase */
    int64_t send_until; /* CLOCK_MONOTONIC; no send (closed) or no intended send (open) from then on */
    uint64_t sent;
    unsigned in_flight;
    int64_t last_done_ns; /* relative to t0 */
    int64_t next_progress;

    /* read by the progress reporter on another thread */
    _Atomic uint64_t a_done, a_errors;

    int failed;
    char err[256];
} worker_t;

typedef struct shared {
    const ad_engine_plan_t *plan;
    unsigned nworkers;
    worker_t *workers;
    _Atomic bool a_abort; /* this run failed: every loop stops */
    _Atomic int64_t a_phase_t0;
    _Atomic bool a_warmup;
    /* progress rate */
    uint64_t last_done;
    int64_t last_ns;
    /* the start gate after warm-up, and completion for the reporting thread's timed wait */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned ready, expected, finished;
} shared_t;

static uint64_t nofile_limit;

int ad_engine_global_init(char *err, size_t errlen)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        if (rl.rlim_cur < rl.rlim_max) {
            struct rlimit raised = {.rlim_cur = rl.rlim_max, .rlim_max = rl.rlim_max};
            if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
                rl.rlim_cur = rl.rlim_max;
        }
        nofile_limit = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
    }
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

uint64_t ad_engine_nofile_limit(void)
{
    return nofile_limit;
}

/* ---- curl callbacks ---- */

static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    worker_t *w = userp;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(w->epfd, EPOLL_CTL_DEL, s, NULL);
        return 0;
    }
    struct epoll_event ev = {.events = 0, .data.fd = s};
    if (what & CURL_POLL_IN)
        ev.events |= EPOLLIN;
    if (what & CURL_POLL_OUT)
        ev.events |= EPOLLOUT;
    int op = socketp != NULL ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(w->epfd, op, s, &ev) != 0) {
        /* A descriptor number reused behind our back: take whichever operation applies. */
        if (errno == EEXIST)
            epoll_ctl(w->epfd, EPOLL_CTL_MOD, s, &ev);
        else if (errno == ENOENT)
            epoll_ctl(w->epfd, EPOLL_CTL_ADD, s, &ev);
    }
    if (socketp == NULL)
        curl_multi_assign(w->multi, s, w);
    return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    worker_t *w = userp;
    w->curl_deadline = timeout_ms < 0 ? -1 : ad_mono_ns() + (int64_t)timeout_ms * AD_NS_PER_MS;
    return 0;
}

/* ---- setup and teardown (on the caller's thread, so failures surface before any thread runs) ---- */

static void worker_teardown(worker_t *w)
{
    if (w->multi != NULL && w->xfers != NULL) {
        for (unsigned i = 0; i < w->conns; i++)
            if (w->xfers[i].easy != NULL)
                curl_multi_remove_handle(w->multi, w->xfers[i].easy);
    }
    if (w->multi != NULL)
        curl_multi_cleanup(w->multi); /* closes cached connections: needs epfd still open */
    if (w->xfers != NULL)
        for (unsigned i = 0; i < w->conns; i++)
            ad_transfer_cleanup(&w->xfers[i]);
    if (w->epfd >= 0)
        close(w->epfd);
    free(w->xfers);
    free(w->idle);
    free(w->finished);
    w->finished = NULL;
    w->multi = NULL;
    w->xfers = NULL;
    w->idle = NULL;
    w->epfd = -1;
}

static int worker_setup(worker_t *w, const ad_engine_plan_t *plan)
{
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (w->epfd < 0) {
        snprintf(w->err, sizeof(w->err), "epoll_create1: %s", strerror(errno));
        return -1;
    }
    w->multi = curl_multi_init();
    w->xfers = calloc(w->conns, sizeof(*w->xfers));
    w->idle = calloc(w->conns, sizeof(*w->idle));
    w->finished = calloc(w->conns, sizeof(*w->finished));
    if (w->multi == NULL || w->xfers == NULL || w->idle == NULL || w->finished == NULL) {
        snprintf(w->err, sizeof(w->err), "out of memory setting up %u connections", w->conns);
        return -1;
    }
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
    curl_multi_setopt(w->multi, CURLMOPT_MAXCONNECTS, (long)w->conns);
    ad_transfer_opts_t topts = {.url = plan->url,
                                .timeout_ns = plan->timeout_ns,
                                .keepalive = plan->keepalive,
                                .resolve = plan->resolve,
                                .direct = plan->direct};
    for (unsigned i = 0; i < w->conns; i++) {
        if (ad_transfer_init(&w->xfers[i], &topts, w->err, sizeof(w->err)) != 0)
            return -1;
        w->xfers[i].owner = (void *)(uintptr_t)i;
        w->idle[i] = w->conns - 1 - i; /* so the first sends use transfers 0, 1, 2... */
    }
    w->nidle = w->conns;
    w->curl_deadline = -1;
    return 0;
}

/* ---- the event loop ---- */

static int64_t intended_at(const worker_t *w, uint64_t k)
{
    return w->t0 + (int64_t)(((double)k + w->phase) * w->interval_ns);
}

/* Whether another request may still be sent in this phase. */
static bool more_to_send(const worker_t *w, int64_t now)
{
    if (w->sent >= w->limit || stop_flag || atomic_load_explicit(&w->sh->a_abort, memory_order_relaxed))
        return false;
    if (w->interval_ns > 0)
        return intended_at(w, w->sent) < w->send_until;
    return now < w->send_until;
}

static void send_one(worker_t *w, int64_t intended, int64_t now)
{
    unsigned idx = w->idle[--w->nidle];
    ad_transfer_t *t = &w->xfers[idx];
    uint32_t index = w->sent >= UINT32_MAX ? UINT32_MAX : (uint32_t)(w->sent + 1);
    ad_transfer_begin(t, index, intended - w->t0, now - w->t0);
    /* Only the first AD_RECORDS_MAX answers are recorded with the daemon's sequence and wait. With at
     * most `conns` in flight, request number s finishes after at least s - conns others: from
     * AD_RECORDS_MAX + conns on, none can be recorded, so their bodies need no scan. */
    t->scan_body = w->recording && w->sent < (uint64_t)AD_RECORDS_MAX + w->conns;
    /* A handle's first request opens its own connection without searching curl's cache, which is
     * a linear scan per request: 10,000 connections opened at once would cost O(n^2). */
    if (t->uses <= 1)
        curl_easy_setopt(t->easy, CURLOPT_FRESH_CONNECT, t->uses == 0 ? 1L : 0L);
    t->uses++;
    /* The last `conns` requests close their connections: nothing would reuse them, and libcurl walks
     * its whole connection cache on every curl_multi_remove_handle of a handle whose connection it
     * kept (another O(n^2) at 10,000 connections). */
    bool last = w->limit != UINT64_MAX && w->limit - w->sent <= w->conns;
    if (w->sh->plan->keepalive && last != t->forbid_reuse) {
        curl_easy_setopt(t->easy, CURLOPT_FORBID_REUSE, last ? 1L : 0L);
        t->forbid_reuse = last;
    }
    CURLMcode mc = curl_multi_add_handle(w->multi, t->easy);
    if (mc != CURLM_OK) {
        /* Cannot happen with a handle we removed ourselves; do not lose it silently. */
        w->idle[w->nidle++] = idx;
        w->failed = 1;
        snprintf(w->err, sizeof(w->err), "curl_multi_add_handle: %s", curl_multi_strerror(mc));
        return;
    }
    w->sent++;
    w->in_flight++;
    if (w->recording)
        w->res->sent++;
}

/* Sends what is due while connections are free. */
static void fill(worker_t *w, int64_t now)
{
    while (w->nidle > 0 && !w->failed && more_to_send(w, now)) {
        int64_t intended = now;
        if (w->interval_ns > 0) {
            intended = intended_at(w, w->sent);
            if (intended > now)
                return;
        }
        send_one(w, intended, now);
    }
}

/* Accounts a finished transfer (already removed from the multi handle) and makes it idle again. */
static void account(worker_t *w, ad_transfer_t *t)
{
    w->in_flight--;
    w->idle[w->nidle++] = (unsigned)(uintptr_t)t->owner;
    bool failed = t->rec.error != AD_ERR_NONE;
    if (w->recording) {
        ad_run_result_t *r = w->res;
        ad_run_result_add(r, &t->rec);
        r->bytes_received += t->bytes;
        if (failed && r->first_error[0] == '\0')
            ad_transfer_describe_error(t, t->result, r->first_error, sizeof(r->first_error));
        if (t->rec.done_ns > w->last_done_ns)
            w->last_done_ns = t->rec.done_ns;
    }
    atomic_fetch_add_explicit(&w->a_done, 1, memory_order_relaxed);
    if (failed)
        atomic_fetch_add_explicit(&w->a_errors, 1, memory_order_relaxed);
}

/*
 * Collects every finished transfer first, then removes them from the multi handle: removing a handle
 * scans curl's list of pending messages, so removing while thousands wait there (10,000 answers due
 * at the same instant) would cost O(n^2).
 */
static void drain(worker_t *w)
{
    CURLMsg *msg;
    int left;
    unsigned n = 0;
    int64_t done = ad_mono_ns() - w->t0;
    while ((msg = curl_multi_info_read(w->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        char *priv = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
        ad_transfer_t *t = (ad_transfer_t *)(void *)priv;
        ad_transfer_end(t, msg->data.result, done);
        w->finished[n++] = t;
    }
    for (unsigned i = 0; i < n; i++) {
        curl_multi_remove_handle(w->multi, w->finished[i]->easy);
        account(w, w->finished[i]);
    }
}

/* Abandons what is in flight (a stop request): not counted, the handles made idle again. */
static void abandon_in_flight(worker_t *w)
{
    bool *idle = calloc(w->conns, sizeof(*idle));
    if (idle == NULL)
        return;
    for (unsigned i = 0; i < w->nidle; i++)
        idle[w->idle[i]] = true;
    for (unsigned i = 0; i < w->conns; i++) {
        if (!idle[i]) {
            curl_multi_remove_handle(w->multi, w->xfers[i].easy);
            w->idle[w->nidle++] = i;
        }
    }
    w->in_flight = 0;
    free(idle);
}

static void emit_progress(shared_t *sh, int64_t now);

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* How long epoll may sleep: until curl's timer, the next scheduled send, the progress tick. */
static int64_t next_wake(const worker_t *w, int64_t now)
{
    int64_t wake = now + WAKE_MAX_NS;
    if (w->curl_deadline >= 0)
        wake = min64(wake, w->curl_deadline);
    if (w->interval_ns > 0 && w->nidle > 0 && more_to_send(w, now))
        wake = min64(wake, intended_at(w, w->sent));
    if (w->sh->nworkers == 1 && w->sh->plan->progress != NULL)
        wake = min64(wake, w->next_progress);
    return wake;
}

static int wait_events(worker_t *w, int64_t now, struct epoll_event *events)
{
    int64_t wait = next_wake(w, now) - now;
    if (wait < 0)
        wait = 0;
    struct timespec ts = ad_ns_to_timespec(wait);
    int n = epoll_pwait2(w->epfd, events, EVENTS_MAX, &ts, NULL);
    if (n < 0 && errno == ENOSYS) /* kernels before 5.11: millisecond sleeps */
        n = epoll_wait(w->epfd, events, EVENTS_MAX, (int)((wait + AD_NS_PER_MS - 1) / AD_NS_PER_MS));
    return n;
}

static void dispatch(worker_t *w, const struct epoll_event *events, int n)
{
    int running;
    for (int i = 0; i < n; i++) {
        int flags = 0;
        if (events[i].events & (EPOLLIN | EPOLLHUP))
            flags |= CURL_CSELECT_IN;
        if (events[i].events & EPOLLOUT)
            flags |= CURL_CSELECT_OUT;
        if (events[i].events & EPOLLERR)
            flags |= CURL_CSELECT_ERR;
        curl_multi_socket_action(w->multi, events[i].data.fd, flags, &running);
    }
}

static void run_phase(worker_t *w, bool recording, uint64_t limit, int64_t length_ns)
{
    struct epoll_event events[EVENTS_MAX];
    int running;
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
        w->sh->last_done = 0;
        w->sh->last_ns = w->t0;
    }
    if (recording)
        w->res->start_wall_ns = ad_wall_ns();

    while (!w->failed) {
        int64_t now = ad_mono_ns();
        if (stop_flag || atomic_load_explicit(&w->sh->a_abort, memory_order_relaxed)) {
            abandon_in_flight(w);
            break;
        }
        fill(w, now);
        if (w->curl_deadline >= 0 && w->curl_deadline <= now) {
            w->curl_deadline = -1;
            curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
            drain(w);
            continue;
        }
        if (w->in_flight == 0 && !more_to_send(w, now))
            break;
        int n = wait_events(w, now, events);
        if (n < 0 && errno != EINTR) {
            w->failed = 1;
            snprintf(w->err, sizeof(w->err), "epoll_wait: %s", strerror(errno));
            break;
        }
        if (n > 0) {
            dispatch(w, events, n);
            drain(w);
        }
        if (w->sh->nworkers == 1 && w->sh->plan->progress != NULL && ad_mono_ns() >= w->next_progress) {
            now = ad_mono_ns();
            w->next_progress = now + AD_ENGINE_PROGRESS_NS;
            emit_progress(w->sh, now);
        }
    }
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
    worker_t *w = arg;
    const ad_engine_plan_t *plan = w->sh->plan;
    if (plan->warmup_ns > 0)
        run_phase(w, false, UINT64_MAX, plan->warmup_ns);
    if (w->sh->nworkers > 1)
        gate_wait(w->sh); /* every loop starts measuring together */
    run_phase(w, true, w->requests, plan->duration_ns);
    pthread_mutex_lock(&w->sh->mu);
    w->sh->finished++;
    pthread_cond_broadcast(&w->sh->cv);
    pthread_mutex_unlock(&w->sh->mu);
    return NULL;
}

/* ---- progress ---- */

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
    int64_t dt = now - sh->last_ns;
    if (dt > 0 && p.completed >= sh->last_done)
        p.rps = (double)(p.completed - sh->last_done) * 1e9 / (double)dt;
    sh->last_done = p.completed;
    sh->last_ns = now;
    plan->progress(&p, plan->progress_ud);
}

/* ---- the plan, split between loops ---- */

static int check_plan(const ad_engine_plan_t *plan, char *err, size_t errlen)
{
    if (plan->url == NULL || plan->concurrency == 0) {
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

static void split_plan(shared_t *sh, unsigned conns, unsigned nw)
{
    const ad_engine_plan_t *plan = sh->plan;
    for (unsigned i = 0; i < nw; i++) {
        worker_t *w = &sh->workers[i];
        w->sh = sh;
        w->id = i;
        w->epfd = -1;
        w->conns = conns / nw + (i < conns % nw ? 1 : 0);
        w->requests = plan->requests == 0 ? UINT64_MAX : plan->requests / nw + (i < plan->requests % nw ? 1 : 0);
        if (plan->rate > 0) {
            w->interval_ns = 1e9 * nw / plan->rate;
            w->phase = (double)i / nw; /* interleave the loops' schedules into one global one */
        }
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

int ad_engine_run(const ad_engine_plan_t *plan, ad_run_result_t *res, char *err, size_t errlen)
{
    if (check_plan(plan, err, errlen) != 0)
        return -1;
    unsigned conns = plan->concurrency;
    if (plan->requests > 0 && plan->requests < conns)
        conns = (unsigned)plan->requests; /* more connections than requests would stay idle */
    if (nofile_limit != 0 && (uint64_t)conns + FD_RESERVE > nofile_limit) {
        snprintf(err, errlen, "%u connections need %u open files, the limit is %llu (ulimit -n, LimitNOFILE=)", conns,
                 conns + FD_RESERVE, (unsigned long long)nofile_limit);
        return -1;
    }
    unsigned nw = plan->threads == 0 ? 1 : plan->threads;
    if (nw > AD_ENGINE_THREADS_MAX)
        nw = AD_ENGINE_THREADS_MAX;
    if (nw > conns)
        nw = conns;

    shared_t sh = {.plan = plan, .nworkers = nw, .expected = nw};
    sh.workers = calloc(nw, sizeof(*sh.workers));
    if (sh.workers == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    split_plan(&sh, conns, nw);
    int rc = 0;
    for (unsigned i = 0; i < nw && rc == 0; i++) {
        worker_t *w = &sh.workers[i];
        if (nw == 1) {
            w->res = res;
        } else {
            w->res = malloc(sizeof(*w->res));
            if (w->res == NULL) {
                snprintf(w->err, sizeof(w->err), "out of memory");
                rc = -1;
                break;
            }
            ad_run_result_init(w->res, res->name, res->url);
        }
        w->res->concurrency = w->conns;
        w->res->rate = plan->rate > 0 ? plan->rate / nw : 0;
        if (worker_setup(w, plan) != 0)
            rc = -1;
    }
    pthread_mutex_init(&sh.mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* run_threads' timed waits are on that clock */
    pthread_cond_init(&sh.cv, &ca);
    pthread_condattr_destroy(&ca);
    if (rc == 0) {
        if (nw == 1) {
            worker_main(&sh.workers[0]);
        } else {
            rc = run_threads(&sh);
            merge_results(&sh, res);
        }
    }
    pthread_mutex_destroy(&sh.mu);
    pthread_cond_destroy(&sh.cv);
    for (unsigned i = 0; i < nw; i++) {
        worker_t *w = &sh.workers[i];
        if (w->failed || (rc != 0 && w->err[0] != '\0')) {
            snprintf(err, errlen, "%s", w->err);
            rc = -1;
        }
        worker_teardown(w);
        if (nw > 1)
            free(w->res);
    }
    free(sh.workers);
    return rc;
}
