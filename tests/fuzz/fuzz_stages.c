/* libFuzzer target: ctl/core/stages.c. Parses the input as --rate stages; what parses lasts some time and
 * schedules at least one request; the schedule never goes back in time, stays within the stages, is
 * finite below their count and infinite past it. */
#include <math.h>

#include "fuzz.h"
#include "stages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = ad_fuzz_strndup(data, size);
    ad_rate_stage_t st[AD_RATE_STAGES_MAX];
    char err[256] = "";
    int n = ad_stages_parse(text, st, err, sizeof(err));
    free(text);
    if (n < 0) {
        AD_FUZZ_CHECK(err[0] != '\0');
        return 0;
    }
    AD_FUZZ_CHECK(n >= 1 && n <= AD_RATE_STAGES_MAX);
    double total = ad_stages_count(st, (size_t)n), length = (double)ad_stages_duration(st, (size_t)n) / 1e9;
    AD_FUZZ_CHECK(total >= 1 && isfinite(total) && length > 0);
    double prev = 0;
    for (int k = 0; k <= 64; k++) {
        double x = total * k / 64 * (1 - 1e-9);
        double t = ad_stages_time_of(st, (size_t)n, x);
        AD_FUZZ_CHECK(isfinite(t) && t >= prev - 1e-9 * length && t <= length * (1 + 1e-9));
        prev = t;
    }
    AD_FUZZ_CHECK(isinf(ad_stages_time_of(st, (size_t)n, total * 1.001 + 1)));
    return 0;
}
