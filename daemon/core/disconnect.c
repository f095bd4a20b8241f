/* HTTP/1 client-disconnect detection with a per-loop epoll set (see disconnect.h). */
#include "disconnect.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "watch_fd.h"

#define INITIAL_SLOTS 1024
#define EVENTS_PER_CALL 64

static void on_epoll_readable(h2o_socket_t *sock, const char *err)
{
    ad_disconnect_t *d = sock->data;
    struct epoll_event ev[EVENTS_PER_CALL];
    int n;
    if (err != NULL)
        return;
    do {
        n = epoll_wait(d->epfd, ev, EVENTS_PER_CALL, 0);
        for (int i = 0; i < n; i++) {
            /*
             * The slot is read when the event is handled, not when it was queued: a callback that ends
             * another watched request clears that one's slot, and its event (if in this batch) is skipped.
             */
            int fd = ev[i].data.fd;
            void *data = fd >= 0 && (size_t)fd < d->cap ? d->waiting[fd] : NULL;
            if (data == NULL)
                continue; /* answered already; the one-shot registration is dormant now */
            d->waiting[fd] = NULL;
            d->cb(data);
        }
    } while (n == EVENTS_PER_CALL);
}

int ad_disconnect_init(ad_disconnect_t *d, h2o_evloop_t *loop, ad_disconnect_cb cb)
{
    *d = (ad_disconnect_t){.cb = cb, .epfd = -1};
    d->waiting = calloc(INITIAL_SLOTS, sizeof(*d->waiting));
    if (d->waiting == NULL)
        return -1;
    d->cap = INITIAL_SLOTS;
    d->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (d->epfd < 0)
        return -1;
    d->sock = ad_watch_fd(loop, d->epfd, d, on_epoll_readable);
    return 0;
}

/* Makes room for slot fd (doubling). false when out of memory. */
static bool reserve_slot(ad_disconnect_t *d, int fd)
{
    size_t cap = d->cap;
    if ((size_t)fd < cap)
        return true;
    while (cap <= (size_t)fd)
        cap *= 2;
    void **grown = realloc(d->waiting, cap * sizeof(*grown));
    if (grown == NULL)
        return false;
    memset(grown + d->cap, 0, (cap - d->cap) * sizeof(*grown));
    d->waiting = grown;
    d->cap = cap;
    return true;
}

static bool same_peer(const struct sockaddr_storage *a, socklen_t alen, const struct sockaddr_storage *b,
                      socklen_t blen)
{
    return alen == blen && memcmp(a, b, alen) == 0;
}

static void warn_once(ad_disconnect_t *d, const char *why)
{
    if (d->warned)
        return;
    d->warned = true;
    ad_log_warning("cannot watch HTTP/1 connections for disconnects (%s); waiting requests are answered when due", why);
}

/*
 * Assumption (h2o 2.2.5, lib/http1.c): an HTTP/1 connection's get_socket callback returns the h2o_socket_t
 * it reads and writes, and h2o_socket_get_fd gives its descriptor. Checked on the first watch of each
 * loop: the fd's peer must be the peer h2o reports for the connection. Once is enough (it is how the
 * library is built, not a property of a connection), and it spares two getpeername calls per request.
 */
static bool verify_socket(ad_disconnect_t *d, h2o_req_t *req, int fd)
{
    struct sockaddr_storage h2o_peer, fd_peer;
    socklen_t h2o_len = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&h2o_peer);
    socklen_t fd_len = sizeof(fd_peer);
    if (h2o_len == 0 || getpeername(fd, (struct sockaddr *)&fd_peer, &fd_len) != 0)
        return false; /* ENOTCONN: this client is already gone; check on the next one */
    d->verified = true;
    if (!same_peer(&h2o_peer, h2o_len, &fd_peer, fd_len)) {
        d->disabled = true;
        warn_once(d, "socket descriptor does not match the connection's peer");
        return false;
    }
    return true;
}

int ad_disconnect_watch(ad_disconnect_t *d, h2o_req_t *req, void *data)
{
    if (req->version >= 0x200 || d->disabled)
        return -1;
    if (req->conn->callbacks->get_socket == NULL || req->conn->callbacks->get_peername == NULL) {
        warn_once(d, "h2o connection has no get_socket callback");
        return -1;
    }
    h2o_socket_t *sock = req->conn->callbacks->get_socket(req->conn);
    int fd = sock != NULL ? h2o_socket_get_fd(sock) : -1;
    if (fd < 0) {
        warn_once(d, "h2o connection has no socket descriptor");
        return -1;
    }
    if (!d->verified && !verify_socket(d, req, fd))
        return -1;
    if (!reserve_slot(d, fd)) {
        warn_once(d, "out of memory");
        return -1;
    }
    /* A client already gone is reported at once (EPOLLHUP), so it is cancelled on the next loop turn. */
    struct epoll_event ev = {.events = EPOLLRDHUP | EPOLLONESHOT, .data.fd = fd};
    int rc = epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev);
    if (rc != 0 && errno == EEXIST) /* an earlier wait on this connection left it registered */
        rc = epoll_ctl(d->epfd, EPOLL_CTL_MOD, fd, &ev);
    if (rc != 0) {
        ad_log_warning("epoll_ctl(%d): %s", fd, strerror(errno));
        return -1;
    }
    d->waiting[fd] = data;
    return fd;
}

void ad_disconnect_unwatch(ad_disconnect_t *d, int fd)
{
    if (fd >= 0 && (size_t)fd < d->cap)
        d->waiting[fd] = NULL;
}
