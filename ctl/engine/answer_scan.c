/* Streaming matchers for `"key" <ws> : <ws> NUMBER` (see answer_scan.h). */
#include "answer_scan.h"

#include <stdbool.h>
#include <string.h>
#include <jansson.h>

static const char seq_key[] = "\"sequence\"";
static const char wait_key[] = "\"waited_seconds\"";
static const char start_key[] = "\"started_monotonic_seconds\"";

/* Larger numbers are not a daemon's counter or wait; treat them as absent rather than overflow. */
#define WHOLE_MAX INT64_C(100000000000000000)
#define WAIT_WHOLE_MAX INT64_C(1000000000) /* seconds, so the ns value fits in int64 */
#define NS_DIGITS 9

enum { ST_KEY = 0, ST_COLON, ST_VALUE, ST_WHOLE, ST_FRAC, ST_DONE };

static void field_init(ad_scan_field_t *f)
{
    memset(f, 0, sizeof(*f));
    f->state = ST_KEY;
    f->value = -1;
}

void ad_answer_scan_init(ad_answer_scan_t *s)
{
    field_init(&s->seq);
    field_init(&s->wait);
    field_init(&s->start);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Advances the key match by one byte. A key's only '"' are its first and last bytes, so on a
 * mismatch the match restarts at 1 when the byte is a quote, else at 0. */
static void match_key(ad_scan_field_t *f, const char *key, size_t keylen, char c)
{
    if (c == key[f->matched]) {
        if (++f->matched == keylen) {
            f->matched = 0;
            f->state = ST_COLON;
        }
        return;
    }
    f->matched = c == '"' ? 1 : 0;
}

/* Leaves the value states for the key search again, re-reading c there. */
static void restart(ad_scan_field_t *f, const char *key, size_t keylen, char c)
{
    f->state = ST_KEY;
    f->matched = 0;
    match_key(f, key, keylen, c);
}

static void finish(ad_scan_field_t *f, bool decimal)
{
    if (!decimal) {
        f->value = f->whole;
    } else {
        int64_t frac = f->frac;
        for (unsigned d = f->frac_digits; d < NS_DIGITS; d++)
            frac *= 10;
        f->value = f->whole * INT64_C(1000000000) + frac;
    }
    f->state = ST_DONE;
}

static void step(ad_scan_field_t *f, const char *key, size_t keylen, bool decimal, char c)
{
    switch (f->state) {
    case ST_KEY:
        match_key(f, key, keylen, c);
        break;
    case ST_COLON:
        if (c == ':')
            f->state = ST_VALUE;
        else if (!is_space(c))
            restart(f, key, keylen, c);
        break;
    case ST_VALUE:
        if (is_digit(c)) {
            f->whole = c - '0';
            f->frac = 0;
            f->frac_digits = 0;
            f->state = ST_WHOLE;
        } else if (!is_space(c)) {
            restart(f, key, keylen, c);
        }
        break;
    case ST_WHOLE:
        if (is_digit(c)) {
            /* the bound applies to the number with this digit (fuzzing found 9999999999 s overflowing) */
            int64_t next = f->whole * 10 + (c - '0');
            if (next > (decimal ? WAIT_WHOLE_MAX : WHOLE_MAX))
                restart(f, key, keylen, c);
            else
                f->whole = next;
        } else if (c == '.' && decimal) {
            f->state = ST_FRAC;
        } else if (c == '.' || c == 'e' || c == 'E') {
            restart(f, key, keylen, c); /* not of the expected form */
        } else {
            finish(f, decimal);
        }
        break;
    case ST_FRAC:
        if (is_digit(c)) {
            if (f->frac_digits < NS_DIGITS) { /* digits past ns precision are dropped */
                f->frac = f->frac * 10 + (c - '0');
                f->frac_digits++;
            }
        } else if (c == 'e' || c == 'E' || c == '.') {
            restart(f, key, keylen, c);
        } else {
            finish(f, decimal);
        }
        break;
    default:
        break;
    }
}

/* Done, or looking for a key's first byte. */
static bool idle(const ad_scan_field_t *f)
{
    return f->state == ST_DONE || (f->state == ST_KEY && f->matched == 0);
}

void ad_answer_scan_feed(ad_answer_scan_t *s, const char *data, size_t len)
{
    const char *p = data, *end = data + len;
    while (p < end) {
        if (s->seq.state == ST_DONE && s->wait.state == ST_DONE && s->start.state == ST_DONE)
            return;
        if (idle(&s->seq) && idle(&s->wait) && idle(&s->start)) {
            /* All are looking for a key's opening quote: skip to it. */
            const char *q = memchr(p, '"', (size_t)(end - p));
            if (q == NULL)
                return;
            p = q;
        }
        char c = *p++;
        if (s->seq.state != ST_DONE)
            step(&s->seq, seq_key, sizeof(seq_key) - 1, false, c);
        if (s->wait.state != ST_DONE)
            step(&s->wait, wait_key, sizeof(wait_key) - 1, true, c);
        if (s->start.state != ST_DONE)
            step(&s->start, start_key, sizeof(start_key) - 1, true, c);
    }
}

/* A number running to the end of the body counts (a whole part, or one with some fraction digits). */
static int64_t result(const ad_scan_field_t *f, bool decimal)
{
    if (f->state == ST_WHOLE || (f->state == ST_FRAC && f->frac_digits > 0)) {
        ad_scan_field_t copy = *f;
        finish(&copy, decimal);
        return copy.value;
    }
    return f->value;
}

int64_t ad_answer_scan_sequence(const ad_answer_scan_t *s)
{
    return result(&s->seq, false);
}

int64_t ad_answer_scan_wait_ns(const ad_answer_scan_t *s)
{
    return result(&s->wait, true);
}

int64_t ad_answer_scan_start_ns(const ad_answer_scan_t *s)
{
    return result(&s->start, true);
}

/* Copies s[0..len) into out, cut to AD_ANSWER_ERROR_TEXT_MAX and size - 1 bytes, never inside a UTF-8
 * character. Returns the length. */
static size_t copy_text(const char *s, size_t len, char *out, size_t size)
{
    size_t max = size - 1 < AD_ANSWER_ERROR_TEXT_MAX ? size - 1 : AD_ANSWER_ERROR_TEXT_MAX;
    if (len > max) {
        len = max;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) /* s[len] continues a character */
            len--;
    }
    memcpy(out, s, len);
    out[len] = '\0';
    return len;
}

size_t ad_answer_error_text(const char *body, size_t len, char *out, size_t size)
{
    if (size == 0)
        return 0;
    out[0] = '\0';
    json_t *j = json_loadb(body, len, 0, NULL);
    if (j != NULL) {
        const json_t *v = json_object_get(j, "error");
        if (!json_is_string(v))
            v = json_object_get(j, "message");
        size_t n = json_is_string(v) ? copy_text(json_string_value(v), json_string_length(v), out, size) : 0;
        json_decref(j);
        return n;
    }
    /* Not JSON (or cut short): the first line of plain text; markup says nothing readable in one line. */
    size_t start = 0;
    while (start < len && is_space(body[start]))
        start++;
    if (start == len || body[start] == '<' || body[start] == '{' || body[start] == '[')
        return 0;
    size_t end = start;
    while (end < len && body[end] != '\n' && body[end] != '\r')
        end++;
    while (end > start && is_space(body[end - 1]))
        end--;
    return copy_text(body + start, end - start, out, size);
}
