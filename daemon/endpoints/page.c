/* GET / and /ui/...: the page's files, from the binary (see page.h). */
#include "page.h"

#include "handlers.h"
#include "text_escape.h"
#include "ui_assets.h"

/* name in lower case, as HTTP/2 requires; canonical over HTTP/1, as every other name (docs/http-api.md) */
static void add_header(h2o_req_t *req, const char *name, size_t name_len, const char *value, size_t value_len)
{
    if (req->version < 0x200) {
        char *cased = h2o_mem_alloc_pool(&req->pool, name_len);
        ad_title_case(name, name_len, cased);
        name = cased;
    }
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, name_len, req->version >= 0x200, NULL, value, value_len);
}

void ad_ui_security_headers(h2o_req_t *req)
{
    add_header(req, H2O_STRLIT("content-security-policy"), H2O_STRLIT(AD_UI_CSP));
    add_header(req, H2O_STRLIT("x-content-type-options"), H2O_STRLIT("nosniff"));
    add_header(req, H2O_STRLIT("referrer-policy"), H2O_STRLIT("no-referrer"));
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
