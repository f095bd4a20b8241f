#ifndef AD_CTL_TASK_LIMITS_H
#define AD_CTL_TASK_LIMITS_H
/*
 * How many threads or processes compare may start at once without running the user or the host out of
 * them: every thread and process takes a task (a PID number) counted against RLIMIT_NPROC (per user; the
 * kernel does not enforce it for root), /proc/sys/kernel/pid_max and /proc/sys/kernel/threads-max.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AD_TASKS_UNLIMITED UINT64_MAX

typedef struct ad_task_limits {
    uint64_t nproc;        /* RLIMIT_NPROC's soft limit, AD_TASKS_UNLIMITED when none or not enforced */
    uint64_t user_tasks;   /* tasks of this user now (counted against nproc) */
    uint64_t system_max;   /* min(pid_max, threads-max), AD_TASKS_UNLIMITED when unknown */
    uint64_t system_tasks; /* tasks on the host now */
} ad_task_limits_t;

/* Reads the limits and the counts from getrlimit and /proc. What cannot be read counts as unlimited. */
void ad_task_limits_read(ad_task_limits_t *l);

/*
 * Pure: whether `want` more tasks at once fit, keeping an eighth of each limit free (for the user's shell
 * and the rest of the host). Returns 0, or -1 with a reason in err naming the limit, its value and the
 * tasks in use ("RLIMIT_NPROC is 64 for this user, 10 in use, 8 kept free").
 */
int ad_task_limits_check(const ad_task_limits_t *l, uint64_t want, char *err, size_t errlen);

#endif
