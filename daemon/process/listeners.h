#ifndef AD_LISTENERS_H
#define AD_LISTENERS_H
/*
 * The listening sockets: the ones systemd passed (socket activation, each checked to be a listening
 * TCP socket) or, without them, one per --listen address (IPv4/IPv6, SO_REUSEADDR, listen(SOMAXCONN),
 * port 0 allowed). Opened on the main thread before any loop thread starts. A socket systemd passes is
 * served over TLS by its name (FileDescriptorName=tls) or, unnamed, when a listen entry of the config with
 * tls-cert has its address (ad_config_listen_for_socket).
 */
#include <stdbool.h>
#include <stddef.h>
#include "config.h"

typedef struct ad_listeners {
    int fds[AD_MAX_LISTEN];
    char names[AD_MAX_LISTEN][64]; /* the real bound address: "127.0.0.1:43210", "[::1]:8000" */
    /* the config's listen entry of each (its TLS settings): a socket from systemd has the one its name or
     * address picks (ad_config_listen_for_socket), -1 when none */
    int conf_index[AD_MAX_LISTEN];
    size_t n;
    bool activated; /* from systemd */
} ad_listeners_t;

/* 0, or -1 with a message in err ("cannot listen on 127.0.0.1:8000: Address already in use"). */
int ad_listeners_open(ad_listeners_t *ls, const ad_config_t *cfg, char *err, size_t errlen);
void ad_listeners_close(ad_listeners_t *ls);
/* "127.0.0.1:8000,[::1]:8000" into buf. */
void ad_listeners_describe(const ad_listeners_t *ls, char *buf, size_t size);
/* The text form of a socket address: "127.0.0.1:80", "[::1]:80". */
void ad_sockaddr_format(const struct sockaddr *sa, char *buf, size_t size);

#endif
