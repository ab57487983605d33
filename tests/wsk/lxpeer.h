/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Plain Linux TCP peers for the WSK conformance tests (the "other side" a WSK test driver
 * talks to). Plain C types only: the test drivers include the WDK headers, whose socket
 * numbers clash with <sys/socket.h>. Every wait has a deadline; ports are ephemeral. */
#ifndef OWSK_TESTS_LXPEER_H
#define OWSK_TESTS_LXPEER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Listening socket on 127.0.0.1 (v6 = 0) or ::1 (v6 = 1), port 0; returns fd, port in *port. */
int lx_listen(int v6, int *ret_port);
/* A listener with backlog 0 that is never accepted from: after one connection fills its
 * queue, further SYNs are dropped, so connects to it stay pending (a loopback blackhole). */
int lx_listen_full(int *ret_port);
/* Accepts with a deadline; fd or -1. */
int lx_accept(int lfd, int timeout_ms);
/* Blocking connect to 127.0.0.1/::1:port; fd or negative errno. */
int lx_connect(int v6, int port);
/* A port on 127.0.0.1 nobody listens on (bound then closed). */
int lx_unused_port(void);
/* Sends everything (blocking, MSG_NOSIGNAL); 0 or negative errno. */
int lx_send_all(int fd, const void *buf, size_t len);
/* Receives exactly len bytes within timeout; bytes received, or negative errno
 * (-ETIMEDOUT, -ECONNRESET); fewer than len at EOF. */
ssize_t lx_recv_all(int fd, void *buf, size_t len, int timeout_ms);
/* Waits for the peer to close: 0 = EOF (FIN), -ECONNRESET = RST, -ETIMEDOUT, or 1 if data
 * arrived first (discarded). */
int lx_wait_close(int fd, int timeout_ms);
/* Close with RST (SO_LINGER {1, 0}). */
void lx_close_rst(int fd);
void lx_close(int fd);
void lx_shutdown_wr(int fd);
void lx_set_rcvbuf(int fd, int bytes);
/* Raises RLIMIT_NOFILE to at least n (soft up to hard); returns the new soft limit. */
long lx_raise_nofile(long n);
/* Port of a Windows SOCKADDR_IN/IN6 (network order at offset 2) in host order. */
int lx_port_of(const void *win_sockaddr);
/* 1 if an IPv6 address at offset 8 of a SOCKADDR_IN6 is ::ffff:127.0.0.1. */
int lx_is_v4mapped_loopback(const void *win_sockaddr_in6);
/* The local port of a connected fd and its peer's port. */
int lx_local_port(int fd);
int lx_peer_port(int fd);

#endif
