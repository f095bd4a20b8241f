#ifndef AD_HPACK_SCAN_H
#define AD_HPACK_SCAN_H
/*
 * A look at an HTTP/2 header block (RFC 7541) before it is decoded: how many header fields it holds and
 * an upper bound of the bytes decoding it takes. One byte on the wire can be one decoded field (an indexed
 * field), so a 400 KB block can become 400,000 fields; h2o 2.2.5 decodes whatever fits its 417 KB block
 * limit and has no setting for the decoded size. Pure: no allocation, no state.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What one decoded field costs beyond its strings: h2o's header entry, a name or a link to a table entry. */
#define AD_HPACK_FIELD_COST 64
/* What a request's header block may hold before its connection is closed (ENHANCE_YOUR_CALM). Far above
 * any real request (HTTP/1 requests are held to 100 fields by h2o's parser) and far below an amplification:
 * with HTTP/2's 100 streams a connection, a connection's decoded heads stay under 64 MB (docs/http-api.md). */
#define AD_HPACK_MAX_FIELDS 1000
#define AD_HPACK_MAX_DECODED (256 * 1024)

typedef struct ad_hpack_scan {
    size_t fields;        /* header fields (dynamic table size updates are not fields) */
    size_t decoded_bound; /* at most this many bytes once decoded: strings (Huffman at 8/5) + fields * cost */
    bool malformed;       /* not a valid block: left to the decoder, which refuses it */
} ad_hpack_scan_t;

void ad_hpack_scan(const uint8_t *src, size_t len, ad_hpack_scan_t *out);
/* Whether a scanned block is within AD_HPACK_MAX_FIELDS and AD_HPACK_MAX_DECODED. */
bool ad_hpack_scan_ok(const ad_hpack_scan_t *s);

#endif
