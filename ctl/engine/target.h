#ifndef AD_CTL_TARGET_H
#define AD_CTL_TARGET_H
/*
 * The target check before a run: one connection attempt, so a daemon that is not running gives one
 * clear line instead of a wall of per-request errors; and the host's address, resolved once and
 * pinned (CURLOPT_RESOLVE), so 10,000 handles do not each start a resolver thread.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <curl/curl.h>
#include "options.h"

typedef struct ad_target {
    char authority[AD_CTL_AUTHORITY_MAX]; /* "127.0.0.1:8000" */
    struct curl_slist *resolve;           /* "host:port:address", or NULL when the host is an address */
    ad_address_t address;                 /* the address the probe connected to (len 0: unknown) */
} ad_target_t;

typedef enum {
    AD_TARGET_OK = 0,
    AD_TARGET_UNREACHABLE, /* refused, unresolvable, timed out, TLS failed: the caller exits 2 with msg */
    AD_TARGET_FAILED,      /* the probe itself could not run (out of memory): exit 70 */
} ad_target_status_t;

/*
 * Connects once to u's host and port (and closes). On AD_TARGET_UNREACHABLE msg is the one line to
 * print: "cannot connect to 127.0.0.1:8000 - is asyncdemod running? (systemctl start asyncdemod)" for a
 * loopback host, "cannot connect to HOST:PORT: reason" for others. t is filled either way; free it.
 */
ad_target_status_t ad_target_probe(const ad_url_t *u, const ad_tls_verify_t *tls, int64_t timeout_ns, ad_target_t *t,
                                   char *msg, size_t msglen);
void ad_target_free(ad_target_t *t);

/*
 * Pure: what a failed attempt on a target means, the one mapping every subcommand uses. Before a usable
 * connection (connected false: refused, unresolvable, timed out connecting, TLS handshake or proxy failed)
 * it is AD_TARGET_UNREACHABLE; out of memory is AD_TARGET_FAILED; a failure after the connection was
 * made is the answer's, AD_TARGET_OK here (the caller counts it as a failed request).
 */
ad_target_status_t ad_target_classify(CURLcode rc, bool connected);
/*
 * The one line for an UNREACHABLE or FAILED target: the unreachable message (with the daemon hint for a
 * loopback host that refused, did not resolve or timed out) or "authority: reason".
 */
void ad_target_failure_message(const ad_url_t *u, CURLcode rc, const char *reason, char *buf, size_t size);

/* Pure: whether host names this machine's loopback ("127.x.y.z", "::1", "localhost"). */
bool ad_host_is_loopback(const char *host);
/* Pure: the message for an unreachable target (see ad_target_probe). */
void ad_target_unreachable_message(const char *authority, bool loopback, const char *reason, char *buf, size_t size);

#endif
