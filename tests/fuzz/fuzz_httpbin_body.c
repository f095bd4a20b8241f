/*
 * libFuzzer target: daemon/httpbin_body.c and the body half of delay_json.c, what /delay/{n} reflects of a
 * request body. The input is "Content-Type\nbody": the type picks the parser (form-urlencoded pairs,
 * multipart parts, anything else as data and JSON). Properties: multipart parts lie inside the body in order,
 * the iteration ends, and the whole answer is valid JSON whatever the bytes.
 */
#include <jansson.h>

#include "delay_json.h"
#include "fuzz.h"
#include "httpbin_body.h"
#include "query.h"

#define MAX_PARTS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data, *nl = memchr(text, '\n', size);
    size_t ct_len = nl != NULL ? (size_t)(nl - text) : 0;
    const char *body = nl != NULL ? nl + 1 : text, *boundary;
    size_t len = size - (size_t)(body - text), boundary_len;
    ad_httpbin_pair_t form[MAX_PARTS], files[MAX_PARTS];
    ad_httpbin_request_t in = {.origin = "127.0.0.1", .url = "u", .url_len = 1, .form = form, .files = files};

    switch (ad_body_type(nl != NULL ? text : NULL, ct_len, &boundary, &boundary_len)) {
    case AD_BODY_FORM: {
        size_t pos = 0;
        ad_query_pair_t p;
        while (in.nform < MAX_PARTS && ad_query_next(body, len, &pos, &p)) {
            AD_FUZZ_CHECK(p.name >= body && p.name + p.name_len <= body + len);
            form[in.nform] = (ad_httpbin_pair_t){.name = p.name,
                                                 .name_len = p.name_len,
                                                 .value = p.value != NULL ? p.value : "",
                                                 .value_len = p.value_len,
                                                 .order = in.nform};
            in.nform++;
        }
        break;
    }
    case AD_BODY_MULTIPART: {
        AD_FUZZ_CHECK(boundary >= text && boundary + boundary_len <= text + ct_len && boundary_len > 0);
        size_t pos = 0, prev_end = 0, n = 0;
        ad_multipart_part_t part;
        ad_multipart_status_t st;
        while ((st = ad_multipart_next(body, len, boundary, boundary_len, &pos, &part)) == AD_MULTIPART_PART) {
            AD_FUZZ_CHECK(part.data >= body + prev_end && part.data + part.data_len <= body + len);
            AD_FUZZ_CHECK(pos <= len && pos > (size_t)(part.data - body));
            prev_end = (size_t)(part.data - body) + part.data_len;
            ad_httpbin_pair_t pair = ad_httpbin_part(&part, n);
            if (part.filename != NULL && in.nfiles < MAX_PARTS)
                files[in.nfiles++] = pair;
            else if (part.filename == NULL && in.nform < MAX_PARTS)
                form[in.nform++] = pair;
            AD_FUZZ_CHECK(++n <= len); /* every part consumes input: the loop ends */
        }
        AD_FUZZ_CHECK(st == AD_MULTIPART_END || st == AD_MULTIPART_BAD);
        break;
    }
    case AD_BODY_OTHER:
        in.data = body;
        in.data_len = len;
        break;
    }

    ad_delay_result_t r = {.endpoint = "/delay", .thread = "loop-0"};
    ad_jw_t w;
    ad_jw_init(&w, 64);
    ad_httpbin_json(&w, &in, &r);
    AD_FUZZ_CHECK(!ad_jw_failed(&w));
    json_error_t e;
    json_t *j = json_loadb(w.buf, w.len, JSON_ALLOW_NUL, &e);
    /* jansson cannot read object keys holding NUL bytes; every other answer must parse */
    if (j == NULL && strstr(e.text, "NUL byte in object key") == NULL) {
        fprintf(stderr, "fuzz: the answer is not JSON (%s): %.*s\n", e.text, (int)w.len, w.buf);
        abort();
    }
    json_decref(j);
    ad_jw_free(&w);
    return 0;
}
