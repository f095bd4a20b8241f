/* Request bodies as httpbin reflects them (see httpbin_body.h). */
#include "httpbin_body.h"

#include <string.h>

#include "text_escape.h"

#define BOUNDARY_MAX 70 /* RFC 2046 */

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static bool lower_equals(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    if (len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
        if (c != lit[i])
            return false;
    }
    return true;
}

/*
 * The value of parameter name in a header value "type; a=1; b="x y"" (s[0..len)), quotes removed (a
 * quoted value ends at the next quote: no escapes). false when absent.
 */
static bool find_param(const char *s, size_t len, const char *name, const char **value, size_t *value_len)
{
    const char *end = s + len, *p = memchr(s, ';', len);
    while (p != NULL && p < end) {
        p++;
        while (p < end && is_space(*p))
            p++;
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (eq == NULL)
            return false;
        const char *pname = p;
        size_t pname_len = (size_t)(eq - p);
        ad_trim(&pname, &pname_len, is_space);
        const char *v = eq + 1, *vend;
        while (v < end && is_space(*v))
            v++;
        if (v < end && *v == '"') {
            v++;
            vend = memchr(v, '"', (size_t)(end - v));
            if (vend == NULL)
                return false;
            p = memchr(vend, ';', (size_t)(end - vend));
        } else {
            vend = memchr(v, ';', (size_t)(end - v));
            p = vend;
            if (vend == NULL)
                vend = end;
            while (vend > v && is_space(vend[-1]))
                vend--;
        }
        if (lower_equals(pname, pname_len, name)) {
            *value = v;
            *value_len = (size_t)(vend - v);
            return true;
        }
    }
    return false;
}

/* The media type of a header value: up to the first ';', trimmed. */
static void media_type(const char *s, size_t len, const char **type, size_t *type_len)
{
    const char *semi = memchr(s, ';', len);
    *type = s;
    *type_len = semi != NULL ? (size_t)(semi - s) : len;
    ad_trim(type, type_len, is_space);
}

ad_body_type_t ad_body_type(const char *ct, size_t len, const char **boundary, size_t *boundary_len)
{
    const char *type;
    size_t type_len;
    *boundary = NULL;
    *boundary_len = 0;
    if (ct == NULL)
        return AD_BODY_OTHER;
    media_type(ct, len, &type, &type_len);
    if (lower_equals(type, type_len, "application/x-www-form-urlencoded"))
        return AD_BODY_FORM;
    if (!lower_equals(type, type_len, "multipart/form-data"))
        return AD_BODY_OTHER;
    if (!find_param(ct, len, "boundary", boundary, boundary_len) || *boundary_len == 0 ||
        *boundary_len > BOUNDARY_MAX) {
        *boundary = NULL;
        *boundary_len = 0;
        return AD_BODY_OTHER;
    }
    return AD_BODY_MULTIPART;
}

/* Whether a delimiter's boundary ending at body[at] is complete: "--" (the close) or padding and CRLF. */
static bool delimiter_ends(const char *body, size_t len, size_t at)
{
    if (len - at >= 2 && body[at] == '-' && body[at + 1] == '-')
        return true;
    while (at < len && is_space(body[at]))
        at++;
    return len - at >= 2 && body[at] == '\r' && body[at + 1] == '\n';
}

/* The first delimiter ("--boundary" starting the body or a line, then "--" or a line break) in
 * body[from..len): its offset, or len when none. */
static size_t find_delimiter(const char *body, size_t len, size_t from, const char *b, size_t blen)
{
    while (from + 2 + blen <= len) {
        const char *q = memmem(body + from, len - from, "--", 2);
        if (q == NULL)
            return len;
        size_t at = (size_t)(q - body);
        if (at + 2 + blen <= len && memcmp(q + 2, b, blen) == 0 &&
            (at == 0 || (at >= 2 && body[at - 2] == '\r' && body[at - 1] == '\n')) &&
            delimiter_ends(body, len, at + 2 + blen))
            return at;
        from = at + 1;
    }
    return len;
}

/* Reads the part's head (header lines) in body[start..end) into part. */
static void parse_part_head(const char *head, size_t len, ad_multipart_part_t *part)
{
    const char *end = head + len;
    for (const char *line = head; line < end;) {
        const char *eol = memmem(line, (size_t)(end - line), "\r\n", 2);
        if (eol == NULL)
            eol = end;
        const char *colon = memchr(line, ':', (size_t)(eol - line));
        if (colon != NULL) {
            const char *name = line, *value = colon + 1;
            size_t name_len = (size_t)(colon - line), value_len = (size_t)(eol - value);
            ad_trim(&name, &name_len, is_space);
            ad_trim(&value, &value_len, is_space);
            if (lower_equals(name, name_len, "content-disposition")) {
                if (!find_param(value, value_len, "name", &part->name, &part->name_len)) {
                    part->name = "";
                    part->name_len = 0;
                }
                if (!find_param(value, value_len, "filename", &part->filename, &part->filename_len))
                    part->filename = NULL;
            } else if (lower_equals(name, name_len, "content-type")) {
                part->content_type = value;
                part->content_type_len = value_len;
            }
        }
        line = eol + 2;
    }
}

ad_multipart_status_t ad_multipart_next(const char *body, size_t len, const char *boundary, size_t boundary_len,
                                        size_t *pos, ad_multipart_part_t *part)
{
    size_t p = *pos;
    if (boundary_len == 0 || p > len)
        return AD_MULTIPART_BAD;
    if (p == 0) { /* skip the preamble up to the first delimiter */
        size_t first = find_delimiter(body, len, 0, boundary, boundary_len);
        if (first == len)
            return AD_MULTIPART_BAD;
        p = first + 2 + boundary_len;
    }
    /* p is just past a delimiter: "--" closes, else transport padding and a line break open a part */
    if (len - p >= 2 && body[p] == '-' && body[p + 1] == '-') {
        *pos = len;
        return AD_MULTIPART_END;
    }
    while (p < len && is_space(body[p]))
        p++;
    if (len - p < 2 || body[p] != '\r' || body[p + 1] != '\n')
        return AD_MULTIPART_BAD;
    p += 2;
    size_t head_end, content;
    if (len - p >= 2 && body[p] == '\r' && body[p + 1] == '\n') { /* no header lines */
        head_end = p;
        content = p + 2;
    } else {
        const char *blank = memmem(body + p, len - p, "\r\n\r\n", 4);
        if (blank == NULL)
            return AD_MULTIPART_BAD;
        head_end = (size_t)(blank - body);
        content = head_end + 4;
    }
    /* the content ends at the line break before the next delimiter */
    size_t next = find_delimiter(body, len, content, boundary, boundary_len);
    while (next < len && next < content + 2)
        next = find_delimiter(body, len, next + 1, boundary, boundary_len);
    if (next == len)
        return AD_MULTIPART_BAD;
    *part = (ad_multipart_part_t){.name = "", .data = body + content, .data_len = next - 2 - content};
    parse_part_head(body + p, head_end - p, part);
    *pos = next + 2 + boundary_len;
    return AD_MULTIPART_PART;
}

size_t ad_base64_encode(const unsigned char *in, size_t len, char *out)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = alphabet[v >> 6 & 63];
        out[o++] = alphabet[v & 63];
    }
    if (i < len) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < len ? (unsigned)in[i + 1] << 8 : 0);
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
        out[o++] = '=';
    }
    return o;
}
