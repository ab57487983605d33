/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Linux-side probes (see lxprobe.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lxprobe.h"

int lxp_want_hops(int fd, int v6)
{
    int one = 1;

    if (v6)
        return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)) < 0 ? -errno : 0;
    return setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)) < 0 ? -errno : 0;
}

ssize_t lxp_recv_hops(int fd, void *buf, size_t cap, int timeout_ms, int *ret_hops)
{
    struct pollfd p = {fd, POLLIN, 0};
    union {
        char b[256];
        struct cmsghdr h;
    } ctl;
    struct iovec iov = {buf, cap};
    struct msghdr m;
    struct cmsghdr *c;
    ssize_t k;

    *ret_hops = -1;
    if (poll(&p, 1, timeout_ms) <= 0)
        return -ETIMEDOUT;
    memset(&m, 0, sizeof(m));
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl.b;
    m.msg_controllen = sizeof(ctl.b);
    k = recvmsg(fd, &m, MSG_DONTWAIT);
    if (k < 0)
        return -errno;
    for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if ((c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) ||
            (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL))
            memcpy(ret_hops, CMSG_DATA(c), sizeof(int));
    }
    return k;
}

int lxp_find_listener(int port)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int found = -1;

    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL && found < 0) {
        int fd = atoi(e->d_name), on = 0, type = 0;
        socklen_t len = sizeof(on);
        struct sockaddr_storage ss;

        if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd == dirfd(d))
            continue;
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) < 0 || !on)
            continue;
        len = sizeof(type);
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM)
            continue;
        len = sizeof(ss);
        if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
            continue;
        if ((ss.ss_family == AF_INET && ntohs(((struct sockaddr_in *)&ss)->sin_port) == port) ||
            (ss.ss_family == AF_INET6 && ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) == port))
            found = fd;
    }
    closedir(d);
    return found;
}

int lxp_shutdown(int fd)
{
    return shutdown(fd, SHUT_RDWR) < 0 ? -errno : 0;
}

int lxp_tcp_socket(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    return fd < 0 ? -errno : fd;
}

int lxp_connect4(int fd, int port)
{
    struct sockaddr_in a;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ? -errno : 0;
}

int lxp_lowest_free_fd(void)
{
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

    if (fd >= 0)
        close(fd);
    return fd;
}
