/* TLS on a libh2o socket for bench's engines (engine_tls.h). */
#include "engine_tls.h"
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"

/* libh2o's client session cache: one entry is used (one target per run); its lifetime is the server's to
 * decide (a ticket it no longer accepts costs one full handshake). */
#define SESSION_CACHE_CAPACITY 16
#define SESSION_CACHE_LIFETIME_MS (3600 * 1000)

int ad_engine_tls_setup(ad_engine_tls_t *t, ad_tls_client_t *client, const ad_url_t *u, char *err, size_t errlen)
{
    *t = (ad_engine_tls_t){.client = client};
    if (client == NULL) {
        snprintf(err, errlen, "https:// without a TLS context");
        return -1;
    }
    /* made once, by the first loop's setup; the loops' threads share it, hence MULTITHREADED */
    SSL_CTX *ctx = ad_tls_client_ctx(client);
    if (h2o_socket_ssl_get_session_cache(ctx) == NULL)
        h2o_socket_ssl_set_session_cache(ctx, h2o_cache_create(H2O_CACHE_FLAG_MULTITHREADED, SESSION_CACHE_CAPACITY,
                                                               SESSION_CACHE_LIFETIME_MS,
                                                               h2o_socket_ssl_destroy_session_cache_entry));
    t->server_name = u->host;
    char key[AD_CTL_HOST_MAX + 8];
    int len = snprintf(key, sizeof(key), "%s:%u", u->host, (unsigned)u->port);
    t->session_key = h2o_strdup(NULL, key, (size_t)len);
    t->session_hash = h2o_cache_calchash(t->session_key.base, t->session_key.len);
    return 0;
}

void ad_engine_tls_free(ad_engine_tls_t *t)
{
    free(t->session_key.base);
    t->session_key = h2o_iovec_init(NULL, 0);
}

void ad_engine_tls_handshake(ad_engine_tls_t *t, h2o_loop_t *loop, h2o_socket_t *sock, h2o_socket_cb cb)
{
    SSL_CTX *ctx = ad_tls_client_ctx(t->client);
    SSL_SESSION *s = ad_tls_client_session(t->client);
    if (s != NULL) /* libh2o looks it up by key; the cache takes the reference (and frees what it replaces) */
        h2o_cache_set(h2o_socket_ssl_get_session_cache(ctx), h2o_now(loop), t->session_key, t->session_hash,
                      h2o_iovec_init(s, 1));
    h2o_socket_ssl_handshake(sock, ctx, t->server_name, cb);
}

/*
 * libh2o's own check of the certificate's name after OpenSSL's handshake matches DNS names only (an
 * IP-address certificate never passes) and runs whatever the verify mode (so also with --insecure). OpenSSL
 * has already checked the name the right way when verifying (tls_client.c), so that verdict is ignored;
 * anything else failed the handshake.
 */
bool ad_engine_tls_failed(const char *err, char *why, size_t size)
{
    if (err == NULL || err == h2o_socket_error_ssl_cert_name_mismatch || err == h2o_socket_error_ssl_cert_invalid)
        return false;
    /* libh2o says "ssl handshake failure" where OpenSSL knows more ("wrong version number"...) */
    const char *detail = ad_tls_client_take_error();
    if (err == h2o_socket_error_closed)
        ad_tls_client_failure("the server closed the connection", NULL, why, size);
    else
        ad_tls_client_failure(err, detail, why, size);
    return true;
}
