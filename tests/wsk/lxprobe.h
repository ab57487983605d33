/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Linux-side probes for the WSK conformance tests that look at what a WSK socket did on the
 * wire or inject a transport failure: the hop limit / TTL a datagram arrived with, and the
 * provider's own listening descriptor (found by port) to shut it down. Plain C types only. */
#ifndef OWSK_TESTS_LXPROBE_H
#define OWSK_TESTS_LXPROBE_H

#include <stddef.h>
#include <sys/types.h>

/* Asks the kernel to report the arrival hop limit (v6) or TTL (v4) of each datagram. */
int lxp_want_hops(int fd, int v6);
/* Receives one datagram within timeout_ms; its length or a negative errno; *ret_hops gets the
 * hop limit / TTL it arrived with (-1 if none reported). */
ssize_t lxp_recv_hops(int fd, void *buf, size_t cap, int timeout_ms, int *ret_hops);
/* The descriptor of this process's listening TCP socket on local port `port`, or -1. */
int lxp_find_listener(int port);
/* shutdown(SHUT_RDWR): the listener stops listening (accept then fails with EINVAL). */
int lxp_shutdown(int fd);

/* A TCP socket made now and connected later (to 127.0.0.1:port), so that connecting needs no
 * new descriptor; fd or negative errno. */
int lxp_tcp_socket(void);
int lxp_connect4(int fd, int port);
/* The lowest descriptor number not in use. */
int lxp_lowest_free_fd(void);

/* A private network namespace for this process's threads from now on, with lo up and a
 * local ff00::/8 route on lo so IPv6 multicast can be looped there (Linux turns a plain
 * multicast route via lo into a reject route). 0, or a negative errno and *why set. */
int lxp_private_netns_mc6(const char **why);
int lxp_lo_index(void);
/* 1 if /proc/net/igmp6 lists group (16 bytes) on interface ifname, 0 if not, -errno. */
int lxp_mc6_joined(const char *ifname, const unsigned char *group);
/* Sends one datagram to [group%ifindex]:port with IPV6_MULTICAST_IF and _LOOP set. */
ssize_t lxp_send_mc6(const unsigned char *group, int ifindex, int port, const void *buf,
                     size_t len);

#endif
