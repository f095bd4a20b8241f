/* The page compiled into the daemon: every file of daemon/ui/ is embedded, byte for byte, at its path
 * and with its content type; nothing else is. */
#include <dirent.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ui_assets.h"

#ifndef AD_UI_SOURCE_DIR
#error "AD_UI_SOURCE_DIR must name daemon/ui"
#endif

static const struct {
    const char *file, *path, *type;
} expected[] = {
    {"index.html", "/", "text/html; charset=utf-8"},
    {"page.css", "/ui/page.css", "text/css; charset=utf-8"},
    {"text.js", "/ui/text.js", "text/javascript; charset=utf-8"},
    {"lesson.js", "/ui/lesson.js", "text/javascript; charset=utf-8"},
    {"page.js", "/ui/page.js", "text/javascript; charset=utf-8"},
    {"icon.svg", "/ui/icon.svg", "image/svg+xml"},
};
#define NEXPECTED (sizeof(expected) / sizeof(expected[0]))

static unsigned char *slurp(const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", AD_UI_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    static unsigned char buf[1 << 20];
    *len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    return buf;
}

static void test_bytes_are_the_source_files(void **state)
{
    (void)state;
    assert_int_equal(ad_ui_nassets, NEXPECTED);
    for (size_t i = 0; i < NEXPECTED; i++) {
        const ad_ui_asset_t *a = ad_ui_asset_find(expected[i].path, strlen(expected[i].path));
        if (a == NULL)
            fail_msg("%s is not served", expected[i].path);
        assert_string_equal(a->content_type, expected[i].type);
        size_t len;
        const unsigned char *src = slurp(expected[i].file, &len);
        assert_int_equal(a->len, len);
        assert_memory_equal(a->data, src, len);
        assert_int_equal(a->data[len], 0); /* the generator's terminator, never sent */
    }
}

/* A page file added to daemon/ui/ but not to AD_UI_ASSETS (daemon/CMakeLists.txt) would be a 404. */
static void test_every_page_file_is_embedded(void **state)
{
    (void)state;
    DIR *d = opendir(AD_UI_SOURCE_DIR);
    assert_non_null(d);
    size_t seen = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        const char *dot = strrchr(e->d_name, '.');
        if (dot == NULL || strcmp(dot, ".cmake") == 0 || e->d_name[0] == '.')
            continue;
        bool found = false;
        for (size_t i = 0; i < NEXPECTED; i++)
            found = found || strcmp(expected[i].file, e->d_name) == 0;
        if (!found)
            fail_msg("daemon/ui/%s is not embedded", e->d_name);
        seen++;
    }
    closedir(d);
    assert_int_equal(seen, NEXPECTED);
}

static void test_find(void **state)
{
    (void)state;
    assert_non_null(ad_ui_asset_find("/", 1));
    assert_null(ad_ui_asset_find("/ui/page.js", 10)); /* a prefix is not a match */
    assert_null(ad_ui_asset_find("/ui/", 4));
    assert_null(ad_ui_asset_find("/index.html", 11));
    assert_null(ad_ui_asset_find("", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes_are_the_source_files),
        cmocka_unit_test(test_every_page_file_is_embedded),
        cmocka_unit_test(test_find),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
