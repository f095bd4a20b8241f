#ifndef AD_REQUEST_HEAD_H
#define AD_REQUEST_HEAD_H
/*
 * HTTP/1 request heads that RFC 9112 says to refuse, and that h2o 2.2.5 lets through: h2o keeps the first
 * Content-Length and the last Host, prefers Transfer-Encoding over Content-Length, and passes an obs-fold
 * line on as a header with an empty name. Behind a proxy that frames the request differently each of
 * these smuggles a request, so the daemon answers 400 and closes the connection. The check reads the raw
 * head (h2o keeps it at the start of the connection's input buffer until the answer is sent). Pure.
 */
#include <stddef.h>

typedef enum {
    AD_HEAD_OK = 0,
    AD_HEAD_CONTENT_LENGTH_DIFFERS, /* two Content-Length values that differ, or one that is not a number */
    AD_HEAD_CONTENT_LENGTH_WITH_TE, /* Content-Length and Transfer-Encoding together */
    AD_HEAD_OBS_FOLD,               /* a header line continued on the next line (RFC 9112 5.2) */
    AD_HEAD_DUPLICATE_HOST,         /* more than one Host */
    AD_HEAD_MISSING_HOST,           /* HTTP/1.1 without Host (RFC 9112 3.2) */
} ad_head_verdict_t;

/*
 * Checks the request head at the start of buf[0..len) (request line, header lines, the empty line; what
 * follows is ignored). A head whose end is not in buf is AD_HEAD_OK: h2o parsed it, so it is there.
 */
ad_head_verdict_t ad_request_head_check(const char *buf, size_t len);
/* "Content-Length values differ", ...: the reason the 400 gives. */
const char *ad_head_verdict_text(ad_head_verdict_t v);

#endif
