/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stream sockets (WSK_FLAG_STREAM_SOCKET, Windows 10 1703): the stream table's member order,
 * bind then WskListen (accepts through the stream table, events from the client stream
 * dispatch's Listen table; accepted sockets use the connection table) or bind then
 * WskConnect (I/O through the stream table); the other mode's functions fail afterwards. */
#include <string.h>

#include "lxpeer.h"
#include "wsk_t.h"

static LONG accepts;
static PWSK_SOCKET accepted;
static KEVENT got;

static NTSTATUS WSKAPI on_accept(PVOID SocketContext, ULONG Flags, PSOCKADDR LocalAddress,
                                 PSOCKADDR RemoteAddress, PWSK_SOCKET AcceptSocket,
                                 PVOID *AcceptSocketContext,
                                 const WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch)
{
    if (!AcceptSocket)
        return STATUS_REQUEST_NOT_ACCEPTED;
    __atomic_store_n(&accepted, AcceptSocket, __ATOMIC_RELEASE);
    InterlockedIncrement(&accepts);
    KeSetEvent(&got, IO_NO_INCREMENT, FALSE);
    return STATUS_SUCCESS;
}

static const WSK_CLIENT_LISTEN_DISPATCH listen_disp = {on_accept, NULL, NULL};
static const WSK_CLIENT_STREAM_DISPATCH stream_disp = {&listen_disp, NULL};

static struct t_irp ti;

int main(void)
{
    SOCKADDR_STORAGE a;
    PWSK_SOCKET ls, cs, s;
    int port, fd;
    char buf[8];
    WSK_BUF b;
    LARGE_INTEGER to;
    NTSTATUS st;

    /* The stream table's order differs from the connection table's (wsk-reference 1.4). */
    CHECK(offsetof(WSK_PROVIDER_STREAM_DISPATCH, WskAccept) == 24);
    CHECK(offsetof(WSK_PROVIDER_STREAM_DISPATCH, WskListen) == 40);
    CHECK(offsetof(WSK_PROVIDER_STREAM_DISPATCH, WskGetLocalAddress) == 80);
    KeInitializeEvent(&got, SynchronizationEvent, FALSE);
    t_wsk_start();
    t_irp_init(&ti);

    /* Listening mode. */
    ls = t_socket(AF_INET, WSK_FLAG_STREAM_SOCKET, NULL, &stream_disp, &st);
    CHECK_STATUS(st, STATUS_SUCCESS);
    CHECK_STATUS(t_sync_irp_ok(T_SD(ls)->WskListen(ls, t_irp_arm(&ti)), &ti),
                 STATUS_INVALID_DEVICE_STATE); /* bind first */
    t_addr(&a, 0, 0);
    CHECK_STATUS(t_sync_irp_ok(T_SD(ls)->WskBind(ls, (PSOCKADDR)&a, 0, t_irp_arm(&ti)), &ti),
                 STATUS_SUCCESS);
    CHECK_STATUS(t_sync_irp_ok(T_SD(ls)->WskListen(ls, t_irp_arm(&ti)), &ti), STATUS_SUCCESS);
    memset(&a, 0, sizeof(a));
    CHECK_STATUS(
        t_sync_irp_ok(T_SD(ls)->WskGetLocalAddress(ls, (PSOCKADDR)&a, t_irp_arm(&ti)), &ti),
        STATUS_SUCCESS);
    port = t_port(&a);
    /* Committed to listening: connection functions fail. */
    t_addr(&a, 0, port);
    CHECK_STATUS(t_sync_irp_ok(T_SD(ls)->WskConnect(ls, (PSOCKADDR)&a, 0, t_irp_arm(&ti)), &ti),
                 STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(t_sync_irp_ok(T_SD(ls)->WskListen(ls, t_irp_arm(&ti)), &ti),
                 STATUS_INVALID_DEVICE_STATE);
    /* WskAccept through the stream table; the new socket is a connection socket. */
    fd = lx_connect(0, port);
    st = T_SD(ls)->WskAccept(ls, 0, NULL, NULL, NULL, NULL, t_irp_arm(&ti));
    CHECK_STATUS(t_sync_irp_ok(st, &ti), STATUS_SUCCESS);
    s = (PWSK_SOCKET)ti.irp->IoStatus.Information;
    CHECK(s != NULL);
    CHECK_INT(lx_send_all(fd, "strm", 4), 0);
    CHECK_STATUS(t_recv(s, buf, 4, WSK_FLAG_WAITALL, NULL), STATUS_SUCCESS);
    CHECK(memcmp(buf, "strm", 4) == 0);
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    lx_close(fd);
    /* The accept event of the client stream dispatch's Listen table. */
    CHECK_STATUS(t_event(ls, WSK_EVENT_ACCEPT), STATUS_SUCCESS);
    fd = lx_connect(0, port);
    to.QuadPart = -(LONGLONG)T_WAIT * 10000;
    CHECK_STATUS(KeWaitForSingleObject(&got, Executive, KernelMode, FALSE, &to), STATUS_SUCCESS);
    s = __atomic_load_n(&accepted, __ATOMIC_ACQUIRE);
    CHECK(s != NULL);
    if (s)
        CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    lx_close(fd);

    /* Connection mode: bind, connect, I/O through the stream table. */
    cs = t_socket(AF_INET, WSK_FLAG_STREAM_SOCKET, NULL, NULL, &st);
    CHECK_STATUS(st, STATUS_SUCCESS);
    CHECK_STATUS(t_event(ls, WSK_EVENT_ACCEPT | WSK_EVENT_DISABLE), STATUS_SUCCESS);
    t_any(&a, 0);
    CHECK_STATUS(t_sync_irp_ok(T_SD(cs)->WskBind(cs, (PSOCKADDR)&a, 0, t_irp_arm(&ti)), &ti),
                 STATUS_SUCCESS);
    t_addr(&a, 0, port);
    CHECK_STATUS(t_sync_irp_ok(T_SD(cs)->WskConnect(cs, (PSOCKADDR)&a, 0, t_irp_arm(&ti)), &ti),
                 STATUS_SUCCESS);
    st = T_SD(ls)->WskAccept(ls, 0, NULL, NULL, NULL, NULL, t_irp_arm(&ti));
    CHECK_STATUS(t_sync_irp_ok(st, &ti), STATUS_SUCCESS);
    s = (PWSK_SOCKET)ti.irp->IoStatus.Information;
    b.Mdl = t_mdl(buf, 4);
    b.Offset = 0;
    b.Length = 4;
    memcpy(buf, "conn", 4);
    CHECK_STATUS(t_sync_irp_ok(T_SD(cs)->WskSend(cs, &b, 0, t_irp_arm(&ti)), &ti), STATUS_SUCCESS);
    CHECK_UINT(ti.irp->IoStatus.Information, 4);
    memset(buf, 0, sizeof(buf));
    CHECK_STATUS(t_recv(s, buf, 4, WSK_FLAG_WAITALL, NULL), STATUS_SUCCESS);
    CHECK(memcmp(buf, "conn", 4) == 0);
    CHECK_STATUS(t_sync_irp_ok(T_SD(cs)->WskListen(cs, t_irp_arm(&ti)), &ti),
                 STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(
        t_sync_irp_ok(T_SD(cs)->WskAccept(cs, 0, NULL, NULL, NULL, NULL, t_irp_arm(&ti)), &ti),
        STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(t_sync_irp_ok(T_SD(cs)->WskDisconnect(cs, NULL, 0, t_irp_arm(&ti)), &ti),
                 STATUS_SUCCESS);
    CHECK_STATUS(t_recv(s, buf, 4, 0, NULL), STATUS_SUCCESS);
    CHECK_UINT(ti.irp->IoStatus.Information, 0);
    IoFreeMdl(b.Mdl);
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    CHECK_STATUS(t_close(cs), STATUS_SUCCESS);
    CHECK_STATUS(t_close(ls), STATUS_SUCCESS);
    t_irp_free(&ti);
    t_wsk_stop();
    return t_done();
}
