/* What the subcommands share around the engines (see cmd_common.h). */
#include "cmd_common.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "clock.h"
#include "commands.h"
#include "engine.h"
#include "i18n.h"
#include "html_report.h"
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
    return ad_cmd_usage_error(cmd, "%s", err);
}

int ad_cmd_usage_error(ad_ctl_command_t cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("asyncdemoctl: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    /* The reason and where to read more, as asyncdemod does: the whole help would bury the reason. */
    const char *name = ad_ctl_command_name(cmd);
    char command[64];
    snprintf(command, sizeof(command), "asyncdemoctl%s%s --help", name[0] != '\0' ? " " : "", name);
    fputc('\n', stderr);
    fprintf(stderr, _("Try '%s' for more information.\n"), command);
    return AD_CTL_EXIT_USAGE;
}

/* The temporary file beside path: "DIR/.NAME.XXXXXX", so the rename stays within one file system. */
static int open_temporary(ad_cmd_output_t *o, const char *path)
{
    const char *slash = strrchr(path, '/');
    int dirlen = slash != NULL ? (int)(slash - path + 1) : 0;
    if (snprintf(o->tmp, sizeof(o->tmp), "%.*s.%s.XXXXXX", dirlen, path, path + dirlen) >= (int)sizeof(o->tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = mkstemp(o->tmp);
    if (fd < 0)
        return -1;
    mode_t mask = umask(0); /* the mode a plain fopen would give, not mkstemp's 0600 */
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || (o->out = fdopen(fd, "w")) == NULL) {
        int saved = errno;
        close(fd);
        unlink(o->tmp);
        errno = saved;
        return -1;
    }
    return 0;
}

int ad_cmd_output_open(ad_cmd_output_t *o, const char *path)
{
    memset(o, 0, sizeof(*o));
    if (path == NULL || path[0] == '\0' || strcmp(path, "-") == 0) {
        o->out = stdout;
        o->tty = isatty(STDOUT_FILENO);
        return 0;
    }
    struct stat sb;
    int rc;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
        rc = (o->out = fopen(path, "w")) != NULL ? 0 : -1;
    else
        rc = open_temporary(o, path);
    if (rc != 0) {
        ad_cmd_error(_("--output %s: %s"), path, strerror(errno));
        o->tmp[0] = '\0';
        return -1;
    }
    o->is_file = true;
    snprintf(o->path, sizeof(o->path), "%s", path);
    return 0;
}

int ad_cmd_output_close(ad_cmd_output_t *o, bool keep)
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
    if (o->tmp[0] != '\0') {
        if (keep && !failed && rename(o->tmp, o->path) != 0) {
            failed = 1;
            saved = errno;
        }
        if (!keep || failed)
            unlink(o->tmp);
        o->tmp[0] = '\0';
    }
    if (failed) {
        ad_cmd_error(_("writing %s: %s"), o->is_file ? o->path : _("standard output"), strerror(saved));
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

static void report_style(ad_report_style_t *st, const ad_cmd_output_t *o, ad_color_mode_t color, bool ascii)
{
    ad_report_style_default(st);
    st->width = ad_cmd_width(o);
    st->color = ad_cmd_use_color(color, o);
    st->ascii = ascii;
}

static void timeline_style(ad_timeline_style_t *st, const ad_cmd_output_t *o, ad_color_mode_t color, bool ascii)
{
    ad_timeline_style_default(st);
    st->width = ad_cmd_width(o);
    st->color = ad_cmd_use_color(color, o);
    st->ascii = ascii;
}

int ad_cmd_check_target(const ad_url_t *u, const ad_tls_verify_t *tls, int64_t timeout_ns, ad_target_t *t)
{
    char msg[512];
    ad_target_status_t st = ad_target_probe(u, tls, timeout_ns, t, msg, sizeof(msg));
    if (st == AD_TARGET_OK)
        return 0;
    ad_target_free(t);
    fprintf(stderr, "%s\n", msg);
    return ad_cmd_target_exit(st);
}

int ad_cmd_target_exit(ad_target_status_t st)
{
    switch (st) {
    case AD_TARGET_OK:
        return AD_CTL_EXIT_OK;
    case AD_TARGET_UNREACHABLE:
        return AD_CTL_EXIT_UNAVAILABLE;
    case AD_TARGET_FAILED:
        break;
    }
    return AD_CTL_EXIT_SOFTWARE;
}

/* Whether results go to the journal: under systemd, or --journal. Sets the log target accordingly. */
static bool journal_setup(bool forced)
{
    if (!forced && !ad_notify_enabled())
        return false;
    ad_log_init("asyncdemoctl", LOG_INFO, AD_LOG_JOURNAL);
    return true;
}

/* The --fail-if results of a run: what was checked ("all runs" too) and broken, as journal fields. */
typedef struct run_thresholds {
    const ad_threshold_result_t *res;
    size_t n;
} run_thresholds_t;

/* ASYNCDEMO_FAIL_IF_BROKEN=<count> and, when some are, ASYNCDEMO_FAIL_IF=<each "EXPR: value", "; " between>. */
static size_t threshold_fields(const run_thresholds_t *th, const char *run, char *broken, char *list, size_t size)
{
    size_t nbroken = 0, len = (size_t)snprintf(list, size, "ASYNCDEMO_FAIL_IF=");
    for (size_t k = 0; k < th->n; k++) {
        const ad_threshold_result_t *tr = &th->res[k];
        if (!tr->broken || (strcmp(tr->run, run) != 0 && strcmp(tr->run, AD_TH_ALL_RUNS) != 0))
            continue;
        char v[48];
        ad_threshold_format_value(tr->t, tr->value, v, sizeof(v));
        if (len < size)
            len += (size_t)snprintf(list + len, size - len, "%s%s: %s", nbroken ? "; " : "", tr->t->text, v);
        nbroken++;
    }
    snprintf(broken, AD_REPORT_FIELD_MAX, "ASYNCDEMO_FAIL_IF_BROKEN=%zu", nbroken);
    return nbroken;
}

/* One journal entry per run (AD_MSGID_BENCH_RESULT / AD_MSGID_COMPARE_RESULT, report_fields.h fields). */
static void journal_runs(const char *command, const ad_run_result_t *const *runs, size_t n, const run_thresholds_t *th)
{
    const char *msgid = strcmp(command, "compare") == 0 ? AD_MSGID_COMPARE_RESULT : AD_MSGID_BENCH_RESULT;
    for (size_t i = 0; i < n; i++) {
        char fields[AD_REPORT_FIELDS_MAX][AD_REPORT_FIELD_MAX], broken[AD_REPORT_FIELD_MAX], list[1024];
        const char *ptrs[AD_REPORT_FIELDS_MAX + 3];
        size_t nf = ad_report_journal_fields(command, runs, n, i, fields, AD_REPORT_FIELDS_MAX);
        for (size_t f = 0; f < nf; f++)
            ptrs[f] = fields[f];
        if (th->n > 0) {
            ptrs[nf++] = broken;
            if (threshold_fields(th, runs[i]->name, broken, list, sizeof(list)) > 0)
                ptrs[nf++] = list;
        }
        ptrs[nf] = NULL;
        char message[512];
        ad_report_journal_message(command, runs, n, i, message, sizeof(message));
        ad_log_entry(LOG_INFO, msgid, ptrs, "%s", message);
    }
}

/* The final STATUS= summary (under systemd). */
static void notify_summary(const char *command, const ad_run_result_t *const *runs, size_t n)
{
    if (!ad_notify_enabled() || n == 0)
        return;
    char status[1024];
    ad_report_summary_status(command, runs, n, status, sizeof(status));
    ad_notify_status("%s", status);
}

/* The --fail-if results as the JSON document's "thresholds" (docs/bench-json.md); NULL when none were given. */
static json_t *thresholds_json(const run_thresholds_t *th)
{
    if (th->n == 0)
        return NULL;
    static const char *const units[] = {
        [AD_TH_PERCENTILE] = "seconds", [AD_TH_MEAN] = "seconds",    [AD_TH_MIN] = "seconds",
        [AD_TH_MAX] = "seconds",        [AD_TH_ERRORS] = "requests", [AD_TH_RPS] = "requests/s"};
    json_t *a = json_array();
    for (size_t k = 0; k < th->n; k++) {
        const ad_threshold_result_t *tr = &th->res[k];
        const ad_threshold_t *t = tr->t;
        /* latencies in seconds, as everywhere in the document */
        double scale = t->metric == AD_TH_ERRORS || t->metric == AD_TH_RPS ? 1 : 1e-9;
        bool measured = tr->found && !isnan(tr->value);
        json_t *o = json_pack("{s:s, s:s, s:b, s:s, s:f}", "expr", t->text, "run", tr->run, "broken", tr->broken,
                              "unit", t->percent ? "percent" : units[t->metric], "limit", t->limit * scale);
        json_object_set_new(o, "value", measured ? json_real(tr->value * scale) : json_null());
        json_object_set_new(o, "by",
                            measured && tr->broken ? json_real(fabs(tr->value - t->limit) * scale) : json_null());
        json_array_append_new(a, o);
    }
    return a;
}

/* The thresholds' lines at the end of the text report. */
static void report_thresholds(FILE *out, const run_thresholds_t *th, size_t nbroken)
{
    if (th->n == 0)
        return;
    /* TRANSLATORS: the heading of the --fail-if verdicts: "thresholds (--fail-if): 1 of 3 broken" */
    fprintf(out, _("\nthresholds (--fail-if): %zu of %zu broken\n"), nbroken, th->n);
    for (size_t k = 0; k < th->n; k++) {
        char line[1024];
        ad_threshold_format_result(&th->res[k], line, sizeof(line));
        fprintf(out, "  %s\n", line);
    }
}

/* --html FILE: the page, replacing FILE whole (as --output does). Returns 0, or -1 after printing why. */
static int write_html(const ad_cmd_runs_t *r, const run_thresholds_t *th)
{
    ad_cmd_output_t dest;
    if (ad_cmd_output_open(&dest, r->html) != 0)
        return -1;
    ad_html_report_t h = {.command = r->command,
                          .heading = r->heading,
                          .started_wall_ns = r->started_wall_ns,
                          .runs = (const ad_run_result_t *const *)r->runs,
                          .nruns = r->n,
                          .thresholds = th->res,
                          .nthresholds = th->n};
    bool ok = ad_html_report_write(dest.out, &h) == 0;
    if (!ok)
        ad_cmd_error(_("writing %s: %s"), r->html, strerror(errno));
    return ad_cmd_output_close(&dest, ok) == 0 && ok ? 0 : -1;
}

/* The --json document of runs into out. Returns 0, or -1 after printing why. */
static int write_json(FILE *out, const char *command, json_t *options, json_t *thresholds, int64_t started_wall_ns,
                      ad_run_result_t *const *runs, size_t n)
{
    ad_json_report_t doc;
    memset(&doc, 0, sizeof(doc));
    snprintf(doc.command, sizeof(doc.command), "%s", command);
    doc.started_wall_ns = started_wall_ns;
    doc.interrupted = ad_engine_stop_requested();
    doc.options = options;
    doc.thresholds = thresholds;
    doc.runs = (ad_run_result_t **)runs;
    doc.nruns = n;
    if (ad_json_report_write(out, &doc) != 0) {
        ad_cmd_error(_("writing the JSON document: %s"), strerror(errno));
        return -1;
    }
    return 0;
}

/* 1 when any request of any run failed, else 0. */
static int runs_exit(const ad_run_result_t *const *runs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (runs[i]->completed != runs[i]->ok || runs[i]->sent != runs[i]->completed)
            return AD_CTL_EXIT_FAILURE;
    return AD_CTL_EXIT_OK;
}

int ad_cmd_runs_begin(ad_cmd_runs_t *r, const ad_cmd_runs_spec_t *spec)
{
    memset(r, 0, sizeof(*r));
    r->command = spec->command;
    r->started_wall_ns = ad_wall_ns();
    r->json = spec->json;
    r->journal = journal_setup(spec->journal);
    if (ad_cmd_output_open(&r->dest, spec->output) != 0)
        return AD_CTL_EXIT_USAGE;
    int rc = spec->target != NULL ? ad_cmd_check_target(spec->target, spec->tls, spec->timeout_ns, &r->target) : 0;
    if (rc == 0 && (r->runs = calloc(spec->max_runs ? spec->max_runs : 1, sizeof(*r->runs))) == NULL) {
        ad_cmd_error("%s", _("out of memory"));
        ad_target_free(&r->target);
        rc = AD_CTL_EXIT_SOFTWARE;
    }
    if (rc != 0) {
        ad_cmd_output_close(&r->dest, false);
        return rc;
    }
    report_style(&r->st, &r->dest, spec->color, spec->ascii);
    r->timeline = spec->timeline;
    timeline_style(&r->ts, &r->dest, spec->color, spec->ascii);
    r->heading = spec->heading;
    if (!r->json && spec->heading != NULL)
        fprintf(r->dest.out, "%s\n\n", spec->heading);
    return 0;
}

void ad_cmd_runs_add(ad_cmd_runs_t *r, ad_run_result_t *run)
{
    ad_run_result_order(run); /* rows as the server served them: report, timeline and JSON alike */
    if (ad_engine_stop_requested())
        run->interrupted = true; /* what was in flight was abandoned: the report must say so */
    r->runs[r->n++] = run;
    if (!r->json) {
        ad_report_run(r->dest.out, run, &r->st);
        fputc('\n', r->dest.out);
        fflush(r->dest.out);
    }
}

int ad_cmd_runs_end(ad_cmd_runs_t *r, int rc, json_t *options, void (*summary)(const ad_cmd_runs_t *r))
{
    const ad_run_result_t *const *runs = (const ad_run_result_t *const *)r->runs;
    bool result = r->n > 0; /* something to replace the --output file with */
    run_thresholds_t th = {NULL, 0};
    size_t nbroken = 0;
    if (r->n > 0 && r->nthresholds > 0) {
        size_t cap = r->nthresholds * (r->n + 1); /* each run, or one: "all runs", a missing run */
        ad_threshold_result_t *res = calloc(cap, sizeof(*res));
        if (res == NULL) {
            ad_cmd_error("%s", _("out of memory"));
            rc = rc != 0 ? rc : AD_CTL_EXIT_SOFTWARE;
        } else {
            nbroken = ad_threshold_check(r->thresholds, r->nthresholds, runs, r->n, res, cap, &th.n);
            th.res = res;
        }
    }
    if (r->n > 0) {
        if (r->json) {
            json_t *tj = thresholds_json(&th);
            result = write_json(r->dest.out, r->command, options, tj, r->started_wall_ns, r->runs, r->n) == 0;
            json_decref(tj);
            if (!result && rc == 0)
                rc = AD_CTL_EXIT_SOFTWARE;
        } else {
            summary(r);
            if (r->timeline)
                ad_timeline_render(r->dest.out, runs, r->n, &r->ts);
            if (ad_engine_stop_requested())
                ad_report_interrupted(r->dest.out, &r->st);
            else if (r->lesson)
                ad_report_lesson(r->dest.out, runs, r->n, &r->st);
            report_thresholds(r->dest.out, &th, nbroken);
        }
        if (r->html != NULL && write_html(r, &th) != 0 && rc == 0)
            rc = AD_CTL_EXIT_SOFTWARE;
        if (r->journal)
            journal_runs(r->command, runs, r->n, &th);
        notify_summary(r->command, runs, r->n);
    }
    json_decref(options);
    if (ad_cmd_output_close(&r->dest, result) != 0 && rc == 0)
        rc = AD_CTL_EXIT_SOFTWARE;
    if (rc == 0 && ad_engine_stop_requested())
        rc = AD_CTL_EXIT_INTERRUPTED;
    else if (rc == 0 && nbroken > 0)
        rc = AD_CTL_EXIT_THRESHOLD;
    else if (rc == 0 && !ad_threshold_gates_errors(r->thresholds, r->nthresholds))
        rc = runs_exit(runs, r->n);
    free((void *)th.res);
    for (size_t i = 0; i < r->n; i++)
        free(r->runs[i]);
    free(r->runs);
    ad_target_free(&r->target);
    return rc;
}

int ad_cmd_main(int argc, char **argv, ad_ctl_command_t cmd, size_t opts_size,
                int (*parse)(int argc, char **argv, void *opts, char *err, size_t errlen), int (*execute)(void *opts))
{
    void *o = malloc(opts_size);
    char err[512] = "";
    if (o == NULL) {
        ad_cmd_error("%s", _("out of memory"));
        return AD_CTL_EXIT_SOFTWARE;
    }
    int rc = ad_cmd_parse_outcome(parse(argc, argv, o, err, sizeof(err)), cmd, err);
    if (rc < 0)
        rc = execute(o);
    free(o);
    return rc;
}
