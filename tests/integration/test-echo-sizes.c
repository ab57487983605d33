/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* E-01: byte-exact echo through echosrv in a real wskhost, over IPv4 and IPv6, for sizes
 * around its buffer (BufferSize=2048) and 1 MiB; each connection ends with the client's FIN
 * answered by echosrv's graceful disconnect. The host then stops cleanly (exit 0). */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"

int main(void)
{
    static const size_t sizes[] = {0, 1, 2047, 2048, 2049, 1024 * 1024};
    static const char *const params[] = {"BufferSize=2048", NULL};
    struct e2e_host h;
    uint32_t seed = 1;

    if (e2e_host_start(&h, params, NULL, 60000) < 0)
        return 1;
    for (int v6 = 0; v6 <= 1; v6++) {
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            int fd = e2e_connect(v6, h.port, 10000);

            E2E_CHECK(fd >= 0);
            if (fd < 0)
                continue;
            if (e2e_echo_check(fd, sizes[i], seed++, 60000) != 0)
                e2e_fail(__FILE__, __LINE__, "echo of %zu bytes over %s failed", sizes[i],
                         v6 ? "IPv6" : "IPv4");
            close(fd);
        }
    }
    E2E_CHECK_INT(e2e_host_wait(&h, SIGTERM, 30000), 0);
    E2E_CHECK(!e2e_host_log_has(&h, "left behind"));
    E2E_CHECK(e2e_host_log_has(&h, "stopped"));
    e2e_host_free(&h);
    return e2e_done();
}
