/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The native Linux baseline for the echo benchmarks: a plain epoll echo server, one thread
 * per CPU sharing a dual-stack listener (EPOLLEXCLUSIVE), no WSK anywhere. */
#ifndef OWSK_BENCH_ECHO_EPOLL_H
#define OWSK_BENCH_ECHO_EPOLL_H

struct epoll_echo;

/* Starts the server on [::]:0 with threads threads; *ret_port gets the port. */
struct epoll_echo *epoll_echo_start(unsigned threads, unsigned *ret_port);
void epoll_echo_stop(struct epoll_echo *srv);

#endif
