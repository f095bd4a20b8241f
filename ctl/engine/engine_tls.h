#ifndef AD_CTL_ENGINE_TLS_H
#define AD_CTL_ENGINE_TLS_H
/*
 * TLS on a libh2o socket, for bench's own engines (engine_h2o.c: HTTP/1.1; engine_nghttp2.c: h2): the run's
 * context (tls_client.h), the name the certificate must carry (sent as SNI), and libh2o's client session cache
 * offered the latest session before each handshake, so new connections resume instead of a full handshake.
 */
#include <stdbool.h>
#include <stddef.h>
#include <h2o.h>
#include "tls_client.h"
#include "url.h"

typedef struct ad_engine_tls {
    ad_tls_client_t *client; /* the run's context, shared by the loops */
    const char *server_name;
    h2o_iovec_t session_key; /* libh2o's key for its cache: "name:port" */
    h2o_cache_hashcode_t session_hash;
} ad_engine_tls_t;

/* On the caller's thread (setups run one after another): -1 with err set. client: the worker's w->tls. */
int ad_engine_tls_setup(ad_engine_tls_t *t, ad_tls_client_t *client, const ad_url_t *u, char *err, size_t errlen);
void ad_engine_tls_free(ad_engine_tls_t *t);

/* Begins the handshake on a connected socket; cb gets libh2o's error, to be read by ad_engine_tls_failed. */
void ad_engine_tls_handshake(ad_engine_tls_t *t, h2o_loop_t *loop, h2o_socket_t *sock, h2o_socket_cb cb);

/* After the handshake: false when it succeeded; true with the one-line reason in why when it failed. */
bool ad_engine_tls_failed(const char *err, char *why, size_t size);

#endif
