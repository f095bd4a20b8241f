#ifndef AD_SIGNALS_H
#define AD_SIGNALS_H
/*
 * Signals as events: SIGTERM, SIGINT and SIGHUP are blocked in every thread and read from a signalfd
 * on loop 0; SIGPIPE is ignored (h2o writes with plain writev/sendmsg).
 */
#include <h2o.h>

struct ad_server;

typedef struct ad_signals {
    int fd;
    h2o_socket_t *sock;
    struct ad_server *server;
} ad_signals_t;

/* Call on the main thread before any other thread starts (they inherit the mask). 0 or -1 + errno. */
int ad_signals_block(void);
/* Registers the signalfd on loop; SIGTERM/SIGINT stop the server, SIGHUP reloads it. 0 or -1 + errno. */
int ad_signals_start(ad_signals_t *sig, h2o_evloop_t *loop, struct ad_server *server);

#endif
