#ifndef AD_DIGITS_H
#define AD_DIGITS_H
/*
 * Internal to lib/: decimal digits by hand, because snprintf("%llu") parses a format string and
 * takes the locale lock on every call, which shows up on the /stats and delay-answer paths.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define AD_U64_DEC_MAX 20 /* digits of UINT64_MAX */

/* Writes v in decimal to out (no NUL); returns the number of digits (1-20). */
static inline size_t ad_u64_to_dec(uint64_t v, char *out)
{
    char tmp[AD_U64_DEC_MAX];
    size_t n = 0;
    do {
        tmp[AD_U64_DEC_MAX - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    memcpy(out, tmp + AD_U64_DEC_MAX - n, n);
    return n;
}

/* Writes v as exactly `width` digits, zero-padded on the left (v must fit). */
static inline void ad_u64_to_dec_fixed(uint64_t v, char *out, size_t width)
{
    while (width-- > 0) {
        out[width] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* |v| as uint64 without overflow at INT64_MIN. */
static inline uint64_t ad_i64_magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* 10^n for n in [0, 19]. */
static inline uint64_t ad_pow10_u64(int n)
{
    uint64_t p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

#endif
