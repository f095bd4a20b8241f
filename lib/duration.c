/*
 * Durations as text (see duration.h). Integer arithmetic only, every step overflow-checked.
 *
 * Decisions beyond the header: "1." and ".5" are rejected (AD_DURATION_SYNTAX): a digit is required on
 * both sides of the point, so "1..2", "1." and "." all fail the same way. Leading zeros are allowed
 * ("007" is 7 s). Units are case-sensitive. Fraction digits past the 17th are ignored: they are worth
 * less than 0.0001 ns even in hours.
 */
#include "duration.h"
#include "i18n.h"

#include <stdbool.h>
#include <string.h>

#include "digits.h"

#define AD_FRAC_DIGITS_MAX 17 /* 10^17 * 36 still fits in uint64 */

typedef struct {
    const char *name;
    uint64_t mult; /* unit = mult * 10^exp ns */
    int exp;
} duration_unit_t;

static const duration_unit_t k_units[] = {
    {"ns", 1, 0}, {"us", 1, 3}, {"ms", 1, 6}, {"s", 1, 9}, {"m", 6, 10}, {"h", 36, 11},
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* What follows the number: a known unit, letters that are not one (UNIT), or anything else (SYNTAX). */
static ad_duration_status_t parse_unit(const char *s, size_t len, const duration_unit_t **out)
{
    if (len == 0) {
        *out = &k_units[3]; /* seconds */
        return AD_DURATION_OK;
    }
    for (size_t i = 0; i < sizeof(k_units) / sizeof(k_units[0]); i++) {
        if (strlen(k_units[i].name) == len && memcmp(k_units[i].name, s, len) == 0) {
            *out = &k_units[i];
            return AD_DURATION_OK;
        }
    }
    /* "2sec", "5 s": a word where a unit belongs; "1e3", "0x10", "1 ": not a number at all */
    bool letter = false;
    for (size_t i = 0; i < len; i++) {
        if (is_alpha(s[i]))
            letter = true;
        else if (s[i] != ' ')
            return AD_DURATION_SYNTAX;
    }
    return letter ? AD_DURATION_UNIT : AD_DURATION_SYNTAX;
}

/* v * 10^n, or false on uint64 overflow. */
static bool mul_pow10(uint64_t v, int n, uint64_t *out)
{
    while (n-- > 0) {
        if (v > UINT64_MAX / 10)
            return false;
        v *= 10;
    }
    *out = v;
    return true;
}

ad_duration_status_t ad_duration_parse(const char *s, size_t len, int64_t *out_ns)
{
    return ad_duration_parse_ex(s, len, out_ns, NULL);
}

ad_duration_status_t ad_duration_parse_ex(const char *s, size_t len, int64_t *out_ns, int *below_ns)
{
    if (s == NULL || len == 0)
        return AD_DURATION_EMPTY;
    if (s[0] == '-')
        return AD_DURATION_NEGATIVE;
    size_t i = 0;
    uint64_t whole = 0;
    bool whole_overflow = false;
    for (; i < len && is_digit(s[i]); i++) {
        if (whole > (UINT64_MAX - 9) / 10)
            whole_overflow = true; /* keep scanning: "1" * 400 + "x" is a syntax error first */
        else
            whole = whole * 10 + (uint64_t)(s[i] - '0');
    }
    if (i == 0)
        return AD_DURATION_SYNTAX;
    uint64_t frac = 0;
    int frac_digits = 0;
    bool dropped = false; /* a non-zero digit past AD_FRAC_DIGITS_MAX or below 1 ns */
    if (i < len && s[i] == '.') {
        size_t start = ++i;
        for (; i < len && is_digit(s[i]); i++) {
            if (frac_digits < AD_FRAC_DIGITS_MAX) {
                frac = frac * 10 + (uint64_t)(s[i] - '0');
                frac_digits++;
            } else if (s[i] != '0') {
                dropped = true;
            }
        }
        if (i == start)
            return AD_DURATION_SYNTAX;
    }
    const duration_unit_t *unit;
    ad_duration_status_t st = parse_unit(s + i, len - i, &unit);
    if (st != AD_DURATION_OK)
        return st;

    /* whole * mult * 10^exp + floor(frac * mult * 10^exp / 10^frac_digits) <= INT64_MAX */
    uint64_t whole_ns, frac_ns;
    if (whole_overflow || whole > UINT64_MAX / unit->mult || !mul_pow10(whole * unit->mult, unit->exp, &whole_ns))
        return AD_DURATION_RANGE;
    uint64_t f = frac * unit->mult; /* < 10^17 * 36: no overflow */
    if (unit->exp >= frac_digits) {
        if (!mul_pow10(f, unit->exp - frac_digits, &frac_ns))
            return AD_DURATION_RANGE;
    } else {
        uint64_t div = ad_pow10_u64(frac_digits - unit->exp);
        frac_ns = f / div; /* truncates past 1 ns */
        dropped = dropped || f % div != 0;
    }
    if (whole_ns > (uint64_t)INT64_MAX || frac_ns > (uint64_t)INT64_MAX - whole_ns)
        return AD_DURATION_RANGE;
    *out_ns = (int64_t)(whole_ns + frac_ns);
    if (below_ns != NULL)
        *below_ns = dropped;
    return AD_DURATION_OK;
}

const char *ad_duration_strerror(ad_duration_status_t status)
{
    switch (status) {
    case AD_DURATION_OK:
        return "ok";
    case AD_DURATION_EMPTY:
        return _("must not be empty");
    case AD_DURATION_SYNTAX:
        return _("must be digits with an optional fraction and unit, like 2, 0.25 or 250ms");
    case AD_DURATION_UNIT:
        return _("has an unknown unit (use ns, us, ms, s, m or h)");
    case AD_DURATION_NEGATIVE:
        return _("must not be negative");
    case AD_DURATION_RANGE:
        return _("is too large");
    }
    return _("is invalid");
}

/*
 * "0s"; below 1 us whole nanoseconds; above, the largest of us/ms/s whose value stays >= 1 after
 * rounding to thousandths, with up to three decimals and trailing zeros trimmed. Seconds are the
 * largest unit: "90s", not "1.5m".
 */
size_t ad_duration_format(int64_t ns, char *buf, size_t size)
{
    static const char *const names[] = {"ns", "us", "ms", "s"};
    char tmp[48];
    size_t n = 0;
    uint64_t mag = ad_i64_magnitude(ns);
    int u = 0;
    if (ns < 0)
        tmp[n++] = '-';
    if (mag == 0) {
        u = 3;
        tmp[n++] = '0';
    } else if (mag < 1000) {
        n += ad_u64_to_dec(mag, tmp + n);
    } else {
        uint64_t milli; /* thousandths of unit u, rounded half up */
        for (u = 1;; u++) {
            uint64_t step = ad_pow10_u64(3 * u - 3);
            milli = mag / step + (step > 1 && mag % step >= step / 2 ? 1 : 0);
            if (u == 3 || milli < 1000000) /* 999999999 ns is 1000.000 ms: go on to "1s" */
                break;
        }
        n += ad_u64_to_dec(milli / 1000, tmp + n);
        uint64_t dec = milli % 1000;
        if (dec != 0) {
            size_t digits = 3;
            for (; dec % 10 == 0; digits--)
                dec /= 10;
            tmp[n++] = '.';
            ad_u64_to_dec_fixed(dec, tmp + n, digits);
            n += digits;
        }
    }
    size_t ulen = strlen(names[u]);
    memcpy(tmp + n, names[u], ulen);
    n += ulen;
    if (size > 0) {
        size_t copy = n < size - 1 ? n : size - 1;
        memcpy(buf, tmp, copy);
        buf[copy] = '\0';
    }
    return n;
}
