/* libFuzzer target: ctl/stats_view.c. The first byte sets the terminal width and colour, the rest is a
 * /stats body; it is checked and rendered into memory. A rejected document writes nothing; without colour
 * the view and the error hold no control character but newlines, whatever the server's strings. The bytes
 * after the first, read as a double, also go through the seconds formatter every figure of the view takes. */
#include <stdint.h>
#include "fuzz.h"
#include "report.h"
#include "stats_view.h"

/* Seconds from a document: shown with their sign while nanoseconds hold them, else as out of range. */
static void check_seconds(const uint8_t *data, size_t size)
{
    double s;
    if (size < sizeof(s))
        return;
    memcpy(&s, data, sizeof(s));
    char buf[64];
    int64_t ns = 0;
    const char *text = NULL;
    ad_report_format_seconds(s, buf, sizeof(buf));
    if (ad_report_seconds_to_ns(s, &ns, &text) != 0)
        AD_FUZZ_CHECK(strcmp(buf, text) == 0);
    else
        AD_FUZZ_CHECK((buf[0] == '-') == (ns < 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    check_seconds(data + 1, size - 1);
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
