/* The start of an HTTP/1 answer head without printf (see status_line.h). */
#include "status_line.h"

#include <string.h>

#include "digits.h"

static char *put(char *p, const char *s, size_t len)
{
    memcpy(p, s, len);
    return p + len;
}

#define PUT_LITERAL(p, s) put((p), (s), sizeof(s) - 1)

int ad_h1_head_format(char *dst, size_t cap, const ad_h1_head_t *h)
{
    if (h->status < 100 || h->status > 999)
        return -1;
    size_t reason = strlen(h->reason), date = strlen(h->date), connection = strlen(h->connection);
    size_t digits = h->has_length ? ad_u64_digits(h->content_length) : 0;
    size_t len = sizeof("HTTP/1.1 200 \r\nDate: \r\nConnection: \r\n") - 1 + reason + date + connection +
                 (h->has_length ? sizeof("Content-Length: \r\n") - 1 + digits : 0);
    if (len >= cap)
        return -1;
    char *p = PUT_LITERAL(dst, "HTTP/1.1 ");
    ad_u64_to_dec_fixed((unsigned)h->status, p, 3);
    p = PUT_LITERAL(p + 3, " ");
    p = put(p, h->reason, reason);
    p = PUT_LITERAL(p, "\r\nDate: ");
    p = put(p, h->date, date);
    p = PUT_LITERAL(p, "\r\nConnection: ");
    p = put(p, h->connection, connection);
    p = PUT_LITERAL(p, "\r\n");
    if (h->has_length) {
        p = PUT_LITERAL(p, "Content-Length: ");
        ad_u64_to_dec_fixed(h->content_length, p, digits);
        p = PUT_LITERAL(p + digits, "\r\n");
    }
    *p = '\0';
    return (int)len;
}
