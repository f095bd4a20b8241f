/* The connection check and address pinning before a run (see target.h). */
#include "target.h"
#include "i18n.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "clock.h"
#include "sockaddr.h"
#include "tls_verify.h"

/* A refused connection answers at once; this bounds a silent (filtered) host. */
#define PROBE_TIMEOUT_MAX_NS (10 * AD_NS_PER_SEC)

bool ad_host_is_loopback(const char *host)
{
    if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0)
        return true;
    struct in_addr a4;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    struct in6_addr a6;
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
    return false;
}

void ad_target_unreachable_message(const char *authority, bool loopback, const char *reason, char *buf, size_t size)
{
    if (loopback)
        snprintf(buf, size, _("cannot connect to %s - is asyncdemod running? (systemctl start asyncdemod)"), authority);
    else
        snprintf(buf, size, _("cannot connect to %s: %s"), authority, reason);
}

ad_target_status_t ad_target_classify(CURLcode rc, bool connected)
{
    if (rc == CURLE_OK)
        return AD_TARGET_OK;
    if (rc == CURLE_OUT_OF_MEMORY || rc == CURLE_FAILED_INIT)
        return AD_TARGET_FAILED;
    return connected ? AD_TARGET_OK : AD_TARGET_UNREACHABLE;
}

void ad_target_failure_message(const ad_url_t *u, CURLcode rc, const char *reason, char *buf, size_t size)
{
    char authority[AD_CTL_AUTHORITY_MAX];
    ad_url_authority(u, authority, sizeof(authority));
    if (ad_target_classify(rc, false) == AD_TARGET_FAILED) {
        snprintf(buf, size, "%s: %s", authority, reason);
        return;
    }
    /* TLS, proxy...: reachable in a sense, but not usable; the daemon hint only where nothing answered */
    bool nothing_there =
        rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_OPERATION_TIMEDOUT;
    ad_target_unreachable_message(authority, nothing_there && ad_host_is_loopback(u->host), reason, buf, size);
}

static bool is_address(const char *host)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* Keeps the address the probe connected to, and pins host:port to it for libcurl. */
static void pin_address(const ad_url_t *u, CURL *easy, ad_target_t *t)
{
    char *ip = NULL;
    if (curl_easy_getinfo(easy, CURLINFO_PRIMARY_IP, &ip) != CURLE_OK || ip == NULL || ip[0] == '\0')
        return;
    bool v6 = strchr(ip, ':') != NULL;
    if (ad_sockaddr_set(&t->address.sa, &t->address.len, v6 ? AF_INET6 : AF_INET, ip, u->port) != 0)
        t->address.len = 0;
    if (is_address(u->host))
        return;
    char entry[AD_CTL_HOST_MAX + 80];
    snprintf(entry, sizeof(entry), "%s:%u:%s%s%s", u->host, (unsigned)u->port, v6 ? "[" : "", ip, v6 ? "]" : "");
    t->resolve = curl_slist_append(NULL, entry);
}

ad_target_status_t ad_target_probe(const ad_url_t *u, const ad_tls_verify_t *tls, int64_t timeout_ns, ad_target_t *t,
                                   char *msg, size_t msglen)
{
    memset(t, 0, sizeof(*t));
    ad_url_authority(u, t->authority, sizeof(t->authority));
    char url[AD_CTL_URL_TEXT_MAX];
    ad_url_format(u, url, sizeof(url));
    if (timeout_ns <= 0 || timeout_ns > PROBE_TIMEOUT_MAX_NS)
        timeout_ns = PROBE_TIMEOUT_MAX_NS;

    CURL *easy = curl_easy_init();
    if (easy == NULL) {
        snprintf(msg, msglen, "curl_easy_init failed (out of memory?)");
        return AD_TARGET_FAILED;
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout_ns / AD_NS_PER_MS));
    ad_tls_verify_setopt(easy, tls); /* the probe's handshake is checked as the requests' will be */
    CURLcode rc = curl_easy_perform(easy);

    ad_target_status_t st = ad_target_classify(rc, rc == CURLE_OK);
    if (st == AD_TARGET_OK)
        pin_address(u, easy, t);
    else
        ad_target_failure_message(u, rc, errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc), msg, msglen);
    curl_easy_cleanup(easy);
    return st;
}

void ad_target_free(ad_target_t *t)
{
    curl_slist_free_all(t->resolve);
    t->resolve = NULL;
}
