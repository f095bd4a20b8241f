#ifndef AD_CTL_REQUEST_SHAPE_H
#define AD_CTL_REQUEST_SHAPE_H
/*
 * What bench sends besides the URL, as hey, oha and wrk users expect: -X/--method, -H/--header
 * (repeatable), --body or --body-file, --content-type. Checked here (pure: no I/O; --body-file is read by
 * the command) and written here as the HTTP/1.1 request the h2o engine sends; the curl engine sets the
 * same through libcurl (transfer.c), so both engines send the same request.
 */
#include <stdbool.h>
#include <stddef.h>

#define AD_CTL_HEADERS_MAX 32
#define AD_CTL_METHOD_MAX 32
#define AD_CTL_CONTENT_TYPE_MAX 256
/* The largest --body-file: a body is held in memory and sent with every request. */
#define AD_CTL_BODY_MAX (64u * 1024 * 1024)

typedef struct ad_request_shape {
    char method[AD_CTL_METHOD_MAX];          /* "" = GET, or POST when there is a body (as curl -d) */
    const char *headers[AD_CTL_HEADERS_MAX]; /* "Name: value" as given (the strings outlive the run: argv) */
    size_t nheaders;
    const char *content_type; /* --content-type, or NULL */
    const char *body;         /* --body (argv), or the --body-file's contents once read; NULL = no body */
    size_t body_len;
    const char *body_file; /* --body-file FILE, or NULL */
} ad_request_shape_t;

/* Each returns 0, or -1 with "flag: reason" in err. */
int ad_request_shape_method(ad_request_shape_t *s, const char *flag, const char *v, char *err, size_t errlen);
int ad_request_shape_header(ad_request_shape_t *s, const char *flag, const char *v, char *err, size_t errlen);
int ad_request_shape_content_type(ad_request_shape_t *s, const char *flag, const char *v, char *err, size_t errlen);
/* After all flags: --body and --body-file together, --content-type beside a Content-Type header. */
int ad_request_shape_finish(const ad_request_shape_t *s, char *err, size_t errlen);

/* The method sent: the given one, else POST with a body, else GET. */
const char *ad_request_shape_method_name(const ad_request_shape_t *s);
/* Whether the answer to it has no body whatever its headers say (HEAD). */
bool ad_request_shape_no_answer_body(const ad_request_shape_t *s);
/* Whether a header named name (case-insensitive) is among the -H headers. */
bool ad_request_shape_has_header(const ad_request_shape_t *s, const char *name);

/*
 * The whole HTTP/1.1 request: request line, Host (authority), User-Agent (user_agent) and Accept unless
 * -H gives them, the -H headers, Content-Type and Content-Length with a body, then the body. malloc'd
 * (*len bytes, then a NUL); NULL when out of memory.
 */
char *ad_request_shape_http1(const ad_request_shape_t *s, const char *path, const char *authority,
                             const char *user_agent, size_t *len);

/* One header field of an HTTP/2 request. */
typedef struct ad_request_field {
    const char *name, *value;
    size_t name_len, value_len;
} ad_request_field_t;

/* The pseudo-headers, User-Agent, Accept, Content-Type and Content-Length besides the -H headers. */
#define AD_CTL_H2_FIELDS_MAX (AD_CTL_HEADERS_MAX + 8)

typedef struct ad_request_h2 {
    ad_request_field_t fields[AD_CTL_H2_FIELDS_MAX];
    size_t nfields;
    char *store; /* malloc'd: the lowercase names and Content-Length's digits the fields point into */
} ad_request_h2_t;

/*
 * The same request as HTTP/2 header fields (the body is sent apart, as DATA): :method, :scheme, :authority
 * (a -H Host header's value, else authority), :path, then the fields ad_request_shape_http1 writes, their
 * names lowercase (RFC 9113 8.2.1) and their values without surrounding blanks. The -H strings, path and
 * authority must outlive *out. Returns 0, or -1 when out of memory. ad_request_h2_free frees it.
 */
int ad_request_shape_h2(const ad_request_shape_t *s, const char *scheme, const char *path, const char *authority,
                        const char *user_agent, ad_request_h2_t *out);
void ad_request_h2_free(ad_request_h2_t *r);

#endif
