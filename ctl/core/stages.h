#ifndef AD_CTL_STAGES_H
#define AD_CTL_STAGES_H
/*
 * bench --rate in stages, k6's ramping arrival rate: "100:10s,1000:30s,0:5s" starts at 0 requests/s and
 * moves linearly to each stage's target over its duration (a stage of 0s jumps). The schedule is the
 * inverse of the cumulative count: request x (counting from 0, fractions for interleaved loops and shards)
 * is due when the area under the rate reaches x. Pure.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AD_RATE_STAGES_MAX 16

typedef struct ad_rate_stage {
    double target;       /* requests/s at the stage's end */
    int64_t duration_ns; /* to get there from the previous stage's target (0 at the start) */
} ad_rate_stage_t;

/* Parses "R:D[,R:D...]" into st (at most AD_RATE_STAGES_MAX). Returns the number of stages, or -1 with the
 * reason in err (a rate as --rate takes it, a duration as everywhere). */
int ad_stages_parse(const char *text, ad_rate_stage_t *st, char *err, size_t errlen);
/* Their total duration, and the requests they schedule in it (the area under the rate). */
int64_t ad_stages_duration(const ad_rate_stage_t *st, size_t n);
double ad_stages_count(const ad_rate_stage_t *st, size_t n);
/* The rate at t seconds from the start (0 past the end). */
double ad_stages_rate_at(const ad_rate_stage_t *st, size_t n, double t);
/* When request x (>= 0) is due, in seconds from the start; INFINITY when the stages never reach it. */
double ad_stages_time_of(const ad_rate_stage_t *st, size_t n, double x);
/* Each target divided by k (a shard's share). */
void ad_stages_scale(ad_rate_stage_t *st, size_t n, double k);

#endif
