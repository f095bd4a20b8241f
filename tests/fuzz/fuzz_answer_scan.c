/* libFuzzer target: ctl/answer_scan.c. The first byte picks a chunk size; the rest is an answer body fed in
 * chunks of that size, and again byte by byte: the scanner must find the same values however the body is
 * cut, and only values of the forms it promises. The server's error text taken from the body is bounded and
 * NUL-terminated. */
#include "answer_scan.h"
#include "fuzz.h"

static void scan(const char *body, size_t len, size_t chunk, int64_t *seq, int64_t *wait, int64_t *start)
{
    ad_answer_scan_t s;
    ad_answer_scan_init(&s);
    for (size_t off = 0; off < len; off += chunk)
        ad_answer_scan_feed(&s, body + off, len - off < chunk ? len - off : chunk);
    *seq = ad_answer_scan_sequence(&s);
    *wait = ad_answer_scan_wait_ns(&s);
    *start = ad_answer_scan_start_ns(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *body = (const char *)data + 1;
    size_t len = size - 1, chunk = 1 + data[0] % 16;
    int64_t seq_all, wait_all, start_all, seq, wait, start;
    scan(body, len, len > 0 ? len : 1, &seq_all, &wait_all, &start_all);
    AD_FUZZ_CHECK(seq_all >= -1 && wait_all >= -1 && start_all >= -1);
    if (seq_all >= 0 || wait_all >= 0 || start_all >= 0)
        AD_FUZZ_CHECK(len > 0);
    scan(body, len, chunk, &seq, &wait, &start);
    AD_FUZZ_CHECK(seq == seq_all && wait == wait_all && start == start_all);
    scan(body, len, 1, &seq, &wait, &start);
    AD_FUZZ_CHECK(seq == seq_all && wait == wait_all && start == start_all);
    char said[AD_ANSWER_ERROR_TEXT_MAX + 1];
    size_t n = ad_answer_error_text(body, len, said, sizeof(said));
    AD_FUZZ_CHECK(n <= AD_ANSWER_ERROR_TEXT_MAX && said[n] == '\0');
    return 0;
}
