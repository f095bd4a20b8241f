/* report's merge (result_merge.h): the documents of N shards of a test, written and read back, merge
 * into the whole test's runs; what cannot be one test is refused with a message and nothing leaks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "json_report.h"
#include "result_merge.h"
#include "test_ctl_fixtures.h"

#define SHARDS 3
#define REQUESTS 2000

static const char *const names[] = {"/non-blocking", "/offload"};

/* Request i of run k: a mixed latency, every 23rd a 503, every 101st a timeout (no answer). */
static void add_request(ad_run_result_t *r, int k, int i)
{
    int64_t sent = i * 250 * FX_US;
    int64_t took = (int64_t)(k + 1) * (80 * FX_US + (i * 7919 % 977) * 5 * FX_US) + (i % 97 == 0 ? FX_S : 0);
    bool timeout = i % 101 == 0;
    fx_add(r, sent, sent, sent + took,
           timeout       ? 0
           : i % 23 == 0 ? 503
                         : 200,
           timeout ? AD_ERR_TIMEOUT : AD_ERR_NONE, 0, i, 0);
}

static ad_run_result_t *new_run(int k, unsigned concurrency)
{
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:8000%s?delay=0.01", names[k]);
    return fx_new(names[k], url, concurrency);
}

/* The document of shard s (request i is shard i % SHARDS's), dumped and read back as report reads it. */
static void shard_doc(int s, ad_json_report_t *back)
{
    ad_run_result_t *runs[2];
    for (int k = 0; k < 2; k++) {
        runs[k] = new_run(k, 4);
        for (int i = s; i < REQUESTS; i += SHARDS)
            add_request(runs[k], k, i);
    }
    ad_json_report_t doc = {
        .command = "bench", .started_wall_ns = INT64_C(1795541400000000000) + s, .runs = runs, .nruns = 2};
    char *text = ad_json_report_dump(&doc), err[256] = "";
    assert_non_null(text);
    if (ad_json_report_read_text(text, strlen(text), back, err, sizeof(err)) != 0)
        fail_msg("reading shard %d: %s", s, err);
    free(text);
    free(runs[0]);
    free(runs[1]);
}

static void free_merged(ad_run_result_t **m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(m[i]);
    free(m);
}

static void test_shards_equal_the_whole(void **state)
{
    (void)state;
    ad_json_report_t docs[SHARDS];
    const char *files[SHARDS] = {"shard0.json", "shard1.json", "shard2.json"};
    for (int s = 0; s < SHARDS; s++)
        shard_doc(s, &docs[s]);
    ad_run_result_t **m = NULL;
    size_t n = 0;
    char err[512] = "";
    if (ad_result_merge_docs(docs, files, SHARDS, &m, &n, err, sizeof(err)) != 0)
        fail_msg("merge refused: %s", err);
    assert_int_equal(n, 2); /* one run per name, in first-seen order */
    static const double ps[] = {0, 50, 75, 90, 99, 99.9, 99.99, 100};
    for (int k = 0; k < 2; k++) {
        ad_run_result_t *whole = new_run(k, 4 * SHARDS);
        for (int i = 0; i < REQUESTS; i++)
            add_request(whole, k, i);
        const ad_run_result_t *got = m[k];
        assert_string_equal(got->name, names[k]);
        assert_string_equal(got->url, whole->url);
        assert_int_equal(got->concurrency, whole->concurrency);
        assert_int_equal(got->sent, whole->sent);
        assert_int_equal(got->completed, REQUESTS);
        assert_int_equal(got->completed, whole->completed);
        assert_int_equal(got->ok, whole->ok);
        assert_memory_equal(got->errors, whole->errors, sizeof(whole->errors));
        assert_int_equal(got->bytes_received, whole->bytes_received);
        assert_int_equal(got->latency.count, whole->latency.count);
        assert_int_equal(got->latency.min, whole->latency.min);
        assert_int_equal(got->latency.max, whole->latency.max);
        assert_memory_equal(got->latency.buckets, whole->latency.buckets, sizeof(whole->latency.buckets));
        assert_memory_equal(got->latency_raw.buckets, whole->latency_raw.buckets, sizeof(whole->latency_raw.buckets));
        for (size_t p = 0; p < sizeof(ps) / sizeof(ps[0]); p++)
            assert_int_equal(ad_hist_percentile(&got->latency, ps[p]), ad_hist_percentile(&whole->latency, ps[p]));
        /* statuses are counted alike, whatever order the shards saw them in */
        for (int st = 0; st < AD_STATUS_SLOTS && whole->statuses[st].status != 0; st++) {
            uint64_t c = 0;
            for (int j = 0; j < AD_STATUS_SLOTS; j++)
                if (got->statuses[j].status == whole->statuses[st].status)
                    c = got->statuses[j].count;
            assert_int_equal(c, whole->statuses[st].count);
        }
        free(whole);
    }
    free_merged(m, n);
    for (int s = 0; s < SHARDS; s++)
        ad_json_report_free(&docs[s]);
}

static void expect_refused(ad_json_report_t *docs, size_t n, const char *want)
{
    const char *files[] = {"a.json", "b.json", "c.json"};
    ad_run_result_t **m = (ad_run_result_t **)&m; /* must be reset */
    size_t nm = 99;
    char err[512] = "";
    assert_int_equal(ad_result_merge_docs(docs, files, n, &m, &nm, err, sizeof(err)), -1);
    assert_null(m);
    assert_int_equal(nm, 0);
    if (strstr(err, want) == NULL)
        fail_msg("error '%s' does not say '%s'", err, want);
}

static void test_refuses_what_is_not_one_test(void **state)
{
    (void)state;
    ad_json_report_t docs[2];
    shard_doc(0, &docs[0]);
    shard_doc(1, &docs[1]);
    /* the same file twice would count every request twice */
    docs[1].started_wall_ns = docs[0].started_wall_ns;
    expect_refused(docs, 2, "b.json: the same run as a.json");
    docs[1].started_wall_ns++;
    /* a run of the same name against another target (its second run: the first is merged by then) */
    snprintf(docs[1].runs[1]->url, sizeof(docs[1].runs[1]->url), "http://10.0.0.1:8000/offload?delay=0.01");
    expect_refused(docs, 2,
                   "b.json: run '/offload' was against http://10.0.0.1:8000/offload?delay=0.01, not "
                   "http://127.0.0.1:8000/offload?delay=0.01");
    ad_json_report_free(&docs[1]);
    /* a compare document among bench ones */
    ad_run_result_t *modes[] = {fx_mode("async")};
    docs[1] = (ad_json_report_t){.command = "compare", .started_wall_ns = 7, .runs = modes, .nruns = 1};
    expect_refused(docs, 2, "b.json: a compare document cannot be merged with a.json's bench document");
    free(modes[0]);
    ad_json_report_free(&docs[0]);
}

static void test_other_names_kept_apart(void **state)
{
    (void)state;
    ad_json_report_t docs[2];
    shard_doc(0, &docs[0]);
    shard_doc(1, &docs[1]);
    snprintf(docs[1].runs[0]->name, sizeof(docs[1].runs[0]->name), "/delay/1");
    ad_run_result_t **m = NULL;
    size_t n = 0;
    char err[256];
    const char *files[] = {"a.json", "b.json"};
    assert_int_equal(ad_result_merge_docs(docs, files, 2, &m, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 3);
    assert_string_equal(m[0]->name, "/non-blocking");
    assert_string_equal(m[1]->name, "/offload");
    assert_string_equal(m[2]->name, "/delay/1");
    assert_int_equal(m[0]->completed, docs[0].runs[0]->completed);
    assert_int_equal(m[1]->completed, docs[0].runs[1]->completed + docs[1].runs[1]->completed);
    assert_int_equal(m[2]->completed, docs[1].runs[0]->completed);
    /* and the report says which are kept apart */
    char note[256];
    assert_int_equal(ad_result_merge_partial(docs, files, 2, m, n, note, sizeof(note)), 2);
    assert_string_equal(note, "/non-blocking: only in a.json (1 of 2 documents)\n"
                              "/delay/1: only in b.json (1 of 2 documents)");
    assert_int_equal(ad_result_merge_partial(docs, files, 1, m, 2, note, sizeof(note)), 0);
    assert_string_equal(note, "");
    free_merged(m, n);
    ad_json_report_free(&docs[0]);
    ad_json_report_free(&docs[1]);
}

/* What the heading says of where the documents came from (options.shard and options.host of bench). */
static void test_origin(void **state)
{
    (void)state;
    ad_json_report_t docs[3];
    memset(docs, 0, sizeof(docs));
    const char *files[] = {"a.json", "b.json", "c.json"}, *hosts[] = {"h1", "h2", "h1"};
    char summary[256], err[256];
    assert_int_equal(ad_result_merge_origin(docs, files, 3, summary, sizeof(summary), err, sizeof(err)), 0);
    assert_string_equal(summary, ""); /* documents that say neither */
    for (int i = 0; i < 3; i++)
        docs[i].options = json_pack("{s:{s:i, s:i}, s:s}", "shard", "index", i + 1, "count", 3, "host", hosts[i]);
    assert_int_equal(ad_result_merge_origin(docs, files, 3, summary, sizeof(summary), err, sizeof(err)), 0);
    assert_string_equal(summary, "2 hosts, 3 of 3 shards");
    /* shard 2 left out: the totals lack it, and the heading says so */
    ad_json_report_t two[] = {docs[0], docs[2]};
    assert_int_equal(ad_result_merge_origin(two, files, 2, summary, sizeof(summary), err, sizeof(err)), 0);
    assert_string_equal(summary, "1 host, 2 of 3 shards (missing: 2)");
    /* the same shard twice, or shards of another split */
    json_object_set_new(json_object_get(docs[2].options, "shard"), "index", json_integer(1));
    assert_int_equal(ad_result_merge_origin(docs, files, 3, summary, sizeof(summary), err, sizeof(err)), -1);
    assert_string_equal(err, "c.json: shard 1/3 is already a.json's");
    json_object_set_new(docs[2].options, "shard", json_pack("{s:i, s:i}", "index", 3, "count", 4));
    assert_int_equal(ad_result_merge_origin(docs, files, 3, summary, sizeof(summary), err, sizeof(err)), -1);
    assert_string_equal(err, "c.json: shard 3 of 4 cannot be merged with shards of 3");
    for (int i = 0; i < 3; i++)
        json_decref(docs[i].options);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shards_equal_the_whole),
        cmocka_unit_test(test_refuses_what_is_not_one_test),
        cmocka_unit_test(test_other_names_kept_apart),
        cmocka_unit_test(test_origin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
