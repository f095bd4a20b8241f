/* gettext set-up and display widths (see i18n.h). */
#include "i18n.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#ifndef AD_LOCALEDIR
#error "AD_LOCALEDIR: the installed locale directory, set by lib/CMakeLists.txt"
#endif

void ad_i18n_init(void)
{
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");
    /* uninstalled builds and the tests point at the build tree's catalogues */
    const char *dir = getenv("ASYNCDEMO_LOCALEDIR");
    bindtextdomain(AD_TEXTDOMAIN, dir != NULL && dir[0] != '\0' ? dir : AD_LOCALEDIR);
    textdomain(AD_TEXTDOMAIN);
}

/* The bytes of s's first unit (a character, or a whole colour sequence) and its cells in *w. */
static size_t next_unit(const char *s, size_t left, mbstate_t *ps, int *w)
{
    if (*s == '\033') { /* a colour sequence: ESC [ ... m */
        const char *m = memchr(s, 'm', left);
        *w = 0;
        return m != NULL ? (size_t)(m - s) + 1 : left;
    }
    wchar_t wc;
    size_t n = mbrtowc(&wc, s, left, ps);
    *w = n != (size_t)-1 && n != (size_t)-2 && n > 0 ? wcwidth(wc) : -1;
    if (*w < 0) { /* not a character this locale knows (UTF-8 in the C locale): one cell per character */
        memset(ps, 0, sizeof(*ps));
        n = 1;
        while (n < left && ((unsigned char)s[n] & 0xC0) == 0x80)
            n++;
        *w = 1;
    }
    return n;
}

int ad_text_cells(const char *s)
{
    mbstate_t ps;
    memset(&ps, 0, sizeof(ps));
    int cells = 0, w;
    for (size_t left = strlen(s), n; left > 0; s += n, left -= n) {
        n = next_unit(s, left, &ps, &w);
        cells += w;
    }
    return cells;
}

size_t ad_text_cut(const char *s, int width)
{
    mbstate_t ps;
    memset(&ps, 0, sizeof(ps));
    size_t len = strlen(s), at = 0;
    int cells = 0, w;
    while (at < len) {
        size_t n = next_unit(s + at, len - at, &ps, &w);
        if (cells + w > width)
            break;
        cells += w;
        at += n;
    }
    return at;
}

void ad_fput_cells(FILE *out, const char *s, int width)
{
    int pad = (width < 0 ? -width : width) - ad_text_cells(s);
    if (width < 0)
        fputs(s, out);
    for (; pad > 0; pad--)
        fputc(' ', out);
    if (width >= 0)
        fputs(s, out);
}
