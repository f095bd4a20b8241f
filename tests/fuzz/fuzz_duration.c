/* libFuzzer target: lib/duration.c. Parses the input as a duration; what parses formats and reads back
 * within the formatter's rounding, and the formatter is also fed the input's first 8 bytes as a number.
 * ad_duration_parse_ex agrees with ad_duration_parse, and a text with digits dropped below 1 ns is over a
 * limit equal to its value, never under one above it. */
#include <inttypes.h>

#include "duration.h"
#include "fuzz.h"

/* Values whose formatted text may round past INT64_MAX ("9223372036.855s") are left out of the round trip. */
#define ROUND_TRIP_MAX 1000000000000000000LL

static void check_format(int64_t ns)
{
    char buf[48], small[4];
    size_t n = ad_duration_format(ns, buf, sizeof(buf));
    AD_FUZZ_CHECK(n > 0 && n < sizeof(buf) && strlen(buf) == n);
    /* truncation: snprintf-like length, always NUL-terminated */
    AD_FUZZ_CHECK(ad_duration_format(ns, small, sizeof(small)) == n);
    AD_FUZZ_CHECK(strlen(small) == (n < sizeof(small) ? n : sizeof(small) - 1));
    if (ns < 0 || ns > ROUND_TRIP_MAX)
        return;
    int64_t back = -1;
    ad_duration_status_t st = ad_duration_parse(buf, n, &back);
    if (st != AD_DURATION_OK) {
        fprintf(stderr, "fuzz: %" PRId64 " formats as '%s', which does not parse: %s\n", ns, buf,
                ad_duration_strerror(st));
        abort();
    }
    /* three decimals of the unit, rounded half up: within 0.05 % (+1 ns) */
    int64_t diff = back > ns ? back - ns : ns - back;
    AD_FUZZ_CHECK(diff <= ns / 2000 + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t ns = -12345;
    ad_duration_status_t st = ad_duration_parse((const char *)data, size, &ns);
    AD_FUZZ_CHECK(strlen(ad_duration_strerror(st)) > 0);
    int64_t ns_ex = -12345;
    int below = -1;
    AD_FUZZ_CHECK(ad_duration_parse_ex((const char *)data, size, &ns_ex, &below) == st && ns_ex == ns);
    if (st == AD_DURATION_OK) {
        AD_FUZZ_CHECK(ns >= 0);
        AD_FUZZ_CHECK(below == 0 || below == 1);
        AD_FUZZ_CHECK(ad_duration_over(ns, below, ns) == below);
        AD_FUZZ_CHECK(ns == INT64_MAX || !ad_duration_over(ns, below, ns + 1));
        check_format(ns);
    } else {
        AD_FUZZ_CHECK(ns == -12345); /* untouched on error */
    }
    if (size >= 8) {
        int64_t raw;
        memcpy(&raw, data, sizeof(raw));
        check_format(raw);
    }
    return 0;
}
