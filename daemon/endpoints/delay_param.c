/* Parsing and bounding the requested delay (see delay_param.h). */
#include "delay_param.h"

#include <stdio.h>
#include <string.h>

#include "duration.h"
#include "query.h"

/* Checks text as a duration within [0, max_ns]: NULL when fine (*ns set), else the reason. */
static const char *check_duration(ad_delay_param_t *p, const char *text, size_t len, int64_t max_ns, int64_t *ns)
{
    int below_ns;
    ad_duration_status_t st = ad_duration_parse_ex(text, len, ns, &below_ns);
    if (st != AD_DURATION_OK)
        return ad_duration_strerror(st);
    if (ad_duration_over(*ns, below_ns, max_ns)) {
        char max[32];
        ad_duration_format(max_ns, max, sizeof(max));
        snprintf(p->why, sizeof(p->why), "over max-delay (%s)", max);
        return p->why;
    }
    return NULL;
}

/* The first raw value given for name (for the error when it could not be decoded). */
static void raw_query_value(ad_delay_param_t *p, const char *q, size_t qlen, const char *name)
{
    size_t pos = 0, nlen = strlen(name);
    ad_query_pair_t pair;
    p->value = "";
    p->value_len = 0;
    while (ad_query_next(q, qlen, &pos, &pair)) {
        if (pair.name_len == nlen && memcmp(pair.name, name, nlen) == 0 && pair.value != NULL) {
            p->value = pair.value;
            p->value_len = pair.value_len;
            return;
        }
    }
}

bool ad_delay_from_query(ad_delay_param_t *p, const char *q, size_t qlen, int64_t default_ns, int64_t max_ns)
{
    p->param = "delay";
    p->what = NULL;
    p->value = "";
    p->value_len = 0;
    switch (ad_query_get(q, qlen, "delay", p->decoded, sizeof(p->decoded))) {
    case AD_QUERY_ABSENT:
        p->ns = default_ns;
        return true;
    case AD_QUERY_FOUND:
        p->value = p->decoded;
        p->value_len = strlen(p->decoded);
        p->what = check_duration(p, p->decoded, p->value_len, max_ns, &p->ns);
        return p->what == NULL;
    case AD_QUERY_REPEATED:
        p->what = "given more than once";
        break;
    case AD_QUERY_BAD_ENCODING:
        p->what = "bad percent-encoding";
        break;
    case AD_QUERY_TOO_LONG:
        p->what = "too long";
        break;
    }
    raw_query_value(p, q, qlen, "delay");
    return false;
}

bool ad_delay_from_path(ad_delay_param_t *p, const char *n, size_t nlen, int64_t max_ns)
{
    p->param = "n";
    p->value = n;
    p->value_len = nlen;
    long len = ad_percent_decode(n, nlen, p->decoded, sizeof(p->decoded), false);
    if (len < 0) {
        p->what = nlen >= sizeof(p->decoded) ? "too long" : "bad percent-encoding";
        return false;
    }
    p->what = check_duration(p, p->decoded, (size_t)len, max_ns, &p->ns);
    return p->what == NULL;
}
