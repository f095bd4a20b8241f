/* The delay answer and httpbin's /delay/{n} document (see delay_json.h). */
#include "delay_json.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "digits.h"
#include "httpbin_body.h"
#include "json_value.h"

void ad_delay_json(ad_jw_t *w, const ad_delay_result_t *r)
{
    char requested[32];
    int64_t waited = r->finished_mono_ns - r->started_mono_ns;
    int64_t finished_wall = r->started_wall_ns + waited;
    ad_jw_object_begin(w);
    ad_jw_key_lit(w, "endpoint");
    ad_jw_cstr(w, r->endpoint);
    ad_jw_key_lit(w, "requested_delay_seconds");
    ad_jw_raw(w, requested, ad_seconds_exact(r->requested_ns, requested));
    if (r->asked != NULL) {
        ad_jw_key_lit(w, "delay");
        ad_jw_object_begin(w);
        ad_jw_key_lit(w, "asked");
        ad_jw_string(w, r->asked, r->asked_len);
        ad_jw_key_lit(w, "jitter_seconds");
        ad_jw_raw(w, requested, ad_seconds_exact(r->jitter_ns, requested));
        if (r->has_seed) {
            ad_jw_key_lit(w, "seed");
            ad_jw_uint(w, r->seed);
            ad_jw_key(w, "seed_index");
            ad_jw_uint(w, r->seed_index);
        }
        ad_jw_key_lit(w, "drawn_seconds");
        ad_jw_raw(w, requested, ad_seconds_exact(r->requested_ns, requested));
        ad_jw_object_end(w);
    }
    ad_jw_key_lit(w, "waited_seconds");
    ad_jw_seconds(w, waited, 6);
    ad_jw_key_lit(w, "started_monotonic_seconds");
    ad_jw_seconds(w, r->started_mono_ns, 9);
    ad_jw_key_lit(w, "finished_monotonic_seconds");
    ad_jw_seconds(w, r->finished_mono_ns, 9);
    ad_jw_key_lit(w, "started_wall");
    ad_jw_utc(w, r->started_wall_ns, 6);
    ad_jw_key_lit(w, "finished_wall");
    ad_jw_utc(w, finished_wall, 6);
    ad_jw_key_lit(w, "started_unix_seconds");
    ad_jw_seconds(w, r->started_wall_ns, 6);
    ad_jw_key_lit(w, "finished_unix_seconds");
    ad_jw_seconds(w, finished_wall, 6);
    ad_jw_key_lit(w, "sequence");
    ad_jw_uint(w, r->sequence);
    ad_jw_key_lit(w, "pid");
    ad_jw_int(w, r->pid);
    ad_jw_key_lit(w, "thread");
    ad_jw_cstr(w, r->thread);
    if (r->worker != NULL) {
        ad_jw_key_lit(w, "worker");
        ad_jw_cstr(w, r->worker);
    }
    ad_jw_object_end(w);
}

static int compare_pairs(const void *a, const void *b)
{
    const ad_httpbin_pair_t *x = a, *y = b;
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->name, y->name, n);
    if (c != 0)
        return c;
    if (x->name_len != y->name_len)
        return x->name_len < y->name_len ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static size_t group_end(const ad_httpbin_pair_t *p, size_t n, size_t i)
{
    size_t j = i + 1;
    while (j < n && p[j].name_len == p[i].name_len && memcmp(p[j].name, p[i].name, p[i].name_len) == 0)
        j++;
    return j;
}

/* Bytes as httpbin shows them: the text when it is UTF-8, else "data:TYPE;base64,..." (TYPE: ct, or
 * application/octet-stream). */
static void write_bytes(ad_jw_t *w, const char *s, size_t len, const char *ct, size_t ct_len)
{
    static const char prefix[] = "data:", suffix[] = ";base64,", octets[] = "application/octet-stream";
    if (ad_utf8_valid(s, len)) {
        ad_jw_string(w, s, len);
        return;
    }
    if (ct == NULL || ct_len == 0) {
        ct = octets;
        ct_len = sizeof(octets) - 1;
    }
    size_t head = sizeof(prefix) - 1 + ct_len + sizeof(suffix) - 1;
    char *url = malloc(head + ad_base64_len(len));
    if (url == NULL) {
        ad_jw_string(w, s, len); /* escaped with U+FFFD: still JSON */
        return;
    }
    memcpy(url, prefix, sizeof(prefix) - 1);
    memcpy(url + sizeof(prefix) - 1, ct, ct_len);
    memcpy(url + sizeof(prefix) - 1 + ct_len, suffix, sizeof(suffix) - 1);
    size_t n = ad_base64_encode((const unsigned char *)s, len, url + head);
    ad_jw_string(w, url, head + n);
    free(url);
}

/* args, form, files: {name: value} with a repeated name's values as an array, in request order. */
static void write_pairs(ad_jw_t *w, ad_httpbin_pair_t *pairs, size_t n, bool bytes)
{
    if (n > 1) /* qsort's pointer must not be NULL, even for zero items */
        qsort(pairs, n, sizeof(*pairs), compare_pairs);
    ad_jw_object_begin(w);
    for (size_t i = 0; i < n;) {
        size_t end = group_end(pairs, n, i);
        ad_jw_key_n(w, pairs[i].name, pairs[i].name_len);
        if (end - i > 1)
            ad_jw_array_begin(w);
        for (size_t k = i; k < end; k++) {
            if (bytes)
                write_bytes(w, pairs[k].value, pairs[k].value_len, pairs[k].content_type, pairs[k].content_type_len);
            else
                ad_jw_string(w, pairs[k].value, pairs[k].value_len);
        }
        if (end - i > 1)
            ad_jw_array_end(w);
        i = end;
    }
    ad_jw_object_end(w);
}

/* How deep a JSON value nests, counting up to limit. */
static int json_depth(const json_t *j, int limit)
{
    int deepest = 0;
    if (limit <= 0)
        return 1;
    if (json_is_object(j)) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)j, key, v)
        {
            int d = json_depth(v, limit - 1);
            deepest = d > deepest ? d : deepest;
        }
        return deepest + 1;
    }
    if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v)
        {
            int d = json_depth(v, limit - 1);
            deepest = d > deepest ? d : deepest;
        }
        return deepest + 1;
    }
    return 0;
}

/*
 * "json": data parsed as JSON (any value; duplicate keys: the last wins, as in Python), null when it is
 * empty or not JSON. Values nested deeper than the writer can follow are written by jansson itself.
 */
static void write_json(ad_jw_t *w, const char *data, size_t len)
{
    json_error_t err;
    json_t *j = len > 0 ? json_loadb(data, len, JSON_DECODE_ANY, &err) : NULL;
    if (j == NULL) {
        ad_jw_null(w);
        return;
    }
    if (json_depth(j, AD_JW_MAX_DEPTH) < AD_JW_MAX_DEPTH - w->depth - 1) {
        ad_jw_json(w, j); /* numbers in the shortest round-trip form, like Python's */
    } else {
        char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        if (text != NULL)
            ad_jw_raw(w, text, strlen(text));
        else
            ad_jw_null(w);
        free(text);
    }
    json_decref(j);
}

/* A repeated header's values joined with ",", as a WSGI server folds them. */
static void write_joined(ad_jw_t *w, const ad_httpbin_pair_t *h, size_t n)
{
    size_t total = 0;
    for (size_t k = 0; k < n; k++)
        total += h[k].value_len + 1;
    char *buf = malloc(total);
    if (buf == NULL) {
        ad_jw_string(w, h[0].value, h[0].value_len);
        return;
    }
    size_t off = 0;
    for (size_t k = 0; k < n; k++) {
        if (k > 0)
            buf[off++] = ',';
        memcpy(buf + off, h[k].value, h[k].value_len);
        off += h[k].value_len;
    }
    ad_jw_string(w, buf, off);
    free(buf);
}

static void write_headers(ad_jw_t *w, ad_httpbin_pair_t *headers, size_t n)
{
    if (n > 1)
        qsort(headers, n, sizeof(*headers), compare_pairs);
    ad_jw_object_begin(w);
    for (size_t i = 0; i < n;) {
        size_t end = group_end(headers, n, i);
        ad_jw_key_n(w, headers[i].name, headers[i].name_len);
        if (end - i == 1)
            ad_jw_string(w, headers[i].value, headers[i].value_len);
        else
            write_joined(w, headers + i, end - i);
        i = end;
    }
    ad_jw_object_end(w);
}

void ad_httpbin_json(ad_jw_t *w, ad_httpbin_request_t *in, const ad_delay_result_t *r)
{
    ad_jw_object_begin(w);
    ad_jw_key_lit(w, "args");
    write_pairs(w, in->args, in->nargs, false);
    ad_jw_key_lit(w, "data");
    write_bytes(w, in->data != NULL ? in->data : "", in->data != NULL ? in->data_len : 0, NULL, 0);
    ad_jw_key_lit(w, "files");
    write_pairs(w, in->files, in->nfiles, true);
    ad_jw_key_lit(w, "form");
    write_pairs(w, in->form, in->nform, false);
    ad_jw_key_lit(w, "headers");
    write_headers(w, in->headers, in->nheaders);
    ad_jw_key_lit(w, "json");
    write_json(w, in->data, in->data != NULL ? in->data_len : 0);
    if (in->method != NULL) {
        ad_jw_key_lit(w, "method");
        ad_jw_string(w, in->method, in->method_len);
    }
    ad_jw_key_lit(w, "origin");
    ad_jw_cstr(w, in->origin);
    ad_jw_key_lit(w, "url");
    ad_jw_string(w, in->url, in->url_len);
    if (r != NULL) {
        ad_jw_key_lit(w, "asyncdemo");
        ad_delay_json(w, r);
    }
    ad_jw_object_end(w);
}

void ad_httpbin_stream_line(ad_jw_t *w, ad_httpbin_request_t *in, uint32_t id)
{
    ad_jw_object_begin(w);
    ad_jw_key_lit(w, "args");
    write_pairs(w, in->args, in->nargs, false);
    ad_jw_key_lit(w, "headers");
    write_headers(w, in->headers, in->nheaders);
    ad_jw_key_lit(w, "id");
    ad_jw_uint(w, id);
    ad_jw_key_lit(w, "origin");
    ad_jw_cstr(w, in->origin);
    ad_jw_key_lit(w, "url");
    ad_jw_string(w, in->url, in->url_len);
    ad_jw_object_end(w);
}

void ad_delay_json_pad(ad_jw_t *w, size_t size)
{
    static const char member[] = ",\"padding\":\"";
    const size_t overhead = sizeof(member) - 1 + 2; /* the member, its closing quote and the object's brace */
    if (ad_jw_failed(w) || w->len == 0 || w->buf[w->len - 1] != '}' || w->len + 1 + overhead - 1 > size)
        return;
    size_t stars = size - 1 - (w->len - 1) - overhead; /* size less the newline, the object less its '}' */
    if (!ad_buf_reserve(&w->b, sizeof(member) + stars + 2))
        return;
    w->len--; /* the object's closing brace */
    ad_buf_put(&w->b, member, sizeof(member) - 1);
    memset(w->buf + w->len, '*', stars);
    w->len += stars;
    ad_buf_put(&w->b, "\"}", 2);
}
