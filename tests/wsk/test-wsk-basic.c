/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Listen, accept, connect, send and receive through the dispatch tables, between two WSK
 * sockets and against a plain Linux peer, over IPv4 and IPv6; addresses round-trip with
 * Windows family numbers (P-09); Information carries the socket and the byte counts. */
#include <stdio.h>
#include <string.h>

#include <openwsk/host.h>

#include "lxpeer.h"
#include "wsk_t.h"
#include "wsk/wsk.h"

struct seen {
    char want_local[64];
    int listen_rows, matching;
};

static int row_cb(const struct owsk_socket_row *row, void *ctx)
{
    struct seen *s = ctx;

    if (!strcmp(row->category, "listen"))
        s->listen_rows++;
    if (!strcmp(row->local, s->want_local))
        s->matching++;
    return 0;
}

/* wskctl's view (owsk_socket_foreach) and the leak count (owsk_wsk_sockets_outstanding). */
static void introspection(void)
{
    struct seen seen;
    int port;
    PWSK_SOCKET l = t_listener(0, &port, NULL, NULL);
    uint64_t until;

    memset(&seen, 0, sizeof(seen));
    snprintf(seen.want_local, sizeof(seen.want_local), "127.0.0.1:%d", port);
    owsk_socket_foreach(row_cb, &seen);
    CHECK_INT(seen.listen_rows, 1);
    CHECK_INT(seen.matching, 1);
    CHECK_UINT(owsk_wsk_sockets_outstanding(0), 1);
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
    /* The socket is freed just after its close completes. */
    until = t_now_ms() + T_WAIT;
    while (owsk_wsk_sockets_outstanding(0) && t_now_ms() < until)
        ;
    CHECK_UINT(owsk_wsk_sockets_outstanding(0), 0);
}

static void wsk_to_wsk(int v6)
{
    SOCKADDR_STORAGE local, remote, a;
    struct t_irp acc;
    PWSK_SOCKET l, c, s;
    int port;
    char buf[64];
    ULONG_PTR info;
    NTSTATUS st;

    l = t_listener(v6, &port, NULL, NULL);
    CHECK(port > 0);
    /* A pending WskAccept completes when the connection arrives. */
    t_irp_init(&acc);
    t_poison(&local, sizeof(local));
    t_poison(&remote, sizeof(remote));
    st = T_LD(l)->WskAccept(l, 0, NULL, NULL, (PSOCKADDR)&local, (PSOCKADDR)&remote,
                            t_irp_arm(&acc));
    CHECK(st == STATUS_PENDING || st == STATUS_SUCCESS);
    c = t_connect(v6, port, NULL, NULL, NULL);
    CHECK_STATUS(t_irp_wait(&acc, T_WAIT), STATUS_SUCCESS);
    s = (PWSK_SOCKET)acc.irp->IoStatus.Information;
    CHECK(s != NULL && s->Dispatch != NULL);
    CHECK_INT(local.ss_family, v6 ? 23 : 2);
    CHECK_INT(remote.ss_family, v6 ? 23 : 2);
    CHECK_INT(t_port(&local), port);
    /* The remote address of the accepted socket is the local address of the connector. */
    memset(&a, 0, sizeof(a));
    {
        struct t_irp q;

        t_irp_init(&q);
        st = T_CD(c)->WskGetLocalAddress(c, (PSOCKADDR)&a, t_irp_arm(&q));
        CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_SUCCESS);
        CHECK_INT(a.ss_family, v6 ? 23 : 2);
        CHECK_INT(t_port(&a), t_port(&remote));
        memset(&a, 0, sizeof(a));
        st = T_CD(c)->WskGetRemoteAddress(c, (PSOCKADDR)&a, t_irp_arm(&q));
        CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_SUCCESS);
        CHECK_INT(a.ss_family, v6 ? 23 : 2);
        CHECK_INT(t_port(&a), port);
        t_irp_free(&q);
    }

    CHECK_STATUS(t_send(c, "hello", 5, 0, &info), STATUS_SUCCESS);
    CHECK_UINT(info, 5);
    memset(buf, 0, sizeof(buf));
    CHECK_STATUS(t_recv(s, buf, 5, WSK_FLAG_WAITALL, &info), STATUS_SUCCESS);
    CHECK_UINT(info, 5);
    CHECK_STR(buf, "hello");
    CHECK_STATUS(t_send(s, "world!", 6, WSK_FLAG_NODELAY, &info), STATUS_SUCCESS);
    CHECK_UINT(info, 6);
    memset(buf, 0, sizeof(buf));
    CHECK_STATUS(t_recv(c, buf, 6, WSK_FLAG_WAITALL, &info), STATUS_SUCCESS);
    CHECK_STR(buf, "world!");

    /* Graceful close: the peer's receive completes with success and 0 bytes. */
    CHECK_STATUS(t_disconnect(c, 0), STATUS_SUCCESS);
    CHECK_STATUS(t_recv(s, buf, sizeof(buf), 0, &info), STATUS_SUCCESS);
    CHECK_UINT(info, 0);
    CHECK_STATUS(t_disconnect(s, 0), STATUS_SUCCESS);
    CHECK_STATUS(t_recv(c, buf, sizeof(buf), 0, &info), STATUS_SUCCESS);
    CHECK_UINT(info, 0);
    CHECK_STATUS(t_close(c), STATUS_SUCCESS);
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
    t_irp_free(&acc);
}

static void against_linux(int v6)
{
    int lport, lfd, fd, port;
    PWSK_SOCKET c, l, s;
    char buf[32];
    ULONG_PTR info;

    /* WSK client -> Linux server. */
    lfd = lx_listen(v6, &lport);
    CHECK(lfd >= 0);
    c = t_connect(v6, lport, NULL, NULL, NULL);
    fd = lx_accept(lfd, T_WAIT);
    CHECK(fd >= 0);
    CHECK_STATUS(t_send(c, "ping", 4, 0, &info), STATUS_SUCCESS);
    CHECK_INT(lx_recv_all(fd, buf, 4, T_WAIT), 4);
    CHECK(memcmp(buf, "ping", 4) == 0);
    CHECK_INT(lx_send_all(fd, "pong", 4), 0);
    CHECK_STATUS(t_recv(c, buf, 4, WSK_FLAG_WAITALL, &info), STATUS_SUCCESS);
    CHECK_UINT(info, 4);
    CHECK(memcmp(buf, "pong", 4) == 0);
    CHECK_STATUS(t_disconnect(c, 0), STATUS_SUCCESS);
    CHECK_INT(lx_wait_close(fd, T_WAIT), 0); /* FIN, not RST */
    lx_close(fd);
    CHECK_STATUS(t_recv(c, buf, sizeof(buf), 0, &info), STATUS_SUCCESS);
    CHECK_UINT(info, 0);
    CHECK_STATUS(t_close(c), STATUS_SUCCESS);
    lx_close(lfd);

    /* Linux client -> WSK server. */
    l = t_listener(v6, &port, NULL, NULL);
    fd = lx_connect(v6, port);
    CHECK(fd >= 0);
    s = t_accept(l, NULL, NULL, NULL, NULL);
    CHECK(s != NULL);
    CHECK_INT(lx_send_all(fd, "abc", 3), 0);
    CHECK_STATUS(t_recv(s, buf, 3, WSK_FLAG_WAITALL, &info), STATUS_SUCCESS);
    CHECK(memcmp(buf, "abc", 3) == 0);
    CHECK_STATUS(t_send(s, "xyz", 3, 0, &info), STATUS_SUCCESS);
    CHECK_INT(lx_recv_all(fd, buf, 3, T_WAIT), 3);
    CHECK(memcmp(buf, "xyz", 3) == 0);
    lx_close(fd);
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
}

int main(void)
{
    t_wsk_start();
    introspection();
    wsk_to_wsk(0);
    wsk_to_wsk(1);
    against_linux(0);
    against_linux(1);
    t_wsk_stop();
    return t_done();
}
