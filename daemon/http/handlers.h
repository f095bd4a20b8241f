#ifndef AD_HANDLERS_H
#define AD_HANDLERS_H
/*
 * The HTTP API (docs/http-api.md), above the shared state (core/loop.h) and below the process
 * (process/server.h). handlers.c routes every request to its endpoint of lib/endpoint_list.h (400 for a bad
 * HTTP/1 head, 431, 404, 405 + Allow, 413 for a body the endpoint does not take) and times every handler for
 * the loop monitor; each endpoint family's handlers live in their own file in endpoints/ (delay.c, info.c,
 * page.c, events.c) and answer through respond.h.
 */
#include <stdbool.h>
#include <h2o.h>
#include "endpoint_list.h"
#include "respond.h"

/* A handler: answers now (body in the loop's buffer, returns the status) or returns AD_ANSWER_LATER after
 * ad_answer_hold (and answers later with ad_answer_send), or when it took the request over (a stream). */
typedef int ad_handler_fn(ad_exchange_t *x);
/* A gate (endpoint_list.h's GATE): whether the endpoint is there for this request; when not, 404. */
typedef bool ad_gate_fn(const ad_exchange_t *x);

/* The gate of the endpoints that are always there. */
#define AD_ALWAYS ad_gate_always
ad_gate_fn ad_gate_always;

/* Every handler and gate named in the list. */
#define AD_X(id, path, match, methods, slot, gate, handler)                                                            \
    ad_gate_fn gate;                                                                                                   \
    ad_handler_fn handler;
AD_ENDPOINTS(AD_X)
#undef AD_X

/* Shared by the endpoints with delay-like parameters (delay.c): the 400 for a refused parameter (names it,
 * its value and what it takes; max_ns: the range of a duration), and the 503 + Retry-After of a full limit. */
struct ad_delay_param;
int ad_answer_bad_param(ad_exchange_t *x, const struct ad_delay_param *p, int64_t max_ns);
int ad_answer_refused(ad_exchange_t *x, unsigned retry_after, const char *what);

/* Registers the one h2o handler on host (every path, including h2o's fallback). */
void ad_handlers_register(h2o_hostconf_t *host);

/* Wired by the server: a watched HTTP/1 client went away (ad_disconnect_cb). */
void ad_handlers_on_client_gone(void *data);
/* Wired by the server: finished /offload jobs arriving on a loop (h2o_multithread_receiver_cb). */
void ad_handlers_on_offload_reply(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages);

#endif
