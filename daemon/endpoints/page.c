/* GET / and /ui/...: the page's files, from the binary (see page.h). */
#include "page.h"

#include "handlers.h"
#include "ui_assets.h"

void ad_ui_security_headers(h2o_req_t *req)
{
    ad_respond_header_named(req, H2O_STRLIT("content-security-policy"), H2O_STRLIT(AD_UI_CSP));
    ad_respond_header_named(req, H2O_STRLIT("x-content-type-options"), H2O_STRLIT("nosniff"));
    ad_respond_header_named(req, H2O_STRLIT("referrer-policy"), H2O_STRLIT("no-referrer"));
}

bool ad_ui_on(const ad_exchange_t *x)
{
    return x->loop->server->cfg.ui;
}

bool ad_page_present(const ad_exchange_t *x)
{
    return ad_ui_on(x) && ad_ui_asset_find(x->path, x->path_len) != NULL;
}

int ad_serve_page(ad_exchange_t *x)
{
    const ad_ui_asset_t *asset = ad_ui_asset_find(x->path, x->path_len); /* there: the gate checked */
    ad_ui_security_headers(x->req);
    /* The page is part of the binary: a browser revalidates it, so an upgraded daemon's page is seen. */
    ad_answer_header(x, H2O_TOKEN_CACHE_CONTROL, H2O_STRLIT("no-cache"));
    ad_answer_static(x, asset->content_type, asset->data, asset->len);
    return 200;
}
