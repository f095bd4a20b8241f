#ifndef AD_I18N_H
#define AD_I18N_H
/*
 * Human-facing text in the user's language: GNU gettext (glibc's libintl) with the "asyncdemo" domain,
 * catalogues built from po/ (po/README.md). Only words for people go through these macros; JSON, /metrics,
 * journal fields, STATUS= and other text for machines stay English. Without ad_i18n_init(), or with no
 * catalogue for the locale, every macro returns its English argument.
 */
#include <libintl.h>
#include <locale.h>
#include <stddef.h>
#include <stdio.h>

#define AD_TEXTDOMAIN "asyncdemo"

/* A message, translated. */
#define _(msgid) gettext(msgid)
/* Marks a message for xgettext where it is stored; translated later with _(). */
#define N_(msgid) (msgid)
/* The message for n of something: Ukrainian has three forms (1, 2-4, 5-20 ...), English two. */
#define NG_(singular, plural, n) ngettext(singular, plural, (unsigned long)(n))
/* A message in a context, where one English word needs two translations (xgettext --keyword=C_:1c,2). */
#define C_(ctx, msgid) ad_pgettext(ctx "\004" msgid, msgid)

/* pgettext: gettext of "ctx\004msgid", msgid when the catalogue lacks it. */
static inline const char *ad_pgettext(const char *ctx_msgid, const char *msgid)
{
    const char *t = dcgettext(AD_TEXTDOMAIN, ctx_msgid, LC_MESSAGES);
    return t == ctx_msgid ? msgid : t;
}

/*
 * Sets the locale from the environment (LC_ALL, LC_MESSAGES, LANG; LANGUAGE for the language list) and
 * binds the domain to $ASYNCDEMO_LOCALEDIR, or the installed locale directory when that is unset or empty.
 * LC_NUMERIC stays "C": every number, in JSON and in the human report alike, keeps its decimal point, and
 * flags parse the same in every locale.
 */
void ad_i18n_init(void);

/*
 * Terminal cells s takes: a character per cell (wcwidth under LC_CTYPE where it knows the character, else one
 * per UTF-8 character), ANSI colour sequences none. For padding translated text, whose bytes are not cells.
 */
int ad_text_cells(const char *s);

/* The bytes of s's longest start that fits in width cells, never cutting a character. */
size_t ad_text_cut(const char *s, int width);

/* fprintf(out, "%*s", width, s) counting cells, not bytes: right-aligned in width cells, left-aligned in -width. */
void ad_fput_cells(FILE *out, const char *s, int width);

#endif
