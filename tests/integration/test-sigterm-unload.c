/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SIGTERM with 100 open, idle connections: echosrv's DriverUnload closes them itself (the
 * peers never send FIN), the host exits 0 well within the unload deadline and reports
 * nothing left behind; every client sees its connection end. */
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "e2e.h"

#define CONNS 100

int main(void)
{
    static const char *const host_args[] = {"--unload-timeout", "10", NULL};
    struct e2e_host h;
    int fds[CONNS];
    uint64_t t;
    int rc, ended = 0;

    e2e_raise_nofile(CONNS + 64);
    if (e2e_host_start(&h, NULL, host_args, 60000) < 0)
        return 1;
    for (int i = 0; i < CONNS; i++) {
        struct timeval tv = {.tv_sec = 10};
        char c = 'x', r = 0;

        fds[i] = e2e_connect(i % 2, h.port, 10000);
        E2E_CHECK(fds[i] >= 0);
        if (fds[i] < 0)
            continue;
        setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (send(fds[i], &c, 1, 0) != 1 || recv(fds[i], &r, 1, 0) != 1 || r != c)
            e2e_fail(__FILE__, __LINE__, "connection %d did not echo", i);
    }
    t = e2e_now_ms();
    rc = e2e_host_wait(&h, SIGTERM, 20000);
    fprintf(stderr, "host exited %d after %llu ms\n", rc, (unsigned long long)(e2e_now_ms() - t));
    E2E_CHECK_INT(rc, 0);
    E2E_CHECK(e2e_now_ms() - t < 10000);
    E2E_CHECK(e2e_host_log_has(&h, "stopping (100 open connections)"));
    E2E_CHECK(!e2e_host_log_has(&h, "left behind"));
    E2E_CHECK(!e2e_host_log_has(&h, "did not finish"));
    for (int i = 0; i < CONNS; i++) {
        if (fds[i] < 0)
            continue;
        if (e2e_expect_closed(fds[i], 5000) == 0)
            ended++;
        close(fds[i]);
    }
    E2E_CHECK_INT(ended, CONNS);
    e2e_host_free(&h);
    return e2e_done();
}
