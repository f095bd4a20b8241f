/* Parsing and bounding the requested delay (see delay_param.h). */
#include "delay_param.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "duration.h"
#include "query.h"

/* Checks text as a delay spec within [0, max_ns]: NULL when fine (p->spec, *ns set), else the reason. */
static const char *check_duration(ad_delay_param_t *p, const char *text, size_t len, int64_t max_ns, int64_t *ns)
{
    const char *e = ad_delay_spec_parse(text, len, max_ns, &p->spec, p->why, sizeof(p->why));
    if (e == NULL)
        *ns = p->spec.kind == AD_DELAY_WEIGHTED ? p->spec.choice_ns[0] : p->spec.lo_ns;
    return e;
}

/* A plain duration within [0, max_ns] (jitter=): NULL, or the reason. */
static const char *check_duration_only(ad_delay_param_t *p, const char *text, size_t len, int64_t max_ns, int64_t *ns)
{
    ad_delay_spec_t plain;
    const char *e = ad_delay_spec_parse(text, len, max_ns, &plain, p->why, sizeof(p->why));
    if (e == NULL && plain.kind != AD_DELAY_FIXED)
        e = "not a duration";
    *ns = plain.lo_ns;
    return e;
}

/* The first raw value given for name (for the error when it could not be decoded). */
static void raw_query_value(ad_delay_param_t *p, const char *q, size_t qlen, const char *name)
{
    size_t pos = 0, nlen = strlen(name);
    ad_query_pair_t pair;
    p->value = "";
    p->value_len = 0;
    while (ad_query_next(q, qlen, &pos, &pair)) {
        if (pair.name_len == nlen && memcmp(pair.name, name, nlen) == 0 && pair.value != NULL) {
            p->value = pair.value;
            p->value_len = pair.value_len;
            return;
        }
    }
}

/* One query parameter's decoded value into p->decoded: 1 found, 0 absent, -1 refused (p->what set). */
static int option_value(ad_delay_param_t *p, const char *q, size_t qlen, const char *name)
{
    p->param = name;
    p->allowed = NULL;
    p->value = "";
    p->value_len = 0;
    switch (ad_query_get(q, qlen, name, p->decoded, sizeof(p->decoded))) {
    case AD_QUERY_ABSENT:
        return 0;
    case AD_QUERY_FOUND:
        p->value = p->decoded;
        p->value_len = strlen(p->decoded);
        return 1;
    case AD_QUERY_REPEATED:
        p->what = "given more than once";
        break;
    case AD_QUERY_BAD_ENCODING:
        p->what = "bad percent-encoding";
        break;
    case AD_QUERY_TOO_LONG:
        p->what = "too long";
        break;
    }
    raw_query_value(p, q, qlen, name);
    return -1;
}

/* The options (ad_delay_options_from_query's) as when none is given. */
static void no_options(ad_delay_param_t *p)
{
    p->has_seed = false;
    p->seed_index = 0;
    p->status = (ad_status_spec_t){0};
    p->close = (ad_close_spec_t){0};
    p->size = 0;
    p->ttfb_ns = 0;
    p->work_cpu = false;
}

bool ad_delay_from_query(ad_delay_param_t *p, const char *q, size_t qlen, int64_t default_ns, int64_t max_ns)
{
    p->spec = (ad_delay_spec_t){.kind = AD_DELAY_FIXED, .lo_ns = default_ns, .max_ns = max_ns};
    no_options(p);
    p->what = NULL;
    int found = option_value(p, q, qlen, "delay");
    if (found <= 0) {
        p->ns = default_ns;
        return found == 0;
    }
    p->what = check_duration(p, p->decoded, p->value_len, max_ns, &p->ns);
    return p->what == NULL;
}

bool ad_delay_from_path(ad_delay_param_t *p, const char *n, size_t nlen, int64_t max_ns)
{
    p->spec = (ad_delay_spec_t){.kind = AD_DELAY_FIXED, .max_ns = max_ns};
    no_options(p);
    p->param = "n";
    p->allowed = NULL;
    p->value = n;
    p->value_len = nlen;
    long len = ad_percent_decode(n, nlen, p->decoded, sizeof(p->decoded), false);
    if (len < 0) {
        p->what = nlen >= sizeof(p->decoded) ? "too long" : "bad percent-encoding";
        return false;
    }
    p->what = check_duration(p, p->decoded, (size_t)len, max_ns, &p->ns);
    return p->what == NULL;
}

/* A whole number within [lo, hi] from p->value: NULL, or the reason (above: the one for above hi). */
static const char *whole_number(const ad_delay_param_t *p, uint64_t lo, uint64_t hi, const char *above, uint64_t *out)
{
    uint64_t v = 0;
    if (p->value_len == 0)
        return "empty";
    for (size_t i = 0; i < p->value_len; i++) {
        unsigned d = (unsigned char)p->value[i] - '0';
        if (d > 9)
            return "not a whole number";
        if ((v = v * 10 + d) > hi)
            return above;
    }
    *out = v;
    return v < lo ? "too small" : NULL;
}

/* seed= into p->seed and p->has_seed: false and the refusal when bad. */
static bool seed_option(ad_delay_param_t *p, const char *q, size_t qlen)
{
    int found = option_value(p, q, qlen, "seed");
    uint64_t seed = 0;
    p->allowed = "a whole number from 0 to 9007199254740991";
    if (found < 0 ||
        (found > 0 && (p->what = whole_number(p, 0, AD_DELAY_SEED_MAX, "above 9007199254740991", &seed)) != NULL))
        return false;
    p->allowed = NULL;
    p->has_seed = found > 0;
    p->seed = seed;
    p->seed_index = 0;
    return true;
}

/* Whether every parameter of the query is spelled delay (so none of the options is there): the zero-delay
 * path's query, checked in one pass instead of one per option. */
static bool names_only_delay(const char *q, size_t qlen)
{
    size_t pos = 0;
    ad_query_pair_t pair;
    while (ad_query_next(q, qlen, &pos, &pair))
        if (!(pair.name_len == 5 && memcmp(pair.name, "delay", 5) == 0))
            return false;
    return true;
}

bool ad_delay_options_from_query(ad_delay_param_t *p, const char *q, size_t qlen)
{
    if (names_only_delay(q, qlen))
        return true;
    int found = option_value(p, q, qlen, "jitter");
    if (found < 0)
        return false;
    if (found > 0) {
        int64_t ns;
        p->what = check_duration_only(p, p->value, p->value_len, p->spec.max_ns, &ns);
        if (p->what != NULL)
            return false;
        p->spec.jitter_ns = ns;
    }
    if (!seed_option(p, q, qlen))
        return false;
    found = option_value(p, q, qlen, "ttfb");
    if (found < 0 ||
        (found > 0 && (p->what = check_duration_only(p, p->value, p->value_len, p->spec.max_ns, &p->ttfb_ns)) != NULL))
        return false;
    found = option_value(p, q, qlen, "size");
    p->allowed = "a whole number of bytes from 1 to 10485760";
    uint64_t size = 0;
    if (found < 0 || (found > 0 && (p->what = whole_number(p, 1, AD_DELAY_SIZE_MAX, "above 10485760", &size)) != NULL))
        return false;
    p->size = (uint32_t)size;
    found = option_value(p, q, qlen, "work");
    p->allowed = "sleep or cpu";
    if (found < 0 || (found > 0 && strcmp(p->decoded, "sleep") != 0 && strcmp(p->decoded, "cpu") != 0 &&
                      (p->what = "not sleep or cpu") != NULL))
        return false;
    p->work_cpu = found > 0 && strcmp(p->decoded, "cpu") == 0;
    found = option_value(p, q, qlen, "status");
    p->allowed = "CODE:PERCENT[,CODE:PERCENT...]: codes 400 to 599, percentages adding up to at most 100";
    if (found < 0 || (found > 0 && (p->what = ad_status_spec_parse(p->value, p->value_len, &p->status)) != NULL))
        return false;
    found = option_value(p, q, qlen, "close");
    p->allowed = "PERCENT or PERCENT:reset, a percentage from 0 to 100";
    if (found < 0 || (found > 0 && (p->what = ad_close_spec_parse(p->value, p->value_len, &p->close)) != NULL))
        return false;
    p->allowed = NULL;
    return true;
}

int64_t ad_delay_param_draw(ad_delay_param_t *p, uint64_t *rng)
{
    uint64_t seeded = ad_rng_seeded(p->seed, p->seed_index);
    p->ns = ad_delay_spec_draw(&p->spec, p->has_seed ? &seeded : rng);
    return p->ns;
}

ad_fault_draw_t ad_delay_param_draw_faults(const ad_delay_param_t *p, uint64_t *rng)
{
    /* A sequence of its own under seed=, so the delay's draw and the faults' do not share numbers. */
    uint64_t seeded = ad_rng_seeded(p->seed, p->seed_index) ^ 0x6661756c74ULL;
    uint64_t *r = p->has_seed ? &seeded : rng;
    ad_fault_draw_t d = {.drop = ad_close_spec_draw(&p->close, r)};
    if (d.drop == AD_DROP_NONE)
        d.status = ad_status_spec_draw(&p->status, r);
    return d;
}

bool ad_drip_from_query(ad_delay_param_t *p, ad_drip_t *d, const char *q, size_t qlen, int64_t max_ns)
{
    static const char *const durations[] = {"duration", "delay"};
    *d = (ad_drip_t){.duration_ns = 2 * AD_NS_PER_SEC, .numbytes = 10, .code = 200};
    p->spec = (ad_delay_spec_t){.kind = AD_DELAY_FIXED, .max_ns = max_ns};
    p->what = NULL;
    for (size_t i = 0; i < 2; i++) {
        int found = option_value(p, q, qlen, durations[i]);
        if (found < 0)
            return false;
        int64_t ns = 0;
        if (found > 0 && (p->what = check_duration_only(p, p->value, p->value_len, max_ns, &ns)) != NULL)
            return false;
        if (found > 0)
            *(i == 0 ? &d->duration_ns : &d->delay_ns) = ns;
    }
    uint64_t v;
    int found = option_value(p, q, qlen, "numbytes");
    p->allowed = "a whole number from 1 to 10485760";
    if (found < 0 || (found > 0 && (p->what = whole_number(p, 1, AD_DRIP_BYTES_MAX, "above 10485760", &v)) != NULL))
        return false;
    if (found > 0)
        d->numbytes = (uint32_t)v;
    found = option_value(p, q, qlen, "code");
    p->allowed = "a status from 200 to 599, not 204 or 304 (they have no body)";
    if (found < 0 || (found > 0 && (p->what = whole_number(p, 200, 599, "above 599", &v)) != NULL))
        return false;
    if (found > 0 && (v == 204 || v == 304)) {
        p->what = "a status without a body";
        return false;
    }
    if (found > 0)
        d->code = (int)v;
    p->allowed = NULL;
    return true;
}

/* A path segment n[0..len), percent-decoded, as a whole number in [lo, hi]: false and the refusal when not. */
static bool path_count(ad_delay_param_t *p, const char *n, size_t nlen, uint64_t lo, uint64_t hi, const char *above,
                       const char *allowed, uint32_t *count)
{
    p->has_seed = false;
    p->param = "n";
    p->allowed = allowed;
    long len = ad_percent_decode(n, nlen, p->decoded, sizeof(p->decoded), false);
    if (len < 0) {
        p->value = n;
        p->value_len = nlen;
        p->what = nlen >= sizeof(p->decoded) ? "too long" : "bad percent-encoding";
        return false;
    }
    p->value = p->decoded;
    p->value_len = (size_t)len;
    uint64_t v;
    if ((p->what = whole_number(p, lo, hi, above, &v)) != NULL)
        return false;
    *count = (uint32_t)v;
    return true;
}

bool ad_lines_from_path(ad_delay_param_t *p, const char *n, size_t nlen, uint32_t *count)
{
    return path_count(p, n, nlen, 1, AD_STREAM_LINES_MAX, "above 100", "a whole number of lines from 1 to 100", count);
}

bool ad_bytes_from_request(ad_delay_param_t *p, const char *n, size_t nlen, const char *q, size_t qlen, uint32_t *count)
{
    if (!path_count(p, n, nlen, 0, AD_DELAY_SIZE_MAX, "above 10485760", "a whole number of bytes from 0 to 10485760",
                    count))
        return false;
    p->allowed = NULL;
    return seed_option(p, q, qlen);
}
