#ifndef AD_DELAY_JSON_H
#define AD_DELAY_JSON_H
/*
 * The delay endpoints' answer (docs/http-api.md, "Delay endpoints' answer") and httpbin's /delay/{n}
 * shape around it. Pure functions writing into an ad_jw_t.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "httpbin_body.h"
#include "json_writer.h"
#include "text_escape.h"

typedef struct ad_delay_result {
    const char *endpoint; /* "/non-blocking", "/blocking", "/offload", "/delay" */
    int64_t requested_ns;
    int64_t started_mono_ns, finished_mono_ns; /* CLOCK_MONOTONIC */
    int64_t started_wall_ns;                   /* CLOCK_REALTIME at arrival; finished = started + waited */
    uint64_t sequence;
    long pid;
    const char *thread; /* "loop-0" */
    const char *worker; /* "worker-2" for /offload, else NULL */
    /* a delay that varies (delay_spec.h), or seed= given: what was asked; requested_ns is the draw */
    const char *asked; /* the delay's text as received, NULL: fixed, no "delay" object */
    size_t asked_len;
    int64_t jitter_ns;
    bool has_seed;
    uint64_t seed;
    uint64_t seed_index; /* the draw's number in seed's sequence on its connection */
} ad_delay_result_t;

/* Writes the answer object. */
void ad_delay_json(ad_jw_t *w, const ad_delay_result_t *r);
/* size= (docs/http-api.md): w holds one whole object; when it and its newline are shorter than size bytes,
 * a last member "padding": "***..." makes them size bytes exactly (at least 13 bytes short: the member's
 * own length). Otherwise w is left as it is. */
void ad_delay_json_pad(ad_jw_t *w, size_t size);

/* One query pair, header, form field or file as httpbin reflects it, already decoded; nothing need be
 * NUL-terminated. */
typedef struct ad_httpbin_pair {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
    size_t order;             /* position in the request, keeps repeated keys in order */
    const char *content_type; /* files: the part's Content-Type for a data URL (NULL: application/octet-stream) */
    size_t content_type_len;
} ad_httpbin_pair_t;

/* A multipart part as a form field or file (its name, content and Content-Type). */
static inline ad_httpbin_pair_t ad_httpbin_part(const ad_multipart_part_t *part, size_t order)
{
    return (ad_httpbin_pair_t){.name = part->name,
                               .name_len = part->name_len,
                               .value = part->data,
                               .value_len = part->data_len,
                               .order = order,
                               .content_type = part->content_type,
                               .content_type_len = part->content_type_len};
}

typedef struct ad_httpbin_request {
    ad_httpbin_pair_t *args; /* sorted in place by name */
    size_t nargs;
    ad_httpbin_pair_t *headers; /* names title-cased by the caller (ad_title_case); sorted in place */
    size_t nheaders;
    const char *method; /* "method" (/anything's answer), or NULL: not written */
    size_t method_len;
    const char *origin; /* client IP */
    const char *url;    /* "http://HOST/delay/2?a=1" */
    size_t url_len;
    /* the body (httpbin_body.h): */
    const char *data; /* "data": the body unless it was a form (NULL: "") */
    size_t data_len;
    ad_httpbin_pair_t *form; /* form fields, urlencoded or multipart; sorted in place */
    size_t nform;
    ad_httpbin_pair_t *files; /* multipart file parts (value: the content); sorted in place */
    size_t nfiles;
} ad_httpbin_request_t;

/*
 * Writes httpbin's answer: args, form and files (a repeated key becomes an array, in request order), data,
 * headers (a repeated header's values joined with ","), json (data parsed as JSON, null when it is not),
 * method (when in->method is set), origin, url, plus "asyncdemo": the delay answer (when r is not NULL). Keys
 * come out sorted by name, as httpbin's JSON does.
 * Bytes that are not UTF-8 (data, a file) become "data:TYPE;base64,..." as in httpbin.
 */
void ad_httpbin_json(ad_jw_t *w, ad_httpbin_request_t *in, const ad_delay_result_t *r);
/* One line of httpbin's /stream/{n}: {"args", "headers", "id", "origin", "url"} (keys sorted, as above). */
void ad_httpbin_stream_line(ad_jw_t *w, ad_httpbin_request_t *in, uint32_t id);

#endif
