/* The result model (accounting, merging) and the journal/STATUS texts derived from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "report.h"
#include "report_fields.h"
#include "results.h"
#include "test_ctl_fixtures.h"

static void test_error_class_names(void **state)
{
    (void)state;
    assert_string_equal(ad_err_class_name(AD_ERR_CONNECT), "connect");
    assert_string_equal(ad_err_class_name(AD_ERR_TIMEOUT), "timeout");
    assert_string_equal(ad_err_class_name(AD_ERR_READ), "read");
    assert_string_equal(ad_err_class_name(AD_ERR_STATUS), "status");
    assert_string_equal(ad_err_class_name(AD_ERR_OTHER), "other");
    assert_string_equal(ad_err_class_name((ad_err_class_t)99), "other");
}

/* Two runs never share a name: the path alone while it is unique, the endpoint with its query where two
 * share a path, and a count where whole endpoints repeat. */
static void test_unique_names(void **state)
{
    (void)state;
    const char *shorts[] = {"/non-blocking", "/non-blocking", "/blocking", "/offload", "/offload", "/offload"};
    const char *longs[] = {
        "/non-blocking?delay=1", "/non-blocking?delay=0.1", "/blocking", "/offload", "/offload?delay=1", "/offload"};
    const char *want[] = {"/non-blocking?delay=1", "/non-blocking?delay=0.1", "/blocking",
                          "/offload #1",           "/offload?delay=1",        "/offload #2"};
    for (size_t i = 0; i < 6; i++) {
        char name[AD_RUN_NAME_MAX];
        ad_run_unique_name(shorts, longs, 6, i, name, sizeof(name));
        assert_string_equal(name, want[i]);
    }
    char name[AD_RUN_NAME_MAX];
    ad_run_unique_name(shorts, longs, 1, 0, name, sizeof(name));
    assert_string_equal(name, "/non-blocking");
}

/* 5 /blocking requests sent at once from two client loops and served by a server one after another:
 * the records come merged in send order (0.401, 0.502, 0.201, 0.301, 0.100 s); ordered, they read as the
 * staircase - by the server's start times when every answer has one, else by the answer times. */
static void test_order_as_served(void **state)
{
    (void)state;
    static const int served_as[] = {4, 5, 2, 3, 1}; /* the k-th sent was served served_as[k]-th */
    ad_run_result_t *r = fx_new("/blocking", "http://127.0.0.1:8000/blocking?delay=0.1", 5);
    for (int i = 0; i < 5; i++) {
        ad_request_record_t rec = {.index = (uint32_t)i + 1,
                                   .sent_ns = i * FX_US,
                                   .done_ns = served_as[i] * 100 * FX_MS + 1 * FX_MS,
                                   .status = 200,
                                   .server_seq = -1,
                                   .server_wait_ns = 100 * FX_MS,
                                   .server_start_ns = 7000 * FX_S + (served_as[i] - 1) * 100 * FX_MS};
        ad_run_result_add(r, &rec);
    }
    ad_run_result_t *copy = malloc(sizeof(*copy));
    assert_non_null(copy);
    memcpy(copy, r, sizeof(*r));
    ad_run_result_order(r);
    static const uint32_t staircase[] = {5, 3, 4, 1, 2};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(r->records[i].index, staircase[i]);
        assert_int_equal(r->records[i].done_ns, (i + 1) * 100 * FX_MS + 1 * FX_MS);
    }
    /* an answer without the server's start time: all by the answer time, which here agrees */
    copy->records[2].server_start_ns = 0;
    copy->records[0].done_ns = 50 * FX_MS; /* now answered first */
    ad_run_result_order(copy);
    assert_int_equal(copy->records[0].index, 1);
    assert_int_equal(copy->records[1].index, 5);
    /* ties keep the send order */
    for (int i = 0; i < 5; i++)
        copy->records[i].done_ns = FX_S;
    ad_run_result_order(copy);
    for (int i = 0; i < 5; i++)
        assert_int_equal(copy->records[i].index, (uint32_t)i + 1);
    free(copy);
    free(r);
}

static void test_add_accounts(void **state)
{
    (void)state;
    ad_run_result_t *r = fx_new("x", "http://h/x", 1);
    assert_string_equal(r->name, "x");
    assert_int_equal(r->latency.count, 0);
    fx_add(r, 0, 0, 2 * FX_MS, 200, AD_ERR_NONE, 0, 1, 0);
    fx_add(r, 0, FX_MS, 4 * FX_MS, 404, AD_ERR_NONE, 0, -1, 0);    /* not 2xx: a status error even if unsaid */
    fx_add(r, 0, 0, 9 * FX_MS, 0, AD_ERR_TIMEOUT, 0, -1, 0);       /* no answer: no latency */
    fx_add(r, 0, 0, 1 * FX_MS, 0, AD_ERR_NONE, 0, -1, 0);          /* no status, no error: "other" */
    fx_add(r, 0, 0, 3 * FX_MS, 200, (ad_err_class_t)42, 0, -1, 0); /* bad class: "other" */
    assert_int_equal(r->completed, 5);
    assert_int_equal(r->sent, 5); /* raised to completed */
    assert_int_equal(r->ok, 1);
    assert_int_equal(r->errors[AD_ERR_STATUS], 1);
    assert_int_equal(r->errors[AD_ERR_TIMEOUT], 1);
    assert_int_equal(r->errors[AD_ERR_OTHER], 2);
    assert_int_equal(r->statuses[0].status, 200);
    assert_int_equal(r->statuses[0].count, 2);
    assert_int_equal(r->statuses[1].status, 404);
    assert_int_equal(r->statuses[1].count, 1);
    assert_int_equal(r->statuses[2].count, 0);
    assert_int_equal(r->latency.count, 3);
    assert_int_equal(r->latency.min, 2 * FX_MS);
    assert_int_equal(r->latency.max, 3 * FX_MS);
    assert_int_equal(r->records[1].error, AD_ERR_STATUS);
    assert_int_equal(r->records[4].error, AD_ERR_OTHER);
    assert_int_equal(r->nrecords, 5);
    r->elapsed_ns = 2 * FX_S;
    assert_true(fabs(ad_run_result_rps(r) - 2.5) < 1e-12);
    r->elapsed_ns = 0;
    assert_true(ad_run_result_rps(r) == 0);
    free(r);
}

static void test_open_model_latency(void **state)
{
    (void)state;
    ad_run_result_t *r = fx_new("x", "http://h/x", 1);
    r->rate = 100;
    fx_add(r, 10 * FX_MS, 40 * FX_MS, 45 * FX_MS, 200, AD_ERR_NONE, 0, -1, 0); /* sent 30 ms late */
    assert_int_equal(r->latency.max, 35 * FX_MS);                              /* from the intended time */
    assert_int_equal(r->latency_raw.max, 5 * FX_MS);                           /* from the actual send */
    /* a closed-model run ignores intended_ns */
    ad_run_result_init(r, "y", NULL);
    fx_add(r, 0, 40 * FX_MS, 45 * FX_MS, 200, AD_ERR_NONE, 0, -1, 0);
    assert_int_equal(r->latency.max, 5 * FX_MS);
    free(r);
}

static void test_statuses_and_records_overflow(void **state)
{
    (void)state;
    ad_run_result_t *r = fx_new("x", "http://h/x", 1);
    for (int i = 0; i < AD_RECORDS_MAX + 50; i++)
        fx_add(r, 0, 0, FX_MS, 200 + i % (AD_STATUS_SLOTS + 4), AD_ERR_NONE, 0, -1, 0);
    assert_int_equal(r->nrecords, AD_RECORDS_MAX);
    assert_int_equal(r->completed, AD_RECORDS_MAX + 50);
    uint64_t counted = r->statuses_other;
    for (int i = 0; i < AD_STATUS_SLOTS; i++)
        counted += r->statuses[i].count;
    assert_int_equal(counted, r->completed);
    assert_true(r->statuses_other > 0);
    assert_int_equal(r->latency.count, r->completed);
    free(r);
}

static void test_merge(void **state)
{
    (void)state;
    ad_run_result_t *a = fx_open(), *b = fx_blocking(), *both = fx_new("all", "u", 0);
    ad_run_result_t *copy = fx_new("a", "u", 0);
    *copy = *a;
    ad_run_result_merge(copy, b);
    assert_int_equal(copy->completed, a->completed + b->completed);
    assert_int_equal(copy->ok, a->ok + b->ok);
    assert_int_equal(copy->errors[AD_ERR_TIMEOUT], 1);
    assert_int_equal(copy->concurrency, a->concurrency + b->concurrency);
    assert_int_equal(copy->elapsed_ns, a->elapsed_ns > b->elapsed_ns ? a->elapsed_ns : b->elapsed_ns);
    assert_int_equal(copy->latency.count, a->latency.count + b->latency.count);
    assert_int_equal(copy->nrecords, a->nrecords + b->nrecords);
    assert_string_equal(copy->first_error, a->first_error);
    /* 200 is in both: counted once, its counts added */
    assert_int_equal(copy->statuses[0].status, 200);
    assert_int_equal(copy->statuses[0].count, a->statuses[0].count + b->statuses[0].count);
    /* merging equals recording everything in one */
    ad_run_result_merge(both, a);
    ad_run_result_merge(both, b);
    assert_memory_equal(both->latency.buckets, copy->latency.buckets, sizeof(both->latency.buckets));
    free(a);
    free(b);
    free(both);
    free(copy);
}

/* A run's protocol: what its answered requests came over; "mixed" when they differ, in a run or in a merge. */
static void test_protocol_label(void **state)
{
    (void)state;
    ad_run_result_t *r = fx_new("async", "u", 0), *other = fx_new("async", "u", 0);
    ad_request_record_t rec = {.index = 1, .status = 200, .done_ns = 1000};
    ad_run_result_add(r, &rec); /* an engine that does not say */
    assert_string_equal(r->protocol, "");
    rec.protocol = AD_PROTO_H2;
    ad_run_result_add(r, &rec);
    ad_run_result_add(r, &rec);
    assert_string_equal(r->protocol, "h2");
    ad_run_result_merge(other, r);
    assert_string_equal(other->protocol, "h2");
    rec.protocol = AD_PROTO_HTTP1_1;
    ad_run_result_add(r, &rec);
    assert_string_equal(r->protocol, "mixed");
    ad_run_result_t *h1 = fx_new("async", "u", 0);
    ad_run_result_add(h1, &rec);
    ad_run_result_merge(other, h1);
    assert_string_equal(other->protocol, "mixed");
    free(r);
    free(other);
    free(h1);
}

static void test_comparisons(void **state)
{
    (void)state;
    ad_run_result_t *bl = fx_blocking(), *nb = fx_nonblocking(), *off = fx_nonblocking();
    snprintf(off->name, sizeof(off->name), "/offload");
    off->elapsed_ns -= 1 * FX_MS; /* a hair faster than /non-blocking: /non-blocking stays the reference */
    const ad_run_result_t *runs[] = {bl, nb, off};
    assert_int_equal(ad_report_reference(runs, 3), 1);
    ad_comparison_t c[4];
    assert_int_equal(ad_report_comparisons(runs, 3, c, 4), 2);
    assert_int_equal(c[0].slower, 0);
    assert_int_equal(c[0].faster, 1);
    assert_true(fabs(c[0].ratio - (double)bl->elapsed_ns / (double)nb->elapsed_ns) < 1e-12);
    assert_true(c[0].ratio > 4.9 && c[0].ratio < 5.1);
    assert_int_equal(c[1].slower, 1); /* the reference is the slower one here */
    assert_int_equal(c[1].faster, 2);
    assert_int_equal(ad_report_comparisons(runs, 3, c, 1), 1);
    assert_int_equal(ad_report_comparisons(runs, 1, c, 4), 0);
    /* without /non-blocking: the fastest; runs with nothing completed are left out */
    ad_run_result_t *none = fx_new("sequential", "u", 1);
    const ad_run_result_t *modes[] = {none, bl, off};
    assert_int_equal(ad_report_reference(modes, 3), 2);
    assert_int_equal(ad_report_comparisons(modes, 3, c, 4), 1);
    assert_int_equal(c[0].slower, 1);
    assert_true(isinf(ad_run_time_per_request(none)));
    free(bl);
    free(nb);
    free(off);
    free(none);
}

static const char *field(char f[][AD_REPORT_FIELD_MAX], size_t n, const char *key)
{
    size_t len = strlen(key);
    for (size_t i = 0; i < n; i++)
        if (strncmp(f[i], key, len) == 0 && f[i][len] == '=')
            return f[i] + len + 1;
    return NULL;
}

static void test_journal_fields(void **state)
{
    (void)state;
    ad_run_result_t *bl = fx_blocking(), *nb = fx_nonblocking();
    const ad_run_result_t *runs[] = {bl, nb};
    char f[AD_REPORT_FIELDS_MAX][AD_REPORT_FIELD_MAX];
    size_t n = ad_report_journal_fields("bench", runs, 2, 0, f, AD_REPORT_FIELDS_MAX);
    assert_string_equal(field(f, n, "ASYNCDEMO_COMMAND"), "bench");
    assert_string_equal(field(f, n, "ASYNCDEMO_ENDPOINT"), "/blocking");
    assert_string_equal(field(f, n, "ASYNCDEMO_RUN"), "/blocking");
    assert_null(field(f, n, "ASYNCDEMO_MODE"));
    assert_string_equal(field(f, n, "ASYNCDEMO_URL"), "http://127.0.0.1:8000/blocking?delay=2");
    assert_string_equal(field(f, n, "ASYNCDEMO_REQUESTS"), "5");
    assert_string_equal(field(f, n, "ASYNCDEMO_OK"), "5");
    assert_string_equal(field(f, n, "ASYNCDEMO_ERRORS"), "0");
    assert_string_equal(field(f, n, "ASYNCDEMO_TOTAL_SECONDS"), "10.005500");
    assert_string_equal(field(f, n, "ASYNCDEMO_CONCURRENCY"), "5");
    assert_non_null(field(f, n, "ASYNCDEMO_RPS"));
    assert_non_null(field(f, n, "ASYNCDEMO_P50_SECONDS"));
    double p99 = strtod(field(f, n, "ASYNCDEMO_P99_SECONDS"), NULL);
    assert_true(p99 > 9.9 && p99 < 10.1);
    assert_string_equal(field(f, n, "ASYNCDEMO_MAX_SECONDS"), "10.004700");
    double ratio = strtod(field(f, n, "ASYNCDEMO_RATIO"), NULL);
    assert_true(ratio > 4.9 && ratio < 5.1);
    assert_string_equal(field(f, n, "ASYNCDEMO_RATIO_TO"), "/non-blocking");
    /* the reference has no ratio of its own */
    n = ad_report_journal_fields("bench", runs, 2, 1, f, AD_REPORT_FIELDS_MAX);
    assert_null(field(f, n, "ASYNCDEMO_RATIO"));
    /* max bounds the count */
    assert_int_equal(ad_report_journal_fields("bench", runs, 2, 0, f, 3), 3);
    /* compare names the mode; a faster run's ratio is below 1 */
    ad_run_result_t *seq = fx_mode("sequential"), *as = fx_mode("async");
    const ad_run_result_t *modes[] = {as, seq};
    n = ad_report_journal_fields("compare", modes, 2, 1, f, AD_REPORT_FIELDS_MAX);
    assert_string_equal(field(f, n, "ASYNCDEMO_MODE"), "sequential");
    assert_string_equal(field(f, n, "ASYNCDEMO_ENDPOINT"), "/delay/2");
    assert_true(strtod(field(f, n, "ASYNCDEMO_RATIO"), NULL) > 4);
    assert_string_equal(field(f, n, "ASYNCDEMO_RATIO_TO"), "async");
    /* every field fits the journal's KEY=value rules: upper-case key */
    for (size_t i = 0; i < n; i++) {
        size_t k = strcspn(f[i], "=");
        assert_true(k > 0 && f[i][k] == '=');
        for (size_t j = 0; j < k; j++)
            assert_true((f[i][j] >= 'A' && f[i][j] <= 'Z') || f[i][j] == '_' || (f[i][j] >= '0' && f[i][j] <= '9'));
    }
    free(bl);
    free(nb);
    free(seq);
    free(as);
}

static void test_status_texts(void **state)
{
    (void)state;
    char buf[512];
    ad_report_progress_status("bench", "/non-blocking", 3200, 10000, 0, buf, sizeof(buf));
    assert_string_equal(buf, "bench /non-blocking: 3200/10000, 0 errors");
    ad_report_progress_status("bench", "/x", 7, 0, 1, buf, sizeof(buf));
    assert_string_equal(buf, "bench /x: 7 done, 1 error");

    ad_run_result_t *bl = fx_blocking(), *nb = fx_nonblocking(), *op = fx_open();
    const ad_run_result_t *runs[] = {bl, nb, op};
    ad_report_summary_status("bench", runs, 2, buf, sizeof(buf));
    assert_string_equal(buf, "bench done: /blocking 10.01s, /non-blocking 2.00s; /blocking 5.00x slower than "
                             "/non-blocking");
    ad_report_summary_status("bench", runs + 2, 1, buf, sizeof(buf));
    assert_string_equal(buf, "bench done: /offload 0.29s (3 errors)");
    /* cut to size, still NUL-terminated, length as snprintf would say */
    int len = ad_report_summary_status("bench", runs, 3, buf, 20);
    assert_int_equal(strlen(buf), 19);
    assert_true(len >= 20);

    ad_report_journal_message("bench", runs, 2, 0, buf, sizeof(buf));
    assert_string_equal(buf, "bench /blocking: 5 requests in 10.005s, p99 10.005s, 0 errors, 5.00x slower than "
                             "/non-blocking");
    ad_report_journal_message("bench", runs + 2, 1, 0, buf, sizeof(buf));
    assert_non_null(strstr(buf, "3 errors"));
    free(bl);
    free(nb);
    free(op);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_class_names),
        cmocka_unit_test(test_add_accounts),
        cmocka_unit_test(test_order_as_served),
        cmocka_unit_test(test_unique_names),
        cmocka_unit_test(test_open_model_latency),
        cmocka_unit_test(test_statuses_and_records_overflow),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_protocol_label),
        cmocka_unit_test(test_comparisons),
        cmocka_unit_test(test_journal_fields),
        cmocka_unit_test(test_status_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
