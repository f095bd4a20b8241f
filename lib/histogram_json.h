#ifndef AD_HISTOGRAM_JSON_H
#define AD_HISTOGRAM_JSON_H
/*
 * The histogram as a jansson document, for asyncdemoctl's --json results. Apart from histogram.h so the
 * daemon, which only records and summarises, does not link jansson.
 */
#include <stddef.h>
#include <jansson.h>
#include "histogram.h"

/*
 * Exact, sparse JSON form, mergeable across runs and hosts:
 * {"schema":"log-linear-v1","sub_bucket_bits":8,"unit":"ns","count":N,"min":..,"max":..,
 *  "sum":..,"sumsq":..,"buckets":[[lower_bound_ns,count],...]}   (only non-empty buckets)
 */
json_t *ad_hist_to_json(const ad_histogram_t *h);
/* Inverse of ad_hist_to_json. Returns 0, or -1 with a reason in err (schema, types, counts that do
 * not add up, a lower bound that is not a bucket boundary). h is initialised either way. */
int ad_hist_from_json(ad_histogram_t *h, const json_t *j, char *err, size_t errlen);

#endif
