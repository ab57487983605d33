/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Linux-facing half of the WSK provider: syscalls with negative-errno returns, SOCKADDR
 * translation (addr.c) and option translation (sockopt.c). Includes neither the WDK headers
 * nor <sys/socket.h>, so both halves can use it: their numbers would clash (AF_INET6 is 23
 * on Windows, 10 on Linux). The OWSK_WIN_* values are checked against ws2def.h in socket.c. */
#ifndef OWSK_WSK_LX_H
#define OWSK_WSK_LX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* Windows numbers the Linux-facing files need (values: ws2def.h / ws2ipdef.h). */
#define OWSK_WIN_AF_UNSPEC 0
#define OWSK_WIN_AF_INET 2
#define OWSK_WIN_AF_INET6 23
#define OWSK_WIN_SOCK_STREAM 1
#define OWSK_WIN_SOCK_DGRAM 2
#define OWSK_WIN_SOCK_RAW 3
#define OWSK_WIN_SOL_SOCKET 0xffffu
#define OWSK_WIN_IPPROTO_IP 0u
#define OWSK_WIN_IPPROTO_TCP 6u
#define OWSK_WIN_IPPROTO_UDP 17u
#define OWSK_WIN_IPPROTO_IPV6 41u
#define OWSK_WIN_SO_REUSEADDR 0x0004u
#define OWSK_WIN_SO_KEEPALIVE 0x0008u
#define OWSK_WIN_SO_BROADCAST 0x0020u
#define OWSK_WIN_SO_LINGER 0x0080u
#define OWSK_WIN_SO_DONTLINGER (~0x0080u)
#define OWSK_WIN_SO_EXCLUSIVEADDRUSE (~0x0004u)
#define OWSK_WIN_SO_SNDBUF 0x1001u
#define OWSK_WIN_SO_RCVBUF 0x1002u
#define OWSK_WIN_SO_ERROR 0x1007u
#define OWSK_WIN_SO_TYPE 0x1008u
#define OWSK_WIN_IP_TTL 4u
#define OWSK_WIN_IPV6_UNICAST_HOPS 4u
#define OWSK_WIN_IPV6_V6ONLY 27u
#define OWSK_WIN_TCP_NODELAY 1u
#define OWSK_WIN_TCP_KEEPALIVE 3u
#define OWSK_WIN_TCP_KEEPCNT 16u
#define OWSK_WIN_TCP_KEEPINTVL 17u

/* A Linux socket address (a struct sockaddr_storage in disguise). */
struct owsk_lx_addr {
    uint32_t len; /* 0 = none */
    union {
        unsigned char bytes[128];
        uint64_t align_;
    } u;
};

/* ---- addr.c: the only SOCKADDR translation ---- */

/* Bytes a Windows SOCKADDR of this Windows family occupies (16, 28), 0 if unsupported. */
size_t owsk_wsk_addr_win_len(unsigned win_family);
/* Windows SOCKADDR (family 2 or 23) -> Linux. For an AF_INET6 socket (want_v6) an AF_INET
 * address is turned into its v4-mapped IPv6 form. Returns 0, -EAFNOSUPPORT, -EINVAL. */
int owsk_wsk_addr_from_win(const void *win_sa, bool want_v6, struct owsk_lx_addr *ret_addr);
/* Linux -> Windows SOCKADDR written at win_sa (owsk_wsk_addr_win_len bytes of the family;
 * v4-mapped addresses stay in SOCKADDR_IN6 form, as Windows dual-mode sockets report them).
 * Returns the bytes written or a negative errno. */
int owsk_wsk_addr_to_win(const struct owsk_lx_addr *addr, void *win_sa);
/* Windows family of a Linux address (2, 23; 0 if none). */
unsigned owsk_wsk_addr_win_family(const struct owsk_lx_addr *addr);
/* "127.0.0.1:40007", "[::1]:40007" or "-". */
void owsk_wsk_addr_format(const struct owsk_lx_addr *addr, char *buf, size_t size);
/* Wildcard address (port 0) of a Windows family. Returns 0 or -EAFNOSUPPORT. */
int owsk_wsk_addr_any(unsigned win_family, struct owsk_lx_addr *ret_addr);
/* Windows socket family -> Linux; negative errno if unsupported. */
int owsk_wsk_family_to_lx(unsigned win_family);

/* ---- sys.c: syscalls, every fd non-blocking and close-on-exec, no SIGPIPE ---- */

/* fd or negative errno. Windows family/type/protocol numbers. v6 sockets get the Windows
 * default IPV6_V6ONLY = 1 explicitly. */
int owsk_wsk_sys_socket(unsigned win_family, unsigned type, unsigned protocol);
int owsk_wsk_sys_bind(int fd, const struct owsk_lx_addr *addr);
int owsk_wsk_sys_listen(int fd);
/* New fd or negative errno (-EAGAIN when nothing is queued). */
int owsk_wsk_sys_accept(int fd, struct owsk_lx_addr *ret_peer);
/* 0, -EINPROGRESS or another negative errno. */
int owsk_wsk_sys_connect(int fd, const struct owsk_lx_addr *addr);
/* The result of a finished non-blocking connect: 0 or negative errno. */
int owsk_wsk_sys_connect_result(int fd);
/* Bytes sent (MSG_NOSIGNAL|MSG_DONTWAIT) or negative errno. */
ssize_t owsk_wsk_sys_sendv(int fd, const struct iovec *iov, int count);
/* Bytes received, 0 at end of stream, or negative errno (-EAGAIN when nothing is there). */
ssize_t owsk_wsk_sys_recvv(int fd, const struct iovec *iov, int count);
/* 1 if data is waiting, 0 at end of stream, or negative errno (-EAGAIN: nothing yet). */
int owsk_wsk_sys_peek(int fd);
int owsk_wsk_sys_shutdown_wr(int fd);
/* Resets the connection (RST) and keeps the fd: connect(AF_UNSPEC) runs tcp_disconnect. */
int owsk_wsk_sys_abort(int fd);
/* Arms SO_LINGER {1, 0} so that close() sends RST instead of FIN. */
int owsk_wsk_sys_linger_reset(int fd);
void owsk_wsk_sys_close(int fd);
int owsk_wsk_sys_local_addr(int fd, struct owsk_lx_addr *ret_addr);
int owsk_wsk_sys_peer_addr(int fd, struct owsk_lx_addr *ret_addr);
/* Bytes waiting in the receive queue, or negative errno. */
int owsk_wsk_sys_rx_queued(int fd);
/* Ideal send backlog estimate (cwnd * mss clamped to SO_SNDBUF), or negative errno. */
ssize_t owsk_wsk_sys_ideal_backlog(int fd);
/* Pushes data held back by Nagle (a brief TCP_NODELAY toggle) unless nodelay is already on. */
void owsk_wsk_sys_push(int fd);

/* ---- sockopt.c: Windows level/option numbers and payloads -> Linux ---- */

/* Set (set = true) or get a Windows-numbered option. For get, *inout_len is the buffer size
 * on entry and the bytes written on success. Returns 0, -ENOPROTOOPT (unknown option),
 * -EFAULT (buffer too small) or the kernel's negative errno. Options that are provider
 * bookkeeping (SO_WSK_*, SO_CONDITIONAL_ACCEPT, SO_EXCLUSIVEADDRUSE) are not handled here. */
int owsk_wsk_sockopt(int fd, bool set, uint32_t level, uint32_t name, void *buf, size_t *inout_len);

#endif
