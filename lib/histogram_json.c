/* The histogram's JSON form, through jansson (see histogram_json.h); only asyncdemoctl links this. */
#include "histogram_json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fail.h"

/* Buckets may be written by their loop thread while this reads them (see histogram.h). */
#define LOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)

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

/* A non-negative integer member, or -1 (with err) when missing or of another type. */
static int get_count(const json_t *j, const char *key, int64_t *out, char *err, size_t errlen)
{
    json_t *v = json_object_get(j, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return ad_fail(err, errlen, "\"%s\" must be a non-negative integer", key);
    *out = (int64_t)json_integer_value(v);
    return 0;
}

static int get_real(const json_t *j, const char *key, double *out, char *err, size_t errlen)
{
    json_t *v = json_object_get(j, key);
    if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) < 0)
        return ad_fail(err, errlen, "\"%s\" must be a non-negative number", key);
    *out = json_number_value(v);
    return 0;
}

static int check_header(const json_t *j, char *err, size_t errlen)
{
    if (!json_is_object(j))
        return ad_fail(err, errlen, "histogram must be a JSON object");
    const char *schema = json_string_value(json_object_get(j, "schema"));
    if (schema == NULL || strcmp(schema, AD_HIST_SCHEMA) != 0)
        return ad_fail(err, errlen, "\"schema\" must be \"%s\"", AD_HIST_SCHEMA);
    json_t *bits = json_object_get(j, "sub_bucket_bits");
    if (!json_is_integer(bits) || json_integer_value(bits) != AD_HIST_SUB_BITS)
        return ad_fail(err, errlen, "\"sub_bucket_bits\" must be %d", AD_HIST_SUB_BITS);
    const char *unit = json_string_value(json_object_get(j, "unit"));
    if (unit == NULL || strcmp(unit, "ns") != 0)
        return ad_fail(err, errlen, "\"unit\" must be \"ns\"");
    return 0;
}

/* Reads "buckets" into h->buckets: [lower, count] pairs, lower bounds on boundaries, ascending. */
static int read_buckets(ad_histogram_t *h, const json_t *j, uint64_t *total, size_t *first, size_t *last, char *err,
                        size_t errlen)
{
    json_t *arr = json_object_get(j, "buckets");
    if (!json_is_array(arr))
        return ad_fail(err, errlen, "\"buckets\" must be an array");
    *total = 0;
    size_t i;
    json_t *pair;
    json_array_foreach(arr, i, pair)
    {
        json_t *lo = json_array_get(pair, 0), *c = json_array_get(pair, 1);
        if (!json_is_array(pair) || json_array_size(pair) != 2 || !json_is_integer(lo) || !json_is_integer(c))
            return ad_fail(err, errlen, "bucket %zu must be [lower_bound, count] integers", i);
        int64_t lower = (int64_t)json_integer_value(lo), count = (int64_t)json_integer_value(c);
        if (lower < 0 || ad_hist_bucket_lower(ad_hist_bucket_index(lower)) != lower)
            return ad_fail(err, errlen, "bucket %zu: %lld is not a bucket lower bound", i, (long long)lower);
        size_t idx = ad_hist_bucket_index(lower);
        if (i > 0 && idx <= *last)
            return ad_fail(err, errlen, "bucket %zu: lower bounds must be strictly ascending", i);
        if (count <= 0)
            return ad_fail(err, errlen, "bucket %zu: count must be positive", i);
        if ((uint64_t)count > UINT64_MAX - *total || *total + (uint64_t)count > (uint64_t)INT64_MAX)
            return ad_fail(err, errlen, "bucket counts overflow");
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
        return ad_fail(err, errlen, "bucket counts add up to %llu, not count %lld", (unsigned long long)total,
                       (long long)count);
    if (count == 0) {
        if (min != 0 || max != 0 || sum != 0 || sumsq != 0)
            return ad_fail(err, errlen, "an empty histogram must have min, max, sum and sumsq 0");
        return 0;
    }
    if (min > max)
        return ad_fail(err, errlen, "min %lld is above max %lld", (long long)min, (long long)max);
    if (ad_hist_bucket_index(min) != first || ad_hist_bucket_index(max) != last)
        return ad_fail(err, errlen, "min and max must lie in the first and last buckets");
    double c = (double)count, slack = 1e-9;
    if (sum < c * (double)min * (1 - slack) || sum > c * (double)max * (1 + slack))
        return ad_fail(err, errlen, "sum %g is outside count * [min, max]", sum);
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
