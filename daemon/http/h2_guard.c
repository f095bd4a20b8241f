/* The HPACK amplification guard (see h2_guard.h). */
#include "h2_guard.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <h2o.h>

#include "hpack_scan.h"

/* libh2o's prototype (h2o/http2_internal.h, which cannot be included: it needs khash.h); the table and
 * digests stay opaque here. */
typedef int (*parse_headers_fn)(h2o_req_t *req, void *header_table, const uint8_t *src, size_t len,
                                int *pseudo_header_exists_map, size_t *content_length, void **digests,
                                const char **err_desc);
int h2o_hpack_parse_headers(h2o_req_t *req, void *header_table, const uint8_t *src, size_t len,
                            int *pseudo_header_exists_map, size_t *content_length, void **digests,
                            const char **err_desc);

static __thread ad_stats_shard_t *guard_shard;

void ad_h2_guard_bind(ad_stats_shard_t *shard)
{
    guard_shard = shard;
}

static parse_headers_fn next_parser(void)
{
    static _Atomic(parse_headers_fn) next;
    parse_headers_fn fn = atomic_load_explicit(&next, memory_order_acquire);
    if (fn == NULL) { /* the same value on every thread: a race only looks it up twice */
        *(void **)&fn = dlsym(RTLD_NEXT, "h2o_hpack_parse_headers");
        atomic_store_explicit(&next, fn, memory_order_release);
    }
    return fn;
}

bool ad_h2_guard_active(void)
{
    return next_parser() != NULL;
}

int h2o_hpack_parse_headers(h2o_req_t *req, void *header_table, const uint8_t *src, size_t len,
                            int *pseudo_header_exists_map, size_t *content_length, void **digests,
                            const char **err_desc)
{
    ad_hpack_scan_t scan;
    ad_hpack_scan(src, len, &scan);
    if (!ad_hpack_scan_ok(&scan)) {
        if (guard_shard != NULL)
            ad_stats_connection_closed(guard_shard, AD_CLOSE_HEADER_BLOCK);
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
