/*
 * Every sd_notify call goes through here (see notify.h). The environment is read once: $NOTIFY_SOCKET
 * and the watchdog settings do not change during a run, and getenv() is not safe against a
 * concurrent setenv() elsewhere. sd_notify(0, ...) never unsets the environment.
 *
 * Messages go through one datagram socket opened at the first call, not sd_notify's socket per
 * message: a daemon out of file descriptors (a connection flood past RLIMIT_NOFILE) must still ping
 * the watchdog, or systemd kills it for the flood. sd_notify remains the fallback for addresses this
 * does not handle (not a path or an abstract name) or when that socket cannot be made.
 */
#include "notify.h"

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#define AD_NOTIFY_STATUS_MAX 512

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static bool g_enabled;
static uint64_t g_watchdog_usec;
static int g_fd = -1; /* the socket every message is sent through; -1: use sd_notify */
static struct sockaddr_un g_addr;
static socklen_t g_addr_len;

/* $NOTIFY_SOCKET as a path ("/run/...") or an abstract name ("@..."), and a socket to send to it. */
static void open_socket(const char *path)
{
    size_t len = strlen(path);
    if ((path[0] != '/' && path[0] != '@') || len >= sizeof(g_addr.sun_path))
        return;
    g_addr.sun_family = AF_UNIX;
    memcpy(g_addr.sun_path, path, len);
    if (path[0] == '@')
        g_addr.sun_path[0] = '\0';
    /* a path is sent with its NUL, an abstract name without one */
    g_addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (path[0] == '/'));
    g_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

static void notify_read_env(void)
{
    const char *sock = getenv("NOTIFY_SOCKET");
    g_enabled = sock != NULL && *sock != '\0';
    if (g_enabled)
        open_socket(sock);
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

/* Sends one message: > 0 when sent, as sd_notify returns. */
static int send_message(const char *text)
{
    if (g_fd < 0)
        return sd_notify(0, text);
    ssize_t n = sendto(g_fd, text, strlen(text), MSG_NOSIGNAL, (const struct sockaddr *)&g_addr, g_addr_len);
    return n < 0 ? -1 : 1;
}

/* state, plus "\nSTATUS=..." when status is not NULL. */
static int notify_with_status(const char *state, const char *status)
{
    if (!ad_notify_enabled())
        return 0;
    if (status == NULL)
        return send_message(state);
    char clean[AD_NOTIFY_STATUS_MAX], text[AD_NOTIFY_STATUS_MAX + 64];
    sanitize_status(clean, sizeof(clean), status);
    snprintf(text, sizeof(text), "%s\nSTATUS=%s", state, clean);
    return send_message(text);
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
    char text[64];
    snprintf(text, sizeof(text), "RELOADING=1\nMONOTONIC_USEC=%llu", usec);
    return send_message(text);
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
    char msg[AD_NOTIFY_STATUS_MAX + 16];
    snprintf(msg, sizeof(msg), "STATUS=%s", clean);
    return send_message(msg);
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
