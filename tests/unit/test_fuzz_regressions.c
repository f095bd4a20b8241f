/* Inputs the fuzzers (tests/fuzz/) found crashing or breaking a property, kept as unit tests so the fixes
 * stay fixed in every build (the ASan + UBSan suite included). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer_scan.h"
#include "stats_view.h"

/* A /stats document of the right shape; "%s" is the uptime, as text. */
static const char stats_fmt[] =
    "{\"version\":\"0.1.0\",\"pid\":1376,\"threads\":2,\"uptime_seconds\":%s,"
    "\"started_wall\":\"2026-11-24T18:29:48.832Z\","
    "\"config\":{\"max_delay_seconds\":30,\"default_delay_seconds\":2,\"pool_size\":8,\"pool_queue\":64,"
    "\"stall_threshold_seconds\":0.1,\"watchdog_seconds\":0},"
    "\"offload\":{\"busy\":0,\"queued\":0},\"connections\":{\"open\":1,\"total\":9},"
    "\"loop\":{\"lag_seconds\":0.000388,\"ticks\":353,\"stalls\":0,\"stalled_seconds\":0,"
    "\"longest_stall_seconds\":0,\"longest_stall_endpoint\":null,\"longest_stall_wall\":null},"
    "\"endpoints\":{\"/non-blocking\":{\"requests\":3,\"in_flight\":0,\"peak_in_flight\":2,\"completed\":3,"
    "\"cancelled\":0,\"status_4xx\":0,\"status_5xx\":0,\"latency_seconds\":{\"min\":0.01,\"mean\":0.01,"
    "\"max\":0.01,\"p50\":0.01,\"p90\":0.01,\"p99\":0.01,\"p99_9\":0.01}}}}";

static char *render_stats(const char *uptime)
{
    char doc[sizeof(stats_fmt) + 64], err[256] = "";
    snprintf(doc, sizeof(doc), stats_fmt, uptime);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    ad_stats_view_style_t st = {.width = 80, .color = false};
    int rc = ad_stats_view_render_text(out, doc, strlen(doc), &st, err, sizeof(err));
    assert_int_equal(fclose(out), 0);
    if (rc != 0)
        fail_msg("render failed: %s", err);
    return text;
}

/* fuzz_stats_view: an uptime beyond uint64_t seconds was converted to uint64_t (undefined behaviour);
 * it was then clamped to 10^18 s (a false figure); now it shows as out of range. */
static void test_stats_view_huge_uptime(void **state)
{
    (void)state;
    char *text = render_stats("818446744073709551616.880165");
    assert_non_null(strstr(text, "up >292y"));
    free(text);
    text = render_stats("1e300");
    assert_non_null(strstr(text, "up >292y"));
    free(text);
    text = render_stats("90061"); /* an ordinary one is unchanged: 1 day, 1 h, 1 min */
    assert_non_null(strstr(text, "1d01h"));
    free(text);
}

static int64_t scan_wait(const char *body)
{
    ad_answer_scan_t s;
    ad_answer_scan_init(&s);
    ad_answer_scan_feed(&s, body, strlen(body));
    return ad_answer_scan_wait_ns(&s);
}

/* fuzz_answer_scan: a whole part of 10 digits passed the bound check made before its last digit, and
 * 9999999999 s overflowed int64 nanoseconds. The bound (10^9 s) now holds for the whole number. */
static void test_answer_scan_wait_bound(void **state)
{
    (void)state;
    assert_int_equal(scan_wait("{\"waited_seconds\":9999999999}"), -1);
    assert_int_equal(scan_wait("{\"waited_seconds\":9999999999.5,\"x\":1}"), -1);
    assert_int_equal(scan_wait("{\"waited_seconds\":1000000001}"), -1);
    assert_int_equal(scan_wait("{\"waited_seconds\":1000000000}"), INT64_C(1000000000000000000));
    assert_int_equal(scan_wait("{\"waited_seconds\":999999999.999999999}"), INT64_C(999999999999999999));
    /* an oversized value is skipped like any value of the wrong form: a later good one wins */
    assert_int_equal(scan_wait("{\"waited_seconds\":99999999990,\"waited_seconds\":2.5}"), INT64_C(2500000000));

    ad_answer_scan_t s;
    ad_answer_scan_init(&s);
    const char *seq = "{\"sequence\":1000000000000000000,\"sequence\":100000000000000000}";
    ad_answer_scan_feed(&s, seq, strlen(seq));
    assert_int_equal(ad_answer_scan_sequence(&s), INT64_C(100000000000000000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_view_huge_uptime),
        cmocka_unit_test(test_answer_scan_wait_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
