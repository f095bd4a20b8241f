/* Terminal-safe text (see text_escape.h). */
#include "text_escape.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Length of the well-formed UTF-8 sequence at s (2 to 4 bytes), with its code point; 0 when not one. */
static size_t utf8_seq(const unsigned char *s, size_t len, uint32_t *cp)
{
    size_t n;
    uint32_t c, min;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        n = 2, c = s[0] & 0x1Fu, min = 0x80;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        n = 3, c = s[0] & 0x0Fu, min = 0x800;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        n = 4, c = s[0] & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) /* overlong, too large, surrogate */
        return 0;
    *cp = c;
    return n;
}

/* Code points a terminal would act on or that would make the text read differently from its bytes. */
static bool unsafe_cp(uint32_t c)
{
    return (c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2066 && c <= 0x2069);
}

size_t ad_escape_text(const char *s, size_t len, char *out, size_t size)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, o = 0;
    while (i < len) {
        char unit[AD_ESCAPE_UNIT_MAX + 1];
        size_t in = 1, n;
        uint32_t cp;
        unsigned char c = u[i];
        if (c == '\\') {
            n = (size_t)snprintf(unit, sizeof(unit), "\\\\");
        } else if (c == '\t' || c == '\n' || c == '\r') {
            n = (size_t)snprintf(unit, sizeof(unit), "\\%c", c == '\t' ? 't' : c == '\n' ? 'n' : 'r');
        } else if (c < 0x20 || c == 0x7F) {
            n = (size_t)snprintf(unit, sizeof(unit), "\\x%02x", c);
        } else if (c < 0x80) {
            unit[0] = (char)c;
            n = 1;
        } else if ((in = utf8_seq(u + i, len - i, &cp)) == 0) {
            in = 1;
            n = (size_t)snprintf(unit, sizeof(unit), "\\x%02x", c);
        } else if (unsafe_cp(cp)) {
            n = (size_t)snprintf(unit, sizeof(unit), "\\u{%04x}", (unsigned)cp);
        } else {
            memcpy(unit, s + i, in);
            n = in;
        }
        if (o + n >= size)
            break;
        memcpy(out + o, unit, n);
        o += n;
        i += in;
    }
    if (size > 0)
        out[o < size ? o : size - 1] = '\0';
    return i;
}

bool ad_escape_cstr(const char *s, char *out, size_t size)
{
    size_t len = s != NULL ? strlen(s) : 0;
    return ad_escape_text(s != NULL ? s : "", len, out, size) == len;
}

void ad_title_case(const char *in, size_t len, char *out)
{
    int upper_next = 1;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (upper_next && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (!upper_next && c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        out[i] = c;
        upper_next = c == '-';
    }
}
