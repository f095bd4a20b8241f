/*
 * `asyncdemoctl compare`: the seed's Task 1 - the same N GET requests made four ways:
 *   sequential  one easy handle, one request after the other
 *   async       one thread, the multi engine (every request in flight at once)
 *   threads     a thread per request, each with its own easy handle
 *   processes   a forked process per request; each child sends its record back through a pipe
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
#include "cmd_common.h"
#include "commands.h"
#include "engine.h"
#include "json_report.h"
#include "progress.h"
#include "transfer.h"

typedef struct mode_ctx {
    const ad_compare_opts_t *o;
    const struct curl_slist *resolve;
    ad_run_result_t *r;
    ad_progress_t *progress;
    FILE *out; /* text output, or NULL with --json */
    int64_t start_ns;
    char err[256];
} mode_ctx_t;

static void transfer_opts(const mode_ctx_t *m, ad_transfer_opts_t *t)
{
    *t = (ad_transfer_opts_t){
        .url = m->o->url,
        .timeout_ns = m->o->timeout_ns,
        .keepalive = true,
        .resolve = m->resolve,
        .abort_on_stop = true,
    };
}

/* Accounts one finished request: the record, its bytes, the first error's message. */
static void account(mode_ctx_t *m, const ad_request_record_t *rec, uint64_t bytes, const char *errmsg)
{
    ad_run_result_add(m->r, rec);
    m->r->bytes_received += bytes;
    if (rec->error != AD_ERR_NONE && m->r->first_error[0] == '\0' && errmsg != NULL)
        snprintf(m->r->first_error, sizeof(m->r->first_error), "%s", errmsg);
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
    ad_engine_plan_t plan = {
        .url = m->o->url,
        .concurrency = m->o->n > UINT32_MAX ? UINT32_MAX : (unsigned)m->o->n,
        .requests = m->o->n,
        .timeout_ns = m->o->timeout_ns,
        .keepalive = true,
        .threads = 1,
        .resolve = m->resolve,
        .backend = AD_ENGINE_CURL, /* the lesson compares libcurl's ways of making requests */
        .progress = (m->progress->tty || m->progress->notify) ? ad_progress_update : NULL,
        .progress_ud = m->progress,
    };
    return ad_engine_run(&plan, m->r, m->err, sizeof(m->err));
}

/* ---- threads: one per request ---- */

typedef struct thread_job {
    mode_ctx_t *m;
    uint32_t index;
    ad_transfer_t t;
    CURLcode rc;
    bool setup_failed;
    char why[CURL_ERROR_SIZE + 64];
    _Atomic int *done, *failed;
} thread_job_t;

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
    if (job->setup_failed || job->t.rec.error != AD_ERR_NONE)
        atomic_fetch_add(job->failed, 1);
    atomic_fetch_add(job->done, 1);
    return NULL;
}

static int run_threads(mode_ctx_t *m)
{
    uint64_t n = m->o->n;
    thread_job_t *jobs = calloc(n, sizeof(*jobs));
    pthread_t *tids = calloc(n, sizeof(*tids));
    bool *started = calloc(n, sizeof(*started));
    _Atomic int done = 0, failed = 0;
    if (jobs == NULL || tids == NULL || started == NULL) {
        free(jobs);
        free(tids);
        free(started);
        snprintf(m->err, sizeof(m->err), "out of memory for %llu threads", (unsigned long long)n);
        return -1;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 512 * 1024); /* thousands of threads: no 8 MB stacks */
    int nstarted = 0;
    for (uint64_t i = 0; i < n && !ad_engine_stop_requested(); i++) {
        jobs[i] = (thread_job_t){.m = m, .index = (uint32_t)(i + 1), .done = &done, .failed = &failed};
        int e = pthread_create(&tids[i], &attr, thread_request, &jobs[i]);
        started[i] = e == 0;
        if (e != 0) {
            char why[128];
            snprintf(why, sizeof(why), "other: cannot start thread %llu: %s", (unsigned long long)(i + 1), strerror(e));
            account_failure(m, (uint32_t)(i + 1), 0, why);
        } else {
            nstarted++;
        }
    }
    pthread_attr_destroy(&attr);
    /* Progress while they run: 100 ms ticks, no busy wait. */
    while (atomic_load(&done) < nstarted) {
        struct timespec tick = ad_ns_to_timespec(AD_ENGINE_PROGRESS_NS);
        nanosleep(&tick, NULL);
        show_progress(m, (uint64_t)atomic_load(&done), (uint64_t)atomic_load(&failed));
    }
    uint64_t nabandoned = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (!started[i])
            continue;
        pthread_join(tids[i], NULL);
        thread_job_t *job = &jobs[i];
        if (job->setup_failed) {
            account_failure(m, job->index, 0, job->why);
        } else if (abandoned(job->rc)) {
            nabandoned++;
            ad_transfer_cleanup(&job->t);
        } else {
            account(m, &job->t.rec, job->t.bytes, job->why);
            ad_transfer_cleanup(&job->t);
        }
    }
    if (m->r->sent < m->r->completed + nabandoned)
        m->r->sent = m->r->completed + nabandoned;
    free(jobs);
    free(tids);
    free(started);
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

/* A stop (SIGINT/SIGTERM to the parent alone) ends the children still running, so the parent does
 * not wait out their requests: they are abandoned, as in flight requests are in the other modes. */
static void stop_children(const pid_t *pids, const bool *reported, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (pids[i] > 0 && !reported[i])
            kill(pids[i], SIGTERM);
}

/* Reads the children's reports until every write end is closed (each child holds one). */
static void collect_reports(mode_ctx_t *m, int rfd, const pid_t *pids, bool *reported, uint64_t n, uint64_t *errors)
{
    child_report_t rep;
    uint64_t done = 0;
    bool stopped = false;
    for (;;) {
        if (!stopped && ad_engine_stop_requested()) {
            stopped = true;
            stop_children(pids, reported, n);
        }
        struct pollfd pfd = {.fd = rfd, .events = POLLIN};
        int pr = poll(&pfd, 1, (int)(AD_ENGINE_PROGRESS_NS / AD_NS_PER_MS));
        if (pr == 0 || (pr < 0 && errno == EINTR)) {
            show_progress(m, done, *errors);
            continue;
        }
        ssize_t got = read(rfd, &rep, sizeof(rep));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return; /* EOF: every child is gone */
        if (got != (ssize_t)sizeof(rep) || rep.rec.index == 0 || rep.rec.index > n || reported[rep.rec.index - 1])
            continue; /* cannot happen with atomic writes; never trust it blindly */
        reported[rep.rec.index - 1] = true;
        account(m, &rep.rec, rep.bytes, rep.why);
        done++;
        *errors += rep.rec.error != AD_ERR_NONE;
        show_progress(m, done, *errors);
    }
}

static int run_processes(mode_ctx_t *m)
{
    uint64_t n = m->o->n;
    pid_t *pids = calloc(n, sizeof(*pids));
    bool *reported = calloc(n, sizeof(*reported));
    int fds[2];
    if (pids == NULL || reported == NULL || pipe2(fds, O_CLOEXEC) != 0) {
        free(pids);
        free(reported);
        snprintf(m->err, sizeof(m->err), "cannot set up %llu processes: %s", (unsigned long long)n, strerror(errno));
        return -1;
    }
    if (m->out != NULL)
        fprintf(m->out, "processes: parent PID %ld forks one child per request\n", (long)getpid());
    fflush(NULL); /* children must not inherit unwritten output */
    for (uint64_t i = 0; i < n && !ad_engine_stop_requested(); i++) {
        pid_t pid = fork_child();
        if (pid == 0) {
            close(fds[0]);
            child_main(m, (uint32_t)(i + 1), fds[1]);
        }
        if (pid < 0) {
            char why[128];
            snprintf(why, sizeof(why), "other: fork for request %llu: %s", (unsigned long long)(i + 1),
                     strerror(errno));
            account_failure(m, (uint32_t)(i + 1), 0, why);
            reported[i] = true;
            continue;
        }
        pids[i] = pid;
    }
    close(fds[1]);
    uint64_t errors = 0, forked = 0;
    collect_reports(m, fds[0], pids, reported, n, &errors);
    close(fds[0]);
    /* Reap every child; one that died without reporting is an error, not a lost request - unless the run
     * was stopped, which abandons what was in flight (sent, not completed). */
    for (uint64_t i = 0; i < n; i++) {
        if (pids[i] <= 0)
            continue;
        forked++;
        int status = 0;
        while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
            ;
        if (!reported[i] && !ad_engine_stop_requested()) {
            char why[160];
            describe_exit(pids[i], status, why, sizeof(why));
            account_failure(m, (uint32_t)(i + 1), pids[i], why);
        }
    }
    if (m->r->sent < forked)
        m->r->sent = forked;
    free(pids);
    free(reported);
    return 0;
}

/* ---- the command ---- */

static int run_mode(ad_compare_mode_t mode, mode_ctx_t *m)
{
    m->start_ns = ad_mono_ns();
    m->r->start_wall_ns = ad_wall_ns();
    m->r->concurrency = mode == AD_MODE_SEQUENTIAL ? 1 : (unsigned)(m->o->n > UINT32_MAX ? UINT32_MAX : m->o->n);
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

/* The text report's end, before the timeline: the modes ranked. */
static void report_end(const ad_cmd_runs_t *r)
{
    ad_report_ranking(r->dest.out, (const ad_run_result_t *const *)r->runs, r->n, &r->st);
    fputc('\n', r->dest.out);
}

int ad_compare_execute(const ad_compare_opts_t *o, const char *heading)
{
    ad_cmd_runs_t r;
    int rc = ad_cmd_runs_begin(&r, &AD_CMD_RUNS_SPEC(o, "compare", heading, &o->target, o->nmodes));
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < o->nmodes && !ad_engine_stop_requested(); i++) {
        const char *name = ad_compare_mode_name(o->modes[i]);
        ad_run_result_t *run = malloc(sizeof(*run));
        if (run == NULL) {
            ad_cmd_error("out of memory");
            rc = AD_CTL_EXIT_SOFTWARE;
            break;
        }
        ad_run_result_init(run, name, o->url);
        ad_progress_t progress;
        ad_progress_init(&progress, "compare", name, !o->no_progress);
        mode_ctx_t m = {
            .o = o, .resolve = r.resolve, .r = run, .progress = &progress, .out = o->json ? NULL : r.dest.out};
        int mrc = run_mode(o->modes[i], &m);
        if (run->engine[0] == '\0') /* sequential, threads, processes: libcurl easy handles */
            snprintf(run->engine, sizeof(run->engine), "curl");
        ad_progress_clear(&progress);
        if (mrc != 0) {
            ad_cmd_error("compare %s: %s", name, m.err);
            free(run);
            rc = AD_CTL_EXIT_SOFTWARE;
            break;
        }
        ad_cmd_runs_add(&r, run);
    }
    return ad_cmd_runs_end(&r, rc, o->json ? ad_json_options_compare(o) : NULL, report_end);
}

int ad_cmd_compare(int argc, char **argv)
{
    ad_compare_opts_t *o = malloc(sizeof(*o));
    char err[512] = "";
    if (o == NULL) {
        ad_cmd_error("out of memory");
        return AD_CTL_EXIT_SOFTWARE;
    }
    int rc = ad_cmd_parse_outcome(ad_ctl_parse_compare(argc, argv, o, err, sizeof(err)), AD_CMD_COMPARE, err);
    if (rc < 0)
        rc = ad_compare_execute(o, NULL);
    free(o);
    return rc;
}
