/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Linux-facing half of datagram sockets and name resolution: recvmsg/sendmsg/sendmmsg
 * with control messages translated to and from the Windows CMSGHDR layout (cmsg.c,
 * dgram_sys.c) and getaddrinfo/getnameinfo with Windows numbers (resolve_lx.c). Like lx.h it
 * includes neither the WDK headers nor <sys/socket.h>. */
#ifndef OWSK_WSK_DGRAM_LX_H
#define OWSK_WSK_DGRAM_LX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "wsk/lx.h"

/* Windows numbers (ws2def.h / ws2ipdef.h; checked against the headers in dgram.c). */
#define OWSK_WIN_IP_PKTINFO 19u
#define OWSK_WIN_IPV6_PKTINFO 19u
#define OWSK_WIN_MSG_TRUNC 0x0100u
#define OWSK_WIN_MSG_CTRUNC 0x0200u
#define OWSK_WIN_MSG_BCAST 0x0400u
#define OWSK_WIN_MSG_MCAST 0x0800u
#define OWSK_WIN_IP_MULTICAST_IF 9u
#define OWSK_WIN_IP_MULTICAST_TTL 10u
#define OWSK_WIN_IP_MULTICAST_LOOP 11u
#define OWSK_WIN_IP_ADD_MEMBERSHIP 12u
#define OWSK_WIN_IP_DROP_MEMBERSHIP 13u
#define OWSK_WIN_IPV6_MULTICAST_IF 9u
#define OWSK_WIN_IPV6_MULTICAST_HOPS 10u
#define OWSK_WIN_IPV6_MULTICAST_LOOP 11u
#define OWSK_WIN_IPV6_ADD_MEMBERSHIP 12u
#define OWSK_WIN_IPV6_DROP_MEMBERSHIP 13u

/* What one recvmsg produced, in Windows terms. */
struct owsk_dgram_rx {
    size_t len;               /* bytes copied into the buffer */
    size_t full_len;          /* the datagram's real size (> len when truncated) */
    struct owsk_lx_addr from; /* sender (Linux form) */
    uint32_t win_flags;       /* OWSK_WIN_MSG_* */
    size_t ctl_len;           /* Windows control bytes written */
};

/* Receives one datagram into iov (count may be 0 for a zero-length buffer). The control
 * data, when pktinfo_v4/v6 says the client asked for it, is written at win_ctl (win_ctl_cap
 * bytes, Windows CMSGHDR records); MSG_BCAST/MSG_MCAST come from the destination address.
 * Returns 0 or a negative errno (-EAGAIN when nothing is queued). */
int owsk_dgram_sys_recv(int fd, const struct iovec *iov, int count, bool pktinfo_v4,
                        bool pktinfo_v6, void *win_ctl, size_t win_ctl_cap,
                        struct owsk_dgram_rx *ret_rx);
/* Sends one datagram (to may be NULL on a connected socket). win_ctl holds Windows CMSGHDR
 * records (IP_PKTINFO / IPV6_PKTINFO only). Returns bytes sent or a negative errno. */
ssize_t owsk_dgram_sys_send(int fd, const struct iovec *iov, int count,
                            const struct owsk_lx_addr *to, const void *win_ctl,
                            size_t win_ctl_len);
/* Sends count datagrams, datagram i being iov[first[i] .. first[i+1]), with sendmmsg.
 * Returns the number of datagrams sent (>= 1) or a negative errno; *ret_bytes gets the
 * bytes of the datagrams sent. */
int owsk_dgram_sys_sendmm(int fd, const struct iovec *iov, const int *first, int count,
                          const struct owsk_lx_addr *to, const void *win_ctl,
                          size_t win_ctl_len, size_t *ret_bytes);
/* connect() for SIO_WSK_SET_REMOTE_ADDRESS; addr NULL dissolves the association. */
int owsk_dgram_sys_connect(int fd, const struct owsk_lx_addr *addr);
/* Turns on the kernel's packet-info control data (both families a socket can receive), so
 * that MSG_BCAST/MSG_MCAST can be derived even when the client did not ask for pktinfo. */
int owsk_dgram_sys_enable_pktinfo(int fd, bool v6);

/* ---- cmsg.c ---- */

/* Checks Windows control records handed to WskSendTo: only IP_PKTINFO (level IPPROTO_IP)
 * and IPV6_PKTINFO (level IPPROTO_IPV6) with their Windows payload sizes. 0 or -EINVAL. */
int owsk_cmsg_check_win(const void *win_ctl, size_t len);
/* Windows records -> Linux control buffer (lx_cap bytes). Returns bytes or -EINVAL. */
int owsk_cmsg_win_to_lx(const void *win_ctl, size_t len, void *lx_ctl, size_t lx_cap);
/* Linux control buffer (from recvmsg) -> Windows records. Returns the bytes written;
 * *inout_flags gets OWSK_WIN_MSG_CTRUNC when win_cap was too small, and BCAST/MCAST from the
 * destination address. */
size_t owsk_cmsg_lx_to_win(const void *lx_ctl, size_t lx_len, bool want_v4, bool want_v6,
                           void *win_ctl, size_t win_cap, uint32_t *inout_flags);

/* ---- resolve_lx.c ---- */

/* One getaddrinfo result in Windows numbers. */
struct owsk_rs_entry {
    int win_family;
    int socktype;
    int protocol;
    int win_flags;
    struct owsk_lx_addr addr;
};

/* getaddrinfo with Windows hints (flags AI_*, family 0/2/23). Blocking: resolver threads
 * only. node/service are UTF-8 or NULL. On success *ret_entries (malloc'd, *ret_count) and
 * *ret_canon (malloc'd UTF-8 or NULL). Returns 0 or an OWSK_RS_* error. */
enum { OWSK_RS_OK = 0, OWSK_RS_NOT_FOUND = -1, OWSK_RS_BAD_FAMILY = -2, OWSK_RS_NO_MEMORY = -3,
       OWSK_RS_BAD_FLAGS = -4, OWSK_RS_BAD_SOCKTYPE = -5, OWSK_RS_FAIL = -6 };
int owsk_rs_getaddrinfo(const char *node, const char *service, int win_flags, int win_family,
                        int socktype, int protocol, struct owsk_rs_entry **ret_entries,
                        size_t *ret_count, char **ret_canon);
/* getnameinfo with Windows NI_* flags; host/serv may be NULL. Returns 0 or OWSK_RS_*. */
int owsk_rs_getnameinfo(const struct owsk_lx_addr *addr, int win_flags, char *host,
                        size_t host_cap, char *serv, size_t serv_cap);

#endif
