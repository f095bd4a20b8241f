/* The HPACK header-block scan: field counts, the decoded-size bound, malformed blocks, the limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hpack_scan.h"

static ad_hpack_scan_t scan(const uint8_t *b, size_t n)
{
    ad_hpack_scan_t s;
    ad_hpack_scan(b, n, &s);
    return s;
}

static void test_representations(void **state)
{
    (void)state;
    /* RFC 7541 C.3.1: :method GET, :scheme http, :path /, :authority www.example.com (literal, indexed name) */
    static const uint8_t c31[] = {0x82, 0x86, 0x84, 0x41, 0x0f, 'w', 'w', 'w', '.', 'e',
                                  'x',  'a',  'm',  'p',  'l',  'e', '.', 'c', 'o', 'm'};
    ad_hpack_scan_t s = scan(c31, sizeof(c31));
    assert_false(s.malformed);
    assert_int_equal(s.fields, 4);
    assert_int_equal(s.decoded_bound, 15 + 4 * AD_HPACK_FIELD_COST);
    /* a literal name and value without indexing, Huffman-coded value (4 bytes decode to at most 7) */
    static const uint8_t lit[] = {0x00, 0x01, 'x', 0x84, 0xff, 0xff, 0xff, 0xff};
    s = scan(lit, sizeof(lit));
    assert_false(s.malformed);
    assert_int_equal(s.fields, 1);
    assert_int_equal(s.decoded_bound, 1 + 7 + AD_HPACK_FIELD_COST);
    /* a dynamic table size update is no field; a multi-byte index is one */
    static const uint8_t upd[] = {0x3f, 0xe1, 0x1f, 0xff, 0x80, 0x01};
    s = scan(upd, sizeof(upd));
    assert_false(s.malformed);
    assert_int_equal(s.fields, 1);
}

static void test_malformed(void **state)
{
    (void)state;
    static const uint8_t cut_string[] = {0x40, 0x05, 'a', 'b'};
    assert_true(scan(cut_string, sizeof(cut_string)).malformed);
    static const uint8_t cut_int[] = {0xff, 0x80};
    assert_true(scan(cut_int, sizeof(cut_int)).malformed);
    static const uint8_t huge_int[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    assert_true(scan(huge_int, sizeof(huge_int)).malformed);
    assert_false(scan(NULL, 0).malformed);
    assert_int_equal(scan(NULL, 0).fields, 0);
}

/* The attack: 1-byte indexed fields, one decoded header per byte. */
static void test_amplification_refused(void **state)
{
    (void)state;
    size_t n = 400 * 1024;
    uint8_t *b = malloc(n);
    assert_non_null(b);
    memset(b, 0x82, n);
    ad_hpack_scan_t s = scan(b, n);
    assert_int_equal(s.fields, n);
    assert_false(ad_hpack_scan_ok(&s));
    s = scan(b, AD_HPACK_MAX_FIELDS);
    assert_true(ad_hpack_scan_ok(&s));
    s = scan(b, AD_HPACK_MAX_FIELDS + 1);
    assert_false(ad_hpack_scan_ok(&s));
    free(b);
}

/* A real big head (a 100 KB cookie) stays within the bounds: the daemon answers it with 431 itself. */
static void test_big_literal_accepted(void **state)
{
    (void)state;
    size_t vlen = 100 * 1024;
    uint8_t *b = malloc(vlen + 16);
    assert_non_null(b);
    size_t o = 0;
    b[o++] = 0x0f; /* literal without indexing, name index 15+ ... */
    b[o++] = 0x11; /* ... = 32 (cookie) */
    b[o++] = 0x7f; /* value length 100 KB, 7-bit prefix, not Huffman */
    size_t rest = vlen - 127;
    while (rest >= 128) {
        b[o++] = (uint8_t)(0x80 | (rest & 0x7f));
        rest >>= 7;
    }
    b[o++] = (uint8_t)rest;
    memset(b + o, 'c', vlen);
    ad_hpack_scan_t s = scan(b, o + vlen);
    assert_false(s.malformed);
    assert_int_equal(s.fields, 1);
    assert_true(ad_hpack_scan_ok(&s));
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_representations),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_amplification_refused),
        cmocka_unit_test(test_big_literal_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
