/*
 * libFuzzer target: daemon/delay_param.c and daemon/route.c, what the daemon does with a request target
 * before it waits. The first byte picks max-delay (0 to 63 s); the rest is a request target: it is routed
 * (ad_route_path, ad_route_find), its query's delay= and /drip's parameters and, for /delay/{n},
 * /bytes/{n} and /stream/{n}, their n are parsed. Accepted delays lie in [0, max-delay]; refusals name a parameter and
 * a reason, and every pointer stays inside its input.
 */
#include <stdint.h>

#include "delay_param.h"
#include "fuzz.h"
#include "route.h"

#define DEFAULT_NS 2000000000LL

/* Each route's MATCH from the list, by its initial: 'E'XACT, 'S'EGMENT, 'P'REFIX, 'T'REE. */
static const char match[AD_ROUTE_COUNT] = {
#define AD_X(id, path, m, ...) [AD_ROUTE_##id] = #m[0],
    AD_ENDPOINTS(AD_X)
#undef AD_X
};

static int inside(const char *p, size_t len, const char *base, size_t size)
{
    return p >= base && len <= size && (size_t)(p - base) <= size - len;
}

static void check_refusal(const ad_delay_param_t *p, const char *in, size_t len)
{
    AD_FUZZ_CHECK(p->param != NULL && p->what != NULL && p->what[0] != '\0');
    AD_FUZZ_CHECK(inside(p->value, p->value_len, in, len) ||
                  inside(p->value, p->value_len, p->decoded, sizeof(p->decoded)) || p->value_len == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int64_t max_ns = (int64_t)(data[0] % 64) * 1000000000LL;
    const char *target = (const char *)data + 1;
    size_t tlen = size - 1;
    const char *qmark = memchr(target, '?', tlen);
    size_t query_at = qmark ? (size_t)(qmark - target) : SIZE_MAX;

    size_t plen = 0;
    const char *path = ad_route_path(target, tlen, query_at, &plen);
    AD_FUZZ_CHECK(plen == 0 || inside(path, plen, target, tlen));
    ad_route_t r = ad_route_find(path, plen);
    (void)ad_route_method_allowed(r.id, target, tlen);

    ad_delay_param_t p;
    if (qmark != NULL) {
        const char *q = qmark + 1;
        size_t qlen = tlen - query_at - 1;
        if (ad_delay_from_query(&p, q, qlen, DEFAULT_NS, max_ns))
            AD_FUZZ_CHECK(p.ns == DEFAULT_NS || (p.ns >= 0 && p.ns <= max_ns));
        else
            check_refusal(&p, q, qlen);
        ad_drip_t d;
        if (ad_drip_from_query(&p, &d, q, qlen, max_ns))
            AD_FUZZ_CHECK(d.numbytes >= 1 && d.numbytes <= AD_DRIP_BYTES_MAX && d.code >= 200 && d.code <= 599 &&
                          d.code != 204 && d.code != 304 && d.delay_ns >= 0 && d.delay_ns <= max_ns &&
                          (d.duration_ns == 2000000000LL || (d.duration_ns >= 0 && d.duration_ns <= max_ns)));
        else
            check_refusal(&p, q, qlen);
    }
    if (r.arg != NULL) /* a SEGMENT, PREFIX or TREE endpoint's rest: inside the path, empty only for TREE */
        AD_FUZZ_CHECK(r.id != AD_ROUTE_NONE && match[r.id] != 'E' && inside(r.arg, r.arg_len, path, plen) &&
                      (r.arg_len > 0 || match[r.id] == 'T'));
    if (r.id != AD_ROUTE_NONE && (match[r.id] == 'S' || match[r.id] == 'P'))
        AD_FUZZ_CHECK(r.arg != NULL);
    if (r.id == AD_ROUTE_BYTES) {
        uint32_t n;
        const char *q = qmark != NULL ? qmark + 1 : "";
        size_t qlen = qmark != NULL ? tlen - query_at - 1 : 0;
        if (ad_bytes_from_request(&p, r.arg, r.arg_len, q, qlen, &n))
            AD_FUZZ_CHECK(n <= AD_DELAY_SIZE_MAX && (!p.has_seed || p.seed <= AD_DELAY_SEED_MAX));
        else
            AD_FUZZ_CHECK(p.param != NULL && p.what != NULL && p.allowed != NULL);
    }
    if (r.id == AD_ROUTE_STREAM) {
        uint32_t n;
        if (ad_lines_from_path(&p, r.arg, r.arg_len, &n))
            AD_FUZZ_CHECK(n >= 1 && n <= AD_STREAM_LINES_MAX);
        else
            AD_FUZZ_CHECK(p.param != NULL && p.what != NULL && p.allowed != NULL);
    }
    if (r.id == AD_ROUTE_DELAY) {
        AD_FUZZ_CHECK(r.ep == AD_EP_DELAY && r.arg != NULL);
        if (ad_delay_from_path(&p, r.arg, r.arg_len, max_ns))
            AD_FUZZ_CHECK(p.ns >= 0 && p.ns <= max_ns);
        else
            check_refusal(&p, r.arg, r.arg_len);
    }
    return 0;
}
