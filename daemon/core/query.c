#include "query.h"

#include <limits.h>
#include <string.h>

bool ad_query_next(const char *query, size_t len, size_t *pos, ad_query_pair_t *pair)
{
    size_t i = *pos;
    while (i < len && query[i] == '&')
        i++;
    if (i >= len) {
        *pos = len;
        return false;
    }
    const char *start = query + i;
    const char *amp = memchr(start, '&', len - i);
    size_t n = amp ? (size_t)(amp - start) : len - i;
    const char *eq = memchr(start, '=', n);

    pair->name = start;
    pair->name_len = eq ? (size_t)(eq - start) : n;
    pair->value = eq ? eq + 1 : NULL;
    pair->value_len = eq ? n - pair->name_len - 1 : 0;
    *pos = i + n;
    return true;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes the byte at in[*i], advancing *i. Returns the byte, or -1 on bad encoding (a decoded NUL included). */
static int decode_one(const char *in, size_t len, size_t *i, bool plus_as_space)
{
    char c = in[*i];
    if (c == '+' && plus_as_space) {
        (*i)++;
        return ' ';
    }
    if (c != '%') {
        (*i)++;
        return c == '\0' ? -1 : (unsigned char)c;
    }
    if (len - *i < 3)
        return -1;
    int hi = hex_value(in[*i + 1]), lo = hex_value(in[*i + 2]);
    if (hi < 0 || lo < 0 || (hi | lo) == 0)
        return -1;
    *i += 3;
    return hi << 4 | lo;
}

typedef enum { DECODE_OK, DECODE_BAD, DECODE_TOO_LONG } decode_status_t;

/* Decodes all of in; keeps validating after out is full so bad encoding is reported over length. */
static decode_status_t decode(const char *in, size_t len, char *out, size_t outsize, bool plus_as_space, size_t *outlen)
{
    size_t i = 0, n = 0;
    bool too_long = outsize == 0;
    while (i < len) {
        int c = decode_one(in, len, &i, plus_as_space);
        if (c < 0)
            return DECODE_BAD;
        if (!too_long && n + 1 < outsize)
            out[n++] = (char)c;
        else
            too_long = true;
    }
    if (outsize > 0)
        out[n] = '\0';
    *outlen = n;
    return too_long ? DECODE_TOO_LONG : DECODE_OK;
}

long ad_percent_decode(const char *in, size_t len, char *out, size_t outsize, bool plus_as_space)
{
    size_t n;
    if (outsize > (size_t)LONG_MAX)
        outsize = (size_t)LONG_MAX;
    if (decode(in, len, out, outsize, plus_as_space, &n) != DECODE_OK)
        return -1;
    return (long)n;
}

/* Does the raw (encoded) name decode to exactly target? Undecodable names match nothing. */
static bool name_equals(const char *raw, size_t len, const char *target, size_t tlen)
{
    size_t i = 0, t = 0;
    while (i < len) {
        int c = decode_one(raw, len, &i, true);
        if (c < 0 || t >= tlen || (unsigned char)target[t] != c)
            return false;
        t++;
    }
    return t == tlen;
}

ad_query_status_t ad_query_get(const char *query, size_t len, const char *name, char *out, size_t outsize)
{
    size_t tlen = strlen(name), pos = 0;
    ad_query_pair_t pair, found = {0};
    bool seen = false;

    if (outsize > 0)
        out[0] = '\0';
    while (ad_query_next(query, len, &pos, &pair)) {
        if (!name_equals(pair.name, pair.name_len, name, tlen))
            continue;
        if (seen)
            return AD_QUERY_REPEATED;
        seen = true;
        found = pair;
    }
    if (!seen)
        return AD_QUERY_ABSENT;

    size_t n;
    decode_status_t st = decode(found.value ? found.value : "", found.value_len, out, outsize, true, &n);
    if (st == DECODE_OK)
        return AD_QUERY_FOUND;
    if (outsize > 0)
        out[0] = '\0';
    return st == DECODE_BAD ? AD_QUERY_BAD_ENCODING : AD_QUERY_TOO_LONG;
}
