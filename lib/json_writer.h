#ifndef AD_JSON_WRITER_H
#define AD_JSON_WRITER_H
/*
 * A small, fast JSON writer into a growable buffer (buf.h), for the hot paths (/stats, delay answers) where
 * building a jansson tree per request costs more than the request. Commas and nesting are handled
 * here; strings are escaped (control characters, quotes, backslash; invalid UTF-8 bytes become
 * U+FFFD), so any bytes a client sends can be reflected safely. Out of memory is sticky: calls become
 * no-ops and ad_jw_failed() reports it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

#define AD_JW_MAX_DEPTH 32

typedef struct ad_jw {
    union {
        ad_buf_t b; /* the text, as the buffer it is (buf.h) */
        struct {    /* the same members by name: w->buf, w->len */
            char *buf;
            size_t len, cap;
            bool failed;
        };
    };
    int depth;
    bool need_comma[AD_JW_MAX_DEPTH];
    bool after_key;
} ad_jw_t;

void ad_jw_init(ad_jw_t *w, size_t initial_cap);
void ad_jw_free(ad_jw_t *w);
void ad_jw_reset(ad_jw_t *w); /* empty again, keeps the buffer */
static inline bool ad_jw_failed(const ad_jw_t *w)
{
    return w->failed;
}

void ad_jw_object_begin(ad_jw_t *w);
void ad_jw_object_end(ad_jw_t *w);
void ad_jw_array_begin(ad_jw_t *w);
void ad_jw_array_end(ad_jw_t *w);
void ad_jw_key(ad_jw_t *w, const char *key);               /* next value belongs to this key */
void ad_jw_key_n(ad_jw_t *w, const char *key, size_t len); /* the same for key[0..len), escaped like a string */
/*
 * A key the program spells, on the answers' hot path: a string literal of printable ASCII without '"' or '\\'
 * (it does not compile with anything but a literal), written pre-quoted with the comma that may precede it,
 * ",\"key\":", in one copy: no strlen, no escaping, which were a tenth of a zero-delay answer's user time.
 * AD_JW_QUOTED_KEY gives that text for a table of keys (/stats); its length is sizeof - 1.
 */
#define AD_JW_QUOTED_KEY(lit) ",\"" lit "\":"
#define ad_jw_key_lit(w, lit) ad_jw_key_quoted((w), AD_JW_QUOTED_KEY(lit), sizeof(AD_JW_QUOTED_KEY(lit)) - 1)
void ad_jw_key_quoted_check(const char *quoted, size_t len); /* asserts the text's promise (debug builds) */
/* For the key writers: whether a key may come now, after a value inside an object; if not, the writer fails. */
static inline bool ad_jw_key_allowed(ad_jw_t *w)
{
    if (w->failed)
        return false;
    if (w->after_key || w->depth <= 0) {
        w->failed = true;
        return false;
    }
    return true;
}
/* Inline, with the literal's length known here: the copy is a few moves, not a memcpy call per key. */
static inline void ad_jw_key_quoted(ad_jw_t *w, const char *quoted, size_t len)
{
#ifndef NDEBUG
    ad_jw_key_quoted_check(quoted, len);
#endif
    if (!ad_jw_key_allowed(w))
        return;
    bool *comma = &w->need_comma[w->depth - 1];
    if (*comma)
        ad_buf_put(&w->b, quoted, len);
    else
        ad_buf_put(&w->b, quoted + 1, len - 1);
    *comma = true;
    w->after_key = true;
}
void ad_jw_string(ad_jw_t *w, const char *s, size_t len);
void ad_jw_cstr(ad_jw_t *w, const char *s); /* NULL writes null */
void ad_jw_int(ad_jw_t *w, int64_t v);
void ad_jw_uint(ad_jw_t *w, uint64_t v);
/* ns as seconds with `decimals` (0-9) fixed decimals, no floating point: 2000134000, 6 -> 2.000134 */
void ad_jw_seconds(ad_jw_t *w, int64_t ns, int decimals);
void ad_jw_double(ad_jw_t *w, double v); /* shortest round-trip form; NaN and infinities write null */
void ad_jw_bool(ad_jw_t *w, bool v);
void ad_jw_null(ad_jw_t *w);
/* A CLOCK_REALTIME ns value as an RFC 3339 UTC string: "2026-11-24T17:30:00.123456Z" (decimals 0-9). */
void ad_jw_utc(ad_jw_t *w, int64_t wall_ns, int decimals);
void ad_jw_raw(ad_jw_t *w, const char *s, size_t len); /* a pre-encoded value */

/* true when s[0..len) is well-formed UTF-8 (the same rules as the writer's: no overlongs, surrogates or
 * code points past U+10FFFF), i.e. a string the writer copies without U+FFFD replacements. */
bool ad_utf8_valid(const char *s, size_t len);

/* Pure helper behind ad_jw_utc, also for text output. Returns the length written (buf >= 32 bytes). */
size_t ad_format_utc(int64_t wall_ns, int decimals, char *buf, size_t size);
/* Its reverse: "YYYY-MM-DDTHH:MM:SS[.fraction]Z" (with offset: also "+HH:MM" / "-HH:MM" for Z, and "t", "z"
 * as RFC 3339 allows) -> ns since the epoch. Returns 0, or -1 when s is not one. */
int ad_parse_utc(const char *s, bool offset, int64_t *out);

#endif
