/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Linux-side probes (see lxprobe.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
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

int lxp_lo_index(void)
{
    return (int)if_nametoindex("lo");
}

/* RTM_NEWROUTE: local ff00::/8 dev lo table local. */
static int add_mc6_route(int ifindex)
{
    struct {
        struct nlmsghdr n;
        struct rtmsg r;
        char attrs[64];
    } req;
    struct rtattr *a;
    unsigned char dst[16] = {0xff};
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    struct {
        struct nlmsghdr n;
        struct nlmsgerr e;
    } ack;
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), e = 0;

    if (fd < 0)
        return -errno;
    memset(&req, 0, sizeof(req));
    req.n.nlmsg_len = NLMSG_LENGTH(sizeof(req.r));
    req.n.nlmsg_type = RTM_NEWROUTE;
    req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
    req.r.rtm_family = AF_INET6;
    req.r.rtm_dst_len = 8;
    req.r.rtm_table = RT_TABLE_LOCAL;
    req.r.rtm_protocol = RTPROT_BOOT;
    req.r.rtm_scope = RT_SCOPE_HOST;
    req.r.rtm_type = RTN_LOCAL;
    a = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.n.nlmsg_len));
    a->rta_type = RTA_DST;
    a->rta_len = RTA_LENGTH(sizeof(dst));
    memcpy(RTA_DATA(a), dst, sizeof(dst));
    req.n.nlmsg_len = NLMSG_ALIGN(req.n.nlmsg_len) + RTA_ALIGN(a->rta_len);
    a = (struct rtattr *)((char *)&req + req.n.nlmsg_len);
    a->rta_type = RTA_OIF;
    a->rta_len = RTA_LENGTH(sizeof(int));
    memcpy(RTA_DATA(a), &ifindex, sizeof(int));
    req.n.nlmsg_len += RTA_ALIGN(a->rta_len);
    if (sendto(fd, &req, req.n.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
        e = -errno;
    else if (recv(fd, &ack, sizeof(ack), 0) < (ssize_t)sizeof(ack))
        e = -EIO;
    else if (ack.n.nlmsg_type == NLMSG_ERROR)
        e = ack.e.error;
    close(fd);
    return e;
}

int lxp_private_netns_mc6(const char **why)
{
    struct ifreq ifr;
    int fd, e;

    if (unshare(CLONE_NEWNET) != 0) {
        *why = "unshare(CLONE_NEWNET) refused (not root, or no network namespaces here)";
        return -errno;
    }
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *why = "no socket in the new namespace";
        return -errno;
    }
    memset(&ifr, 0, sizeof(ifr));
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 ||
        (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)) {
        e = -errno;
        close(fd);
        *why = "cannot bring lo up in the new namespace";
        return e;
    }
    close(fd);
    e = add_mc6_route((int)if_nametoindex("lo"));
    if (e < 0)
        *why = "cannot add the local ff00::/8 route on lo (netlink)";
    return e;
}

int lxp_mc6_joined(const char *ifname, const unsigned char *group)
{
    FILE *f = fopen("/proc/net/igmp6", "r");
    char line[256], hex[33], name[32];
    int found = 0;

    if (!f)
        return -errno;
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", group[i]);
    while (fgets(line, sizeof(line), f)) {
        char g[64];
        int idx;

        if (sscanf(line, "%d %31s %63s", &idx, name, g) == 3 && strcmp(name, ifname) == 0 &&
            strcmp(g, hex) == 0)
            found = 1;
    }
    fclose(f);
    return found;
}

ssize_t lxp_send_mc6(const unsigned char *group, int ifindex, int port, const void *buf,
                     size_t len)
{
    struct sockaddr_in6 a;
    int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;
    ssize_t k;

    if (fd < 0)
        return -errno;
    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex));
    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin6_family = AF_INET6;
    a.sin6_port = htons((uint16_t)port);
    memcpy(&a.sin6_addr, group, 16);
    a.sin6_scope_id = (uint32_t)ifindex;
    k = sendto(fd, buf, len, 0, (struct sockaddr *)&a, sizeof(a));
    k = k < 0 ? -errno : k;
    close(fd);
    return k;
}
