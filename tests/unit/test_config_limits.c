/* Config: the connection and waiting limits and the slow-client timeouts (max-connections, max-waiting,
 * header-timeout, idle-timeout), how the timeouts map onto h2o's timers, and max-body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "clock.h"
#include "config.h"
#include "test_config_fixtures.h"

static int parse(ad_config_t *cfg, const char *text)
{
    ad_config_defaults(cfg);
    err[0] = '\0';
    return ad_config_parse_text(cfg, text, strlen(text), "t.conf", err, sizeof(err));
}

static void expect_parse_error(const char *text, const char *message)
{
    ad_config_t cfg;
    assert_int_equal(parse(&cfg, text), -1);
    assert_string_equal(err, message);
}

#define CLI(...) cli(&cfg, NULL, (const char *const[]){__VA_ARGS__, NULL})

static void test_defaults(void **state)
{
    (void)state;
    ad_config_t cfg;
    ad_config_defaults(&cfg);
    /* the 10,000-client benchmark fits, and the limit bites before the unit's LimitNOFILE=20000 */
    assert_true(cfg.max_connections > 10000 && cfg.max_connections < 20000);
    assert_true(cfg.max_waiting > 10000);
    assert_int_equal(cfg.header_timeout_ns, 10 * AD_NS_PER_SEC);
    assert_int_equal(cfg.idle_timeout_ns, 10 * AD_NS_PER_SEC);
    assert_int_equal(ad_config_validate(&cfg, err, sizeof(err)), 0);
}

/* text parses, and gives these four values. */
static void expect_limits(const char *text, unsigned conns, unsigned waiting, int64_t header_ns, int64_t idle_ns)
{
    ad_config_t cfg;
    assert_int_equal(parse(&cfg, text), 0);
    assert_int_equal(cfg.max_connections, conns);
    assert_int_equal(cfg.max_waiting, waiting);
    assert_int_equal(cfg.header_timeout_ns, header_ns);
    assert_int_equal(cfg.idle_timeout_ns, idle_ns);
}

static void test_parse_values(void **state)
{
    (void)state;
    expect_limits("max-connections = 5\nmax-waiting = 3\nheader-timeout = 500ms\nidle-timeout = 1m\n", 5, 3,
                  500 * AD_NS_PER_MS, 60 * AD_NS_PER_SEC);
    /* the bounds themselves are accepted */
    expect_limits("max-connections = 1\nmax-waiting = 1000000\nheader-timeout = 10ms\nidle-timeout = 1h\n", 1, 1000000,
                  10 * AD_NS_PER_MS, 3600 * AD_NS_PER_SEC);
    /* plain seconds, with a fraction (the limits keep their defaults) */
    ad_config_t def;
    ad_config_defaults(&def);
    expect_limits("header-timeout = 0.25\nidle-timeout = 10s\n", def.max_connections, def.max_waiting,
                  250 * AD_NS_PER_MS, 10 * AD_NS_PER_SEC);
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_parse_error("max-connections = 0", "t.conf:1: key 'max-connections': 0 is out of range (1 to 1000000)");
    expect_parse_error("max-connections = 1000001",
                       "t.conf:1: key 'max-connections': 1000001 is out of range (1 to 1000000)");
    expect_parse_error("max-connections = 99999999999999999999",
                       "t.conf:1: key 'max-connections': 99999999999999999999 is out of range (1 to 1000000)");
    expect_parse_error("max-connections = many",
                       "t.conf:1: key 'max-connections': bad value 'many': expected a whole number from 1 to 1000000");
    expect_parse_error("max-connections = -5",
                       "t.conf:1: key 'max-connections': bad value '-5': expected a whole number from 1 to 1000000");
    expect_parse_error("max-waiting = 0", "t.conf:1: key 'max-waiting': 0 is out of range (1 to 1000000)");
    expect_parse_error("max-waiting = 1e4",
                       "t.conf:1: key 'max-waiting': bad value '1e4': expected a whole number from 1 to 1000000");
    expect_parse_error("max-waiting =",
                       "t.conf:1: key 'max-waiting': bad value '': expected a whole number from 1 to 1000000");
    expect_parse_error("header-timeout = 0", "t.conf:1: key 'header-timeout': 0 is out of range (10ms to 1h)");
    expect_parse_error("header-timeout = 9ms", "t.conf:1: key 'header-timeout': 9ms is out of range (10ms to 1h)");
    expect_parse_error("idle-timeout = 61m", "t.conf:1: key 'idle-timeout': 61m is out of range (10ms to 1h)");
    expect_parse_error("idle-timeout = 0.001", "t.conf:1: key 'idle-timeout': 0.001 is out of range (10ms to 1h)");

    /* junk values for every duration key: test_config.c, test_parse_duration_errors_name_key */
}

static void test_cli(void **state)
{
    (void)state;
    ad_config_t cfg;
    assert_int_equal(CLI("--max-connections", "5", "--max-waiting=3", "--header-timeout", "1s", "--idle-timeout=300ms"),
                     0);
    assert_int_equal(cfg.max_connections, 5);
    assert_int_equal(cfg.max_waiting, 3);
    assert_int_equal(cfg.header_timeout_ns, AD_NS_PER_SEC);
    assert_int_equal(cfg.idle_timeout_ns, 300 * AD_NS_PER_MS);

    assert_int_equal(CLI("--max-connections=0"), -1);
    assert_string_equal(err, "--max-connections: 0 is out of range (1 to 1000000)");
    assert_int_equal(CLI("--max-waiting", "x"), -1);
    assert_string_equal(err, "--max-waiting: bad value 'x': expected a whole number from 1 to 1000000");
    assert_int_equal(CLI("--header-timeout"), -1);
    assert_string_equal(err, "--header-timeout: missing value");
    assert_int_equal(CLI("--idle-timeout=5ms"), -1);
    assert_string_equal(err, "--idle-timeout: 5ms is out of range (10ms to 1h)");
    assert_non_null(strstr(ad_cli_usage(), "--max-connections N"));
    assert_non_null(strstr(ad_cli_usage(), "--max-waiting N"));
    assert_non_null(strstr(ad_cli_usage(), "--header-timeout D"));
    assert_non_null(strstr(ad_cli_usage(), "--idle-timeout D"));
    assert_non_null(strstr(ad_cli_usage(), "--max-body N"));
}

static void test_max_body(void **state)
{
    (void)state;
    ad_config_t cfg;
    ad_config_defaults(&cfg);
    assert_int_equal(cfg.max_body, 1048576);
    assert_int_equal(CLI("--max-body", "0"), 0);
    assert_int_equal(cfg.max_body, 0);
    assert_int_equal(CLI("--max-body=67108864"), 0);
    assert_int_equal(cfg.max_body, 67108864);
    assert_int_equal(CLI("--max-body", "67108865"), -1);
    assert_string_equal(err, "--max-body: 67108865 is out of range (0 to 67108864)");
    expect_parse_error("max-body = 1MB",
                       "t.conf:1: key 'max-body': bad value '1MB': expected a whole number from 0 to 67108864");
}

static void test_validate(void **state)
{
    (void)state;
    EXPECT_REFUSED("max-connections: 0 is out of range (1 to 1000000)", cfg.max_connections = 0);
    EXPECT_REFUSED("max-waiting: 2000000 is out of range (1 to 1000000)", cfg.max_waiting = 2000000);
    EXPECT_REFUSED("header-timeout: 0 is out of range (10ms to 1h)", cfg.header_timeout_ns = 0);
}

/* h2o 2.2.5 has one HTTP/1 request timer: it gets the smaller of the two, so each bounds what it names. */
static void test_h2o_timeouts(void **state)
{
    (void)state;
    ad_config_t cfg;
    ad_config_defaults(&cfg);
    assert_int_equal(ad_config_http1_timeout_ms(&cfg), 10000);
    assert_int_equal(ad_config_http2_timeout_ms(&cfg), 10000);

    cfg.header_timeout_ns = AD_NS_PER_SEC;
    cfg.idle_timeout_ns = 60 * AD_NS_PER_SEC;
    assert_int_equal(ad_config_http1_timeout_ms(&cfg), 1000);
    assert_int_equal(ad_config_http2_timeout_ms(&cfg), 60000);

    cfg.header_timeout_ns = 30 * AD_NS_PER_SEC;
    cfg.idle_timeout_ns = 2500 * AD_NS_PER_MS;
    assert_int_equal(ad_config_http1_timeout_ms(&cfg), 2500);
    assert_int_equal(ad_config_http2_timeout_ms(&cfg), 2500);

    /* h2o counts whole milliseconds: round up, never to 0 (which would close at once) */
    cfg.header_timeout_ns = 10 * AD_NS_PER_MS + 1;
    cfg.idle_timeout_ns = 1;
    assert_int_equal(ad_config_http1_timeout_ms(&cfg), 1);
    assert_int_equal(ad_config_http2_timeout_ms(&cfg), 1);
    cfg.idle_timeout_ns = 3600 * AD_NS_PER_SEC;
    assert_int_equal(ad_config_http1_timeout_ms(&cfg), 11);
    assert_int_equal(ad_config_http2_timeout_ms(&cfg), 3600000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults), cmocka_unit_test(test_parse_values), cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_cli),      cmocka_unit_test(test_validate),     cmocka_unit_test(test_h2o_timeouts),
        cmocka_unit_test(test_max_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
