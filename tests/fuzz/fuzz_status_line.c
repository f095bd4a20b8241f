/*
 * libFuzzer target: daemon/http/status_line.c, the start of every HTTP/1 answer head, formatted in place of
 * glibc's sprintf. For any status, strings and length drawn from the input it writes exactly what snprintf
 * writes for the same format, or -1 and nothing (a status outside 100-999, or no room) - never past cap.
 */
#include <stdint.h>

#include "fuzz.h"
#include "status_line.h"

/* The next NUL-terminated piece of the input (at most 200 bytes), as a string of its own. */
static char *take(const uint8_t **data, size_t *size)
{
    size_t n = 0;
    while (n < *size && n < 200 && (*data)[n] != 0)
        n++;
    char *s = ad_fuzz_strndup(*data, n);
    size_t used = n < *size ? n + 1 : n;
    *data += used;
    *size -= used;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 12)
        return 0;
    ad_h1_head_t h;
    int32_t status;
    uint64_t length;
    uint16_t cap;
    memcpy(&status, data, 4);
    memcpy(&length, data + 4, 8);
    h.status = status % 1200; /* mostly near the three-digit range, negatives included */
    h.content_length = (size_t)length;
    h.has_length = (length & 1) != 0;
    data += 12;
    size -= 12;
    cap = 512;
    if (size >= 2) {
        cap = (uint16_t)(data[0] | data[1] << 8) % 1024;
        data += 2;
        size -= 2;
    }
    h.reason = take(&data, &size);
    h.date = take(&data, &size);
    h.connection = take(&data, &size);

    char want[1024];
    int n = h.has_length ? snprintf(want, sizeof(want), AD_H1_HEAD_FORMAT_LENGTH, h.status, h.reason, h.date,
                                    h.connection, h.content_length)
                         : snprintf(want, sizeof(want), AD_H1_HEAD_FORMAT, h.status, h.reason, h.date, h.connection);
    char *got = malloc(cap ? cap : 1); /* exact size: ASan sees a write past cap */
    AD_FUZZ_CHECK(got != NULL);
    int r = ad_h1_head_format(got, cap, &h);
    if (h.status < 100 || h.status > 999 || n < 0 || (size_t)n >= cap) {
        AD_FUZZ_CHECK(r == -1);
    } else {
        AD_FUZZ_CHECK(r == n);
        AD_FUZZ_CHECK(memcmp(got, want, (size_t)n + 1) == 0);
    }
    free(got);
    free((char *)h.reason);
    free((char *)h.date);
    free((char *)h.connection);
    return 0;
}
