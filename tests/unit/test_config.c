/* Config: defaults, listen addresses, the file format and its messages, validation, the command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <syslog.h>
#include <cmocka.h>

#include "clock.h"
#include "config.h"
#include "endpoint_list.h"
#include "test_config_fixtures.h"

#ifndef AD_EXAMPLE_CONF
#error "AD_EXAMPLE_CONF must name packaging/asyncdemod.conf"
#endif

static int parse(ad_config_t *cfg, const char *text)
{
    err[0] = '\0';
    return ad_config_parse_text(cfg, text, strlen(text), "t.conf", err, sizeof(err));
}

static void expect_parse_error(const char *text, const char *message)
{
    ad_config_t cfg;
    ad_config_defaults(&cfg);
    assert_int_equal(parse(&cfg, text), -1);
    assert_string_equal(err, message);
}

/* ---- defaults and listen addresses ---- */

static void test_defaults(void **state)
{
    (void)state;
    ad_config_t cfg;
    ad_config_defaults(&cfg);
    assert_int_equal(cfg.nlisten, 1);
    assert_string_equal(cfg.listen[0].text, "127.0.0.1:8000");
    assert_int_equal(cfg.threads, 1);
    assert_int_equal(cfg.max_delay_ns, 30 * AD_NS_PER_SEC);
    assert_int_equal(cfg.default_delay_ns, 2 * AD_NS_PER_SEC);
    assert_int_equal(cfg.pool_size, 8);
    assert_int_equal(cfg.pool_queue, 64);
    assert_int_equal(cfg.log_level, LOG_INFO);
    assert_int_equal(cfg.stall_threshold_ns, 100 * AD_NS_PER_MS);
    assert_int_equal(cfg.tick_interval_ns, 50 * AD_NS_PER_MS);
    assert_int_equal(cfg.drain_timeout_ns, 35 * AD_NS_PER_SEC);
    assert_string_equal(cfg.config_path, "");
    assert_int_equal(ad_config_validate(&cfg, err, sizeof(err)), 0);
}

static void test_listen_ok(void **state)
{
    (void)state;
    ad_listen_addr_t a;
    assert_int_equal(ad_listen_addr_parse("127.0.0.1:8000", &a, err, sizeof(err)), 0);
    const struct sockaddr_in *sin = (const struct sockaddr_in *)&a.addr;
    assert_int_equal(sin->sin_family, AF_INET);
    assert_int_equal(ntohs(sin->sin_port), 8000);
    assert_int_equal(ntohl(sin->sin_addr.s_addr), 0x7f000001);
    assert_int_equal(a.addrlen, sizeof(struct sockaddr_in));

    assert_int_equal(ad_listen_addr_parse("[::1]:65535", &a, err, sizeof(err)), 0);
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&a.addr;
    assert_int_equal(sin6->sin6_family, AF_INET6);
    assert_int_equal(ntohs(sin6->sin6_port), 65535);
    assert_true(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
    assert_int_equal(a.addrlen, sizeof(struct sockaddr_in6));
    assert_string_equal(a.text, "[::1]:65535");

    assert_int_equal(ad_listen_addr_parse("0.0.0.0:0", &a, err, sizeof(err)), 0);
    assert_string_equal(a.text, "0.0.0.0:0");
    assert_int_equal(ad_listen_addr_parse(":8000", &a, err, sizeof(err)), 0);
    assert_string_equal(a.text, "127.0.0.1:8000");
    /* normalised */
    assert_int_equal(ad_listen_addr_parse("[0:0::0:1]:08080", &a, err, sizeof(err)), 0);
    assert_string_equal(a.text, "[::1]:8080");
    assert_int_equal(
        ad_listen_addr_parse("[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535", &a, err, sizeof(err)), 0);
}

static void test_listen_errors(void **state)
{
    (void)state;
    static const struct {
        const char *in, *msg;
    } cases[] = {
        {"127.0.0.1", "'127.0.0.1': expected ADDR:PORT (e.g. 127.0.0.1:8000 or [::1]:8000)"},
        {"127.0.0.1:", "'127.0.0.1:': port must be a number from 0 to 65535"},
        {"127.0.0.1:65536", "'127.0.0.1:65536': port must be a number from 0 to 65535"},
        {"127.0.0.1:-1", "'127.0.0.1:-1': port must be a number from 0 to 65535"},
        {"127.0.0.1:80x", "'127.0.0.1:80x': port must be a number from 0 to 65535"},
        {"127.0.0.1:123456", "'127.0.0.1:123456': port must be a number from 0 to 65535"},
        {"localhost:80", "'localhost:80': host must be a numeric IPv4 address or [IPv6] (no names)"},
        {"256.1.1.1:80", "'256.1.1.1:80': host must be a numeric IPv4 address or [IPv6] (no names)"},
        {"::1:8000", "'::1:8000': put an IPv6 address in brackets, e.g. [::1]:8000"},
        {"[::1:8000", "'[::1:8000': missing ']' after the IPv6 address"},
        {"[::1]", "'[::1]': expected [IPV6]:PORT"},
        {"[::1]8000", "'[::1]8000': expected [IPV6]:PORT"},
        {"[127.0.0.1]:80", "'[127.0.0.1]:80': not a numeric IPv6 address"},
        {"[fe80::1%eth0]:80", "'[fe80::1%eth0]:80': not a numeric IPv6 address"},
        {"", "'': expected ADDR:PORT (e.g. 127.0.0.1:8000 or [::1]:8000)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ad_listen_addr_t a;
        err[0] = '\0';
        assert_int_equal(ad_listen_addr_parse(cases[i].in, &a, err, sizeof(err)), -1);
        assert_string_equal(err, cases[i].msg);
    }
    /* hostile length: refused, message bounded */
    char huge[5000];
    memset(huge, '1', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    huge[100] = ':';
    ad_listen_addr_t a;
    assert_int_equal(ad_listen_addr_parse(huge, &a, err, sizeof(err)), -1);
    assert_true(strlen(err) < 200);
}

/* ---- the file format ---- */

static void test_parse_all_keys(void **state)
{
    (void)state;
    ad_config_t cfg;
    ad_config_defaults(&cfg);
    assert_int_equal(parse(&cfg, "# comment\n"
                                 "\n"
                                 "   \t\n"
                                 "listen = [::1]:9000\n"
                                 "  listen=127.0.0.2:9001   # trailing comment\r\n"
                                 "threads = 4\n"
                                 "max-delay = 1m\n"
                                 "default-delay = 250ms\n"
                                 "pool-size = 256\n"
                                 "pool-queue = 0\n"
                                 "log-level = debug\n"
                                 "stall-threshold = 1s\n"
                                 "tick-interval = 1ms\n"
                                 "drain-timeout = 0\n"
                                 "# no newline at the end"),
                     0);
    assert_int_equal(cfg.nlisten, 2);
    assert_string_equal(cfg.listen[0].text, "[::1]:9000");
    assert_string_equal(cfg.listen[1].text, "127.0.0.2:9001");
    assert_int_equal(cfg.threads, 4);
    assert_int_equal(cfg.max_delay_ns, 60 * AD_NS_PER_SEC);
    assert_int_equal(cfg.default_delay_ns, 250 * AD_NS_PER_MS);
    assert_int_equal(cfg.pool_size, 256);
    assert_int_equal(cfg.pool_queue, 0);
    assert_int_equal(cfg.log_level, LOG_DEBUG);
    assert_int_equal(cfg.stall_threshold_ns, AD_NS_PER_SEC);
    assert_int_equal(cfg.tick_interval_ns, AD_NS_PER_MS);
    assert_int_equal(cfg.drain_timeout_ns, 0);
    assert_int_equal(ad_config_validate(&cfg, err, sizeof(err)), 0);
}

static void test_parse_empty_and_later_wins(void **state)
{
    (void)state;
    ad_config_t cfg;
    ad_config_defaults(&cfg);
    assert_int_equal(parse(&cfg, ""), 0);
    assert_int_equal(parse(&cfg, "threads = 2\nthreads = 3\n"), 0);
    assert_int_equal(cfg.threads, 3);
    assert_int_equal(cfg.nlisten, 1); /* no listen line keeps the default */
    assert_string_equal(cfg.listen[0].text, "127.0.0.1:8000");
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_parse_error("threads = 2\nbogus = 1\n", "t.conf:2: key 'bogus': unknown key");
    expect_parse_error("\n\nthreads 4\n", "t.conf:3: key 'threads': missing '=' (expected \"key = value\")");
    expect_parse_error("= 4\n", "t.conf:1: key '': missing key name before '='");
    expect_parse_error("threads = abc",
                       "t.conf:1: key 'threads': bad value 'abc': expected a whole number from 1 to 64");
    expect_parse_error("threads =", "t.conf:1: key 'threads': bad value '': expected a whole number from 1 to 64");
    expect_parse_error("threads = -1", "t.conf:1: key 'threads': bad value '-1': expected a whole number from 1 to 64");
    expect_parse_error("threads = 0", "t.conf:1: key 'threads': 0 is out of range (1 to 64)");
    expect_parse_error("threads = 65", "t.conf:1: key 'threads': 65 is out of range (1 to 64)");
    expect_parse_error("threads = 99999999999999999999999",
                       "t.conf:1: key 'threads': 99999999999999999999999 is out of range (1 to 64)");
    expect_parse_error("pool-size = 257", "t.conf:1: key 'pool-size': 257 is out of range (1 to 256)");
    expect_parse_error("pool-size = 0", "t.conf:1: key 'pool-size': 0 is out of range (1 to 256)");
    expect_parse_error("pool-queue = 100001", "t.conf:1: key 'pool-queue': 100001 is out of range (0 to 100000)");
    expect_parse_error("max-delay = 2h", "t.conf:1: key 'max-delay': 2h is out of range (0 to 1h)");
    expect_parse_error("tick-interval = 999us", "t.conf:1: key 'tick-interval': 999us is out of range (1ms to 1s)");
    expect_parse_error("tick-interval = 2s", "t.conf:1: key 'tick-interval': 2s is out of range (1ms to 1s)");
    expect_parse_error("stall-threshold = 0", "t.conf:1: key 'stall-threshold': 0 is out of range (1ms to 1h)");
    expect_parse_error("drain-timeout = 99999999999999999999999",
                       "t.conf:1: key 'drain-timeout': 99999999999999999999999 is out of range (0 to 1h)");
    expect_parse_error(
        "listen = localhost:80",
        "t.conf:1: key 'listen': 'localhost:80': host must be a numeric IPv4 address or [IPv6] (no names)");
    expect_parse_error("listen = 127.0.0.1:1\nlisten = 127.0.0.1:1",
                       "t.conf:2: key 'listen': 127.0.0.1:1 is given twice");
    /* port 0 twice is fine: two sockets on two free ports */
    ad_config_t two;
    ad_config_defaults(&two);
    assert_int_equal(parse(&two, "listen = 127.0.0.1:0\nlisten = 127.0.0.1:0\n"), 0);
    assert_int_equal(two.nlisten, 2);
    expect_parse_error("log-level = loud",
                       "t.conf:1: key 'log-level': bad value 'loud': expected err, warning, notice, info or debug");
    /* hostile bytes are not echoed raw */
    static const char nul_line[] = "threads = 1\0 2\n";
    ad_config_t cfg;
    ad_config_defaults(&cfg);
    assert_int_equal(ad_config_parse_text(&cfg, nul_line, sizeof(nul_line) - 1, "t.conf", err, sizeof(err)), -1);
    assert_string_equal(err, "t.conf:1: key 'threads': bad value '1\\x00 2': contains a NUL byte");
    /* non-ASCII and escape sequences are escaped, not sent to a terminal */
    expect_parse_error("thr\xc3\xa9"
                       "ads = 1",
                       "t.conf:1: key 'thr\\xc3\\xa9ads': unknown key");
    expect_parse_error("threads = \x1b]0;pwned\x07", "t.conf:1: key 'threads': bad value '\\x1b]0;pwned\\x07': "
                                                     "expected a whole number from 1 to 64");
    /* a UTF-8 byte order mark is accepted at the start only; elsewhere it is named */
    ad_config_defaults(&cfg);
    assert_int_equal(parse(&cfg, "\xef\xbb\xbfthreads = 3\n"), 0);
    assert_int_equal(cfg.threads, 3);
    expect_parse_error("threads = 3\n\xef\xbb\xbfpool-size = 2",
                       "t.conf:2: key '\\xef\\xbb\\xbfpool-size': unknown key");
}

static void test_parse_duration_errors_name_key(void **state)
{
    (void)state;
    static const char *const keys[] = {"max-delay",     "default-delay",  "stall-threshold", "tick-interval",
                                       "drain-timeout", "header-timeout", "idle-timeout",    "send-timeout"};
    static const char *const values[] = {"abc", "2sec", "-1s", "1e3", "", "10 s", "5m30s", "0x10"};
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
            char text[128], prefix[128];
            ad_config_t cfg;
            ad_config_defaults(&cfg);
            snprintf(text, sizeof(text), "\n%s = %s\n", keys[k], values[v]);
            snprintf(prefix, sizeof(prefix), "t.conf:2: key '%s': bad value '%s': ", keys[k], values[v]);
            assert_int_equal(parse(&cfg, text), -1);
            assert_memory_equal(err, prefix, strlen(prefix));
            assert_non_null(strstr(err, "expected a duration such as 250ms, 2s or 0.5"));
        }
    }
}

static void test_parse_too_many_listen_and_long_values(void **state)
{
    (void)state;
    char text[4096] = "";
    for (int i = 0; i <= AD_MAX_LISTEN; i++) {
        char line[64];
        snprintf(line, sizeof(line), "listen = 127.0.0.1:%d\n", 9000 + i);
        strcat(text, line);
    }
    char expect[128];
    snprintf(expect, sizeof(expect), "t.conf:%d: key 'listen': at most %d listen addresses", AD_MAX_LISTEN + 1,
             AD_MAX_LISTEN);
    expect_parse_error(text, expect);

    /* a long value: refused, the message quotes a bounded piece of it */
    char *big = malloc(100000);
    assert_non_null(big);
    strcpy(big, "max-delay = ");
    memset(big + 12, '1', 90000);
    big[90012] = '\0';
    ad_config_t cfg;
    ad_config_defaults(&cfg);
    assert_int_equal(parse(&cfg, big), -1);
    assert_memory_equal(err, "t.conf:1: key 'max-delay': bad value '111", 40);
    assert_non_null(strstr(err, "...': longer than 255 bytes"));
    free(big);
}

/* ---- files on disk ---- */

static char *write_temp(const char *text)
{
    char *path = strdup("/tmp/ad-test-config-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_load_file(void **state)
{
    (void)state;
    ad_config_t cfg;
    ad_config_defaults(&cfg);
    char *path = write_temp("threads = 3\nnope = 1\n");
    char expect[256];
    assert_int_equal(ad_config_load_file(&cfg, path, err, sizeof(err)), -1);
    snprintf(expect, sizeof(expect), "%s:2: key 'nope': unknown key", path);
    assert_string_equal(err, expect);
    unlink(path);
    free(path);

    assert_int_equal(ad_config_load_file(&cfg, "/nonexistent/asyncdemod.conf", err, sizeof(err)), -1);
    assert_string_equal(err, "/nonexistent/asyncdemod.conf: cannot open: No such file or directory");
    assert_int_equal(ad_config_load_file(&cfg, "/", err, sizeof(err)), -1);
    assert_string_equal(err, "/: not a regular file (a directory)");
    assert_int_equal(ad_config_load_file(&cfg, "/dev/zero", err, sizeof(err)), -1);
    assert_string_equal(err, "/dev/zero: not a regular file (a device)");
}

/* A FIFO with no writer must be refused at once: a blocking open or read would hang the reload's loop. */
static void test_load_fifo_refused(void **state)
{
    (void)state;
    char dir[] = "/tmp/ad-test-fifo-XXXXXX", path[64], expect[128];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/conf", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    ad_config_t cfg;
    ad_config_defaults(&cfg);
    assert_int_equal(ad_config_load_file(&cfg, path, err, sizeof(err)), -1);
    snprintf(expect, sizeof(expect), "%s: not a regular file (a FIFO)", path);
    assert_string_equal(err, expect);
    unlink(path);
    rmdir(dir);
}

/* Every "#key = value" line of the shipped file, uncommented, must give exactly the defaults. */
static void test_example_file(void **state)
{
    (void)state;
    ad_config_t cfg, def;
    ad_config_defaults(&def);
    ad_config_defaults(&cfg);
    assert_int_equal(ad_config_load_file(&cfg, AD_EXAMPLE_CONF, err, sizeof(err)), 0);
    assert_int_equal(ad_config_validate(&cfg, err, sizeof(err)), 0);

    FILE *f = fopen(AD_EXAMPLE_CONF, "r");
    assert_non_null(f);
    char text[16384] = "", line[512];
    int settings = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        size_t k = strspn(line + 1, "abcdefghijklmnopqrstuvwxyz-");
        if (line[0] == '#' && k > 0 && strncmp(line + 1 + k, " = ", 3) == 0) {
            strcat(text, line + 1);
            settings++;
        }
    }
    fclose(f);
    assert_int_equal(parse(&cfg, text), 0);
    assert_int_equal(settings, 23); /* twenty-one keys, listen three times */
    assert_int_equal(cfg.nlisten, 3);
    assert_string_equal(cfg.listen[0].text, "127.0.0.1:8000");
    assert_string_equal(cfg.listen[1].text, "[::1]:8000");
    /* the TLS example belongs to the third listen only */
    assert_string_equal(cfg.listen[2].text, "127.0.0.1:8443");
    assert_string_equal(cfg.listen[2].tls_cert, "/etc/asyncdemod/cert.pem");
    assert_string_equal(cfg.listen[2].tls_key, "/etc/asyncdemod/key.pem");
    assert_string_equal(cfg.listen[1].tls_cert, "");
    cfg.nlisten = 1;
    assert_memory_equal(&cfg.listen[0], &def.listen[0], sizeof(cfg.listen[0]));
    assert_int_equal(cfg.threads, def.threads);
    assert_int_equal(cfg.max_delay_ns, def.max_delay_ns);
    assert_int_equal(cfg.default_delay_ns, def.default_delay_ns);
    assert_int_equal(cfg.pool_size, def.pool_size);
    assert_int_equal(cfg.pool_queue, def.pool_queue);
    assert_int_equal(cfg.log_level, def.log_level);
    assert_int_equal(cfg.stall_threshold_ns, def.stall_threshold_ns);
    assert_int_equal(cfg.tick_interval_ns, def.tick_interval_ns);
    assert_int_equal(cfg.drain_timeout_ns, def.drain_timeout_ns);
    assert_int_equal(cfg.max_connections, def.max_connections);
    assert_int_equal(cfg.max_waiting, def.max_waiting);
    assert_int_equal(cfg.header_timeout_ns, def.header_timeout_ns);
    assert_int_equal(cfg.idle_timeout_ns, def.idle_timeout_ns);
    assert_int_equal(cfg.send_timeout_ns, def.send_timeout_ns);
    assert_int_equal(cfg.ui, def.ui);
    assert_int_equal(cfg.events_clients, def.events_clients);
    assert_int_equal(cfg.max_body, def.max_body);
    assert_int_equal(cfg.hsts_max_age, def.hsts_max_age);
}

/* ---- validation ---- */

static void test_validate(void **state)
{
    (void)state;
    EXPECT_REFUSED("default-delay (31s) must not exceed max-delay (30s)", cfg.default_delay_ns = 31 * AD_NS_PER_SEC);
    EXPECT_REFUSED("stall-threshold (20ms) must be at least tick-interval (50ms)",
                   cfg.stall_threshold_ns = 20 * AD_NS_PER_MS);
    EXPECT_REFUSED("threads: 0 is out of range (1 to 64)", cfg.threads = 0);
    EXPECT_REFUSED("pool-queue: 100001 is out of range (0 to 100000)", cfg.pool_queue = 100001);
    EXPECT_REFUSED("tick-interval: 2000000000 is out of range (1ms to 1s)", cfg.tick_interval_ns = 2 * AD_NS_PER_SEC);
    EXPECT_REFUSED("listen: between 1 and 16 addresses are needed", cfg.nlisten = 0);

    ad_config_t cfg;
    ad_config_defaults(&cfg);
    cfg.max_delay_ns = 0;
    cfg.default_delay_ns = 0;
    assert_int_equal(ad_config_validate(&cfg, err, sizeof(err)), 0);
}

/* ---- command line ---- */

#define CLI(...) cli(&cfg, &action, (const char *const[]){__VA_ARGS__, NULL})

static void test_cli_flags(void **state)
{
    (void)state;
    ad_config_t cfg;
    ad_cli_action_t action;

    assert_int_equal(cli(&cfg, &action, (const char *const[]){NULL}), 0);
    assert_int_equal(action, AD_CLI_RUN);
    assert_int_equal(cfg.nlisten, 1);

    assert_int_equal(CLI("--listen", "[::1]:0", "--listen=127.0.0.1:0", "--threads=2", "--max-delay", "10s",
                         "--default-delay=1", "--pool-size", "8", "--pool-queue=5", "--log-level", "warning",
                         "--stall-threshold=200ms", "--tick-interval", "20ms", "--drain-timeout=5s"),
                     0);
    assert_int_equal(action, AD_CLI_RUN);
    assert_int_equal(cfg.nlisten, 2); /* the first --listen replaced the default */
    assert_string_equal(cfg.listen[0].text, "[::1]:0");
    assert_string_equal(cfg.listen[1].text, "127.0.0.1:0");
    assert_int_equal(cfg.threads, 2);
    assert_int_equal(cfg.max_delay_ns, 10 * AD_NS_PER_SEC);
    assert_int_equal(cfg.default_delay_ns, AD_NS_PER_SEC);
    assert_int_equal(cfg.pool_size, 8);
    assert_int_equal(cfg.pool_queue, 5);
    assert_int_equal(cfg.log_level, LOG_WARNING);
    assert_int_equal(cfg.stall_threshold_ns, 200 * AD_NS_PER_MS);
    assert_int_equal(cfg.tick_interval_ns, 20 * AD_NS_PER_MS);
    assert_int_equal(cfg.drain_timeout_ns, 5 * AD_NS_PER_SEC);

    assert_int_equal(CLI("--help"), 0);
    assert_int_equal(action, AD_CLI_HELP);
    assert_int_equal(CLI("-h"), 0);
    assert_int_equal(action, AD_CLI_HELP);
    assert_int_equal(CLI("--version"), 0);
    assert_int_equal(action, AD_CLI_VERSION);
    assert_int_equal(CLI("-V"), 0);
    assert_int_equal(action, AD_CLI_VERSION);
    assert_int_equal(CLI("--threads=0", "--version", "--help"), 0); /* help wins, bad values ignored */
    assert_int_equal(action, AD_CLI_HELP);
    assert_non_null(strstr(ad_cli_usage(), "--listen ADDR:PORT"));
    /* every endpoint of the list, as --help shows it, and the list's end */
    const char *paths[] = {
#define AD_X(id, path, match, methods, slot, ...) AD_ENDPOINT_IF_OWN_##slot(AD_ENDPOINT_USAGE_##match(path), )
        AD_ENDPOINTS(AD_X)
#undef AD_X
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        if (strstr(ad_cli_usage(), paths[i]) == NULL)
            fail_msg("--help does not name %s", paths[i]);
    assert_non_null(strstr(ad_cli_usage(), "/delay/{n}"));
    /* the sentence ends the list, wherever the wrapping breaks it: read with line breaks as spaces */
    char flat[4096];
    snprintf(flat, sizeof(flat), "%s", ad_cli_usage());
    for (char *c = flat; *c != '\0'; c++)
        *c = *c == '\n' ? ' ' : *c;
    assert_non_null(strstr(flat, "/healthz, and a page at / that runs the lesson in a browser. "));
}

/* tls-cert and tls-key belong to the listen given just before them, in the file and on the command line. */
static void test_tls_files(void **state)
{
    (void)state;
    ad_config_t cfg;
    ad_cli_action_t action;
    ad_config_defaults(&cfg);
    assert_int_equal(parse(&cfg, "listen = 127.0.0.1:8000\nlisten = 127.0.0.1:8443\ntls-cert = c.pem\n"
                                 "tls-key = k.pem\nlisten = [::1]:8000\n"),
                     0);
    assert_int_equal(ad_config_validate(&cfg, err, sizeof(err)), 0);
    assert_string_equal(cfg.listen[0].tls_cert, "");
    assert_string_equal(cfg.listen[1].tls_cert, "c.pem");
    assert_string_equal(cfg.listen[1].tls_key, "k.pem");
    assert_string_equal(cfg.listen[2].tls_key, "");

    expect_parse_error("tls-cert = c.pem\n", "t.conf:1: key 'tls-cert': give it after the listen address it belongs "
                                             "to (e.g. --listen 127.0.0.1:8443 --tls-cert cert.pem --tls-key key.pem)");

    ad_config_defaults(&cfg);
    assert_int_equal(parse(&cfg, "listen = 127.0.0.1:8443\ntls-cert = c.pem\n"), 0);
    assert_int_equal(ad_config_validate(&cfg, err, sizeof(err)), -1);
    assert_string_equal(err, "listen 127.0.0.1:8443: tls-cert given without tls-key (TLS needs both)");
    ad_config_defaults(&cfg);
    assert_int_equal(parse(&cfg, "listen = 127.0.0.1:8443\ntls-key = k.pem\n"), 0);
    assert_int_equal(ad_config_validate(&cfg, err, sizeof(err)), -1);
    assert_string_equal(err, "listen 127.0.0.1:8443: tls-key given without tls-cert (TLS needs both)");

    char longpath[AD_TLS_PATH_MAX + 1];
    memset(longpath, 'a', AD_TLS_PATH_MAX);
    longpath[AD_TLS_PATH_MAX] = '\0';
    assert_int_equal(CLI("--listen", "127.0.0.1:0", "--tls-cert", longpath), -1);
    assert_non_null(strstr(err, "--tls-cert: bad value 'aaaa"));
    assert_non_null(strstr(err, "expected a file name of 1 to 255 bytes"));

    assert_int_equal(CLI("--listen", "127.0.0.1:0", "--tls-cert", "c.pem", "--tls-key=k.pem", "--listen", "[::1]:0"),
                     0);
    assert_int_equal(cfg.nlisten, 2);
    assert_string_equal(cfg.listen[0].tls_cert, "c.pem");
    assert_string_equal(cfg.listen[0].tls_key, "k.pem");
    assert_string_equal(cfg.listen[1].tls_cert, "");
    /* on the command line too, a TLS flag needs a --listen before it */
    assert_int_equal(CLI("--tls-cert", "c.pem", "--listen", "127.0.0.1:0"), -1);
    assert_non_null(strstr(err, "--tls-cert: give it after the listen address it belongs to"));
}

/* hsts-max-age: off by default; seconds up to two years. */
static void test_hsts_max_age(void **state)
{
    (void)state;
    ad_config_t cfg;
    ad_config_defaults(&cfg);
    assert_int_equal(cfg.hsts_max_age, 0);
    assert_int_equal(parse(&cfg, "hsts-max-age = 63072000\n"), 0);
    assert_int_equal(cfg.hsts_max_age, 63072000);
    expect_parse_error("hsts-max-age = 63072001\n",
                       "t.conf:1: key 'hsts-max-age': 63072001 is out of range (0 to 63072000)");
    ad_cli_action_t action;
    assert_int_equal(CLI("--hsts-max-age=300"), 0);
    assert_int_equal(cfg.hsts_max_age, 300);
}

/* Socket activation: a passed socket's listen entry, by its FileDescriptorName= first, then by its address. */
static void test_listen_for_socket(void **state)
{
    (void)state;
    ad_config_t cfg;
    ad_config_defaults(&cfg);
    assert_int_equal(parse(&cfg, "listen = 127.0.0.1:8000\nlisten = 127.0.0.1:8443\ntls-cert = c.pem\n"
                                 "tls-key = k.pem\nlisten = 127.0.0.1:9443\ntls-cert = d.pem\ntls-key = e.pem\n"),
                     0);
    /* unnamed, or systemd's default name: by address (as before names) */
    assert_int_equal(ad_config_listen_for_socket(&cfg, NULL, "127.0.0.1:8443", err, sizeof(err)), 1);
    assert_int_equal(ad_config_listen_for_socket(&cfg, "asyncdemod.socket", "127.0.0.1:8000", err, sizeof(err)), 0);
    assert_int_equal(ad_config_listen_for_socket(&cfg, "unknown", "127.0.0.1:7000", err, sizeof(err)), -1);
    /* "tls": its address's entry when that has TLS, else the first with TLS */
    assert_int_equal(ad_config_listen_for_socket(&cfg, "tls", "127.0.0.1:9443", err, sizeof(err)), 2);
    assert_int_equal(ad_config_listen_for_socket(&cfg, "tls", "127.0.0.1:7000", err, sizeof(err)), 1);
    assert_int_equal(ad_config_listen_for_socket(&cfg, "tls", "127.0.0.1:8000", err, sizeof(err)), 1);
    /* "http": cleartext even on an address whose entry has TLS */
    assert_int_equal(ad_config_listen_for_socket(&cfg, "http", "127.0.0.1:8443", err, sizeof(err)), -1);
    /* "tls" without any certificate: refused, saying what is missing */
    ad_config_defaults(&cfg);
    assert_int_equal(ad_config_listen_for_socket(&cfg, "tls", "127.0.0.1:8443", err, sizeof(err)), -2);
    assert_string_equal(err, "the socket 127.0.0.1:8443 named \"tls\" by systemd (FileDescriptorName=) needs a "
                             "listen line with a tls-cert");
}

static void test_cli_errors(void **state)
{
    (void)state;
    ad_config_t cfg;
    ad_cli_action_t action;
    static const struct {
        const char *args[4];
        const char *msg;
    } cases[] = {
        {{"--bogus"}, "--bogus: unknown option"},
        {{"--bogus=1"}, "--bogus: unknown option"},
        {{"-x"}, "-x: unknown option"},
        {{"--"}, "--: unknown option"},
        {{"--threads"}, "--threads: missing value"},
        {{"--config"}, "--config: missing value"},
        {{"--threads", "2", "--listen"}, "--listen: missing value"},
        {{"--threads=x"}, "--threads: bad value 'x': expected a whole number from 1 to 64"},
        {{"--threads", "65"}, "--threads: 65 is out of range (1 to 64)"},
        {{"--max-delay", "-1"},
         "--max-delay: bad value '-1': must not be negative; expected a duration such as 250ms, "
         "2s or 0.5 (0 to 1h)"},
        {{"--listen=nowhere"}, "--listen: 'nowhere': expected ADDR:PORT (e.g. 127.0.0.1:8000 or [::1]:8000)"},
        {{"--log-level="}, "--log-level: bad value '': expected err, warning, notice, info or debug"},
        {{"--help=1"}, "--help: takes no value"},
        {{"serve"}, "unexpected argument 'serve' (asyncdemod takes only options)"},
        {{"--threads", "2", "extra"}, "unexpected argument 'extra' (asyncdemod takes only options)"},
        {{"-"}, "unexpected argument '-' (asyncdemod takes only options)"},
        {{"--max-delay=1s"}, "default-delay (2s) must not exceed max-delay (1s)"},
        {{"--listen=1.2.3.4:5", "--listen", "1.2.3.4:5"}, "--listen: 1.2.3.4:5 is given twice"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *const *a = cases[i].args;
        assert_int_equal(cli(&cfg, &action, a), -1);
        assert_string_equal(err, cases[i].msg);
        assert_null(strchr(err, '\n'));
    }
}

static void test_cli_config_precedence(void **state)
{
    (void)state;
    ad_config_t cfg;
    ad_cli_action_t action;
    char *path = write_temp("listen = 127.0.0.1:7001\nlisten = 127.0.0.1:7002\nthreads = 3\npool-size = 5\n"
                            "max-delay = 10s\n");

    /* the file over the defaults */
    assert_int_equal(CLI("--config", path), 0);
    assert_string_equal(cfg.config_path, path);
    assert_int_equal(cfg.threads, 3);
    assert_int_equal(cfg.pool_size, 5);
    assert_int_equal(cfg.nlisten, 2);
    assert_string_equal(cfg.listen[1].text, "127.0.0.1:7002");

    /* flags over the file, wherever --config stands; the first --listen replaces the file's */
    assert_int_equal(CLI("--threads=2", "--listen", "[::1]:7003", "--config", path), 0);
    assert_int_equal(cfg.threads, 2);
    assert_int_equal(cfg.pool_size, 5);
    assert_int_equal(cfg.max_delay_ns, 10 * AD_NS_PER_SEC);
    assert_int_equal(cfg.nlisten, 1);
    assert_string_equal(cfg.listen[0].text, "[::1]:7003");

    /* cross-field checks see the merged result */
    assert_int_equal(CLI("--config", path, "--default-delay", "11s"), -1);
    assert_string_equal(err, "default-delay (11s) must not exceed max-delay (10s)");
    unlink(path);
    free(path);

    path = write_temp("threads = 3\n\nthreads = many\n");
    assert_int_equal(CLI("--config", path), -1);
    char expect[256];
    snprintf(expect, sizeof(expect), "%s:3: key 'threads': bad value 'many': expected a whole number from 1 to 64",
             path);
    assert_string_equal(err, expect);
    unlink(path);
    free(path);

    assert_int_equal(CLI("--config=/nonexistent.conf"), -1);
    assert_string_equal(err, "/nonexistent.conf: cannot open: No such file or directory");
}

/* ---- the page: ui = on|off, --no-ui, events-clients ---- */

static void test_ui_switch(void **state)
{
    (void)state;
    ad_config_t cfg;
    ad_cli_action_t action;
    ad_config_defaults(&cfg);
    assert_true(cfg.ui);
    assert_int_equal(cfg.events_clients, 256);
    assert_int_equal(parse(&cfg, "ui = off\nevents-clients = 3\n"), 0);
    assert_false(cfg.ui);
    assert_int_equal(cfg.events_clients, 3);
    assert_int_equal(parse(&cfg, "ui=on"), 0);
    assert_true(cfg.ui);
    expect_parse_error("ui = no\n", "t.conf:1: key 'ui': bad value 'no': expected on or off");
    expect_parse_error("ui =\n", "t.conf:1: key 'ui': bad value '': expected on or off");
    expect_parse_error("events-clients = 0\n", "t.conf:1: key 'events-clients': 0 is out of range (1 to 100000)");

    assert_int_equal(CLI("--no-ui"), 0);
    assert_int_equal(action, AD_CLI_RUN);
    assert_false(cfg.ui);
    assert_int_equal(CLI("--no-ui", "--ui", "on"), 0); /* flags apply in order */
    assert_true(cfg.ui);
    assert_int_equal(CLI("--ui=off", "--events-clients=100000"), 0);
    assert_false(cfg.ui);
    assert_int_equal(cfg.events_clients, 100000);
    assert_int_equal(CLI("--no-ui=1"), -1);
    assert_string_equal(err, "--no-ui: takes no value");
    assert_int_equal(CLI("--ui"), -1);
    assert_string_equal(err, "--ui: missing value");
    assert_int_equal(CLI("--ui", "maybe"), -1);
    assert_string_equal(err, "--ui: bad value 'maybe': expected on or off");
    assert_non_null(strstr(ad_cli_usage(), "--no-ui"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_ui_switch),
        cmocka_unit_test(test_listen_ok),
        cmocka_unit_test(test_listen_errors),
        cmocka_unit_test(test_parse_all_keys),
        cmocka_unit_test(test_parse_empty_and_later_wins),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_duration_errors_name_key),
        cmocka_unit_test(test_parse_too_many_listen_and_long_values),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_load_fifo_refused),
        cmocka_unit_test(test_example_file),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_cli_flags),
        cmocka_unit_test(test_tls_files),
        cmocka_unit_test(test_listen_for_socket),
        cmocka_unit_test(test_hsts_max_age),
        cmocka_unit_test(test_cli_errors),
        cmocka_unit_test(test_cli_config_precedence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
