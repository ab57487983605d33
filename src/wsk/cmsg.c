/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Control messages between the Windows CMSGHDR layout (ws2def.h: IP_PKTINFO/IPV6_PKTINFO are
 * type 19 carrying IN_PKTINFO {addr, ifindex} / IN6_PKTINFO) and Linux's (IP_PKTINFO 8 with
 * {ifindex, spec_dst, addr}, IPV6_PKTINFO 50). Only packet info is translated; other
 * records are refused on send and dropped on receive. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "wsk/dgram_lx.h"

/* Windows: SIZE_T cmsg_len; int level; int type; data 8-aligned (the same header as Linux on
 * x86-64, but the numbers and payloads differ). */
#define WIN_HDR 16u
#define WIN_ALIGN(n) (((n) + 7u) & ~(size_t)7u)
#define WIN_IN_PKTINFO 8u   /* IN_ADDR ipi_addr; ULONG ipi_ifindex */
#define WIN_IN6_PKTINFO 20u /* IN6_ADDR ipi6_addr; ULONG ipi6_ifindex */

struct win_hdr {
    uint64_t len;
    int32_t level, type;
};

_Static_assert(sizeof(struct win_hdr) == WIN_HDR, "Windows CMSGHDR");
_Static_assert(sizeof(struct in6_pktinfo) == WIN_IN6_PKTINFO, "IN6_PKTINFO layout");

/* Calls fn for each well-formed record; -EINVAL at the first malformed one. */
static int walk(const void *win_ctl, size_t len,
                int (*fn)(const struct win_hdr *h, const unsigned char *data, void *ctx),
                void *ctx)
{
    size_t off = 0;

    while (off + WIN_HDR <= len) {
        struct win_hdr h;
        int e;

        memcpy(&h, (const unsigned char *)win_ctl + off, sizeof(h));
        if (h.len < WIN_HDR || h.len > len - off)
            return -EINVAL;
        e = fn(&h, (const unsigned char *)win_ctl + off + WIN_HDR, ctx);
        if (e < 0)
            return e;
        off += WIN_ALIGN(h.len);
    }
    return off >= len ? 0 : -EINVAL; /* trailing bytes too short for a header */
}

static int check_one(const struct win_hdr *h, const unsigned char *data, void *ctx)
{
    if (h->level == OWSK_WIN_IPPROTO_IP && h->type == (int)OWSK_WIN_IP_PKTINFO &&
        h->len == WIN_HDR + WIN_IN_PKTINFO)
        return 0;
    if (h->level == OWSK_WIN_IPPROTO_IPV6 && h->type == (int)OWSK_WIN_IPV6_PKTINFO &&
        h->len == WIN_HDR + WIN_IN6_PKTINFO)
        return 0;
    return -EINVAL;
}

int owsk_cmsg_check_win(const void *win_ctl, size_t len)
{
    if (!len)
        return 0;
    if (!win_ctl)
        return -EINVAL;
    return walk(win_ctl, len, check_one, NULL);
}

struct to_lx {
    unsigned char *buf;
    size_t cap, used;
};

static int to_lx_one(const struct win_hdr *h, const unsigned char *data, void *ctx)
{
    struct to_lx *t = ctx;
    struct cmsghdr *c;

    if (h->level == OWSK_WIN_IPPROTO_IP) {
        struct in_pktinfo pi;
        uint32_t ifindex;

        if (t->used + CMSG_SPACE(sizeof(pi)) > t->cap)
            return -EINVAL;
        memset(&pi, 0, sizeof(pi));
        memcpy(&pi.ipi_spec_dst, data, 4); /* the source address to send from */
        memcpy(&ifindex, data + 4, 4);
        pi.ipi_ifindex = (int)ifindex;
        c = (struct cmsghdr *)(void *)(t->buf + t->used);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(pi));
        memcpy(CMSG_DATA(c), &pi, sizeof(pi));
        t->used += CMSG_SPACE(sizeof(pi));
    } else {
        if (t->used + CMSG_SPACE(WIN_IN6_PKTINFO) > t->cap)
            return -EINVAL;
        c = (struct cmsghdr *)(void *)(t->buf + t->used);
        c->cmsg_level = IPPROTO_IPV6;
        c->cmsg_type = IPV6_PKTINFO;
        c->cmsg_len = CMSG_LEN(WIN_IN6_PKTINFO);
        memcpy(CMSG_DATA(c), data, WIN_IN6_PKTINFO); /* same layout on both sides */
        t->used += CMSG_SPACE(WIN_IN6_PKTINFO);
    }
    return 0;
}

int owsk_cmsg_win_to_lx(const void *win_ctl, size_t len, void *lx_ctl, size_t lx_cap)
{
    struct to_lx t = {lx_ctl, lx_cap, 0};
    int e;

    if (owsk_cmsg_check_win(win_ctl, len) < 0)
        return -EINVAL;
    if (!len)
        return 0;
    memset(lx_ctl, 0, lx_cap);
    e = walk(win_ctl, len, to_lx_one, &t);
    return e < 0 ? e : (int)t.used;
}

/* Appends one Windows record; false (and MSG_CTRUNC) when it does not fit. */
static bool put_win(unsigned char *win, size_t cap, size_t *used, int level, int type,
                    const void *data, size_t dlen)
{
    struct win_hdr h;

    if (*used + WIN_HDR + dlen > cap)
        return false;
    h.len = WIN_HDR + dlen;
    h.level = level;
    h.type = type;
    memcpy(win + *used, &h, sizeof(h));
    memcpy(win + *used + WIN_HDR, data, dlen);
    *used += WIN_ALIGN(WIN_HDR + dlen);
    if (*used > cap)
        *used = cap; /* the last record's padding may run past a tight buffer */
    return true;
}

static uint32_t v4_dest_flags(const struct in_addr *a)
{
    uint32_t h = ntohl(a->s_addr);

    if ((h & 0xf0000000u) == 0xe0000000u)
        return OWSK_WIN_MSG_MCAST;
    /* Only the limited broadcast is recognisable without the interface's netmask. */
    if (h == 0xffffffffu)
        return OWSK_WIN_MSG_BCAST;
    return 0;
}

size_t owsk_cmsg_lx_to_win(const void *lx_ctl, size_t lx_len, bool want_v4, bool want_v6,
                           void *win_ctl, size_t win_cap, uint32_t *inout_flags)
{
    struct msghdr mh;
    struct cmsghdr *c;
    size_t used = 0;

    memset(&mh, 0, sizeof(mh));
    mh.msg_control = (void *)lx_ctl;
    mh.msg_controllen = lx_len;
    for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
            c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
            struct in_pktinfo pi;
            unsigned char w[WIN_IN6_PKTINFO];
            uint32_t ifindex;

            memcpy(&pi, CMSG_DATA(c), sizeof(pi));
            *inout_flags |= v4_dest_flags(&pi.ipi_addr);
            ifindex = (uint32_t)pi.ipi_ifindex;
            if (want_v4) {
                memcpy(w, &pi.ipi_addr, 4);
                memcpy(w + 4, &ifindex, 4);
                if (!put_win(win_ctl, win_cap, &used, OWSK_WIN_IPPROTO_IP, OWSK_WIN_IP_PKTINFO,
                             w, WIN_IN_PKTINFO))
                    *inout_flags |= OWSK_WIN_MSG_CTRUNC;
            } else if (want_v6) {
                /* An IPv4 datagram on a dual-mode socket: report its v4-mapped form. */
                memset(w, 0, 16);
                w[10] = w[11] = 0xff;
                memcpy(w + 12, &pi.ipi_addr, 4);
                memcpy(w + 16, &ifindex, 4);
                if (!put_win(win_ctl, win_cap, &used, OWSK_WIN_IPPROTO_IPV6,
                             OWSK_WIN_IPV6_PKTINFO, w, WIN_IN6_PKTINFO))
                    *inout_flags |= OWSK_WIN_MSG_CTRUNC;
            }
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
                   c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
            struct in6_pktinfo pi;

            memcpy(&pi, CMSG_DATA(c), sizeof(pi));
            if (pi.ipi6_addr.s6_addr[0] == 0xff)
                *inout_flags |= OWSK_WIN_MSG_MCAST;
            if (want_v6 && !put_win(win_ctl, win_cap, &used, OWSK_WIN_IPPROTO_IPV6,
                                    OWSK_WIN_IPV6_PKTINFO, &pi, WIN_IN6_PKTINFO))
                *inout_flags |= OWSK_WIN_MSG_CTRUNC;
        }
    }
    return used;
}
