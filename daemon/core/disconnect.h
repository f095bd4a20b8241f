#ifndef AD_DISCONNECT_H
#define AD_DISCONNECT_H
/*
 * Noticing HTTP/1 clients that leave while their request waits. h2o stops reading an HTTP/1 connection
 * once the headers are in, so a client that closes during a delay would go unnoticed until the answer.
 * Each loop thread owns one extra epoll instance (registered on the evloop); a waiting request's
 * connection fd is added to it with EPOLLRDHUP | EPOLLONESHOT, and a table indexed by fd says which
 * request, if any, waits on that connection.
 *
 * The answer only clears the table slot: no system call on the answer path, where a burst of answers is
 * what makes waits late. The registration stays until it fires once (then it is dormant) or h2o closes
 * the fd (the kernel drops it then); an event for a cleared slot is ignored, and events are read in
 * batches, so the clients that close after their answer cost a fraction of a call each. A later wait on
 * the same connection re-arms the registration (EPOLL_CTL_MOD when the ADD finds it present).
 * HTTP/2 needs none of this: h2o disposes a request as soon as its stream or connection goes away.
 * Loop-thread only.
 */
#include <stdbool.h>
#include <stddef.h>
#include <h2o.h>

typedef void (*ad_disconnect_cb)(void *data);

typedef struct ad_disconnect {
    int epfd;
    h2o_socket_t *sock;
    ad_disconnect_cb cb;
    void **waiting; /* by fd: the data of the request waiting on that connection, or NULL */
    size_t cap;     /* slots in waiting */
    bool warned;    /* a watch could not be set up (logged once per loop) */
    bool verified;  /* the socket h2o hands out was checked once to be the connection's (see watch) */
    bool disabled;  /* that check failed: h2o is not built as assumed, watch nothing */
} ad_disconnect_t;

/* Creates the epoll instance and registers it on loop; cb(data) runs when a watched client goes away. 0 or -1 + errno.
 */
int ad_disconnect_init(ad_disconnect_t *d, h2o_evloop_t *loop, ad_disconnect_cb cb);
/*
 * Watches req's HTTP/1 connection until ad_disconnect_unwatch. Returns the fd watched, or -1 when there is
 * nothing to watch (HTTP/2) or it cannot be done (then the request is simply answered when due).
 */
int ad_disconnect_watch(ad_disconnect_t *d, h2o_req_t *req, void *data);
/* Stops watching fd (a value returned by ad_disconnect_watch; -1 is a no-op). No system call. */
void ad_disconnect_unwatch(ad_disconnect_t *d, int fd);

#endif
