#ifndef AD_WATCH_FD_H
#define AD_WATCH_FD_H
/* A descriptor of our own (timerfd, signalfd, epoll) read by the loop: cb runs when it is readable. */
#include <h2o.h>

static inline h2o_socket_t *ad_watch_fd(h2o_evloop_t *loop, int fd, void *data, h2o_socket_cb cb)
{
    h2o_socket_t *sock = h2o_evloop_socket_create(loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    sock->data = data;
    h2o_socket_read_start(sock, cb);
    return sock;
}

#endif
