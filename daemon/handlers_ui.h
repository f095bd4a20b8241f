#ifndef AD_HANDLERS_UI_H
#define AD_HANDLERS_UI_H
/*
 * The page (docs/http-api.md, "The page"): GET / and /ui/... serve the files compiled into the binary
 * (ui_assets.h); GET /events streams the live figures (events.h). Both are off with `ui = off` /
 * --no-ui (then 404 like any unknown path).
 */
#include <stddef.h>
#include <stdint.h>
#include <h2o.h>
#include "server.h"
#include "ui_assets.h"

/* / and /ui/...: the file the path names (ad_ui_asset_find; the router answers 404 when there is none). */
void ad_handle_ui(h2o_req_t *req, const ad_ui_asset_t *asset);
/* /events: a server-sent-events stream, one message a second (events.c). */
void ad_handle_events(ad_loop_t *loop, h2o_req_t *req);
/* The headers every page and /events response carries: CSP (own origin only) and nosniff. */
void ad_ui_security_headers(h2o_req_t *req);

#endif
