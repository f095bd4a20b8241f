/* libFuzzer target: lib/text_escape.c. Byte 0 sets the output size; the rest is text from a server. The
 * result is NUL-terminated within the size, holds no control character (C0, DEL, C1 as UTF-8) and is
 * well-formed UTF-8; what fit of the input is consumed up to a unit boundary, all of it with room enough. */
#include "fuzz.h"
#include "text_escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t outsize = 1 + data[0];
    const char *in = (const char *)data + 1;
    size_t len = size - 1;
    char *out = malloc(outsize), *big = malloc(len * AD_ESCAPE_UNIT_MAX + 1);
    if (out == NULL || big == NULL)
        abort();
    size_t used = ad_escape_text(in, len, out, outsize);
    AD_FUZZ_CHECK(used <= len);
    AD_FUZZ_CHECK(memchr(out, '\0', outsize) != NULL);
    AD_FUZZ_CHECK(ad_escape_text(in, len, big, len * AD_ESCAPE_UNIT_MAX + 1) == len);
    /* the cut result is a prefix of the whole one */
    AD_FUZZ_CHECK(strncmp(big, out, strlen(out)) == 0);
    const unsigned char *p = (const unsigned char *)big;
    while (*p != '\0') {
        AD_FUZZ_CHECK(*p >= 0x20 && *p != 0x7f);
        if (*p < 0x80) {
            p++;
            continue;
        }
        size_t n = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
        AD_FUZZ_CHECK(*p >= 0xC2 && *p <= 0xF4);
        AD_FUZZ_CHECK(!(*p == 0xC2 && p[1] < 0xA0)); /* no C1 control */
        for (size_t i = 1; i < n; i++)
            AD_FUZZ_CHECK((p[i] & 0xC0) == 0x80);
        p += n;
    }
    free(out);
    free(big);
    return 0;
}
