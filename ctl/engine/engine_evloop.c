/* What the evloop backends share (see engine_evloop.h). */
#include "engine_evloop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "clock.h"

#define RCVBUF_BYTES (128 * 1024) /* per connection; the kernel doubles it for its bookkeeping */

void ad_answer_begin(ad_answer_t *a, const ad_engine_worker_t *w)
{
    a->status = 0;
    a->bytes = 0;
    a->scan_body = ad_ew_scan_wanted(w);
    if (a->scan_body)
        ad_answer_scan_init(&a->scan);
    a->keep_error_body = ad_ew_wants_reason(w); /* only the first failure's words are kept */
    a->error_body_len = 0;
}

void ad_answer_take(ad_answer_t *a, const char *data, size_t len)
{
    a->bytes += len;
    if (a->scan_body)
        ad_answer_scan_feed(&a->scan, data, len);
    if (a->keep_error_body && (a->status < 200 || a->status > 299)) {
        if (a->error_body == NULL && (a->error_body = malloc(AD_ANSWER_ERROR_BODY_MAX)) == NULL)
            return;
        size_t take = AD_ANSWER_ERROR_BODY_MAX - a->error_body_len;
        take = len < take ? len : take;
        memcpy(a->error_body + a->error_body_len, data, take);
        a->error_body_len += take;
    }
}

void ad_answer_finish(ad_answer_t *a, ad_engine_worker_t *w, ad_request_record_t *rec, ad_err_class_t error,
                      const char *why)
{
    rec->done_ns = ad_mono_ns() - w->t0;
    rec->error = error;
    if (error == AD_ERR_NONE) {
        if (a->scan_body) {
            rec->server_seq = ad_answer_scan_sequence(&a->scan);
            int64_t wait = ad_answer_scan_wait_ns(&a->scan), start = ad_answer_scan_start_ns(&a->scan);
            rec->server_wait_ns = wait > 0 ? wait : 0;
            rec->server_start_ns = start > 0 ? start : 0;
        }
        if (a->status < 200 || a->status > 299)
            rec->error = AD_ERR_STATUS;
    }
    char reason[160 + AD_ANSWER_ERROR_TEXT_MAX];
    if (rec->error != AD_ERR_NONE && ad_ew_wants_reason(w)) {
        char said[AD_ANSWER_ERROR_TEXT_MAX + 1] = ""; /* the server's own words (answer_scan.h) */
        if (a->error_body_len > 0)
            ad_answer_error_text(a->error_body, a->error_body_len, said, sizeof(said));
        if (rec->error == AD_ERR_STATUS)
            snprintf(reason, sizeof(reason), "status: HTTP %d%s%s", a->status, said[0] != '\0' ? ": " : "", said);
        else
            snprintf(reason, sizeof(reason), "%s: %s", ad_err_class_name(rec->error), why);
        why = reason;
    } else {
        why = NULL;
    }
    ad_ew_finish(w, rec, a->bytes, why);
}

void ad_answer_free(ad_answer_t *a)
{
    free(a->error_body);
    a->error_body = NULL;
}

int64_t ad_evloop_wake(const ad_engine_worker_t *w, int64_t now, bool conn_free, const ad_inflight_list_t *l,
                       int64_t connect_at)
{
    int64_t wake = ad_inflight_wake(l, ad_ew_wake(w, now, conn_free));
    return connect_at > 0 && connect_at < wake ? connect_at : wake;
}

int32_t ad_evloop_wait_ms(int64_t now, int64_t wake)
{
    int64_t wait = wake - now;
    return wait <= 0 ? 0 : (int32_t)((wait + AD_NS_PER_MS - 1) / AD_NS_PER_MS);
}

int ad_evloop_turn(ad_engine_worker_t *w, h2o_loop_t *loop, int32_t wait_ms)
{
    if (h2o_evloop_run(loop, wait_ms) != 0 && errno != EINTR) {
        w->failed = 1;
        snprintf(w->err, sizeof(w->err), "event loop: %s", strerror(errno));
        return -1;
    }
    ad_ew_progress(w, ad_mono_ns());
    return 0;
}

void ad_evloop_socket_tune(h2o_socket_t *sock)
{
    /* libh2o reads a socket until the kernel has nothing more, doubling its buffer as it goes: with the
     * kernel's receive-buffer autotuning (MBs on loopback) a large answer would cost each connection
     * tens of MB. A fixed receive buffer bounds what one read can take, whatever the answer's size. */
    int rcvbuf = RCVBUF_BYTES;
    setsockopt(h2o_socket_get_fd(sock), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
}

/*
 * libh2o's memory pools (its TLS layer's outgoing records) keep up to POOL_RECYCLE_MAX freed 4 KB chunks per
 * thread as well, in a list it does not export (memory.c's mempool_allocator). Drawing that many chunks
 * through a pool of our own empties the list; they are then freed directly, not through the pool (each
 * chunk begins with the link to the next: memory.c's st_h2o_mem_pool_chunk_t).
 */
#define POOL_RECYCLE_MAX 16
#define POOL_PIECE 1008 /* four to a chunk; a quarter of one or more would bypass the chunks */

static void release_pool_chunks(void)
{
    h2o_mem_pool_t pool;
    h2o_mem_init_pool(&pool);
    for (int drawn = 0; drawn < POOL_RECYCLE_MAX;) {
        const void *before = pool.chunks;
        h2o_mem_alloc_pool(&pool, POOL_PIECE);
        if ((const void *)pool.chunks != before)
            drawn++;
    }
    void *chunk = pool.chunks;
    while (chunk != NULL) {
        void *next = *(void **)chunk;
        free(chunk);
        chunk = next;
    }
}

/* libh2o keeps freed socket buffers for reuse in a per-thread list (h2o_socket_buffer_prototype is
 * __thread): a loop's thread that ends would leak them. Taking each one out and freeing it empties it. */
void ad_evloop_release_thread_cache(void)
{
    h2o_mem_recycle_t *pool = &h2o_socket_buffer_prototype.allocator;
    while (pool->cnt > 0)
        free(h2o_mem_alloc_recycle(pool, 1)); /* pooled chunks come from malloc (h2o_mem_alloc) */
    release_pool_chunks();
}
