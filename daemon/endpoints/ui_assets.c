/* Looking up the embedded page files (see ui_assets.h); the data is generated (ui_assets_data.c). */
#include "ui_assets.h"

#include <string.h>

const ad_ui_asset_t *ad_ui_asset_find(const char *path, size_t len)
{
    for (size_t i = 0; i < ad_ui_nassets; i++)
        if (strlen(ad_ui_assets[i].path) == len && memcmp(ad_ui_assets[i].path, path, len) == 0)
            return &ad_ui_assets[i];
    return NULL;
}
