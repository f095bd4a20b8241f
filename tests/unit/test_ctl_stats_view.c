/* `asyncdemoctl stats`' view of /stats: a good document (golden), wrong shapes, not JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "stats_view.h"
#include "test_ctl_fixtures.h"

/* The example of docs/http-api.md, filled in. */
static const char good_doc[] =
    "{\"version\":\"0.1.0\",\"pid\":4242,\"threads\":1,\"uptime_seconds\":12.5,"
    "\"started_wall\":\"2026-11-24T17:30:00Z\","
    "\"config\":{\"max_delay_seconds\":30,\"default_delay_seconds\":2,\"pool_size\":4,\"pool_queue\":64,"
    "\"stall_threshold_seconds\":0.1,\"watchdog_seconds\":0,\"max_connections\":16384,\"max_waiting\":50000,"
    "\"header_timeout_seconds\":10,\"idle_timeout_seconds\":1.5},"
    "\"offload\":{\"busy\":0,\"queued\":0},"
    "\"connections\":{\"open\":1,\"total\":17,\"refused\":2},"
    "\"loop\":{\"lag_seconds\":0.0001,\"ticks\":250,\"stalls\":2,\"stalled_seconds\":4.0,"
    "\"longest_stall_seconds\":2.0,\"longest_stall_endpoint\":\"/blocking\","
    "\"longest_stall_wall\":\"2026-11-24T17:30:05Z\"},"
    "\"endpoints\":{"
    "\"/stats\":{\"requests\":1,\"in_flight\":1,\"peak_in_flight\":1,\"completed\":0,\"cancelled\":0,"
    "\"status_4xx\":0,\"status_5xx\":0,\"latency_seconds\":{\"min\":0,\"mean\":0,\"max\":0,\"p50\":0,\"p90\":0,"
    "\"p99\":0,\"p99_9\":0}},"
    "\"/non-blocking\":{\"requests\":5,\"in_flight\":0,\"peak_in_flight\":5,\"completed\":5,\"cancelled\":0,"
    "\"status_4xx\":0,\"status_5xx\":0,\"latency_seconds\":{\"min\":2.0001,\"mean\":2.0002,\"max\":2.0004,"
    "\"p50\":2.0001,\"p90\":2.0003,\"p99\":2.0004,\"p99_9\":2.0004}},"
    "\"/blocking\":{\"requests\":7,\"in_flight\":0,\"peak_in_flight\":5,\"completed\":5,\"cancelled\":0,"
    "\"status_4xx\":0,\"status_5xx\":2,\"latency_seconds\":{\"min\":2.0001,\"mean\":6.0,\"max\":10.001,"
    "\"p50\":6.0,\"p90\":10.0,\"p99\":10.001,\"p99_9\":10.001}},"
    "\"/offload\":{\"requests\":0,\"in_flight\":0,\"peak_in_flight\":0,\"completed\":0,\"cancelled\":0,"
    "\"status_4xx\":0,\"status_5xx\":0,\"latency_seconds\":{\"min\":0,\"mean\":0,\"max\":0,\"p50\":0,\"p90\":0,"
    "\"p99\":0,\"p99_9\":0}},"
    "\"/custom\":{\"requests\":3,\"in_flight\":0,\"peak_in_flight\":1,\"completed\":3,\"cancelled\":1,"
    "\"status_4xx\":3,\"status_5xx\":0,\"latency_seconds\":{\"min\":0.00002,\"mean\":0.00003,\"max\":0.00004,"
    "\"p50\":0.00003,\"p90\":0.00004,\"p99\":0.00004,\"p99_9\":0.00004}}"
    "}}";

static json_t *good(void)
{
    json_error_t je;
    json_t *j = json_loads(good_doc, 0, &je);
    if (j == NULL)
        fail_msg("test document: %s at %d", je.text, je.column);
    return j;
}

static void test_good_document(void **state)
{
    (void)state;
    char *text = NULL, err[256] = "";
    ad_stats_view_style_t st = {.width = 120, .color = false};
    FX_CAPTURE(text,
               assert_int_equal(ad_stats_view_render_text(out, good_doc, strlen(good_doc), &st, err, sizeof(err)), 0));
    fx_golden("stats_view_120.txt", text);
    assert_non_null(strstr(text, "asyncdemod   0.1.0  pid 4242"));
    assert_non_null(strstr(text, "longest 2.000s in /blocking"));
    /* every field of the document shows, the later additions too */
    assert_non_null(strstr(text, "open 1  total 17  refused 2"));
    assert_non_null(strstr(text, "max connections 16384"));
    assert_non_null(strstr(text, "max waiting 50000"));
    assert_non_null(strstr(text, "header timeout 10s"));
    assert_non_null(strstr(text, "idle timeout 1.5s"));
    assert_non_null(strstr(text, "pool size 4  pool queue 64"));
    /* documented endpoints first, in their order; then the others */
    const char *nb = strstr(text, "\n/non-blocking "), *bl = strstr(text, "\n/blocking "),
               *stats = strstr(text, "\n/stats "), *custom = strstr(text, "\n/custom ");
    assert_true(nb != NULL && bl != NULL && stats != NULL && custom != NULL);
    assert_true(nb < bl && bl < stats && stats < custom);
    /* nothing completed: "-", not 0ns */
    assert_non_null(strstr(stats, " -"));
    free(text);

    /* narrower: columns dropped, lines fit */
    st.width = 60;
    json_t *j = good();
    FX_CAPTURE(text, assert_int_equal(ad_stats_view_render(out, j, &st, err, sizeof(err)), 0));
    fx_golden("stats_view_60.txt", text);
    const char *table = strstr(text, "\nendpoint");
    assert_non_null(table);
    for (const char *p = text; *p != '\0';) { /* every line, header included */
        size_t len = strcspn(p, "\n");
        assert_true(len <= 60);
        p += len + (p[len] == '\n');
    }
    assert_non_null(strstr(table, "p99"));
    assert_null(strstr(table, "peak"));
    free(text);

    /* colour marks 5xx and stalls */
    st.width = 200;
    st.color = true;
    FX_CAPTURE(text, assert_int_equal(ad_stats_view_render(out, j, &st, err, sizeof(err)), 0));
    assert_non_null(strstr(text, "\033[31m"));
    assert_non_null(strstr(text, "\033[33mstalls 2"));
    free(text);
    json_decref(j);
}

static void test_optional_parts(void **state)
{
    (void)state;
    json_t *j = good();
    json_object_del(j, "config");
    json_object_del(j, "offload");
    json_object_del(j, "threads");
    json_object_del(j, "started_wall");
    json_t *loop = json_object_get(j, "loop");
    json_object_set_new(loop, "stalls", json_integer(0));
    json_object_set_new(loop, "longest_stall_endpoint", json_null());
    char *text = NULL, err[256] = "";
    ad_stats_view_style_t st = {.width = 80};
    FX_CAPTURE(text, assert_int_equal(ad_stats_view_render(out, j, &st, err, sizeof(err)), 0));
    assert_null(strstr(text, "\noffload "));
    assert_null(strstr(text, "\nconfig "));
    assert_non_null(strstr(text, "stalls 0\n"));
    free(text);
    json_decref(j);
}

/* Numbers no daemon sends (issue 18): shown as such, never wrapped, rounded through a double or zeroed. */
static void test_hostile_numbers(void **state)
{
    (void)state;
    json_error_t je;
    json_t *j = json_loads(good_doc, 0, &je);
    assert_non_null(j);
    json_t *loop = json_object_get(j, "loop"), *config = json_object_get(j, "config");
    json_t *ep = json_object_get(json_object_get(j, "endpoints"), "/blocking");
    json_t *lat = json_object_get(ep, "latency_seconds");
    json_object_set_new(loop, "lag_seconds", json_real(1e308));
    json_object_set_new(loop, "stalls", json_integer(INT64_MAX));
    json_object_set_new(loop, "stalled_seconds", json_real(-1e308));
    json_object_set_new(loop, "longest_stall_seconds", json_real(-0.5));
    json_object_set_new(config, "max_delay_seconds", json_real(1e308));
    json_object_set_new(config, "default_delay_seconds", json_real(-2));
    json_object_set_new(j, "pid", json_integer(INT64_MAX));
    json_object_set_new(j, "uptime_seconds", json_real(-90061));
    json_object_set_new(json_object_get(j, "connections"), "total", json_integer(INT64_MAX - 1));
    json_object_set_new(ep, "requests", json_integer(INT64_MAX));
    json_object_set_new(lat, "max", json_real(1e300));
    json_object_set_new(lat, "p99", json_real(9.3e9));
    char *text = NULL, err[256] = "";
    ad_stats_view_style_t st = {.width = 200};
    FX_CAPTURE(text, assert_int_equal(ad_stats_view_render(out, j, &st, err, sizeof(err)), 0));
    static const char *const want[] = {
        "pid 9223372036854775807",    "up -1d01h",
        "total 9223372036854775806",  "lag >292y",
        "stalls 9223372036854775807", "stalled <-292y in all",
        "longest -500.00ms in",       "max delay >292y",
        "default delay -2s",          "9223372036854775807  ", /* /blocking's requests cell */
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (strstr(text, want[i]) == NULL)
            fail_msg("'%s' missing from:\n%s", want[i], text);
    const char *row = strstr(text, "\n/blocking ");
    assert_non_null(row);
    assert_non_null(strstr(row, ">292y"));
    assert_null(strstr(text, "9223372036854775808")); /* 2^63-1 through a double */
    assert_null(strstr(text, "-9223372036."));        /* llround's overflow */
    assert_null(strstr(text, "lag 0ns"));
    free(text);
    json_decref(j);
}

typedef void (*edit_fn)(json_t *doc);

static void expect_refused(edit_fn edit, const char *want)
{
    json_t *j = good();
    edit(j);
    char *text = NULL, err[256] = "";
    ad_stats_view_style_t st = {.width = 80};
    FX_CAPTURE(text, assert_int_equal(ad_stats_view_render(out, j, &st, err, sizeof(err)), -1));
    assert_string_equal(text, ""); /* nothing written */
    if (strstr(err, want) == NULL)
        fail_msg("message '%s' lacks '%s'", err, want);
    free(text);
    json_decref(j);
}

static void e_version(json_t *j)
{
    json_object_set_new(j, "version", json_integer(1));
}
static void e_no_loop(json_t *j)
{
    json_object_del(j, "loop");
}
static void e_lag(json_t *j)
{
    json_object_set_new(json_object_get(j, "loop"), "lag_seconds", json_string("fast"));
}
static void e_endpoints_array(json_t *j)
{
    json_object_set_new(j, "endpoints", json_array());
}
static void e_endpoints_empty(json_t *j)
{
    json_object_set_new(j, "endpoints", json_object());
}
static void e_ep_not_object(json_t *j)
{
    json_object_set_new(json_object_get(j, "endpoints"), "/blocking", json_integer(3));
}
static void e_p99(json_t *j)
{
    json_t *lat = json_object_get(json_object_get(json_object_get(j, "endpoints"), "/blocking"), "latency_seconds");
    json_object_del(lat, "p99");
}
static void e_negative_count(json_t *j)
{
    json_object_set_new(json_object_get(json_object_get(j, "endpoints"), "/offload"), "requests", json_integer(-1));
}
static void e_fraction_count(json_t *j)
{
    json_object_set_new(json_object_get(j, "connections"), "open", json_real(1.5));
}
static void e_optional_wrong(json_t *j)
{
    json_object_set_new(json_object_get(j, "config"), "pool_size", json_string("4"));
}
static void e_stall_endpoint(json_t *j)
{
    json_object_set_new(json_object_get(j, "loop"), "longest_stall_endpoint", json_integer(1));
}

static void test_wrong_shapes(void **state)
{
    (void)state;
    expect_refused(e_version, "version: expected a string");
    expect_refused(e_no_loop, "loop: missing");
    expect_refused(e_lag, "loop.lag_seconds: expected a number");
    expect_refused(e_endpoints_array, "endpoints: expected an object");
    expect_refused(e_endpoints_empty, "endpoints: empty");
    expect_refused(e_ep_not_object, "endpoints./blocking: expected an object");
    expect_refused(e_p99, "endpoints./blocking.latency_seconds.p99: missing");
    expect_refused(e_negative_count, "endpoints./offload.requests: expected a non-negative integer");
    expect_refused(e_fraction_count, "connections.open: expected a non-negative integer");
    expect_refused(e_optional_wrong, "config.pool_size: expected a non-negative integer");
    expect_refused(e_stall_endpoint, "loop.longest_stall_endpoint: expected a string or null");

    char err[256] = "";
    json_t *arr = json_array();
    assert_int_equal(ad_stats_view_check(arr, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "expected a JSON object"));
    json_decref(arr);
    assert_int_equal(ad_stats_view_check(NULL, err, sizeof(err)), -1);
    /* the healthz document is JSON but not /stats */
    const char *healthz = "{\"status\":\"ok\",\"version\":\"0.1.0\",\"uptime_seconds\":12.5}";
    char *text = NULL;
    ad_stats_view_style_t st = {.width = 80};
    FX_CAPTURE(text,
               assert_int_equal(ad_stats_view_render_text(out, healthz, strlen(healthz), &st, err, sizeof(err)), -1));
    assert_string_equal(text, "");
    assert_non_null(strstr(err, "pid: missing"));
    free(text);
}

static void test_not_json(void **state)
{
    (void)state;
    static const char *const bodies[] = {"", "<html>502 Bad Gateway</html>", "{\"version\":", "nul", "{} x"};
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        char *text = NULL, err[256] = "";
        ad_stats_view_style_t st = {.width = 80};
        FX_CAPTURE(text, assert_int_equal(
                             ad_stats_view_render_text(out, bodies[i], strlen(bodies[i]), &st, err, sizeof(err)), -1));
        assert_string_equal(text, "");
        if (strncmp(err, "not JSON: ", 10) != 0)
            fail_msg("body '%s': message '%s'", bodies[i], err);
        free(text);
    }
}

/* Damaged /stats bodies are refused or shown, never crash. */
static void test_damaged_bodies(void **state)
{
    (void)state;
    size_t len = strlen(good_doc);
    char copy[sizeof(good_doc)];
    uint32_t seed = 99;
    static const char repl[] = "0123456789-.eE\"{}[],:nulltruefalse x";
    for (int round = 0; round < 2000; round++) {
        memcpy(copy, good_doc, len + 1);
        seed = seed * 1103515245u + 12345u;
        copy[(seed >> 4) % len] = repl[(seed >> 20) % (sizeof(repl) - 1)];
        char *text = NULL, err[256] = "";
        ad_stats_view_style_t st = {.width = 40 + (int)(seed % 100)};
        int rc;
        FX_CAPTURE(text, rc = ad_stats_view_render_text(out, copy, len, &st, err, sizeof(err)));
        assert_true(rc == 0 || (rc == -1 && err[0] != '\0' && text[0] == '\0'));
        free(text);
    }
}

/* The check alone (`stats --json`): the same verdicts and messages as the view, nothing rendered. */
static void test_check_text(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(ad_stats_view_check_text(good_doc, strlen(good_doc), err, sizeof(err)), 0);
    static const char *const bad[][2] = {
        {"<!DOCTYPE html><html>It works!</html>", "not JSON: "},
        {"{\"version\":\"0.1.0\",\"pid\":", "not JSON: "},
        {"[1, 2, 3]", "expected a JSON object"},
        {"{\"status\":\"ok\",\"version\":\"0.1.0\",\"uptime_seconds\":12.5}", "pid: missing"},
        {"", "not JSON: "},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        assert_int_equal(ad_stats_view_check_text(bad[i][0], strlen(bad[i][0]), err, sizeof(err)), -1);
        if (strstr(err, bad[i][1]) == NULL)
            fail_msg("body '%s': message '%s' lacks '%s'", bad[i][0], err, bad[i][1]);
    }
    /* a document cut anywhere is refused, never accepted by accident */
    for (size_t cut = 0; cut < strlen(good_doc); cut += 7)
        assert_int_equal(ad_stats_view_check_text(good_doc, cut, err, sizeof(err)), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_document),   cmocka_unit_test(test_optional_parts),
        cmocka_unit_test(test_wrong_shapes),    cmocka_unit_test(test_not_json),
        cmocka_unit_test(test_damaged_bodies),  cmocka_unit_test(test_check_text),
        cmocka_unit_test(test_hostile_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
