/* asyncdemoctl's option parser: defaults, every flag in every form, every error, URLs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "options.h"

#define ARGS(...) ((char *[]){__VA_ARGS__, NULL})
#define NARGS(...) ((int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)))
#define BENCH(o, err, ...) ad_ctl_parse_bench(NARGS(__VA_ARGS__), ARGS(__VA_ARGS__), (o), (err), sizeof(err))
#define COMPARE(o, err, ...) ad_ctl_parse_compare(NARGS(__VA_ARGS__), ARGS(__VA_ARGS__), (o), (err), sizeof(err))
#define STATS(o, err, ...) ad_ctl_parse_stats(NARGS(__VA_ARGS__), ARGS(__VA_ARGS__), (o), (err), sizeof(err))
#define DEMO(o, err, ...) ad_ctl_parse_demo(NARGS(__VA_ARGS__), ARGS(__VA_ARGS__), (o), (err), sizeof(err))

/* The error must mention every given fragment (the flag, the value, the reason). */
/* bench endpoint i's URL, in its canonical form. */
static void endpoint_url(const ad_bench_opts_t *o, size_t i, char *buf, size_t size)
{
    ad_url_t u;
    assert_int_equal(ad_bench_endpoint_target(o, i, &u), 0);
    ad_url_format(&u, buf, size);
}

static void assert_err(const char *err, const char *a, const char *b)
{
    if (strstr(err, a) == NULL || (b != NULL && strstr(err, b) == NULL))
        fail_msg("error '%s' lacks '%s'%s%s", err, a, b ? " or " : "", b ? b : "");
}

static void bench_err(const char *a, const char *b, int argc, char **argv)
{
    ad_bench_opts_t o;
    char err[256] = "";
    assert_int_equal(ad_ctl_parse_bench(argc, argv, &o, err, sizeof(err)), AD_CTL_PARSE_ERROR);
    assert_err(err, a, b);
}
#define BENCH_ERR(a, b, ...) bench_err(a, b, NARGS(__VA_ARGS__), ARGS(__VA_ARGS__))

/* Parses argv with command's parser into a zeroed buffer (every options struct is memset by its defaults, so
 * two parses that mean the same compare equal byte for byte). */
typedef union any_opts {
    ad_bench_opts_t bench;
    ad_compare_opts_t compare;
    ad_stats_opts_t stats;
    ad_demo_opts_t demo;
} any_opts_t;

static int parse_any(ad_ctl_command_t cmd, int argc, char **argv, any_opts_t *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    switch (cmd) {
    case AD_CMD_BENCH:
        return ad_ctl_parse_bench(argc, argv, &o->bench, err, errlen);
    case AD_CMD_COMPARE:
        return ad_ctl_parse_compare(argc, argv, &o->compare, err, errlen);
    case AD_CMD_STATS:
        return ad_ctl_parse_stats(argc, argv, &o->stats, err, errlen);
    default:
        return ad_ctl_parse_demo(argc, argv, &o->demo, err, errlen);
    }
}

/* Every flag with a value, in every subcommand that has it, means the same as `--flag value`,
 * `--flag=value`, `-x value` and `-xvalue` (the docs promise all four; `--color always` once was a URL). */
static void test_every_value_flag_every_form(void **state)
{
    (void)state;
    static const struct {
        ad_ctl_command_t cmd;
        const char *flag; /* long name */
        char short_name;  /* 0: none */
        const char *value;
    } cases[] = {
        {AD_CMD_BENCH, "url", 'u', "http://127.0.0.1:9/"},
        {AD_CMD_BENCH, "endpoint", 'e', "/non-blocking"},
        {AD_CMD_BENCH, "requests", 'n', "42"},
        {AD_CMD_BENCH, "concurrency", 'c', "3"},
        {AD_CMD_BENCH, "duration", 'd', "2s"},
        {AD_CMD_BENCH, "rate", 'r', "100"},
        {AD_CMD_BENCH, "timeout", 't', "7s"},
        {AD_CMD_BENCH, "delay", 0, "0.5"},
        {AD_CMD_BENCH, "warmup", 0, "1s"},
        {AD_CMD_BENCH, "threads", 0, "2"},
        {AD_CMD_BENCH, "engine", 0, "curl"},
        {AD_CMD_BENCH, "fail-if", 0, "p99>250ms"},
        {AD_CMD_BENCH, "interval", 'i', "250ms"},
        {AD_CMD_BENCH, "html", 0, "page.html"},
        {AD_CMD_BENCH, "shard", 0, "2/3"},
        {AD_CMD_BENCH, "start-at", 0, "2026-12-04T15:00:00.5+01:00"},
        {AD_CMD_BENCH, "output", 'o', "out.txt"},
        {AD_CMD_BENCH, "color", 0, "always"},
        {AD_CMD_BENCH, "color", 0, "never"},
        {AD_CMD_BENCH, "color", 0, "auto"},
        {AD_CMD_COMPARE, "url", 'u', "http://127.0.0.1:9/delay/1"},
        {AD_CMD_COMPARE, "requests", 'n', "7"},
        {AD_CMD_COMPARE, "modes", 'm', "async,threads"},
        {AD_CMD_COMPARE, "timeout", 't', "3s"},
        {AD_CMD_COMPARE, "output", 'o', "x.json"},
        {AD_CMD_COMPARE, "max-parallel", 0, "4"},
        {AD_CMD_COMPARE, "color", 0, "always"},
        {AD_CMD_STATS, "url", 'u', "http://127.0.0.1:9/"},
        {AD_CMD_STATS, "interval", 'i', "250ms"},
        {AD_CMD_STATS, "timeout", 't', "2s"},
        {AD_CMD_STATS, "color", 0, "always"},
        {AD_CMD_DEMO, "url", 'u', "http://127.0.0.1:9/"},
        {AD_CMD_DEMO, "delay", 0, "0.1"},
        {AD_CMD_DEMO, "requests", 'n', "3"},
        {AD_CMD_DEMO, "timeout", 't', "9s"},
        {AD_CMD_DEMO, "color", 0, "never"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *name = ad_ctl_command_name(cases[i].cmd);
        char lng[64], eq[128], shrt[8], glued[128], err[256] = "";
        snprintf(lng, sizeof(lng), "--%s", cases[i].flag);
        snprintf(eq, sizeof(eq), "--%s=%s", cases[i].flag, cases[i].value);
        snprintf(shrt, sizeof(shrt), "-%c", cases[i].short_name);
        snprintf(glued, sizeof(glued), "-%c%s", cases[i].short_name, cases[i].value);
        any_opts_t want, got;
        char *separate[] = {(char *)name, lng, (char *)cases[i].value, NULL};
        if (parse_any(cases[i].cmd, 3, separate, &want, err, sizeof(err)) != AD_CTL_PARSE_OK)
            fail_msg("%s %s %s: %s", name, lng, cases[i].value, err);
        char *inline_form[] = {(char *)name, eq, NULL};
        if (parse_any(cases[i].cmd, 2, inline_form, &got, err, sizeof(err)) != AD_CTL_PARSE_OK ||
            memcmp(&want, &got, sizeof(want)) != 0)
            fail_msg("%s %s differs from %s %s %s (%s)", name, eq, name, lng, cases[i].value, err);
        if (cases[i].short_name == 0)
            continue;
        char *short_form[] = {(char *)name, shrt, (char *)cases[i].value, NULL};
        char *glued_form[] = {(char *)name, glued, NULL};
        if (parse_any(cases[i].cmd, 3, short_form, &got, err, sizeof(err)) != AD_CTL_PARSE_OK ||
            memcmp(&want, &got, sizeof(want)) != 0)
            fail_msg("%s %s %s differs from %s %s", name, shrt, cases[i].value, lng, cases[i].value);
        if (parse_any(cases[i].cmd, 2, glued_form, &got, err, sizeof(err)) != AD_CTL_PARSE_OK ||
            memcmp(&want, &got, sizeof(want)) != 0)
            fail_msg("%s %s differs from %s %s", name, glued, lng, cases[i].value);
    }
}

/* --color's value is optional: it takes the next argument only when that is one of its values, so a
 * URL or flag after it keeps its meaning, and `--color` alone means always. */
static void test_color_optional_value(void **state)
{
    (void)state;
    ad_stats_opts_t o;
    char err[256] = "";
    assert_int_equal(STATS(&o, err, "stats", "--color", "never", "http://h:1/"), AD_CTL_PARSE_OK);
    assert_int_equal(o.color, AD_COLOR_NEVER);
    assert_string_equal(o.url, "http://h:1/stats");
    assert_int_equal(STATS(&o, err, "stats", "--color", "http://h:2/"), AD_CTL_PARSE_OK);
    assert_int_equal(o.color, AD_COLOR_ALWAYS);
    assert_string_equal(o.url, "http://h:2/stats");
    assert_int_equal(STATS(&o, err, "stats", "--color", "--json"), AD_CTL_PARSE_OK);
    assert_int_equal(o.color, AD_COLOR_ALWAYS);
    assert_true(o.json);
    assert_int_equal(STATS(&o, err, "stats", "--color"), AD_CTL_PARSE_OK);
    assert_int_equal(o.color, AD_COLOR_ALWAYS);
    /* after "--" every argument is positional: "never" is then a (bad) URL */
    assert_int_equal(STATS(&o, err, "stats", "--color", "--", "never"), AD_CTL_PARSE_ERROR);
    assert_err(err, "URL", "'never'");
}

static void test_bench_defaults(void **state)
{
    (void)state;
    ad_bench_opts_t o;
    char err[256], url[2048];
    assert_int_equal(BENCH(&o, err, "bench"), AD_CTL_PARSE_OK);
    assert_string_equal(o.url, "http://127.0.0.1:8000/");
    assert_int_equal(o.nendpoints, 3);
    assert_string_equal(o.endpoints[0], "/blocking");
    assert_string_equal(o.endpoints[1], "/non-blocking");
    assert_string_equal(o.endpoints[2], "/offload");
    assert_int_equal(o.requests, 5);
    assert_int_equal(o.concurrency, 5);
    assert_int_equal(o.delay_ns, 2 * AD_NS_PER_SEC);
    assert_int_equal(o.duration_ns, 0);
    assert_true(o.rate == 0);
    assert_true(o.keepalive);
    assert_int_equal(o.threads, 0);                     /* auto: resolved by bench from the CPU count */
    assert_int_equal(o.timeout_ns, 30 * AD_NS_PER_SEC); /* max(30 s, 5 x 2 s + 10 s) */
    assert_true(o.timeout_ns > o.delay_ns * 5);
    assert_false(o.json);
    assert_string_equal(o.output, "");
    assert_int_equal(o.color, AD_COLOR_AUTO);
    endpoint_url(&o, 0, url, sizeof(url));
    assert_string_equal(url, "http://127.0.0.1:8000/blocking?delay=2");
    endpoint_url(&o, 1, url, sizeof(url));
    assert_string_equal(url, "http://127.0.0.1:8000/non-blocking?delay=2");
    endpoint_url(&o, 2, url, sizeof(url));
    assert_string_equal(url, "http://127.0.0.1:8000/offload?delay=2");
}

static void test_bench_every_flag_long(void **state)
{
    (void)state;
    ad_bench_opts_t o;
    char err[256] = "";
    int rc =
        BENCH(&o, err, "bench", "--url", "http://[::1]:9000", "--endpoint", "/non-blocking", "--endpoint", "/stats",
              "--requests", "100", "--concurrency", "10", "--duration", "1.5s", "--rate", "250.5", "--timeout", "3s",
              "--no-keepalive", "--warmup", "500ms", "--delay", "0.25", "--json", "--output", "out.json", "--journal",
              "--no-progress", "--threads", "2", "--ascii", "--no-timeline", "--color=never");
    assert_int_equal(rc, AD_CTL_PARSE_OK);
    assert_string_equal(o.url, "http://[::1]:9000/");
    assert_true(o.base.ipv6);
    assert_string_equal(o.base.host, "::1");
    assert_int_equal(o.base.port, 9000);
    assert_int_equal(o.nendpoints, 2); /* --endpoint replaces the defaults */
    assert_string_equal(o.endpoints[0], "/non-blocking");
    assert_string_equal(o.endpoints[1], "/stats");
    assert_int_equal(o.requests, 100);
    assert_int_equal(o.concurrency, 10);
    assert_int_equal(o.duration_ns, 1500 * AD_NS_PER_MS);
    assert_true(fabs(o.rate - 250.5) < 1e-9);
    assert_int_equal(o.timeout_ns, 3 * AD_NS_PER_SEC);
    assert_false(o.keepalive);
    assert_int_equal(o.warmup_ns, 500 * AD_NS_PER_MS);
    assert_int_equal(o.delay_ns, 250 * AD_NS_PER_MS);
    assert_true(o.json);
    assert_string_equal(o.output, "out.json");
    assert_true(o.journal);
    assert_true(o.no_progress);
    assert_int_equal(o.threads, 2);
    assert_true(o.ascii);
    assert_true(o.no_timeline);
    assert_int_equal(o.color, AD_COLOR_NEVER);
    char url[2048];
    endpoint_url(&o, 0, url, sizeof(url));
    assert_string_equal(url, "http://[::1]:9000/non-blocking?delay=0.25");
    endpoint_url(&o, 1, url, sizeof(url)); /* not a delay endpoint: no delay added */
    assert_string_equal(url, "http://[::1]:9000/stats");
}

static void test_bench_short_and_inline_forms(void **state)
{
    (void)state;
    ad_bench_opts_t o;
    char err[256] = "";
    assert_int_equal(BENCH(&o, err, "bench", "-n100", "-c", "7", "-d10s", "-r", "50", "-t", "9s", "-o", "f", "-e",
                           "/offload", "-u", "http://localhost:1"),
                     AD_CTL_PARSE_OK);
    assert_int_equal(o.requests, 100);
    assert_int_equal(o.concurrency, 7);
    assert_int_equal(o.duration_ns, 10 * AD_NS_PER_SEC);
    assert_true(o.rate == 50);
    assert_int_equal(o.timeout_ns, 9 * AD_NS_PER_SEC);
    assert_string_equal(o.output, "f");
    assert_string_equal(o.endpoints[0], "/offload");
    assert_string_equal(o.base.host, "localhost");
    assert_int_equal(o.base.port, 1);

    assert_int_equal(BENCH(&o, err, "bench", "--requests=42", "--concurrency=3", "--delay=0", "--color"),
                     AD_CTL_PARSE_OK);
    assert_int_equal(o.requests, 42);
    assert_int_equal(o.concurrency, 3);
    assert_int_equal(o.delay_ns, 0);
    assert_int_equal(o.timeout_ns, 30 * AD_NS_PER_SEC);
    assert_int_equal(o.color, AD_COLOR_ALWAYS);
    char url[2048];
    endpoint_url(&o, 1, url, sizeof(url));
    assert_string_equal(url, "http://127.0.0.1:8000/non-blocking?delay=0");

    assert_int_equal(BENCH(&o, err, "bench", "--color=auto", "--no-color"), AD_CTL_PARSE_OK);
    assert_int_equal(o.color, AD_COLOR_NEVER);
    assert_int_equal(BENCH(&o, err, "bench", "--color=always"), AD_CTL_PARSE_OK);
    assert_int_equal(o.color, AD_COLOR_ALWAYS);
}

static void test_bench_derived_defaults(void **state)
{
    (void)state;
    ad_bench_opts_t o;
    char err[256] = "";
    /* a long delay raises the default timeout: 5 x 10 s + 10 s */
    assert_int_equal(BENCH(&o, err, "bench", "--delay", "10s"), AD_CTL_PARSE_OK);
    assert_int_equal(o.timeout_ns, 60 * AD_NS_PER_SEC);
    /* an explicit timeout stays, in either order */
    assert_int_equal(BENCH(&o, err, "bench", "--timeout", "5s", "--delay", "10s"), AD_CTL_PARSE_OK);
    assert_int_equal(o.timeout_ns, 5 * AD_NS_PER_SEC);
    /* --duration alone: no request limit; with -n: both */
    assert_int_equal(BENCH(&o, err, "bench", "-d", "2s"), AD_CTL_PARSE_OK);
    assert_int_equal(o.requests, 0);
    assert_int_equal(BENCH(&o, err, "bench", "-d", "2s", "-n", "10"), AD_CTL_PARSE_OK);
    assert_int_equal(o.requests, 10);
    assert_int_equal(ad_ctl_default_timeout(0), 30 * AD_NS_PER_SEC);
    assert_int_equal(ad_ctl_default_timeout(4 * AD_NS_PER_SEC), 30 * AD_NS_PER_SEC);
    assert_int_equal(ad_ctl_default_timeout(5 * AD_NS_PER_SEC), 35 * AD_NS_PER_SEC);
    assert_int_equal(ad_ctl_default_timeout(INT64_MAX), INT64_MAX);
}

static void test_bench_url_forms(void **state)
{
    (void)state;
    ad_bench_opts_t o;
    char err[256] = "", url[2048];
    /* a URL with a path and no --endpoint benches that URL; its own delay is kept */
    assert_int_equal(BENCH(&o, err, "bench", "--url", "http://127.0.0.1:8000/non-blocking?delay=0"), AD_CTL_PARSE_OK);
    assert_int_equal(o.nendpoints, 1);
    assert_string_equal(o.endpoints[0], "/non-blocking?delay=0");
    assert_string_equal(o.url, "http://127.0.0.1:8000/");
    endpoint_url(&o, 0, url, sizeof(url));
    assert_string_equal(url, "http://127.0.0.1:8000/non-blocking?delay=0");
    /* positional URL, default port 80, scheme case-insensitive */
    assert_int_equal(BENCH(&o, err, "bench", "HTTP://example.test/blocking"), AD_CTL_PARSE_OK);
    assert_int_equal(o.base.port, 80);
    endpoint_url(&o, 0, url, sizeof(url));
    assert_string_equal(url, "http://example.test/blocking?delay=2");
    /* a query on an endpoint gets &delay=, a path prefix is joined */
    assert_int_equal(BENCH(&o, err, "bench", "--url", "https://h/proxy/", "-e", "/offload?x=1"), AD_CTL_PARSE_OK);
    assert_int_equal(o.base.port, 443);
    endpoint_url(&o, 0, url, sizeof(url));
    assert_string_equal(url, "https://h/proxy/offload?x=1&delay=2");
    assert_int_equal(BENCH(&o, err, "bench", "-e", "/blocking?a=1&delay=5"), AD_CTL_PARSE_OK);
    endpoint_url(&o, 0, url, sizeof(url));
    assert_string_equal(url, "http://127.0.0.1:8000/blocking?a=1&delay=5");
    /* sub-second delays are written exactly */
    assert_int_equal(BENCH(&o, err, "bench", "--delay", "1ns"), AD_CTL_PARSE_OK);
    endpoint_url(&o, 0, url, sizeof(url));
    assert_string_equal(url, "http://127.0.0.1:8000/blocking?delay=0.000000001");
    /* out of range index: empty */
    ad_url_t u;
    assert_int_equal(ad_bench_endpoint_target(&o, 9, &u), -1);
}

static void test_bench_errors(void **state)
{
    (void)state;
    BENCH_ERR("-n", "'abc'", "bench", "-n", "abc");
    BENCH_ERR("--requests", "'0'", "bench", "--requests", "0");
    BENCH_ERR("--requests", "'-5'", "bench", "--requests=-5");
    BENCH_ERR("--requests", "too large", "bench", "--requests", "99999999999999999999999");
    BENCH_ERR("--requests", "out of range", "bench", "--requests", "1000000000001");
    BENCH_ERR("--requests", "empty", "bench", "--requests=");
    BENCH_ERR("-c", "'0'", "bench", "-c", "0");
    BENCH_ERR("-c", "out of range", "bench", "-c", "100001");
    BENCH_ERR("-c", "'1.5'", "bench", "-c", "1.5");
    BENCH_ERR("-d", "'10x'", "bench", "-d", "10x");
    BENCH_ERR("--duration", "'0'", "bench", "--duration", "0");
    BENCH_ERR("--duration", "negative", "bench", "--duration", "-1s");
    BENCH_ERR("--rate", "'abc'", "bench", "--rate", "abc");
    BENCH_ERR("--rate", "'0'", "bench", "--rate", "0");
    BENCH_ERR("--rate", "'inf'", "bench", "--rate", "inf");
    BENCH_ERR("--rate", "'1e3'", "bench", "--rate", "1e3");
    BENCH_ERR("--rate", "'5.'", "bench", "--rate", "5.");
    BENCH_ERR("--rate", "out of range", "bench", "--rate", "10000001");
    BENCH_ERR("--timeout", "'0s'", "bench", "--timeout", "0s");
    BENCH_ERR("--timeout", "'soon'", "bench", "--timeout", "soon");
    BENCH_ERR("--warmup", "'x'", "bench", "--warmup", "x");
    BENCH_ERR("--delay", "'-0'", "bench", "--delay", "-0");
    BENCH_ERR("--delay", "'2 s'", "bench", "--delay", "2 s");
    BENCH_ERR("--threads", "'0'", "bench", "--threads", "0");
    BENCH_ERR("--threads", "out of range", "bench", "--threads", "65");
    BENCH_ERR("--output", "file name", "bench", "--output", "");
    BENCH_ERR("--color", "'sometimes'", "bench", "--color=sometimes");
    BENCH_ERR("--endpoint", "'blocking'", "bench", "--endpoint", "blocking");
    BENCH_ERR("--endpoint", "space", "bench", "--endpoint", "/a b");
    BENCH_ERR("-e", "at most 8", "bench", "-e", "/1", "-e", "/2", "-e", "/3", "-e", "/4", "-e", "/5", "-e", "/6", "-e",
              "/7", "-e", "/8", "-e", "/9");
    BENCH_ERR("--url", "http://", "bench", "--url", "ftp://x");
    BENCH_ERR("--url", "no host", "bench", "--url", "http://:80/");
    BENCH_ERR("--url", "port", "bench", "--url", "http://h:0");
    BENCH_ERR("--url", "port", "bench", "--url", "http://h:65536");
    BENCH_ERR("--url", "port", "bench", "--url", "http://h:8o");
    BENCH_ERR("--url", "port", "bench", "--url", "http://h:");
    BENCH_ERR("--url", "credentials", "bench", "--url", "http://u:p@h/");
    BENCH_ERR("--url", "IPv6", "bench", "--url", "http://[::1/");
    BENCH_ERR("--url", "IPv6", "bench", "--url", "http://[zz]/");
    BENCH_ERR("--url", "after the IPv6", "bench", "--url", "http://[::1]x/");
    BENCH_ERR("--url", "host", "bench", "--url", "http://a_b!c/");
    BENCH_ERR("--url", "percent-encoded", "bench", "--url", "http://h/a b");
    BENCH_ERR("--url", "empty", "bench", "--url", "");
    BENCH_ERR("--url", "query", "bench", "--url", "http://h/x?y=1", "-e", "/blocking");
    BENCH_ERR("URL", "already", "bench", "http://a/", "http://b/");
    BENCH_ERR("unknown option", "'--nope'", "bench", "--nope");
    BENCH_ERR("unknown option", "'-z'", "bench", "-z");
    BENCH_ERR("--json", "takes no value", "bench", "--json=1");
    BENCH_ERR("-h", "takes no value", "bench", "-hx");
    BENCH_ERR("--requests", "needs a value", "bench", "--requests");
    BENCH_ERR("-n", "needs a value", "bench", "-n");
}

static void test_help_and_double_dash(void **state)
{
    (void)state;
    ad_bench_opts_t b;
    ad_compare_opts_t c;
    ad_stats_opts_t s;
    ad_demo_opts_t d;
    char err[256] = "";
    assert_int_equal(BENCH(&b, err, "bench", "--help"), AD_CTL_PARSE_HELP);
    assert_int_equal(BENCH(&b, err, "bench", "-n", "5", "-h"), AD_CTL_PARSE_HELP);
    assert_int_equal(COMPARE(&c, err, "compare", "-h"), AD_CTL_PARSE_HELP);
    assert_int_equal(STATS(&s, err, "stats", "--help"), AD_CTL_PARSE_HELP);
    assert_int_equal(DEMO(&d, err, "demo", "--help"), AD_CTL_PARSE_HELP);
    /* after "--" everything is an argument: "--help" here would be the URL and is no URL */
    assert_int_equal(BENCH(&b, err, "bench", "--", "--help"), AD_CTL_PARSE_ERROR);
    assert_err(err, "URL", "'--help'");
    assert_int_equal(BENCH(&b, err, "bench", "--", "http://h:1/x"), AD_CTL_PARSE_OK);
    assert_string_equal(b.endpoints[0], "/x");
    /* a lone "-" is an argument */
    assert_int_equal(COMPARE(&c, err, "compare", "-"), AD_CTL_PARSE_ERROR);
    assert_err(err, "URL", "'-'");
    /* a NULL err buffer is allowed */
    char *argv[] = {"bench", "-n", "x", NULL};
    assert_int_equal(ad_ctl_parse_bench(3, argv, &b, NULL, 0), AD_CTL_PARSE_ERROR);
}

static void test_compare(void **state)
{
    (void)state;
    ad_compare_opts_t o;
    char err[256] = "";
    assert_int_equal(COMPARE(&o, err, "compare"), AD_CTL_PARSE_OK);
    assert_string_equal(o.url, "http://127.0.0.1:8000/delay/2");
    assert_int_equal(o.n, 5);
    assert_int_equal(o.nmodes, 4);
    assert_int_equal(o.modes[0], AD_MODE_SEQUENTIAL);
    assert_int_equal(o.modes[1], AD_MODE_ASYNC);
    assert_int_equal(o.modes[2], AD_MODE_THREADS);
    assert_int_equal(o.modes[3], AD_MODE_PROCESSES);
    assert_int_equal(o.timeout_ns, 60 * AD_NS_PER_SEC);

    assert_int_equal(COMPARE(&o, err, "compare", "https://httpbin.org/delay/2", "-n", "3", "--modes", "processes,async",
                             "--json", "-o", "x.json", "--timeout", "10s", "--journal", "--no-progress", "--ascii",
                             "--no-timeline", "--color=always"),
                     AD_CTL_PARSE_OK);
    assert_string_equal(o.url, "https://httpbin.org/delay/2");
    assert_true(o.target.https);
    assert_int_equal(o.n, 3);
    assert_int_equal(o.nmodes, 2);
    assert_int_equal(o.modes[0], AD_MODE_PROCESSES);
    assert_int_equal(o.modes[1], AD_MODE_ASYNC);
    assert_true(o.json && o.journal && o.no_progress && o.ascii && o.no_timeline);
    assert_string_equal(o.output, "x.json");
    assert_int_equal(o.timeout_ns, 10 * AD_NS_PER_SEC);
    assert_int_equal(o.color, AD_COLOR_ALWAYS);
    assert_int_equal(COMPARE(&o, err, "compare", "-u", "http://h/d", "-m", "threads", "--no-color"), AD_CTL_PARSE_OK);
    assert_string_equal(o.url, "http://h/d");
    assert_int_equal(o.nmodes, 1);
    assert_int_equal(o.color, AD_COLOR_NEVER);

    assert_int_equal(COMPARE(&o, err, "compare", "--modes", "async,forks"), AD_CTL_PARSE_ERROR);
    assert_err(err, "--modes", "'forks'");
    assert_int_equal(COMPARE(&o, err, "compare", "--modes", "async,async"), AD_CTL_PARSE_ERROR);
    assert_err(err, "--modes", "twice");
    assert_int_equal(COMPARE(&o, err, "compare", "--modes", ""), AD_CTL_PARSE_ERROR);
    assert_err(err, "--modes", "not a mode");
    assert_int_equal(COMPARE(&o, err, "compare", "--modes", "async,"), AD_CTL_PARSE_ERROR);
    assert_err(err, "--modes", "not a mode");
    assert_int_equal(COMPARE(&o, err, "compare", "-n", "0"), AD_CTL_PARSE_ERROR);
    assert_err(err, "-n", "'0'");
    assert_int_equal(COMPARE(&o, err, "compare", "-n", "1000001"), AD_CTL_PARSE_ERROR);
    assert_err(err, "-n", "out of range");
    assert_int_equal(COMPARE(&o, err, "compare", "http://a/", "--url", "http://b/"), AD_CTL_PARSE_ERROR);
    assert_err(err, "--url", "already");
    assert_int_equal(COMPARE(&o, err, "compare", "--timeout", "0"), AD_CTL_PARSE_ERROR);
    assert_err(err, "--timeout", "'0'");
    assert_int_equal(COMPARE(&o, err, "compare", "--rate", "5"), AD_CTL_PARSE_ERROR);
    assert_err(err, "unknown option", "--rate");
    assert_int_equal(COMPARE(&o, err, "compare", "--output"), AD_CTL_PARSE_ERROR);
    assert_err(err, "--output", "needs a value");
    assert_int_equal(COMPARE(&o, err, "compare", "--color=x"), AD_CTL_PARSE_ERROR);
    assert_err(err, "--color", "'x'");
}

static void test_stats(void **state)
{
    (void)state;
    ad_stats_opts_t o;
    char err[256] = "";
    assert_int_equal(STATS(&o, err, "stats"), AD_CTL_PARSE_OK);
    assert_string_equal(o.url, "http://127.0.0.1:8000/stats");
    assert_false(o.json);
    assert_false(o.watch);
    assert_int_equal(o.interval_ns, AD_NS_PER_SEC);
    assert_int_equal(o.timeout_ns, 5 * AD_NS_PER_SEC);
    assert_int_equal(
        STATS(&o, err, "stats", "http://127.0.0.1:9/", "--json", "-w", "-i", "250ms", "-t", "2s", "--color=never"),
        AD_CTL_PARSE_OK);
    assert_string_equal(o.url, "http://127.0.0.1:9/stats"); /* a base URL gets /stats */
    assert_true(o.json && o.watch);
    assert_int_equal(o.interval_ns, 250 * AD_NS_PER_MS);
    assert_int_equal(o.timeout_ns, 2 * AD_NS_PER_SEC);
    assert_int_equal(o.color, AD_COLOR_NEVER);
    assert_int_equal(STATS(&o, err, "stats", "--url=http://h:1/custom/stats", "--no-color", "--watch", "--interval=1"),
                     AD_CTL_PARSE_OK);
    assert_string_equal(o.url, "http://h:1/custom/stats");
    assert_int_equal(STATS(&o, err, "stats", "-i", "1ms"), AD_CTL_PARSE_ERROR);
    assert_err(err, "-i", "at least 10ms");
    assert_int_equal(STATS(&o, err, "stats", "--interval", "fast"), AD_CTL_PARSE_ERROR);
    assert_err(err, "--interval", "'fast'");
    assert_int_equal(STATS(&o, err, "stats", "--timeout", "0"), AD_CTL_PARSE_ERROR);
    assert_err(err, "--timeout", "'0'");
    assert_int_equal(STATS(&o, err, "stats", "a", "b"), AD_CTL_PARSE_ERROR);
    assert_err(err, "URL", "'a'");
    assert_int_equal(STATS(&o, err, "stats", "http://a/", "http://b/"), AD_CTL_PARSE_ERROR);
    assert_err(err, "URL", "already");
    assert_int_equal(STATS(&o, err, "stats", "-n", "5"), AD_CTL_PARSE_ERROR);
    assert_err(err, "unknown option", "'-n'");
    assert_int_equal(STATS(&o, err, "stats", "--color=blue"), AD_CTL_PARSE_ERROR);
    assert_err(err, "--color", "'blue'");
}

static void test_demo(void **state)
{
    (void)state;
    ad_demo_opts_t o;
    ad_compare_opts_t c;
    ad_bench_opts_t b;
    char err[256] = "", url[2048];
    assert_int_equal(DEMO(&o, err, "demo"), AD_CTL_PARSE_OK);
    assert_string_equal(o.url, "http://127.0.0.1:8000/");
    assert_int_equal(o.delay_ns, 2 * AD_NS_PER_SEC);
    assert_int_equal(o.n, 5);
    assert_int_equal(o.timeout_ns, 30 * AD_NS_PER_SEC);
    assert_int_equal(DEMO(&o, err, "demo", "http://127.0.0.1:8123", "--delay", "300ms", "-n", "3", "--journal",
                          "--no-progress", "--ascii", "--color=never"),
                     AD_CTL_PARSE_OK);
    assert_int_equal(o.delay_ns, 300 * AD_NS_PER_MS);
    assert_true(o.journal && o.no_progress && o.ascii);
    ad_demo_compare_opts(&o, &c);
    assert_string_equal(c.url, "http://127.0.0.1:8123/delay/0.3");
    assert_int_equal(c.n, 3);
    assert_int_equal(c.nmodes, 4);
    assert_true(c.journal && c.no_progress && c.ascii);
    ad_demo_bench_opts(&o, &b);
    assert_int_equal(b.requests, 3);
    assert_int_equal(b.concurrency, 3);
    assert_int_equal(b.delay_ns, 300 * AD_NS_PER_MS);
    assert_int_equal(b.nendpoints, 3);
    endpoint_url(&b, 2, url, sizeof(url));
    assert_string_equal(url, "http://127.0.0.1:8123/offload?delay=0.3");
    assert_int_equal(DEMO(&o, err, "demo", "-t", "7s", "-u", "http://h:1/base"), AD_CTL_PARSE_OK);
    assert_int_equal(o.timeout_ns, 7 * AD_NS_PER_SEC);
    ad_demo_compare_opts(&o, &c);
    assert_string_equal(c.url, "http://h:1/base/delay/2");
    assert_int_equal(DEMO(&o, err, "demo", "--url", "http://h/?q=1"), AD_CTL_PARSE_ERROR);
    assert_err(err, "--url", "without a query");
    assert_int_equal(DEMO(&o, err, "demo", "--delay", "x"), AD_CTL_PARSE_ERROR);
    assert_err(err, "--delay", "'x'");
    assert_int_equal(DEMO(&o, err, "demo", "-n", "0"), AD_CTL_PARSE_ERROR);
    assert_err(err, "-n", "'0'");
    assert_int_equal(DEMO(&o, err, "demo", "--timeout", "-1"), AD_CTL_PARSE_ERROR);
    assert_err(err, "--timeout", "negative");
    assert_int_equal(DEMO(&o, err, "demo", "--json"), AD_CTL_PARSE_ERROR);
    assert_err(err, "unknown option", "--json");
    assert_int_equal(DEMO(&o, err, "demo", "http://a/", "http://b/"), AD_CTL_PARSE_ERROR);
    assert_err(err, "URL", "already");
    assert_int_equal(DEMO(&o, err, "demo", "--color=x"), AD_CTL_PARSE_ERROR);
    assert_err(err, "--color", "'x'");
}

static void test_urls(void **state)
{
    (void)state;
    ad_url_t u;
    char err[160], buf[2048];
    assert_int_equal(ad_url_parse("http://127.0.0.1:8000", &u, err, sizeof(err)), 0);
    assert_string_equal(u.path, "/");
    assert_false(u.https);
    ad_url_authority(&u, buf, sizeof(buf));
    assert_string_equal(buf, "127.0.0.1:8000");
    assert_int_equal(ad_url_parse("http://h?x=1#frag", &u, err, sizeof(err)), 0);
    assert_string_equal(u.path, "/?x=1");
    ad_url_format(&u, buf, sizeof(buf));
    assert_string_equal(buf, "http://h/?x=1");
    ad_url_authority(&u, buf, sizeof(buf));
    assert_string_equal(buf, "h:80");
    assert_int_equal(ad_url_parse("http://[fe80::1%25eth0]:81/p", &u, err, sizeof(err)), 0);
    assert_string_equal(u.host, "fe80::1%25eth0");
    ad_url_authority(&u, buf, sizeof(buf));
    assert_string_equal(buf, "[fe80::1%25eth0]:81");
    assert_int_equal(ad_url_parse("https://a.b-c.example:65535/x/y?z", &u, err, sizeof(err)), 0);
    assert_int_equal(u.port, 65535);
    assert_true(u.https);
    assert_int_equal(ad_url_parse("http://h/\x01", &u, err, sizeof(err)), -1);
    assert_int_equal(ad_url_parse("http://h:123456/", &u, err, sizeof(err)), -1);
    assert_err(err, "port", NULL);
    assert_int_equal(ad_url_parse("http://[:]:80/", &u, err, sizeof(err)), -1);
    assert_int_equal(ad_url_parse(NULL, &u, err, sizeof(err)), -1);
    char longurl[1200];
    memset(longurl, 'a', sizeof(longurl) - 1);
    longurl[sizeof(longurl) - 1] = '\0';
    memcpy(longurl, "http://h/", 9);
    assert_int_equal(ad_url_parse(longurl, &u, err, sizeof(err)), -1);
    assert_err(err, "too long", NULL);
    memset(longurl, 'a', sizeof(longurl) - 1);
    memcpy(longurl, "http://", 7);
    assert_int_equal(ad_url_parse(longurl, &u, err, sizeof(err)), -1);
    assert_err(err, "too long", NULL);
}

/* --engine: bench's engine by name, in every form; refused where it cannot work or does not apply. */
static void test_bench_engine(void **state)
{
    (void)state;
    ad_bench_opts_t o;
    char err[256];
    assert_int_equal(BENCH(&o, err, "bench"), AD_CTL_PARSE_OK);
    assert_int_equal(o.engine, AD_BENCH_ENGINE_AUTO);
    assert_false(o.engine_set);
    assert_int_equal(BENCH(&o, err, "bench", "--engine", "curl"), AD_CTL_PARSE_OK);
    assert_int_equal(o.engine, AD_BENCH_ENGINE_CURL);
    assert_true(o.engine_set);
    assert_int_equal(BENCH(&o, err, "bench", "--engine=h2o"), AD_CTL_PARSE_OK);
    assert_int_equal(o.engine, AD_BENCH_ENGINE_H2O);
    /* the last one wins; auto given explicitly still counts as given (it overrides the environment) */
    assert_int_equal(BENCH(&o, err, "bench", "--engine=h2o", "--engine", "auto"), AD_CTL_PARSE_OK);
    assert_int_equal(o.engine, AD_BENCH_ENGINE_AUTO);
    assert_true(o.engine_set);
    assert_int_equal(BENCH(&o, err, "bench", "--engine", "curl", "https://example.org/"), AD_CTL_PARSE_OK);
    BENCH_ERR("--engine", "'turbo'", "bench", "--engine", "turbo");
    BENCH_ERR("--engine", "'H2O'", "bench", "--engine=H2O");
    BENCH_ERR("--engine", "needs a value", "bench", "--engine");
    /* the h2o engine speaks https too */
    assert_int_equal(BENCH(&o, err, "bench", "--engine", "h2o", "--url", "https://example.org/"), AD_CTL_PARSE_OK);
    assert_int_equal(o.engine, AD_BENCH_ENGINE_H2O);
    assert_true(o.base.https);
    /* bench's alone */
    ad_compare_opts_t c;
    assert_int_equal(COMPARE(&c, err, "compare", "--engine", "curl"), AD_CTL_PARSE_ERROR);
    assert_err(err, "--engine", "unknown");
    /* names both ways */
    static const char *const names[] = {"auto", "curl", "h2o", "nghttp2"};
    for (int e = AD_BENCH_ENGINE_AUTO; e <= AD_BENCH_ENGINE_NGHTTP2; e++) {
        ad_bench_engine_t back = (ad_bench_engine_t)-1;
        assert_int_equal(ad_bench_engine_from_name(names[e], &back), 0);
        assert_int_equal(back, e);
    }
    ad_bench_engine_t unchanged = AD_BENCH_ENGINE_CURL;
    assert_int_equal(ad_bench_engine_from_name(NULL, &unchanged), -1);
    assert_int_equal(ad_bench_engine_from_name("", &unchanged), -1);
    assert_int_equal(unchanged, AD_BENCH_ENGINE_CURL);
    assert_non_null(strstr(ad_ctl_usage(AD_CMD_BENCH), "--engine"));
}

/* The HTTP/2 form's fields, one "name: value" a line. */
static void h2_fields(const ad_request_h2_t *r, char *buf, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nfields; i++)
        n += (size_t)snprintf(buf + n, size - n, "%.*s: %.*s\n", (int)r->fields[i].name_len, r->fields[i].name,
                              (int)r->fields[i].value_len, r->fields[i].value);
}

/* The same shapes as the HTTP/2 engine sends them: pseudo-headers, lowercase names, Host as :authority. */
static void test_bench_request_shape_h2(void **state)
{
    (void)state;
    ad_bench_opts_t o;
    char err[256], buf[1024];
    ad_request_h2_t r;
    assert_int_equal(BENCH(&o, err, "bench"), AD_CTL_PARSE_OK);
    assert_int_equal(ad_request_shape_h2(&o.shape, "http", "/x?a=1", "h:80", "ua/1", &r), 0);
    h2_fields(&r, buf, sizeof(buf));
    assert_string_equal(buf, ":method: GET\n:scheme: http\n:authority: h:80\n:path: /x?a=1\nuser-agent: ua/1\n"
                             "accept: */*\n");
    ad_request_h2_free(&r);

    assert_int_equal(BENCH(&o, err, "bench", "-X", "PUT", "-H", "X-A:  1 ", "--header=user-agent:me", "-H",
                           "Host: other:9", "--body", "{\"a\":1}", "--content-type", "application/json"),
                     AD_CTL_PARSE_OK);
    assert_int_equal(ad_request_shape_h2(&o.shape, "https", "/d", "h", "ua/1", &r), 0);
    h2_fields(&r, buf, sizeof(buf));
    assert_string_equal(buf, ":method: PUT\n:scheme: https\n:authority: other:9\n:path: /d\naccept: */*\nx-a: 1\n"
                             "user-agent: me\ncontent-type: application/json\ncontent-length: 7\n");
    ad_request_h2_free(&r);
}

/* -X, -H, --body, --body-file, --content-type: checked, kept, and written as the h2o engine sends them. */
static void test_bench_request_shape(void **state)
{
    (void)state;
    ad_bench_opts_t o;
    char err[256];
    size_t len;
    assert_int_equal(BENCH(&o, err, "bench"), AD_CTL_PARSE_OK);
    assert_string_equal(ad_request_shape_method_name(&o.shape), "GET");
    char *req = ad_request_shape_http1(&o.shape, "/x?a=1", "h:80", "ua/1", &len);
    assert_string_equal(req, "GET /x?a=1 HTTP/1.1\r\nHost: h:80\r\nUser-Agent: ua/1\r\nAccept: */*\r\n\r\n");
    assert_int_equal(len, strlen(req));
    free(req);

    assert_int_equal(BENCH(&o, err, "bench", "-X", "PUT", "-H", "X-A: 1", "--header=user-agent:me", "--body",
                           "{\"a\":1}", "--content-type", "application/json"),
                     AD_CTL_PARSE_OK);
    assert_string_equal(ad_request_shape_method_name(&o.shape), "PUT");
    assert_int_equal(o.shape.nheaders, 2);
    assert_true(ad_request_shape_has_header(&o.shape, "User-Agent"));
    assert_false(ad_request_shape_has_header(&o.shape, "X"));
    req = ad_request_shape_http1(&o.shape, "/d", "h", "ua/1", &len);
    assert_string_equal(req, "PUT /d HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nX-A: 1\r\nuser-agent:me\r\n"
                             "Content-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
    free(req);

    /* a body alone makes a POST; an empty body is still a body */
    assert_int_equal(BENCH(&o, err, "bench", "--body="), AD_CTL_PARSE_OK);
    assert_string_equal(ad_request_shape_method_name(&o.shape), "POST");
    req = ad_request_shape_http1(&o.shape, "/", "h", "u", &len);
    assert_non_null(strstr(req, "Content-Length: 0\r\n\r\n"));
    free(req);
    assert_int_equal(BENCH(&o, err, "bench", "--body-file", "b.json"), AD_CTL_PARSE_OK);
    assert_string_equal(o.shape.body_file, "b.json");
    assert_string_equal(ad_request_shape_method_name(&o.shape), "POST");
    assert_int_equal(BENCH(&o, err, "bench", "-XHEAD"), AD_CTL_PARSE_OK);
    assert_true(ad_request_shape_no_answer_body(&o.shape));

    BENCH_ERR("-X", "is not an HTTP method", "bench", "-X", "GE T");
    BENCH_ERR("-X", "is not an HTTP method", "bench", "-X", "");
    BENCH_ERR("--method", "is not an HTTP method", "bench", "--method", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    BENCH_ERR("-H", "is not a header", "bench", "-H", "no colon");
    BENCH_ERR("-H", "is not a header", "bench", "-H", ": empty name");
    BENCH_ERR("-H", "is not a header", "bench", "-H", "Bad Name: x");
    BENCH_ERR("-H", "control character", "bench", "-H", "X: a\r\nInjected: 1");
    BENCH_ERR("-H", "sets Content-Length itself", "bench", "-H", "content-length: 3");
    BENCH_ERR("-H", "sets Transfer-Encoding itself", "bench", "-H", "Transfer-Encoding: chunked");
    BENCH_ERR("--content-type", "not a media type", "bench", "--content-type", "");
    BENCH_ERR("--content-type", "not a media type", "bench", "--content-type", "a\nb");
    BENCH_ERR("--body", "give one of them", "bench", "--body", "x", "--body-file", "f");
    BENCH_ERR("--content-type", "Content-Type header", "bench", "-H", "Content-Type: a/b", "--content-type", "c/d");
    BENCH_ERR("--body-file", "needs a file name", "bench", "--body-file=");
    const char *many[2 + 2 * (AD_CTL_HEADERS_MAX + 1)];
    int n = 0;
    many[n++] = "bench";
    for (int i = 0; i <= AD_CTL_HEADERS_MAX; i++) {
        many[n++] = "-H";
        many[n++] = "X: 1";
    }
    assert_int_equal(ad_ctl_parse_bench(n, (char **)many, &o, err, sizeof(err)), AD_CTL_PARSE_ERROR);
    assert_err(err, "-H", "at most 32 headers");
    /* bench's alone */
    ad_compare_opts_t c;
    assert_int_equal(COMPARE(&c, err, "compare", "-X", "POST"), AD_CTL_PARSE_ERROR);
    assert_err(err, "-X", "unknown");
}

/* --h2 and -m: streams only with --h2, never with the h2o engine or a connection per request. */
static void test_bench_h2(void **state)
{
    (void)state;
    ad_bench_opts_t o;
    char err[256];
    assert_int_equal(BENCH(&o, err, "bench"), AD_CTL_PARSE_OK);
    assert_false(o.h2);
    assert_int_equal(o.streams, 0);
    assert_int_equal(BENCH(&o, err, "bench", "--h2"), AD_CTL_PARSE_OK);
    assert_true(o.h2);
    assert_int_equal(o.streams, 1);
    assert_int_equal(BENCH(&o, err, "bench", "--h2", "-c", "64", "-m", "10"), AD_CTL_PARSE_OK);
    assert_int_equal(o.concurrency, 64);
    assert_int_equal(o.streams, 10);
    assert_int_equal(BENCH(&o, err, "bench", "--streams=1000", "--h2"), AD_CTL_PARSE_OK);
    BENCH_ERR("--streams", "only with --h2", "bench", "-m", "10");
    BENCH_ERR("-m", "out of range", "bench", "--h2", "-m", "0");
    BENCH_ERR("-m", "out of range", "bench", "--h2", "-m", "1001");
    BENCH_ERR("--streams", "over 100000", "bench", "--h2", "-c", "1000", "-m", "101");
    BENCH_ERR("--engine h2o", "HTTP/1.1 only", "bench", "--h2", "--engine", "h2o");
    /* the nghttp2 engine: h2c and h2 over TLS, both models */
    assert_int_equal(BENCH(&o, err, "bench", "--h2", "-m", "10", "--engine", "nghttp2"), AD_CTL_PARSE_OK);
    assert_int_equal(o.engine, AD_BENCH_ENGINE_NGHTTP2);
    BENCH_ERR("--engine nghttp2", "HTTP/2 only", "bench", "--engine", "nghttp2");
    assert_int_equal(BENCH(&o, err, "bench", "--h2", "--engine", "nghttp2", "https://h/"), AD_CTL_PARSE_OK);
    assert_int_equal(BENCH(&o, err, "bench", "--h2", "--engine", "nghttp2", "--rate", "10"), AD_CTL_PARSE_OK);
    BENCH_ERR("--no-keepalive", "not with --h2", "bench", "--h2", "--no-keepalive");
    BENCH_ERR("--h2", "takes no value", "bench", "--h2=yes");
    /* compare's -m is --modes */
    ad_compare_opts_t c;
    assert_int_equal(COMPARE(&c, err, "compare", "-m", "async"), AD_CTL_PARSE_OK);
    assert_false(c.h2);
    assert_int_equal(COMPARE(&c, err, "compare", "--h2", "https://127.0.0.1:8443/delay/1"), AD_CTL_PARSE_OK);
    assert_true(c.h2);
    assert_int_equal(COMPARE(&c, err, "compare", "--h2", "-m", "-1"), AD_CTL_PARSE_ERROR);
    assert_err(err, "-m", "not a mode");
    assert_int_equal(COMPARE(&c, err, "compare", "--h2=yes"), AD_CTL_PARSE_ERROR);
    assert_err(err, "--h2", "takes no value");
    assert_int_equal(COMPARE(&c, err, "compare", "--streams", "2"), AD_CTL_PARSE_ERROR);
    assert_err(err, "--streams", "unknown");
}

static void test_names_and_usage(void **state)
{
    (void)state;
    assert_int_equal(ad_ctl_command_from_name("bench"), AD_CMD_BENCH);
    assert_int_equal(ad_ctl_command_from_name("compare"), AD_CMD_COMPARE);
    assert_int_equal(ad_ctl_command_from_name("stats"), AD_CMD_STATS);
    assert_int_equal(ad_ctl_command_from_name("demo"), AD_CMD_DEMO);
    assert_int_equal(ad_ctl_command_from_name("help"), AD_CMD_HELP);
    assert_int_equal(ad_ctl_command_from_name("Bench"), AD_CMD_NONE);
    assert_int_equal(ad_ctl_command_from_name(NULL), AD_CMD_NONE);
    for (int m = 0; m < AD_MODE_COUNT; m++) {
        const char *name = ad_compare_mode_name((ad_compare_mode_t)m);
        assert_int_equal(ad_compare_mode_from_name(name, strlen(name)), m);
    }
    assert_int_equal(ad_compare_mode_from_name("asyn", 4), -1);
    assert_string_equal(ad_compare_mode_name(AD_MODE_COUNT), "unknown");
    /* each usage names its own flags */
    assert_non_null(strstr(ad_ctl_usage(AD_CMD_NONE), "bench"));
    assert_non_null(strstr(ad_ctl_usage(AD_CMD_NONE), "64"));
    assert_non_null(strstr(ad_ctl_usage(AD_CMD_BENCH), "--rate"));
    assert_non_null(strstr(ad_ctl_usage(AD_CMD_COMPARE), "--modes"));
    assert_non_null(strstr(ad_ctl_usage(AD_CMD_STATS), "--watch"));
    assert_non_null(strstr(ad_ctl_usage(AD_CMD_DEMO), "--delay"));
}

/* Random arguments never crash the parsers and always give a verdict with a message on error. */
static void test_random_arguments(void **state)
{
    (void)state;
    static const char *const pieces[] = {"-n",         "-c",
                                         "-d",         "-r",
                                         "-t",         "-e",
                                         "-u",         "-o",
                                         "-m",         "-i",
                                         "-w",         "-h",
                                         "--url",      "--url=",
                                         "--endpoint", "--rate=",
                                         "--modes",    "--color",
                                         "--",         "-",
                                         "http://",    "http://[::1]:",
                                         "/x",         "0",
                                         "1",          "9999999999999999999999",
                                         "1.5",        "250ms",
                                         "-1",         "async,",
                                         "",           "\xff\xfe",
                                         "%",          "=",
                                         "--json=1"};
    const size_t np = sizeof(pieces) / sizeof(pieces[0]);
    uint32_t seed = 12345;
    char storage[8][64];
    for (int round = 0; round < 20000; round++) {
        char *argv[9] = {"cmd"};
        int argc = 1 + (int)(seed % 8);
        for (int i = 1; i < argc; i++) {
            seed = seed * 1103515245u + 12345u;
            const char *a = pieces[(seed >> 8) % np], *b = pieces[(seed >> 16) % np];
            snprintf(storage[i - 1], sizeof(storage[i - 1]), "%s%s", a, (seed >> 24) % 3 == 0 ? b : "");
            argv[i] = storage[i - 1];
        }
        argv[argc] = NULL;
        seed = seed * 1103515245u + 12345u;
        char err[256] = "";
        ad_bench_opts_t b;
        ad_compare_opts_t c;
        ad_stats_opts_t st;
        ad_demo_opts_t d;
        int rc;
        switch (seed % 4) {
        case 0:
            rc = ad_ctl_parse_bench(argc, argv, &b, err, sizeof(err));
            break;
        case 1:
            rc = ad_ctl_parse_compare(argc, argv, &c, err, sizeof(err));
            break;
        case 2:
            rc = ad_ctl_parse_stats(argc, argv, &st, err, sizeof(err));
            break;
        default:
            rc = ad_ctl_parse_demo(argc, argv, &d, err, sizeof(err));
        }
        assert_true(rc == AD_CTL_PARSE_OK || rc == AD_CTL_PARSE_HELP || rc == AD_CTL_PARSE_ERROR);
        if (rc == AD_CTL_PARSE_ERROR)
            assert_true(err[0] != '\0');
    }
}

/* --shard I/N: this process's share of -n, -c and --rate; the shares of all N add up to the totals. */
static void test_bench_shards(void **state)
{
    (void)state;
    static const struct {
        uint64_t total;
        unsigned n;
    } cases[] = {{10, 3}, {5, 5}, {1000000000000, 7}, {17, 1}, {999, 1000}};
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        uint64_t sum = 0, lo = UINT64_MAX, hi = 0;
        for (unsigned i = 0; i < cases[c].n; i++) {
            uint64_t s = ad_shard_share(cases[c].total, i, cases[c].n);
            sum += s;
            lo = s < lo ? s : lo;
            hi = s > hi ? s : hi;
        }
        assert_int_equal(sum, cases[c].total);
        assert_true(hi - lo <= 1);
    }
    ad_bench_opts_t o;
    char err[256] = "";
    uint64_t requests = 0;
    unsigned conns = 0;
    double rate = 0, phases = 0;
    for (unsigned i = 1; i <= 3; i++) {
        char shard[8];
        snprintf(shard, sizeof(shard), "%u/3", i);
        assert_int_equal(BENCH(&o, err, "bench", "-n", "10", "-c", "5", "--rate", "100", "--shard", shard),
                         AD_CTL_PARSE_OK);
        assert_int_equal(o.shard, i);
        assert_int_equal(o.shards, 3);
        requests += o.requests;
        conns += o.concurrency;
        rate += o.rate;
        assert_true(fabs(ad_shard_phase(&o) - (i - 1) / 3.0) < 1e-12);
        phases += ad_shard_phase(&o);
    }
    assert_int_equal(requests, 10);
    assert_int_equal(conns, 5);
    assert_true(fabs(rate - 100) < 1e-9);
    /* the first shard gets the remainders */
    assert_int_equal(BENCH(&o, err, "bench", "-n", "10", "-c", "5", "--shard", "1/3"), AD_CTL_PARSE_OK);
    assert_int_equal(o.requests, 4);
    assert_int_equal(o.concurrency, 2);
    /* a duration-bound run splits only -c and --rate */
    assert_int_equal(BENCH(&o, err, "bench", "-d", "2s", "-c", "9", "--shard", "3/3"), AD_CTL_PARSE_OK);
    assert_int_equal(o.requests, 0);
    assert_int_equal(o.concurrency, 3);
    BENCH(&o, err, "bench");
    assert_int_equal(o.shards, 0);
    assert_true(ad_shard_phase(&o) == 0);
    /* --start-at */
    assert_int_equal(BENCH(&o, err, "bench", "--start-at", "2026-12-04T15:00:00Z"), AD_CTL_PARSE_OK);
    assert_int_equal(o.start_at_wall_ns, INT64_C(1796396400) * AD_NS_PER_SEC);
    assert_int_equal(BENCH(&o, err, "bench", "--start-at", "2026-12-04T16:00:00+01:00"), AD_CTL_PARSE_OK);
    assert_int_equal(o.start_at_wall_ns, INT64_C(1796396400) * AD_NS_PER_SEC);
    BENCH_ERR("--shard", "'2'", "bench", "--shard", "2");
    BENCH_ERR("--shard", "'a/3'", "bench", "--shard", "a/3");
    BENCH_ERR("--shard", "out of range", "bench", "--shard", "0/3");
    BENCH_ERR("--shard", "out of range", "bench", "--shard", "1/0");
    BENCH_ERR("--shard", "out of range", "bench", "--shard", "1/1001");
    BENCH_ERR("--shard", "does not exist", "bench", "--shard", "4/3");
    BENCH_ERR("--shard", "'/3'", "bench", "--shard", "/3");
    BENCH_ERR("-c 2 cannot be split between 3 shards", NULL, "bench", "-c", "2", "--shard", "1/3");
    BENCH_ERR("-n 2 cannot be split between 3 shards", NULL, "bench", "-n", "2", "-c", "3", "--shard", "1/3");
    BENCH_ERR("--start-at", "'15:00'", "bench", "--start-at", "15:00");
    BENCH_ERR("--start-at", "RFC 3339", "bench", "--start-at", "2026-12-04 15:00:00Z");
    BENCH_ERR("--fail-if", "'p99'", "bench", "--fail-if", "p99");
    BENCH_ERR("--interval", "below 1ms", "bench", "--interval", "500us");
    BENCH_ERR("--html", "needs a file name", "bench", "--html", "-");
}

/* --rate R:D,...: stages give the run's length and mean rate; a shard takes its share of each target. */
static void test_bench_rate_stages(void **state)
{
    (void)state;
    ad_bench_opts_t o;
    char err[256] = "";
    assert_int_equal(BENCH(&o, err, "bench", "--rate", "100:10s,1000:30s,0:5s", "-c", "50"), AD_CTL_PARSE_OK);
    assert_int_equal(o.nstages, 3);
    assert_int_equal(o.duration_ns, 45 * AD_NS_PER_SEC);
    assert_int_equal(o.requests, 0); /* as many as the stages schedule */
    assert_true(fabs(o.rate - 19500.0 / 45) < 1e-9);
    assert_int_equal(BENCH(&o, err, "bench", "--rate", "300:1s", "-n", "20", "--shard", "2/3"), AD_CTL_PARSE_OK);
    assert_true(o.stages[0].target == 100);
    assert_int_equal(o.requests, 7);
    /* the last --rate wins, stages or not */
    assert_int_equal(BENCH(&o, err, "bench", "--rate", "300:1s", "--rate", "50"), AD_CTL_PARSE_OK);
    assert_int_equal(o.nstages, 0);
    assert_true(o.rate == 50);
    BENCH_ERR("--rate", "stage 2 '5s' is not RATE:DURATION", "bench", "--rate", "100:10s,5s");
    BENCH_ERR("--duration", "give the run's length", "bench", "--rate", "100:10s", "-d", "5s");
    BENCH_ERR("--warmup", "not with --rate stages", "bench", "--rate", "100:10s", "--warmup", "1s");
}

static void test_bench_auto_threads(void **state)
{
    (void)state;
    assert_int_equal(ad_bench_auto_threads(2, 64), 2); /* one per CPU */
    assert_int_equal(ad_bench_auto_threads(8, 5), 5);  /* never more loops than connections */
    assert_int_equal(ad_bench_auto_threads(1, 64), 1);
    assert_int_equal(ad_bench_auto_threads(-1, 64), 1); /* sysconf failed */
    assert_int_equal(ad_bench_auto_threads(0, 64), 1);
    assert_int_equal(ad_bench_auto_threads(512, 10000), AD_CTL_THREADS_MAX);
    assert_int_equal(ad_bench_auto_threads(4, 0), 4); /* no concurrency bound given */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_value_flag_every_form),
        cmocka_unit_test(test_color_optional_value),
        cmocka_unit_test(test_bench_defaults),
        cmocka_unit_test(test_bench_every_flag_long),
        cmocka_unit_test(test_bench_short_and_inline_forms),
        cmocka_unit_test(test_bench_derived_defaults),
        cmocka_unit_test(test_bench_url_forms),
        cmocka_unit_test(test_bench_errors),
        cmocka_unit_test(test_bench_engine),
        cmocka_unit_test(test_bench_request_shape),
        cmocka_unit_test(test_bench_request_shape_h2),
        cmocka_unit_test(test_bench_h2),
        cmocka_unit_test(test_help_and_double_dash),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_demo),
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_names_and_usage),
        cmocka_unit_test(test_random_arguments),
        cmocka_unit_test(test_bench_auto_threads),
        cmocka_unit_test(test_bench_shards),
        cmocka_unit_test(test_bench_rate_stages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
