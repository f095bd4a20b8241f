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

/*
 * Makes a summary agree with the buckets read after it. Only a writer racing with the reader can
 * make them differ (count read before the newest bucket, or a sum that already holds a value the
 * count does not); the document must still pass ad_hist_from_json's checks.
 */
static void make_consistent(ad_hist_summary_t *s, uint64_t total, size_t first, size_t last)
{
    if (total == 0) {
        memset(s, 0, sizeof(*s));
        return;
    }
    s->count = total;
    if (ad_hist_bucket_index(s->min) != first)
        s->min = ad_hist_bucket_lower(first);
    if (ad_hist_bucket_index(s->max) != last)
        s->max = ad_hist_bucket_upper(last);
    double lo = (double)total * (double)s->min, hi = (double)total * (double)s->max;
    if (s->sum < lo * (1 - 1e-9) || s->sum > hi * (1 + 1e-9))
        s->sum = s->sum < lo ? lo : hi;
}

json_t *ad_hist_to_json(const ad_histogram_t *h)
{
    ad_hist_summary_t s;
    ad_hist_summarize(&h, 1, &s);
    json_t *buckets = json_array();
    if (buckets == NULL)
        return NULL;
    uint64_t total = 0;
    size_t first = 0, last = 0;
    if (s.count != 0) {
        for (size_t i = ad_hist_bucket_index(s.min), end = ad_hist_bucket_index(s.max); i <= end; i++) {
            uint64_t c = LOAD(&h->buckets[i]);
            if (c == 0)
                continue;
            if (total == 0)
                first = i;
            last = i;
            total += c;
            if (json_array_append_new(buckets,
                                      json_pack("[I,I]", (json_int_t)ad_hist_bucket_lower(i), (json_int_t)c))) {
                json_decref(buckets);
                return NULL;
            }
        }
    }
    make_consistent(&s, total, first, last);
    /* json_pack releases buckets ("o") when it fails */
    return json_pack("{s:s, s:i, s:s, s:I, s:I, s:I, s:f, s:f, s:o}", "schema", AD_HIST_SCHEMA, "sub_bucket_bits",
                     AD_HIST_SUB_BITS, "unit", "ns", "count", (json_int_t)s.count, "min", (json_int_t)s.min, "max",
                     (json_int_t)s.max, "sum", s.sum, "sumsq", s.sumsq, "buckets", buckets);
}

/* Formats a validation failure into err and returns -1. */
static int __attribute__((format(printf, 3, 4))) hist_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* A non-negative integer member, or -1 (with err) when missing or of another type. */
static int get_count(const json_t *j, const char *key, int64_t *out, char *err, size_t errlen)
{
    json_t *v = json_object_get(j, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return hist_fail(err, errlen, "\"%s\" must be a non-negative integer", key);
    *out = (int64_t)json_integer_value(v);
    return 0;
}

static int get_real(const json_t *j, const char *key, double *out, char *err, size_t errlen)
{
    json_t *v = json_object_get(j, key);
    if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) < 0)
        return hist_fail(err, errlen, "\"%s\" must be a non-negative number", key);
    *out = json_number_value(v);
    return 0;
}

static int check_header(const json_t *j, char *err, size_t errlen)
{
    if (!json_is_object(j))
        return hist_fail(err, errlen, "histogram must be a JSON object");
    const char *schema = json_string_value(json_object_get(j, "schema"));
    if (schema == NULL || strcmp(schema, AD_HIST_SCHEMA) != 0)
        return hist_fail(err, errlen, "\"schema\" must be \"%s\"", AD_HIST_SCHEMA);
    json_t *bits = json_object_get(j, "sub_bucket_bits");
    if (!json_is_integer(bits) || json_integer_value(bits) != AD_HIST_SUB_BITS)
        return hist_fail(err, errlen, "\"sub_bucket_bits\" must be %d", AD_HIST_SUB_BITS);
    const char *unit = json_string_value(json_object_get(j, "unit"));
    if (unit == NULL || strcmp(unit, "ns") != 0)
        return hist_fail(err, errlen, "\"unit\" must be \"ns\"");
    return 0;
}

/* Reads "buckets" into h->buckets: [lower, count] pairs, lower bounds on boundaries, ascending. */
static int read_buckets(ad_histogram_t *h, const json_t *j, uint64_t *total, size_t *first, size_t *last, char *err,
                        size_t errlen)
{
    json_t *arr = json_object_get(j, "buckets");
    if (!json_is_array(arr))
        return hist_fail(err, errlen, "\"buckets\" must be an array");
    *total = 0;
    size_t i;
    json_t *pair;
    json_array_foreach(arr, i, pair)
    {
        json_t *lo = json_array_get(pair, 0), *c = json_array_get(pair, 1);
        if (!json_is_array(pair) || json_array_size(pair) != 2 || !json_is_integer(lo) || !json_is_integer(c))
            return hist_fail(err, errlen, "bucket %zu must be [lower_bound, count] integers", i);
        int64_t lower = (int64_t)json_integer_value(lo), count = (int64_t)json_integer_value(c);
        if (lower < 0 || ad_hist_bucket_lower(ad_hist_bucket_index(lower)) != lower)
            return hist_fail(err, errlen, "bucket %zu: %lld is not a bucket lower bound", i, (long long)lower);
        size_t idx = ad_hist_bucket_index(lower);
        if (i > 0 && idx <= *last)
            return hist_fail(err, errlen, "bucket %zu: lower bounds must be strictly ascending", i);
        if (count <= 0)
            return hist_fail(err, errlen, "bucket %zu: count must be positive", i);
        if ((uint64_t)count > UINT64_MAX - *total || *total + (uint64_t)count > (uint64_t)INT64_MAX)
            return hist_fail(err, errlen, "bucket counts overflow");
        h->buckets[idx] = (uint64_t)count;
        h->groups[idx / AD_HIST_GROUP] += (uint64_t)count;
        *total += (uint64_t)count;
        if (i == 0)
            *first = idx;
        *last = idx;
    }
    return 0;
}

static int hist_from_json(ad_histogram_t *h, const json_t *j, char *err, size_t errlen)
{
    int64_t count = 0, min = 0, max = 0;
    double sum = 0, sumsq = 0;
    uint64_t total = 0;
    size_t first = 0, last = 0;
    if (check_header(j, err, errlen) != 0 || get_count(j, "count", &count, err, errlen) != 0 ||
        get_count(j, "min", &min, err, errlen) != 0 || get_count(j, "max", &max, err, errlen) != 0 ||
        get_real(j, "sum", &sum, err, errlen) != 0 || get_real(j, "sumsq", &sumsq, err, errlen) != 0 ||
        read_buckets(h, j, &total, &first, &last, err, errlen) != 0)
        return -1;
    if (total != (uint64_t)count)
        return hist_fail(err, errlen, "bucket counts add up to %llu, not count %lld", (unsigned long long)total,
                         (long long)count);
    if (count == 0) {
        if (min != 0 || max != 0 || sum != 0 || sumsq != 0)
            return hist_fail(err, errlen, "an empty histogram must have min, max, sum and sumsq 0");
        return 0;
    }
    if (min > max)
        return hist_fail(err, errlen, "min %lld is above max %lld", (long long)min, (long long)max);
    if (ad_hist_bucket_index(min) != first || ad_hist_bucket_index(max) != last)
        return hist_fail(err, errlen, "min and max must lie in the first and last buckets");
    double c = (double)count, slack = 1e-9;
    if (sum < c * (double)min * (1 - slack) || sum > c * (double)max * (1 + slack))
        return hist_fail(err, errlen, "sum %g is outside count * [min, max]", sum);
    h->count = (uint64_t)count;
    h->min = min;
    h->max = max;
    h->sum = sum;
    h->sumsq = sumsq;
    return 0;
}

int ad_hist_from_json(ad_histogram_t *h, const json_t *j, char *err, size_t errlen)
{
    ad_hist_init(h);
    if (hist_from_json(h, j, err, errlen) == 0)
        return 0;
    ad_hist_init(h); /* no half-read state */
    return -1;
}
