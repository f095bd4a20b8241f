#ifndef AD_CTL_TLS_CLIENT_H
#define AD_CTL_TLS_CLIENT_H
/*
 * The client side of TLS for bench's own engines (engine_h2o.c today): one OpenSSL context per run, checking
 * the server as --cacert and -k/--insecure say (cli.h's ad_tls_verify_t; tls_verify.c does the same for
 * libcurl), offering the protocols the engine asks for by ALPN, and keeping the latest session the server
 * offered so that a new connection can resume it instead of a full handshake.
 */
#include <stdbool.h>
#include <stddef.h>
#include <openssl/ssl.h>
#include "cli.h"

typedef struct ad_tls_client ad_tls_client_t;

/*
 * A context for connections to host (the URL's host, without brackets): TLS 1.2 or later; the peer's
 * certificate checked against the system's CA store or tls->cacert's, and against host (a DNS name or an IP
 * address); no check at all with tls->insecure (tls NULL: the defaults). alpn: the protocols to offer in
 * ALPN wire format, each name after its length byte ("\x02h2\x08http/1.1"), or NULL for none. Returns NULL
 * with a one-line reason in err.
 */
ad_tls_client_t *ad_tls_client_new(const ad_tls_verify_t *tls, const char *host, const char *alpn, char *err,
                                   size_t errlen);
void ad_tls_client_free(ad_tls_client_t *c);
SSL_CTX *ad_tls_client_ctx(const ad_tls_client_t *c);
/* The latest resumable session a server gave on this context (thread-safe): a new reference the caller
 * frees or hands on (SSL_set_session does not take it), or NULL when there is none yet. */
SSL_SESSION *ad_tls_client_session(ad_tls_client_t *c);

/* The protocol ALPN chose on a finished handshake, "" when none. */
void ad_tls_client_alpn_selected(const SSL *ssl, char *buf, size_t size);

/* Pure: whether alpn is a well-formed ALPN wire-format list (at least one name, none empty). */
bool ad_tls_alpn_valid(const char *alpn);
/*
 * Pure: the one line for a handshake that failed, from the library's reason: a failed certificate check
 * says so ("certificate verify failed: self-signed certificate", as libcurl's "SSL certificate problem"
 * does), any other "TLS handshake failed: REASON", or with OpenSSL's more precise words when there are
 * some (detail, from ad_tls_client_take_error; NULL: none) "TLS handshake failed: DETAIL".
 */
void ad_tls_client_failure(const char *reason, const char *detail, char *buf, size_t size);
/* OpenSSL's reason for the calling thread's last failure (its error queue, then emptied), or NULL. */
const char *ad_tls_client_take_error(void);

#endif
