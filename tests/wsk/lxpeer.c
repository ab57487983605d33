/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Plain Linux TCP peers for the WSK conformance tests (see lxpeer.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lxpeer.h"

static socklen_t fill(int v6, int port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        a->sin6_addr = in6addr_loopback;
        return sizeof(*a);
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;

    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sizeof(*a);
}

static int port_of_fd(int fd, int peer)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&ss, &len) < 0)
        return -1;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int lx_local_port(int fd)
{
    return port_of_fd(fd, 0);
}

int lx_peer_port(int fd)
{
    return port_of_fd(fd, 1);
}

int lx_listen(int v6, int *ret_port)
{
    struct sockaddr_storage ss;
    socklen_t len = fill(v6, 0, &ss);
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 1024) < 0) {
        close(fd);
        return -1;
    }
    *ret_port = lx_local_port(fd);
    return fd;
}

int lx_listen_full(int *ret_port)
{
    struct sockaddr_storage ss;
    socklen_t len = fill(0, 0, &ss);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 0) < 0) {
        close(fd);
        return -1;
    }
    *ret_port = lx_local_port(fd);
    return fd;
}

int lx_accept(int lfd, int timeout_ms)
{
    struct pollfd p = {lfd, POLLIN, 0};

    if (poll(&p, 1, timeout_ms) <= 0)
        return -1;
    return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}

int lx_connect(int v6, int port)
{
    struct sockaddr_storage ss;
    socklen_t len = fill(v6, port, &ss);
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
        int e = errno;

        close(fd);
        return -e;
    }
    return fd;
}

int lx_unused_port(void)
{
    int port = 0, fd = lx_listen(0, &port);

    if (fd >= 0)
        close(fd);
    return port;
}

int lx_send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

ssize_t lx_recv_all(int fd, void *buf, size_t len, int timeout_ms)
{
    char *p = buf;
    size_t got = 0;

    while (got < len) {
        struct pollfd pf = {fd, POLLIN, 0};
        ssize_t n;

        if (poll(&pf, 1, timeout_ms) <= 0)
            return got ? (ssize_t)got : -ETIMEDOUT;
        n = recv(fd, p + got, len - got, 0);
        if (n < 0)
            return -errno;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

int lx_wait_close(int fd, int timeout_ms)
{
    struct pollfd pf = {fd, POLLIN, 0};
    char c[4096];
    ssize_t n;
    int data = 0;

    for (;;) {
        if (poll(&pf, 1, timeout_ms) <= 0)
            return -ETIMEDOUT;
        n = recv(fd, c, sizeof(c), 0);
        if (n == 0)
            return data;
        if (n < 0)
            return -errno;
        data = 1;
    }
}

void lx_close_rst(int fd)
{
    struct linger l = {1, 0};

    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    close(fd);
}

void lx_close(int fd)
{
    close(fd);
}

void lx_shutdown_wr(int fd)
{
    shutdown(fd, SHUT_WR);
}

void lx_set_rcvbuf(int fd, int bytes)
{
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
}

long lx_raise_nofile(long n)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return -1;
    if ((long)rl.rlim_cur < n) {
        rl.rlim_cur = (rlim_t)n < rl.rlim_max ? (rlim_t)n : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return (long)rl.rlim_cur;
}

int lx_port_of(const void *win_sockaddr)
{
    uint16_t p;

    memcpy(&p, (const char *)win_sockaddr + 2, sizeof(p));
    return ntohs(p);
}

int lx_is_v4mapped_loopback(const void *win_sockaddr_in6)
{
    static const unsigned char want[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};

    return memcmp((const char *)win_sockaddr_in6 + 8, want, 16) == 0;
}
