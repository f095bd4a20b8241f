/*
 * Every sd_notify call goes through here (see notify.h). The environment is read once: $NOTIFY_SOCKET
 * and the watchdog settings do not change during a run, and getenv() is not safe against a
 * concurrent setenv() elsewhere. sd_notify(0, ...) never unsets the environment.
 */
#include "notify.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#define AD_NOTIFY_STATUS_MAX 512

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static bool g_enabled;
static uint64_t g_watchdog_usec;

static void notify_read_env(void)
{
    const char *sock = getenv("NOTIFY_SOCKET");
    g_enabled = sock != NULL && *sock != '\0';
    uint64_t usec = 0;
    /* > 0 only when $WATCHDOG_USEC is set and $WATCHDOG_PID, if set, is us */
    if (g_enabled && sd_watchdog_enabled(0, &usec) > 0)
        g_watchdog_usec = usec;
}

bool ad_notify_enabled(void)
{
    pthread_once(&g_once, notify_read_env);
    return g_enabled;
}

/*
 * Copies a status text with newlines made spaces: a newline would start a new assignment, and a
 * status built from request data must not be able to send READY=1 or STOPPING=1.
 */
static void sanitize_status(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
    for (char *p = dst; *p != '\0'; p++) {
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    }
}

/* state, plus "\nSTATUS=..." when status is not NULL. */
static int notify_with_status(const char *state, const char *status)
{
    if (!ad_notify_enabled())
        return 0;
    if (status == NULL)
        return sd_notify(0, state);
    char clean[AD_NOTIFY_STATUS_MAX];
    sanitize_status(clean, sizeof(clean), status);
    return sd_notifyf(0, "%s\nSTATUS=%s", state, clean);
}

int ad_notify_ready(const char *status)
{
    return notify_with_status("READY=1", status);
}

int ad_notify_reloading(void)
{
    if (!ad_notify_enabled())
        return 0;
    /* systemd >= 253 (Type=notify-reload) wants the reload's start time; older ones ignore it */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    unsigned long long usec = (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000;
    return sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", usec);
}

int ad_notify_stopping(const char *status)
{
    return notify_with_status("STOPPING=1", status);
}

int ad_notify_status(const char *fmt, ...)
{
    if (!ad_notify_enabled())
        return 0;
    char text[AD_NOTIFY_STATUS_MAX], clean[AD_NOTIFY_STATUS_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    sanitize_status(clean, sizeof(clean), text);
    return sd_notifyf(0, "STATUS=%s", clean);
}

int ad_notify_watchdog(void)
{
    return notify_with_status("WATCHDOG=1", NULL);
}

uint64_t ad_notify_watchdog_usec(void)
{
    pthread_once(&g_once, notify_read_env);
    return g_watchdog_usec;
}
