/* asyncdemod: what blocking an event loop costs, served over HTTP (see docs/http-api.md). */
#include <stdio.h>

#include "config.h"
#include "log.h"
#include "server.h"
#include "version.h"

#define EXIT_USAGE 64

int main(int argc, char **argv)
{
    ad_config_t cfg;
    ad_cli_action_t action;
    char err[1024];

    ad_config_defaults(&cfg);
    if (ad_cli_parse(argc, argv, &cfg, &action, err, sizeof(err)) != 0 ||
        (action == AD_CLI_RUN && ad_config_validate(&cfg, err, sizeof(err)) != 0)) {
        fprintf(stderr, "asyncdemod: %s\nTry 'asyncdemod --help' for more information.\n", err);
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
    ad_log_init("asyncdemod", cfg.log_level, AD_LOG_AUTO);
    return ad_server_run(&cfg, argc, argv) == 0 ? 0 : 1;
}
