/* Injected faults: the grammars and the draws (see fault_spec.h). */
#include "fault_spec.h"

#include <string.h>

#include "delay_spec.h"

/* DIGITS [ "." 1*4DIGIT ] within 0 to max, in ten-thousandths: false when it is not. */
static bool decimal(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    uint64_t whole = 0, frac = 0;
    size_t i = 0, ndig = 0, nfrac = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9' && whole <= max; i++, ndig++)
        whole = whole * 10 + (uint64_t)(s[i] - '0');
    if (ndig == 0 || whole > max)
        return false;
    if (i < len && s[i] == '.') {
        for (i++; i < len && s[i] >= '0' && s[i] <= '9' && nfrac < 4; i++, nfrac++)
            frac = frac * 10 + (uint64_t)(s[i] - '0');
        if (nfrac == 0)
            return false;
    }
    if (i != len)
        return false;
    for (; nfrac < 4; nfrac++)
        frac *= 10;
    uint64_t m = whole * 10000 + frac;
    if (m > max * 10000)
        return false;
    *out = m;
    return true;
}

/* A percentage, 0 to 100, in millionths of the whole (AD_FAULT_WHOLE): false when it is not. */
static bool percent(const char *s, size_t len, uint32_t *out)
{
    uint64_t m;
    if (!decimal(s, len, 100, &m))
        return false;
    *out = (uint32_t)m;
    return true;
}

/* Three digits from lo to hi into *code: false when they are not. */
static bool status_code(const char *s, size_t len, int lo, int hi, int *code)
{
    if (len != 3)
        return false;
    int c = 0;
    for (size_t i = 0; i < 3; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        c = c * 10 + (s[i] - '0');
    }
    *code = c;
    return c >= lo && c <= hi;
}

/* One item of a comma-separated list from s up to end: where it ends, its first ':' (NULL: none), and where
 * the next one starts (NULL: it was the last). */
typedef struct item {
    const char *end, *colon, *next;
} item_t;

static item_t item_at(const char *s, const char *end)
{
    const char *comma = memchr(s, ',', (size_t)(end - s));
    item_t it = {.end = comma != NULL ? comma : end, .next = comma != NULL ? comma + 1 : NULL};
    it.colon = memchr(s, ':', (size_t)(it.end - s));
    return it;
}

const char *ad_status_spec_parse(const char *s, size_t len, ad_status_spec_t *out)
{
    const char *end = s + len;
    uint64_t total = 0;
    *out = (ad_status_spec_t){0};
    if (len == 0)
        return "empty";
    for (item_t it; s != NULL; s = it.next) {
        it = item_at(s, end);
        const char *colon = it.colon, *item_end = it.end;
        if (colon == NULL)
            return "a choice needs CODE:PERCENT";
        if (out->n == AD_FAULT_CHOICES_MAX)
            return "more than 16 choices";
        int code;
        if (!status_code(s, (size_t)(colon - s), 400, 599, &code))
            return "a status must be 400 to 599";
        uint32_t m;
        if (!percent(colon + 1, (size_t)(item_end - colon - 1), &m))
            return "a percentage must be a number from 0 to 100 (up to 4 decimals)";
        total += m;
        if (total > AD_FAULT_WHOLE)
            return "percentages add up to more than 100";
        out->code[out->n] = code;
        out->millionths[out->n++] = m;
    }
    return NULL;
}

int ad_status_spec_draw(const ad_status_spec_t *spec, uint64_t *rng)
{
    if (spec->n == 0)
        return 0;
    uint64_t r = ad_rng_next(rng) % AD_FAULT_WHOLE;
    for (size_t i = 0; i < spec->n; i++) {
        if (r < spec->millionths[i])
            return spec->code[i];
        r -= spec->millionths[i];
    }
    return 0;
}

const char *ad_close_spec_parse(const char *s, size_t len, ad_close_spec_t *out)
{
    static const char reset[] = ":reset";
    const size_t rlen = sizeof(reset) - 1;
    *out = (ad_close_spec_t){.kind = AD_DROP_FIN};
    if (len == 0)
        return "empty";
    const char *colon = memchr(s, ':', len);
    if (colon != NULL) {
        if ((size_t)(s + len - colon) != rlen || memcmp(colon, reset, rlen) != 0)
            return "after the percentage only :reset may follow";
        out->kind = AD_DROP_RESET;
        len = (size_t)(colon - s);
    }
    if (!percent(s, len, &out->millionths))
        return "a percentage must be a number from 0 to 100 (up to 4 decimals)";
    return NULL;
}

ad_drop_kind_t ad_close_spec_draw(const ad_close_spec_t *spec, uint64_t *rng)
{
    if (spec->millionths == 0)
        return AD_DROP_NONE;
    return ad_rng_next(rng) % AD_FAULT_WHOLE < spec->millionths ? spec->kind : AD_DROP_NONE;
}

const char *ad_status_list_parse(const char *s, size_t len, ad_status_list_t *out)
{
    const char *end = s + len;
    *out = (ad_status_list_t){0};
    if (len == 0)
        return "empty";
    for (item_t it; s != NULL; s = it.next) {
        it = item_at(s, end);
        const char *colon = it.colon, *item_end = it.end;
        const char *code_end = colon != NULL ? colon : item_end;
        if (out->n == AD_FAULT_CHOICES_MAX)
            return "more than 16 codes";
        if (!status_code(s, (size_t)(code_end - s), 200, 599, &out->code[out->n]))
            return "a status must be 200 to 599";
        uint64_t w = 10000; /* no weight: 1 */
        if (colon != NULL && !decimal(colon + 1, (size_t)(item_end - colon - 1), 1000000, &w))
            return "a weight must be a number from 0 to 1000000 (up to 4 decimals)";
        out->weight[out->n++] = w;
        out->total += w;
    }
    return out->total == 0 ? "the weights add up to 0" : NULL;
}

int ad_status_list_draw(const ad_status_list_t *list, uint64_t *rng)
{
    if (list->n == 1)
        return list->code[0];
    uint64_t r = ad_rng_next(rng) % list->total;
    for (size_t i = 0; i < list->n; i++) {
        if (r < list->weight[i])
            return list->code[i];
        r -= list->weight[i];
    }
    return list->code[list->n - 1];
}
