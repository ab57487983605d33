/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* E-05: one client resets its connection (SO_LINGER {1, 0} + close) in the middle of a 1 MiB
 * transfer while 99 others echo 256 KiB each: the 99 pass byte for byte, the host keeps
 * running, and echosrv's reset connection leaves nothing behind at unload. */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "e2e.h"
#include "load.h"

struct load_args {
    unsigned port;
    struct load_result r;
    int rc;
};

static void *load_thread(void *arg)
{
    struct load_args *a = arg;

    a->rc = load_run(a->port, false, 99, 256 * 1024, 120000, &a->r);
    return NULL;
}

/* Sends half of 1 MiB without reading much, then resets the connection. */
static int reset_midway(unsigned port)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    uint8_t buf[16384];
    size_t sent = 0;
    int fd = e2e_connect(false, port, 10000);

    if (fd < 0)
        return -1;
    while (sent < 512 * 1024) {
        struct timeval tv = {.tv_sec = 5};
        ssize_t n;

        for (size_t i = 0; i < sizeof(buf); i++)
            buf[i] = e2e_pattern(7, sent + i);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        n = send(fd, buf, sizeof(buf), MSG_NOSIGNAL);
        if (n <= 0)
            break;
        sent += (size_t)n;
        /* Drain some echo so the server keeps receiving. */
        recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    }
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(fd);
    return sent > 0 ? 0 : -1;
}

int main(void)
{
    struct e2e_host h;
    struct load_args a;
    pthread_t t;

    if (e2e_host_start(&h, NULL, NULL, 60000) < 0)
        return 1;
    a.port = h.port;
    E2E_CHECK_INT(pthread_create(&t, NULL, load_thread, &a), 0);
    E2E_CHECK_INT(reset_midway(h.port), 0);
    pthread_join(t, NULL);
    E2E_CHECK_INT(a.rc, 0);
    E2E_CHECK_INT(a.r.completed, 99);
    E2E_CHECK_INT(a.r.mismatched, 0);

    /* The host still serves new connections after the reset. */
    {
        int fd = e2e_connect(true, h.port, 10000);

        E2E_CHECK(fd >= 0);
        if (fd >= 0) {
            E2E_CHECK_INT(e2e_echo_check(fd, 4096, 99, 30000), 0);
            close(fd);
        }
    }
    E2E_CHECK_INT(e2e_host_wait(&h, SIGTERM, 30000), 0);
    E2E_CHECK(!e2e_host_log_has(&h, "left behind"));
    e2e_host_free(&h);
    return e2e_done();
}
