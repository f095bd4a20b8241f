#ifndef AD_SEND_WATCH_H
#define AD_SEND_WATCH_H
/*
 * send-timeout: a connection whose answer is not delivered within send-timeout of being handed to h2o is
 * closed. h2o 2.2.5 has no write timeout: an HTTP/1 client that pipelines requests and never reads, or an
 * HTTP/2 client that sets its window to 0, holds its connection and the answers' memory for good. Every
 * answer (respond.c) is watched from the moment it is sent until h2o disposes the request, which it does
 * once the answer is fully written (HTTP/1) or its stream is closed (HTTP/2). Watching costs a list link
 * per answer and one timer per loop. Loop-thread only.
 *
 * Closing: shutdown(2) of the connection's socket. h2o then sees the end of input (or a failed write) and
 * closes the connection by its own paths, which dispose every request of it, so nothing is freed under h2o.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <h2o.h>

#include "stats.h"
#include "timers.h"

typedef struct ad_send_watch {
    h2o_linklist_t pending; /* answers not delivered yet, oldest first */
    ad_timer_t timer;       /* at the oldest one's deadline */
    ad_timers_t *timers;
    _Atomic int64_t *timeout_ns; /* send-timeout, changed by a reload */
    ad_stats_shard_t *stats;
} ad_send_watch_t;

/* Sets the watch up on its loop thread and makes it the thread's (ad_send_watch_answer uses it). */
void ad_send_watch_init(ad_send_watch_t *w, ad_timers_t *timers, _Atomic int64_t *timeout_ns, ad_stats_shard_t *stats);
/* The answer to req was just handed to h2o (h2o_send with the final flag): watch it until delivered. */
void ad_send_watch_answer(h2o_req_t *req);

#endif
