#ifndef AD_HISTOGRAM_H
#define AD_HISTOGRAM_H
/*
 * A fixed-memory log-linear histogram of non-negative int64 values (nanoseconds by convention),
 * like HdrHistogram: values below 2^AD_HIST_SUB_BITS are exact; above, each power of two is split
 * into 2^(AD_HIST_SUB_BITS-1) linear buckets, so a bucket's width is < 1/128 of its value
 * (percentiles within 0.8%). min, max, count, sum and sum of squares are exact.
 *
 * Single writer, many readers: ad_hist_record() writes with relaxed atomic stores, so another
 * thread may ad_hist_merge() / read it concurrently without a data race (it sees a near-snapshot).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AD_HIST_SUB_BITS 8
#define AD_HIST_MAX_BITS 42 /* values >= 2^42 ns (~73 min) land in the last bucket; max stays exact */
#define AD_HIST_BUCKETS ((AD_HIST_MAX_BITS - AD_HIST_SUB_BITS + 2) * (1 << (AD_HIST_SUB_BITS - 1)))
#define AD_HIST_SCHEMA "log-linear-v1"
/* Buckets are also counted in groups of one power of two (its linear sub-buckets), so a percentile
 * skips whole groups instead of walking every bucket between min and the percentile. */
#define AD_HIST_GROUP (1 << (AD_HIST_SUB_BITS - 1))
#define AD_HIST_GROUPS (AD_HIST_BUCKETS / AD_HIST_GROUP)

typedef struct ad_histogram {
    uint64_t count;
    int64_t min; /* INT64_MAX when empty */
    int64_t max; /* 0 when empty */
    double sum;
    double sumsq;
    uint64_t buckets[AD_HIST_BUCKETS];
    uint64_t groups[AD_HIST_GROUPS]; /* groups[g] = sum of buckets[g * AD_HIST_GROUP ...] */
} ad_histogram_t;

void ad_hist_init(ad_histogram_t *h);
void ad_hist_record(ad_histogram_t *h, int64_t value); /* negative values are recorded as 0 */
/* dst += src (exact: same bucket layout). src may be written by another thread meanwhile. */
void ad_hist_merge(ad_histogram_t *dst, const ad_histogram_t *src);

/* p in [0, 100]. Returns the middle of the values the bucket holding the p-th percentile can hold within
 * [min, max], so never outside [min, max]; 0 when empty. The first rank (p=0 too) gives min, the last
 * (p=100 too, and p=99 of 10 values) gives max, exactly. */
int64_t ad_hist_percentile(const ad_histogram_t *h, double p);
double ad_hist_mean(const ad_histogram_t *h);  /* 0 when empty */
double ad_hist_stdev(const ad_histogram_t *h); /* population stdev; 0 when count < 2 */

/*
 * The same over several histograms at once (e.g. one per loop thread) without merging them: one pass
 * from the smallest min, a group (a power of two) at a time where the percentile is not in it, so the
 * cost is at most a few hundred reads whatever the values' range. ps[] ascending in [0, 100]; out[i] as
 * ad_hist_percentile would give on the merged histogram.
 */
void ad_hist_percentiles(const ad_histogram_t *const *hs, size_t n, const double *ps, size_t np, int64_t *out);
/* count, min, max, sum, sumsq of several histograms merged (buckets not touched). */
typedef struct ad_hist_summary {
    uint64_t count;
    int64_t min, max; /* both 0 when count is 0 */
    double sum, sumsq;
} ad_hist_summary_t;
void ad_hist_summarize(const ad_histogram_t *const *hs, size_t n, ad_hist_summary_t *out);
/* For cumulative charts (Prometheus le-buckets): out[i] = number of values <= bounds[i] (bounds ascending;
 * a bound inside a bucket counts that bucket when the bucket's upper edge is <= the bound). */
void ad_hist_count_le(const ad_histogram_t *const *hs, size_t n, const int64_t *bounds, size_t nb, uint64_t *out);

/* Bucket layout, for charts and serialisation (histogram_json.h). */
size_t ad_hist_bucket_index(int64_t value);
int64_t ad_hist_bucket_lower(size_t index); /* smallest value that lands in bucket index */
int64_t ad_hist_bucket_upper(size_t index); /* largest value that lands in bucket index */

#endif
