/* Log-linear histogram (see histogram.h): bucket layout, recording, percentiles, JSON form. */
#include "histogram.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Linear sub-buckets per power of two above the exact range. */
#define AD_HIST_SUB_COUNT (1 << (AD_HIST_SUB_BITS - 1))
#define AD_HIST_EXACT_LIMIT (INT64_C(1) << AD_HIST_SUB_BITS)
#define AD_HIST_MAX_VALUE (INT64_C(1) << AD_HIST_MAX_BITS)

/*
 * Relaxed atomics: the one writer never needs a locked read-modify-write (it alone stores), and
 * readers on other threads see whole values without a data race.
 */
#define LOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

static inline double load_double(const double *p)
{
    double v;
    __atomic_load(p, &v, __ATOMIC_RELAXED);
    return v;
}

static inline void store_double(double *p, double v)
{
    __atomic_store(p, &v, __ATOMIC_RELAXED);
}

void ad_hist_init(ad_histogram_t *h)
{
    memset(h, 0, sizeof(*h));
    h->min = INT64_MAX;
}

/*
 * Values below 2^SUB_BITS map to themselves. A value with highest set bit k >= SUB_BITS is shifted
 * right by s = k - (SUB_BITS - 1), leaving a top part in [SUB_COUNT, 2 * SUB_COUNT); the index is
 * s * SUB_COUNT + that part, which continues the exact range without a gap.
 */
size_t ad_hist_bucket_index(int64_t value)
{
    if (value < AD_HIST_EXACT_LIMIT)
        return value < 0 ? 0 : (size_t)value;
    if (value >= AD_HIST_MAX_VALUE)
        return AD_HIST_BUCKETS - 1;
    int k = 63 - __builtin_clzll((unsigned long long)value);
    int shift = k - (AD_HIST_SUB_BITS - 1);
    return (size_t)shift * AD_HIST_SUB_COUNT + (size_t)(value >> shift);
}

int64_t ad_hist_bucket_lower(size_t index)
{
    if (index >= AD_HIST_BUCKETS)
        index = AD_HIST_BUCKETS - 1;
    if (index < (size_t)AD_HIST_EXACT_LIMIT)
        return (int64_t)index;
    int shift = (int)(index / AD_HIST_SUB_COUNT) - 1;
    int64_t top = (int64_t)(index - (size_t)shift * AD_HIST_SUB_COUNT); /* in [SUB_COUNT, 2 * SUB_COUNT) */
    return top << shift;
}

int64_t ad_hist_bucket_upper(size_t index)
{
    if (index >= AD_HIST_BUCKETS - 1)
        return INT64_MAX; /* the last bucket also holds everything >= 2^MAX_BITS */
    return ad_hist_bucket_lower(index + 1) - 1;
}

void ad_hist_record(ad_histogram_t *h, int64_t value)
{
    if (value < 0)
        value = 0;
    size_t i = ad_hist_bucket_index(value);
    STORE(&h->buckets[i], LOAD(&h->buckets[i]) + 1);
    STORE(&h->groups[i / AD_HIST_GROUP], LOAD(&h->groups[i / AD_HIST_GROUP]) + 1);
    if (value < LOAD(&h->min))
        STORE(&h->min, value);
    if (value > LOAD(&h->max))
        STORE(&h->max, value);
    double d = (double)value;
    store_double(&h->sum, load_double(&h->sum) + d);
    store_double(&h->sumsq, load_double(&h->sumsq) + d * d);
    STORE(&h->count, LOAD(&h->count) + 1);
}

void ad_hist_merge(ad_histogram_t *dst, const ad_histogram_t *src)
{
    uint64_t count = LOAD(&src->count);
    int64_t min = LOAD(&src->min), max = LOAD(&src->max);
    if (count == 0 || min > max)
        return;
    for (size_t i = ad_hist_bucket_index(min), last = ad_hist_bucket_index(max); i <= last; i++) {
        uint64_t c = LOAD(&src->buckets[i]);
        if (c != 0) {
            STORE(&dst->buckets[i], LOAD(&dst->buckets[i]) + c);
            STORE(&dst->groups[i / AD_HIST_GROUP], LOAD(&dst->groups[i / AD_HIST_GROUP]) + c);
        }
    }
    if (min < LOAD(&dst->min))
        STORE(&dst->min, min);
    if (max > LOAD(&dst->max))
        STORE(&dst->max, max);
    store_double(&dst->sum, load_double(&dst->sum) + load_double(&src->sum));
    store_double(&dst->sumsq, load_double(&dst->sumsq) + load_double(&src->sumsq));
    STORE(&dst->count, LOAD(&dst->count) + count);
}

void ad_hist_summarize(const ad_histogram_t *const *hs, size_t n, ad_hist_summary_t *out)
{
    memset(out, 0, sizeof(*out));
    out->min = INT64_MAX;
    for (size_t j = 0; j < n; j++) {
        uint64_t count = LOAD(&hs[j]->count);
        int64_t min = LOAD(&hs[j]->min), max = LOAD(&hs[j]->max);
        if (count == 0 || min > max)
            continue;
        out->count += count;
        if (min < out->min)
            out->min = min;
        if (max > out->max)
            out->max = max;
        out->sum += load_double(&hs[j]->sum);
        out->sumsq += load_double(&hs[j]->sumsq);
    }
    if (out->count == 0)
        memset(out, 0, sizeof(*out));
}

/* Sum over hs of group g. */
static inline uint64_t group_sum(const ad_histogram_t *const *hs, size_t n, size_t g)
{
    uint64_t c = 0;
    for (size_t j = 0; j < n; j++)
        c += LOAD(&hs[j]->groups[g]);
    return c;
}

/* Sum over hs of bucket i. */
static inline uint64_t bucket_sum(const ad_histogram_t *const *hs, size_t n, size_t i)
{
    uint64_t c = 0;
    for (size_t j = 0; j < n; j++)
        c += LOAD(&hs[j]->buckets[i]);
    return c;
}

/* The 1-based rank of percentile p (0 < p < 100) among count values: ceil(p/100 * count). */
static uint64_t percentile_rank(double p, uint64_t count)
{
    double x = p * (double)count / 100.0; /* multiply first: 99.9 * 1000 / 100 is exactly 999 */
    x -= x * 1e-12;                       /* absorb the rounding of p itself, e.g. 99.9 */
    double r = ceil(x);
    if (r < 1)
        return 1;
    if (r >= (double)count)
        return count;
    return (uint64_t)r;
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void ad_hist_percentiles(const ad_histogram_t *const *hs, size_t n, const double *ps, size_t np, int64_t *out)
{
    ad_hist_summary_t s;
    ad_hist_summarize(hs, n, &s);
    uint64_t cum = 0;
    size_t i = ad_hist_bucket_index(s.min), last = ad_hist_bucket_index(s.max);
    for (size_t k = 0; k < np; k++) {
        double p = ps[k];
        if (s.count == 0) {
            out[k] = 0;
            continue;
        }
        if (!(p > 0)) { /* also NaN */
            out[k] = s.min;
            continue;
        }
        if (p >= 100) {
            out[k] = s.max;
            continue;
        }
        /* walk on from where the previous (smaller) percentile stopped: one pass in all */
        uint64_t rank = percentile_rank(p, s.count);
        while (cum < rank && i <= last) {
            /* A whole group that ends before the rank is added in one read per histogram. (With a
             * concurrent writer its count and its buckets' may differ by a few: a near-snapshot.) */
            if (i % AD_HIST_GROUP == 0 && i + AD_HIST_GROUP - 1 <= last) {
                uint64_t g = group_sum(hs, n, i / AD_HIST_GROUP);
                if (cum + g < rank) {
                    cum += g;
                    i += AD_HIST_GROUP;
                    continue;
                }
            }
            cum += bucket_sum(hs, n, i++);
        }
        if (cum < rank) { /* a concurrent writer moved count ahead of the buckets read */
            out[k] = s.max;
            continue;
        }
        /* The smallest and the largest value are known exactly; any other rank gets the middle of its
         * bucket's values, and the buckets of min and max hold none below min or above max (HdrHistogram's
         * rule: a percentile is never outside [min, max]). */
        if (rank == 1) {
            out[k] = s.min;
        } else if (rank == s.count) {
            out[k] = s.max;
        } else {
            int64_t lower = clamp64(ad_hist_bucket_lower(i - 1), s.min, s.max);
            int64_t upper = clamp64(ad_hist_bucket_upper(i - 1), s.min, s.max);
            out[k] = lower + (upper - lower) / 2;
        }
    }
}

int64_t ad_hist_percentile(const ad_histogram_t *h, double p)
{
    int64_t v;
    ad_hist_percentiles(&h, 1, &p, 1, &v);
    return v;
}

double ad_hist_mean(const ad_histogram_t *h)
{
    uint64_t count = LOAD(&h->count);
    return count == 0 ? 0.0 : load_double(&h->sum) / (double)count;
}

double ad_hist_stdev(const ad_histogram_t *h)
{
    uint64_t count = LOAD(&h->count);
    if (count < 2)
        return 0.0;
    double mean = load_double(&h->sum) / (double)count;
    double var = load_double(&h->sumsq) / (double)count - mean * mean;
    return var > 0 ? sqrt(var) : 0.0; /* rounding can make a near-zero variance negative */
}

void ad_hist_count_le(const ad_histogram_t *const *hs, size_t n, const int64_t *bounds, size_t nb, uint64_t *out)
{
    ad_hist_summary_t s;
    ad_hist_summarize(hs, n, &s);
    size_t k = 0;
    uint64_t cum = 0;
    if (s.count != 0) {
        for (size_t i = ad_hist_bucket_index(s.min), last = ad_hist_bucket_index(s.max); i <= last; i++) {
            uint64_t c = bucket_sum(hs, n, i);
            if (c == 0)
                continue;
            int64_t upper = ad_hist_bucket_upper(i);
            for (; k < nb && bounds[k] < upper && bounds[k] < s.max; k++)
                out[k] = cum;
            cum += c;
        }
    }
    for (; k < nb; k++) /* bounds at or past max hold every value */
        out[k] = cum;
}
