/* Injected faults: the grammars of status=, close= and /status/{codes} (fault_spec.h), their draws' shares from fixed
 * generator seeds, and the two as query parameters of the delay endpoints (delay_param.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "clock.h"
#include "delay_param.h"
#include "fault_spec.h"

static ad_status_spec_t status_parsed(const char *s)
{
    ad_status_spec_t spec;
    const char *e = ad_status_spec_parse(s, strlen(s), &spec);
    if (e != NULL)
        fail_msg("status \"%s\" refused: %s", s, e);
    return spec;
}

static ad_close_spec_t close_parsed(const char *s)
{
    ad_close_spec_t spec;
    const char *e = ad_close_spec_parse(s, strlen(s), &spec);
    if (e != NULL)
        fail_msg("close \"%s\" refused: %s", s, e);
    return spec;
}

static void test_status_grammar(void **state)
{
    (void)state;
    ad_status_spec_t s = status_parsed("503:10,500:5");
    assert_int_equal(s.n, 2);
    assert_int_equal(s.code[0], 503);
    assert_int_equal(s.millionths[0], 100000);
    assert_int_equal(s.code[1], 500);
    assert_int_equal(s.millionths[1], 50000);
    s = status_parsed("429:0.0001");
    assert_int_equal(s.millionths[0], 1);
    s = status_parsed("400:100");
    assert_int_equal(s.millionths[0], AD_FAULT_WHOLE);
    s = status_parsed("599:0");
    assert_int_equal(s.code[0], 599);
    s = status_parsed("500:50,502:50");
    assert_int_equal(s.n, 2);

    static const struct {
        const char *s, *why;
    } bad[] = {
        {"", "empty"},
        {"503", "a choice needs CODE:PERCENT"},
        {"503:10,", "a choice needs CODE:PERCENT"},
        {"200:10", "a status must be 400 to 599"},
        {"600:10", "a status must be 400 to 599"},
        {"5030:10", "a status must be 400 to 599"},
        {"50x:10", "a status must be 400 to 599"},
        {"503:", "a percentage must be a number from 0 to 100 (up to 4 decimals)"},
        {"503:101", "a percentage must be a number from 0 to 100 (up to 4 decimals)"},
        {"503:100.0001", "a percentage must be a number from 0 to 100 (up to 4 decimals)"},
        {"503:1.00001", "a percentage must be a number from 0 to 100 (up to 4 decimals)"},
        {"503:1.", "a percentage must be a number from 0 to 100 (up to 4 decimals)"},
        {"503:-1", "a percentage must be a number from 0 to 100 (up to 4 decimals)"},
        {"503:99999999999999999999", "a percentage must be a number from 0 to 100 (up to 4 decimals)"},
        {"503:60,500:41", "percentages add up to more than 100"},
        {"400:1,401:1,402:1,403:1,404:1,405:1,406:1,407:1,408:1,409:1,410:1,411:1,412:1,413:1,414:1,415:1,416:1",
         "more than 16 choices"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ad_status_spec_t spec;
        const char *e = ad_status_spec_parse(bad[i].s, strlen(bad[i].s), &spec);
        if (e == NULL)
            fail_msg("status \"%s\" accepted", bad[i].s);
        if (strcmp(e, bad[i].why) != 0)
            fail_msg("status \"%s\": \"%s\", want \"%s\"", bad[i].s, e, bad[i].why);
    }
}

static void test_close_grammar(void **state)
{
    (void)state;
    ad_close_spec_t c = close_parsed("5");
    assert_int_equal(c.millionths, 50000);
    assert_int_equal(c.kind, AD_DROP_FIN);
    c = close_parsed("2.5:reset");
    assert_int_equal(c.millionths, 25000);
    assert_int_equal(c.kind, AD_DROP_RESET);
    c = close_parsed("0");
    assert_int_equal(c.millionths, 0);

    static const char *const bad[] = {"", ":reset", "5:", "5:rst", "5:reset:reset", "5:RESET", "101", "x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ad_close_spec_t spec;
        if (ad_close_spec_parse(bad[i], strlen(bad[i]), &spec) == NULL)
            fail_msg("close \"%s\" accepted", bad[i]);
    }
}

/* 10,000 draws from a fixed seed: each share within a band a correct draw cannot leave (binomial sd 0.3 %). */
static void test_draw_shares(void **state)
{
    (void)state;
    ad_status_spec_t s = status_parsed("503:10,500:5");
    uint64_t rng = 12345;
    int n503 = 0, n500 = 0, none = 0;
    for (int i = 0; i < 10000; i++) {
        int code = ad_status_spec_draw(&s, &rng);
        n503 += code == 503;
        n500 += code == 500;
        none += code == 0;
    }
    assert_int_equal(n503 + n500 + none, 10000);
    assert_in_range(n503, 850, 1150);
    assert_in_range(n500, 380, 620);

    s = status_parsed("400:100");
    for (int i = 0; i < 100; i++)
        assert_int_equal(ad_status_spec_draw(&s, &rng), 400);
    s = status_parsed("503:0");
    for (int i = 0; i < 100; i++)
        assert_int_equal(ad_status_spec_draw(&s, &rng), 0);

    ad_close_spec_t c = close_parsed("20:reset");
    int reset = 0;
    for (int i = 0; i < 10000; i++) {
        ad_drop_kind_t k = ad_close_spec_draw(&c, &rng);
        assert_true(k == AD_DROP_NONE || k == AD_DROP_RESET);
        reset += k == AD_DROP_RESET;
    }
    assert_in_range(reset, 1800, 2200);
    c = close_parsed("0");
    uint64_t before = rng;
    assert_int_equal(ad_close_spec_draw(&c, &rng), AD_DROP_NONE);
    assert_true(rng == before); /* a spec that never closes takes no number */
}

static void test_status_list(void **state)
{
    (void)state;
    ad_status_list_t l;
    assert_null(ad_status_list_parse("418", 3, &l));
    assert_int_equal(l.n, 1);
    assert_int_equal(l.code[0], 418);
    uint64_t rng = 77, before = rng;
    assert_int_equal(ad_status_list_draw(&l, &rng), 418);
    assert_true(rng == before); /* one code: nothing to draw */
    const char *s = "200:9,500:1";
    assert_null(ad_status_list_parse(s, strlen(s), &l));
    assert_int_equal(l.n, 2);
    assert_int_equal(l.total, 100000);
    int n500 = 0;
    for (int i = 0; i < 10000; i++) {
        int code = ad_status_list_draw(&l, &rng);
        assert_true(code == 200 || code == 500);
        n500 += code == 500;
    }
    assert_in_range(n500, 850, 1150);
    s = "200,201,202:0.5,599:0";
    assert_null(ad_status_list_parse(s, strlen(s), &l));
    assert_int_equal(l.n, 4);
    assert_int_equal(l.weight[0], 10000); /* no weight: 1 */
    assert_int_equal(l.weight[2], 5000);
    for (int i = 0; i < 1000; i++)
        assert_int_not_equal(ad_status_list_draw(&l, &rng), 599); /* weight 0: never */

    static const struct {
        const char *s, *why;
    } bad[] = {
        {"", "empty"},
        {"199", "a status must be 200 to 599"},
        {"600", "a status must be 200 to 599"},
        {"20", "a status must be 200 to 599"},
        {"200,", "a status must be 200 to 599"},
        {"abc", "a status must be 200 to 599"},
        {"200:", "a weight must be a number from 0 to 1000000 (up to 4 decimals)"},
        {"200:-1", "a weight must be a number from 0 to 1000000 (up to 4 decimals)"},
        {"200:1000001", "a weight must be a number from 0 to 1000000 (up to 4 decimals)"},
        {"200:1:2", "a weight must be a number from 0 to 1000000 (up to 4 decimals)"},
        {"200:0,500:0", "the weights add up to 0"},
        {"200,201,202,203,204,205,206,207,208,209,210,211,212,213,214,215,216", "more than 16 codes"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *e = ad_status_list_parse(bad[i].s, strlen(bad[i].s), &l);
        if (e == NULL)
            fail_msg("codes \"%s\" accepted", bad[i].s);
        if (strcmp(e, bad[i].why) != 0)
            fail_msg("codes \"%s\": \"%s\", want \"%s\"", bad[i].s, e, bad[i].why);
    }
}

static bool options(ad_delay_param_t *p, const char *q)
{
    return ad_delay_from_query(p, q, strlen(q), 0, 30 * AD_NS_PER_SEC) && ad_delay_options_from_query(p, q, strlen(q));
}

static void test_query(void **state)
{
    (void)state;
    ad_delay_param_t p;
    assert_true(options(&p, "delay=1ms&status=503%3A10,500:5&close=1:reset"));
    assert_int_equal(p.status.n, 2);
    assert_int_equal(p.close.kind, AD_DROP_RESET);
    assert_null(p.allowed);
    assert_true(options(&p, "delay=1ms"));
    assert_int_equal(p.status.n, 0);
    assert_int_equal(p.close.millionths, 0);
    uint64_t rng = 9;
    ad_fault_draw_t d = ad_delay_param_draw_faults(&p, &rng);
    assert_int_equal(d.drop, AD_DROP_NONE);
    assert_int_equal(d.status, 0);

    /* close is drawn first; a drawn close leaves no status */
    assert_true(options(&p, "status=500:100&close=100"));
    d = ad_delay_param_draw_faults(&p, &rng);
    assert_int_equal(d.drop, AD_DROP_FIN);
    assert_int_equal(d.status, 0);

    /* seed=: the same faults for every request, whatever the generator's state */
    assert_true(options(&p, "status=503:50&close=30&seed=8"));
    ad_fault_draw_t first = ad_delay_param_draw_faults(&p, &rng);
    for (uint64_t r = 0; r < 50; r++) {
        uint64_t other = r * 7919;
        ad_fault_draw_t again = ad_delay_param_draw_faults(&p, &other);
        assert_int_equal(again.drop, first.drop);
        assert_int_equal(again.status, first.status);
    }
    /* the connection's later draws of seed=8 (seed_index): varied, each the same every time */
    int statuses[40], varied = 0;
    for (uint64_t k = 0; k < 40; k++) {
        p.seed_index = k;
        ad_fault_draw_t d1 = ad_delay_param_draw_faults(&p, &rng);
        uint64_t other = k;
        ad_fault_draw_t d2 = ad_delay_param_draw_faults(&p, &other);
        assert_int_equal(d1.drop, d2.drop);
        assert_int_equal(d1.status, d2.status);
        statuses[k] = d1.drop != AD_DROP_NONE ? -1 : d1.status;
        varied += k > 0 && statuses[k] != statuses[0];
    }
    assert_true(varied > 0);
    p.seed_index = 0;
    assert_int_equal(ad_delay_param_draw_faults(&p, &rng).status, first.status);

    static const struct {
        const char *q, *param, *what;
    } bad[] = {
        {"status=200:1", "status", "a status must be 400 to 599"},
        {"status=503:1&status=500:1", "status", "given more than once"},
        {"status=%zz", "status", "bad percent-encoding"},
        {"close=5:fin", "close", "after the percentage only :reset may follow"},
        {"close=", "close", "empty"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (options(&p, bad[i].q))
            fail_msg("?%s accepted", bad[i].q);
        assert_string_equal(p.param, bad[i].param);
        assert_string_equal(p.what, bad[i].what);
        assert_non_null(p.allowed);
    }
    /* a bad jitter still names a duration as what it takes */
    assert_false(options(&p, "jitter=x&status=503:1"));
    assert_null(p.allowed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_grammar), cmocka_unit_test(test_close_grammar), cmocka_unit_test(test_draw_shares),
        cmocka_unit_test(test_status_list),    cmocka_unit_test(test_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
