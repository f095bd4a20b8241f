#ifndef AD_CTL_SERIES_H
#define AD_CTL_SERIES_H
/*
 * A run's figures over time (bench --interval): per interval, the requests that finished in it (ok and
 * errors by class), their latency in a small log histogram, the mean number in flight, and in the open
 * model how late the sends made in it were. Fixed memory: at most AD_SERIES_POINTS intervals; a longer
 * run doubles the interval (adjacent points added up), so series of any length merge exactly. Pure.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AD_SERIES_POINTS 120
#define AD_SERIES_ERR_SLOTS 6 /* AD_ERR_CLASS_COUNT (results.h checks it) */
/* Latency buckets: 4 per power of two from 2^10 ns (about 1 us; less lands in bucket 0) to 2^42 ns (the
 * last one holds the rest). A bucket spans 19 % of its value; a percentile is its geometric middle. */
#define AD_SERIES_SUB 4
#define AD_SERIES_MIN_BITS 10
#define AD_SERIES_BUCKETS ((42 - AD_SERIES_MIN_BITS) * AD_SERIES_SUB)

typedef struct ad_series_point {
    uint32_t completed, ok;
    uint32_t errors[AD_SERIES_ERR_SLOTS];
    uint64_t busy_ns;     /* time requests spent in flight within the interval, summed: / interval = mean in flight */
    uint64_t late_sum_ns; /* open model: sends made in the interval, their delay past the intended time */
    int64_t late_max_ns;
    uint32_t sends;
    uint32_t lat[AD_SERIES_BUCKETS]; /* answered requests' latency (corrected in the open model) */
} ad_series_point_t;

typedef struct ad_series {
    int64_t interval_ns; /* 0: not recorded */
    uint32_t npoints;    /* points[0..npoints) cover [0, npoints * interval_ns) of the run */
    ad_series_point_t points[AD_SERIES_POINTS];
} ad_series_t;

/* Empty; interval_ns 0 records nothing. */
void ad_series_init(ad_series_t *s, int64_t interval_ns);
/*
 * One finished request, times relative to the run's start: sent and done (intended < 0: not the open
 * model), err_class its class (0: ok; < AD_SERIES_ERR_SLOTS), latency_ns >= 0 when it was answered, else
 * -1. It counts in the interval of done, its flight in every interval it overlaps, its lateness in that
 * of sent.
 */
void ad_series_add(ad_series_t *s, int64_t intended, int64_t sent, int64_t done, unsigned err_class,
                   int64_t latency_ns);
/* dst += src (runs side by side: loops, shards). The finer series is coarsened to the other's interval
 * first; intervals that are not a power of two apart cannot be merged: dst's is then cleared (0). */
void ad_series_merge(ad_series_t *dst, const ad_series_t *src);
/* Doubles the interval: points 2i and 2i + 1 become point i. */
void ad_series_coarsen(ad_series_t *s);

/* Latency bucket of a value, and the value a bucket stands for (its geometric middle). */
size_t ad_series_bucket(int64_t ns);
int64_t ad_series_bucket_value(size_t b);
/* The p-th percentile (0-100) of a point's latency; 0 when it has none. */
int64_t ad_series_percentile(const ad_series_point_t *p, double pct);
/* Answered requests of a point (its latency count). */
uint64_t ad_series_answered(const ad_series_point_t *p);

/* One row of block characters, one per point, scaled to the largest of values[0..n) (ASCII: " .:-=+*#%@"). */
size_t ad_sparkline(const double *values, size_t n, bool ascii, char *buf, size_t size);

#endif
