#ifndef AD_RESPOND_H
#define AD_RESPOND_H
/*
 * The one way a request is answered. A handler gets an exchange, writes its body into the loop's buffer
 * (ad_answer_json, ad_answer_error, ad_answer_body) or names a static one (ad_answer_static) and returns
 * the status; or it holds the request (in flight) and answers later with ad_answer_send. Either way the
 * answer goes out here, and here alone the request is counted in the stats (unless its endpoint is not
 * counted): immediate answers as they come and go, held ones as they leave in-flight, with their status and
 * latency; a cancelled one (the client left) is counted once, as such.
 *
 * Sending goes through h2o with status, Content-Type and Content-Length always set (h2o's own
 * send_inline leaves it out), the body copied into the request's pool (HTTP/2 may send it after the
 * handler returned). HEAD gets the same headers and no body. Errors are JSON: {"error": ..., "status": N, ...}.
 * Every JSON body ends with a newline. Header names: canonical on HTTP/1 ("Content-Type", like the ones
 * h2o writes itself), lower case on HTTP/2 (which requires it).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <h2o.h>
#include "json_writer.h"
#include "loop.h"

typedef enum { AD_EXCHANGE_NEW, AD_EXCHANGE_HELD, AD_EXCHANGE_DONE } ad_exchange_state_t;

/* One request on its way to its answer. */
typedef struct ad_exchange {
    ad_loop_t *loop;
    h2o_req_t *req;
    ad_endpoint_t ep; /* the stats slot it is counted in */
    bool counted;     /* false: its endpoint's answers are not counted (endpoint_list.h, SLOT NONE) */
    int64_t t0;       /* arrival at the handler, CLOCK_MONOTONIC */
    const char *path; /* the path it was routed on */
    size_t path_len;
    const char *arg; /* a SEGMENT or PREFIX endpoint's rest (route.h), else NULL */
    size_t arg_len;
    ad_exchange_state_t state;
    bool error_open; /* an error document is begun in the loop's buffer: closed on sending */
    bool json;       /* the body is a JSON document (sent with a newline after it) */
    bool injected;   /* the status is a fault asked for (status=): counted as such, not as an error */
    bool streaming;  /* the head went out (ad_answer_stream_start): the rest goes through h2o_send */
    bool queued;     /* queue_ns is known: /offload's wait for a worker (Server-Timing queue) */
    int64_t queue_ns;
    const char *content_type; /* of the body */
    const void *body;         /* a static body (ad_answer_static), or NULL: the loop's buffer */
    size_t body_len;
} ad_exchange_t;

/* A generator state for this request's draws (ad_rng_next): differs between requests, no seed= needed. */
static inline uint64_t ad_exchange_rng(const ad_exchange_t *x)
{
    return (uint64_t)x->t0 ^ ((uint64_t)(uintptr_t)x->req << 16);
}

/* A handler's return when it holds the request and answers later (ad_answer_send), or has taken it over. */
#define AD_ANSWER_LATER 0

/* The request enters in-flight (counted from now, e.g. before /stats takes its snapshot). */
void ad_answer_hold(ad_exchange_t *x);
/* The loop's buffer, emptied, for a JSON body. */
ad_jw_t *ad_answer_json(ad_exchange_t *x);
/* The loop's buffer, emptied, for a body of content_type (a literal) written raw. */
ad_jw_t *ad_answer_body(ad_exchange_t *x, const char *content_type);
/* A body that outlives the request (a file compiled into the binary), sent as it is. */
void ad_answer_static(ad_exchange_t *x, const char *content_type, const void *body, size_t len);
/* An error document begun in the loop's buffer: {"error": what, "status": status ...; the caller may add
 * fields; the object is closed when the answer is sent. */
ad_jw_t *ad_answer_error(ad_exchange_t *x, int status, const char *what);
/* Adds a response header (written canonical on HTTP/1, see above; value copied). */
void ad_answer_header(ad_exchange_t *x, const h2o_token_t *token, const char *value, size_t len);
/* Sends the body with status (500 when the loop's buffer ran out of memory) and counts the answer. */
void ad_answer_send(ad_exchange_t *x, int status);
/*
 * A fault asked for (close=): the request is left without an answer. HTTP/1: the connection is closed (FIN),
 * or reset (RST) when reset; HTTP/2: the stream is reset (RST_STREAM after the response head: h2o 2.2.5 sends
 * the head first), or the whole connection reset when reset. Counted as fault_closed or fault_reset. After
 * ad_answer_stream_start (the head is out), call it only while h2o holds no piece (after proceed).
 */
void ad_answer_drop(ad_exchange_t *x, bool reset);
/*
 * A body sent in pieces by the handler's own generator (/drip): ad_answer_stream_start sets the head
 * (status, content_type, content_length) and starts the response; each ad_answer_stream_send hands h2o one
 * piece (the head goes with the first), after which h2o calls gen->proceed when it takes the next. The last
 * piece (final) counts the answer, its latency up to then. The request must be held (ad_answer_hold); a
 * client that leaves first is counted with ad_answer_cancelled. HEAD: the head alone, with the first send.
 */
void ad_answer_stream_start(ad_exchange_t *x, int status, const char *content_type, size_t content_length,
                            h2o_generator_t *gen);
void ad_answer_stream_send(ad_exchange_t *x, const char *buf, size_t len, bool final);
/* The client went away before the answer: counted cancelled; a later ad_answer_send only finishes the request. */
void ad_answer_cancelled(ad_exchange_t *x);

/* Starts an error document in w (reset first): {"error": what, "status": status ... (for answers built
 * outside a request's exchange: the canned max-connections refusal, h2o's own errors). */
void ad_respond_error_begin(ad_jw_t *w, int status, const char *what);
/* w's document and a newline copied into req's pool (the out-of-memory error when w failed). */
h2o_iovec_t ad_respond_json_body(h2o_req_t *req, const ad_jw_t *w);
/* Adds a response header to req (as ad_answer_header). */
void ad_respond_header(h2o_req_t *req, const h2o_token_t *token, const char *value, size_t len);
/* The same for a header h2o has no token for, by its lower-case name (canonical over HTTP/1, as above); name and
 * value must outlive the request. */
void ad_respond_header_named(h2o_req_t *req, const char *name, size_t name_len, const char *value, size_t len);
/*
 * The filters every answer passes through, installed on the host's two paths: root (every path) and fallback
 * (request targets that are not paths, and what h2o answers before any handler runs: a body over max-body, a
 * broken chunked body, an unknown Expect). On fallback, h2o's own errors become JSON errors like every other
 * answer, counted under their endpoint. On both, every answer gets its Server header.
 */
void ad_respond_filters(h2o_pathconf_t *root, h2o_pathconf_t *fallback);
/* The reason phrase h2o puts on the status line. */
const char *ad_reason_phrase(int status);

#endif
