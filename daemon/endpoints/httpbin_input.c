/* What httpbin reflects of a request (see httpbin_input.h): args, body, headers, origin, url. */
#include "httpbin_input.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "httpbin_body.h"
#include "query.h"
#include "text_escape.h"

/* Decodes s[0..len) into the pool (NUL-terminated); text that does not decode is reflected as sent. */
static const char *pool_decode(h2o_mem_pool_t *pool, const char *s, size_t len, size_t *out_len)
{
    char *buf = h2o_mem_alloc_pool(pool, len + 1);
    long n = ad_percent_decode(s, len, buf, len + 1, true);
    if (n < 0) {
        memcpy(buf, s, len);
        buf[len] = '\0';
        n = (long)len;
    }
    *out_len = (size_t)n;
    return buf;
}

/* The pairs of a query string or a form-urlencoded body, decoded into the pool. */
static size_t collect_pairs(h2o_mem_pool_t *pool, const char *q, size_t qlen, ad_httpbin_pair_t **out)
{
    size_t pos = 0, n = 0, cap = 0;
    ad_query_pair_t p;
    *out = NULL;
    while (ad_query_next(q, qlen, &pos, &p))
        cap++;
    if (cap == 0)
        return 0;
    ad_httpbin_pair_t *pairs = h2o_mem_alloc_pool(pool, cap * sizeof(*pairs));
    pos = 0;
    while (ad_query_next(q, qlen, &pos, &p)) {
        ad_httpbin_pair_t *a = &pairs[n];
        *a = (ad_httpbin_pair_t){.value = "", .order = n++};
        a->name = pool_decode(pool, p.name, p.name_len, &a->name_len);
        if (p.value != NULL)
            a->value = pool_decode(pool, p.value, p.value_len, &a->value_len);
    }
    *out = pairs;
    return n;
}

static size_t collect_args(h2o_req_t *req, ad_httpbin_pair_t **out)
{
    *out = NULL;
    if (req->query_at == SIZE_MAX)
        return 0;
    return collect_pairs(&req->pool, req->path.base + req->query_at + 1, req->path.len - req->query_at - 1, out);
}

/* A multipart body's fields into in->form and its files into in->files; a malformed body gives neither. */
static void collect_multipart(h2o_req_t *req, const char *b, size_t blen, ad_httpbin_request_t *in)
{
    const char *body = req->entity.base;
    size_t len = req->entity.len, pos = 0, nparts = 0;
    ad_multipart_part_t part;
    ad_multipart_status_t st;
    while ((st = ad_multipart_next(body, len, b, blen, &pos, &part)) == AD_MULTIPART_PART)
        nparts++;
    if (st != AD_MULTIPART_END || nparts == 0)
        return;
    in->form = h2o_mem_alloc_pool(&req->pool, nparts * sizeof(*in->form));
    in->files = h2o_mem_alloc_pool(&req->pool, nparts * sizeof(*in->files));
    pos = 0;
    for (size_t i = 0; ad_multipart_next(body, len, b, blen, &pos, &part) == AD_MULTIPART_PART; i++) {
        ad_httpbin_pair_t pair = ad_httpbin_part(&part, i);
        if (part.filename != NULL)
            in->files[in->nfiles++] = pair;
        else
            in->form[in->nform++] = pair;
    }
}

/* data, form and files from the body, by its Content-Type (httpbin_body.h). */
static void collect_body(h2o_req_t *req, ad_httpbin_request_t *in)
{
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_CONTENT_TYPE, -1);
    const char *ct = i >= 0 ? req->headers.entries[i].value.base : NULL, *boundary;
    size_t ct_len = i >= 0 ? req->headers.entries[i].value.len : 0, boundary_len;
    if (req->entity.base == NULL || req->entity.len == 0)
        return;
    switch (ad_body_type(ct, ct_len, &boundary, &boundary_len)) {
    case AD_BODY_FORM:
        in->nform = collect_pairs(&req->pool, req->entity.base, req->entity.len, &in->form);
        break;
    case AD_BODY_MULTIPART:
        collect_multipart(req, boundary, boundary_len, in);
        break;
    case AD_BODY_OTHER:
        in->data = req->entity.base;
        in->data_len = req->entity.len;
        break;
    }
}

static size_t collect_headers(h2o_req_t *req, ad_httpbin_pair_t **out)
{
    size_t n = 0, cap = req->headers.size + 1;
    ad_httpbin_pair_t *hs = h2o_mem_alloc_pool(&req->pool, cap * sizeof(*hs));
    /* h2o keeps Host (HTTP/1) and :authority (HTTP/2) apart from the header list. */
    hs[n++] = (ad_httpbin_pair_t){
        .name = "Host", .name_len = 4, .value = req->input.authority.base, .value_len = req->input.authority.len};
    for (size_t i = 0; i < req->headers.size; i++) {
        const h2o_header_t *h = &req->headers.entries[i];
        char *name = h2o_mem_alloc_pool(&req->pool, h->name->len + 1);
        ad_title_case(h->name->base, h->name->len, name);
        name[h->name->len] = '\0';
        hs[n] = (ad_httpbin_pair_t){
            .name = name, .name_len = h->name->len, .value = h->value.base, .value_len = h->value.len, .order = n};
        n++;
    }
    *out = hs;
    return n;
}

static const char *peer_ip(h2o_req_t *req)
{
    struct sockaddr_storage ss;
    char *buf = h2o_mem_alloc_pool(&req->pool, INET6_ADDRSTRLEN);
    socklen_t len = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
    buf[0] = '\0';
    if (len > 0 && ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, buf, INET6_ADDRSTRLEN);
    else if (len > 0 && ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, buf, INET6_ADDRSTRLEN);
    return buf;
}

void ad_httpbin_input(h2o_req_t *req, ad_httpbin_request_t *in)
{
    *in = (ad_httpbin_request_t){0};
    in->nargs = collect_args(req, &in->args);
    collect_body(req, in);
    in->nheaders = collect_headers(req, &in->headers);
    in->origin = peer_ip(req);
    if (req->path.len > 0 && req->path.base[0] != '/') {
        /* absolute-form request target: it is the URL already */
        in->url = req->path.base;
        in->url_len = req->path.len;
        return;
    }
    size_t len = sizeof("http://") - 1 + req->input.authority.len + req->path.len;
    char *url = h2o_mem_alloc_pool(&req->pool, len);
    memcpy(url, "http://", 7);
    memcpy(url + 7, req->input.authority.base, req->input.authority.len);
    memcpy(url + 7 + req->input.authority.len, req->path.base, req->path.len);
    in->url = url;
    in->url_len = len;
}
