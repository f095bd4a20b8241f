#ifndef AD_RESPOND_H
#define AD_RESPOND_H
/*
 * The one way a request is answered. A handler gets an exchange, writes its body into the loop's buffer
 * (ad_answer_json, ad_answer_error, ad_answer_body) and returns the status; or it holds the request (in
 * flight) and answers later with ad_answer_send. Either way the answer goes out here, and here alone the
 * request is counted in the stats: immediate answers as requests + completed, held ones as they leave
 * in-flight, with their status and latency; a cancelled one (the client left) is counted once, as such.
 *
 * Sending goes through h2o with status, Content-Type and Content-Length always set (h2o's own
 * send_inline leaves it out), the body copied into the request's pool (HTTP/2 may send it after the
 * handler returned). HEAD gets the same headers and no body. Errors are JSON: {"error": ..., "status": N, ...}.
 */
#include <stdbool.h>
#include <stddef.h>
#include <h2o.h>
#include "json_writer.h"
#include "loop.h"

typedef enum { AD_EXCHANGE_NEW, AD_EXCHANGE_HELD, AD_EXCHANGE_DONE } ad_exchange_state_t;

/* One request on its way to its answer. */
typedef struct ad_exchange {
    ad_loop_t *loop;
    h2o_req_t *req;
    ad_endpoint_t ep;
    int64_t t0;      /* arrival at the handler, CLOCK_MONOTONIC */
    const char *arg; /* a SEGMENT endpoint's segment (route.h), else NULL */
    size_t arg_len;
    ad_exchange_state_t state;
    bool error_open;          /* an error document is begun in the loop's buffer: closed on sending */
    const char *content_type; /* of the body in the loop's buffer */
} ad_exchange_t;

/* A handler's return when it holds the request and answers later (ad_answer_send). */
#define AD_ANSWER_LATER 0

/* The request enters in-flight (counted from now, e.g. before /stats takes its snapshot). */
void ad_answer_hold(ad_exchange_t *x);
/* The loop's buffer, emptied, for a JSON body. */
ad_jw_t *ad_answer_json(ad_exchange_t *x);
/* The loop's buffer, emptied, for a body of content_type (a literal) written raw. */
ad_jw_t *ad_answer_body(ad_exchange_t *x, const char *content_type);
/* An error document begun in the loop's buffer: {"error": what, "status": status ...; the caller may add
 * fields; the object is closed when the answer is sent. */
ad_jw_t *ad_answer_error(ad_exchange_t *x, int status, const char *what);
/* Adds a response header (name a token; value copied). */
void ad_answer_header(ad_exchange_t *x, const h2o_token_t *token, const char *value, size_t len);
/* Sends the loop's buffer with status (500 when the buffer ran out of memory) and counts the answer. */
void ad_answer_send(ad_exchange_t *x, int status);
/* The client went away before the answer: counted cancelled; a later ad_answer_send only finishes the request. */
void ad_answer_cancelled(ad_exchange_t *x);

/* Starts an error document in w (reset first): {"error": what, "status": status ... (for answers built
 * outside a request, like the canned max-connections refusal). */
void ad_respond_error_begin(ad_jw_t *w, int status, const char *what);
/* The reason phrase h2o puts on the status line. */
const char *ad_reason_phrase(int status);

#endif
