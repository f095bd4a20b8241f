/* Figures over time (series.h). */
#include "series.h"

#include <math.h>
#include <string.h>

void ad_series_init(ad_series_t *s, int64_t interval_ns)
{
    memset(s, 0, sizeof(*s));
    s->interval_ns = interval_ns > 0 ? interval_ns : 0;
}

size_t ad_series_bucket(int64_t ns)
{
    if (ns < (INT64_C(1) << AD_SERIES_MIN_BITS))
        return 0;
    int bits = 63 - __builtin_clzll((unsigned long long)ns); /* the leading bit */
    size_t sub = (size_t)(((uint64_t)ns >> (bits - 2)) & 3); /* the two bits after it */
    size_t b = (size_t)(bits - AD_SERIES_MIN_BITS) * AD_SERIES_SUB + sub;
    return b < AD_SERIES_BUCKETS ? b : AD_SERIES_BUCKETS - 1;
}

int64_t ad_series_bucket_value(size_t b)
{
    double base = ldexp(1.0, AD_SERIES_MIN_BITS + (int)(b / AD_SERIES_SUB));
    double lo = base * (1 + (double)(b % AD_SERIES_SUB) / AD_SERIES_SUB);
    double hi = base * (1 + (double)(b % AD_SERIES_SUB + 1) / AD_SERIES_SUB);
    return (int64_t)llround(sqrt(lo * hi));
}

static void add_point(ad_series_point_t *d, const ad_series_point_t *s)
{
    d->completed += s->completed;
    d->ok += s->ok;
    for (size_t e = 0; e < AD_SERIES_ERR_SLOTS; e++)
        d->errors[e] += s->errors[e];
    d->busy_ns += s->busy_ns;
    d->late_sum_ns += s->late_sum_ns;
    if (s->late_max_ns > d->late_max_ns)
        d->late_max_ns = s->late_max_ns;
    d->sends += s->sends;
    for (size_t b = 0; b < AD_SERIES_BUCKETS; b++)
        d->lat[b] += s->lat[b];
}

void ad_series_coarsen(ad_series_t *s)
{
    uint32_t n = (s->npoints + 1) / 2;
    for (uint32_t i = 0; i < n; i++) {
        ad_series_point_t p = s->points[2 * i];
        if (2 * i + 1 < s->npoints)
            add_point(&p, &s->points[2 * i + 1]);
        s->points[i] = p;
    }
    memset(&s->points[n], 0, sizeof(s->points[0]) * (AD_SERIES_POINTS - n));
    s->npoints = n;
    s->interval_ns *= 2;
}

/* The point holding time t (>= 0), coarsening until it fits; the points up to it exist. */
static ad_series_point_t *point_at(ad_series_t *s, int64_t t)
{
    if (t < 0)
        t = 0;
    while (t / s->interval_ns >= AD_SERIES_POINTS)
        ad_series_coarsen(s);
    uint32_t i = (uint32_t)(t / s->interval_ns);
    if (i >= s->npoints)
        s->npoints = i + 1;
    return &s->points[i];
}

void ad_series_add(ad_series_t *s, int64_t intended, int64_t sent, int64_t done, unsigned err_class, int64_t latency_ns)
{
    if (s->interval_ns <= 0)
        return;
    if (done < sent)
        done = sent;
    ad_series_point_t *p = point_at(s, done); /* first: the interval may double */
    p->completed++;
    if (err_class == 0)
        p->ok++;
    else
        p->errors[err_class < AD_SERIES_ERR_SLOTS ? err_class : AD_SERIES_ERR_SLOTS - 1]++;
    if (latency_ns >= 0)
        p->lat[ad_series_bucket(latency_ns)]++;
    for (int64_t from = sent > 0 ? sent : 0; from < done;) {
        int64_t end = (from / s->interval_ns + 1) * s->interval_ns;
        int64_t to = end < done ? end : done;
        point_at(s, from)->busy_ns += (uint64_t)(to - from);
        from = to;
    }
    if (intended >= 0) {
        ad_series_point_t *q = point_at(s, sent);
        int64_t late = sent > intended ? sent - intended : 0;
        q->sends++;
        q->late_sum_ns += (uint64_t)late;
        if (late > q->late_max_ns)
            q->late_max_ns = late;
    }
}

void ad_series_merge(ad_series_t *dst, const ad_series_t *src)
{
    if (src->interval_ns <= 0 || src->npoints == 0)
        return;
    if (dst->interval_ns <= 0 || dst->npoints == 0) {
        *dst = *src;
        return;
    }
    ad_series_t tmp = *src;
    while (dst->interval_ns < tmp.interval_ns)
        ad_series_coarsen(dst);
    while (tmp.interval_ns < dst->interval_ns)
        ad_series_coarsen(&tmp);
    if (tmp.interval_ns != dst->interval_ns) {
        ad_series_init(dst, 0);
        return;
    }
    for (uint32_t i = 0; i < tmp.npoints; i++)
        add_point(&dst->points[i], &tmp.points[i]);
    if (tmp.npoints > dst->npoints)
        dst->npoints = tmp.npoints;
}

uint64_t ad_series_answered(const ad_series_point_t *p)
{
    uint64_t n = 0;
    for (size_t b = 0; b < AD_SERIES_BUCKETS; b++)
        n += p->lat[b];
    return n;
}

int64_t ad_series_percentile(const ad_series_point_t *p, double pct)
{
    uint64_t n = ad_series_answered(p);
    if (n == 0)
        return 0;
    /* the rank of the p-th percentile, 1-based, as the log-linear histogram counts it */
    uint64_t rank = (uint64_t)ceil(pct / 100.0 * (double)n);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (size_t b = 0; b < AD_SERIES_BUCKETS; b++) {
        seen += p->lat[b];
        if (seen >= rank)
            return ad_series_bucket_value(b);
    }
    return ad_series_bucket_value(AD_SERIES_BUCKETS - 1);
}

size_t ad_sparkline(const double *values, size_t n, bool ascii, char *buf, size_t size)
{
    static const char *const blocks[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    static const char ascii_levels[] = " .:-=+*#%@";
    double max = 0;
    for (size_t i = 0; i < n; i++)
        if (values[i] > max)
            max = values[i];
    size_t len = 0;
    if (size > 0)
        buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t levels = ascii ? sizeof(ascii_levels) - 2 : 8;
        /* a value above zero shows at least the lowest mark: a little traffic is not none */
        size_t level = max > 0 && values[i] > 0 ? 1 + (size_t)floor(values[i] / max * (double)(levels - 1) + 0.5) : 0;
        if (level > levels)
            level = levels;
        char one[2] = {ascii_levels[level], '\0'};
        const char *mark = ascii ? one : blocks[level];
        size_t m = strlen(mark);
        if (len + m < size) {
            memcpy(buf + len, mark, m);
            buf[len + m] = '\0';
        }
        len += m;
    }
    return len;
}
