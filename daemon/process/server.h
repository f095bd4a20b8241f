#ifndef AD_SERVER_H
#define AD_SERVER_H
/*
 * The daemon process, at the top of its layers: one h2o globalconf, N loop threads (loop 0 on the main
 * thread) each set up with its own loop state (loop.h), the offload pool, the listeners, and the
 * start-up, drain, reload and exit orchestration. Signals reach it through callbacks (signals.h).
 */
#include "loop.h"

/* ad_server_run's result when a file the configuration names cannot serve (a TLS certificate or key): the
 * configuration is wrong, so main exits 64 like any configuration error (systemd does not restart on it). */
#define AD_SERVER_BAD_CONFIG (-2)

/* Runs the daemon until it has stopped. 0 after a clean stop, -1 after a start-up or runtime failure,
 * AD_SERVER_BAD_CONFIG for an unusable TLS file (all logged). */
int ad_server_run(const ad_config_t *cfg, int argc, char **argv);

/* Loop 0 only: SIGTERM/SIGINT (a second one stops at once). */
void ad_server_request_stop(ad_server_t *s);
/* The reloadable settings (loop.h) from cfg: at start, and on SIGHUP. */
void ad_live_settings_apply(ad_live_settings_t *live, const ad_config_t *cfg);
/* Loop 0 only: SIGHUP. */
void ad_server_reload(ad_server_t *s);

#endif
