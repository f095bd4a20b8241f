#ifndef AD_UI_ASSETS_H
#define AD_UI_ASSETS_H
/*
 * The page at / (docs/http-api.md, "The page"): daemon/ui/'s files, compiled in at build time by
 * daemon/ui/embed.cmake. Nothing is read from disk at run time, so the page works wherever the binary does.
 */
#include <stddef.h>

typedef struct ad_ui_asset {
    const char *path;         /* the URL path it is served at: "/", "/ui/page.js" */
    const char *content_type; /* from the file's extension */
    const unsigned char *data;
    size_t len;
} ad_ui_asset_t;

extern const ad_ui_asset_t ad_ui_assets[];
extern const size_t ad_ui_nassets;

/* The asset served at path[0..len) (no query), or NULL. Pure. */
const ad_ui_asset_t *ad_ui_asset_find(const char *path, size_t len);

/*
 * The headers every page response carries (and /events): the page may load nothing but the daemon's
 * own files (no inline script or style, no other origin), and browsers must not guess content types.
 */
#define AD_UI_CSP "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

#endif
