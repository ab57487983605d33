/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The provider's syscalls: negative-errno returns, every fd non-blocking and close-on-exec,
 * MSG_NOSIGNAL on every send. Runs on the socket's owner loop; nothing here blocks. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wsk/lx.h"

int owsk_wsk_sys_socket(unsigned win_family, unsigned type, unsigned protocol)
{
    int family = owsk_wsk_family_to_lx(win_family);
    int fd, one = 1;

    if (family < 0)
        return family;
    if (type != OWSK_WIN_SOCK_STREAM && type != OWSK_WIN_SOCK_DGRAM && type != OWSK_WIN_SOCK_RAW)
        return -ESOCKTNOSUPPORT;
    /* SOCK_STREAM/DGRAM/RAW have the same numbers on both sides. */
    fd = socket(family, (int)type | SOCK_NONBLOCK | SOCK_CLOEXEC, (int)protocol);
    if (fd < 0)
        return -errno;
    /* Windows defaults IPV6_V6ONLY to 1 (the reason the echo sample clears it); Linux takes
     * its default from net.ipv6.bindv6only, so apply the Windows one explicitly. */
    if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) {
        int err = errno;

        close(fd);
        return -err;
    }
    return fd;
}

int owsk_wsk_sys_bind(int fd, const struct owsk_lx_addr *addr)
{
    if (bind(fd, (const struct sockaddr *)addr->u.bytes, addr->len) < 0)
        return -errno;
    return 0;
}

int owsk_wsk_sys_listen(int fd)
{
    if (listen(fd, SOMAXCONN) < 0)
        return -errno;
    return 0;
}

int owsk_wsk_sys_accept(int fd, struct owsk_lx_addr *ret_peer)
{
    struct owsk_lx_addr peer;
    socklen_t len = sizeof(peer.u);
    int nfd;

    memset(&peer, 0, sizeof(peer));
    nfd = accept4(fd, (struct sockaddr *)peer.u.bytes, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (nfd < 0)
        return -errno;
    peer.len = len;
    if (ret_peer)
        *ret_peer = peer;
    return nfd;
}

int owsk_wsk_sys_connect(int fd, const struct owsk_lx_addr *addr)
{
    if (connect(fd, (const struct sockaddr *)addr->u.bytes, addr->len) < 0)
        return -errno;
    return 0;
}

int owsk_wsk_sys_connect_result(int fd)
{
    int err = 0;
    socklen_t len = sizeof(err);

    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return -errno;
    return -err;
}

ssize_t owsk_wsk_sys_sendv(int fd, const struct iovec *iov, int count)
{
    struct msghdr msg;
    ssize_t n;

    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = (struct iovec *)iov;
    msg.msg_iovlen = (size_t)count;
    n = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0)
        return -errno;
    return n;
}

ssize_t owsk_wsk_sys_recvv(int fd, const struct iovec *iov, int count)
{
    struct msghdr msg;
    ssize_t n;

    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = (struct iovec *)iov;
    msg.msg_iovlen = (size_t)count;
    n = recvmsg(fd, &msg, MSG_DONTWAIT);
    if (n < 0)
        return -errno;
    return n;
}

int owsk_wsk_sys_peek(int fd)
{
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

    if (n < 0)
        return -errno;
    return n > 0;
}

int owsk_wsk_sys_shutdown_wr(int fd)
{
    if (shutdown(fd, SHUT_WR) < 0)
        return -errno;
    return 0;
}

int owsk_wsk_sys_abort(int fd)
{
    struct sockaddr sa;

    /* connect() with AF_UNSPEC makes the kernel run tcp_disconnect(), which sends RST for a
     * synchronized connection and keeps the fd usable for close bookkeeping. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_family = AF_UNSPEC;
    if (connect(fd, &sa, sizeof(sa)) < 0)
        return -errno;
    return 0;
}

int owsk_wsk_sys_linger_reset(int fd)
{
    struct linger l = {.l_onoff = 1, .l_linger = 0};

    if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)) < 0)
        return -errno;
    return 0;
}

void owsk_wsk_sys_close(int fd)
{
    if (fd >= 0)
        close(fd);
}

int owsk_wsk_sys_local_addr(int fd, struct owsk_lx_addr *ret_addr)
{
    struct owsk_lx_addr a;
    socklen_t len = sizeof(a.u);

    memset(&a, 0, sizeof(a));
    if (getsockname(fd, (struct sockaddr *)a.u.bytes, &len) < 0)
        return -errno;
    a.len = len;
    *ret_addr = a;
    return 0;
}

int owsk_wsk_sys_peer_addr(int fd, struct owsk_lx_addr *ret_addr)
{
    struct owsk_lx_addr a;
    socklen_t len = sizeof(a.u);

    memset(&a, 0, sizeof(a));
    if (getpeername(fd, (struct sockaddr *)a.u.bytes, &len) < 0)
        return -errno;
    a.len = len;
    *ret_addr = a;
    return 0;
}

int owsk_wsk_sys_rx_queued(int fd)
{
    int n = 0;

    if (ioctl(fd, FIONREAD, &n) < 0)
        return -errno;
    return n;
}

ssize_t owsk_wsk_sys_ideal_backlog(int fd)
{
    struct tcp_info ti;
    socklen_t len = sizeof(ti);
    int sndbuf = 0;
    socklen_t slen = sizeof(sndbuf);
    size_t isb;

    memset(&ti, 0, sizeof(ti));
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
        return -errno;
    if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &slen) < 0)
        return -errno;
    /* The bytes in flight that keep the pipe full: congestion window times segment size. */
    isb = (size_t)ti.tcpi_snd_cwnd * (ti.tcpi_snd_mss ? ti.tcpi_snd_mss : 536);
    if (sndbuf > 0 && isb > (size_t)sndbuf)
        isb = (size_t)sndbuf;
    return (ssize_t)isb;
}

void owsk_wsk_sys_push(int fd)
{
    int on = 0, one = 1, zero = 0;
    socklen_t len = sizeof(on);

    if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len) == 0 && !on) {
        /* Setting TCP_NODELAY makes the kernel push queued segments at once. */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &zero, sizeof(zero));
    }
}
