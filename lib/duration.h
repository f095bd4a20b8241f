#ifndef AD_DURATION_H
#define AD_DURATION_H
/* Durations as text: "2", "0.25", "250ms", "1.5s", "500us", "1m". Pure functions. */
#include <stddef.h>
#include <stdint.h>

typedef enum {
    AD_DURATION_OK = 0,
    AD_DURATION_EMPTY,    /* "" */
    AD_DURATION_SYNTAX,   /* not digits[.digits][unit]: "abc", "0x10", "1e3", "+1", "1..2", " 1" */
    AD_DURATION_UNIT,     /* digits followed by an unknown unit: "2sec", "5 s", "3mss" */
    AD_DURATION_NEGATIVE, /* a leading '-', including "-0" */
    AD_DURATION_RANGE,    /* does not fit in int64 nanoseconds: "1e309"-like lengths of digits */
} ad_duration_status_t;

/*
 * Parses s[0..len) into nanoseconds. Grammar: DIGITS [ "." DIGITS ] [ UNIT ], UNIT one of
 * ns, us, ms, s, m, h; no unit means seconds. Digits past nanosecond precision are truncated.
 * "1." and ".5" are AD_DURATION_SYNTAX (a digit on both sides of the point); leading zeros are fine.
 * Returns AD_DURATION_OK and sets *out_ns, or an error status and leaves *out_ns untouched.
 */
ad_duration_status_t ad_duration_parse(const char *s, size_t len, int64_t *out_ns);
/*
 * The same, and *below_ns (when not NULL) tells whether non-zero digits below a nanosecond were dropped:
 * the text is then a little more than *out_ns, so a limit check must treat *out_ns == limit as over it
 * ("30.0000000001" is over a 30 s limit). See ad_duration_over.
 */
ad_duration_status_t ad_duration_parse_ex(const char *s, size_t len, int64_t *out_ns, int *below_ns);
/* Whether a parsed duration (ns, below_ns from ad_duration_parse_ex) is above limit_ns. */
static inline int ad_duration_over(int64_t ns, int below_ns, int64_t limit_ns)
{
    return ns > limit_ns || (ns == limit_ns && below_ns);
}

/* A short English reason for a status, e.g. "must not be negative". */
const char *ad_duration_strerror(ad_duration_status_t status);

/*
 * Formats ns as the shortest exact-enough text a person reads: "2s", "1.5s", "250ms", "12.3us", "0s".
 * Always NUL-terminates when size > 0. Returns the length it wanted (like snprintf).
 */
size_t ad_duration_format(int64_t ns, char *buf, size_t size);

#endif
