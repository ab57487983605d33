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

#endif
