/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A port already taken makes echosrv's DriverEntry fail: wskhost prints one line with the
 * NTSTATUS name and exits non-zero, without a ready line. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "e2e.h"

int main(void)
{
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT};
    socklen_t len = sizeof(a);
    int off = 0, fd, rc;
    char param[64];
    struct e2e_host h;
    const char *argv[8];

    /* Take a dual-stack port the way echosrv would, and keep it. */
    fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    E2E_CHECK(fd >= 0);
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
    E2E_CHECK_INT(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    E2E_CHECK_INT(listen(fd, 8), 0);
    E2E_CHECK_INT(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    snprintf(param, sizeof(param), "echosrv:Port=%u", ntohs(a.sin6_port));

    E2E_CHECK_INT(e2e_host_init(&h), 0);
    argv[0] = "--control";
    argv[1] = h.ctl;
    argv[2] = "--param";
    argv[3] = param;
    argv[4] = e2e_echosrv();
    argv[5] = NULL;
    E2E_CHECK_INT(e2e_host_spawn(&h, argv), 0);
    rc = e2e_host_wait(&h, 0, 60000);
    E2E_CHECK(rc > 0 && rc < 128);
    E2E_CHECK(e2e_host_log_has(&h, "wskhost: echosrv: DriverEntry failed: "
                                   "STATUS_ADDRESS_ALREADY_ASSOCIATED (0xc0000238)"));
    E2E_CHECK(!e2e_host_log_has(&h, "wskhost: ready"));
    /* A failed DriverEntry must not leave its socket, pool or threads behind either. */
    E2E_CHECK(!e2e_host_log_has(&h, "left behind"));
    if (e2e_failures)
        e2e_host_dump(&h);
    e2e_host_free(&h);
    close(fd);
    return e2e_done();
}
