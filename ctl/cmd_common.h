#ifndef AD_CTL_CMD_COMMON_H
#define AD_CTL_CMD_COMMON_H
/*
 * What the subcommands share around the engines: the usage error path, where output goes (terminal
 * width, colour, --output), the target check, the JSON document, the journal entries and the final
 * STATUS=, and the exit status of a set of runs.
 */
#include <stdbool.h>
#include <stdio.h>
#include <curl/curl.h>
#include <jansson.h>
#include "options.h"
#include "report.h"
#include "results.h"
#include "timeline.h"

/* Parser result -> exit status: prints err and the usage (exit 64) or the help (exit 0); -1 to go on. */
int ad_cmd_parse_outcome(int parsed, ad_ctl_command_t cmd, const char *err);

/* Where the report goes: stdout, or the --output file (opened for writing). */
typedef struct ad_cmd_output {
    FILE *out;
    bool is_file;
    bool tty; /* out is a terminal (for width and colour) */
    char path[AD_CTL_PATH_MAX];
} ad_cmd_output_t;

/* Opens --output (path "" = stdout). Returns 0, or -1 after printing why. */
int ad_cmd_output_open(ad_cmd_output_t *o, const char *path);
/* Flushes and closes; returns 0, or -1 after printing a write error. */
int ad_cmd_output_close(ad_cmd_output_t *o);

/* Colour for this output: always, never, or auto (a terminal, $NO_COLOR unset, $TERM not "dumb"). */
bool ad_cmd_use_color(ad_color_mode_t mode, const ad_cmd_output_t *o);
/* The terminal's width in columns when out is one, else 80. */
int ad_cmd_width(const ad_cmd_output_t *o);
void ad_cmd_report_style(ad_report_style_t *st, const ad_cmd_output_t *o, ad_color_mode_t color, bool ascii);
void ad_cmd_timeline_style(ad_timeline_style_t *st, const ad_cmd_output_t *o, ad_color_mode_t color, bool ascii);

/* Checks the target accepts connections and pins its address. Returns 0 (resolve set; free with
 * curl_slist_free_all), or an exit status after printing the one-line reason. */
int ad_cmd_check_target(const ad_url_t *u, int64_t timeout_ns, struct curl_slist **resolve);

/* Whether results go to the journal: under systemd, or --journal. Sets the log target accordingly. */
bool ad_cmd_journal_setup(bool forced);
/* One journal entry per run (AD_MSGID_BENCH_RESULT / AD_MSGID_COMPARE_RESULT, report_fields.h fields). */
void ad_cmd_journal_runs(const char *command, const ad_run_result_t *const *runs, size_t n);
/* The final STATUS= summary (under systemd). */
void ad_cmd_notify_summary(const char *command, const ad_run_result_t *const *runs, size_t n);

/* The --json document of runs into out. Returns 0, or -1 after printing why. */
int ad_cmd_write_json(FILE *out, const char *command, json_t *options, int64_t started_wall_ns,
                      ad_run_result_t *const *runs, size_t n);

/* 1 when any request of any run failed, else 0. */
int ad_cmd_runs_exit(const ad_run_result_t *const *runs, size_t n);

/* Prints "asyncdemoctl: <message>" on stderr. */
void ad_cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
