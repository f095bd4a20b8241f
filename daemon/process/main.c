/* asyncdemod: what blocking an event loop costs, served over HTTP (see docs/http-api.md). */
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "config.h"
#include "i18n.h"
#include "log.h"
#include "server.h"
#include "version.h"

#define EXIT_USAGE 64

int main(int argc, char **argv)
{
    ad_config_t cfg;
    ad_cli_action_t action;
    char err[1024];

    /* Started by a person at a terminal: --help, usage and configuration errors in their language. Under
     * systemd (no terminal) and once running, everything stays English: it goes to the journal. */
    bool interactive = isatty(STDOUT_FILENO) || isatty(STDERR_FILENO);
    if (interactive)
        ad_i18n_init();
    ad_config_defaults(&cfg);
    if (ad_cli_parse(argc, argv, &cfg, &action, err, sizeof(err)) != 0 ||
        (action == AD_CLI_RUN && ad_config_validate(&cfg, err, sizeof(err)) != 0)) {
        fprintf(stderr, "asyncdemod: %s\n", err);
        fprintf(stderr, _("Try '%s' for more information.\n"), "asyncdemod --help");
        return EXIT_USAGE;
    }
    if (action == AD_CLI_HELP) {
        fputs(ad_cli_usage(), stdout);
        return 0;
    }
    if (action == AD_CLI_VERSION) {
        printf("asyncdemod %s\n", AD_VERSION);
        return 0;
    }
    if (interactive)
        setlocale(LC_ALL, "C"); /* the C locale's messages are the English ones */
    ad_log_init("asyncdemod", cfg.log_level, AD_LOG_AUTO);
    int rc = ad_server_run(&cfg, argc, argv);
    return rc == 0 ? 0 : rc == AD_SERVER_BAD_CONFIG ? EXIT_USAGE : 1;
}
