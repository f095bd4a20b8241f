#ifndef AD_CTL_ENGINE_H
#define AD_CTL_ENGINE_H
/*
 * The load engine: event loops that never busy-wait - libcurl's multi interface driven by
 * curl_multi_socket_action on epoll, or (for bench's HTTP/1.1 closed model, http and https) libh2o's
 * evloop with its HTTP/1 response parser. Connections are reused (keep-alive) unless asked otherwise.
 *
 * Closed model (rate 0): `concurrency` requests in flight, a new one sent as each finishes.
 * Open model (rate > 0): requests are due on a global schedule (rate per second); up to `concurrency`
 * are in flight, the rest wait. Latency is measured from the intended send time (corrected: waiting
 * for a free connection counts) and from the actual send (raw), so coordinated omission shows.
 *
 * Several event loops (`threads`) each get a share of the connections, requests and rate; their
 * results are merged exactly (histograms add up bucket by bucket).
 */
#include <stdbool.h>
#include <stdint.h>
#include "plan.h"
#include "results.h"

/*
 * Once per process, before any thread starts: curl_global_init, and the open-file soft limit raised
 * to the hard limit (10,000 connections need 10,000 descriptors). Returns 0 or -1 with err.
 */
int ad_engine_global_init(char *err, size_t errlen);
void ad_engine_global_cleanup(void);

/*
 * Runs the plan and fills res (which the caller initialised with ad_run_result_init: name and url).
 * Single requests that fail are counted in res, not returned as an error. Returns 0, or -1 with a
 * reason in err when the engine itself could not run (out of memory, epoll, too few descriptors).
 */
int ad_engine_run(const ad_engine_plan_t *plan, ad_run_result_t *res, char *err, size_t errlen);

/* Async-signal-safe: ask running and future runs to stop sending, abandon what is in flight and
 * return what finished so far (SIGINT/SIGTERM). */
void ad_engine_request_stop(void);
bool ad_engine_stop_requested(void);

#endif
