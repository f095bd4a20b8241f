/* The bounded /offload worker pool (see offload.h). */
#include "offload.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"

enum { JOB_QUEUED = 1, JOB_RUNNING };

struct ad_offload_pool {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    ad_offload_job_t *head, **tail;
    unsigned size;
    bool stopping;
    pthread_t *threads;
    const _Atomic unsigned *queue_limit;
    unsigned busy, queued;   /* sleeping workers, jobs in the list; under lock */
    _Atomic uint64_t counts; /* busy << 32 | queued, one consistent pair for /stats to read without the lock */
};

/* Under lock, after busy or queued changed. */
static void publish_counts(ad_offload_pool_t *p)
{
    atomic_store_explicit(&p->counts, (uint64_t)p->busy << 32 | p->queued, memory_order_relaxed);
}

typedef struct worker_arg {
    ad_offload_pool_t *pool;
    unsigned index;
} worker_arg_t;

static ad_offload_job_t *take_job(ad_offload_pool_t *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->head == NULL && !p->stopping)
        pthread_cond_wait(&p->wake, &p->lock);
    ad_offload_job_t *job = p->head;
    if (job == NULL) {
        pthread_mutex_unlock(&p->lock);
        return NULL;
    }
    p->head = job->next;
    if (p->head == NULL)
        p->tail = &p->head;
    job->state = JOB_RUNNING;
    p->queued--;
    p->busy++;
    publish_counts(p);
    pthread_mutex_unlock(&p->lock);
    return job;
}

static void *worker_main(void *argp)
{
    worker_arg_t arg = *(worker_arg_t *)argp;
    free(argp);
    char name[16];
    snprintf(name, sizeof(name), "worker-%u", arg.index);
    pthread_setname_np(pthread_self(), name);
    ad_offload_job_t *job;
    while ((job = take_job(arg.pool)) != NULL) {
        int64_t start = ad_mono_ns();
        ad_wait_until(start + job->delay_ns, job->cpu);
        job->slept_ns = ad_mono_ns() - start;
        job->started_ns = start;
        job->worker = arg.index;
        pthread_mutex_lock(&arg.pool->lock);
        arg.pool->busy--;
        publish_counts(arg.pool);
        pthread_mutex_unlock(&arg.pool->lock);
        /* From here on the loop thread owns (and may free) the job. */
        h2o_multithread_send_message(job->reply_to, &job->msg);
    }
    return NULL;
}

ad_offload_pool_t *ad_offload_pool_start(unsigned size, const _Atomic unsigned *queue_limit)
{
    ad_offload_pool_t *p = calloc(1, sizeof(*p));
    if (p == NULL || (p->threads = calloc(size, sizeof(*p->threads))) == NULL) {
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    p->tail = &p->head;
    p->size = size;
    p->queue_limit = queue_limit;
    for (unsigned i = 0; i < size; i++) {
        worker_arg_t *arg = malloc(sizeof(*arg));
        int rc = ENOMEM;
        if (arg != NULL) {
            *arg = (worker_arg_t){.pool = p, .index = i};
            rc = pthread_create(&p->threads[i], NULL, worker_main, arg);
        }
        if (rc != 0) {
            free(arg);
            ad_log_error("cannot start offload worker %u: %s", i, strerror(rc));
            return NULL; /* workers already started wait forever on an empty queue: harmless, the caller exits */
        }
    }
    return p;
}

bool ad_offload_submit(ad_offload_pool_t *p, ad_offload_job_t *job)
{
    unsigned limit = atomic_load_explicit(p->queue_limit, memory_order_relaxed);
    pthread_mutex_lock(&p->lock);
    /* Room while running + waiting stays within the workers plus the allowed queue. */
    bool room = p->busy + p->queued < p->size + limit;
    if (room) {
        job->next = NULL;
        job->state = JOB_QUEUED;
        *p->tail = job;
        p->tail = &job->next;
        p->queued++;
        publish_counts(p);
        pthread_cond_signal(&p->wake);
    }
    pthread_mutex_unlock(&p->lock);
    return room;
}

bool ad_offload_withdraw(ad_offload_pool_t *p, ad_offload_job_t *job)
{
    bool removed = false;
    pthread_mutex_lock(&p->lock);
    if (job->state == JOB_QUEUED) {
        ad_offload_job_t **link = &p->head;
        while (*link != job)
            link = &(*link)->next;
        *link = job->next;
        if (p->tail == &job->next)
            p->tail = link;
        p->queued--;
        publish_counts(p);
        removed = true;
    }
    pthread_mutex_unlock(&p->lock);
    return removed;
}

/*
 * A job in the list while a worker is free (that worker has not woken up yet, or has just finished a
 * sleep and not yet taken the next job) is not waiting for a worker: it is counted busy, so that queued
 * never reads above pool-queue. busy + queued is exactly what submit bounds by size + pool-queue.
 */
void ad_offload_counts(const ad_offload_pool_t *p, unsigned *busy, unsigned *queued)
{
    uint64_t counts = atomic_load_explicit(&p->counts, memory_order_relaxed);
    unsigned running = (unsigned)(counts >> 32), waiting = (unsigned)counts;
    unsigned idle = running < p->size ? p->size - running : 0;
    unsigned starting = waiting < idle ? waiting : idle;
    *busy = running + starting;
    *queued = waiting - starting;
}

bool ad_offload_pool_stop(ad_offload_pool_t *p, int64_t timeout_ns)
{
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    int64_t ns = (int64_t)until.tv_nsec + timeout_ns;
    until.tv_sec += ns / AD_NS_PER_SEC;
    until.tv_nsec = ns % AD_NS_PER_SEC;
    for (unsigned i = 0; i < p->size; i++)
        if (pthread_timedjoin_np(p->threads[i], NULL, &until) != 0)
            return false;
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p->threads);
    free(p);
    return true;
}
