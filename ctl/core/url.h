#ifndef AD_CTL_URL_H
#define AD_CTL_URL_H
/*
 * The CLI's URLs, parsed once: a flag's text becomes an ad_url_t here, and everything after (plans,
 * probes, messages, reports) works from the parsed form.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define AD_CTL_URL_MAX 1024 /* a URL as given, and ad_url_t's path; longer canonical forms are refused */
#define AD_CTL_HOST_MAX 256
/* "[host]:port" as ad_url_authority writes it, and any URL ad_url_format writes: a URL derived from a parsed
 * one (/stats added, the scheme's port spelled out) may be longer than AD_CTL_URL_MAX and is never cut. */
#define AD_CTL_AUTHORITY_MAX (AD_CTL_HOST_MAX + 16)
#define AD_CTL_URL_TEXT_MAX (sizeof("https://") - 1 + AD_CTL_AUTHORITY_MAX + AD_CTL_URL_MAX)

/* A checked http:// or https:// URL, split. */
typedef struct ad_url {
    bool https;
    char host[AD_CTL_HOST_MAX]; /* without the brackets of an IPv6 literal */
    bool ipv6;                  /* host was written as [..] */
    uint16_t port;              /* explicit, or 80 / 443 */
    char path[AD_CTL_URL_MAX];  /* path and query, "/" when the URL had none; fragment dropped */
} ad_url_t;

/*
 * Parses and checks a URL: scheme http or https (case-insensitive), a host (name, IPv4, or [IPv6]),
 * an optional port 1-65535, an optional path; no credentials, no spaces or control characters.
 * Returns 0, or -1 with a reason in err.
 */
int ad_url_parse(const char *s, ad_url_t *u, char *err, size_t errlen);
/* "host:port" or "[v6]:port", for messages ("cannot connect to 127.0.0.1:8000"). Returns snprintf's length. */
int ad_url_authority(const ad_url_t *u, char *buf, size_t size);
/* The Host header of u: "host[:port]", the port left out when it is the scheme's. Returns snprintf's length. */
int ad_url_host(const ad_url_t *u, char *buf, size_t size);
/* "scheme://host[:port]" + path, the canonical form of u (the scheme's own port left out). Returns snprintf's
 * length. */
int ad_url_format(const ad_url_t *u, char *buf, size_t size);

/* The address a URL's host resolved to (once, by the target probe: target.h); len 0 when unknown. */
typedef struct ad_address {
    struct sockaddr_storage sa;
    socklen_t len;
} ad_address_t;

#endif
