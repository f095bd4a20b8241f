#ifndef AD_EVENTS_H
#define AD_EVENTS_H
/*
 * GET /events (docs/http-api.md): live figures as server-sent events. Each loop keeps its own streams
 * (events_state.h) and sends them one message a second from its own timer (armed only while it has
 * streams): no thread per client, and the message is formatted once per loop and second, then copied to
 * each stream. The streams of all loops together are bounded by `events-clients`; past it a request gets
 * 503 and is counted. A stream that has not taken the previous message yet skips one rather than queue.
 * The handler is ad_serve_events (handlers.h).
 */
#include "loop.h"

/* Sets up loop's part (its timer), on the loop's thread. */
void ad_events_init(ad_loop_t *loop);

#endif
