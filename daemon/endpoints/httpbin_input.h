#ifndef AD_HTTPBIN_INPUT_H
#define AD_HTTPBIN_INPUT_H
/*
 * What httpbin's echoing endpoints (/delay/{n}, /anything) reflect of a request, collected into its pool:
 * the query's args and a form body decoded, a multipart body's fields and files, other bodies as data,
 * the headers (title-cased, Host first), the client's IP and the URL (docs/http-api.md, "/delay/{n}").
 */
#include <h2o.h>

#include "delay_json.h"

/* Fills *in from req; everything it points to lives in req's pool. */
void ad_httpbin_input(h2o_req_t *req, ad_httpbin_request_t *in);

#endif
