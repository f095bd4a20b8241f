/*
 * /bytes/{n} (httpbin's, docs/http-api.md "/bytes/{n}"): n random bytes, reproducible with seed= (the
 * same n and seed, the same bytes, from the delay draws' generator, splitmix64).
 */
#include <string.h>

#include "delay_param.h"
#include "handlers.h"

int ad_serve_bytes(ad_exchange_t *x)
{
    h2o_req_t *req = x->req;
    const char *q = req->query_at != SIZE_MAX ? req->path.base + req->query_at + 1 : "";
    size_t qlen = req->query_at != SIZE_MAX ? req->path.len - req->query_at - 1 : 0;
    ad_delay_param_t p;
    uint32_t n;
    if (!ad_bytes_from_request(&p, x->arg, x->arg_len, q, qlen, &n))
        return ad_answer_bad_param(x, &p, 0);
    uint64_t rng = p.has_seed ? p.seed : ad_exchange_rng(x);
    ad_jw_t *w = ad_answer_body(x, "application/octet-stream");
    if (!ad_buf_reserve(&w->b, n)) {
        ad_answer_error(x, 500, "out of memory");
        return 500;
    }
    for (uint32_t i = 0; i < n; i += 8) {
        uint64_t r = ad_rng_next(&rng);
        memcpy(w->buf + w->len + i, &r, n - i < 8 ? n - i : 8);
    }
    w->len += n;
    return 200;
}
