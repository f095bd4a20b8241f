#ifndef AD_CTL_COMMANDS_H
#define AD_CTL_COMMANDS_H
/*
 * asyncdemoctl's subcommands. Each takes its arguments (argv[0] is the subcommand's name), does its
 * own I/O and returns the process exit status (options.h's AD_CTL_EXIT_*).
 */
#include <stdbool.h>
#include "options.h"

int ad_cmd_bench(int argc, char **argv);
int ad_cmd_compare(int argc, char **argv);
int ad_cmd_stats(int argc, char **argv);
int ad_cmd_demo(int argc, char **argv);

/* The same with options already made (demo builds them): run, report, return the exit status.
 * heading: printed above the report (text output only), or NULL. bench resolves o->threads 0 (auto);
 * lesson: end the text report with the lesson's conclusion (ad_report_lesson), as demo does. */
int ad_bench_execute(ad_bench_opts_t *o, const char *heading, bool lesson);
int ad_compare_execute(const ad_compare_opts_t *o, const char *heading);

#endif
