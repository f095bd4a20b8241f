#ifndef AD_SOCKADDR_H
#define AD_SOCKADDR_H
/* A socket address from a numeric IP and a port, for the daemon's --listen and the CLI's probed target. */
#include <stdint.h>
#include <sys/socket.h>

/* Fills *ss and *len from ip (numeric, of family AF_INET or AF_INET6) and port. 0, or -1 when ip is not a
 * numeric address of that family. */
int ad_sockaddr_set(struct sockaddr_storage *ss, socklen_t *len, int family, const char *ip, uint16_t port);

#endif
