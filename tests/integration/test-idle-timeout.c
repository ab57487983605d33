/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* R-02 (driver side): with IdleTimeoutSeconds=1, a connection that goes quiet is closed
 * (abortively) within a few seconds, while one that keeps sending every 200 ms stays open
 * well past the timeout. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "e2e.h"

static int round_trip(int fd, char c)
{
    struct timeval tv = {.tv_sec = 5};
    char r = 0;

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (send(fd, &c, 1, MSG_NOSIGNAL) != 1 || recv(fd, &r, 1, 0) != 1)
        return -1;
    return r == c ? 0 : -1;
}

int main(void)
{
    static const char *const params[] = {"IdleTimeoutSeconds=1", NULL};
    struct e2e_host h;
    int idle, busy;
    uint64_t t0, next_busy, closed_at = 0;
    bool busy_ok = true;

    if (e2e_host_start(&h, params, NULL, 60000) < 0)
        return 1;
    idle = e2e_connect(false, h.port, 10000);
    busy = e2e_connect(true, h.port, 10000);
    E2E_CHECK(idle >= 0 && busy >= 0);
    if (idle < 0 || busy < 0)
        return e2e_done();
    E2E_CHECK_INT(round_trip(idle, 'i'), 0);
    t0 = next_busy = e2e_now_ms();

    /* Run until the idle connection was closed and the busy one outlived the timeout by
     * two seconds, or give up after 10 s. */
    while (e2e_now_ms() < t0 + 10000 && !(closed_at && e2e_now_ms() >= t0 + 3000)) {
        struct pollfd p = {.fd = idle, .events = POLLIN};
        uint64_t now = e2e_now_ms();
        int wait = next_busy > now ? (int)(next_busy - now) : 0;

        if (!closed_at && poll(&p, 1, wait) == 1) {
            char c;
            ssize_t n = recv(idle, &c, 1, MSG_DONTWAIT);

            if (n == 0 || (n < 0 && errno == ECONNRESET))
                closed_at = e2e_now_ms();
            else if (n > 0)
                e2e_fail(__FILE__, __LINE__, "unexpected data on the idle connection");
        } else if (closed_at) {
            poll(NULL, 0, wait);
        }
        if (e2e_now_ms() >= next_busy) {
            if (busy_ok && round_trip(busy, 'b') != 0)
                busy_ok = false;
            next_busy += 200;
        }
    }
    E2E_CHECK(closed_at != 0);
    if (closed_at)
        fprintf(stderr, "idle connection closed after %llu ms\n",
                (unsigned long long)(closed_at - t0));
    E2E_CHECK(closed_at == 0 || closed_at - t0 >= 900);
    E2E_CHECK(closed_at == 0 || closed_at - t0 <= 6000);
    E2E_CHECK(busy_ok);
    E2E_CHECK_INT(round_trip(busy, 'z'), 0);
    close(idle);
    close(busy);
    E2E_CHECK_INT(e2e_host_wait(&h, SIGTERM, 30000), 0);
    E2E_CHECK(!e2e_host_log_has(&h, "left behind"));
    e2e_host_free(&h);
    return e2e_done();
}
