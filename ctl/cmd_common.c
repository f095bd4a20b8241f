/* What the subcommands share around the engines (see cmd_common.h). */
#include "cmd_common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "commands.h"
#include "json_report.h"
#include "log.h"
#include "messages.h"
#include "notify.h"
#include "report_fields.h"
#include "target.h"

void ad_cmd_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("asyncdemoctl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int ad_cmd_parse_outcome(int parsed, ad_ctl_command_t cmd, const char *err)
{
    if (parsed == AD_CTL_PARSE_OK)
        return -1;
    if (parsed == AD_CTL_PARSE_HELP) {
        fputs(ad_ctl_usage(cmd), stdout);
        return AD_CTL_EXIT_OK;
    }
    ad_cmd_error("%s", err);
    fputc('\n', stderr);
    fputs(ad_ctl_usage(cmd), stderr);
    return AD_CTL_EXIT_USAGE;
}

int ad_cmd_output_open(ad_cmd_output_t *o, const char *path)
{
    memset(o, 0, sizeof(*o));
    if (path == NULL || path[0] == '\0') {
        o->out = stdout;
        o->tty = isatty(STDOUT_FILENO);
        return 0;
    }
    o->out = fopen(path, "w");
    if (o->out == NULL) {
        ad_cmd_error("--output %s: %s", path, strerror(errno));
        return -1;
    }
    o->is_file = true;
    snprintf(o->path, sizeof(o->path), "%s", path);
    return 0;
}

int ad_cmd_output_close(ad_cmd_output_t *o)
{
    if (o->out == NULL)
        return 0;
    int failed = ferror(o->out) || fflush(o->out) != 0;
    int saved = errno;
    if (o->is_file && fclose(o->out) != 0 && !failed) {
        failed = 1;
        saved = errno;
    }
    o->out = NULL;
    if (failed) {
        ad_cmd_error("writing %s: %s", o->is_file ? o->path : "standard output", strerror(saved));
        return -1;
    }
    return 0;
}

bool ad_cmd_use_color(ad_color_mode_t mode, const ad_cmd_output_t *o)
{
    if (mode == AD_COLOR_ALWAYS)
        return true;
    if (mode == AD_COLOR_NEVER || !o->tty)
        return false;
    const char *no_color = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    if (no_color != NULL && no_color[0] != '\0')
        return false;
    return term != NULL && strcmp(term, "dumb") != 0;
}

int ad_cmd_width(const ad_cmd_output_t *o)
{
    struct winsize ws;
    if (o->tty && ioctl(fileno(o->out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

void ad_cmd_report_style(ad_report_style_t *st, const ad_cmd_output_t *o, ad_color_mode_t color, bool ascii)
{
    ad_report_style_default(st);
    st->width = ad_cmd_width(o);
    st->color = ad_cmd_use_color(color, o);
    st->ascii = ascii;
}

void ad_cmd_timeline_style(ad_timeline_style_t *st, const ad_cmd_output_t *o, ad_color_mode_t color, bool ascii)
{
    ad_timeline_style_default(st);
    st->width = ad_cmd_width(o);
    st->color = ad_cmd_use_color(color, o);
    st->ascii = ascii;
}

int ad_cmd_check_target(const ad_url_t *u, int64_t timeout_ns, struct curl_slist **resolve)
{
    ad_target_t t;
    char msg[512];
    *resolve = NULL;
    ad_target_status_t st = ad_target_probe(u, timeout_ns, &t, msg, sizeof(msg));
    if (st == AD_TARGET_OK) {
        *resolve = t.resolve;
        return 0;
    }
    ad_target_free(&t);
    fprintf(stderr, "%s\n", msg);
    return st == AD_TARGET_UNREACHABLE ? AD_CTL_EXIT_UNAVAILABLE : AD_CTL_EXIT_SOFTWARE;
}

bool ad_cmd_journal_setup(bool forced)
{
    if (!forced && !ad_notify_enabled())
        return false;
    ad_log_init("asyncdemoctl", LOG_INFO, AD_LOG_JOURNAL);
    return true;
}

void ad_cmd_journal_runs(const char *command, const ad_run_result_t *const *runs, size_t n)
{
    const char *msgid = strcmp(command, "compare") == 0 ? AD_MSGID_COMPARE_RESULT : AD_MSGID_BENCH_RESULT;
    for (size_t i = 0; i < n; i++) {
        char fields[AD_REPORT_FIELDS_MAX][AD_REPORT_FIELD_MAX];
        const char *ptrs[AD_REPORT_FIELDS_MAX + 1];
        size_t nf = ad_report_journal_fields(command, runs, n, i, fields, AD_REPORT_FIELDS_MAX);
        for (size_t f = 0; f < nf; f++)
            ptrs[f] = fields[f];
        ptrs[nf] = NULL;
        char message[512];
        ad_report_journal_message(command, runs, n, i, message, sizeof(message));
        ad_log_entry(LOG_INFO, msgid, ptrs, "%s", message);
    }
}

void ad_cmd_notify_summary(const char *command, const ad_run_result_t *const *runs, size_t n)
{
    if (!ad_notify_enabled() || n == 0)
        return;
    char status[1024];
    ad_report_summary_status(command, runs, n, status, sizeof(status));
    ad_notify_status("%s", status);
}

int ad_cmd_write_json(FILE *out, const char *command, json_t *options, int64_t started_wall_ns,
                      ad_run_result_t *const *runs, size_t n)
{
    ad_json_report_t doc;
    memset(&doc, 0, sizeof(doc));
    snprintf(doc.command, sizeof(doc.command), "%s", command);
    doc.started_wall_ns = started_wall_ns;
    doc.options = options;
    doc.runs = (ad_run_result_t **)runs;
    doc.nruns = n;
    if (ad_json_report_write(out, &doc) != 0) {
        ad_cmd_error("writing the JSON document: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int ad_cmd_runs_exit(const ad_run_result_t *const *runs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (runs[i]->completed != runs[i]->ok || runs[i]->sent != runs[i]->completed)
            return AD_CTL_EXIT_FAILURE;
    return AD_CTL_EXIT_OK;
}
