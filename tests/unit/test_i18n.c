/* lib/i18n: display cells of translated text, cutting and padding by cells, and the locale set-up that keeps
 * numbers with a decimal point: the JSON document is the same bytes under uk_UA.UTF-8 as under C. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "json_report.h"
#include "report.h"
#include "test_ctl_fixtures.h"

static void cells_in(const char *locale)
{
    assert_non_null(setlocale(LC_CTYPE, locale));
    assert_int_equal(ad_text_cells(""), 0);
    assert_int_equal(ad_text_cells("latency"), 7);
    assert_int_equal(ad_text_cells("затримка"), 8); /* 16 bytes */
    assert_int_equal(ad_text_cells("\033[1mзапит\033[0m x2"), 8);
    assert_int_equal(ad_text_cells("\u2591 у черзі"), 9);
    assert_int_equal(ad_text_cells("\xff\xfe"), 2); /* not UTF-8: a cell per byte, never a negative width */
}

static void test_cells(void **state)
{
    cells_in("C.UTF-8");
    assert_int_equal(ad_text_cells("日本"), 4); /* wide characters where the locale knows them */
    cells_in("C");                              /* the C locale: one cell per UTF-8 character */
}

static void test_cut(void **state)
{
    assert_non_null(setlocale(LC_CTYPE, "C.UTF-8"));
    assert_int_equal(ad_text_cut("затримка", 3), 6);
    assert_int_equal(ad_text_cut("затримка", 8), 16);
    assert_int_equal(ad_text_cut("затримка", 80), 16);
    assert_int_equal(ad_text_cut("ab", 0), 0);
    assert_int_equal(ad_text_cut("a日b", 2), 1); /* a wide character that does not fit stays out whole */
}

static char *padded(const char *s, int width)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    fputc('[', out);
    ad_fput_cells(out, s, width);
    fputc(']', out);
    fclose(out);
    return buf;
}

static void test_fput_cells(void **state)
{
    assert_non_null(setlocale(LC_CTYPE, "C.UTF-8"));
    struct {
        const char *s;
        int width;
        const char *want;
    } cases[] = {
        {"режим", -8, "[режим   ]"}, {"режим", 8, "[   режим]"}, {"mode", -8, "[mode    ]"},
        {"режим", 3, "[режим]"},     {"режим", -5, "[режим]"},   {"", 2, "[  ]"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = padded(cases[i].s, cases[i].width);
        assert_string_equal(got, cases[i].want);
        free(got);
    }
}

/* The bench document and the text report of the fixture runs, after ad_i18n_init() under lang. */
static char *render_in(const char *lang, bool json)
{
    setenv("LC_ALL", lang, 1);
    ad_i18n_init();
    if (strcmp(lang, "C") != 0 && strcmp(setlocale(LC_MONETARY, NULL), lang) != 0)
        skip(); /* the locale is not installed (packaging/install-deps.sh generates uk_UA.UTF-8) */
    ad_run_result_t *runs[] = {fx_blocking(), fx_nonblocking()};
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    if (json) {
        ad_json_report_t doc = {
            .command = "bench", .runs = runs, .nruns = 2, .started_wall_ns = runs[0]->start_wall_ns};
        assert_int_equal(ad_json_report_write(out, &doc), 0);
    } else {
        ad_report_style_t st;
        ad_report_style_default(&st);
        ad_report_run(out, runs[0], &st);
    }
    fclose(out);
    free(runs[0]);
    free(runs[1]);
    unsetenv("LC_ALL");
    return buf;
}

static void test_json_same_bytes_in_every_locale(void **state)
{
    char *c = render_in("C", true), *uk = render_in("uk_UA.UTF-8", true);
    assert_non_null(strstr(c, "\"p99\":"));
    assert_string_equal(uk, c);
    free(c);
    free(uk);
    setlocale(LC_ALL, "C");
}

static void test_report_numbers_keep_the_decimal_point(void **state)
{
    char *uk = render_in("uk_UA.UTF-8", false);
    assert_non_null(setlocale(LC_ALL, "C"));
    assert_non_null(strstr(uk, " 10.005s, 0.50 ")); /* the staircase's total and rate, not "10,005s, 0,50" */
    free(uk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cells),
        cmocka_unit_test(test_cut),
        cmocka_unit_test(test_fput_cells),
        cmocka_unit_test(test_json_same_bytes_in_every_locale),
        cmocka_unit_test(test_report_numbers_keep_the_decimal_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
