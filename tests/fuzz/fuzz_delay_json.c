/*
 * libFuzzer target: daemon/delay_json.c, the answer that reflects a client's query and headers. The input,
 * split at NULs, gives query pairs and headers (alternately name and value; the first piece is the URL, the
 * second the origin); the first byte of each name picks whether it is a header (title-cased like the
 * daemon does) or an argument. The answer must be valid JSON carrying every argument name as a key when the
 * names are valid UTF-8.
 */
#include <jansson.h>

#include "delay_json.h"
#include "fuzz.h"

#define MAX_PAIRS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = ad_fuzz_strndup(data, size);
    char *pieces[2 + 2 * MAX_PAIRS];
    size_t lens[2 + 2 * MAX_PAIRS], n = 0;
    for (char *p = buf, *end = buf + size; p <= end && n < sizeof(pieces) / sizeof(pieces[0]);) {
        pieces[n] = p;
        lens[n] = strlen(p);
        p += lens[n++] + 1;
    }
    if (n < 2) {
        free(buf);
        return 0;
    }
    ad_httpbin_pair_t args[MAX_PAIRS], headers[MAX_PAIRS];
    size_t nargs = 0, nheaders = 0;
    for (size_t i = 2; i + 1 < n; i += 2) {
        bool header = lens[i] > 0 && (pieces[i][0] & 1);
        ad_httpbin_pair_t pair = {
            .name = pieces[i], .name_len = lens[i], .value = pieces[i + 1], .value_len = lens[i + 1], .order = i};
        if (header) {
            ad_title_case(pieces[i], lens[i], pieces[i]);
            AD_FUZZ_CHECK(strlen(pieces[i]) == lens[i]);
            headers[nheaders++] = pair;
        } else {
            args[nargs++] = pair;
        }
    }
    ad_delay_result_t r = {.endpoint = "/delay",
                           .requested_ns = 2000000000,
                           .started_mono_ns = 1000,
                           .finished_mono_ns = 2000001000,
                           .started_wall_ns = 1795544989847450000,
                           .sequence = size,
                           .pid = 42,
                           .thread = "loop-0"};
    ad_httpbin_request_t req = {.args = args,
                                .nargs = nargs,
                                .headers = headers,
                                .nheaders = nheaders,
                                .origin = pieces[1],
                                .url = pieces[0],
                                .url_len = lens[0]};
    ad_jw_t w;
    ad_jw_init(&w, 64);
    ad_httpbin_json(&w, &req, &r);
    AD_FUZZ_CHECK(!ad_jw_failed(&w));
    json_error_t e;
    json_t *j = json_loadb(w.buf, w.len, 0, &e);
    if (j == NULL) {
        fprintf(stderr, "fuzz: the answer is not JSON (%s): %.*s\n", e.text, (int)w.len, w.buf);
        abort();
    }
    json_t *jargs = json_object_get(j, "args");
    AD_FUZZ_CHECK(json_is_object(jargs) && json_is_object(json_object_get(j, "headers")));
    for (size_t i = 0; i < nargs; i++) {
        json_t *valid = json_string(args[i].name); /* NULL unless valid UTF-8 */
        if (valid != NULL && json_object_get(jargs, args[i].name) == NULL) {
            fprintf(stderr, "fuzz: argument '%s' missing from the answer: %.*s\n", args[i].name, (int)w.len, w.buf);
            abort();
        }
        json_decref(valid);
    }
    json_decref(j);
    ad_jw_free(&w);
    free(buf);
    return 0;
}
