/* The grammar of a delay that varies and the draws from it (see delay_spec.h). */
#include "delay_spec.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "duration.h"

/* z of the standard normal's 99th percentile: p99 = p50 * exp(sigma * Z99). */
#define Z99 2.3263478740408408
#define PI 3.14159265358979323846

/* One duration in [0, max_ns] (or unbounded when max_ns < 0): NULL, or the reason. */
static const char *duration_in(const char *s, size_t len, int64_t max_ns, int64_t *ns, char *why, size_t why_size)
{
    int below;
    ad_duration_status_t st = ad_duration_parse_ex(s, len, ns, &below);
    if (st != AD_DURATION_OK)
        return ad_duration_strerror(st);
    if (max_ns >= 0 && ad_duration_over(*ns, below, max_ns)) {
        char max[32];
        ad_duration_format(max_ns, max, sizeof(max));
        snprintf(why, why_size, "over max-delay (%s)", max);
        return why;
    }
    return NULL;
}

static const char *find(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(s + i, needle, n) == 0)
            return s + i;
    return NULL;
}

static const char *parse_lognormal(const char *s, size_t len, ad_delay_spec_t *out, char *why, size_t why_size)
{
    static const char p50[] = "p50=", p99[] = ",p99=";
    const char *sep = find(s, len, p99);
    if (len < sizeof(p50) - 1 || memcmp(s, p50, sizeof(p50) - 1) != 0 || sep == NULL)
        return "lognormal needs p50=DURATION,p99=DURATION";
    const char *a = s + sizeof(p50) - 1, *b = sep + sizeof(p99) - 1;
    const char *e = duration_in(a, (size_t)(sep - a), out->max_ns, &out->lo_ns, why, why_size);
    if (e == NULL)
        e = duration_in(b, (size_t)(s + len - b), -1, &out->hi_ns, why, why_size);
    if (e != NULL)
        return e;
    if (out->lo_ns <= 0)
        return "lognormal p50 must be above 0";
    if (out->hi_ns < out->lo_ns)
        return "lognormal p99 below p50";
    out->kind = AD_DELAY_LOGNORMAL;
    return NULL;
}

static const char *parse_weighted(const char *s, size_t len, ad_delay_spec_t *out, char *why, size_t why_size)
{
    const char *end = s + len;
    while (s <= end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *item_end = comma != NULL ? comma : end;
        const char *colon = memchr(s, ':', (size_t)(item_end - s));
        if (colon == NULL)
            return "a weighted choice needs DURATION:WEIGHT";
        if (out->nchoices == AD_DELAY_CHOICES_MAX)
            return "more than 16 weighted choices";
        int64_t ns;
        const char *e = duration_in(s, (size_t)(colon - s), out->max_ns, &ns, why, why_size);
        if (e != NULL)
            return e;
        uint64_t w = 0;
        if (colon + 1 == item_end)
            return "a weight must be a whole number from 1 to 1000000";
        for (const char *c = colon + 1; c < item_end; c++) {
            if (*c < '0' || *c > '9' || (w = w * 10 + (uint64_t)(*c - '0')) > AD_DELAY_WEIGHT_MAX)
                return "a weight must be a whole number from 1 to 1000000";
        }
        if (w == 0)
            return "a weight must be a whole number from 1 to 1000000";
        out->choice_ns[out->nchoices] = ns;
        out->weight[out->nchoices++] = (uint32_t)w;
        out->total_weight += w;
        if (comma == NULL)
            break;
        s = comma + 1;
    }
    out->kind = AD_DELAY_WEIGHTED;
    return NULL;
}

const char *ad_delay_spec_parse(const char *s, size_t len, int64_t max_ns, ad_delay_spec_t *out, char *why,
                                size_t why_size)
{
    static const char lognormal[] = "lognormal:";
    *out = (ad_delay_spec_t){.kind = AD_DELAY_FIXED, .max_ns = max_ns};
    if (len >= sizeof(lognormal) - 1 && memcmp(s, lognormal, sizeof(lognormal) - 1) == 0)
        return parse_lognormal(s + sizeof(lognormal) - 1, len - (sizeof(lognormal) - 1), out, why, why_size);
    if (memchr(s, ':', len) != NULL)
        return parse_weighted(s, len, out, why, why_size);
    const char *dots = find(s, len, "..");
    if (dots == NULL)
        return duration_in(s, len, max_ns, &out->lo_ns, why, why_size);
    const char *e = duration_in(s, (size_t)(dots - s), max_ns, &out->lo_ns, why, why_size);
    if (e == NULL)
        e = duration_in(dots + 2, (size_t)(s + len - dots - 2), max_ns, &out->hi_ns, why, why_size);
    if (e != NULL)
        return e;
    if (out->hi_ns < out->lo_ns)
        return "range's end below its start";
    out->kind = AD_DELAY_UNIFORM;
    return NULL;
}

bool ad_delay_spec_varies(const ad_delay_spec_t *spec)
{
    return spec->kind != AD_DELAY_FIXED || spec->jitter_ns > 0;
}

#define GOLDEN_GAMMA 0x9e3779b97f4a7c15ULL

/* splitmix64's finaliser (0 stays 0). */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t ad_rng_next(uint64_t *state)
{
    return mix64(*state += GOLDEN_GAMMA);
}

uint64_t ad_rng_seeded(uint64_t seed, uint64_t index)
{
    /* the finaliser of index's own point in the sequence: 0 for index 0, far apart for the rest */
    return seed ^ mix64(index * GOLDEN_GAMMA);
}

uint64_t ad_seed_slots_take(ad_seed_slots_t *slots, uint64_t seed)
{
    size_t i = 0;
    while (i < slots->n && slots->seed[i] != seed)
        i++;
    if (i == slots->n) {
        if (slots->n < AD_SEED_SLOTS) {
            slots->n++;
        } else { /* full: the least recently used seed makes room */
            i = 0;
            for (size_t j = 1; j < AD_SEED_SLOTS; j++)
                if (slots->used[j] < slots->used[i])
                    i = j;
        }
        slots->seed[i] = seed;
        slots->next[i] = 0;
    }
    slots->used[i] = ++slots->takes;
    return slots->next[i]++;
}

/* Uniform in [0, n] (n >= 0), without modulo bias worth the name for n far below 2^64. */
static uint64_t below_or_at(uint64_t *rng, uint64_t n)
{
    if (n == UINT64_MAX)
        return ad_rng_next(rng);
    return ad_rng_next(rng) % (n + 1);
}

/* Uniform in (0, 1). */
static double unit_open(uint64_t *rng)
{
    return ((double)(ad_rng_next(rng) >> 11) + 0.5) / 9007199254740992.0;
}

static int64_t clamp(double ns, int64_t max_ns)
{
    if (!(ns > 0))
        return 0;
    return ns >= (double)max_ns ? max_ns : (int64_t)ns;
}

int64_t ad_delay_spec_draw(const ad_delay_spec_t *spec, uint64_t *rng)
{
    int64_t ns = spec->lo_ns;
    switch (spec->kind) {
    case AD_DELAY_FIXED:
        break;
    case AD_DELAY_UNIFORM:
        ns = spec->lo_ns + (int64_t)below_or_at(rng, (uint64_t)(spec->hi_ns - spec->lo_ns));
        break;
    case AD_DELAY_WEIGHTED: {
        uint64_t r = ad_rng_next(rng) % spec->total_weight;
        size_t i = 0;
        while (r >= spec->weight[i])
            r -= spec->weight[i++];
        ns = spec->choice_ns[i];
        break;
    }
    case AD_DELAY_LOGNORMAL: {
        /* Box-Muller: one standard normal from two uniforms. */
        double z = sqrt(-2.0 * log(unit_open(rng))) * cos(2.0 * PI * unit_open(rng));
        double sigma = log((double)spec->hi_ns / (double)spec->lo_ns) / Z99;
        ns = clamp(exp(log((double)spec->lo_ns) + sigma * z), spec->max_ns);
        break;
    }
    }
    if (spec->jitter_ns > 0) {
        int64_t j = (int64_t)below_or_at(rng, 2 * (uint64_t)spec->jitter_ns) - spec->jitter_ns;
        ns = ns + j < 0 ? 0 : ns + j > spec->max_ns ? spec->max_ns : ns + j;
    }
    return ns;
}
