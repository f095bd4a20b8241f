/* libFuzzer target: daemon/query.c. The input is a query string: its pairs are iterated and decoded, and
 * looked up by name ("delay", as the daemon does, and the first pair's own decoded name) into buffers of
 * several sizes. Checks that every pair lies inside the input and every output is a bounded C string. */
#include <stdbool.h>

#include "fuzz.h"
#include "query.h"

static bool inside(const char *p, size_t len, const char *base, size_t size)
{
    return p >= base && len <= size && (size_t)(p - base) <= size - len;
}

static void check_decode(const char *in, size_t len, size_t outsize, bool plus)
{
    char *out = malloc(outsize);
    if (out == NULL)
        abort();
    long n = ad_percent_decode(in, len, out, outsize, plus);
    if (n >= 0) {
        AD_FUZZ_CHECK((size_t)n < outsize && (size_t)n <= len);
        AD_FUZZ_CHECK(out[n] == '\0' && strlen(out) == (size_t)n); /* a decoded NUL is an error */
    }
    free(out);
}

static void check_get(const char *q, size_t len, const char *name, size_t outsize)
{
    char *out = malloc(outsize);
    if (out == NULL)
        abort();
    ad_query_status_t st = ad_query_get(q, len, name, out, outsize);
    AD_FUZZ_CHECK(st <= AD_QUERY_TOO_LONG);
    AD_FUZZ_CHECK(memchr(out, '\0', outsize) != NULL);
    if (st != AD_QUERY_FOUND)
        AD_FUZZ_CHECK(out[0] == '\0');
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t outsize = 1 + data[0] % 64; /* small buffers reach the too-long paths */
    const char *q = (const char *)data + 1;
    size_t len = size - 1;

    size_t pos = 0, npairs = 0;
    char first[256] = "";
    ad_query_pair_t pair;
    while (ad_query_next(q, len, &pos, &pair)) {
        AD_FUZZ_CHECK(pos <= len && ++npairs <= len);
        AD_FUZZ_CHECK(pair.name_len > 0 || pair.value != NULL); /* empty pairs are skipped */
        AD_FUZZ_CHECK(inside(pair.name, pair.name_len, q, len));
        if (pair.value != NULL)
            AD_FUZZ_CHECK(inside(pair.value, pair.value_len, q, len));
        check_decode(pair.name, pair.name_len, outsize, true);
        if (pair.value != NULL)
            check_decode(pair.value, pair.value_len, outsize, false);
        if (npairs == 1 && ad_percent_decode(pair.name, pair.name_len, first, sizeof(first), true) < 0)
            first[0] = '\0';
    }
    check_decode(q, len, 3 * len + 1, false); /* a buffer never too small */
    check_get(q, len, "delay", outsize);
    check_get(q, len, "delay", 4096);
    check_get(q, len, first, outsize);
    return 0;
}
