#ifndef AD_DIGITS_H
#define AD_DIGITS_H
/*
 * Decimal digits and seconds by hand, the one place both programs format them: snprintf("%llu") parses a
 * format string and takes the locale lock on every call, which shows up on the /stats and delay-answer paths.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define AD_U64_DEC_MAX 20 /* digits of UINT64_MAX */

/* "00".."99": two digits per division, half the divisions of a digit at a time (the delay answer writes five
 * numbers of 14-16 digits per request). */
static const char ad_digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Writes v as exactly `width` digits, zero-padded on the left (v must fit). */
static inline void ad_u64_to_dec_fixed(uint64_t v, char *out, size_t width)
{
    while (width >= 2) {
        width -= 2;
        memcpy(out + width, ad_digit_pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (width == 1)
        out[0] = (char)('0' + v % 10);
}

/* 10^n for n in [0, 19]. */
/* clang-format off */
static const uint64_t ad_pow10[20] = {
    1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u, 1000000000u, 10000000000u,
    100000000000u, 1000000000000u, 10000000000000u, 100000000000000u, 1000000000000000u, 10000000000000000u,
    100000000000000000u, 1000000000000000000u, 10000000000000000000u};
/* clang-format on */

/* How many decimal digits v has (1-20): from its bit length, as log10(2) ~ 1233 / 4096 gives the count or one
 * less, then one comparison. */
static inline size_t ad_u64_digits(uint64_t v)
{
    size_t n = ((size_t)(64 - __builtin_clzll(v | 1)) * 1233) >> 12;
    return n + ((v | 1) >= ad_pow10[n]); /* v | 1: 0 has one digit; 10^n (n >= 1) is even, so no other changes */
}

/* Writes v in decimal to out (no NUL); returns the number of digits (1-20). */
static inline size_t ad_u64_to_dec(uint64_t v, char *out)
{
    size_t n = ad_u64_digits(v);
    ad_u64_to_dec_fixed(v, out, n);
    return n;
}

/* |v| as uint64 without overflow at INT64_MIN. */
static inline uint64_t ad_i64_magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* 10^n for n in [0, 19]. */
static inline uint64_t ad_pow10_u64(int n)
{
    return ad_pow10[n];
}

/* The longest text of ad_seconds_fixed / ad_seconds_exact: sign, 11 integer digits (INT64_MAX ns is about
 * 9.2e9 s), '.', 9 decimals. */
#define AD_SECONDS_MAX 32

/* |ns| / 1e9 rounded half away from zero to `decimals` (clamped to 0-9) places: 2000134000, 6 -> "2.000134".
 * No "-0" when a negative value rounds to zero. Returns the length (no NUL). */
static inline __attribute__((always_inline)) size_t ad_seconds_fixed(int64_t ns, int decimals, char *out)
{
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    uint64_t unit = ad_pow10_u64(9 - decimals); /* ns per last printed digit */
    uint64_t mag = ad_i64_magnitude(ns);
    uint64_t scaled = mag / unit + (mag % unit >= (unit + 1) / 2 && unit > 1 ? 1 : 0);
    uint64_t scale = ad_pow10_u64(decimals);
    size_t n = 0;
    if (ns < 0 && scaled != 0)
        out[n++] = '-';
    n += ad_u64_to_dec(scaled / scale, out + n);
    if (decimals > 0) {
        out[n++] = '.';
        ad_u64_to_dec_fixed(scaled % scale, out + n, (size_t)decimals);
        n += (size_t)decimals;
    }
    return n;
}

/* ns as seconds, exact, the fraction's trailing zeros dropped: "0.25", "2", "0.000000001", "-1.5" (what the
 * shortest round-trip double would print, and the daemon's duration syntax). Returns the length (no NUL). */
static inline size_t ad_seconds_exact(int64_t ns, char *out)
{
    uint64_t mag = ad_i64_magnitude(ns), frac = mag % 1000000000u;
    size_t n = 0, digits = 9;
    if (ns < 0)
        out[n++] = '-';
    n += ad_u64_to_dec(mag / 1000000000u, out + n);
    if (frac == 0)
        return n;
    while (frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    out[n++] = '.';
    ad_u64_to_dec_fixed(frac, out + n, digits);
    return n + digits;
}

/*
 * A plain decimal number, the whole of s[0..len): digits [. digits], as every number a user types is (a
 * rate, a threshold); strtod alone would also take "inf", "0x1p3", " 5" and "1e3". Returns 0 with *out,
 * or -1.
 */
static inline int ad_parse_decimal(const char *s, size_t len, double *out)
{
    char buf[64];
    size_t ndig = 0;
    while (ndig < len && s[ndig] >= '0' && s[ndig] <= '9')
        ndig++;
    size_t end = ndig;
    if (ndig == 0 || len >= sizeof(buf))
        return -1;
    if (end < len && s[end] == '.') {
        size_t frac = 0;
        while (end + 1 + frac < len && s[end + 1 + frac] >= '0' && s[end + 1 + frac] <= '9')
            frac++;
        if (frac == 0)
            return -1;
        end += 1 + frac;
    }
    if (end != len)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    *out = strtod(buf, NULL);
    return 0;
}

#endif
