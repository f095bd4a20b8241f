/* send-timeout (see send_watch.h). */
#include "send_watch.h"

#include <sys/socket.h>

#include "clock.h"

typedef struct pending_answer {
    h2o_linklist_t link;
    h2o_req_t *req;
    int64_t sent_ns;
} pending_answer_t;

static __thread ad_send_watch_t *thread_watch;

static int64_t timeout_of(const ad_send_watch_t *w)
{
    return atomic_load_explicit(w->timeout_ns, memory_order_relaxed);
}

static void arm(ad_send_watch_t *w)
{
    if (h2o_linklist_is_empty(&w->pending)) {
        ad_timers_cancel(w->timers, &w->timer);
        return;
    }
    pending_answer_t *oldest = H2O_STRUCT_FROM_MEMBER(pending_answer_t, link, w->pending.next);
    ad_timers_add(w->timers, &w->timer, oldest->sent_ns + timeout_of(w));
}

/* The request is gone (answer delivered, stream or connection closed): stop watching it. */
static void on_request_dispose(void *p)
{
    pending_answer_t *a = p;
    if (h2o_linklist_is_linked(&a->link))
        h2o_linklist_unlink(&a->link);
}

/* Ends the connection of a's request, and forgets the other answers owed on it (HTTP/2 streams). */
static void close_connection_of(ad_send_watch_t *w, pending_answer_t *a)
{
    h2o_conn_t *conn = a->req->conn;
    h2o_socket_t *sock = conn->callbacks->get_socket != NULL ? conn->callbacks->get_socket(conn) : NULL;
    for (h2o_linklist_t *n = w->pending.next, *next; n != &w->pending; n = next) {
        next = n->next;
        pending_answer_t *other = H2O_STRUCT_FROM_MEMBER(pending_answer_t, link, n);
        if (other->req->conn == conn) {
            other->req->http1_is_persistent = 0; /* HTTP/1: no next request after a failed write */
            h2o_linklist_unlink(n);
        }
    }
    if (sock != NULL && h2o_socket_get_fd(sock) >= 0)
        shutdown(h2o_socket_get_fd(sock), SHUT_RDWR);
    ad_stats_connection_closed(w->stats, AD_CLOSE_SEND_TIMEOUT);
}

static void on_timer(ad_timer_t *timer)
{
    ad_send_watch_t *w = H2O_STRUCT_FROM_MEMBER(ad_send_watch_t, timer, timer);
    int64_t now = ad_mono_ns(), timeout = timeout_of(w);
    while (!h2o_linklist_is_empty(&w->pending)) {
        pending_answer_t *oldest = H2O_STRUCT_FROM_MEMBER(pending_answer_t, link, w->pending.next);
        if (oldest->sent_ns + timeout > now)
            break;
        close_connection_of(w, oldest);
    }
    arm(w);
}

void ad_send_watch_init(ad_send_watch_t *w, ad_timers_t *timers, _Atomic int64_t *timeout_ns, ad_stats_shard_t *stats)
{
    h2o_linklist_init_anchor(&w->pending);
    ad_timer_init(&w->timer, on_timer);
    w->timers = timers;
    w->timeout_ns = timeout_ns;
    w->stats = stats;
    thread_watch = w;
}

void ad_send_watch_answer(h2o_req_t *req)
{
    ad_send_watch_t *w = thread_watch;
    if (w == NULL)
        return;
    pending_answer_t *a = h2o_mem_alloc_shared(&req->pool, sizeof(*a), on_request_dispose);
    *a = (pending_answer_t){.req = req, .sent_ns = ad_mono_ns()};
    bool was_empty = h2o_linklist_is_empty(&w->pending);
    h2o_linklist_insert(&w->pending, &a->link);
    if (was_empty)
        arm(w);
}
