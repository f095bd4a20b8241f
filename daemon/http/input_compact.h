#ifndef AD_INPUT_COMPACT_H
#define AD_INPUT_COMPACT_H
/*
 * Giving back a waiting HTTP/1 connection's read buffer. h2o 2.2.5 reads every HTTP/1 connection into a
 * buffer of at least 4 KB (8 KB from h2o_socket_buffer_prototype) and keeps it until the response is
 * sent, because the parsed request (method, path, authority, header names and values) points into it.
 * A request that then waits seconds pins a mostly empty page or two for its ~100 bytes: with 10,000
 * waiting clients that is ~40 MB of the daemon's RSS.
 *
 * Compacting moves the buffered bytes (the request and anything pipelined after it) into a buffer of
 * their own size, re-points every field of the request that pointed into the old bytes, and frees the
 * old buffer. h2o reads the new buffer like any other: the next read grows it through
 * h2o_buffer_reserve, and consuming it all frees it (its capacity differs from the prototype's, so it
 * never enters h2o's recycling list of full-size buffers). Loop-thread only.
 */
#include <stdbool.h>
#include <stddef.h>
#include <h2o.h>

/* Buffers holding more than this are left alone: the copy would save little. */
#define AD_INPUT_COMPACT_MAX 2048

/*
 * Moves *input's bytes into a right-sized buffer and re-points req's fields into it; the old buffer is
 * overwritten (so a pointer left behind shows up as garbage, not as stale data) and freed.
 * true when compacted; false when there was nothing to gain or no memory (nothing changed).
 * Pure memory work, no I/O: the caller checks that *input is the buffer req was parsed from.
 */
bool ad_input_compact(h2o_req_t *req, h2o_buffer_t **input);

/*
 * ad_input_compact on the socket of req's connection when that is safe: an HTTP/1 request without TLS
 * whose connection exposes its socket. Returns what ad_input_compact returned, false when skipped.
 */
bool ad_input_compact_request(h2o_req_t *req);

#endif
