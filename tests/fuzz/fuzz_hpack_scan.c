/*
 * libFuzzer target: daemon/hpack_scan.c, the look at every HTTP/2 header block before h2o decodes it.
 * Any bytes give a result without reading past them (exact-size copy under ASan); a block never has more
 * fields than bytes (each field takes at least one), and the decoded-size bound covers the field cost.
 */
#include <stdint.h>

#include "fuzz.h"
#include "hpack_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    ad_hpack_scan_t s;
    ad_hpack_scan(buf, size, &s);
    AD_FUZZ_CHECK(s.fields <= size);
    AD_FUZZ_CHECK(s.decoded_bound >= s.fields * AD_HPACK_FIELD_COST);
    AD_FUZZ_CHECK(s.decoded_bound <= s.fields * AD_HPACK_FIELD_COST + size * 2);
    free(buf);
    return 0;
}
