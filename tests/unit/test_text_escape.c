/* Unit tests of lib/text_escape.c: what is kept, what is escaped and how, and cutting to fit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "text_escape.h"

static void check(const char *in, size_t len, const char *want)
{
    char out[256];
    assert_int_equal(ad_escape_text(in, len, out, sizeof(out)), len);
    assert_string_equal(out, want);
}

#define CHECK(lit, want) check(lit, sizeof(lit) - 1, want)

static void test_kept(void **state)
{
    (void)state;
    CHECK("bad delay: over max-delay (30s)", "bad delay: over max-delay (30s)");
    CHECK("caf\xc3\xa9 \xe2\x96\x88 \xf0\x9f\x99\x82", "caf\xc3\xa9 \xe2\x96\x88 \xf0\x9f\x99\x82");
    CHECK("", "");
}

static void test_controls(void **state)
{
    (void)state;
    /* what a hostile /stats sends: OSC retitle, clear screen, bell, a CR to overwrite, backspaces */
    CHECK("\033]0;pwned\007", "\\x1b]0;pwned\\x07");
    CHECK("\033[2J\033[H", "\\x1b[2J\\x1b[H");
    CHECK("ok\rfake\b\b", "ok\\rfake\\x08\\x08");
    CHECK("a\tb\nc", "a\\tb\\nc");
    CHECK("nul\0x", "nul\\x00x");
    CHECK("del\x7f", "del\\x7f");
    CHECK("back\\slash", "back\\\\slash");
}

static void test_unicode_controls(void **state)
{
    (void)state;
    CHECK("\xc2\x9b"
          "31m",
          "\\u{009b}31m");          /* C1 CSI */
    CHECK("\xc2\x85", "\\u{0085}"); /* NEL */
    CHECK("\xe2\x80\xae"
          "txt",
          "\\u{202e}txt");              /* right-to-left override */
    CHECK("\xe2\x81\xa6", "\\u{2066}"); /* left-to-right isolate */
    CHECK("\xe2\x80\xa8", "\\u{2028}"); /* line separator */
}

static void test_malformed_utf8(void **state)
{
    (void)state;
    CHECK("\x9b", "\\x9b");                   /* a lone continuation byte: C1 CSI on 8-bit terminals */
    CHECK("\xc3", "\\xc3");                   /* cut short */
    CHECK("\xc0\xaf", "\\xc0\\xaf");          /* overlong */
    CHECK("\xed\xa0\x80", "\\xed\\xa0\\x80"); /* a surrogate */
    CHECK("\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80");
    CHECK("\xe2\x96"
          "A",
          "\\xe2\\x96A");
}

static void test_cut_to_fit(void **state)
{
    (void)state;
    char out[8];
    /* "ab\x1b..." : "ab" fits, "\x1b" (4 bytes) would need 7 with the NUL: fits; the next does not */
    assert_int_equal(ad_escape_text("ab\033\033", 4, out, sizeof(out)), 3);
    assert_string_equal(out, "ab\\x1b");
    /* a UTF-8 character is never split */
    assert_int_equal(ad_escape_text("abcdef\xc3\xa9", 8, out, sizeof(out)), 6);
    assert_string_equal(out, "abcdef");
    assert_int_equal(ad_escape_text("x", 1, out, 1), 0);
    assert_string_equal(out, "");
    assert_false(ad_escape_cstr("abcdefgh", out, sizeof(out)));
    assert_string_equal(out, "abcdefg");
    assert_true(ad_escape_cstr(NULL, out, sizeof(out)));
    assert_string_equal(out, "");
}

/* Whatever the bytes, the result has no control character and is well-formed UTF-8. */
static void test_random_bytes_are_safe(void **state)
{
    (void)state;
    srand(7);
    for (int n = 0; n < 2000; n++) {
        unsigned char in[64];
        char out[64 * AD_ESCAPE_UNIT_MAX + 1];
        size_t len = (size_t)(rand() % 64);
        for (size_t i = 0; i < len; i++)
            in[i] = (unsigned char)rand();
        assert_int_equal(ad_escape_text((const char *)in, len, out, sizeof(out)), len);
        for (const unsigned char *p = (const unsigned char *)out; *p != '\0'; p++) {
            assert_true(*p >= 0x20 && *p != 0x7F);
            if (*p == 0xC2) /* U+0080-U+009F would be C2 80-9F */
                assert_true(p[1] >= 0xA0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kept),
        cmocka_unit_test(test_controls),
        cmocka_unit_test(test_unicode_controls),
        cmocka_unit_test(test_malformed_utf8),
        cmocka_unit_test(test_cut_to_fit),
        cmocka_unit_test(test_random_bytes_are_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
