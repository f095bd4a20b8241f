/* libFuzzer target: ctl/stats_view.c. The first byte sets the terminal width and colour, the rest is a
 * /stats body; it is checked and rendered into memory. A rejected document writes nothing. */
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
    free(out);
    return 0;
}
