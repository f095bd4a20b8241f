#ifndef AD_H2_GUARD_H
#define AD_H2_GUARD_H
/*
 * Two bounds libh2o 2.2.5 lacks for HTTP/2, each enforced by a function of the daemon that the dynamic
 * linker binds in place of libh2o's own (libh2o calls them through its PLT), and which calls libh2o's
 * after its check:
 *
 * - h2o_hpack_parse_headers: a header block is checked (hpack_scan.h) before h2o decodes it; h2o has no
 *   setting for the decoded size of a request head.
 * - h2o_http2_decode_data_payload: a DATA frame that would make the request bodies one connection holds
 *   (bodies still arriving, and those of requests in flight) pass its budget. h2o bounds each stream's body
 *   by max-body but holds up to 100 streams a connection, and reopens the flow-control windows as data
 *   arrives (it does not enforce them either), so one connection could hold 100 bodies.
 *
 * Past either bound the connection is closed with GOAWAY ENHANCE_YOUR_CALM, counted in the calling loop's
 * shard. The DATA guard also keeps one body over max-body from resetting its stream: the bytes past
 * max-body + 1 are dropped, so the request completes and is answered 413.
 */
#include <stdbool.h>
#include <stddef.h>
#include <h2o.h>
#include "stats.h"

/* The body budget of a connection, in bodies of max-body + 1 bytes (h2o's max_request_entity_size). */
#define AD_H2_BODIES_PER_CONNECTION 16

/*
 * Loop thread: refusals on this thread are counted in shard; ctx is this thread's h2o context (its HTTP/2
 * connections are the ones the body budget looks up, its globalconf's max_request_entity_size the most h2o
 * takes for one body).
 */
void ad_h2_guard_bind(ad_stats_shard_t *shard, h2o_context_t *ctx);
/* Whether libh2o's own functions were found behind the guards (false: they cannot engage; logged at start). */
bool ad_h2_guard_active(void);

#endif
