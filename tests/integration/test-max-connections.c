/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* R-01 (driver side): with MaxConnections=4, four connections echo and a fifth is closed
 * by the provider (echosrv's WskAcceptEvent returns STATUS_REQUEST_NOT_ACCEPTED) without a
 * byte echoed; once one of the four closes, a new connection is served again. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "e2e.h"

#define MAX 4

int main(void)
{
    static const char *const params[] = {"MaxConnections=4", NULL};
    struct e2e_host h;
    int fds[MAX], extra, fd = -1;
    uint64_t deadline;
    bool served = false;

    if (e2e_host_start(&h, params, NULL, 60000) < 0)
        return 1;
    /* Each connection proves it is accepted with a round trip, kept open (no FIN). */
    for (int i = 0; i < MAX; i++) {
        char c = (char)('a' + i), r = 0;
        struct timeval tv = {.tv_sec = 10};

        fds[i] = e2e_connect(i % 2, h.port, 10000);
        E2E_CHECK(fds[i] >= 0);
        if (fds[i] < 0)
            continue;
        setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        E2E_CHECK_INT(send(fds[i], &c, 1, 0), 1);
        E2E_CHECK_INT(recv(fds[i], &r, 1, 0), 1);
        E2E_CHECK_INT(r, c);
    }

    /* The fifth: the TCP handshake completes (the provider accepts before asking the
     * driver), then the connection is closed without an echo. */
    extra = e2e_connect(false, h.port, 10000);
    /* The provider may reset the rejected connection before connect() reports success:
     * ECONNRESET here is the same "closed without an echo". */
    E2E_CHECK(extra >= 0 || errno == ECONNRESET);
    if (extra >= 0) {
        send(extra, "x", 1, MSG_NOSIGNAL);
        E2E_CHECK_INT(e2e_expect_closed(extra, 10000), 0);
        close(extra);
    }
    E2E_CHECK(e2e_host_wait_log(&h, "MaxConnections (4) reached", 5000));

    /* Free a slot; echosrv frees it when its close completes, so retry until served. */
    close(fds[0]);
    deadline = e2e_now_ms() + 15000;
    while (!served && e2e_now_ms() < deadline) {
        fd = e2e_connect(true, h.port, 5000);
        if (fd < 0)
            continue;
        served = e2e_echo_check(fd, 2048, 42, 5000) == 0;
        close(fd);
    }
    E2E_CHECK(served);
    for (int i = 1; i < MAX; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    E2E_CHECK_INT(e2e_host_wait(&h, SIGTERM, 30000), 0);
    E2E_CHECK(!e2e_host_log_has(&h, "left behind"));
    e2e_host_free(&h);
    return e2e_done();
}
