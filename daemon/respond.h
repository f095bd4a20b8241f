#ifndef AD_RESPOND_H
#define AD_RESPOND_H
/*
 * Sending complete responses through h2o: status, Content-Type, Content-Length always set (h2o's own
 * send_inline leaves it out), body copied into the request's pool (HTTP/2 may send it after the handler
 * returned). HEAD gets the same headers and no body. Errors are JSON: {"error": ..., "status": N, ...}.
 * Every JSON body ends with a newline. Header names: canonical on HTTP/1 ("Content-Type", like the ones
 * h2o writes itself), lower case on HTTP/2 (which requires it).
 */
#include <stddef.h>
#include <h2o.h>
#include "json_writer.h"

/* Sends body[0..len) with the given status and content type. */
void ad_respond(h2o_req_t *req, int status, const char *content_type, const char *body, size_t len);
/* Sends w's document and a newline as application/json (500 when w ran out of memory). */
void ad_respond_json(h2o_req_t *req, int status, ad_jw_t *w);
/* w's document and a newline copied into req's pool (the out-of-memory error when w failed). */
h2o_iovec_t ad_respond_json_body(h2o_req_t *req, const ad_jw_t *w);
/* Starts an error document in w (reset first): {"error": what, "status": status ... — the caller may add
 * fields, then calls ad_respond_error_end. */
void ad_respond_error_begin(ad_jw_t *w, int status, const char *what);
void ad_respond_error_end(h2o_req_t *req, int status, ad_jw_t *w);
/* Adds a response header (written canonical on HTTP/1, see above; value copied). */
void ad_respond_header(h2o_req_t *req, const h2o_token_t *token, const char *value, size_t len);
/* The reason phrase h2o puts on the status line. */
const char *ad_reason_phrase(int status);

#endif
