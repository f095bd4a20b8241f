#ifndef AD_H2_GUARD_H
#define AD_H2_GUARD_H
/*
 * HTTP/2 header blocks are checked (hpack_scan.h) before h2o decodes them: h2o 2.2.5 has no setting for
 * the decoded size of a request head, so the daemon defines h2o_hpack_parse_headers itself, which the
 * dynamic linker binds in place of libh2o's (libh2o calls it through its PLT), and calls libh2o's own
 * after the check. A block past the bounds closes the connection with GOAWAY ENHANCE_YOUR_CALM, counted
 * in the calling loop's shard.
 */
#include <stdbool.h>
#include "stats.h"

/* Loop thread: refusals on this thread are counted in shard. */
void ad_h2_guard_bind(ad_stats_shard_t *shard);
/* Whether libh2o's decoder was found behind the guard (false: the guard cannot engage; logged at start). */
bool ad_h2_guard_active(void);

#endif
