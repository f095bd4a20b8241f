/*
 * libFuzzer target: daemon/request_head.c, the HTTP/1 request-head check run on the raw bytes of every
 * HTTP/1 request. Any bytes give a known verdict; the check reads only buf[0..size) (ASan holds it to that,
 * the input is copied to an exact-size allocation); a head refused for Host or obs-fold stays refused when
 * more bytes follow it (only the head is judged).
 */
#include <stdint.h>

#include "fuzz.h"
#include "request_head.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    ad_head_verdict_t v = ad_request_head_check(buf, size);
    AD_FUZZ_CHECK(v >= AD_HEAD_OK && v <= AD_HEAD_MISSING_HOST);
    AD_FUZZ_CHECK(ad_head_verdict_text(v)[0] != '\0');
    free(buf);
    return 0;
}
