/* URL parsing and formatting (see url.h). */
#include "url.h"
#include "i18n.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

static bool is_host_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_';
}

static bool is_v6_char(char c)
{
    return isxdigit((unsigned char)c) || c == ':' || c == '.';
}

/* Parses the "host[:port]" part s[0..len). */
static int parse_authority(const char *s, size_t len, ad_url_t *u, char *err, size_t errlen)
{
    const char *host = s, *port = NULL;
    size_t hostlen;
    if (memchr(s, '@', len) != NULL)
        return ad_fail(err, errlen, _("credentials in a URL are not supported"));
    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close == NULL)
            return ad_fail(err, errlen, _("'[' without ']' around the IPv6 address"));
        host = s + 1;
        hostlen = (size_t)(close - host);
        /* an optional %zone may follow the address */
        size_t addrlen = hostlen;
        const char *pct = memchr(host, '%', hostlen);
        if (pct != NULL)
            addrlen = (size_t)(pct - host);
        for (size_t i = 0; i < addrlen; i++)
            if (!is_v6_char(host[i]))
                return ad_fail(err, errlen, _("'%.*s' is not an IPv6 address"), (int)hostlen, host);
        if (addrlen < 2 || memchr(host, ':', addrlen) == NULL)
            return ad_fail(err, errlen, _("'%.*s' is not an IPv6 address"), (int)hostlen, host);
        u->ipv6 = true;
        const char *after = close + 1;
        if (after < s + len) {
            if (*after != ':')
                return ad_fail(err, errlen, _("unexpected '%c' after the IPv6 address"), *after);
            port = after + 1;
        }
    } else {
        const char *colon = memchr(s, ':', len);
        hostlen = colon != NULL ? (size_t)(colon - s) : len;
        for (size_t i = 0; i < hostlen; i++)
            if (!is_host_char(s[i]))
                return ad_fail(err, errlen, _("'%.*s' is not a host name or address"), (int)hostlen, s);
        if (colon != NULL)
            port = colon + 1;
    }
    if (hostlen == 0)
        return ad_fail(err, errlen, _("no host"));
    if (hostlen >= sizeof(u->host))
        return ad_fail(err, errlen, _("host name too long"));
    memcpy(u->host, host, hostlen);
    u->host[hostlen] = '\0';

    u->port = u->https ? 443 : 80;
    if (port != NULL) {
        size_t plen = (size_t)(s + len - port);
        unsigned long v = 0;
        if (plen == 0 || plen > 5)
            return ad_fail(err, errlen, _("port '%.*s' is not a number from 1 to 65535"), (int)plen, port);
        for (size_t i = 0; i < plen; i++) {
            if (!isdigit((unsigned char)port[i]))
                return ad_fail(err, errlen, _("port '%.*s' is not a number from 1 to 65535"), (int)plen, port);
            v = v * 10 + (unsigned long)(port[i] - '0');
        }
        if (v == 0 || v > 65535)
            return ad_fail(err, errlen, _("port '%.*s' is not a number from 1 to 65535"), (int)plen, port);
        u->port = (uint16_t)v;
    }
    return 0;
}

int ad_url_parse(const char *s, ad_url_t *u, char *err, size_t errlen)
{
    memset(u, 0, sizeof(*u));
    if (s == NULL || *s == '\0')
        return ad_fail(err, errlen, _("empty URL"));
    for (const char *p = s; *p != '\0'; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return ad_fail(err, errlen, _("spaces and control characters must be percent-encoded"));
    }
    const char *rest;
    if (strncasecmp(s, "http://", 7) == 0) {
        rest = s + 7;
    } else if (strncasecmp(s, "https://", 8) == 0) {
        u->https = true;
        rest = s + 8;
    } else {
        return ad_fail(err, errlen, _("must start with http:// or https://"));
    }
    size_t authlen = strcspn(rest, "/?#");
    if (parse_authority(rest, authlen, u, err, errlen) != 0)
        return AD_CTL_PARSE_ERROR;
    const char *path = rest + authlen;
    size_t pathlen = strcspn(path, "#");
    if (pathlen + 2 > sizeof(u->path))
        return ad_fail(err, errlen, _("URL too long"));
    /* "http://h?x=1" has an empty path: the request line needs "/?x=1". */
    size_t off = 0;
    if (pathlen == 0 || path[0] != '/')
        u->path[off++] = '/';
    memcpy(u->path + off, path, pathlen);
    u->path[off + pathlen] = '\0';
    return 0;
}

int ad_url_authority(const ad_url_t *u, char *buf, size_t size)
{
    return snprintf(buf, size, u->ipv6 ? "[%s]:%u" : "%s:%u", u->host, (unsigned)u->port);
}

int ad_url_host(const ad_url_t *u, char *buf, size_t size)
{
    if (u->port == (u->https ? 443 : 80)) /* the scheme's port is left out, as people write it */
        return snprintf(buf, size, u->ipv6 ? "[%s]" : "%s", u->host);
    return ad_url_authority(u, buf, size);
}

int ad_url_format(const ad_url_t *u, char *buf, size_t size)
{
    char auth[AD_CTL_AUTHORITY_MAX];
    ad_url_host(u, auth, sizeof(auth));
    return snprintf(buf, size, "%s://%s%s", u->https ? "https" : "http", auth, u->path);
}
