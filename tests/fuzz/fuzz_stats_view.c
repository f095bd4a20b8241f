/* libFuzzer target: ctl/stats_view.c. The first byte sets the terminal width and colour, the rest is a
 * /stats body; it is checked and rendered into memory. A rejected document writes nothing; without colour
 * the view and the error hold no control character but newlines, whatever the server's strings. */
#include "fuzz.h"
#include "stats_view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    ad_stats_view_style_t st = {.width = 40 + data[0] % 128, .color = data[0] >= 128};
    char *out = NULL, err[512];
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    if (f == NULL)
        abort();
    int rc = ad_stats_view_render_text(f, (const char *)data + 1, size - 1, &st, err, sizeof(err));
    AD_FUZZ_CHECK(fclose(f) == 0);
    if (rc != 0) {
        AD_FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0');
        AD_FUZZ_CHECK(outlen == 0);
    } else {
        AD_FUZZ_CHECK(outlen > 0);
    }
    for (size_t i = 0; !st.color && i < outlen; i++)
        AD_FUZZ_CHECK(out[i] == '\n' || ((unsigned char)out[i] >= 0x20 && out[i] != 0x7f));
    for (size_t i = 0; rc != 0 && err[i] != '\0'; i++)
        AD_FUZZ_CHECK((unsigned char)err[i] >= 0x20 && err[i] != 0x7f);
    free(out);
    return 0;
}
