/* The timeline: golden output (serial staircase, overlapping block, compare modes, open model), widths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "test_ctl_fixtures.h"
#include "timeline.h"

static ad_timeline_style_t style(int width, bool ascii, bool color)
{
    ad_timeline_style_t st;
    ad_timeline_style_default(&st);
    st.width = width;
    st.ascii = ascii;
    st.color = color;
    return st;
}

/* Display width of a UTF-8 line (every code point here is one column). */
static int columns(const char *s, size_t len)
{
    int n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

static int widest_line(const char *text)
{
    int w = 0;
    for (const char *p = text; *p != '\0';) {
        size_t len = strcspn(p, "\n");
        int c = columns(p, len);
        w = c > w ? c : w;
        p += len + (p[len] == '\n');
    }
    return w;
}

/* The row of request `index` of the run titled `name`: the bar between the two '|'. */
static void bar_of(const char *text, const char *name, int index, char *bar, size_t size)
{
    char title[80], label[16];
    snprintf(title, sizeof(title), "\n%s\n", name);
    const char *p = strstr(text, title);
    assert_non_null(p);
    snprintf(label, sizeof(label), "  #%d ", index);
    p = strstr(p, label);
    assert_non_null(p);
    const char *open = strchr(p, '|'), *close = strchr(open + 1, '|');
    snprintf(bar, size, "%.*s", (int)(close - open - 1), open + 1);
}

static void test_lesson_golden(void **state)
{
    (void)state;
    ad_run_result_t *bl = fx_blocking(), *nb = fx_nonblocking();
    const ad_run_result_t *runs[] = {bl, nb};
    char *text = NULL;
    ad_timeline_style_t st = style(80, false, false);
    FX_CAPTURE(text, ad_timeline_render(out, runs, 2, &st));
    fx_golden("timeline_lesson_80.txt", text);
    assert_true(widest_line(text) <= 80);
    free(text);

    st = style(40, true, false);
    FX_CAPTURE(text, ad_timeline_render(out, runs, 2, &st));
    fx_golden("timeline_lesson_40_ascii.txt", text);
    assert_true(widest_line(text) <= 40);
    /* serial: each served bar starts where the previous one ended (a staircase) */
    char prev[256], cur[256];
    bar_of(text, "/blocking", 1, prev, sizeof(prev));
    for (int i = 2; i <= 5; i++) {
        bar_of(text, "/blocking", i, cur, sizeof(cur));
        size_t start = strcspn(cur, "#"), prev_end = strlen(prev);
        while (prev_end > 0 && prev[prev_end - 1] == ' ')
            prev_end--;
        assert_true(start + 1 >= prev_end && start <= prev_end + 1);
        assert_true(strspn(cur, ".") == start); /* queued until served */
        memcpy(prev, cur, sizeof(prev));
    }
    /* overlapping: every bar the same, starting at 0 */
    char first[256];
    bar_of(text, "/non-blocking", 1, first, sizeof(first));
    size_t hashes = strspn(first, "#");
    assert_true(hashes > 0);
    assert_int_equal(strspn(first + hashes, " "), strlen(first + hashes)); /* then nothing but spaces */
    for (int i = 2; i <= 5; i++) {
        bar_of(text, "/non-blocking", i, cur, sizeof(cur));
        assert_string_equal(cur, first);
    }
    /* one axis for both runs: /non-blocking's bars are about a fifth of the width */
    size_t len = strspn(first, "#"), area = strlen(first);
    assert_true(len * 5 >= area - 5 && len * 5 <= area + 5);
    free(text);

    st = style(120, false, true);
    FX_CAPTURE(text, ad_timeline_render(out, runs, 2, &st));
    fx_golden("timeline_lesson_120_color.txt", text);
    free(text);
    free(bl);
    free(nb);
}

static void test_compare_golden(void **state)
{
    (void)state;
    ad_run_result_t *m[] = {fx_mode("sequential"), fx_mode("async"), fx_mode("threads"), fx_mode("processes")};
    const ad_run_result_t *runs[] = {m[0], m[1], m[2], m[3]};
    char *text = NULL;
    ad_timeline_style_t st = style(80, true, false);
    FX_CAPTURE(text, ad_timeline_render(out, runs, 4, &st));
    fx_golden("timeline_compare_80_ascii.txt", text);
    /* sequential: no request starts before the previous one ended */
    char cur[256];
    size_t prev_start = 0;
    for (int i = 1; i <= 5; i++) {
        bar_of(text, "sequential", i, cur, sizeof(cur));
        size_t start = strcspn(cur, "#");
        assert_true(i == 1 || start > prev_start);
        prev_start = start;
    }
    free(text);
    st = style(80, false, false);
    FX_CAPTURE(text, ad_timeline_render(out, runs, 4, &st));
    fx_golden("timeline_compare_80.txt", text);
    free(text);
    for (int i = 0; i < 4; i++)
        free(m[i]);
}

static void test_open_model_golden(void **state)
{
    (void)state;
    ad_run_result_t *r = fx_open();
    const ad_run_result_t *runs[] = {r};
    char *text = NULL;
    ad_timeline_style_t st = style(80, false, false);
    st.max_rows = 30;
    FX_CAPTURE(text, ad_timeline_render(out, runs, 1, &st));
    fx_golden("timeline_open_80.txt", text);
    assert_non_null(strstr(text, "... 10 more requests not shown"));
    assert_non_null(strstr(text, " connect\n"));
    assert_true(widest_line(text) <= 80);
    free(text);
    st.max_rows = 0; /* every record */
    FX_CAPTURE(text, ad_timeline_render(out, runs, 1, &st));
    assert_non_null(strstr(text, "  #40 |"));
    assert_non_null(strstr(text, " timeout\n"));
    assert_non_null(strstr(text, "s 503\n"));
    assert_null(strstr(text, "more requests"));
    free(text);
    free(r);
}

static void test_widths(void **state)
{
    (void)state;
    ad_run_result_t *bl = fx_blocking(), *nb = fx_nonblocking();
    const ad_run_result_t *runs[] = {bl, nb};
    for (int w = 40; w <= 200; w += 7) {
        char *text = NULL;
        ad_timeline_style_t st = style(w, w % 2 == 0, false);
        FX_CAPTURE(text, ad_timeline_render(out, runs, 2, &st));
        assert_true(widest_line(text) <= w);
        assert_true(widest_line(text) >= w - 1); /* the bars use the width */
        free(text);
    }
    /* narrower than 40: a 10-column bar area, still drawn */
    char *text = NULL;
    ad_timeline_style_t st = style(10, true, false);
    FX_CAPTURE(text, ad_timeline_render(out, runs, 2, &st));
    fx_golden("timeline_narrow_10_ascii.txt", text);
    char bar[64];
    bar_of(text, "/blocking", 1, bar, sizeof(bar));
    assert_int_equal(strlen(bar), 10);
    free(text);
    /* huge widths are capped, not overflowed */
    st = style(100000, true, false);
    FX_CAPTURE(text, ad_timeline_render(out, runs, 2, &st));
    assert_true(widest_line(text) < 1100);
    free(text);
    free(bl);
    free(nb);
}

static void test_nothing_to_draw(void **state)
{
    (void)state;
    ad_run_result_t *r = fx_new("/x", "u", 1);
    const ad_run_result_t *runs[] = {r};
    char *text = NULL;
    ad_timeline_style_t st = style(80, false, false);
    FX_CAPTURE(text, ad_timeline_render(out, runs, 1, &st));
    assert_string_equal(text, "");
    free(text);
    FX_CAPTURE(text, ad_timeline_render(out, runs, 0, &st));
    assert_string_equal(text, "");
    free(text);
    /* instant requests at time 0 and a bogus record ending before it starts still draw */
    fx_add(r, 0, 0, 0, 200, AD_ERR_NONE, 0, -1, 0);
    fx_add(r, 0, 5 * FX_MS, 1 * FX_MS, 200, AD_ERR_NONE, 0, -1, 0);
    FX_CAPTURE(text, ad_timeline_render(out, runs, 1, &st));
    assert_non_null(strstr(text, "  #1 |"));
    assert_non_null(strstr(text, "  #2 |"));
    free(text);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lesson_golden),     cmocka_unit_test(test_compare_golden),
        cmocka_unit_test(test_open_model_golden), cmocka_unit_test(test_widths),
        cmocka_unit_test(test_nothing_to_draw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
