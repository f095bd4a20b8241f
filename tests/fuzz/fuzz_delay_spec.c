/*
 * libFuzzer target: daemon/endpoints/delay_spec.c, a delay's value as the grammar reads it. The first byte
 * picks max-delay (0 to 63 s), the next eight the generator's state; the rest is the value. Accepted specs
 * draw within [0, max-delay] (jitter included); refusals give a reason.
 */
#include <stdint.h>
#include <string.h>

#include "delay_spec.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 9)
        return 0;
    int64_t max_ns = (int64_t)(data[0] % 64) * 1000000000LL;
    uint64_t rng;
    memcpy(&rng, data + 1, sizeof(rng));
    ad_delay_spec_t spec;
    char why[64];
    const char *e = ad_delay_spec_parse((const char *)data + 9, size - 9, max_ns, &spec, why, sizeof(why));
    if (e != NULL) {
        AD_FUZZ_CHECK(e[0] != '\0');
        return 0;
    }
    spec.jitter_ns = (int64_t)(rng % 2000000000u);
    for (int i = 0; i < 8; i++) {
        int64_t ns = ad_delay_spec_draw(&spec, &rng);
        AD_FUZZ_CHECK(ns >= 0 && ns <= max_ns);
    }
    return 0;
}
