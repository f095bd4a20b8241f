/* The growable text buffer (see buf.h). */
#include "buf.h"

#include <stdlib.h>
#include <string.h>

#include "digits.h"

#define AD_BUF_MIN_CAP 64

void ad_buf_init(ad_buf_t *b, size_t cap)
{
    memset(b, 0, sizeof(*b));
    if (cap < AD_BUF_MIN_CAP)
        cap = AD_BUF_MIN_CAP;
    b->buf = malloc(cap);
    if (b->buf == NULL) {
        b->failed = true;
        return;
    }
    b->cap = cap;
    b->buf[0] = '\0';
}

void ad_buf_free(ad_buf_t *b)
{
    free(b->buf);
    memset(b, 0, sizeof(*b));
}

void ad_buf_reset(ad_buf_t *b)
{
    b->len = 0;
    b->failed = b->buf == NULL;
    if (b->buf != NULL)
        b->buf[0] = '\0';
}

bool ad_buf_grow(ad_buf_t *b, size_t n)
{
    if (b->failed)
        return false;
    size_t need = b->len + n + 1;
    size_t cap = b->cap > 0 ? b->cap : AD_BUF_MIN_CAP;
    if (need < b->len) /* overflow */
        goto error;
    while (cap < need) {
        if (cap > SIZE_MAX / 2)
            goto error;
        cap *= 2;
    }
    char *buf = realloc(b->buf, cap);
    if (buf == NULL)
        goto error;
    b->buf = buf;
    b->cap = cap;
    return true;
error:
    b->failed = true;
    return false;
}

void ad_buf_puts(ad_buf_t *b, const char *s)
{
    ad_buf_put(b, s, strlen(s));
}

void ad_buf_u64(ad_buf_t *b, uint64_t v)
{
    if (!ad_buf_reserve(b, AD_U64_DEC_MAX))
        return;
    b->len += ad_u64_to_dec(v, b->buf + b->len);
    b->buf[b->len] = '\0';
}

void ad_buf_i64(ad_buf_t *b, int64_t v)
{
    if (!ad_buf_reserve(b, AD_U64_DEC_MAX + 1))
        return;
    if (v < 0)
        b->buf[b->len++] = '-';
    b->len += ad_u64_to_dec(ad_i64_magnitude(v), b->buf + b->len);
    b->buf[b->len] = '\0';
}

void ad_buf_seconds(ad_buf_t *b, int64_t ns, int decimals)
{
    if (!ad_buf_reserve(b, AD_SECONDS_MAX))
        return;
    /* Microseconds are what /stats writes, a dozen times per document, and nanoseconds the answers' monotonic
     * times: with the count a constant, the divisions by powers of ten become multiplications. */
    char *out = b->buf + b->len;
    b->len += decimals == 6   ? ad_seconds_fixed(ns, 6, out)
              : decimals == 9 ? ad_seconds_fixed(ns, 9, out)
                              : ad_seconds_fixed(ns, decimals, out);
    b->buf[b->len] = '\0';
}

void ad_buf_seconds_exact(ad_buf_t *b, int64_t ns)
{
    if (!ad_buf_reserve(b, AD_SECONDS_MAX))
        return;
    b->len += ad_seconds_exact(ns, b->buf + b->len);
    b->buf[b->len] = '\0';
}
