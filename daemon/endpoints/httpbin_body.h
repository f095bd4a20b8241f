#ifndef AD_HTTPBIN_BODY_H
#define AD_HTTPBIN_BODY_H
/*
 * What /delay/{n} reflects of a request body, as httpbin does (docs/http-api.md): the body's type from its
 * Content-Type, multipart/form-data parts, and the helpers for bytes that are not text (httpbin's
 * "data:application/octet-stream;base64,..."). Form-urlencoded bodies are query strings (query.h).
 * Pure functions over (pointer, length); nothing is NUL-terminated and nothing is allocated.
 */
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    AD_BODY_OTHER = 0, /* reflected as "data" (and "json" when it parses) */
    AD_BODY_FORM,      /* application/x-www-form-urlencoded: "form" */
    AD_BODY_MULTIPART, /* multipart/form-data with a boundary: "form" and "files" */
} ad_body_type_t;

/*
 * The type of a body sent with Content-Type ct[0..len) (NULL, 0: none). Media types compare without
 * case, parameters may follow. For multipart/form-data, *boundary points at the boundary parameter's value
 * inside ct (quotes removed); without a usable one (missing, empty, over 70 bytes) the type is AD_BODY_OTHER.
 */
ad_body_type_t ad_body_type(const char *ct, size_t len, const char **boundary, size_t *boundary_len);

typedef struct ad_multipart_part {
    const char *name; /* Content-Disposition's name= (quotes removed), empty when absent */
    size_t name_len;
    const char *filename; /* filename=, NULL when absent: a form field; else a file */
    size_t filename_len;
    const char *content_type; /* the part's Content-Type, NULL when absent */
    size_t content_type_len;
    const char *data; /* the part's content */
    size_t data_len;
} ad_multipart_part_t;

typedef enum {
    AD_MULTIPART_PART = 0, /* *part is filled */
    AD_MULTIPART_END,      /* the closing delimiter was reached */
    AD_MULTIPART_BAD,      /* malformed: no delimiter, a part without its head or its end */
} ad_multipart_status_t;

/*
 * Iterates the parts of a multipart body: *pos starts at 0 and is advanced past each part. Parts point
 * into body. Whatever precedes the first delimiter (the preamble) and follows the last is ignored.
 */
ad_multipart_status_t ad_multipart_next(const char *body, size_t len, const char *boundary, size_t boundary_len,
                                        size_t *pos, ad_multipart_part_t *part);

/* Bytes needed for the base64 of len bytes (no NUL). */
static inline size_t ad_base64_len(size_t len)
{
    return (len + 2) / 3 * 4;
}
/* Writes the standard base64 (with '=' padding) of in[0..len) to out (ad_base64_len(len) bytes); returns that length.
 */
size_t ad_base64_encode(const unsigned char *in, size_t len, char *out);

#endif
