/* Delays that vary: the grammar (delay_spec.h), jitter= and seed= (delay_param.h), and the draws'
 * distributions, from fixed generator seeds so every bound below is checked against the same numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "clock.h"
#include "delay_param.h"
#include "delay_spec.h"
#include "duration.h"

#define MS AD_NS_PER_MS
#define SEC AD_NS_PER_SEC
#define MAX (30 * SEC)

static ad_delay_spec_t parsed(const char *s)
{
    ad_delay_spec_t spec;
    char why[64];
    const char *e = ad_delay_spec_parse(s, strlen(s), MAX, &spec, why, sizeof(why));
    if (e != NULL)
        fail_msg("\"%s\" refused: %s", s, e);
    return spec;
}

static void assert_refused(const char *s, const char *want)
{
    ad_delay_spec_t spec;
    char why[64];
    const char *e = ad_delay_spec_parse(s, strlen(s), MAX, &spec, why, sizeof(why));
    if (e == NULL)
        fail_msg("\"%s\" accepted", s);
    if (strcmp(e, want) != 0)
        fail_msg("\"%s\": \"%s\", want \"%s\"", s, e, want);
}

static void test_grammar(void **state)
{
    (void)state;
    ad_delay_spec_t s = parsed("2s");
    assert_int_equal(s.kind, AD_DELAY_FIXED);
    assert_int_equal(s.lo_ns, 2 * SEC);
    assert_false(ad_delay_spec_varies(&s));
    s = parsed("100ms..2s");
    assert_int_equal(s.kind, AD_DELAY_UNIFORM);
    assert_int_equal(s.lo_ns, 100 * MS);
    assert_int_equal(s.hi_ns, 2 * SEC);
    assert_true(ad_delay_spec_varies(&s));
    s = parsed("1s..1s");
    assert_int_equal(s.kind, AD_DELAY_UNIFORM);
    s = parsed("10ms:90,1s:9,5s:1");
    assert_int_equal(s.kind, AD_DELAY_WEIGHTED);
    assert_int_equal(s.nchoices, 3);
    assert_int_equal(s.choice_ns[2], 5 * SEC);
    assert_int_equal(s.total_weight, 100);
    s = parsed("0:1");
    assert_int_equal(s.nchoices, 1);
    s = parsed("lognormal:p50=100ms,p99=2s");
    assert_int_equal(s.kind, AD_DELAY_LOGNORMAL);
    assert_int_equal(s.lo_ns, 100 * MS);
    assert_int_equal(s.hi_ns, 2 * SEC);
    s = parsed("lognormal:p50=1s,p99=1h"); /* p99 past max-delay: the draws are clamped */
    assert_int_equal(s.hi_ns, 3600 * SEC);
}

static void test_refused(void **state)
{
    (void)state;
    assert_refused("", ad_duration_strerror(AD_DURATION_EMPTY));
    assert_refused("2s..1s", "range's end below its start");
    assert_refused("1s..", ad_duration_strerror(AD_DURATION_EMPTY));
    assert_refused("..1s", ad_duration_strerror(AD_DURATION_EMPTY));
    assert_refused("1s...2s", ad_duration_strerror(AD_DURATION_SYNTAX));
    assert_refused("0..31s", "over max-delay (30s)");
    assert_refused("10ms:90,", "a weighted choice needs DURATION:WEIGHT");
    assert_refused("10ms:90,1s", "a weighted choice needs DURATION:WEIGHT");
    assert_refused("10ms:0", "a weight must be a whole number from 1 to 1000000");
    assert_refused("10ms:", "a weight must be a whole number from 1 to 1000000");
    assert_refused("10ms:1000001", "a weight must be a whole number from 1 to 1000000");
    assert_refused("10ms:-1", "a weight must be a whole number from 1 to 1000000");
    assert_refused("1m:1", "over max-delay (30s)");
    assert_refused("1:1,2:1,3:1,4:1,5:1,6:1,7:1,8:1,9:1,10:1,11:1,12:1,13:1,14:1,15:1,16:1,17:1",
                   "more than 16 weighted choices");
    assert_refused("lognormal:", "lognormal needs p50=DURATION,p99=DURATION");
    assert_refused("lognormal:p99=2s,p50=1s", "lognormal needs p50=DURATION,p99=DURATION");
    assert_refused("lognormal:p50=0,p99=2s", "lognormal p50 must be above 0");
    assert_refused("lognormal:p50=2s,p99=1s", "lognormal p99 below p50");
    assert_refused("lognormal:p50=31s,p99=40s", "over max-delay (30s)");
}

static void test_uniform_draws(void **state)
{
    (void)state;
    ad_delay_spec_t s = parsed("0..10ms");
    uint64_t rng = 1;
    int64_t sum = 0, lo = INT64_MAX, hi = 0;
    for (int i = 0; i < 1000; i++) {
        int64_t ns = ad_delay_spec_draw(&s, &rng);
        assert_in_range(ns, 0, 10 * MS);
        sum += ns;
        lo = ns < lo ? ns : lo;
        hi = ns > hi ? ns : hi;
    }
    /* mean 5 ms, its standard error 0.09 ms: a band of +-1.5 ms */
    assert_in_range(sum / 1000, 3500 * 1000, 6500 * 1000);
    assert_true(lo < 1 * MS && hi > 9 * MS); /* the whole range is reached */
}

static void test_weighted_draws(void **state)
{
    (void)state;
    ad_delay_spec_t s = parsed("10ms:90,1s:9,5s:1");
    uint64_t rng = 2;
    int n10 = 0, n1 = 0, n5 = 0;
    for (int i = 0; i < 10000; i++) {
        int64_t ns = ad_delay_spec_draw(&s, &rng);
        n10 += ns == 10 * MS;
        n1 += ns == SEC;
        n5 += ns == 5 * SEC;
    }
    assert_int_equal(n10 + n1 + n5, 10000);
    assert_in_range(n10, 8700, 9300);
    assert_in_range(n1, 700, 1100);
    assert_in_range(n5, 50, 160);
}

static int compare_ns(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_lognormal_draws(void **state)
{
    (void)state;
    ad_delay_spec_t s = parsed("lognormal:p50=100ms,p99=2s");
    static int64_t d[10000];
    uint64_t rng = 3;
    for (int i = 0; i < 10000; i++) {
        d[i] = ad_delay_spec_draw(&s, &rng);
        assert_in_range(d[i], 0, MAX);
    }
    qsort(d, 10000, sizeof(d[0]), compare_ns);
    assert_in_range(d[5000], 90 * MS, 110 * MS);    /* the median */
    assert_in_range(d[9900], 1500 * MS, 2700 * MS); /* the 99th percentile */
    /* clamped to max-delay: a p99 far past it puts many draws exactly at the limit */
    s = parsed("lognormal:p50=10s,p99=1h");
    int at_max = 0;
    for (int i = 0; i < 1000; i++) {
        int64_t ns = ad_delay_spec_draw(&s, &rng);
        assert_in_range(ns, 0, MAX);
        at_max += ns == MAX;
    }
    assert_in_range(at_max, 100, 600);
}

static void test_jitter(void **state)
{
    (void)state;
    ad_delay_spec_t s = parsed("1s");
    s.jitter_ns = 200 * MS;
    assert_true(ad_delay_spec_varies(&s));
    uint64_t rng = 4;
    int64_t sum = 0;
    for (int i = 0; i < 1000; i++) {
        int64_t ns = ad_delay_spec_draw(&s, &rng);
        assert_in_range(ns, 800 * MS, 1200 * MS);
        sum += ns;
    }
    assert_in_range(sum / 1000, 950 * MS, 1050 * MS);
    s = parsed("10ms");
    s.jitter_ns = SEC; /* never below 0 */
    int zeros = 0;
    for (int i = 0; i < 1000; i++) {
        int64_t ns = ad_delay_spec_draw(&s, &rng);
        assert_in_range(ns, 0, 1010 * MS);
        zeros += ns == 0;
    }
    assert_true(zeros > 300);
}

static bool options(ad_delay_param_t *p, const char *q)
{
    return ad_delay_from_query(p, q, strlen(q), 2 * SEC, MAX) && ad_delay_options_from_query(p, q, strlen(q));
}

static void test_options(void **state)
{
    (void)state;
    ad_delay_param_t p;
    /* a query naming only delay skips the options' passes; anything else is read and checked */
    assert_true(options(&p, "delay=1s&&"));
    assert_false(p.has_seed);
    assert_int_equal(p.size, 0);
    assert_true(options(&p, "delay=1s&size=10"));
    assert_int_equal(p.size, 10);
    assert_false(options(&p, "delay=1s&delays=1&size=x"));
    assert_string_equal(p.param, "size");
    assert_true(options(&p, "size=20"));
    assert_int_equal(p.size, 20);
    assert_true(options(&p, "delay=1&s%69ze=30")); /* names are compared decoded */
    assert_int_equal(p.size, 30);
    assert_true(options(&p, "delay=0..10s&jitter=100ms&seed=42"));
    assert_int_equal(p.spec.jitter_ns, 100 * MS);
    assert_true(p.has_seed);
    assert_int_equal(p.seed, 42);
    uint64_t rng = 5;
    int64_t first = ad_delay_param_draw(&p, &rng);
    for (int i = 0; i < 10; i++) /* the same seed, the same draw, whatever the generator's state */
        assert_int_equal(ad_delay_param_draw(&p, &rng), first);
    assert_true(options(&p, "delay=0..10s&seed=43"));
    assert_int_not_equal(ad_delay_param_draw(&p, &rng), first);
    assert_int_equal(p.size, 0);
    assert_int_equal(p.ttfb_ns, 0);
    assert_true(options(&p, "size=10485760&ttfb=250ms"));
    assert_int_equal(p.ttfb_ns, 250 * MS);
    assert_int_equal(p.size, 10485760);
    assert_true(options(&p, "seed=9007199254740991"));
    assert_int_equal(p.ns, 2 * SEC);

    static const struct {
        const char *q, *param, *what;
    } bad[] = {
        {"jitter=abc", "jitter", NULL}, /* ad_duration_strerror's words */
        {"jitter=1s..2s", "jitter", "not a duration"},
        {"jitter=31s", "jitter", "over max-delay (30s)"},
        {"jitter=1&jitter=2", "jitter", "given more than once"},
        {"seed=", "seed", "empty"},
        {"seed=-1", "seed", "not a whole number"},
        {"seed=9007199254740992", "seed", "above 9007199254740991"},
        {"seed=99999999999999999999999", "seed", "above 9007199254740991"},
        {"seed=%zz", "seed", "bad percent-encoding"},
        {"ttfb=31s", "ttfb", "over max-delay (30s)"},
        {"ttfb=1s..2s", "ttfb", "not a duration"},
        {"size=0", "size", "too small"},
        {"size=10485761", "size", "above 10485760"},
        {"size=1k", "size", "not a whole number"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (options(&p, bad[i].q))
            fail_msg("?%s accepted", bad[i].q);
        assert_string_equal(p.param, bad[i].param);
        const char *want = bad[i].what != NULL ? bad[i].what : ad_duration_strerror(AD_DURATION_SYNTAX);
        if (strcmp(p.what, want) != 0)
            fail_msg("?%s: \"%s\", want \"%s\"", bad[i].q, p.what, want);
    }
}

/* seed=N on one connection: draw k of seed N from ad_rng_seeded(N, k), k counted per seed by the slots. */
static void test_seeded_sequence(void **state)
{
    (void)state;
    assert_int_equal(ad_rng_seeded(42, 0), 42); /* a connection's first draw: the seed's own, as before */
    ad_delay_param_t p, q;
    assert_true(options(&p, "delay=0..10s&seed=7"));
    assert_true(options(&q, "delay=0..10s&seed=7"));
    int64_t seq[20];
    uint64_t rng = 1;
    for (uint64_t k = 0; k < 20; k++) {
        p.seed_index = k;
        seq[k] = ad_delay_param_draw(&p, &rng);
    }
    int distinct = 0;
    for (int k = 0; k < 20; k++) {
        int seen = 0;
        for (int j = 0; j < k; j++)
            seen |= seq[j] == seq[k];
        distinct += !seen;
    }
    assert_true(distinct >= 19);      /* 20 draws of 0..10s: the sequence varies */
    for (uint64_t k = 20; k-- > 0;) { /* the same numbers, in any order, whatever the generator's state */
        uint64_t other = k * 31;
        q.seed_index = k;
        assert_int_equal(ad_delay_param_draw(&q, &other), seq[k]);
    }
    assert_true(options(&q, "delay=0..10s&seed=8"));
    int same = 0;
    for (uint64_t k = 0; k < 20; k++) {
        q.seed_index = k;
        same += ad_delay_param_draw(&q, &rng) == seq[k];
    }
    assert_true(same <= 1); /* another seed, another sequence */

    /* draw k+1 is not draw k shifted by one number (lognormal takes two per draw) */
    uint64_t a = ad_rng_seeded(7, 3), b = ad_rng_seeded(7, 4);
    ad_rng_next(&a);
    assert_int_not_equal(ad_rng_next(&a), ad_rng_next(&b));
}

static void test_seed_slots(void **state)
{
    (void)state;
    ad_seed_slots_t s = {0};
    assert_int_equal(ad_seed_slots_take(&s, 7), 0);
    assert_int_equal(ad_seed_slots_take(&s, 7), 1);
    assert_int_equal(ad_seed_slots_take(&s, 9), 0); /* each seed counts on its own */
    assert_int_equal(ad_seed_slots_take(&s, 7), 2);
    assert_int_equal(ad_seed_slots_take(&s, 9), 1);
    /* full: the least recently used seed (9 here, 7 taken last) is forgotten to make room */
    for (uint64_t seed = 100; seed < 100 + AD_SEED_SLOTS - 2; seed++)
        assert_int_equal(ad_seed_slots_take(&s, seed), 0);
    assert_int_equal(ad_seed_slots_take(&s, 7), 3);
    assert_int_equal(s.n, AD_SEED_SLOTS);
    assert_int_equal(ad_seed_slots_take(&s, 1000), 0);
    assert_int_equal(ad_seed_slots_take(&s, 7), 4);
    assert_int_equal(ad_seed_slots_take(&s, 9), 0); /* forgotten: counts from 0 again */
    assert_int_equal(s.n, AD_SEED_SLOTS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grammar),         cmocka_unit_test(test_refused),
        cmocka_unit_test(test_uniform_draws),   cmocka_unit_test(test_weighted_draws),
        cmocka_unit_test(test_lognormal_draws), cmocka_unit_test(test_jitter),
        cmocka_unit_test(test_options),         cmocka_unit_test(test_seeded_sequence),
        cmocka_unit_test(test_seed_slots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
