/* HTTP/1 client-disconnect detection with a per-loop epoll set (see disconnect.h). */
#include "disconnect.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

static void on_epoll_readable(h2o_socket_t *sock, const char *err)
{
    ad_disconnect_t *d = sock->data;
    struct epoll_event ev;
    if (err != NULL)
        return;
    /*
     * One event per epoll_wait: a callback answers (and unwatches) its request, and may thereby end
     * another watched request; asking the kernel again never hands out a stale pointer.
     */
    while (epoll_wait(d->epfd, &ev, 1, 0) == 1)
        d->cb(ev.data.ptr);
}

int ad_disconnect_init(ad_disconnect_t *d, h2o_evloop_t *loop, ad_disconnect_cb cb)
{
    d->cb = cb;
    d->warned = false;
    d->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (d->epfd < 0)
        return -1;
    d->sock = h2o_evloop_socket_create(loop, d->epfd, H2O_SOCKET_FLAG_DONT_READ);
    d->sock->data = d;
    h2o_socket_read_start(d->sock, on_epoll_readable);
    return 0;
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

int ad_disconnect_watch(ad_disconnect_t *d, h2o_req_t *req, void *data)
{
    if (req->version >= 0x200)
        return -1;
    /*
     * Assumption (h2o 2.2.5, lib/http1.c): an HTTP/1 connection's get_socket callback returns the
     * h2o_socket_t it reads and writes, and h2o_socket_get_fd gives its descriptor. Checked at run time:
     * the fd's peer must be the peer h2o reports for the connection, else we watch nothing.
     */
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
    struct sockaddr_storage h2o_peer, fd_peer;
    socklen_t h2o_len = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&h2o_peer);
    socklen_t fd_len = sizeof(fd_peer);
    if (getpeername(fd, (struct sockaddr *)&fd_peer, &fd_len) != 0) {
        /* ENOTCONN: the client is already gone; the answer's write will fail and h2o closes. */
        return -1;
    }
    if (!same_peer(&h2o_peer, h2o_len, &fd_peer, fd_len)) {
        warn_once(d, "socket descriptor does not match the connection's peer");
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLRDHUP, .data.ptr = data};
    if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        ad_log_warning("epoll_ctl(ADD, %d): %s", fd, strerror(errno));
        return -1;
    }
    return fd;
}

void ad_disconnect_unwatch(ad_disconnect_t *d, int fd)
{
    if (fd >= 0)
        epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
}
