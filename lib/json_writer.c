/* A small streaming JSON writer into one growable buffer (see json_writer.h). */
#include "json_writer.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "digits.h"

void ad_jw_init(ad_jw_t *w, size_t initial_cap)
{
    memset(w, 0, sizeof(*w));
    ad_buf_init(&w->b, initial_cap);
}

void ad_jw_free(ad_jw_t *w)
{
    ad_buf_free(&w->b);
    memset(w, 0, sizeof(*w));
}

void ad_jw_reset(ad_jw_t *w)
{
    ad_buf_t b = w->b;
    memset(w, 0, sizeof(*w));
    w->b = b;
    ad_buf_reset(&w->b);
}

/* Makes room for n more bytes plus the NUL; false (and sticky failure) when memory runs out. */
static inline bool jw_reserve(ad_jw_t *w, size_t n)
{
    return ad_buf_reserve(&w->b, n);
}

/* Appends n bytes the caller has reserved room for (no NUL yet). */
static inline void jw_put(ad_jw_t *w, const char *s, size_t n)
{
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static void jw_append(ad_jw_t *w, const char *s, size_t n)
{
    ad_buf_put(&w->b, s, n);
}

/* The separator a value needs before it: nothing after a key or first in its container, else ','. */
static bool jw_before_value(ad_jw_t *w)
{
    if (w->failed)
        return false;
    if (w->after_key) {
        w->after_key = false;
        return true;
    }
    if (w->depth > 0) {
        if (w->need_comma[w->depth - 1])
            jw_append(w, ",", 1);
        w->need_comma[w->depth - 1] = true;
    }
    return !w->failed;
}

static void jw_open(ad_jw_t *w, char c)
{
    if (!jw_before_value(w))
        return;
    if (w->depth >= AD_JW_MAX_DEPTH) { /* deeper nesting is a caller bug: fail rather than emit bad JSON */
        w->failed = true;
        return;
    }
    jw_append(w, &c, 1);
    w->need_comma[w->depth++] = false;
}

static void jw_close(ad_jw_t *w, char c)
{
    if (w->failed)
        return;
    if (w->depth <= 0 || w->after_key) { /* unbalanced or a key without value: caller bug */
        w->failed = true;
        return;
    }
    w->depth--;
    jw_append(w, &c, 1);
}

void ad_jw_object_begin(ad_jw_t *w)
{
    jw_open(w, '{');
}

void ad_jw_object_end(ad_jw_t *w)
{
    jw_close(w, '}');
}

void ad_jw_array_begin(ad_jw_t *w)
{
    jw_open(w, '[');
}

void ad_jw_array_end(ad_jw_t *w)
{
    jw_close(w, ']');
}

/*
 * Length of the well-formed UTF-8 sequence at p[0..n) (Unicode table 3-7: no overlongs, no
 * surrogates, nothing above U+10FFFF), or minus the length of its maximal ill-formed prefix
 * (at least 1), which becomes one U+FFFD as Unicode recommends.
 */
static int utf8_sequence(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    int len;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return -1;
    }
    for (int i = 1; i < len; i++) {
        if ((size_t)i >= n)
            return -i;
        unsigned char lower = i == 1 ? lo : 0x80, upper = i == 1 ? hi : 0xBF;
        if (p[i] < lower || p[i] > upper)
            return -i;
    }
    return len;
}

bool ad_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        int n = utf8_sequence(p + i, len - i);
        if (n < 0)
            return false;
        i += (size_t)n;
    }
    return true;
}

/* 1 for bytes that need escaping or UTF-8 checking; 0 for printable ASCII copied as is. */
static const unsigned char jw_special[256] = {
    [0x00 ... 0x1F] = 1,
    ['"'] = 1,
    ['\\'] = 1,
    [0x80 ... 0xFF] = 1,
};

static void jw_escaped(ad_jw_t *w, const unsigned char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len && !jw_special[s[run]])
            run++;
        if (run > i) {
            if (!jw_reserve(w, run - i))
                return;
            jw_put(w, (const char *)s + i, run - i);
            i = run;
            continue;
        }
        if (!jw_reserve(w, 6)) /* the longest escape: \u00XX */
            return;
        unsigned char c = s[i];
        if (c >= 0x80) {
            int seq = utf8_sequence(s + i, len - i);
            if (seq > 0) {
                jw_put(w, (const char *)s + i, (size_t)seq);
                i += (size_t)seq;
            } else {
                jw_put(w, "\xEF\xBF\xBD", 3);
                i += (size_t)-seq;
            }
            continue;
        }
        char esc[6] = {'\\', 0};
        size_t n = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 0xF];
            n = 6;
            break;
        }
        jw_put(w, esc, n);
        i++;
    }
}

static void jw_quoted(ad_jw_t *w, const char *s, size_t len)
{
    jw_append(w, "\"", 1);
    jw_escaped(w, (const unsigned char *)s, len);
    jw_append(w, "\"", 1);
}

void ad_jw_key(ad_jw_t *w, const char *key)
{
    ad_jw_key_n(w, key, strlen(key));
}

/* Before a key: false (and failed) unless it follows a value inside an object; then its separator. */
static bool jw_key_begin(ad_jw_t *w)
{
    return ad_jw_key_allowed(w) && jw_before_value(w);
}

void ad_jw_key_n(ad_jw_t *w, const char *key, size_t len)
{
    if (!jw_key_begin(w))
        return;
    jw_quoted(w, key, len);
    jw_append(w, ":", 1);
    w->after_key = true;
}

/* Defined in every build, so that a file compiled without NDEBUG links whatever this one was built with. */
void ad_jw_key_quoted_check(const char *quoted, size_t len)
{
    (void)quoted;
    (void)len;
    assert(len >= 4 && quoted[0] == ',' && quoted[1] == '"' && quoted[len - 2] == '"' && quoted[len - 1] == ':');
    for (size_t i = 2; i < len - 2; i++)
        assert(!jw_special[(unsigned char)quoted[i]]);
}

void ad_jw_string(ad_jw_t *w, const char *s, size_t len)
{
    if (!jw_before_value(w))
        return;
    jw_quoted(w, s, len);
}

void ad_jw_cstr(ad_jw_t *w, const char *s)
{
    if (s == NULL)
        ad_jw_null(w);
    else
        ad_jw_string(w, s, strlen(s));
}

void ad_jw_raw(ad_jw_t *w, const char *s, size_t len)
{
    if (!jw_before_value(w))
        return;
    jw_append(w, s, len);
}

void ad_jw_uint(ad_jw_t *w, uint64_t v)
{
    if (jw_before_value(w))
        ad_buf_u64(&w->b, v);
}

void ad_jw_int(ad_jw_t *w, int64_t v)
{
    if (jw_before_value(w))
        ad_buf_i64(&w->b, v);
}

void ad_jw_seconds(ad_jw_t *w, int64_t ns, int decimals)
{
    if (jw_before_value(w))
        ad_buf_seconds(&w->b, ns, decimals);
}

/* The shortest of %.15g/%.16g/%.17g that reads back as v (17 always does). */
static size_t format_double(double v, char *out, size_t size)
{
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(out, size, "%.*g", prec, v);
        if (prec == 17 || strtod(out, NULL) == v)
            break;
    }
    for (int i = 0; i < n; i++) { /* a locale with a decimal comma must not break the JSON */
        if (out[i] == ',')
            out[i] = '.';
    }
    return n > 0 ? (size_t)n : 0;
}

void ad_jw_double(ad_jw_t *w, double v)
{
    if (!isfinite(v)) {
        ad_jw_null(w);
        return;
    }
    char tmp[40];
    size_t n = format_double(v, tmp, sizeof(tmp));
    ad_jw_raw(w, tmp, n);
}

void ad_jw_bool(ad_jw_t *w, bool v)
{
    if (v)
        ad_jw_raw(w, "true", 4);
    else
        ad_jw_raw(w, "false", 5);
}

void ad_jw_null(ad_jw_t *w)
{
    ad_jw_raw(w, "null", 4);
}

void ad_jw_utc(ad_jw_t *w, int64_t wall_ns, int decimals)
{
    char tmp[40];
    tmp[0] = '"';
    size_t n = ad_format_utc(wall_ns, decimals, tmp + 1, sizeof(tmp) - 2);
    if (!jw_before_value(w))
        return;
    tmp[n + 1] = '"';
    jw_append(w, tmp, n + 2); /* digits, '-', ':', 'T', '.' and 'Z': nothing to escape */
}

/* Longest RFC 3339 form: "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" */
#define AD_UTC_MAX 30

/*
 * Proleptic Gregorian date of a day number (days since 1970-01-01, may be negative), by counting 400-year
 * eras from 0000-03-01 (so the leap day ends each year). Integer arithmetic instead of gmtime_r, whose
 * time-zone lock and conversion showed up in profiles of every delayed answer.
 */
static void civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
    int64_t z = days + 719468; /* days from 0000-03-01 */
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);                          /* day of era, 0..146096 */
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* year of era, 0..399 */
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* day of March-based year */
    unsigned mp = (5 * doy + 2) / 153;                                    /* March = 0 */
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = (int64_t)yoe + era * 400 + (*month <= 2);
}

/* Days since 1970-01-01 of a proleptic Gregorian date: civil_from_days's reverse. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* n digits at s as a number, or -1. */
static int digits_at(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int ad_parse_utc(const char *s, bool offset, int64_t *out)
{
    static const unsigned char mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' ||
        !(s[10] == 'T' || (offset && s[10] == 't')))
        return -1;
    int year = digits_at(s, 4), mon = digits_at(s + 5, 2), day = digits_at(s + 8, 2);
    int hour = digits_at(s + 11, 2), min = digits_at(s + 14, 2), sec = digits_at(s + 17, 2);
    if (year < 0 || mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || hour < 0 || hour > 23 || min < 0 ||
        min > 59 || sec < 0 || sec > 60)
        return -1;
    if (mon == 2 && day == 29 && (year % 4 != 0 || (year % 100 == 0 && year % 400 != 0)))
        return -1;
    int64_t frac = 0;
    const char *p = s + 19;
    if (*p == '.') {
        int digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, digits++)
            if (digits < 9)
                frac = frac * 10 + (*p - '0');
        if (digits == 0)
            return -1;
        for (; digits < 9; digits++)
            frac *= 10;
    }
    int64_t shift = 0; /* the offset's seconds: local = UTC + offset */
    if (offset && (*p == '+' || *p == '-')) {
        int oh = digits_at(p + 1, 2), om = p[3] == ':' ? digits_at(p + 4, 2) : -1;
        if (oh < 0 || oh > 23 || om < 0 || om > 59 || p[6] != '\0')
            return -1;
        shift = (*p == '+' ? 1 : -1) * (int64_t)(oh * 3600 + om * 60);
    } else if (!(p[0] == 'Z' || (offset && p[0] == 'z')) || p[1] != '\0') {
        return -1;
    }
    int64_t t = days_from_civil(year, (unsigned)mon, (unsigned)day) * 86400 + hour * 3600 + min * 60 + sec - shift;
    if (t < -9223372036 || t > 9223372035)
        return -1;
    *out = t * 1000000000 + frac;
    return 0;
}

size_t ad_format_utc(int64_t wall_ns, int decimals, char *buf, size_t size)
{
    if (size == 0)
        return 0;
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    /* floor division, so times before 1970 keep a positive fraction */
    int64_t sec = wall_ns / AD_NS_PER_SEC, frac = wall_ns % AD_NS_PER_SEC;
    if (frac < 0) {
        frac += AD_NS_PER_SEC;
        sec--;
    }
    char tmp[AD_UTC_MAX + 1];
    /* An answer writes two times of the same second, and so do the answers after it: the date and time
     * of the last second this thread formatted are kept. */
    static _Thread_local int64_t last_sec = INT64_MIN;
    static _Thread_local char last[19];
    if (sec != last_sec) {
        int64_t days = sec / 86400, sod = sec % 86400;
        if (sod < 0) {
            sod += 86400;
            days--;
        }
        int64_t year;
        unsigned month, day;
        civil_from_days(days, &year, &month, &day); /* int64 ns spans years 1677-2262: always 4 digits */
        ad_u64_to_dec_fixed((uint64_t)year, last, 4);
        last[4] = '-';
        ad_u64_to_dec_fixed(month, last + 5, 2);
        last[7] = '-';
        ad_u64_to_dec_fixed(day, last + 8, 2);
        last[10] = 'T';
        ad_u64_to_dec_fixed((uint64_t)(sod / 3600), last + 11, 2);
        last[13] = ':';
        ad_u64_to_dec_fixed((uint64_t)(sod / 60 % 60), last + 14, 2);
        last[16] = ':';
        ad_u64_to_dec_fixed((uint64_t)(sod % 60), last + 17, 2);
        last_sec = sec;
    }
    memcpy(tmp, last, 19);
    size_t n = 19;
    if (decimals > 0) { /* truncated, not rounded: a timestamp never shows a later second */
        tmp[n++] = '.';
        ad_u64_to_dec_fixed((uint64_t)frac / ad_pow10_u64(9 - decimals), tmp + n, (size_t)decimals);
        n += (size_t)decimals;
    }
    tmp[n++] = 'Z';
    if (n > size - 1)
        n = size - 1;
    memcpy(buf, tmp, n);
    buf[n] = '\0';
    return n;
}
