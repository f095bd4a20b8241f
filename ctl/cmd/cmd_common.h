#ifndef AD_CTL_CMD_COMMON_H
#define AD_CTL_CMD_COMMON_H
/*
 * What the subcommands share around the engines: the usage error path, where output goes (terminal
 * width, colour, --output), the target check, and a set of runs from the first to the exit status.
 */
#include <stdbool.h>
#include <stdio.h>
#include <curl/curl.h>
#include <jansson.h>
#include "options.h"
#include "report.h"
#include "results.h"
#include "target.h"
#include "timeline.h"

/* Parser result -> exit status: the usage error for err (exit 64) or the help (exit 0); -1 to go on. */
int ad_cmd_parse_outcome(int parsed, ad_ctl_command_t cmd, const char *err);
/* A usage error: "asyncdemoctl: <reason>" and "Try 'asyncdemoctl [COMMAND] --help' for more information."
 * on stderr (COMMAND left out for AD_CMD_NONE / AD_CMD_HELP). Returns AD_CTL_EXIT_USAGE. */
int ad_cmd_usage_error(ad_ctl_command_t cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A subcommand from argv to exit status: its options (opts_size bytes, on the heap: some are large) set
 * by parse, then run by execute unless the parse ended it (help, a usage error).
 */
int ad_cmd_main(int argc, char **argv, ad_ctl_command_t cmd, size_t opts_size,
                int (*parse)(int argc, char **argv, void *opts, char *err, size_t errlen), int (*execute)(void *opts));
/* Defines the subcommand's entry point `int fn(int argc, char **argv)` through ad_cmd_main, from its typed
 * parser (ad_ctl_parse_*) and its run (int run_fn(opts_t *)). */
#define AD_CMD_ENTRY(fn, cmd, opts_t, parse_fn, run_fn)                                                                \
    static int fn##_parse(int argc, char **argv, void *o, char *err, size_t errlen)                                    \
    {                                                                                                                  \
        return parse_fn(argc, argv, (opts_t *)o, err, errlen);                                                         \
    }                                                                                                                  \
    static int fn##_run(void *o)                                                                                       \
    {                                                                                                                  \
        return run_fn((opts_t *)o);                                                                                    \
    }                                                                                                                  \
    int fn(int argc, char **argv)                                                                                      \
    {                                                                                                                  \
        return ad_cmd_main(argc, argv, cmd, sizeof(opts_t), fn##_parse, fn##_run);                                     \
    }

/*
 * Where the report goes: stdout, or the --output file. The file itself is not touched until there is a
 * result: the report is written to a temporary file beside it, renamed over it whole at the end, and
 * removed instead when nothing was measured (a daemon that is down leaves an existing file as it was).
 * A path that exists and is not a regular file (/dev/stdout, a FIFO) is written directly.
 */
typedef struct ad_cmd_output {
    FILE *out;
    bool is_file;
    bool tty; /* out is a terminal (for width and colour) */
    char path[AD_CTL_PATH_MAX];
    char tmp[AD_CTL_PATH_MAX + 16]; /* the temporary file while writing, "" when writing directly */
} ad_cmd_output_t;

/* Opens --output (path "" or "-" = stdout). Returns 0, or -1 after printing why. */
int ad_cmd_output_open(ad_cmd_output_t *o, const char *path);
/* Flushes and closes; keep: a result was written, so it replaces the file (else the file is left as it
 * was). Returns 0, or -1 after printing a write error. */
int ad_cmd_output_close(ad_cmd_output_t *o, bool keep);

/* Colour for this output: always, never, or auto (a terminal, $NO_COLOR unset, $TERM not "dumb"). */
bool ad_cmd_use_color(ad_color_mode_t mode, const ad_cmd_output_t *o);
/* The terminal's width in columns when out is one, else 80. */
int ad_cmd_width(const ad_cmd_output_t *o);

/* Checks the target accepts connections and keeps its address. Returns 0 (t filled; free with
 * ad_target_free), or an exit status after printing the one-line reason. */
int ad_cmd_check_target(const ad_url_t *u, const ad_tls_verify_t *tls, int64_t timeout_ns, ad_target_t *t);
/* The exit status of a target's state (target.h's ad_target_classify), the same in every subcommand:
 * OK 0, UNREACHABLE 2, FAILED 70. */
int ad_cmd_target_exit(ad_target_status_t st);

/*
 * A run set (bench's endpoints, compare's modes) from start to exit status: the output opened and the
 * target checked first, each finished run's section printed as it comes, then the end: the JSON document
 * or the closing summary, the journal entries (under systemd or --journal), the final STATUS=.
 */
typedef struct ad_cmd_runs {
    const char *command; /* "bench", "compare" */
    int64_t started_wall_ns;
    bool json, journal;
    ad_cmd_output_t dest;
    ad_report_style_t st;
    bool timeline; /* the text report ends with the timeline (not --no-timeline) */
    ad_timeline_style_t ts;
    ad_target_t target; /* the target's address, resolved once */
    ad_run_result_t **runs;
    size_t n;
    bool lesson; /* the text report ends with the lesson's conclusion (demo) */
    /* --fail-if: checked at the end (text report, JSON, journal, exit status AD_CTL_EXIT_THRESHOLD) */
    const ad_threshold_t *thresholds;
    size_t nthresholds;
    const char *html;    /* --html FILE: the page written at the end too; NULL = none */
    const char *heading; /* the spec's (shown on the page too) */
} ad_cmd_runs_t;

/* What ad_cmd_runs_begin needs: bench's and compare's shared options, and the run set's size. */
typedef struct ad_cmd_runs_spec {
    const char *command, *output, *heading; /* heading: printed first in the text report, or NULL */
    bool json, journal, ascii, timeline;
    ad_color_mode_t color;
    const ad_url_t *target;     /* probed first; NULL: none (report reads files) */
    const ad_tls_verify_t *tls; /* how an https:// target is checked */
    int64_t timeout_ns;
    size_t max_runs;
} ad_cmd_runs_spec_t;

/* The spec from bench's or compare's options, which name these fields alike. */
#define AD_CMD_RUNS_SPEC(o, command_, heading_, target_, max_runs_)                                                    \
    ((ad_cmd_runs_spec_t){.command = (command_),                                                                       \
                          .output = (o)->output,                                                                       \
                          .heading = (heading_),                                                                       \
                          .json = (o)->json,                                                                           \
                          .journal = (o)->journal,                                                                     \
                          .ascii = (o)->ascii,                                                                         \
                          .timeline = !(o)->no_timeline,                                                               \
                          .color = (o)->color,                                                                         \
                          .target = (target_),                                                                         \
                          .tls = &(o)->tls,                                                                            \
                          .timeout_ns = (o)->timeout_ns,                                                               \
                          .max_runs = (max_runs_)})

/* 0, or an exit status after printing why (nothing is left to free then). */
int ad_cmd_runs_begin(ad_cmd_runs_t *r, const ad_cmd_runs_spec_t *spec);
/* Keeps a finished run (freed by ad_cmd_runs_end) and prints its section (text). */
void ad_cmd_runs_add(ad_cmd_runs_t *r, ad_run_result_t *run);
/*
 * After the last run, whatever stopped it (rc: 0, or the exit status of a failure so far): options (the
 * JSON document's, taken over) or, in the text report, summary(r) and the timeline; then the thresholds.
 * Frees everything; returns the exit status: rc, else 130 after SIGINT/SIGTERM, else 3 when a threshold was
 * broken, else 1 when any request failed (unless a threshold on errors decides that), else 0.
 */
int ad_cmd_runs_end(ad_cmd_runs_t *r, int rc, json_t *options, void (*summary)(const ad_cmd_runs_t *r));

/* Prints "asyncdemoctl: <message>" on stderr. */
void ad_cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
