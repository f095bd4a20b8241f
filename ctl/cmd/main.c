/*
 * asyncdemoctl: the command line of asyncdemo. main() sets up what every subcommand shares - signals,
 * libcurl, the open-file limit, logging, READY=1 under systemd - and dispatches.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "cmd_common.h"
#include "commands.h"
#include "engine.h"
#include "i18n.h"
#include "log.h"
#include "notify.h"
#include "version.h"

/* The first SIGINT/SIGTERM stops the run (the report of what finished still prints); a second one
 * kills as usual (SA_RESETHAND). */
static void on_stop_signal(int sig)
{
    ad_engine_request_stop();
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESETHAND; /* no SA_RESTART: blocking waits return EINTR and notice the stop */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int dispatch(ad_ctl_command_t cmd, int argc, char **argv)
{
    switch (cmd) {
    case AD_CMD_BENCH:
        return ad_cmd_bench(argc, argv);
    case AD_CMD_COMPARE:
        return ad_cmd_compare(argc, argv);
    case AD_CMD_STATS:
        return ad_cmd_stats(argc, argv);
    case AD_CMD_DEMO:
        return ad_cmd_demo(argc, argv);
    case AD_CMD_REPORT:
        return ad_cmd_report(argc, argv);
    case AD_CMD_HELP:
    case AD_CMD_NONE:
        break;
    }
    return AD_CTL_EXIT_SOFTWARE;
}

/* `asyncdemoctl help [COMMAND]`. */
static int help(int argc, char **argv)
{
    ad_ctl_command_t cmd = argc > 1 ? ad_ctl_command_from_name(argv[1]) : AD_CMD_NONE;
    if (argc > 1 && cmd == AD_CMD_NONE)
        return ad_cmd_usage_error(AD_CMD_NONE, _("help: unknown command '%.64s'"), argv[1]);
    fputs(ad_ctl_usage(cmd), stdout);
    return AD_CTL_EXIT_OK;
}

int main(int argc, char **argv)
{
    ad_i18n_init();
    if (argc < 2)
        return ad_cmd_usage_error(AD_CMD_NONE, _("no command given (bench, compare, stats, demo, report or help)"));
    const char *word = argv[1];
    if (strcmp(word, "-h") == 0 || strcmp(word, "--help") == 0) {
        fputs(ad_ctl_usage(AD_CMD_NONE), stdout);
        return AD_CTL_EXIT_OK;
    }
    if (strcmp(word, "-V") == 0 || strcmp(word, "--version") == 0) {
        printf("asyncdemoctl %s\n", AD_VERSION);
        return AD_CTL_EXIT_OK;
    }
    ad_ctl_command_t cmd = ad_ctl_command_from_name(word);
    if (cmd == AD_CMD_HELP)
        return help(argc - 1, argv + 1);
    if (cmd == AD_CMD_NONE)
        return ad_cmd_usage_error(AD_CMD_NONE, _("unknown command '%.64s'"), word);

    install_signals();
    ad_log_init("asyncdemoctl", LOG_INFO, AD_LOG_AUTO);
    char err[256];
    if (ad_engine_global_init(err, sizeof(err)) != 0) {
        ad_cmd_error("%s", err);
        return AD_CTL_EXIT_SOFTWARE;
    }
    ad_notify_ready(NULL);
    int rc = dispatch(cmd, argc - 1, argv + 1);
    ad_engine_global_cleanup();
    fflush(stdout);
    return rc;
}
