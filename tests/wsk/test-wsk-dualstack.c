/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IPv6 listeners (P-08): with IPV6_V6ONLY = 0 set before bind (as the echo sample does) an
 * [::] listener serves IPv4 and IPv6 clients, IPv4 ones appearing as v4-mapped
 * SOCKADDR_IN6 (family 23); by default (Windows: V6ONLY = 1) IPv4 clients are refused. */
#include <string.h>

#include "lxpeer.h"
#include "wsk_t.h"

static PWSK_SOCKET any6_listener(int v6only, int *ret_port)
{
    SOCKADDR_STORAGE a;
    PWSK_SOCKET l = t_socket(AF_INET6, WSK_FLAG_LISTEN_SOCKET, NULL, NULL, NULL);
    ULONG v = 99;
    struct t_irp q;

    t_irp_init(&q);
    CHECK_STATUS(t_getopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &v), STATUS_SUCCESS);
    CHECK_UINT(v, 1); /* the Windows default, whatever net.ipv6.bindv6only says */
    if (!v6only)
        CHECK_STATUS(t_setopt(l, IPPROTO_IPV6, IPV6_V6ONLY, 0), STATUS_SUCCESS);
    t_any(&a, 1);
    CHECK_STATUS(t_sync_irp_ok(T_LD(l)->WskBind(l, (PSOCKADDR)&a, 0, t_irp_arm(&q)), &q),
                 STATUS_SUCCESS);
    memset(&a, 0, sizeof(a));
    CHECK_STATUS(t_sync_irp_ok(T_LD(l)->WskGetLocalAddress(l, (PSOCKADDR)&a, t_irp_arm(&q)), &q),
                 STATUS_SUCCESS);
    CHECK_INT(a.ss_family, AF_INET6);
    *ret_port = t_port(&a);
    t_irp_free(&q);
    return l;
}

int main(void)
{
    SOCKADDR_STORAGE local, remote;
    PWSK_SOCKET l, s;
    int port, fd;
    char buf[4];
    ULONG_PTR info;

    t_wsk_start();
    l = any6_listener(0, &port);
    for (int v6 = 0; v6 < 2; v6++) {
        fd = lx_connect(v6, port);
        CHECK(fd >= 0);
        memset(&remote, 0, sizeof(remote));
        s = t_accept(l, NULL, NULL, &local, &remote);
        CHECK(s != NULL);
        CHECK_INT(remote.ss_family, AF_INET6);
        CHECK_INT(local.ss_family, AF_INET6);
        CHECK_INT(t_port(&local), port);
        CHECK_INT(t_port(&remote), lx_local_port(fd));
        if (!v6)
            CHECK(lx_is_v4mapped_loopback(&remote));
        CHECK_INT(lx_send_all(fd, "dual", 4), 0);
        CHECK_STATUS(t_recv(s, buf, 4, WSK_FLAG_WAITALL, &info), STATUS_SUCCESS);
        CHECK(memcmp(buf, "dual", 4) == 0);
        CHECK_STATUS(t_send(s, buf, 4, 0, &info), STATUS_SUCCESS);
        CHECK_INT(lx_recv_all(fd, buf, 4, T_WAIT), 4);
        lx_close(fd);
        CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    }
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);

    /* Default V6ONLY = 1: an IPv4 client cannot reach the [::] listener. */
    l = any6_listener(1, &port);
    fd = lx_connect(0, port);
    CHECK(fd < 0);
    if (fd >= 0)
        lx_close(fd);
    fd = lx_connect(1, port);
    CHECK(fd >= 0);
    s = t_accept(l, NULL, NULL, NULL, NULL);
    CHECK(s != NULL);
    if (s)
        CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    lx_close(fd);
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
    t_wsk_stop();
    return t_done();
}
