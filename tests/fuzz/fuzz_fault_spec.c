/*
 * libFuzzer target: daemon/endpoints/fault_spec.c, status=, close= and /status/{codes} as their grammars
 * read them. The first byte picks the grammar (mod 3), the next eight the generator's state; the rest is
 * the value. Accepted statuses draw 0 or one of their codes (400 to 599); accepted closes draw nothing or
 * their kind; accepted code lists draw one of their codes of weight above 0.
 */
#include <stdint.h>
#include <string.h>

#include "fault_spec.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 9)
        return 0;
    uint64_t rng;
    memcpy(&rng, data + 1, sizeof(rng));
    const char *s = (const char *)data + 9;
    size_t len = size - 9;
    if (data[0] % 3 == 2) {
        ad_status_list_t l;
        const char *e = ad_status_list_parse(s, len, &l);
        AD_FUZZ_CHECK(e == NULL || e[0] != '\0');
        if (e == NULL) {
            AD_FUZZ_CHECK(l.n >= 1 && l.n <= AD_FAULT_CHOICES_MAX && l.total > 0);
            for (int i = 0; i < 8; i++) {
                int code = ad_status_list_draw(&l, &rng);
                bool listed = false;
                for (size_t j = 0; j < l.n; j++)
                    listed = listed || (code == l.code[j] && l.weight[j] > 0);
                AD_FUZZ_CHECK(listed);
            }
        }
        return 0;
    }
    if (data[0] % 3 == 1) {
        ad_close_spec_t c;
        const char *e = ad_close_spec_parse(s, len, &c);
        AD_FUZZ_CHECK(e == NULL || e[0] != '\0');
        if (e == NULL) {
            AD_FUZZ_CHECK(c.millionths <= AD_FAULT_WHOLE);
            for (int i = 0; i < 8; i++) {
                ad_drop_kind_t k = ad_close_spec_draw(&c, &rng);
                AD_FUZZ_CHECK(k == AD_DROP_NONE || k == c.kind);
            }
        }
        return 0;
    }
    ad_status_spec_t spec;
    const char *e = ad_status_spec_parse(s, len, &spec);
    if (e != NULL) {
        AD_FUZZ_CHECK(e[0] != '\0');
        return 0;
    }
    uint64_t total = 0;
    for (size_t i = 0; i < spec.n; i++) {
        AD_FUZZ_CHECK(spec.code[i] >= 400 && spec.code[i] <= 599);
        total += spec.millionths[i];
    }
    AD_FUZZ_CHECK(spec.n >= 1 && spec.n <= AD_FAULT_CHOICES_MAX && total <= AD_FAULT_WHOLE);
    for (int i = 0; i < 8; i++) {
        int code = ad_status_spec_draw(&spec, &rng);
        bool listed = code == 0;
        for (size_t j = 0; j < spec.n; j++)
            listed = listed || code == spec.code[j];
        AD_FUZZ_CHECK(listed);
    }
    return 0;
}
