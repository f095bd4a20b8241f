/* bench's TLS client contexts (ctl/engine/tls_client.c): the ALPN list check, the one-line handshake
 * failures, and what a context refuses to be made from. Handshakes themselves: tests/integration/test_ctl_tls.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tls_client.h"

static void test_alpn_lists(void **state)
{
    (void)state;
    assert_true(ad_tls_alpn_valid("\x02h2"));
    assert_true(ad_tls_alpn_valid("\x08http/1.1"));
    assert_true(ad_tls_alpn_valid("\x02h2\x08http/1.1"));
    assert_false(ad_tls_alpn_valid(""));
    assert_false(ad_tls_alpn_valid("h2"));                 /* no length byte: 'h' = 104 bytes to come */
    assert_false(ad_tls_alpn_valid("\x03h2"));             /* shorter than it says */
    assert_false(ad_tls_alpn_valid("\x02h2\x09http/1.1")); /* the last one too */
    assert_false(ad_tls_alpn_valid("\x01h2"));             /* longer: a stray byte after it */
}

static void test_failure_lines(void **state)
{
    (void)state;
    static const struct {
        const char *reason, *detail, *line;
    } cases[] = {
        /* OpenSSL's words for failed certificate checks (X509_verify_cert_error_string) keep their own */
        {"self-signed certificate", NULL, "certificate verify failed: self-signed certificate"},
        {"IP address mismatch", NULL, "certificate verify failed: IP address mismatch"},
        {"hostname mismatch", NULL, "certificate verify failed: hostname mismatch"},
        {"certificate has expired", NULL, "certificate verify failed: certificate has expired"},
        {"self-signed certificate", "certificate verify failed", "certificate verify failed: self-signed certificate"},
        /* anything else, with OpenSSL's words where there are some */
        {"ssl handshake failure", NULL, "TLS handshake failed: ssl handshake failure"},
        {"ssl handshake failure", "wrong version number", "TLS handshake failed: wrong version number"},
        {"ssl handshake failure", "", "TLS handshake failed: ssl handshake failure"},
        {"the server closed the connection", NULL, "TLS handshake failed: the server closed the connection"},
        {"unknown certificate verification error", NULL,
         "TLS handshake failed: unknown certificate verification error"},
        {NULL, NULL, "TLS handshake failed: unknown reason"},
    };
    char buf[200];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ad_tls_client_failure(cases[i].reason, cases[i].detail, buf, sizeof(buf));
        assert_string_equal(buf, cases[i].line);
    }
    char small[12];
    ad_tls_client_failure("self-signed certificate", NULL, small, sizeof(small));
    assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void test_contexts(void **state)
{
    (void)state;
    char err[256] = "";
    ad_tls_verify_t insecure = {.insecure = true};
    ad_tls_client_t *c = ad_tls_client_new(&insecure, "127.0.0.1", "\x08http/1.1", err, sizeof(err));
    assert_non_null(c);
    assert_int_equal(SSL_CTX_get_verify_mode(ad_tls_client_ctx(c)), SSL_VERIFY_NONE);
    assert_int_equal(SSL_CTX_get_min_proto_version(ad_tls_client_ctx(c)), TLS1_2_VERSION);
    assert_null(ad_tls_client_session(c)); /* none before a server gave one */
    SSL *ssl = SSL_new(ad_tls_client_ctx(c));
    char proto[16] = "x";
    ad_tls_client_alpn_selected(ssl, proto, sizeof(proto));
    assert_string_equal(proto, ""); /* no handshake, no choice */
    SSL_free(ssl);
    ad_tls_client_free(c);

    /* the defaults (the system's store), a name and an IPv6 address to check */
    c = ad_tls_client_new(NULL, "example.com", NULL, err, sizeof(err));
    assert_non_null(c);
    assert_int_equal(SSL_CTX_get_verify_mode(ad_tls_client_ctx(c)), SSL_VERIFY_PEER);
    ad_tls_client_free(c);
    c = ad_tls_client_new(NULL, "::1", NULL, err, sizeof(err));
    assert_non_null(c);
    ad_tls_client_free(c);

    ad_tls_verify_t missing = {.cacert = "/nonexistent/ca.pem"};
    assert_null(ad_tls_client_new(&missing, "127.0.0.1", NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "--cacert /nonexistent/ca.pem: "));
    assert_null(ad_tls_client_new(NULL, "127.0.0.1", "\x05h2", err, sizeof(err)));
    assert_string_equal(err, "TLS: malformed ALPN protocol list");
    assert_null(ad_tls_client_take_error()); /* nothing left behind in OpenSSL's queue */
    ad_tls_client_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alpn_lists),
        cmocka_unit_test(test_failure_lines),
        cmocka_unit_test(test_contexts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
