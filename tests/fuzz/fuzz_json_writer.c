/*
 * libFuzzer target: lib/json_writer.c's escaping, which makes client bytes safe to reflect. The input is
 * written as a string value and as a key; the output must be valid JSON that jansson reads back to the
 * same bytes when they are valid UTF-8 (jansson's json_stringn is the judge), and to some string when they
 * are not (invalid bytes become U+FFFD). The first 8 bytes as a double must also read back exactly.
 */
#include <math.h>

#include <jansson.h>

#include "fuzz.h"
#include "json_writer.h"

static json_t *parse(const ad_jw_t *w)
{
    json_error_t e;
    AD_FUZZ_CHECK(!ad_jw_failed(w));
    json_t *j = json_loadb(w->buf, w->len, JSON_ALLOW_NUL, &e);
    if (j == NULL) {
        fprintf(stderr, "fuzz: the writer wrote invalid JSON (%s): %.*s\n", e.text, (int)w->len, w->buf);
        abort();
    }
    return j;
}

static void check_string(const uint8_t *data, size_t size)
{
    ad_jw_t w;
    ad_jw_init(&w, 16);
    char *key = ad_fuzz_strndup(data, size); /* keys are C strings: up to the first NUL */
    ad_jw_object_begin(&w);
    ad_jw_key(&w, key);
    ad_jw_string(&w, (const char *)data, size);
    ad_jw_object_end(&w);
    json_t *j = parse(&w);
    AD_FUZZ_CHECK(json_object_size(j) == 1);
    json_t *v = json_object_iter_value(json_object_iter(j));
    const char *k = json_object_iter_key(json_object_iter(j));
    AD_FUZZ_CHECK(json_is_string(v));

    json_t *want = json_stringn((const char *)data, size); /* NULL: not valid UTF-8 */
    if (want != NULL) {
        AD_FUZZ_CHECK(json_string_length(v) == size && memcmp(json_string_value(v), data, size) == 0);
        AD_FUZZ_CHECK(strcmp(k, key) == 0);
        json_decref(want);
    }
    json_decref(j);
    free(key);
    ad_jw_free(&w);
}

static void check_double(const uint8_t *data, size_t size)
{
    double d;
    if (size < sizeof(d))
        return;
    memcpy(&d, data, sizeof(d));
    ad_jw_t w;
    ad_jw_init(&w, 0);
    ad_jw_array_begin(&w);
    ad_jw_double(&w, d);
    ad_jw_array_end(&w);
    json_t *j = parse(&w);
    json_t *v = json_array_get(j, 0);
    if (!isfinite(d)) {
        AD_FUZZ_CHECK(json_is_null(v));
    } else {
        AD_FUZZ_CHECK(json_is_number(v));
        double back = json_number_value(v);
        if (back != d) {
            fprintf(stderr, "fuzz: %.17g written as %s reads back as %.17g\n", d, w.buf, back);
            abort();
        }
    }
    json_decref(j);
    ad_jw_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_string(data, size);
    check_double(data, size);
    return 0;
}
