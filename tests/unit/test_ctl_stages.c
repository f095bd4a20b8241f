/* --rate in stages (stages.h): the parser, and the schedule as the inverse of the ramp's cumulative count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "stages.h"

#define S INT64_C(1000000000)

static int parse(const char *text, ad_rate_stage_t *st)
{
    char err[256] = "";
    int n = ad_stages_parse(text, st, err, sizeof(err));
    if (n < 0)
        fail_msg("'%s' refused: %s", text, err);
    return n;
}

static void test_parse(void **state)
{
    (void)state;
    ad_rate_stage_t st[AD_RATE_STAGES_MAX];
    assert_int_equal(parse("100:10s,1000:30s,0:5s", st), 3);
    assert_true(st[0].target == 100 && st[0].duration_ns == 10 * S);
    assert_true(st[1].target == 1000 && st[1].duration_ns == 30 * S);
    assert_true(st[2].target == 0 && st[2].duration_ns == 5 * S);
    assert_int_equal(ad_stages_duration(st, 3), 45 * S);
    /* 0->100 over 10 s, 100->1000 over 30 s, 1000->0 over 5 s */
    assert_true(ad_stages_count(st, 3) == 500 + 16500 + 2500);
    assert_int_equal(parse("50.5:0,50.5:250ms", st), 2);
    assert_true(st[0].target == 50.5 && st[0].duration_ns == 0 && st[1].duration_ns == 250 * S / 1000);
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"100", "is not RATE:DURATION"},
        {"100:10s,", "stage 2 '' is not RATE:DURATION"},
        {"100:10s,200", "stage 2 '200' is not RATE:DURATION"},
        {"-1:10s", "stage 1: '-1' is not a rate"},
        {"1e3:10s", "stage 1: '1e3' is not a rate"},
        {"20000000:1s", "is not a rate from 0 to 10000000"},
        {"100:ten", "stage 1: 'ten'"},
        {"100:0s", "the stages last no time"},
        {"0:10s", "the stages send no request"},
        /* each stage fits a duration, their sum does not (found by fuzz_stages: the schedule ran past it) */
        {"1:6665600606,50:1s,1:00,50:6666666666", "the stages last longer than a duration can"},
        {"1:1s,1:1s,1:1s,1:1s,1:1s,1:1s,1:1s,1:1s,1:1s,1:1s,1:1s,1:1s,1:1s,1:1s,1:1s,1:1s,1:1s", "at most 16 stages"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[256] = "";
        assert_int_equal(ad_stages_parse(bad[i].text, st, err, sizeof(err)), -1);
        if (strstr(err, bad[i].want) == NULL)
            fail_msg("'%s': error '%s' does not say '%s'", bad[i].text, err, bad[i].want);
    }
}

/* The count of requests due by t: the area under the rate (for the property below). */
static double count_by(const ad_rate_stage_t *st, size_t n, double t)
{
    double c = 0, dt = 1e-5;
    for (double u = 0; u < t; u += dt)
        c += ad_stages_rate_at(st, n, u + dt / 2) * (u + dt <= t ? dt : t - u);
    return c;
}

static void test_schedule(void **state)
{
    (void)state;
    ad_rate_stage_t st[AD_RATE_STAGES_MAX];
    /* a constant rate: request x at x / R */
    int n = parse("200:0s,200:2s", st);
    for (int x = 0; x < 400; x += 37)
        assert_true(fabs(ad_stages_time_of(st, (size_t)n, x) - x / 200.0) < 1e-12);
    assert_true(isinf(ad_stages_time_of(st, (size_t)n, 400)));
    /* a ramp from 0: request 0 at the start (not 0/0), request x at sqrt(2 x d / R) */
    n = parse("100:10s", st);
    assert_true(ad_stages_time_of(st, (size_t)n, 0) == 0);
    assert_true(fabs(ad_stages_time_of(st, (size_t)n, 50) - sqrt(2 * 50 * 10 / 100.0)) < 1e-9);
    assert_true(fabs(ad_stages_rate_at(st, (size_t)n, 5) - 50) < 1e-12);
    /* up, a jump, down to 0: the schedule is the inverse of the count, and never goes back */
    n = parse("100:1s,300:1s,50:0s,0:1s", st);
    double total = ad_stages_count(st, (size_t)n), prev = -1;
    assert_true(fabs(total - (50 + 200 + 25)) < 1e-9);
    for (double x = 0; x < total; x += 7.3) {
        double t = ad_stages_time_of(st, (size_t)n, x);
        assert_true(t >= prev && t <= 3.0);
        assert_true(fabs(count_by(st, (size_t)n, t) - x) < 0.01);
        prev = t;
    }
    assert_true(isinf(ad_stages_time_of(st, (size_t)n, total + 0.5)));
    assert_true(ad_stages_rate_at(st, (size_t)n, 10) == 0);
    /* a shard's share: every target / 3, so each request is due 3 times later in count */
    ad_rate_stage_t share[AD_RATE_STAGES_MAX];
    memcpy(share, st, sizeof(share));
    ad_stages_scale(share, (size_t)n, 3);
    assert_true(fabs(ad_stages_count(share, (size_t)n) * 3 - total) < 1e-9);
    assert_true(fabs(ad_stages_time_of(share, (size_t)n, 40) - ad_stages_time_of(st, (size_t)n, 120)) < 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_schedule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
