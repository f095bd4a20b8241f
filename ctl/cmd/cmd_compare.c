/*
 * `asyncdemoctl compare`: the seed's Task 1 - the same N GET requests made four ways:
 *   sequential  one easy handle, one request after the other
 *   async       one thread, the multi engine (every request in flight at once)
 *   threads     a thread per request, each with its own easy handle
 *   processes   a forked process per request; each child sends its record back through a pipe
 * threads and processes have at most --max-parallel requests going at once (the rest in waves).
 * A report section per mode as it finishes, then the ranking and the timeline.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "clock.h"
#include "i18n.h"
#include "cmd_common.h"
#include "commands.h"
#include "engine.h"
#include "json_report.h"
#include "progress.h"
#include "task_limits.h"
#include "transfer.h"

typedef struct mode_ctx {
    const ad_compare_opts_t *o;
    const ad_target_t *target;
    ad_run_result_t *r;
    ad_progress_t *progress;
    FILE *out; /* text output, or NULL with --json */
    int64_t start_ns;
    char err[256];
} mode_ctx_t;

/* HTTP/2 streams per connection in the async mode: a server takes 100 at once by default (h2o; nginx 128),
 * so more requests than that spread over more connections rather than wait for a free stream. */
#define COMPARE_H2_STREAMS 100

/* --h2 over cleartext with a libcurl that breaks a reused h2c connection: every request gets its own. */
static bool h2c_one_per_connection(const ad_compare_opts_t *o)
{
    return o->h2 && !o->target.https && ad_transfer_h2c_reuse_broken();
}

static void transfer_opts(const mode_ctx_t *m, ad_transfer_opts_t *t)
{
    *t = (ad_transfer_opts_t){
        .url = m->o->url,
        .tls = &m->o->tls,
        .h2 = m->o->h2,
        .timeout_ns = m->o->timeout_ns,
        .keepalive = !h2c_one_per_connection(m->o),
        .resolve = m->target->resolve,
        .abort_on_stop = true,
    };
}

/* Accounts one finished request: the record, its bytes, the first error's message. */
static void account(mode_ctx_t *m, const ad_request_record_t *rec, uint64_t bytes, const char *errmsg)
{
    ad_run_result_add(m->r, rec);
    m->r->bytes_received += bytes;
    if (rec->error != AD_ERR_NONE && m->r->first_error[0] == '\0' && errmsg != NULL)
        /* the report's one-line summary: a longer message is cut at the field's size on purpose */
        snprintf(m->r->first_error, sizeof(m->r->first_error), "%.*s", (int)sizeof(m->r->first_error) - 1, errmsg);
    if (rec->done_ns > m->r->elapsed_ns)
        m->r->elapsed_ns = rec->done_ns;
}

static void show_progress(mode_ctx_t *m, uint64_t done, uint64_t errors)
{
    if (!m->progress->tty && !m->progress->notify)
        return;
    ad_engine_progress_t p = {
        .name = m->r->name,
        .completed = done,
        .errors = errors,
        .total = m->o->n,
        .elapsed_ns = ad_mono_ns() - m->start_ns,
    };
    if (p.elapsed_ns > 0)
        p.rps = (double)done * 1e9 / (double)p.elapsed_ns;
    ad_progress_update(&p, m->progress);
}

/* A record for a request that could not even start (thread or process creation failed). */
static void account_failure(mode_ctx_t *m, uint32_t index, pid_t pid, const char *why)
{
    int64_t now = ad_mono_ns() - m->start_ns;
    ad_request_record_t rec = {.index = index,
                               .intended_ns = now,
                               .sent_ns = now,
                               .done_ns = now,
                               .error = AD_ERR_OTHER,
                               .pid = pid,
                               .server_seq = -1};
    account(m, &rec, 0, why);
}

/* A request cut short by a stop (SIGINT/SIGTERM) is abandoned: sent, not completed. */
static bool abandoned(CURLcode rc)
{
    return rc == CURLE_ABORTED_BY_CALLBACK && ad_engine_stop_requested();
}

/* ---- sequential ---- */

static int run_sequential(mode_ctx_t *m)
{
    ad_transfer_t t;
    ad_transfer_opts_t topts;
    transfer_opts(m, &topts);
    if (ad_transfer_init(&t, &topts, m->err, sizeof(m->err)) != 0)
        return -1;
    uint64_t errors = 0;
    for (uint64_t i = 1; i <= m->o->n && !ad_engine_stop_requested(); i++) {
        CURLcode rc = ad_transfer_perform(&t, (uint32_t)i, m->start_ns);
        if (abandoned(rc)) {
            m->r->sent = i;
            break;
        }
        char why[CURL_ERROR_SIZE + 64];
        ad_transfer_describe_error(&t, rc, why, sizeof(why));
        account(m, &t.rec, t.bytes, why);
        errors += t.rec.error != AD_ERR_NONE;
        show_progress(m, i, errors);
    }
    ad_transfer_cleanup(&t);
    return 0;
}

/* ---- async: the multi engine ---- */

static int run_async(mode_ctx_t *m)
{
    const ad_compare_opts_t *o = m->o;
    unsigned streams = 0; /* HTTP/1.1: a connection per request */
    if (o->h2)
        streams = h2c_one_per_connection(o) ? 1 : o->n < COMPARE_H2_STREAMS ? (unsigned)o->n : COMPARE_H2_STREAMS;
    ad_engine_plan_t plan = {
        .target = &m->o->target,
        .tls = &m->o->tls,
        .address = &m->target->address,
        .concurrency = m->o->n > UINT32_MAX ? UINT32_MAX : (unsigned)m->o->n,
        .requests = m->o->n,
        .streams = streams,
        .timeout_ns = m->o->timeout_ns,
        .keepalive = !h2c_one_per_connection(o),
        .threads = 1,
        .resolve = m->target->resolve,
        .backend = AD_ENGINE_CURL, /* the lesson compares libcurl's ways of making requests */
        .progress = (m->progress->tty || m->progress->notify) ? ad_progress_update : NULL,
        .progress_ud = m->progress,
    };
    return ad_engine_run(&plan, m->r, m->err, sizeof(m->err));
}

/* ---- threads: one per request, at most max_parallel at once ---- */

/* How many requests a threads or processes mode has going at once: -n, capped by --max-parallel. */
static uint64_t parallel_of(const ad_compare_opts_t *o, ad_compare_mode_t mode)
{
    if (mode == AD_MODE_SEQUENTIAL)
        return 1;
    if (mode == AD_MODE_ASYNC)
        return o->n;
    return o->n < o->max_parallel ? o->n : o->max_parallel;
}

typedef struct thread_job {
    mode_ctx_t *m;
    struct thread_pool *pool;
    size_t slot;
    uint32_t index;
    pthread_t tid;
    ad_transfer_t t;
    CURLcode rc;
    bool setup_failed;
    char why[CURL_ERROR_SIZE + 64];
} thread_job_t;

/* The slots of the threads running at once; a thread that ends queues its slot for the main thread, which
 * joins it, accounts its request (account() is the main thread's alone) and starts the next one in it. */
typedef struct thread_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t *ended; /* slots whose thread has ended, not yet joined */
    size_t nended;
} thread_pool_t;

static void *thread_request(void *arg)
{
    thread_job_t *job = arg;
    ad_transfer_opts_t topts;
    transfer_opts(job->m, &topts);
    if (ad_transfer_init(&job->t, &topts, job->why, sizeof(job->why)) != 0) {
        job->setup_failed = true;
    } else {
        job->rc = ad_transfer_perform(&job->t, job->index, job->m->start_ns);
        ad_transfer_describe_error(&job->t, job->rc, job->why, sizeof(job->why));
    }
    thread_pool_t *pool = job->pool;
    pthread_mutex_lock(&pool->mu);
    pool->ended[pool->nended++] = job->slot;
    pthread_cond_signal(&pool->cv);
    pthread_mutex_unlock(&pool->mu);
    return NULL;
}

/* Joins the thread of an ended job and accounts its request. */
static void finish_thread(mode_ctx_t *m, thread_job_t *job, uint64_t *errors, uint64_t *nabandoned)
{
    pthread_join(job->tid, NULL);
    if (job->setup_failed) {
        account_failure(m, job->index, 0, job->why);
        (*errors)++;
        return;
    }
    if (abandoned(job->rc)) {
        (*nabandoned)++;
    } else {
        account(m, &job->t.rec, job->t.bytes, job->why);
        *errors += job->t.rec.error != AD_ERR_NONE;
    }
    ad_transfer_cleanup(&job->t);
}

static int run_threads(mode_ctx_t *m)
{
    uint64_t n = m->o->n, width = parallel_of(m->o, AD_MODE_THREADS);
    thread_job_t *jobs = calloc(width, sizeof(*jobs));
    size_t *free_slots = calloc(width, sizeof(*free_slots));
    thread_pool_t pool = {.ended = calloc(width, sizeof(size_t))};
    if (jobs == NULL || free_slots == NULL || pool.ended == NULL) {
        free(jobs);
        free(free_slots);
        free(pool.ended);
        snprintf(m->err, sizeof(m->err), "out of memory for %llu threads", (unsigned long long)width);
        return -1;
    }
    pthread_mutex_init(&pool.mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* the tick is an interval: immune to clock steps */
    pthread_cond_init(&pool.cv, &ca);
    pthread_condattr_destroy(&ca);
    size_t nfree = width;
    for (size_t i = 0; i < width; i++)
        free_slots[i] = width - 1 - i;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 512 * 1024); /* thousands of threads: no 8 MB stacks */
    uint64_t next = 0, running = 0, errors = 0, nabandoned = 0;
    for (;;) {
        while (nfree > 0 && next < n && !ad_engine_stop_requested()) {
            size_t slot = free_slots[--nfree];
            thread_job_t *job = &jobs[slot];
            *job = (thread_job_t){.m = m, .pool = &pool, .slot = slot, .index = (uint32_t)(++next)};
            int e = pthread_create(&job->tid, &attr, thread_request, job);
            if (e != 0) {
                char why[128];
                snprintf(why, sizeof(why), "other: cannot start thread %llu: %s", (unsigned long long)next,
                         strerror(e));
                account_failure(m, job->index, 0, why);
                errors++;
                free_slots[nfree++] = slot;
                continue;
            }
            running++;
        }
        if (running == 0)
            break;
        /* Wait for a thread to end; progress every tick meanwhile (no busy wait). */
        size_t ended[64];
        size_t nended = 0;
        pthread_mutex_lock(&pool.mu);
        if (pool.nended == 0) {
            struct timespec until = ad_ns_to_timespec(ad_mono_ns() + AD_ENGINE_PROGRESS_NS);
            pthread_cond_timedwait(&pool.cv, &pool.mu, &until);
        }
        while (pool.nended > 0 && nended < sizeof(ended) / sizeof(ended[0]))
            ended[nended++] = pool.ended[--pool.nended];
        pthread_mutex_unlock(&pool.mu);
        for (size_t i = 0; i < nended; i++) {
            finish_thread(m, &jobs[ended[i]], &errors, &nabandoned);
            free_slots[nfree++] = ended[i];
            running--;
        }
        show_progress(m, m->r->completed, errors);
    }
    pthread_attr_destroy(&attr);
    if (m->r->sent < m->r->completed + nabandoned)
        m->r->sent = m->r->completed + nabandoned;
    pthread_cond_destroy(&pool.cv);
    pthread_mutex_destroy(&pool.mu);
    free(jobs);
    free(free_slots);
    free(pool.ended);
    return 0;
}

/* ---- processes: one fork per request ---- */

/* What a child sends back: small enough for one atomic pipe write (< PIPE_BUF). */
typedef struct child_report {
    ad_request_record_t rec;
    uint64_t bytes;
    char why[CURL_ERROR_SIZE + 64];
} child_report_t;
_Static_assert(sizeof(child_report_t) <= 4096, "a child's report must fit one atomic pipe write (PIPE_BUF)");

/* Forks with SIGINT/SIGTERM blocked, so a child never runs the parent's stop handler (it would report
 * "Callback aborted" as if it had a result): the child takes the default dispositions first, then a
 * signal makes it die, which the parent reports (or, when it is stopping itself, abandons). */
static pid_t fork_child(void)
{
    sigset_t stop, old;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, &old);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return pid;
}

static void child_main(mode_ctx_t *m, uint32_t index, int wfd)
{
    child_report_t rep;
    memset(&rep, 0, sizeof(rep));
    ad_transfer_t t;
    ad_transfer_opts_t topts;
    transfer_opts(m, &topts);
    if (ad_transfer_init(&t, &topts, rep.why, sizeof(rep.why)) != 0)
        _exit(3);
    CURLcode rc = ad_transfer_perform(&t, index, m->start_ns);
    rep.rec = t.rec;
    rep.rec.pid = getpid();
    rep.bytes = t.bytes;
    ad_transfer_describe_error(&t, rc, rep.why, sizeof(rep.why));
    ad_transfer_cleanup(&t);
    ssize_t w = write(wfd, &rep, sizeof(rep));
    _exit(w == (ssize_t)sizeof(rep) ? 0 : 4);
}

static void describe_exit(pid_t pid, int status, char *buf, size_t size)
{
    if (WIFSIGNALED(status))
        snprintf(buf, size, "other: child process %ld was killed by signal %d (%s)", (long)pid, WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(buf, size, "other: child process %ld exited with status %d without a result", (long)pid,
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* A child running a request: its PID and the request's index (1-based). */
typedef struct child_slot {
    pid_t pid;
    uint32_t index;
} child_slot_t;

typedef struct children {
    mode_ctx_t *m;
    int rfd;
    bool *reported; /* by request index - 1 */
    child_slot_t *running;
    size_t nrunning;
    uint64_t errors, forked;
} children_t;

/* Reads every report waiting in the pipe (the read end does not block). */
static void read_reports(children_t *c)
{
    child_report_t rep;
    for (;;) {
        ssize_t got = read(c->rfd, &rep, sizeof(rep));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return; /* nothing more now (EAGAIN), or every write end is closed */
        uint64_t n = c->m->o->n;
        if (got != (ssize_t)sizeof(rep) || rep.rec.index == 0 || rep.rec.index > n || c->reported[rep.rec.index - 1])
            continue; /* cannot happen with atomic writes; never trust it blindly */
        c->reported[rep.rec.index - 1] = true;
        account(c->m, &rep.rec, rep.bytes, rep.why);
        c->errors += rep.rec.error != AD_ERR_NONE;
    }
}

/* Reaps the children that have ended, freeing their slots: a reported one is done; one that died without
 * reporting is an error naming its PID and signal - unless the run was stopped, which abandons what was
 * in flight (sent, not completed). block: wait for those whose report is in (they exit right after it). */
static void reap_children(children_t *c)
{
    for (size_t i = 0; i < c->nrunning;) {
        child_slot_t *s = &c->running[i];
        bool reported = c->reported[s->index - 1];
        int status = 0;
        pid_t r;
        while ((r = waitpid(s->pid, &status, reported ? 0 : WNOHANG)) < 0 && errno == EINTR)
            ;
        if (r == 0) {
            i++;
            continue;
        }
        if (!reported) {
            read_reports(c); /* its report may have come just before it ended */
            if (!c->reported[s->index - 1] && !ad_engine_stop_requested()) {
                char why[160];
                describe_exit(s->pid, status, why, sizeof(why));
                account_failure(c->m, s->index, s->pid, why);
                c->errors++;
            }
        }
        *s = c->running[--c->nrunning];
    }
}

/* Starts one child for request index; returns its PID, or -1 after accounting the failure. */
static pid_t start_child(children_t *c, uint32_t index, int wfd)
{
    fflush(NULL); /* children must not inherit unwritten output */
    pid_t pid = fork_child();
    if (pid == 0) {
        close(c->rfd);
        child_main(c->m, index, wfd);
    }
    if (pid < 0) {
        char why[128];
        snprintf(why, sizeof(why), "other: fork for request %lu: %s", (unsigned long)index, strerror(errno));
        account_failure(c->m, index, 0, why);
        c->reported[index - 1] = true;
        c->errors++;
        return -1;
    }
    c->running[c->nrunning++] = (child_slot_t){.pid = pid, .index = index};
    c->forked++;
    return pid;
}

static int run_processes(mode_ctx_t *m)
{
    uint64_t n = m->o->n, width = parallel_of(m->o, AD_MODE_PROCESSES);
    children_t c = {.m = m, .reported = calloc(n, sizeof(bool)), .running = calloc(width, sizeof(child_slot_t))};
    int fds[2] = {-1, -1};
    /* Only the read end is non-blocking: a child's report write must wait for room, never fail. */
    if (c.reported == NULL || c.running == NULL || pipe2(fds, O_CLOEXEC) != 0 ||
        fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK) != 0) {
        snprintf(m->err, sizeof(m->err), "cannot set up %llu processes: %s", (unsigned long long)width,
                 strerror(errno));
        if (fds[0] >= 0) {
            close(fds[0]);
            close(fds[1]);
        }
        free(c.reported);
        free(c.running);
        return -1;
    }
    c.rfd = fds[0];
    if (m->out != NULL)
        fprintf(m->out, _("processes: parent PID %ld forks one child per request\n"), (long)getpid());
    uint64_t next = 0;
    bool stopped = false;
    for (;;) {
        if (!stopped && ad_engine_stop_requested()) {
            stopped = true;
            for (size_t i = 0; i < c.nrunning; i++)
                kill(c.running[i].pid, SIGTERM);
        }
        while (!stopped && c.nrunning < width && next < n)
            start_child(&c, (uint32_t)++next, fds[1]);
        if (fds[1] >= 0 && (next == n || stopped)) {
            close(fds[1]); /* the children hold their own */
            fds[1] = -1;
        }
        if (c.nrunning == 0)
            break;
        struct pollfd pfd = {.fd = c.rfd, .events = POLLIN};
        poll(&pfd, 1, (int)(AD_ENGINE_PROGRESS_NS / AD_NS_PER_MS));
        read_reports(&c);
        reap_children(&c);
        show_progress(m, m->r->completed, c.errors);
    }
    if (fds[1] >= 0)
        close(fds[1]);
    close(c.rfd);
    if (m->r->sent < c.forked)
        m->r->sent = c.forked;
    free(c.reported);
    free(c.running);
    return 0;
}

/* ---- the command ---- */

static int run_mode(ad_compare_mode_t mode, mode_ctx_t *m)
{
    m->start_ns = ad_mono_ns();
    m->r->start_wall_ns = ad_wall_ns();
    uint64_t width = parallel_of(m->o, mode);
    m->r->concurrency = (unsigned)(width > UINT32_MAX ? UINT32_MAX : width);
    if (m->out != NULL && mode != AD_MODE_SEQUENTIAL && width < m->o->n)
        fprintf(m->out,
                _("%s: at most %llu of the %llu requests at once (--max-parallel): the rest wait for a free slot\n"),
                ad_compare_mode_name(mode), (unsigned long long)width, (unsigned long long)m->o->n);
    switch (mode) {
    case AD_MODE_SEQUENTIAL:
        return run_sequential(m);
    case AD_MODE_ASYNC:
        return run_async(m);
    case AD_MODE_THREADS:
        return run_threads(m);
    case AD_MODE_PROCESSES:
        return run_processes(m);
    case AD_MODE_COUNT:
        break;
    }
    snprintf(m->err, sizeof(m->err), "unknown mode %d", (int)mode);
    return -1;
}

/* Whether a finished mode ran its requests in waves (fewer at once than it sent), which its time includes. */
static bool ran_in_waves(const ad_run_result_t *run)
{
    int mode = ad_compare_mode_from_name(run->name, strlen(run->name));
    return (mode == AD_MODE_THREADS || mode == AD_MODE_PROCESSES) && run->concurrency < run->sent;
}

/* The text report's end, before the timeline: the modes ranked, and which of them ran in waves. */
void ad_compare_report_end(const ad_cmd_runs_t *r)
{
    ad_report_ranking(r->dest.out, (const ad_run_result_t *const *)r->runs, r->n, &r->st);
    for (size_t i = 0; i < r->n; i++)
        if (ran_in_waves(r->runs[i]))
            fprintf(r->dest.out,
                    _("note: %s ran at most %u requests at once (--max-parallel), in waves: its time is not that of "
                      "all %llu at once\n"),
                    r->runs[i]->name, r->runs[i]->concurrency, (unsigned long long)r->runs[i]->sent);
    fputc('\n', r->dest.out);
}

/* Refuses (a usage error) a threads or processes mode the task limits cannot hold; 0 when they can. */
static int check_task_limits(const ad_compare_opts_t *o)
{
    uint64_t want = 0;
    for (size_t i = 0; i < o->nmodes; i++) {
        uint64_t w =
            o->modes[i] == AD_MODE_THREADS || o->modes[i] == AD_MODE_PROCESSES ? parallel_of(o, o->modes[i]) : 0;
        want = w > want ? w : want;
    }
    if (want == 0)
        return 0;
    ad_task_limits_t limits;
    char why[256];
    ad_task_limits_read(&limits);
    if (ad_task_limits_check(&limits, want, why, sizeof(why)) == 0)
        return 0;
    return ad_cmd_usage_error(
        AD_CMD_COMPARE,
        _("--max-parallel: %llu threads or processes at once do not fit: %s; lower --max-parallel or -n"),
        (unsigned long long)want, why);
}

int ad_compare_execute(const ad_compare_opts_t *o, const char *heading)
{
    int rc = check_task_limits(o);
    if (rc != 0)
        return rc;
    ad_cmd_runs_t r;
    rc = ad_cmd_runs_begin(&r, &AD_CMD_RUNS_SPEC(o, "compare", heading, &o->target, o->nmodes));
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < o->nmodes && !ad_engine_stop_requested(); i++) {
        const char *name = ad_compare_mode_name(o->modes[i]);
        ad_run_result_t *run = malloc(sizeof(*run));
        if (run == NULL) {
            ad_cmd_error("%s", _("out of memory"));
            rc = AD_CTL_EXIT_SOFTWARE;
            break;
        }
        ad_run_result_init(run, name, &o->target);
        ad_progress_t progress;
        ad_progress_init(&progress, "compare", name, !o->no_progress);
        mode_ctx_t m = {
            .o = o, .target = &r.target, .r = run, .progress = &progress, .out = o->json ? NULL : r.dest.out};
        int mrc = run_mode(o->modes[i], &m);
        if (run->engine[0] == '\0') /* sequential, threads, processes: libcurl easy handles */
            snprintf(run->engine, sizeof(run->engine), "curl");
        ad_progress_clear(&progress);
        if (mrc != 0) {
            ad_cmd_error(_("compare %s: %s"), name, m.err);
            free(run);
            rc = AD_CTL_EXIT_SOFTWARE;
            break;
        }
        ad_cmd_runs_add(&r, run);
    }
    return ad_cmd_runs_end(&r, rc, o->json ? ad_json_options_compare(o) : NULL, ad_compare_report_end);
}

/* The subcommand run on its own: no heading. */
static int run(ad_compare_opts_t *o)
{
    return ad_compare_execute(o, NULL);
}

AD_CMD_ENTRY(ad_cmd_compare, AD_CMD_COMPARE, ad_compare_opts_t, ad_ctl_parse_compare, run)
