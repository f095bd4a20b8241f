/* The delay answer and httpbin's /delay/{n} document (see delay_json.h). */
#include "delay_json.h"

#include <stdlib.h>
#include <string.h>

#include "digits.h"

void ad_delay_json(ad_jw_t *w, const ad_delay_result_t *r)
{
    char requested[32];
    int64_t waited = r->finished_mono_ns - r->started_mono_ns;
    int64_t finished_wall = r->started_wall_ns + waited;
    ad_jw_object_begin(w);
    ad_jw_key(w, "endpoint");
    ad_jw_cstr(w, r->endpoint);
    ad_jw_key(w, "requested_delay_seconds");
    ad_jw_raw(w, requested, ad_seconds_exact(r->requested_ns, requested));
    ad_jw_key(w, "waited_seconds");
    ad_jw_seconds(w, waited, 6);
    ad_jw_key(w, "started_monotonic_seconds");
    ad_jw_seconds(w, r->started_mono_ns, 9);
    ad_jw_key(w, "finished_monotonic_seconds");
    ad_jw_seconds(w, r->finished_mono_ns, 9);
    ad_jw_key(w, "started_wall");
    ad_jw_utc(w, r->started_wall_ns, 6);
    ad_jw_key(w, "finished_wall");
    ad_jw_utc(w, finished_wall, 6);
    ad_jw_key(w, "started_unix_seconds");
    ad_jw_seconds(w, r->started_wall_ns, 6);
    ad_jw_key(w, "finished_unix_seconds");
    ad_jw_seconds(w, finished_wall, 6);
    ad_jw_key(w, "sequence");
    ad_jw_uint(w, r->sequence);
    ad_jw_key(w, "pid");
    ad_jw_int(w, r->pid);
    ad_jw_key(w, "thread");
    ad_jw_cstr(w, r->thread);
    if (r->worker != NULL) {
        ad_jw_key(w, "worker");
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

static void write_args(ad_jw_t *w, ad_httpbin_pair_t *args, size_t n)
{
    if (n > 1) /* qsort's pointer must not be NULL, even for zero items */
        qsort(args, n, sizeof(*args), compare_pairs);
    ad_jw_object_begin(w);
    for (size_t i = 0; i < n;) {
        size_t end = group_end(args, n, i);
        ad_jw_key(w, args[i].name);
        if (end - i == 1) {
            ad_jw_string(w, args[i].value, args[i].value_len);
        } else {
            ad_jw_array_begin(w);
            for (size_t k = i; k < end; k++)
                ad_jw_string(w, args[k].value, args[k].value_len);
            ad_jw_array_end(w);
        }
        i = end;
    }
    ad_jw_object_end(w);
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
        ad_jw_key(w, headers[i].name);
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
    ad_jw_key(w, "args");
    write_args(w, in->args, in->nargs);
    ad_jw_key(w, "data");
    ad_jw_string(w, "", 0);
    ad_jw_key(w, "files");
    ad_jw_object_begin(w);
    ad_jw_object_end(w);
    ad_jw_key(w, "form");
    ad_jw_object_begin(w);
    ad_jw_object_end(w);
    ad_jw_key(w, "headers");
    write_headers(w, in->headers, in->nheaders);
    ad_jw_key(w, "origin");
    ad_jw_cstr(w, in->origin);
    ad_jw_key(w, "url");
    ad_jw_string(w, in->url, in->url_len);
    ad_jw_key(w, "asyncdemo");
    ad_delay_json(w, r);
    ad_jw_object_end(w);
}

void ad_title_case(const char *in, size_t len, char *out)
{
    int upper_next = 1;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (upper_next && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (!upper_next && c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        out[i] = c;
        upper_next = c == '-';
    }
}
