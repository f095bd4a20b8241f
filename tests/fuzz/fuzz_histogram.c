/* libFuzzer target: lib/histogram.c's ad_hist_from_json. The input is JSON text; what the reader accepts
 * must be a consistent histogram (bucket counts add up, min <= max) that writes back to the same JSON. */
#include "fuzz.h"
#include "histogram_json.h"

static ad_histogram_t h, back;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (j == NULL)
        return 0;
    if (ad_hist_from_json(&h, j, err, sizeof(err)) != 0) {
        AD_FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0');
        AD_FUZZ_CHECK(h.count == 0); /* initialised either way */
        json_decref(j);
        return 0;
    }
    uint64_t total = 0;
    for (size_t i = 0; i < AD_HIST_BUCKETS; i++)
        total += h.buckets[i];
    AD_FUZZ_CHECK(total == h.count);
    if (h.count > 0) {
        AD_FUZZ_CHECK(h.min >= 0 && h.min <= h.max);
        int64_t p50 = ad_hist_percentile(&h, 50);
        AD_FUZZ_CHECK(p50 >= h.min && p50 <= h.max);
        (void)ad_hist_stdev(&h);
    }
    json_t *out = ad_hist_to_json(&h);
    AD_FUZZ_CHECK(out != NULL);
    AD_FUZZ_CHECK(ad_hist_from_json(&back, out, err, sizeof(err)) == 0);
    AD_FUZZ_CHECK(back.count == h.count && back.min == h.min && back.max == h.max);
    AD_FUZZ_CHECK(memcmp(back.buckets, h.buckets, sizeof(h.buckets)) == 0);
    json_t *out2 = ad_hist_to_json(&back);
    AD_FUZZ_CHECK(json_equal(out, out2));
    json_decref(out2);
    json_decref(out);
    json_decref(j);
    return 0;
}
