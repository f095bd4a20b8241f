/* Counting an HPACK header block's fields without decoding it (see hpack_scan.h). */
#include "hpack_scan.h"

/* An HPACK integer with an n-bit prefix at *p (RFC 7541 5.1); false when truncated or past 2^28. */
static bool read_int(const uint8_t **p, const uint8_t *end, unsigned bits, uint64_t *out)
{
    uint64_t mask = (1u << bits) - 1, v;
    if (*p >= end)
        return false;
    v = *(*p)++ & mask;
    if (v < mask) {
        *out = v;
        return true;
    }
    for (unsigned shift = 0; shift <= 28; shift += 7) {
        if (*p >= end)
            return false;
        uint8_t b = *(*p)++;
        v += (uint64_t)(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* A string literal (5.2): skips it and adds what it decodes to at most. */
static bool skip_string(const uint8_t **p, const uint8_t *end, size_t *decoded)
{
    if (*p >= end)
        return false;
    bool huffman = (**p & 0x80) != 0;
    uint64_t len;
    if (!read_int(p, end, 7, &len) || len > (uint64_t)(end - *p))
        return false;
    *p += len;
    /* the shortest Huffman code is 5 bits, so a byte decodes to at most 8/5 characters */
    *decoded += huffman ? (size_t)((len * 8 + 4) / 5) : (size_t)len;
    return true;
}

void ad_hpack_scan(const uint8_t *src, size_t len, ad_hpack_scan_t *out)
{
    const uint8_t *p = src, *end = src + len;
    size_t strings = 0;
    out->fields = 0;
    out->malformed = false;
    while (p < end) {
        uint8_t b = *p;
        uint64_t index;
        unsigned bits;
        if (b & 0x80) { /* indexed field */
            if (!read_int(&p, end, 7, &index))
                goto bad;
            out->fields++;
            continue;
        }
        if ((b & 0xe0) == 0x20) { /* dynamic table size update */
            if (!read_int(&p, end, 5, &index))
                goto bad;
            continue;
        }
        bits = (b & 0x40) ? 6 : 4; /* literal with incremental indexing, or without / never indexed */
        if (!read_int(&p, end, bits, &index))
            goto bad;
        if (index == 0 && !skip_string(&p, end, &strings)) /* a literal name */
            goto bad;
        if (!skip_string(&p, end, &strings))
            goto bad;
        out->fields++;
    }
    out->decoded_bound = strings + out->fields * AD_HPACK_FIELD_COST;
    return;
bad:
    out->malformed = true;
    out->decoded_bound = strings + out->fields * AD_HPACK_FIELD_COST;
}

bool ad_hpack_scan_ok(const ad_hpack_scan_t *s)
{
    return s->fields <= AD_HPACK_MAX_FIELDS && s->decoded_bound <= AD_HPACK_MAX_DECODED;
}
