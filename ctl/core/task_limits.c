/* The task limits compare's threads and processes modes are checked against (see task_limits.h). */
#include "task_limits.h"
#include "i18n.h"

#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* The first unsigned number in path's content (pid_max, threads-max), or AD_TASKS_UNLIMITED. */
static uint64_t read_number(const char *path)
{
    FILE *f = fopen(path, "r");
    unsigned long long v = 0;
    bool ok = f != NULL && fscanf(f, "%llu", &v) == 1;
    if (f != NULL)
        fclose(f);
    return ok ? (uint64_t)v : AD_TASKS_UNLIMITED;
}

/* Tasks on the host: /proc/loadavg's fourth field is "running/total" scheduling entities. */
static uint64_t system_tasks(void)
{
    FILE *f = fopen("/proc/loadavg", "r");
    unsigned long long running = 0, total = 0;
    bool ok = f != NULL && fscanf(f, "%*s %*s %*s %llu/%llu", &running, &total) == 2;
    if (f != NULL)
        fclose(f);
    return ok ? (uint64_t)total : 0;
}

/* Tasks (threads) of processes whose real uid is uid, as RLIMIT_NPROC counts them. */
static uint64_t user_tasks(uid_t uid)
{
    DIR *d = opendir("/proc");
    if (d == NULL)
        return 0;
    uint64_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        char path[64], line[256];
        snprintf(path, sizeof(path), "/proc/%.20s/status", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue; /* gone meanwhile */
        unsigned long real = (unsigned long)-1, threads = 0;
        while (fgets(line, sizeof(line), f) != NULL) {
            if (strncmp(line, "Uid:", 4) == 0)
                real = strtoul(line + 4, NULL, 10);
            else if (strncmp(line, "Threads:", 8) == 0)
                threads = strtoul(line + 8, NULL, 10);
        }
        fclose(f);
        if (real == (unsigned long)uid)
            n += threads;
    }
    closedir(d);
    return n;
}

void ad_task_limits_read(ad_task_limits_t *l)
{
    memset(l, 0, sizeof(*l));
    struct rlimit rl;
    l->nproc = AD_TASKS_UNLIMITED;
    /* The kernel lets root pass RLIMIT_NPROC (fork checks it only for other users). */
    if (getuid() != 0 && getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        l->nproc = (uint64_t)rl.rlim_cur;
        l->user_tasks = user_tasks(getuid());
    }
    uint64_t pid_max = read_number("/proc/sys/kernel/pid_max");
    uint64_t threads_max = read_number("/proc/sys/kernel/threads-max");
    l->system_max = pid_max < threads_max ? pid_max : threads_max;
    l->system_tasks = system_tasks();
}

/* Whether want more fit under limit with in_use taken and an eighth kept free; else the reason in err. */
static bool fits(uint64_t limit, uint64_t in_use, uint64_t want, const char *what, char *err, size_t errlen)
{
    if (limit == AD_TASKS_UNLIMITED)
        return true;
    uint64_t reserve = limit / 8;
    if (in_use <= limit && reserve <= limit - in_use && want <= limit - in_use - reserve)
        return true;
    snprintf(err, errlen, _("%s is %llu, %llu in use, %llu kept free"), _(what), (unsigned long long)limit,
             (unsigned long long)in_use, (unsigned long long)reserve);
    return false;
}

int ad_task_limits_check(const ad_task_limits_t *l, uint64_t want, char *err, size_t errlen)
{
    if (!fits(l->nproc, l->user_tasks, want, N_("RLIMIT_NPROC for this user"), err, errlen) ||
        !fits(l->system_max, l->system_tasks, want, N_("the host's task limit (pid_max, threads-max)"), err, errlen))
        return -1;
    return 0;
}
