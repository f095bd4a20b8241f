#ifndef AD_PAGE_H
#define AD_PAGE_H
/*
 * The page (docs/http-api.md, "The page"): GET / and /ui/... serve the files compiled into the binary
 * (ui_assets.h); GET /events streams the live figures (events.c). Both are off with `ui = off` /
 * --no-ui (then 404 like any unknown path: their gates, endpoint_list.h).
 */
#include <h2o.h>

/* The headers every page and /events response carries: CSP (own origin only) and nosniff. */
void ad_ui_security_headers(h2o_req_t *req);

#endif
