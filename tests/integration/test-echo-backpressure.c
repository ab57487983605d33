/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* E-06 (reduced): 20 clients send as fast as they can and never read. TCP flow control must
 * stall them: echosrv holds two buffers per connection and the provider must not queue data
 * of its own, so the host's RSS stays bounded while a probe connection is still served. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "e2e.h"

#define CONNS 20

static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    long kib = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* Sends until the connection has not accepted a byte for 300 ms. Returns bytes sent. */
static size_t fill(int fd, uint64_t deadline)
{
    static char buf[65536];
    size_t sent = 0;

    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    while (e2e_now_ms() < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        ssize_t n;

        if (poll(&p, 1, 300) != 1)
            break; /* stalled: flow control works */
        n = send(fd, buf, sizeof(buf), MSG_NOSIGNAL);
        if (n > 0)
            sent += (size_t)n;
        else if (n < 0 && errno != EAGAIN)
            break;
    }
    return sent;
}

int main(void)
{
    struct e2e_host h;
    int fds[CONNS], probe;
    long before, after;
    size_t total = 0;
    uint64_t deadline, t;

    if (e2e_host_start(&h, NULL, NULL, 60000) < 0)
        return 1;
    before = rss_kib(h.pid);
    deadline = e2e_now_ms() + 60000;
    for (int i = 0; i < CONNS; i++) {
        fds[i] = e2e_connect(false, h.port, 10000);
        E2E_CHECK(fds[i] >= 0);
        if (fds[i] >= 0)
            total += fill(fds[i], deadline);
    }
    E2E_CHECK(e2e_now_ms() < deadline); /* every client stalled */
    after = rss_kib(h.pid);
    fprintf(stderr, "%d stalled clients sent %zu KiB; host RSS %ld -> %ld KiB\n", CONNS,
            total / 1024, before, after);
    /* Generous for ASan's allocator: unbounded queueing would be hundreds of MiB. */
    E2E_CHECK(before > 0 && after > 0 && after - before < 64 * 1024);

    t = e2e_now_ms();
    probe = e2e_connect(true, h.port, 10000);
    E2E_CHECK(probe >= 0);
    if (probe >= 0) {
        E2E_CHECK_INT(e2e_echo_check(probe, 4096, 77, 10000), 0);
        close(probe);
    }
    fprintf(stderr, "probe echoed in %llu ms\n", (unsigned long long)(e2e_now_ms() - t));
    for (int i = 0; i < CONNS; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    E2E_CHECK_INT(e2e_host_wait(&h, SIGTERM, 30000), 0);
    E2E_CHECK(!e2e_host_log_has(&h, "left behind"));
    e2e_host_free(&h);
    return e2e_done();
}
