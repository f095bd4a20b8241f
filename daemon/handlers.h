#ifndef AD_HANDLERS_H
#define AD_HANDLERS_H
/*
 * The HTTP API (docs/http-api.md), above the shared state (loop.h) and below the process (server.h).
 * handlers.c routes every request to its endpoint of endpoint_list.h (404, 405 + Allow, 431 for it) and
 * times every handler for the loop monitor; each endpoint family's handlers live in their own file
 * (handlers_delay.c, handlers_info.c) and answer through respond.h.
 */
#include <h2o.h>
#include "endpoint_list.h"
#include "respond.h"

/* A handler: answers now (body in the loop's buffer, returns the status) or returns AD_ANSWER_LATER after
 * ad_answer_hold, and answers later with ad_answer_send. */
typedef int ad_handler_fn(ad_exchange_t *x);

/* Every handler named in the list. */
#define AD_X(id, path, match, methods, handler) ad_handler_fn handler;
AD_ENDPOINTS(AD_X)
#undef AD_X

/* Registers the one h2o handler on host (every path, including h2o's fallback). */
void ad_handlers_register(h2o_hostconf_t *host);

/* Wired by the server: a watched HTTP/1 client went away (ad_disconnect_cb). */
void ad_handlers_on_client_gone(void *data);
/* Wired by the server: finished /offload jobs arriving on a loop (h2o_multithread_receiver_cb). */
void ad_handlers_on_offload_reply(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages);

#endif
