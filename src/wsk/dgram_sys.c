/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Datagram syscalls for the WSK provider: one datagram per recvmsg (MSG_TRUNC reported),
 * sendmsg and sendmmsg with translated control data, connect/disconnect for a fixed remote
 * address. Non-blocking, negative-errno returns; runs on the socket's owner loop. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "wsk/dgram_lx.h"

#define LX_CTL 256 /* room for IP_PKTINFO and IPV6_PKTINFO records */
#define MAX_MSGS 64

int owsk_dgram_sys_recv(int fd, const struct iovec *iov, int count, bool pktinfo_v4,
                        bool pktinfo_v6, void *win_ctl, size_t win_ctl_cap,
                        struct owsk_dgram_rx *ret_rx)
{
    union {
        unsigned char b[LX_CTL];
        struct cmsghdr align_;
    } ctl;
    struct msghdr mh;
    struct owsk_dgram_rx rx;
    ssize_t k;

    memset(&mh, 0, sizeof(mh));
    memset(&rx, 0, sizeof(rx));
    mh.msg_name = rx.from.u.bytes;
    mh.msg_namelen = sizeof(rx.from.u.bytes);
    mh.msg_iov = (struct iovec *)iov;
    mh.msg_iovlen = (size_t)count;
    mh.msg_control = ctl.b;
    mh.msg_controllen = sizeof(ctl.b);
    /* MSG_TRUNC makes the kernel return the datagram's real length. */
    k = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
    if (k < 0)
        return -errno;
    rx.from.len = mh.msg_namelen;
    rx.full_len = (size_t)k;
    rx.len = 0;
    for (int i = 0; i < count; i++)
        rx.len += iov[i].iov_len;
    if (rx.len > rx.full_len)
        rx.len = rx.full_len;
    if (mh.msg_flags & MSG_TRUNC)
        rx.win_flags |= OWSK_WIN_MSG_TRUNC;
    if (mh.msg_flags & MSG_CTRUNC)
        rx.win_flags |= OWSK_WIN_MSG_CTRUNC;
    rx.ctl_len = owsk_cmsg_lx_to_win(ctl.b, mh.msg_controllen, pktinfo_v4, pktinfo_v6,
                                     win_ctl, win_ctl ? win_ctl_cap : 0, &rx.win_flags);
    *ret_rx = rx;
    return 0;
}

static void fill_msg(struct msghdr *mh, const struct iovec *iov, int count,
                     const struct owsk_lx_addr *to, void *lx_ctl, int lx_len)
{
    memset(mh, 0, sizeof(*mh));
    if (to && to->len) {
        mh->msg_name = (void *)to->u.bytes;
        mh->msg_namelen = to->len;
    }
    mh->msg_iov = (struct iovec *)iov;
    mh->msg_iovlen = (size_t)count;
    if (lx_len > 0) {
        mh->msg_control = lx_ctl;
        mh->msg_controllen = (size_t)lx_len;
    }
}

ssize_t owsk_dgram_sys_send(int fd, const struct iovec *iov, int count,
                            const struct owsk_lx_addr *to, const void *win_ctl,
                            size_t win_ctl_len)
{
    union {
        unsigned char b[LX_CTL];
        struct cmsghdr align_;
    } ctl;
    struct msghdr mh;
    int lx_len = owsk_cmsg_win_to_lx(win_ctl, win_ctl_len, ctl.b, sizeof(ctl.b));
    ssize_t k;

    if (lx_len < 0)
        return lx_len;
    fill_msg(&mh, iov, count, to, ctl.b, lx_len);
    k = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
    return k < 0 ? -errno : k;
}

int owsk_dgram_sys_sendmm(int fd, const struct iovec *iov, const int *first, int count,
                          const struct owsk_lx_addr *to, const void *win_ctl,
                          size_t win_ctl_len, size_t *ret_bytes)
{
    union {
        unsigned char b[LX_CTL];
        struct cmsghdr align_;
    } ctl;
    struct mmsghdr mm[MAX_MSGS];
    int lx_len = owsk_cmsg_win_to_lx(win_ctl, win_ctl_len, ctl.b, sizeof(ctl.b));
    int n, sent;
    size_t bytes = 0;

    if (lx_len < 0)
        return lx_len;
    n = count < MAX_MSGS ? count : MAX_MSGS;
    memset(mm, 0, sizeof(mm[0]) * (size_t)n);
    for (int i = 0; i < n; i++)
        fill_msg(&mm[i].msg_hdr, iov + first[i], first[i + 1] - first[i], to, ctl.b, lx_len);
    sent = sendmmsg(fd, mm, (unsigned)n, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent < 0)
        return -errno;
    for (int i = 0; i < sent; i++)
        bytes += mm[i].msg_len;
    *ret_bytes = bytes;
    return sent;
}

int owsk_dgram_sys_connect(int fd, const struct owsk_lx_addr *addr)
{
    struct sockaddr sa;

    if (addr && addr->len) {
        if (connect(fd, (const struct sockaddr *)addr->u.bytes, addr->len) < 0)
            return -errno;
        return 0;
    }
    /* AF_UNSPEC dissolves a UDP association (connect(2)). */
    memset(&sa, 0, sizeof(sa));
    sa.sa_family = AF_UNSPEC;
    if (connect(fd, &sa, sizeof(sa)) < 0 && errno != EAFNOSUPPORT)
        return -errno;
    return 0;
}

int owsk_dgram_sys_enable_pktinfo(int fd, bool v6)
{
    int one = 1;

    if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0 && !v6)
        return -errno;
    if (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0)
        return -errno;
    return 0;
}
