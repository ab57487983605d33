/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WskSocketConnect (provider dispatch member 1): create, bind and connect a connection socket
 * in one IRP, over IPv4 and IPv6, against a plain Linux listener. Information is the new
 * socket (connection table, the given context and client dispatch); a refused connect leaves
 * no socket behind; bad input is refused the Windows way. */
#include <errno.h>
#include <string.h>

#include "wsk/wsk.h"

#include "lxpeer.h"
#include "wsk_t.h"

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)

static LONG receives;
static KEVENT got;
static char ctx_tag[] = "ctx";

static NTSTATUS WSKAPI on_receive(PVOID SocketContext, ULONG Flags, PWSK_DATA_INDICATION Ind,
                                  SIZE_T BytesIndicated, SIZE_T *BytesAccepted)
{
    /* Only counted: the data stays with the provider for the WskReceive below. */
    if (SocketContext == ctx_tag && Ind)
        InterlockedIncrement(&receives);
    KeSetEvent(&got, IO_NO_INCREMENT, FALSE);
    return STATUS_DATA_NOT_ACCEPTED;
}

static const WSK_CLIENT_CONNECTION_DISPATCH conn_disp = {on_receive, NULL, NULL};

static struct t_irp ti;

static NTSTATUS socket_connect(ULONG flags, const SOCKADDR_STORAGE *local,
                               const SOCKADDR_STORAGE *remote, PVOID ctx,
                               const WSK_CLIENT_CONNECTION_DISPATCH *disp, PWSK_SOCKET *ret)
{
    NTSTATUS st = t_npi.Dispatch->WskSocketConnect(t_npi.Client, SOCK_STREAM, IPPROTO_TCP,
                                                   (PSOCKADDR)local, (PSOCKADDR)remote, flags,
                                                   ctx, disp, NULL, NULL, NULL, t_irp_arm(&ti));

    st = t_sync_irp_ok(st, &ti);
    *ret = NT_SUCCESS(st) ? (PWSK_SOCKET)ti.irp->IoStatus.Information : NULL;
    return st;
}

static void round_trip(int v6)
{
    SOCKADDR_STORAGE local, remote, a;
    PWSK_SOCKET s, ref;
    int lport, lfd, fd;
    char buf[32];
    ULONG_PTR info;
    LARGE_INTEGER to;
    NTSTATUS st;

    /* The connection table of a WskSocket-created connection socket, for comparison. */
    ref = t_socket(v6 ? AF_INET6 : AF_INET, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, NULL);
    CHECK(ref != NULL);
    lfd = lx_listen(v6, &lport);
    t_any(&local, v6);
    t_addr(&remote, v6, lport);
    CHECK_STATUS(socket_connect(0, &local, &remote, ctx_tag, &conn_disp, &s), STATUS_SUCCESS);
    CHECK(s != NULL);
    if (!s || !ref)
        return;
    CHECK(s->Dispatch == ref->Dispatch);
    CHECK_STATUS(t_close(ref), STATUS_SUCCESS);
    fd = lx_accept(lfd, T_WAIT);
    CHECK(fd >= 0);
    /* Port 0 was bound: the local address reads back the port the peer sees. */
    memset(&a, 0, sizeof(a));
    CHECK_STATUS(t_sync_irp_ok(T_CD(s)->WskGetLocalAddress(s, (PSOCKADDR)&a, t_irp_arm(&ti)), &ti),
                 STATUS_SUCCESS);
    CHECK_INT(a.ss_family, v6 ? AF_INET6 : AF_INET);
    CHECK(t_port(&a) != 0);
    CHECK_INT(t_port(&a), lx_peer_port(fd));
    memset(&a, 0, sizeof(a));
    CHECK_STATUS(
        t_sync_irp_ok(T_CD(s)->WskGetRemoteAddress(s, (PSOCKADDR)&a, t_irp_arm(&ti)), &ti),
        STATUS_SUCCESS);
    CHECK_INT(t_port(&a), lport);

    /* Data both ways. */
    CHECK_STATUS(t_send(s, "to-linux", 8, 0, &info), STATUS_SUCCESS);
    CHECK_UINT(info, 8);
    CHECK_INT(lx_recv_all(fd, buf, 8, T_WAIT), 8);
    CHECK(memcmp(buf, "to-linux", 8) == 0);
    /* The client dispatch and context given to WskSocketConnect are the socket's. */
    KeClearEvent(&got);
    CHECK_STATUS(t_event(s, WSK_EVENT_RECEIVE), STATUS_SUCCESS);
    CHECK_INT(lx_send_all(fd, "to-wsk", 6), 0);
    to.QuadPart = -(LONGLONG)T_WAIT * 10000;
    CHECK_STATUS(KeWaitForSingleObject(&got, Executive, KernelMode, FALSE, &to), STATUS_SUCCESS);
    CHECK(LOAD(receives) >= 1);
    /* The callback may still be returning: STATUS_EVENT_PENDING is the documented answer. */
    st = t_event(s, WSK_EVENT_RECEIVE | WSK_EVENT_DISABLE);
    CHECK(st == STATUS_SUCCESS || st == STATUS_EVENT_PENDING);
    memset(buf, 0, sizeof(buf));
    CHECK_STATUS(t_recv(s, buf, 6, WSK_FLAG_WAITALL, &info), STATUS_SUCCESS);
    CHECK_UINT(info, 6);
    CHECK_STR(buf, "to-wsk");
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    st = lx_wait_close(fd, T_WAIT);
    CHECK(st == 0 || st == -ECONNRESET); /* closed, nothing more sent */
    lx_close(fd);
    lx_close(lfd);
}

static void refused(int v6)
{
    SOCKADDR_STORAGE local, remote;
    PWSK_SOCKET s = (PWSK_SOCKET)1;
    uint64_t before = owsk_wsk_sockets_outstanding(0);
    NTSTATUS st;

    t_any(&local, v6);
    t_addr(&remote, v6, lx_unused_port());
    st = socket_connect(0, &local, &remote, NULL, NULL, &s);
    CHECK_STATUS(st, STATUS_CONNECTION_REFUSED);
    CHECK(s == NULL);
    CHECK_UINT(ti.irp->IoStatus.Information, 0);
    /* No socket was left behind for the client to close (earlier closes may still be
     * retiring, and the discarded socket retires after the completion: poll, bounded). */
    {
        uint64_t until = t_now_ms() + T_WAIT;

        while (owsk_wsk_sockets_outstanding(0) > before && t_now_ms() < until)
            YieldProcessor();
        CHECK(owsk_wsk_sockets_outstanding(0) <= before);
    }
}

static void bad_input(void)
{
    SOCKADDR_STORAGE local, remote;
    PWSK_SOCKET s;
    int lfd, lport;

    lfd = lx_listen(0, &lport);
    t_any(&local, 0);
    t_addr(&remote, 0, lport);
    /* NULL IRP: refused synchronously. */
    CHECK_STATUS(t_npi.Dispatch->WskSocketConnect(t_npi.Client, SOCK_STREAM, IPPROTO_TCP,
                                                  (PSOCKADDR)&local, (PSOCKADDR)&remote, 0, NULL,
                                                  NULL, NULL, NULL, NULL, NULL),
                 STATUS_INVALID_PARAMETER);
    /* Flags are reserved. */
    CHECK_STATUS(socket_connect(1, &local, &remote, NULL, NULL, &s), STATUS_INVALID_PARAMETER);
    CHECK(s == NULL);
    /* The listener saw nothing. */
    CHECK_INT(lx_accept(lfd, 50), -1);
    lx_close(lfd);
}

int main(void)
{
    KeInitializeEvent(&got, NotificationEvent, FALSE);
    t_wsk_start();
    t_irp_init(&ti);
    round_trip(0);
    round_trip(1);
    refused(0);
    refused(1);
    bad_input();
    t_irp_free(&ti);
    t_wsk_stop();
    return t_done();
}
