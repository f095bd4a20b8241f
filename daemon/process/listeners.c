/* Binding --listen addresses, or taking systemd's sockets (see listeners.h). */
#include "listeners.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

void ad_sockaddr_format(const struct sockaddr *sa, char *buf, size_t size)
{
    char host[INET6_ADDRSTRLEN];
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
        snprintf(buf, size, "%s:%u", host, ntohs(in->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        snprintf(buf, size, "[%s]:%u", host, ntohs(in6->sin6_port));
    } else {
        snprintf(buf, size, "(family %d)", sa->sa_family);
    }
}

static void name_bound(int fd, char *buf, size_t size)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
        ad_sockaddr_format((struct sockaddr *)&ss, buf, size);
    else
        snprintf(buf, size, "fd %d", fd);
}

/*
 * The receive buffer of every connection, set on the listening socket (accepted ones inherit it): h2o reads
 * a connection until the kernel has nothing more, so the kernel's autotuned buffer (up to tcp_rmem's
 * maximum, 32 MiB on some machines) is what one read can take into the daemon's memory, ahead of the
 * max-body check on a chunked body. 256 KiB (the kernel doubles it) keeps loopback uploads at memory speed.
 */
#define RECEIVE_BUFFER_BYTES (256 * 1024)

static int bound_receive_buffer(int fd)
{
    int bytes = RECEIVE_BUFFER_BYTES;
    return setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
}

static int bind_one(const ad_listen_addr_t *a, char *err, size_t errlen)
{
    int family = a->addr.ss_family, one = 1;
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto error;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
        goto error;
    /* [::]:P and 0.0.0.0:P may both be given: keep IPv6 sockets IPv6-only. */
    if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0)
        goto error;
    if (bound_receive_buffer(fd) != 0)
        goto error;
    if (bind(fd, (const struct sockaddr *)&a->addr, a->addrlen) != 0 || listen(fd, SOMAXCONN) != 0)
        goto error;
    return fd;
error:
    snprintf(err, errlen, "cannot listen on %s: %s", a->text, strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}

static int take_activated(ad_listeners_t *ls, const ad_config_t *cfg, int n, char **fd_names, char *err, size_t errlen)
{
    if (n > AD_MAX_LISTEN) {
        snprintf(err, errlen, "systemd passed %d sockets; at most %d are supported", n, AD_MAX_LISTEN);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        int fd = SD_LISTEN_FDS_START + i;
        if (sd_is_socket_inet(fd, AF_UNSPEC, SOCK_STREAM, 1, 0) <= 0) {
            snprintf(err, errlen, "socket %d passed by systemd is not a listening TCP socket", fd);
            return -1;
        }
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        if (bound_receive_buffer(fd) != 0) {
            snprintf(err, errlen, "socket %d passed by systemd: SO_RCVBUF: %s", fd, strerror(errno));
            return -1;
        }
        ls->fds[ls->n] = fd;
        name_bound(fd, ls->names[ls->n], sizeof(ls->names[0]));
        int c = ad_config_listen_for_socket(cfg, fd_names != NULL ? fd_names[i] : NULL, ls->names[ls->n], err, errlen);
        if (c < -1)
            return -1;
        ls->conf_index[ls->n] = c;
        ls->n++;
    }
    ls->activated = true;
    return 0;
}

int ad_listeners_open(ad_listeners_t *ls, const ad_config_t *cfg, char *err, size_t errlen)
{
    memset(ls, 0, sizeof(*ls));
    /* unset_environment=1: threads started later must not inherit LISTEN_FDS. The names (FileDescriptorName=)
     * tell TLS sockets from cleartext ones. */
    char **fd_names = NULL;
    int n = sd_listen_fds_with_names(1, &fd_names);
    if (n < 0) {
        snprintf(err, errlen, "sd_listen_fds: %s", strerror(-n));
        return -1;
    }
    if (n > 0) {
        int r = take_activated(ls, cfg, n, fd_names, err, errlen);
        for (int i = 0; fd_names != NULL && i < n; i++)
            free(fd_names[i]);
        free(fd_names);
        return r;
    }
    for (size_t i = 0; i < cfg->nlisten; i++) {
        int fd = bind_one(&cfg->listen[i], err, errlen);
        if (fd < 0) {
            ad_listeners_close(ls);
            return -1;
        }
        ls->fds[ls->n] = fd;
        name_bound(fd, ls->names[ls->n], sizeof(ls->names[0]));
        ls->conf_index[ls->n] = (int)i;
        ls->n++;
    }
    return 0;
}

void ad_listeners_close(ad_listeners_t *ls)
{
    for (size_t i = 0; i < ls->n; i++)
        close(ls->fds[i]);
    ls->n = 0;
}

void ad_listeners_describe(const ad_listeners_t *ls, char *buf, size_t size)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < ls->n && off < size; i++)
        off += (size_t)snprintf(buf + off, size - off, "%s%s", i ? "," : "", ls->names[i]);
}
