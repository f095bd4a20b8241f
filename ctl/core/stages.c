/* Rate stages (stages.h). */
#include "stages.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "digits.h"
#include "duration.h"
#include "fail.h"
#include "i18n.h"

/* A target: a decimal in [0, AD_CTL_RATE_MAX] (0 is one, a ramp down to nothing, unlike plain --rate). */
static int parse_target(const char *s, size_t len, double *out)
{
    return ad_parse_decimal(s, len, out) == 0 && *out <= AD_CTL_RATE_MAX ? 0 : -1;
}

int ad_stages_parse(const char *text, ad_rate_stage_t *st, char *err, size_t errlen)
{
    int n = 0;
    int64_t total_ns = 0;
    for (const char *p = text;; p++) {
        size_t len = strcspn(p, ","), rlen = strcspn(p, ":,");
        if (n == AD_RATE_STAGES_MAX)
            return ad_fail(err, errlen, _("at most %d stages"), AD_RATE_STAGES_MAX);
        if (p[rlen] != ':')
            return ad_fail(err, errlen, _("stage %d '%.*s' is not RATE:DURATION (e.g. 100:10s)"), n + 1,
                           (int)(len > 32 ? 32 : len), p);
        if (parse_target(p, rlen, &st[n].target) != 0)
            return ad_fail(err, errlen, _("stage %d: '%.*s' is not a rate from 0 to %.0f"), n + 1,
                           (int)(rlen > 32 ? 32 : rlen), p, AD_CTL_RATE_MAX);
        ad_duration_status_t ds = ad_duration_parse(p + rlen + 1, len - rlen - 1, &st[n].duration_ns);
        if (ds != AD_DURATION_OK)
            return ad_fail(err, errlen, _("stage %d: '%.*s' %s"), n + 1,
                           (int)(len - rlen - 1 > 32 ? 32 : len - rlen - 1), p + rlen + 1, ad_duration_strerror(ds));
        /* the schedule is computed over their sum: a sum past what a duration holds would be cut short */
        if (st[n].duration_ns > INT64_MAX - total_ns)
            return ad_fail(err, errlen, _("the stages last longer than a duration can (about 292 years)"));
        total_ns += st[n].duration_ns;
        n++;
        p += len;
        if (*p == '\0')
            break;
    }
    if (ad_stages_duration(st, (size_t)n) <= 0)
        return ad_fail(err, errlen, _("the stages last no time"));
    if (!(ad_stages_count(st, (size_t)n) >= 1))
        return ad_fail(err, errlen, _("the stages send no request"));
    return n;
}

int64_t ad_stages_duration(const ad_rate_stage_t *st, size_t n)
{
    int64_t d = 0;
    for (size_t i = 0; i < n; i++)
        d = st[i].duration_ns > INT64_MAX - d ? INT64_MAX : d + st[i].duration_ns;
    return d;
}

double ad_stages_count(const ad_rate_stage_t *st, size_t n)
{
    double a = 0, c = 0;
    for (size_t i = 0; i < n; i++) {
        c += (a + st[i].target) / 2 * ((double)st[i].duration_ns / 1e9);
        a = st[i].target;
    }
    return c;
}

double ad_stages_rate_at(const ad_rate_stage_t *st, size_t n, double t)
{
    double a = 0, start = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)st[i].duration_ns / 1e9;
        if (t < start + d)
            return a + (st[i].target - a) * (t - start) / d;
        start += d;
        a = st[i].target;
    }
    return 0;
}

double ad_stages_time_of(const ad_rate_stage_t *st, size_t n, double x)
{
    double a = 0, start = 0;
    for (size_t i = 0; i < n; i++) {
        double b = st[i].target, d = (double)st[i].duration_ns / 1e9, area = (a + b) / 2 * d;
        if (x < area) {
            if (x <= 0)
                return start; /* 0 / 0 below when the stage starts from rate 0 */
            /* a t + (b - a) t^2 / (2 d) = x, in the form that stays exact when b - a is small or negative */
            double disc = a * a + 2 * (b - a) * x / d;
            return start + 2 * x / (a + sqrt(disc > 0 ? disc : 0));
        }
        x -= area;
        start += d;
        a = b;
    }
    return INFINITY;
}

void ad_stages_scale(ad_rate_stage_t *st, size_t n, double k)
{
    for (size_t i = 0; i < n; i++)
        st[i].target /= k;
}
