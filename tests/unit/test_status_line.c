/* The start of an HTTP/1 answer head without printf: byte for byte what glibc's snprintf writes for libh2o's
 * two formats, the bounds, and the statuses it leaves to glibc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "status_line.h"

/* ad_h1_head_format against snprintf of the same format, with room to spare and with exactly enough. */
static void check_same_as_printf(const ad_h1_head_t *h)
{
    char want[512], got[512];
    int n = h->has_length
                ? snprintf(want, sizeof(want), AD_H1_HEAD_FORMAT_LENGTH, h->status, h->reason, h->date, h->connection,
                           h->content_length)
                : snprintf(want, sizeof(want), AD_H1_HEAD_FORMAT, h->status, h->reason, h->date, h->connection);
    assert_true(n > 0 && (size_t)n < sizeof(want));
    memset(got, 'x', sizeof(got));
    assert_int_equal(ad_h1_head_format(got, sizeof(got), h), n);
    assert_string_equal(got, want);
    memset(got, 'x', sizeof(got));
    assert_int_equal(ad_h1_head_format(got, (size_t)n + 1, h), n); /* the NUL just fits */
    assert_string_equal(got, want);
    memset(got, 'x', sizeof(got));
    assert_int_equal(ad_h1_head_format(got, (size_t)n, h), -1); /* one byte short: nothing written */
    assert_int_equal(got[0], 'x');
}

static void test_same_as_printf(void **state)
{
    (void)state;
    static const int statuses[] = {100, 101, 200, 204, 304, 404, 418, 503, 999};
    static const char *const reasons[] = {"OK", "", "I'm a teapot", "Service Unavailable"};
    static const size_t lengths[] = {0, 9, 10, 99, 100, 389, 1048576, SIZE_MAX};
    for (size_t s = 0; s < sizeof(statuses) / sizeof(statuses[0]); s++)
        for (size_t r = 0; r < sizeof(reasons) / sizeof(reasons[0]); r++)
            for (size_t l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++)
                for (int with = 0; with < 2; with++) {
                    ad_h1_head_t h = {.status = statuses[s],
                                      .reason = reasons[r],
                                      .date = "Fri, 04 Dec 2026 21:38:02 GMT",
                                      .connection = l % 2 ? "close" : "keep-alive",
                                      .has_length = with,
                                      .content_length = lengths[l]};
                    check_same_as_printf(&h);
                }
}

static void test_statuses_left_to_printf(void **state)
{
    (void)state;
    char buf[256];
    static const int others[] = {99, 1000, 0, -200, 12345};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        ad_h1_head_t h = {.status = others[i], .reason = "OK", .date = "d", .connection = "close"};
        assert_int_equal(ad_h1_head_format(buf, sizeof(buf), &h), -1);
    }
}

static void test_no_room(void **state)
{
    (void)state;
    char buf[1] = {'x'};
    ad_h1_head_t h = {.status = 200, .reason = "OK", .date = "", .connection = ""};
    assert_int_equal(ad_h1_head_format(buf, 0, &h), -1);
    assert_int_equal(ad_h1_head_format(buf, 1, &h), -1);
    assert_int_equal(buf[0], 'x');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_printf),
        cmocka_unit_test(test_statuses_left_to_printf),
        cmocka_unit_test(test_no_room),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
