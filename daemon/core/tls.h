#ifndef AD_TLS_H
#define AD_TLS_H
/*
 * A TLS listener's settings (docs/asyncdemod.conf.md, "TLS"): an OpenSSL context made from a PEM
 * certificate chain and key, offering h2 and http/1.1 by ALPN, TLS 1.2 and 1.3 only, forward-secret
 * AEAD cipher suites, no renegotiation, no compression; sessions resume by ticket or from the context's
 * cache, which every loop thread shares. A reload swaps in a new context; connections keep the one they
 * started with (OpenSSL counts its users).
 */
#include <pthread.h>
#include <stddef.h>
#include <openssl/ssl.h>

/* The most a certificate chain or key file may hold: far more than any real one. */
#define AD_TLS_MAX_FILE (1024 * 1024)

typedef struct ad_tls {
    pthread_mutex_t lock; /* guards ctx: loops take a reference, a reload (loop 0) replaces it */
    SSL_CTX *ctx;
    size_t conf_index; /* the config's listen entry: a reload finds its files there */
    char listen[64];   /* that entry's address as given ("127.0.0.1:0") */
    char name[64];     /* the bound address, for messages */
} ad_tls_t;

/*
 * A new server context from the two files. 0, or -1 with a message naming the file and OpenSSL's
 * reason in err ("/etc/k.pem: not a PEM private key: ...", "...: the key does not match the certificate").
 */
int ad_tls_context_new(const char *cert_path, const char *key_path, SSL_CTX **out, char *err, size_t errlen);

/* t takes ctx (its one reference). */
void ad_tls_init(ad_tls_t *t, size_t conf_index, const char *listen, const char *name, SSL_CTX *ctx);
/* The current context with a reference for the caller (SSL_CTX_free it when done). */
SSL_CTX *ad_tls_acquire(ad_tls_t *t);
/* Replaces the context (taking next's reference); handshakes already started keep the old one. */
void ad_tls_replace(ad_tls_t *t, SSL_CTX *next);

#endif
