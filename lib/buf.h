#ifndef AD_BUF_H
#define AD_BUF_H
/*
 * The one growable text buffer of both programs (lwan's strbuf in spirit): appends that never fail
 * loudly (out of memory is sticky: later appends are no-ops and `failed` tells), the text always
 * NUL-terminated while it has not failed, and decimal numbers written by hand (digits.h), not printf.
 * The JSON writer (json_writer.h) writes into one; /metrics writes into one.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct ad_buf {
    char *buf; /* NUL-terminated while !failed */
    size_t len, cap;
    bool failed;
} ad_buf_t;

/* Empty, with room for cap bytes (at least 64); failed when that memory is not there. */
void ad_buf_init(ad_buf_t *b, size_t cap);
void ad_buf_free(ad_buf_t *b);
/* Empty again, keeping the memory (failed only when there is none). */
void ad_buf_reset(ad_buf_t *b);
/* ad_buf_reserve's growing half (realloc), out of line: called when n more bytes do not fit. */
bool ad_buf_grow(ad_buf_t *b, size_t n);
/* Room for n more bytes and the NUL: true, or false (and failed from now on). Inline, as ad_buf_put: the
 * JSON answers append a few bytes at a time, and the call was a tenth of their cost. */
static inline bool ad_buf_reserve(ad_buf_t *b, size_t n)
{
    return (!b->failed && n < b->cap - b->len) || ad_buf_grow(b, n);
}
static inline void ad_buf_put(ad_buf_t *b, const char *s, size_t n)
{
    if (!ad_buf_reserve(b, n))
        return;
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}
void ad_buf_puts(ad_buf_t *b, const char *s);
void ad_buf_u64(ad_buf_t *b, uint64_t v);
void ad_buf_i64(ad_buf_t *b, int64_t v);
/* ns as seconds with `decimals` (0-9) fixed decimals, rounded half away from zero: 2000134000, 6 -> 2.000134 */
void ad_buf_seconds(ad_buf_t *b, int64_t ns, int decimals);
/* ns as seconds, exact and short: "2.000134", "0.001", "0", "-1.5" */
void ad_buf_seconds_exact(ad_buf_t *b, int64_t ns);

#endif
