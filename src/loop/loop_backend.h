/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private to src/loop: the backends loop.c can pick from, and the io_uring probe. */
#ifndef OWSK_LOOP_BACKEND_H
#define OWSK_LOOP_BACKEND_H

#include "owsk_config.h"
#include "loop/loop.h"

/* io_uring is built only with liburing (meson option io_uring). */
#define OWSK_LOOP_HAVE_URING OWSK_HAVE_LIBURING

extern const struct owsk_loop_backend_ops owsk_loop_epoll_ops;

#if OWSK_LOOP_HAVE_URING
extern const struct owsk_loop_backend_ops owsk_loop_uring_ops;
/* Returns 0 if this process can use io_uring for the loops, else a negative errno and
 * *ret_why a static text saying which check ruled it out. */
int owsk_loop_uring_probe(const char **ret_why);
#endif

#endif
