#ifndef AD_HANDLERS_H
#define AD_HANDLERS_H
/*
 * The HTTP API (docs/http-api.md). handlers.c routes (exact paths, 404, 405 + Allow, HEAD, 503 while
 * draining) and times every handler for the loop monitor; handlers_delay.c serves the delay endpoints;
 * handlers_info.c serves /stats, /metrics and /healthz.
 */
#include <stddef.h>
#include <stdint.h>
#include <h2o.h>
#include "server.h"
#include "stats.h"

/* Registers the one h2o handler on host (every path, including h2o's fallback). */
void ad_handlers_register(h2o_hostconf_t *host);

/* Delay endpoints. n_text: /delay/{n}'s n (NULL for the others). */
void ad_handle_delay(ad_loop_t *loop, h2o_req_t *req, ad_endpoint_t ep, int64_t t0, const char *n_text, size_t n_len);
void ad_handle_stats(ad_loop_t *loop, h2o_req_t *req, int64_t t0);
void ad_handle_metrics(ad_loop_t *loop, h2o_req_t *req, int64_t t0);
void ad_handle_healthz(ad_loop_t *loop, h2o_req_t *req, int64_t t0);

/* Wired by the server: a watched HTTP/1 client went away (ad_disconnect_cb). */
void ad_handlers_on_client_gone(void *data);
/* Wired by the server: finished /offload jobs arriving on a loop (h2o_multithread_receiver_cb). */
void ad_handlers_on_offload_reply(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages);

#endif
