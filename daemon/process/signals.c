/* SIGTERM/SIGINT/SIGHUP through a signalfd on loop 0 (see signals.h). */
#include "signals.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "log.h"
#include "watch_fd.h"

static void handled_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
}

int ad_signals_block(void)
{
    sigset_t set;
    handled_set(&set);
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        return -1;
    int rc = pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    return 0;
}

static void on_signal(h2o_socket_t *sock, const char *err)
{
    ad_signals_t *sig = sock->data;
    struct signalfd_siginfo si;
    if (err != NULL)
        return;
    while (read(sig->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        switch (si.ssi_signo) {
        case SIGTERM:
        case SIGINT:
            ad_log_info("received %s", si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
            sig->on_stop(sig->data);
            break;
        case SIGHUP:
            sig->on_reload(sig->data);
            break;
        default:
            break;
        }
    }
}

int ad_signals_start(ad_signals_t *sig, h2o_evloop_t *loop)
{
    sigset_t set;
    handled_set(&set);
    sig->fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sig->fd < 0)
        return -1;
    sig->sock = ad_watch_fd(loop, sig->fd, sig, on_signal);
    return 0;
}
