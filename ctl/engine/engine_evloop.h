#ifndef AD_CTL_ENGINE_EVLOOP_H
#define AD_CTL_ENGINE_EVLOOP_H
/*
 * What the engine's backends on libh2o's evloop (engine_h2o.c: HTTP/1.1, engine_nghttp2.c: HTTP/2) share:
 * the requests in flight in send order for the per-request timeout (inflight.h), an answer's accounting (status,
 * bytes, the scan of the daemon's JSON, the start of a refusal's body) and a failed request's reason,
 * the sockets' receive buffer, and libh2o's per-thread cache.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <h2o.h>
#include "answer_scan.h"
#include "engine_worker.h"
#include "inflight.h"

/* The answer to one request, as it comes in. */
typedef struct ad_answer {
    int status; /* 0 until its head is read */
    uint64_t bytes;
    bool scan_body; /* worth scanning (ad_ew_scan_wanted) */
    ad_answer_scan_t scan;
    /* the start of an answer that is not 2xx, for the server's own words in the first error (malloc'd
     * when first needed, kept for the next answer) */
    bool keep_error_body;
    char *error_body;
    size_t error_body_len;
} ad_answer_t;

/* Ready for the request about to be sent on w. */
void ad_answer_begin(ad_answer_t *a, const ad_engine_worker_t *w);
/* Body bytes. */
void ad_answer_take(ad_answer_t *a, const char *data, size_t len);
/*
 * The request is over: rec's done time, error and (answered) server figures set from the answer, then
 * ad_ew_finish with its reason: error's class and why, or the status and the server's words when the
 * answer is not 2xx. rec->status must be the answer's status (0 for a failure).
 */
void ad_answer_finish(ad_answer_t *a, ad_engine_worker_t *w, ad_request_record_t *rec, ad_err_class_t error,
                      const char *why);
void ad_answer_free(ad_answer_t *a);

/* When the loop must wake at the latest: ad_ew_wake's time, the oldest request's deadline, and
 * connect_at (when the connection pacing allows the next connect; 0 = none waits). */
int64_t ad_evloop_wake(const ad_engine_worker_t *w, int64_t now, bool conn_free, const ad_inflight_list_t *l,
                       int64_t connect_at);
/* h2o_evloop_run's wait in milliseconds from now until wake, rounded up (never early). */
int32_t ad_evloop_wait_ms(int64_t now, int64_t wake);
/* One turn of the loop: events handled after waiting at most wait_ms for them, then the progress tick.
 * Returns -1 when the loop itself failed (w->failed and w->err set). */
int ad_evloop_turn(ad_engine_worker_t *w, h2o_loop_t *loop, int32_t wait_ms);

/* After connecting: bounds what one read can take (see engine_evloop.c). */
void ad_evloop_socket_tune(h2o_socket_t *sock);
/* The backends' release_thread_cache: libh2o's per-thread buffer cache, emptied. */
void ad_evloop_release_thread_cache(void);

#endif
