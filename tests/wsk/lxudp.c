/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Plain Linux UDP peers (see lxudp.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lxudp.h"

static socklen_t loop_addr(int v6, int port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        a->sin6_addr = in6addr_loopback;
        return sizeof(*a);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;

        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return sizeof(*a);
    }
}

static int port_of(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
    return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

int lxu_socket(int v6, int *ret_port)
{
    struct sockaddr_storage ss;
    socklen_t len = loop_addr(v6, 0, &ss);
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -errno;
    if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
        int e = errno;

        close(fd);
        return -e;
    }
    len = sizeof(ss);
    getsockname(fd, (struct sockaddr *)&ss, &len);
    if (ret_port)
        *ret_port = port_of(&ss);
    return fd;
}

ssize_t lxu_sendto(int fd, int v6, int port, const void *buf, size_t len)
{
    struct sockaddr_storage ss;
    socklen_t sl = loop_addr(v6, port, &ss);
    ssize_t k = sendto(fd, buf, len, MSG_NOSIGNAL, (struct sockaddr *)&ss, sl);

    return k < 0 ? -errno : k;
}

ssize_t lxu_sendto4(int fd, const char *ip, int port, const void *buf, size_t len)
{
    struct sockaddr_in a;
    ssize_t k;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    k = sendto(fd, buf, len, MSG_NOSIGNAL, (struct sockaddr *)&a, sizeof(a));
    return k < 0 ? -errno : k;
}

ssize_t lxu_recv(int fd, void *buf, size_t cap, int timeout_ms, int *ret_port)
{
    struct pollfd p = {fd, POLLIN, 0};
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    ssize_t k;
    int r = poll(&p, 1, timeout_ms);

    if (r < 0)
        return -errno;
    if (r == 0)
        return -ETIMEDOUT;
    k = recvfrom(fd, buf, cap, MSG_TRUNC | MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
    if (k < 0)
        return -errno;
    if (ret_port)
        *ret_port = port_of(&ss);
    return k;
}

int lxu_mcast_loopback(int fd)
{
    struct in_addr lo;
    int one = 1;

    lo.s_addr = htonl(INADDR_LOOPBACK);
    if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof(lo)) < 0 ||
        setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &one, sizeof(one)) < 0)
        return -errno;
    return 0;
}

void lxu_set_bufs(int fd, int bytes)
{
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
}

void lxu_close(int fd)
{
    if (fd >= 0)
        close(fd);
}
