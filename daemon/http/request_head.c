/* The HTTP/1 request-head check (see request_head.h). */
#include "request_head.h"

#include <stdbool.h>
#include <string.h>

static bool name_is(const char *name, size_t len, const char *want)
{
    if (strlen(want) != len)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != want[i])
            return false;
    }
    return true;
}

/* The value without optional white space around it. */
static void trim_ows(const char **v, size_t *len)
{
    while (*len > 0 && (**v == ' ' || **v == '\t')) {
        (*v)++;
        (*len)--;
    }
    while (*len > 0 && ((*v)[*len - 1] == ' ' || (*v)[*len - 1] == '\t'))
        (*len)--;
}

static bool all_digits(const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (v[i] < '0' || v[i] > '9')
            return false;
    return len > 0;
}

ad_head_verdict_t ad_request_head_check(const char *buf, size_t len)
{
    const char *p = buf, *end = buf + len;
    const char *nl = memchr(p, '\n', len);
    if (nl == NULL)
        return AD_HEAD_OK;
    /* request line: "METHOD TARGET HTTP/1.x" */
    size_t rl = (size_t)(nl - p);
    if (rl > 0 && p[rl - 1] == '\r')
        rl--;
    bool http11 = rl >= 8 && memcmp(p + rl - 8, "HTTP/1.1", 8) == 0;
    p = nl + 1;

    unsigned hosts = 0, lengths = 0, encodings = 0;
    const char *cl = NULL;
    size_t cl_len = 0;
    bool cl_differs = false;
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            return AD_HEAD_OK; /* not the whole head: nothing to judge */
        size_t n = (size_t)(nl - p);
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (n == 0) /* the empty line: the end of the head */
            break;
        if (p[0] == ' ' || p[0] == '\t')
            return AD_HEAD_OBS_FOLD;
        const char *colon = memchr(p, ':', n);
        if (colon != NULL) {
            size_t nlen = (size_t)(colon - p), vlen = n - nlen - 1;
            const char *v = colon + 1;
            trim_ows(&v, &vlen);
            if (name_is(p, nlen, "host")) {
                hosts++;
            } else if (name_is(p, nlen, "transfer-encoding")) {
                encodings++;
            } else if (name_is(p, nlen, "content-length")) {
                if (!all_digits(v, vlen) || (lengths > 0 && (vlen != cl_len || memcmp(v, cl, vlen) != 0)))
                    cl_differs = true;
                cl = v;
                cl_len = vlen;
                lengths++;
            }
        }
        p = nl + 1;
    }
    if (encodings > 0 && lengths > 0)
        return AD_HEAD_CONTENT_LENGTH_WITH_TE;
    if (cl_differs)
        return AD_HEAD_CONTENT_LENGTH_DIFFERS;
    if (hosts > 1)
        return AD_HEAD_DUPLICATE_HOST;
    if (hosts == 0 && http11)
        return AD_HEAD_MISSING_HOST;
    return AD_HEAD_OK;
}

const char *ad_head_verdict_text(ad_head_verdict_t v)
{
    switch (v) {
    case AD_HEAD_OK:
        return "ok";
    case AD_HEAD_CONTENT_LENGTH_DIFFERS:
        return "Content-Length values differ or are not a number";
    case AD_HEAD_CONTENT_LENGTH_WITH_TE:
        return "Content-Length together with Transfer-Encoding";
    case AD_HEAD_OBS_FOLD:
        return "a header line folded onto the next line (obs-fold)";
    case AD_HEAD_DUPLICATE_HOST:
        return "more than one Host header";
    case AD_HEAD_MISSING_HOST:
        return "HTTP/1.1 request without a Host header";
    }
    return "bad request head";
}
