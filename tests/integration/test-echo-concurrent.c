/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* E-02: 1,000 concurrent connections x 1 MiB in random-size chunks through echosrv, every
 * byte checked; then the host unloads cleanly. Prints the wall time (the bench compares it
 * with a plain epoll echo server). */
#include <signal.h>
#include <stdlib.h>

#include "e2e.h"
#include "load.h"

int main(void)
{
    static const char *const params[] = {"MaxConnections=2000", NULL};
    const char *env = getenv("OWSK_E2E_CONNS");
    unsigned conns = env ? (unsigned)strtoul(env, NULL, 10) : 1000;
    struct load_result r;
    struct e2e_host h;

    /* Client and host each hold one fd per connection, plus slack. */
    if (e2e_raise_nofile(conns + 256) < conns + 64) {
        fprintf(stderr, "SKIP: RLIMIT_NOFILE too low for %u connections\n", conns);
        return E2E_SKIP;
    }
    if (e2e_host_start(&h, params, NULL, 60000) < 0)
        return 1;
    E2E_CHECK_INT(load_run(h.port, false, conns, 1024 * 1024, 170000, &r), 0);
    fprintf(stderr,
            "echosrv: %u connections x 1 MiB: %llu ms, %u ok, %u failed, %llu "
            "mismatched\n",
            conns, (unsigned long long)r.wall_ms, r.completed, r.failed,
            (unsigned long long)r.mismatched);
    E2E_CHECK_INT(r.mismatched, 0);
    E2E_CHECK_INT(r.completed, conns);
    E2E_CHECK_INT(e2e_host_wait(&h, SIGTERM, 30000), 0);
    E2E_CHECK(!e2e_host_log_has(&h, "left behind"));
    e2e_host_free(&h);
    return e2e_done();
}
