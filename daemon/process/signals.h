#ifndef AD_SIGNALS_H
#define AD_SIGNALS_H
/*
 * Signals as events: SIGTERM, SIGINT and SIGHUP are blocked in every thread and read from a signalfd
 * on loop 0; SIGPIPE is ignored (h2o writes with plain writev/sendmsg). What a signal does is the
 * caller's: it comes back through the callbacks, so this module knows nothing above it.
 */
#include <h2o.h>

typedef struct ad_signals {
    int fd;
    h2o_socket_t *sock;
    void (*on_stop)(void *data);   /* SIGTERM, SIGINT */
    void (*on_reload)(void *data); /* SIGHUP */
    void *data;
} ad_signals_t;

/* Call on the main thread before any other thread starts (they inherit the mask). 0 or -1 + errno. */
int ad_signals_block(void);
/* Registers the signalfd on loop; sig's callbacks are set. 0 or -1 + errno. */
int ad_signals_start(ad_signals_t *sig, h2o_evloop_t *loop);

#endif
