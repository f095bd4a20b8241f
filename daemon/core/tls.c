/* TLS contexts of the listeners (see tls.h). */
#include "tls.h"

#include <stdlib.h>
#include <string.h>
#include <h2o.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "fail.h"
#include "file_read.h"

/* TLS 1.2: forward secrecy and AEAD only (TLS 1.3's suites are all of that kind). */
#define TLS12_CIPHERS "ECDHE+AESGCM:ECDHE+CHACHA20"
#define SESSION_ID_CONTEXT "asyncdemod"

/* h2 first: the server's order decides when a client offers both. */
static const h2o_iovec_t alpn_protocols[] = {{H2O_STRLIT("h2")}, {H2O_STRLIT("http/1.1")}, {NULL, 0}};

/* OpenSSL's reason for the last failure, or what_failed when its queue is empty. */
static const char *openssl_reason(char *buf, size_t size, const char *what_failed)
{
    unsigned long e = ERR_peek_last_error();
    if (e == 0)
        return what_failed;
    const char *r = ERR_reason_error_string(e);
    snprintf(buf, size, "%s", r != NULL ? r : what_failed);
    ERR_clear_error();
    return buf;
}

static BIO *read_pem(const char *path, const char *what, char **text, char *err, size_t errlen)
{
    size_t len;
    if (ad_file_read(path, AD_TLS_MAX_FILE, what, text, &len, err, errlen) != 0)
        return NULL;
    BIO *bio = BIO_new_mem_buf(*text, (int)len);
    if (bio == NULL)
        ad_fail(err, errlen, "%s: out of memory", path);
    return bio;
}

/* The first certificate is the server's, the rest its chain. */
static int use_chain(SSL_CTX *ctx, const char *path, char *err, size_t errlen)
{
    char *text = NULL, why[256];
    BIO *bio = read_pem(path, "certificate file", &text, err, errlen);
    int rc = -1;
    if (bio == NULL)
        goto out;
    ERR_clear_error();
    X509 *leaf = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL);
    if (leaf == NULL) {
        ad_fail(err, errlen, "%s: not a PEM certificate: %s", path, openssl_reason(why, sizeof(why), "unreadable"));
        goto out;
    }
    int used = SSL_CTX_use_certificate(ctx, leaf);
    X509_free(leaf);
    if (used != 1) {
        ad_fail(err, errlen, "%s: certificate refused: %s", path, openssl_reason(why, sizeof(why), "unusable"));
        goto out;
    }
    X509 *ca;
    while ((ca = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (SSL_CTX_add0_chain_cert(ctx, ca) != 1) {
            X509_free(ca);
            ad_fail(err, errlen, "%s: chain certificate refused: %s", path,
                    openssl_reason(why, sizeof(why), "unusable"));
            goto out;
        }
    }
    ERR_clear_error(); /* the end of the file reads as "no start line" */
    rc = 0;
out:
    BIO_free(bio);
    free(text);
    return rc;
}

static int use_key(SSL_CTX *ctx, const char *path, char *err, size_t errlen)
{
    char *text = NULL, why[256];
    BIO *bio = read_pem(path, "key file", &text, err, errlen);
    int rc = -1;
    if (bio == NULL)
        goto out;
    ERR_clear_error();
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    if (key == NULL) {
        ad_fail(err, errlen, "%s: not a PEM private key (or it has a passphrase): %s", path,
                openssl_reason(why, sizeof(why), "unreadable"));
        goto out;
    }
    int used = SSL_CTX_use_PrivateKey(ctx, key);
    EVP_PKEY_free(key);
    if (used != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        ad_fail(err, errlen, "%s: the key does not match the certificate: %s", path,
                openssl_reason(why, sizeof(why), "mismatch"));
        goto out;
    }
    rc = 0;
out:
    BIO_free(bio);
    free(text);
    return rc;
}

int ad_tls_context_new(const char *cert_path, const char *key_path, SSL_CTX **out, char *err, size_t errlen)
{
    *out = NULL;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL)
        return ad_fail(err, errlen, "cannot create a TLS context (out of memory)");
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS); /* idle connections keep no 34 KB record buffers */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)SESSION_ID_CONTEXT, sizeof(SESSION_ID_CONTEXT) - 1);
    if (SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) != 1) {
        SSL_CTX_free(ctx);
        return ad_fail(err, errlen, "cannot set the TLS 1.2 cipher suites");
    }
    if (use_chain(ctx, cert_path, err, errlen) != 0 || use_key(ctx, key_path, err, errlen) != 0) {
        SSL_CTX_free(ctx);
        return -1;
    }
    h2o_ssl_register_alpn_protocols(ctx, alpn_protocols);
    *out = ctx;
    return 0;
}

void ad_tls_init(ad_tls_t *t, size_t conf_index, const char *listen, const char *name, SSL_CTX *ctx)
{
    pthread_mutex_init(&t->lock, NULL);
    t->ctx = ctx;
    t->conf_index = conf_index;
    snprintf(t->listen, sizeof(t->listen), "%s", listen);
    snprintf(t->name, sizeof(t->name), "%s", name);
}

SSL_CTX *ad_tls_acquire(ad_tls_t *t)
{
    pthread_mutex_lock(&t->lock);
    SSL_CTX *ctx = t->ctx;
    SSL_CTX_up_ref(ctx);
    pthread_mutex_unlock(&t->lock);
    return ctx;
}

void ad_tls_replace(ad_tls_t *t, SSL_CTX *next)
{
    pthread_mutex_lock(&t->lock);
    SSL_CTX *old = t->ctx;
    t->ctx = next;
    pthread_mutex_unlock(&t->lock);
    SSL_CTX_free(old);
}
