#ifndef AD_DELAY_SPEC_H
#define AD_DELAY_SPEC_H
/*
 * Delays that vary (docs/http-api.md, "delay"): the grammar of a delay's value and the draw from it.
 *   spec      = duration                                   fixed: "2s"
 *             | duration ".." duration                     uniform in [lo, hi]: "100ms..2s"
 *             | choice *( "," choice )                     weighted, fortio's form: "10ms:90,1s:9,5s:1"
 *             | "lognormal:p50=" duration ",p99=" duration  a lognormal with that median and 99th percentile
 *   choice    = duration ":" weight                        weight: 1 to 1000000, need not sum to 100
 * Every duration is ad_duration_parse's; each lies within [0, max-delay] except p99 (draws are clamped to
 * max-delay). Pure functions; the generator is the caller's state (splitmix64), so draws are reproducible.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AD_DELAY_CHOICES_MAX 16
#define AD_DELAY_WEIGHT_MAX 1000000u

typedef enum { AD_DELAY_FIXED, AD_DELAY_UNIFORM, AD_DELAY_WEIGHTED, AD_DELAY_LOGNORMAL } ad_delay_kind_t;

typedef struct ad_delay_spec {
    ad_delay_kind_t kind;
    int64_t lo_ns, hi_ns; /* FIXED: lo_ns; UNIFORM: [lo_ns, hi_ns]; LOGNORMAL: p50, p99 */
    int64_t choice_ns[AD_DELAY_CHOICES_MAX];
    uint32_t weight[AD_DELAY_CHOICES_MAX];
    size_t nchoices;
    uint64_t total_weight;
    int64_t jitter_ns; /* each draw moves by a uniform amount in [-jitter, +jitter], kept in [0, max] */
    int64_t max_ns;
} ad_delay_spec_t;

/* Parses s[0..len) into *out. NULL when accepted, else the reason (in why when it needs the limit). */
const char *ad_delay_spec_parse(const char *s, size_t len, int64_t max_ns, ad_delay_spec_t *out, char *why,
                                size_t why_size);
/* Whether a draw can differ from the last one (anything but a fixed delay without jitter). */
bool ad_delay_spec_varies(const ad_delay_spec_t *spec);
/* One draw in [0, spec->max_ns]; advances *rng. */
int64_t ad_delay_spec_draw(const ad_delay_spec_t *spec, uint64_t *rng);
/* splitmix64: the next 64 random bits of the sequence *state. */
uint64_t ad_rng_next(uint64_t *state);

/*
 * seed=N on one connection (docs/http-api.md, "seed"): the k-th request with seed N on a connection draws from
 * the generator state ad_rng_seeded(N, k), k counted from 0 (N itself for k = 0, so a connection's first
 * request draws what every request drew before per-connection sequences). Well apart for every k: draw k's
 * numbers are not draw k+1's shifted by one.
 */
uint64_t ad_rng_seeded(uint64_t seed, uint64_t index);

/* The draw numbers of the seeds one connection used: up to AD_SEED_SLOTS seeds; past that the least recently
 * used one is forgotten (its next request counts from 0 again). Zeroed: empty. */
#define AD_SEED_SLOTS 16
typedef struct ad_seed_slots {
    uint64_t seed[AD_SEED_SLOTS];
    uint64_t next[AD_SEED_SLOTS]; /* the draw number seed[i]'s next request takes */
    uint64_t used[AD_SEED_SLOTS]; /* when seed[i] was last taken, in takes */
    uint64_t takes;
    size_t n;
} ad_seed_slots_t;
/* The draw number of this request with seed (0 for the seed's first), counted. */
uint64_t ad_seed_slots_take(ad_seed_slots_t *slots, uint64_t seed);

#endif
