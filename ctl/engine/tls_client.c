/* TLS client contexts for bench's own engines (see tls_client.h). */
#include "tls_client.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

/* X509_V_ERR_* codes are below this (OpenSSL 3 stops under 100). */
#define VERIFY_CODES_END 256

struct ad_tls_client {
    SSL_CTX *ctx;
    pthread_mutex_t mu;
    SSL_SESSION *session; /* the latest resumable one, or NULL */
};

/* OpenSSL's reason for the last failure, or fallback when its queue is empty. */
static const char *openssl_reason(const char *fallback)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;
    ERR_clear_error();
    return r != NULL ? r : fallback;
}

/* OpenSSL calls this for each session a server gives (TLS 1.3: its tickets, after the handshake). */
static int on_new_session(SSL *ssl, SSL_SESSION *s)
{
    ad_tls_client_t *c = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    if (c == NULL || !SSL_SESSION_is_resumable(s))
        return 0;
    pthread_mutex_lock(&c->mu);
    SSL_SESSION *old = c->session;
    c->session = s;
    pthread_mutex_unlock(&c->mu);
    SSL_SESSION_free(old);
    return 1; /* the reference is ours */
}

/* What the certificate must name: host, as an IP address or as a DNS name. */
static int set_peer_name(SSL_CTX *ctx, const char *host)
{
    X509_VERIFY_PARAM *param = SSL_CTX_get0_param(ctx);
    unsigned char addr[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1)
        return X509_VERIFY_PARAM_set1_ip_asc(param, host) == 1 ? 0 : -1;
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return X509_VERIFY_PARAM_set1_host(param, host, 0) == 1 ? 0 : -1;
}

static int configure(ad_tls_client_t *c, const ad_tls_verify_t *tls, const char *host, const char *alpn, char *err,
                     size_t errlen)
{
    SSL_CTX *ctx = c->ctx;
    SSL_CTX_set_app_data(ctx, c);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, on_new_session);
    if (alpn != NULL) {
        if (!ad_tls_alpn_valid(alpn)) {
            snprintf(err, errlen, "TLS: malformed ALPN protocol list");
            return -1;
        }
        if (SSL_CTX_set_alpn_protos(ctx, (const unsigned char *)alpn, (unsigned)strlen(alpn)) != 0) {
            snprintf(err, errlen, "TLS: ALPN: %s", openssl_reason("refused"));
            return -1;
        }
    }
    if (tls != NULL && tls->insecure) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
        return 0;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    /* --cacert replaces the system's store, as CURLOPT_CAINFO does for libcurl. */
    if (tls != NULL && tls->cacert != NULL) {
        if (SSL_CTX_load_verify_locations(ctx, tls->cacert, NULL) != 1) {
            snprintf(err, errlen, "--cacert %.200s: %s", tls->cacert, openssl_reason("no certificate in it"));
            return -1;
        }
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        snprintf(err, errlen, "TLS: the system's CA store: %s", openssl_reason("unreadable"));
        return -1;
    }
    if (set_peer_name(ctx, host) != 0) {
        snprintf(err, errlen, "TLS: cannot check the certificate's name against %.200s", host);
        return -1;
    }
    return 0;
}

ad_tls_client_t *ad_tls_client_new(const ad_tls_verify_t *tls, const char *host, const char *alpn, char *err,
                                   size_t errlen)
{
    ad_tls_client_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&c->mu, NULL);
    ERR_clear_error();
    c->ctx = SSL_CTX_new(TLS_client_method());
    if (c->ctx == NULL) {
        snprintf(err, errlen, "TLS: %s", openssl_reason("cannot make a context"));
        ad_tls_client_free(c);
        return NULL;
    }
    if (configure(c, tls, host, alpn, err, errlen) != 0) {
        ad_tls_client_free(c);
        return NULL;
    }
    return c;
}

void ad_tls_client_free(ad_tls_client_t *c)
{
    if (c == NULL)
        return;
    SSL_CTX_free(c->ctx);
    SSL_SESSION_free(c->session);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

SSL_CTX *ad_tls_client_ctx(const ad_tls_client_t *c)
{
    return c->ctx;
}

SSL_SESSION *ad_tls_client_session(ad_tls_client_t *c)
{
    pthread_mutex_lock(&c->mu);
    SSL_SESSION *s = c->session;
    if (s != NULL)
        SSL_SESSION_up_ref(s);
    pthread_mutex_unlock(&c->mu);
    return s;
}

void ad_tls_client_alpn_selected(const SSL *ssl, char *buf, size_t size)
{
    const unsigned char *p = NULL;
    unsigned len = 0;
    SSL_get0_alpn_selected(ssl, &p, &len);
    snprintf(buf, size, "%.*s", (int)len, p != NULL ? (const char *)p : "");
}

bool ad_tls_alpn_valid(const char *alpn)
{
    size_t len = strlen(alpn), i = 0;
    if (len == 0)
        return false;
    while (i < len)
        i += 1 + (unsigned char)alpn[i]; /* a length byte of 0 ends the string: never here */
    return i == len;
}

/* Whether reason is one of OpenSSL's words for a failed certificate check (X509_verify_cert_error_string). */
static bool is_verify_failure(const char *reason)
{
    const char *unknown = X509_verify_cert_error_string(-1);
    for (long code = X509_V_OK + 1; code < VERIFY_CODES_END; code++) {
        const char *s = X509_verify_cert_error_string(code);
        if (s != NULL && s != unknown && strcmp(s, unknown) != 0 && strcmp(s, reason) == 0)
            return true;
    }
    return false;
}

void ad_tls_client_failure(const char *reason, const char *detail, char *buf, size_t size)
{
    if (reason == NULL || reason[0] == '\0')
        reason = "unknown reason";
    if (is_verify_failure(reason))
        snprintf(buf, size, "certificate verify failed: %s", reason);
    else
        snprintf(buf, size, "TLS handshake failed: %s", detail != NULL && detail[0] != '\0' ? detail : reason);
}

const char *ad_tls_client_take_error(void)
{
    return openssl_reason(NULL);
}
