/* Request bodies as httpbin reflects them: Content-Type, multipart parts, base64 (daemon/httpbin_body.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "httpbin_body.h"

#define S(lit) lit, sizeof(lit) - 1

static ad_body_type_t type_of(const char *ct, const char **b, size_t *blen)
{
    return ad_body_type(ct, ct != NULL ? strlen(ct) : 0, b, blen);
}

static void assert_span(const char *p, size_t len, const char *want)
{
    assert_non_null(p);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(p, want, len);
}

static void test_body_type(void **state)
{
    (void)state;
    const char *b;
    size_t blen;
    assert_int_equal(type_of(NULL, &b, &blen), AD_BODY_OTHER);
    assert_int_equal(type_of("application/json", &b, &blen), AD_BODY_OTHER);
    assert_int_equal(type_of("application/x-www-form-urlencoded", &b, &blen), AD_BODY_FORM);
    assert_int_equal(type_of("  Application/X-WWW-Form-URLEncoded ; charset=utf-8", &b, &blen), AD_BODY_FORM);
    assert_int_equal(type_of("application/x-www-form-urlencodedx", &b, &blen), AD_BODY_OTHER);
    assert_int_equal(type_of("multipart/form-data; boundary=abc", &b, &blen), AD_BODY_MULTIPART);
    assert_span(b, blen, "abc");
    assert_int_equal(type_of("Multipart/Form-Data;charset=x;BOUNDARY=\"a b;c\"; x=y", &b, &blen), AD_BODY_MULTIPART);
    assert_span(b, blen, "a b;c");
    assert_int_equal(type_of("multipart/form-data; boundary=  tok ; x=1", &b, &blen), AD_BODY_MULTIPART);
    assert_span(b, blen, "tok");
    /* no usable boundary: not multipart */
    assert_int_equal(type_of("multipart/form-data", &b, &blen), AD_BODY_OTHER);
    assert_null(b);
    assert_int_equal(type_of("multipart/form-data; boundary=", &b, &blen), AD_BODY_OTHER);
    assert_int_equal(type_of("multipart/form-data; boundary=\"unterminated", &b, &blen), AD_BODY_OTHER);
    assert_int_equal(type_of("multipart/form-data; boundary=12345678901234567890123456789012345678901234567890123456"
                             "789012345678901",
                             &b, &blen),
                     AD_BODY_OTHER); /* 71 bytes: over RFC 2046's 70 */
    assert_int_equal(type_of("multipart/mixed; boundary=abc", &b, &blen), AD_BODY_OTHER);
}

static const char body[] = "preamble\r\n"
                           "--XyZ\r\n"
                           "Content-Disposition: form-data; name=\"field\"\r\n"
                           "\r\n"
                           "value 1\r\n"
                           "--XyZ  \r\n"
                           "content-disposition: form-data; name=\"up\"; filename=\"a.txt\"\r\n"
                           "Content-Type: text/plain\r\n"
                           "\r\n"
                           "line 1\r\n--XyZnot a delimiter\r\nline 3\r\n"
                           "--XyZ\r\n"
                           "\r\n"
                           "no head\r\n"
                           "--XyZ\r\n"
                           "Content-Disposition: form-data; name=empty\r\n"
                           "\r\n"
                           "\r\n"
                           "--XyZ--\r\n"
                           "epilogue";

static void test_multipart_parts(void **state)
{
    (void)state;
    size_t pos = 0;
    ad_multipart_part_t p;
    assert_int_equal(ad_multipart_next(S(body), S("XyZ"), &pos, &p), AD_MULTIPART_PART);
    assert_span(p.name, p.name_len, "field");
    assert_null(p.filename);
    assert_null(p.content_type);
    assert_span(p.data, p.data_len, "value 1");

    /* transport padding after the delimiter; header names without case; a delimiter-like line inside */
    assert_int_equal(ad_multipart_next(S(body), S("XyZ"), &pos, &p), AD_MULTIPART_PART);
    assert_span(p.name, p.name_len, "up");
    assert_span(p.filename, p.filename_len, "a.txt");
    assert_span(p.content_type, p.content_type_len, "text/plain");
    assert_span(p.data, p.data_len, "line 1\r\n--XyZnot a delimiter\r\nline 3");

    /* no header lines at all: a field without a name */
    assert_int_equal(ad_multipart_next(S(body), S("XyZ"), &pos, &p), AD_MULTIPART_PART);
    assert_span(p.name, p.name_len, "");
    assert_span(p.data, p.data_len, "no head");

    /* an unquoted name, empty content */
    assert_int_equal(ad_multipart_next(S(body), S("XyZ"), &pos, &p), AD_MULTIPART_PART);
    assert_span(p.name, p.name_len, "empty");
    assert_int_equal(p.data_len, 0);

    assert_int_equal(ad_multipart_next(S(body), S("XyZ"), &pos, &p), AD_MULTIPART_END);
}

static void test_multipart_malformed(void **state)
{
    (void)state;
    size_t pos = 0;
    ad_multipart_part_t p;
    /* no delimiter at all */
    assert_int_equal(ad_multipart_next(S("just text"), S("XyZ"), &pos, &p), AD_MULTIPART_BAD);
    /* the wrong boundary */
    pos = 0;
    assert_int_equal(ad_multipart_next(S(body), S("other"), &pos, &p), AD_MULTIPART_BAD);
    /* a delimiter in the middle of a line does not count: all of that is preamble before the close */
    pos = 0;
    assert_int_equal(ad_multipart_next(S("x--XyZ\r\n\r\ny\r\n--XyZ--"), S("XyZ"), &pos, &p), AD_MULTIPART_END);
    /* a part that never ends */
    pos = 0;
    assert_int_equal(ad_multipart_next(S("--XyZ\r\nA: b\r\n\r\nbody without its end"), S("XyZ"), &pos, &p),
                     AD_MULTIPART_BAD);
    /* a head that never ends */
    pos = 0;
    assert_int_equal(ad_multipart_next(S("--XyZ\r\nA: b\r\n--XyZ--"), S("XyZ"), &pos, &p), AD_MULTIPART_BAD);
    /* junk after a boundary: not a delimiter, so the part never ends */
    pos = 0;
    assert_int_equal(ad_multipart_next(S("--XyZ\r\n\r\nx\r\n--XyZjunk"), S("XyZ"), &pos, &p), AD_MULTIPART_BAD);
    /* truncated right after the first delimiter */
    pos = 0;
    assert_int_equal(ad_multipart_next(S("--XyZ"), S("XyZ"), &pos, &p), AD_MULTIPART_BAD);
    /* an empty boundary never matches */
    pos = 0;
    assert_int_equal(ad_multipart_next(S(body), "", 0, &pos, &p), AD_MULTIPART_BAD);
    /* no parts, just the close */
    pos = 0;
    assert_int_equal(ad_multipart_next(S("--XyZ--\r\n"), S("XyZ"), &pos, &p), AD_MULTIPART_END);
}

static void test_base64(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {{"", ""},
                 {"f", "Zg=="},
                 {"fo", "Zm8="},
                 {"foo", "Zm9v"},
                 {"foob", "Zm9vYg=="},
                 {"fooba", "Zm9vYmE="},
                 {"foobar", "Zm9vYmFy"},
                 {"\xff\xfe\x00", "//4A"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[16];
        size_t inlen = strlen(cases[i].in) + (i == 7); /* the last one ends with a NUL byte */
        assert_int_equal(ad_base64_len(inlen), strlen(cases[i].out));
        size_t n = ad_base64_encode((const unsigned char *)cases[i].in, inlen, out);
        assert_int_equal(n, strlen(cases[i].out));
        assert_memory_equal(out, cases[i].out, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_type),
        cmocka_unit_test(test_multipart_parts),
        cmocka_unit_test(test_multipart_malformed),
        cmocka_unit_test(test_base64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
