/*
 * The kernel's floor under /drip's CPU figure (bench/README.md, "Drip"): what one 1-byte writev to a
 * TCP_NODELAY loopback socket costs the writing process, without h2o, timers or HTTP. A child process
 * connects 1,000 sockets and reads them all through epoll (as h2load does); the parent writes one byte to
 * each, 100 rounds 10 ms apart, and reports its own CPU time (getrusage) per write. On loopback the
 * receiving side's TCP work (softirq) runs in the writer's system call, so it is counted here too, as it
 * is in the daemon's figure.
 *
 *     cc -O2 -o /tmp/loopback_floor bench/drip/loopback_floor.c && /tmp/loopback_floor
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SOCKETS 1000
#define ROUNDS 100

static double cpu_us(void)
{
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e6 + r.ru_utime.tv_usec + r.ru_stime.tv_usec;
}

static void reader(const struct sockaddr_in *addr)
{
    int ep = epoll_create1(0);
    for (int i = 0; i < SOCKETS; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) != 0)
            _exit(1);
        struct epoll_event e = {.events = EPOLLIN, .data.fd = fd};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
    }
    long got = 0;
    while (got < (long)SOCKETS * ROUNDS) {
        struct epoll_event ev[256];
        int n = epoll_wait(ep, ev, 256, 10000);
        if (n <= 0)
            _exit(1);
        for (int i = 0; i < n; i++) {
            char buf[64];
            ssize_t r = read(ev[i].data.fd, buf, sizeof(buf));
            if (r > 0)
                got += r;
        }
    }
    _exit(0);
}

int main(void)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, len) != 0 || listen(lfd, 4096) != 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &len) != 0) {
        perror("listen");
        return 2;
    }
    pid_t child = fork();
    if (child == 0)
        reader(&addr);
    int fds[SOCKETS];
    for (int i = 0; i < SOCKETS; i++) {
        int one = 1;
        if ((fds[i] = accept(lfd, NULL, NULL)) < 0) {
            perror("accept");
            return 2;
        }
        setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    double t0 = cpu_us();
    for (int k = 0; k < ROUNDS; k++) {
        for (int i = 0; i < SOCKETS; i++) {
            struct iovec v = {"*", 1};
            if (writev(fds[i], &v, 1) != 1) {
                perror("writev");
                return 2;
            }
        }
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    double us = cpu_us() - t0;
    int status;
    waitpid(child, &status, 0);
    printf("%d one-byte writevs: writer CPU %.3f s, %.2f us per write (reader %s)\n", SOCKETS * ROUNDS, us / 1e6,
           us / (SOCKETS * ROUNDS), WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "got every byte" : "FAILED");
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
