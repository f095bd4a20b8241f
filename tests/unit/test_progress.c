/* The live progress line: counts, rate, errors, time; warm-up and timed runs; cut to the width. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <locale.h>

#include "progress.h"

#define MS INT64_C(1000000)
#define SEC INT64_C(1000000000)

static void test_counted_run(void **state)
{
    (void)state;
    char buf[256];
    ad_engine_progress_t p = {.completed = 3200, .errors = 0, .total = 10000, .elapsed_ns = 1234 * MS, .rps = 31234.0};
    size_t n = ad_progress_format_line("bench", "/non-blocking", &p, 0, buf, sizeof(buf));
    assert_string_equal(buf, "bench /non-blocking  3200/10000  31.2k req/s  0 errors  1.2s");
    assert_int_equal(n, strlen(buf));
    p.errors = 1;
    p.rps = 950.4;
    ad_progress_format_line("compare", "async", &p, 0, buf, sizeof(buf));
    assert_string_equal(buf, "compare async  3200/10000  950 req/s  1 error  1.2s");
}

static void test_timed_run_and_warmup(void **state)
{
    (void)state;
    char buf[256];
    ad_engine_progress_t p = {
        .completed = 51, .total = 0, .duration_ns = 5 * SEC, .elapsed_ns = 2500 * MS, .rps = 2.0e6};
    ad_progress_format_line("bench", "/stats", &p, 0, buf, sizeof(buf));
    assert_string_equal(buf, "bench /stats  51 done  2.00M req/s  0 errors  2.5s/5s");
    p.warmup = true;
    p.duration_ns = 2 * SEC;
    p.elapsed_ns = 300 * MS;
    ad_progress_format_line("bench", "/stats", &p, 0, buf, sizeof(buf));
    assert_string_equal(buf, "bench /stats  warm-up  2.00M req/s  0 errors  300ms/2s");
}

static void test_cut_to_width(void **state)
{
    (void)state;
    char buf[256];
    ad_engine_progress_t p = {.completed = 1, .total = 5, .elapsed_ns = 0};
    size_t n = ad_progress_format_line("bench", "/blocking", &p, 20, buf, sizeof(buf));
    assert_int_equal(n, 20);
    assert_int_equal(strlen(buf), 20);
    assert_memory_equal(buf, "bench /blocking  1/5", 20);
    /* A buffer smaller than the line: terminated, never overrun. */
    char small[8];
    n = ad_progress_format_line("bench", "/blocking", &p, 0, small, sizeof(small));
    assert_int_equal(n, 7);
    assert_string_equal(small, "bench /");
}

/* The width is terminal cells: a Cyrillic line (a translation, or an endpoint's name) is cut after whole
 * characters, never inside one's UTF-8 bytes. */
static void test_cut_to_width_in_cells(void **state)
{
    (void)state;
    char buf[256];
    ad_engine_progress_t p = {.completed = 1, .total = 5, .elapsed_ns = 0};
    assert_non_null(setlocale(LC_CTYPE, "C.UTF-8"));
    size_t n = ad_progress_format_line("bench", "/затримка", &p, 12, buf, sizeof(buf));
    assert_string_equal(buf, "bench /затри"); /* 12 cells, 17 bytes */
    assert_int_equal(n, 17);
    n = ad_progress_format_line("bench", "/затримка", &p, 0, buf, sizeof(buf));
    assert_string_equal(buf, "bench /затримка  1/5  0 req/s  0 errors  0s");
    setlocale(LC_CTYPE, "C");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counted_run),
        cmocka_unit_test(test_timed_run_and_warmup),
        cmocka_unit_test(test_cut_to_width),
        cmocka_unit_test(test_cut_to_width_in_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
