/* bench's request shaping: checks and the HTTP/1.1 form (see request_shape.h). */
#include "request_shape.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fail.h"
#include "i18n.h"
#include "flags.h"

/* RFC 9110 token characters: methods and header names. */
static bool is_token(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(c > 0x20 && c < 0x7f && strchr("\"(),/:;<=>?@[\\]{}", c) == NULL))
            return false;
    }
    return true;
}

/* A field value: visible characters, spaces and tabs; no CR, LF or other control bytes. */
static bool is_field_value(const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}

/* Headers the engines write themselves from the body and the connection. */
static const char *const reserved[] = {"Content-Length", "Transfer-Encoding", "Connection"};

int ad_request_shape_method(ad_request_shape_t *s, const char *flag, const char *v, char *err, size_t errlen)
{
    size_t len = strlen(v);
    if (len >= sizeof(s->method) || !is_token(v, len))
        return ad_fail(err, errlen, _("%s: '%.64s' is not an HTTP method (a token such as GET, POST, PUT)"), flag, v);
    memcpy(s->method, v, len + 1);
    return 0;
}

int ad_request_shape_header(ad_request_shape_t *s, const char *flag, const char *v, char *err, size_t errlen)
{
    const char *colon = strchr(v, ':');
    if (colon == NULL || !is_token(v, (size_t)(colon - v)))
        return ad_fail(err, errlen, _("%s: '%.64s' is not a header (expected \"Name: value\")"), flag, v);
    if (!is_field_value(colon + 1))
        return ad_fail(err, errlen, _("%s: '%.64s' has a control character (CR, LF, ...) in its value"), flag, v);
    size_t nlen = (size_t)(colon - v);
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if (strlen(reserved[i]) == nlen && strncasecmp(v, reserved[i], nlen) == 0)
            return ad_fail(err, errlen, _("%s: '%.64s': asyncdemoctl sets %s itself"), flag, v, reserved[i]);
    if (s->nheaders == AD_CTL_HEADERS_MAX)
        return ad_fail(err, errlen, _("%s: at most %d headers"), flag, AD_CTL_HEADERS_MAX);
    s->headers[s->nheaders++] = v;
    return 0;
}

int ad_request_shape_content_type(ad_request_shape_t *s, const char *flag, const char *v, char *err, size_t errlen)
{
    if (*v == '\0' || strlen(v) >= AD_CTL_CONTENT_TYPE_MAX || !is_field_value(v))
        return ad_fail(err, errlen, _("%s: '%.64s' is not a media type of at most %d bytes (e.g. application/json)"),
                       flag, v, AD_CTL_CONTENT_TYPE_MAX - 1);
    s->content_type = v;
    return 0;
}

bool ad_request_shape_has_header(const ad_request_shape_t *s, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < s->nheaders; i++)
        if (strncasecmp(s->headers[i], name, len) == 0 && s->headers[i][len] == ':')
            return true;
    return false;
}

int ad_request_shape_finish(const ad_request_shape_t *s, char *err, size_t errlen)
{
    if (s->body != NULL && s->body_file != NULL)
        return ad_fail(err, errlen, _("--body and --body-file: give one of them"));
    if (s->content_type != NULL && ad_request_shape_has_header(s, "content-type"))
        return ad_fail(err, errlen, _("--content-type: a Content-Type header is given with -H too"));
    return 0;
}

const char *ad_request_shape_method_name(const ad_request_shape_t *s)
{
    if (s->method[0] != '\0')
        return s->method;
    return s->body != NULL || s->body_file != NULL ? "POST" : "GET";
}

bool ad_request_shape_no_answer_body(const ad_request_shape_t *s)
{
    return strcmp(ad_request_shape_method_name(s), "HEAD") == 0;
}

char *ad_request_shape_http1(const ad_request_shape_t *s, const char *path, const char *authority,
                             const char *user_agent, size_t *len)
{
    size_t cap = 256 + strlen(path) + strlen(authority) + strlen(user_agent) + s->body_len;
    for (size_t i = 0; i < s->nheaders; i++)
        cap += strlen(s->headers[i]) + 2;
    if (s->content_type != NULL)
        cap += strlen(s->content_type) + 16;
    char *buf = malloc(cap);
    if (buf == NULL)
        return NULL;
    size_t n = (size_t)snprintf(buf, cap, "%s %s HTTP/1.1\r\n", ad_request_shape_method_name(s), path);
    if (!ad_request_shape_has_header(s, "host"))
        n += (size_t)snprintf(buf + n, cap - n, "Host: %s\r\n", authority);
    if (!ad_request_shape_has_header(s, "user-agent"))
        n += (size_t)snprintf(buf + n, cap - n, "User-Agent: %s\r\n", user_agent);
    if (!ad_request_shape_has_header(s, "accept"))
        n += (size_t)snprintf(buf + n, cap - n, "Accept: */*\r\n");
    for (size_t i = 0; i < s->nheaders; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s\r\n", s->headers[i]);
    if (s->content_type != NULL)
        n += (size_t)snprintf(buf + n, cap - n, "Content-Type: %s\r\n", s->content_type);
    if (s->body != NULL)
        n += (size_t)snprintf(buf + n, cap - n, "Content-Length: %zu\r\n", s->body_len);
    n += (size_t)snprintf(buf + n, cap - n, "\r\n");
    if (s->body != NULL) {
        memcpy(buf + n, s->body, s->body_len);
        n += s->body_len;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void add_field(ad_request_h2_t *r, const char *name, size_t name_len, const char *value, size_t value_len)
{
    r->fields[r->nfields++] =
        (ad_request_field_t){.name = name, .name_len = name_len, .value = value, .value_len = value_len};
}

static void add_cstr(ad_request_h2_t *r, const char *name, const char *value)
{
    add_field(r, name, strlen(name), value, strlen(value));
}

int ad_request_shape_h2(const ad_request_shape_t *s, const char *scheme, const char *path, const char *authority,
                        const char *user_agent, ad_request_h2_t *out)
{
    size_t cap = 32; /* Content-Length's digits */
    for (size_t i = 0; i < s->nheaders; i++)
        cap += (size_t)(strchr(s->headers[i], ':') - s->headers[i]);
    memset(out, 0, sizeof(*out));
    if ((out->store = malloc(cap)) == NULL)
        return -1;
    char *at = out->store;
    const char *host = authority;
    size_t host_len = strlen(authority);
    add_cstr(out, ":method", ad_request_shape_method_name(s));
    add_cstr(out, ":scheme", scheme);
    size_t authority_at = out->nfields;
    add_cstr(out, ":authority", authority);
    add_cstr(out, ":path", path);
    if (!ad_request_shape_has_header(s, "user-agent"))
        add_cstr(out, "user-agent", user_agent);
    if (!ad_request_shape_has_header(s, "accept"))
        add_cstr(out, "accept", "*/*");
    for (size_t i = 0; i < s->nheaders; i++) {
        const char *h = s->headers[i], *colon = strchr(h, ':'), *v = colon + 1, *end = v + strlen(v);
        while (*v == ' ' || *v == '\t')
            v++;
        while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        size_t nlen = (size_t)(colon - h);
        if (nlen == 4 && strncasecmp(h, "host", 4) == 0) { /* HTTP/2 carries it as :authority */
            host = v;
            host_len = (size_t)(end - v);
            continue;
        }
        for (size_t k = 0; k < nlen; k++)
            at[k] = (char)tolower((unsigned char)h[k]);
        add_field(out, at, nlen, v, (size_t)(end - v));
        at += nlen;
    }
    out->fields[authority_at].value = host;
    out->fields[authority_at].value_len = host_len;
    if (s->content_type != NULL)
        add_cstr(out, "content-type", s->content_type);
    if (s->body != NULL) {
        int n = snprintf(at, 32, "%zu", s->body_len);
        add_field(out, "content-length", 14, at, (size_t)n);
    }
    return 0;
}

void ad_request_h2_free(ad_request_h2_t *r)
{
    free(r->store);
    r->store = NULL;
    r->nfields = 0;
}
