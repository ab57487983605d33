/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The echo load client (E-02 method): many connections, each sending a seeded stream in
 * random-size chunks (1 B..64 KiB) and checking every echoed byte, its order and the count,
 * then FIN and EOF. One epoll loop; shared by the integration test and bench/. */
#ifndef OWSK_E2E_LOAD_H
#define OWSK_E2E_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct load_result {
    uint64_t wall_ms;    /* first connect to last EOF */
    unsigned completed;  /* connections that echoed every byte and closed cleanly */
    unsigned failed;     /* connect errors, resets, mismatches, short streams */
    uint64_t bytes;      /* bytes verified */
    uint64_t mismatched; /* connections that saw a wrong byte */
};

/* Runs conns connections to 127.0.0.1 (or ::1) :port, each echoing bytes_each bytes, with at
 * most 64 connects in flight. Gives up at timeout_ms. Returns 0 when every connection
 * completed. */
int load_run(unsigned port, bool v6, unsigned conns, uint64_t bytes_each, unsigned timeout_ms,
             struct load_result *ret);

#endif
