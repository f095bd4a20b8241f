/* report's options: FILEs of bench or compare --json documents, and what to make of them (see options.h). */
#include <string.h>

#include "fail.h"
#include "flags.h"
#include "i18n.h"
#include "options.h"

static int report_flag(void *opts, int id, const char *f, const char *v, ad_flags_seen_t seen, char *err, size_t errlen)
{
    ad_report_opts_t *o = opts;
    (void)seen;
    if (id == F_FAIL_IF)
        return ad_flag_fail_if(f, v, o->fail_if, &o->nfail_if, err, errlen);
    if (id == F_HTML)
        return ad_flag_file(f, v, false, o->html, err, errlen);
    return NOT_HANDLED;
}

static int report_file(void *opts, const char *v, char *err, size_t errlen)
{
    ad_report_opts_t *o = opts;
    if (o->nfiles == AD_REPORT_FILES_MAX)
        return ad_fail(err, errlen, _("FILE: at most %d files"), AD_REPORT_FILES_MAX);
    for (size_t i = 0; strcmp(v, "-") == 0 && i < o->nfiles; i++)
        if (strcmp(o->files[i], "-") == 0)
            return ad_fail(err, errlen, _("FILE: '-' (stdin) given twice"));
    o->files[o->nfiles++] = v;
    return 0;
}

static int report_finish(void *opts, ad_flags_seen_t seen, char *err, size_t errlen)
{
    const ad_report_opts_t *o = opts;
    (void)seen;
    if (o->nfiles == 0)
        return ad_fail(err, errlen, _("no FILE given (bench or compare --json documents; '-' reads stdin)"));
    return AD_CTL_PARSE_OK;
}

int ad_ctl_parse_report(int argc, char **argv, ad_report_opts_t *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    const subcommand_t sc = {.command = AD_CMD_REPORT,
                             .apply = report_flag,
                             .positional = report_file,
                             .finish = report_finish,
                             .opts = o,
                             .color = &o->color,
                             .output = o->output,
                             .json = &o->json,
                             .ascii = &o->ascii,
                             .no_timeline = &o->no_timeline};
    return ad_flags_parse(argc, argv, &sc, err, errlen);
}
