/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Plain Linux UDP peers for the datagram conformance tests and the udpecho end-to-end tests.
 * Plain C types only (the test drivers include the WDK headers, whose socket numbers clash
 * with <sys/socket.h>). Loopback only, ephemeral ports, every wait has a deadline. */
#ifndef OWSK_TESTS_LXUDP_H
#define OWSK_TESTS_LXUDP_H

#include <stddef.h>
#include <sys/types.h>

/* UDP socket bound to 127.0.0.1 (v6 = 0) or ::1 (v6 = 1), port 0; fd, *ret_port its port. */
int lxu_socket(int v6, int *ret_port);
/* Sends one datagram to 127.0.0.1/::1:port (v6 selects); bytes or negative errno. */
ssize_t lxu_sendto(int fd, int v6, int port, const void *buf, size_t len);
/* Sends to an IPv4 address given as a dotted string (multicast tests). */
ssize_t lxu_sendto4(int fd, const char *ip, int port, const void *buf, size_t len);
/* Receives one datagram within timeout_ms; its length (MSG_TRUNC: the real length) or a
 * negative errno (-ETIMEDOUT). *ret_port (may be NULL) gets the sender's port. */
ssize_t lxu_recv(int fd, void *buf, size_t cap, int timeout_ms, int *ret_port);
/* Sets the interface for outgoing IPv4 multicast to 127.0.0.1 and turns loopback on. */
int lxu_mcast_loopback(int fd);
void lxu_set_bufs(int fd, int bytes);
void lxu_close(int fd);

#endif
