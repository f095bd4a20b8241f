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
int ad_cmd_report(int argc, char **argv);

/* The same with options already made (demo builds them): run, report, return the exit status.
 * heading: printed above the report (text output only), or NULL. bench resolves o->threads 0 (auto);
 * lesson: end the text report with the lesson's conclusion (ad_report_lesson), as demo does. */
int ad_bench_execute(ad_bench_opts_t *o, const char *heading, bool lesson);
int ad_compare_execute(const ad_compare_opts_t *o, const char *heading);

/* The text report's end before the timeline (ad_cmd_runs_end's summary), which report reuses for the
 * documents it merges: bench's ratios between endpoints; compare's ranking of the modes. */
struct ad_cmd_runs;
void ad_bench_report_end(const struct ad_cmd_runs *r);
void ad_compare_report_end(const struct ad_cmd_runs *r);

#endif
