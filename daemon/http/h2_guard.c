/* The HTTP/2 guards in front of libh2o (see h2_guard.h). */
#include "h2_guard.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <h2o.h>
#include <h2o/http2.h>
#include <h2o/http2_internal.h> /* the connection and stream layout; khash.h from khash_shim/ */

#include "hpack_scan.h"

/* The loop thread's binding (ad_h2_guard_bind). */
static __thread struct {
    ad_stats_shard_t *shard;
    h2o_context_t *ctx;
    size_t body_budget;
} guard;

void ad_h2_guard_bind(ad_stats_shard_t *shard, h2o_context_t *ctx)
{
    guard.shard = shard;
    guard.ctx = ctx;
    guard.body_budget = AD_H2_BODIES_PER_CONNECTION * ctx->globalconf->max_request_entity_size;
}

/* libh2o's own function of that name, looked up once (the same value on every thread: a race only looks it
 * up twice). */
static void *libh2o_function(_Atomic(void *) *slot, const char *name)
{
    void *fn = atomic_load_explicit(slot, memory_order_acquire);
    if (fn == NULL) {
        fn = dlsym(RTLD_NEXT, name);
        atomic_store_explicit(slot, fn, memory_order_release);
    }
    return fn;
}

typedef int (*parse_headers_fn)(h2o_req_t *req, h2o_hpack_header_table_t *header_table, const uint8_t *src, size_t len,
                                int *pseudo_header_exists_map, size_t *content_length, h2o_cache_digests_t **digests,
                                const char **err_desc);
typedef int (*decode_data_fn)(h2o_http2_data_payload_t *payload, const h2o_http2_frame_t *frame, const char **err_desc);

static parse_headers_fn next_parser(void)
{
    static _Atomic(void *) slot;
    return (parse_headers_fn)libh2o_function(&slot, "h2o_hpack_parse_headers");
}

static decode_data_fn next_data_decoder(void)
{
    static _Atomic(void *) slot;
    return (decode_data_fn)libh2o_function(&slot, "h2o_http2_decode_data_payload");
}

bool ad_h2_guard_active(void)
{
    return next_parser() != NULL && next_data_decoder() != NULL;
}

static void count_refusal(ad_close_reason_t reason)
{
    if (guard.shard != NULL)
        ad_stats_connection_closed(guard.shard, reason);
}

/* ---- header blocks ---- */

int h2o_hpack_parse_headers(h2o_req_t *req, h2o_hpack_header_table_t *header_table, const uint8_t *src, size_t len,
                            int *pseudo_header_exists_map, size_t *content_length, h2o_cache_digests_t **digests,
                            const char **err_desc)
{
    ad_hpack_scan_t scan;
    ad_hpack_scan(src, len, &scan);
    if (!ad_hpack_scan_ok(&scan)) {
        count_refusal(AD_CLOSE_HEADER_BLOCK);
        *err_desc = "header block too large once decoded";
        return H2O_HTTP2_ERROR_ENHANCE_YOUR_CALM;
    }
    parse_headers_fn next = next_parser();
    if (next == NULL) {
        *err_desc = "internal error";
        return H2O_HTTP2_ERROR_INTERNAL;
    }
    return next(req, header_table, src, len, pseudo_header_exists_map, content_length, digests, err_desc);
}

/* ---- request bodies ---- */

/*
 * The connection this frame came from: h2o decodes frames in place, from the start of the connection's
 * socket input. The connection found moves to the front of the context's list (whose order h2o does not
 * use), so the frames after it, which come in bursts from one uploader, find it at once.
 */
static h2o_http2_conn_t *frame_connection(const h2o_http2_frame_t *frame)
{
    h2o_linklist_t *anchor = &guard.ctx->http2._conns;
    const char *at = (const char *)frame->payload;
    for (h2o_linklist_t *node = anchor->next; node != anchor; node = node->next) {
        h2o_http2_conn_t *conn = H2O_STRUCT_FROM_MEMBER(h2o_http2_conn_t, _conns, node);
        const h2o_buffer_t *input = conn->sock != NULL ? conn->sock->input : NULL;
        if (input != NULL && input->bytes != NULL && at >= input->bytes && at < input->bytes + input->size) {
            if (node != anchor->next) {
                h2o_linklist_unlink(node);
                h2o_linklist_insert(anchor->next, node);
            }
            return conn;
        }
    }
    return NULL;
}

/* Bytes of request body the connection's streams hold; *stream: the one of that id, or NULL. */
static size_t bodies_held(const h2o_http2_conn_t *conn, uint32_t stream_id, h2o_http2_stream_t **stream)
{
    const khash_t(h2o_http2_stream_t) *streams = conn->streams;
    size_t held = 0;
    *stream = NULL;
    for (khint_t i = 0; i < streams->n_buckets; i++) {
        if (!kh_exist(streams, i))
            continue;
        h2o_http2_stream_t *s = kh_val(streams, i);
        if (s->_req_body != NULL)
            held += s->_req_body->size;
        if (s->stream_id == stream_id)
            *stream = s;
    }
    return held;
}

int h2o_http2_decode_data_payload(h2o_http2_data_payload_t *payload, const h2o_http2_frame_t *frame,
                                  const char **err_desc)
{
    decode_data_fn next = next_data_decoder();
    if (next == NULL) {
        *err_desc = "internal error";
        return H2O_HTTP2_ERROR_INTERNAL;
    }
    int ret = next(payload, frame, err_desc);
    if (ret != 0 || payload->length == 0 || guard.ctx == NULL)
        return ret;
    h2o_http2_conn_t *conn = frame_connection(frame);
    if (conn == NULL)
        return 0;
    h2o_http2_stream_t *stream;
    size_t held = bodies_held(conn, frame->stream_id, &stream);
    /*
     * A body past max-body: h2o would reset the stream (REFUSED_STREAM), which tells a client the request was
     * not processed and may be retried (curl sends it five times) and leaves it no status to show. Its bytes
     * past max-body + 1 are dropped instead (flow control still credits them), so the request completes at
     * END_STREAM with max-body + 1 bytes and is answered 413 like an HTTP/1 body over the limit. Its declared
     * content-length is forgotten, or h2o would reset the stream (PROTOCOL_ERROR) for the bytes that differ.
     */
    size_t most = guard.ctx->globalconf->max_request_entity_size;
    if (stream != NULL && stream->state == H2O_HTTP2_STREAM_STATE_RECV_BODY && stream->_req_body != NULL &&
        stream->_req_body->size + payload->length > most) {
        payload->length = most > stream->_req_body->size ? most - stream->_req_body->size : 0;
        stream->_expected_content_length = SIZE_MAX;
    }
    if (held + payload->length <= guard.body_budget)
        return 0;
    count_refusal(AD_CLOSE_BODIES);
    *err_desc = "request bodies past the connection's budget";
    return H2O_HTTP2_ERROR_ENHANCE_YOUR_CALM;
}
