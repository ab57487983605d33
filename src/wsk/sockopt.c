/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Windows socket option levels, numbers and payloads translated to Linux setsockopt/
 * getsockopt. The WSK-only options (SO_WSK_*, SO_CONDITIONAL_ACCEPT, SO_EXCLUSIVEADDRUSE)
 * are provider bookkeeping and live in control.c; anything not in the table is refused. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "wsk/dgram_lx.h"
#include "wsk/lx.h"

enum payload {
    P_INT,    /* ULONG on Windows, int on Linux */
    P_BUFSZ,  /* SO_RCVBUF/SO_SNDBUF: Linux doubles what is set; report the requested size */
    P_LINGER, /* Windows LINGER {USHORT onoff, USHORT linger} vs Linux {int, int} */
    P_DONTLINGER,
    P_GETONLY,
    P_MREQ, /* set only: Windows IP_MREQ / IPV6_MREQ have Linux's ip_mreq / ipv6_mreq layout */
};

struct opt {
    uint32_t win_level, win_name;
    int lx_level, lx_name;
    enum payload payload;
};

static const struct opt opts[] = {
    {OWSK_WIN_SOL_SOCKET, OWSK_WIN_SO_REUSEADDR, SOL_SOCKET, SO_REUSEADDR, P_INT},
    {OWSK_WIN_SOL_SOCKET, OWSK_WIN_SO_KEEPALIVE, SOL_SOCKET, SO_KEEPALIVE, P_INT},
    {OWSK_WIN_SOL_SOCKET, OWSK_WIN_SO_BROADCAST, SOL_SOCKET, SO_BROADCAST, P_INT},
    {OWSK_WIN_SOL_SOCKET, OWSK_WIN_SO_LINGER, SOL_SOCKET, SO_LINGER, P_LINGER},
    {OWSK_WIN_SOL_SOCKET, OWSK_WIN_SO_DONTLINGER, SOL_SOCKET, SO_LINGER, P_DONTLINGER},
    {OWSK_WIN_SOL_SOCKET, OWSK_WIN_SO_SNDBUF, SOL_SOCKET, SO_SNDBUF, P_BUFSZ},
    {OWSK_WIN_SOL_SOCKET, OWSK_WIN_SO_RCVBUF, SOL_SOCKET, SO_RCVBUF, P_BUFSZ},
    {OWSK_WIN_SOL_SOCKET, OWSK_WIN_SO_TYPE, SOL_SOCKET, SO_TYPE, P_GETONLY},
    {OWSK_WIN_IPPROTO_IP, OWSK_WIN_IP_TTL, IPPROTO_IP, IP_TTL, P_INT},
    {OWSK_WIN_IPPROTO_IPV6, OWSK_WIN_IPV6_V6ONLY, IPPROTO_IPV6, IPV6_V6ONLY, P_INT},
    {OWSK_WIN_IPPROTO_IPV6, OWSK_WIN_IPV6_UNICAST_HOPS, IPPROTO_IPV6, IPV6_UNICAST_HOPS, P_INT},
    /* datagram sockets */
    {OWSK_WIN_IPPROTO_IP, OWSK_WIN_IP_MULTICAST_IF, IPPROTO_IP, IP_MULTICAST_IF, P_INT},
    {OWSK_WIN_IPPROTO_IP, OWSK_WIN_IP_MULTICAST_TTL, IPPROTO_IP, IP_MULTICAST_TTL, P_INT},
    {OWSK_WIN_IPPROTO_IP, OWSK_WIN_IP_MULTICAST_LOOP, IPPROTO_IP, IP_MULTICAST_LOOP, P_INT},
    {OWSK_WIN_IPPROTO_IP, OWSK_WIN_IP_ADD_MEMBERSHIP, IPPROTO_IP, IP_ADD_MEMBERSHIP, P_MREQ},
    {OWSK_WIN_IPPROTO_IP, OWSK_WIN_IP_DROP_MEMBERSHIP, IPPROTO_IP, IP_DROP_MEMBERSHIP, P_MREQ},
    {OWSK_WIN_IPPROTO_IPV6, OWSK_WIN_IPV6_MULTICAST_IF, IPPROTO_IPV6, IPV6_MULTICAST_IF, P_INT},
    {OWSK_WIN_IPPROTO_IPV6, OWSK_WIN_IPV6_MULTICAST_HOPS, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, P_INT},
    {OWSK_WIN_IPPROTO_IPV6, OWSK_WIN_IPV6_MULTICAST_LOOP, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, P_INT},
    {OWSK_WIN_IPPROTO_IPV6, OWSK_WIN_IPV6_ADD_MEMBERSHIP, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP,
     P_MREQ},
    {OWSK_WIN_IPPROTO_IPV6, OWSK_WIN_IPV6_DROP_MEMBERSHIP, IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP,
     P_MREQ},
    {OWSK_WIN_IPPROTO_TCP, OWSK_WIN_TCP_NODELAY, IPPROTO_TCP, TCP_NODELAY, P_INT},
    {OWSK_WIN_IPPROTO_TCP, OWSK_WIN_TCP_KEEPALIVE, IPPROTO_TCP, TCP_KEEPIDLE, P_INT},
    {OWSK_WIN_IPPROTO_TCP, OWSK_WIN_TCP_KEEPCNT, IPPROTO_TCP, TCP_KEEPCNT, P_INT},
    {OWSK_WIN_IPPROTO_TCP, OWSK_WIN_TCP_KEEPINTVL, IPPROTO_TCP, TCP_KEEPINTVL, P_INT},
};

static const struct opt *find(uint32_t level, uint32_t name)
{
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
        if (opts[i].win_level == level && opts[i].win_name == name)
            return &opts[i];
    return NULL;
}

static int set_opt(int fd, const struct opt *o, const void *buf, size_t len)
{
    int v;
    struct linger l;

    switch (o->payload) {
    case P_INT:
    case P_BUFSZ:
        if (!buf || len < sizeof(uint32_t))
            return -EFAULT;
        memcpy(&v, buf, sizeof(v));
        if (setsockopt(fd, o->lx_level, o->lx_name, &v, sizeof(v)) < 0)
            return -errno;
        return 0;
    case P_LINGER: {
        uint16_t w[2];

        if (!buf || len < sizeof(w))
            return -EFAULT;
        memcpy(w, buf, sizeof(w));
        l.l_onoff = w[0] != 0;
        l.l_linger = w[1];
        break;
    }
    case P_MREQ: {
        size_t need = o->lx_level == IPPROTO_IP ? sizeof(struct ip_mreq) : sizeof(struct ipv6_mreq);

        if (!buf || len < need)
            return -EFAULT;
        if (setsockopt(fd, o->lx_level, o->lx_name, buf, (socklen_t)need) < 0)
            return -errno;
        return 0;
    }
    case P_DONTLINGER:
        if (!buf || len < sizeof(uint32_t))
            return -EFAULT;
        memcpy(&v, buf, sizeof(v));
        l.l_onoff = v == 0; /* SO_DONTLINGER = 0 turns lingering on with the stored timeout */
        l.l_linger = 0;
        break;
    default:
        return -ENOPROTOOPT;
    }
    if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)) < 0)
        return -errno;
    return 0;
}

static int get_opt(int fd, const struct opt *o, void *buf, size_t *inout_len)
{
    socklen_t slen;
    int v = 0;
    uint32_t out;
    struct linger l;

    if (o->payload == P_LINGER || o->payload == P_DONTLINGER) {
        slen = sizeof(l);
        if (getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &slen) < 0)
            return -errno;
        if (o->payload == P_LINGER) {
            uint16_t w[2] = {(uint16_t)(l.l_onoff != 0), (uint16_t)l.l_linger};

            if (!buf || *inout_len < sizeof(w))
                return -EFAULT;
            memcpy(buf, w, sizeof(w));
            *inout_len = sizeof(w);
            return 0;
        }
        out = l.l_onoff == 0;
    } else {
        slen = sizeof(v);
        if (getsockopt(fd, o->lx_level, o->lx_name, &v, &slen) < 0)
            return -errno;
        out = (uint32_t)v;
        if (o->payload == P_BUFSZ)
            out = (uint32_t)v / 2; /* the kernel reports twice the requested size */
    }
    if (!buf || *inout_len < sizeof(out))
        return -EFAULT;
    memcpy(buf, &out, sizeof(out));
    *inout_len = sizeof(out);
    return 0;
}

int owsk_wsk_sockopt(int fd, bool set, uint32_t level, uint32_t name, void *buf, size_t *inout_len)
{
    const struct opt *o = find(level, name);

    if (!o)
        return -ENOPROTOOPT;
    if (set) {
        if (o->payload == P_GETONLY)
            return -ENOPROTOOPT;
        return set_opt(fd, o, buf, *inout_len);
    }
    if (o->payload == P_MREQ)
        return -ENOPROTOOPT; /* membership is set, not read */
    return get_opt(fd, o, buf, inout_len);
}
