/* libFuzzer target: ctl/json_report.c's reader. The input is a --json document; what the reader accepts is
 * written again, and the written text must read back and write out the same (the round trip the header
 * promises, so merged documents stay exact). */
#include "fuzz.h"
#include "json_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ad_json_report_t doc, again;
    char err[512];
    if (ad_json_report_read_text((const char *)data, size, &doc, err, sizeof(err)) != 0) {
        AD_FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0');
        AD_FUZZ_CHECK(doc.nruns == 0 && doc.runs == NULL && doc.options == NULL);
        ad_json_report_free(&doc);
        return 0;
    }
    char *text = ad_json_report_dump(&doc);
    AD_FUZZ_CHECK(text != NULL);
    if (ad_json_report_read_text(text, strlen(text), &again, err, sizeof(err)) != 0) {
        fprintf(stderr, "fuzz: the reader rejects what the writer wrote: %s\n%s", err, text);
        abort();
    }
    AD_FUZZ_CHECK(again.nruns == doc.nruns);
    char *text2 = ad_json_report_dump(&again);
    AD_FUZZ_CHECK(text2 != NULL);
    if (strcmp(text, text2) != 0) {
        fprintf(stderr, "fuzz: write -> read -> write differs:\n--- first\n%s--- second\n%s", text, text2);
        abort();
    }
    free(text);
    free(text2);
    ad_json_report_free(&doc);
    ad_json_report_free(&again);
    return 0;
}
