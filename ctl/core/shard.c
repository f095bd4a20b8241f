/* bench --shard I/N: this process's share of a test run from several (see options.h). */
#include <inttypes.h>
#include <string.h>

#include "fail.h"
#include "flags.h"
#include "i18n.h"
#include "options.h"

uint64_t ad_shard_share(uint64_t total, unsigned i, unsigned n)
{
    return n == 0 ? total : total / n + (i < total % n ? 1 : 0);
}

double ad_shard_phase(const ad_bench_opts_t *o)
{
    return o->shards > 0 ? (double)(o->shard - 1) / o->shards : 0;
}

/* --shard I/N: 1 <= I <= N <= AD_SHARDS_MAX. */
int ad_shard_parse(const char *flag, const char *v, ad_bench_opts_t *o, char *err, size_t errlen)
{
    uint64_t i, n;
    size_t len = strcspn(v, "/");
    char first[24];
    if (v[len] != '/' || len == 0 || len >= sizeof(first) || strspn(v, "0123456789") != len || v[len + 1] == '\0' ||
        strspn(v + len + 1, "0123456789") != strlen(v + len + 1))
        return ad_fail(err, errlen, _("%s: '%.64s' is not I/N (this process's shard I of N, e.g. 2/3)"), flag, v);
    memcpy(first, v, len);
    first[len] = '\0';
    if (ad_flag_count(flag, first, 1, AD_SHARDS_MAX, &i, err, errlen) != 0 ||
        ad_flag_count(flag, v + len + 1, 1, AD_SHARDS_MAX, &n, err, errlen) != 0)
        return AD_CTL_PARSE_ERROR;
    if (i > n)
        return ad_fail(err, errlen,
                       _("%s: '%.64s': shard %" PRIu64 " of %" PRIu64 " does not exist (1 to %" PRIu64 ")"), flag, v, i,
                       n, n);
    o->shard = (unsigned)i;
    o->shards = (unsigned)n;
    return 0;
}

/* This shard's share of -n, -c and --rate (after the scan: -n's default is known then). */
int ad_shard_take(ad_bench_opts_t *o, char *err, size_t errlen)
{
    if (o->shards == 0)
        return 0;
    unsigned i = o->shard - 1, n = o->shards;
    if (o->concurrency < n)
        return ad_fail(err, errlen, _("--shard %u/%u: -c %u cannot be split between %u shards (at least one each)"),
                       o->shard, n, o->concurrency, n);
    if (o->requests > 0 && o->requests < n)
        return ad_fail(err, errlen,
                       _("--shard %u/%u: -n %" PRIu64 " cannot be split between %u shards (at least one each)"),
                       o->shard, n, o->requests, n);
    o->concurrency = (unsigned)ad_shard_share(o->concurrency, i, n);
    o->requests = ad_shard_share(o->requests, i, n);
    o->rate /= n;
    ad_stages_scale(o->stages, o->nstages, n);
    return 0;
}
