/* libFuzzer target: ctl/core/threshold.c. Parses the input as a --fail-if expression; what parses keeps
 * its text, has a limit that is a finite number not below zero and a percentile in (0, 100]; checking it
 * against a run never crashes, gives one result per run or one for a missing run, and formats. */
#include <math.h>

#include "fuzz.h"
#include "threshold.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = ad_fuzz_strndup(data, size);
    ad_threshold_t t;
    char err[256] = "";
    if (ad_threshold_parse(text, &t, err, sizeof(err)) != 0) {
        AD_FUZZ_CHECK(err[0] != '\0');
        free(text);
        return 0;
    }
    AD_FUZZ_CHECK(strcmp(t.text, text) == 0);
    AD_FUZZ_CHECK(isfinite(t.limit) && t.limit >= 0);
    AD_FUZZ_CHECK(t.metric != AD_TH_PERCENTILE || (t.percentile > 0 && t.percentile <= 100));
    AD_FUZZ_CHECK(!t.percent || (t.metric == AD_TH_ERRORS && t.limit <= 100));
    ad_run_result_t *runs[2];
    for (int i = 0; i < 2; i++) {
        runs[i] = malloc(sizeof(*runs[i]));
        AD_FUZZ_CHECK(runs[i] != NULL);
        ad_run_result_init(runs[i], i == 0 ? "/blocking" : "/offload", NULL);
        for (uint32_t k = 0; k < (uint32_t)i * 3; k++) {
            ad_request_record_t rec = {.index = k + 1, .sent_ns = k, .done_ns = 1000000 * (k + 1), .status = 200};
            ad_run_result_add(runs[i], &rec);
        }
        runs[i]->elapsed_ns = 5000000;
    }
    ad_threshold_result_t res[3];
    size_t n = 0;
    size_t broken = ad_threshold_check(&t, 1, (const ad_run_result_t *const *)runs, 2, res, 3, &n);
    AD_FUZZ_CHECK(n >= 1 && n <= 2 && broken <= n);
    for (size_t i = 0; i < n; i++) {
        char line[1024];
        size_t len = ad_threshold_format_result(&res[i], line, sizeof(line));
        AD_FUZZ_CHECK(len > 0 && strlen(line) == (len < sizeof(line) ? len : sizeof(line) - 1));
        /* a run with nothing answered cannot pass a latency gate */
        if (strcmp(res[i].run, "/blocking") == 0 && t.metric != AD_TH_ERRORS && t.metric != AD_TH_RPS)
            AD_FUZZ_CHECK(res[i].broken);
    }
    free(runs[0]);
    free(runs[1]);
    free(text);
    return 0;
}
