/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* E-04: the client writes everything, shuts its write side down before reading a byte, and
 * still gets every byte back followed by EOF (echosrv's graceful disconnect path). */
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "e2e.h"

static int half_close(unsigned port, bool v6, size_t len, uint32_t seed)
{
    uint8_t buf[8192];
    size_t got = 0;
    uint64_t deadline = e2e_now_ms() + 30000;
    int fd = e2e_connect(v6, port, 10000);

    if (fd < 0)
        return -1;
    /* Small enough to sit in the socket buffers while nobody reads. */
    for (size_t off = 0; off < len;) {
        size_t n = len - off < sizeof(buf) ? len - off : sizeof(buf);
        ssize_t w;

        for (size_t i = 0; i < n; i++)
            buf[i] = e2e_pattern(seed, off + i);
        w = send(fd, buf, n, MSG_NOSIGNAL);
        if (w <= 0)
            goto fail;
        off += (size_t)w;
    }
    if (shutdown(fd, SHUT_WR) < 0)
        goto fail;
    for (;;) {
        struct timeval tv = {.tv_sec = 5};
        ssize_t n;

        if (e2e_now_ms() > deadline)
            goto fail;
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        n = recv(fd, buf, sizeof(buf), 0);
        if (n == 0)
            break;
        if (n < 0)
            goto fail;
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] != e2e_pattern(seed, got + (size_t)i))
                goto fail;
        got += (size_t)n;
    }
    close(fd);
    return got == len ? 0 : -1;
fail:
    close(fd);
    return -1;
}

int main(void)
{
    static const size_t sizes[] = {1, 4096, 65536};
    struct e2e_host h;

    if (e2e_host_start(&h, NULL, NULL, 60000) < 0)
        return 1;
    for (int v6 = 0; v6 <= 1; v6++)
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
            if (half_close(h.port, v6, sizes[i], (uint32_t)(i + 10 * v6)) != 0)
                e2e_fail(__FILE__, __LINE__, "half-close with %zu bytes over %s failed", sizes[i],
                         v6 ? "IPv6" : "IPv4");
    E2E_CHECK_INT(e2e_host_wait(&h, SIGTERM, 30000), 0);
    E2E_CHECK(!e2e_host_log_has(&h, "left behind"));
    e2e_host_free(&h);
    return e2e_done();
}
