#ifndef AD_OFFLOAD_H
#define AD_OFFLOAD_H
/*
 * The /offload worker pool: a fixed number of threads ("worker-N") run each job's nanosleep, then post
 * the job back to the loop thread that submitted it (h2o_multithread_send_message on that loop's
 * receiver). At most `size` jobs run and at most *queue_limit wait; past that submissions are refused.
 *
 * Ownership: a job is allocated by the loop thread and handed to the pool; the pool hands it back in a
 * message. Only the loop thread touches job->owner, so a request that goes away can detach itself
 * without locking (its reply then finds owner == NULL and just frees the job).
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <h2o.h>
#include <h2o/multithread.h>

typedef struct ad_offload_job {
    h2o_multithread_message_t msg; /* how the job travels back to its loop */
    struct ad_offload_job *next;   /* pool queue link */
    h2o_multithread_receiver_t *reply_to;
    int64_t delay_ns;
    bool cpu;           /* work=cpu: the worker is busy on the CPU for delay_ns instead of sleeping */
    unsigned worker;    /* index of the worker that slept (set by the pool) */
    int64_t slept_ns;   /* how long the worker's sleep really took (set by the pool) */
    int64_t started_ns; /* when a worker took it, CLOCK_MONOTONIC (set by the pool) */
    int state;          /* pool-private, under the pool lock */
    void *owner;        /* loop-thread only: the waiting request, NULL once it went away */
} ad_offload_job_t;

typedef struct ad_offload_pool ad_offload_pool_t;

/* Starts size worker threads. queue_limit is read on every submit, so it may change (config reload). NULL on failure.
 */
ad_offload_pool_t *ad_offload_pool_start(unsigned size, const _Atomic unsigned *queue_limit);
/*
 * Stops the workers once the queue is empty and waits up to timeout_ns for them to finish (a sleep in
 * progress is not interrupted). Frees the pool and returns true when every worker has ended; false:
 * some are still sleeping, the pool stays allocated (the process is about to exit anyway).
 */
bool ad_offload_pool_stop(ad_offload_pool_t *pool, int64_t timeout_ns);
/* Queues job (reply_to and delay_ns set). false when the pool and its queue are full: the caller keeps the job. */
bool ad_offload_submit(ad_offload_pool_t *pool, ad_offload_job_t *job);
/* Takes job back if no worker has started it yet (true: the caller frees it); false: a reply will come. */
bool ad_offload_withdraw(ad_offload_pool_t *pool, ad_offload_job_t *job);
/* Workers sleeping now and jobs waiting (racy snapshot for /stats). */
void ad_offload_counts(const ad_offload_pool_t *pool, unsigned *busy, unsigned *queued);
/* The job that arrived in a receiver callback's message. */
static inline ad_offload_job_t *ad_offload_job_from_message(h2o_linklist_t *link)
{
    return H2O_STRUCT_FROM_MEMBER(ad_offload_job_t, msg.link, link);
}

#endif
