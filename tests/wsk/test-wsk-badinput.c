/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bad input never crashes and gets the Windows status, and every IRP given to a DDI is
 * completed exactly once even on error (a NULL IRP is refused synchronously): NULL IRP,
 * NULL/garbage client and socket, unknown flags, a WSK_BUF longer than its MDL, the wrong
 * socket category, calls in the wrong state and after close. */
#include <string.h>

#include "lxpeer.h"
#include "wsk_t.h"

static struct t_irp ti;

/* The call's return value equals the IRP's status, which it completed once. */
#define CALL(expr, expected) CHECK_STATUS(t_sync_irp_ok((expr), &ti), (expected))

int main(void)
{
    SOCKADDR_STORAGE a;
    PWSK_SOCKET l, c, basic, dead;
    int port, lport, lfd, fd;
    char buf[16];
    WSK_BUF b, shortb, nob = {NULL, 0, 4};
    WSK_SOCKET fake = {NULL};
    NTSTATUS st;

    t_wsk_start();
    t_irp_init(&ti);

    /* WskSocket: NULL IRP is refused synchronously; NULL client gets STATUS_INVALID_HANDLE
     * (WINE-T, observed on Windows). */
    CHECK_STATUS(t_npi.Dispatch->WskSocket(t_npi.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                           WSK_FLAG_LISTEN_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                           NULL),
                 STATUS_INVALID_PARAMETER);
    CALL(t_npi.Dispatch->WskSocket(NULL, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET,
                                   NULL, NULL, NULL, NULL, NULL, t_irp_arm(&ti)),
         STATUS_INVALID_HANDLE);
    CALL(t_npi.Dispatch->WskSocket((PWSK_CLIENT)&fake, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                   WSK_FLAG_LISTEN_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                   t_irp_arm(&ti)),
         STATUS_INVALID_HANDLE);
    /* Two category flags at once, an unknown family. */
    CALL(t_npi.Dispatch->WskSocket(t_npi.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                   WSK_FLAG_LISTEN_SOCKET | WSK_FLAG_CONNECTION_SOCKET, NULL, NULL,
                                   NULL, NULL, NULL, t_irp_arm(&ti)),
         STATUS_INVALID_PARAMETER);
    CALL(t_npi.Dispatch->WskSocket(t_npi.Client, 1234, SOCK_STREAM, IPPROTO_TCP,
                                   WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                   t_irp_arm(&ti)),
         STATUS_NOT_SUPPORTED);
    /* A UDP listening socket: created, but its bind fails with STATUS_NOT_IMPLEMENTED
     * (Windows, as observed by Wine's driver tests). */
    st = t_npi.Dispatch->WskSocket(t_npi.Client, AF_INET, SOCK_DGRAM, IPPROTO_UDP,
                                   WSK_FLAG_LISTEN_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                   t_irp_arm(&ti));
    CHECK_STATUS(t_sync_irp_ok(st, &ti), STATUS_SUCCESS);
    l = (PWSK_SOCKET)ti.irp->IoStatus.Information;
    t_any(&a, 0);
    CALL(T_LD(l)->WskBind(l, (PSOCKADDR)&a, 0, t_irp_arm(&ti)), STATUS_NOT_IMPLEMENTED);
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);

    /* Connect on an unbound socket: returns and completes STATUS_INVALID_DEVICE_STATE. */
    c = t_socket(AF_INET, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, NULL);
    l = t_listener(0, &port, NULL, NULL);
    t_addr(&a, 0, port);
    CALL(T_CD(c)->WskConnect(c, (PSOCKADDR)&a, 0, t_irp_arm(&ti)), STATUS_INVALID_DEVICE_STATE);
    CHECK_UINT(ti.irp->IoStatus.Information, 0);
    CALL(T_CD(c)->WskGetLocalAddress(c, (PSOCKADDR)&a, t_irp_arm(&ti)),
         STATUS_INVALID_DEVICE_STATE);
    CALL(T_CD(c)->WskGetRemoteAddress(c, (PSOCKADDR)&a, t_irp_arm(&ti)),
         STATUS_INVALID_DEVICE_STATE);
    /* I/O before connect. */
    b.Mdl = t_mdl(buf, sizeof(buf));
    b.Offset = 0;
    b.Length = sizeof(buf);
    CALL(T_CD(c)->WskSend(c, &b, 0, t_irp_arm(&ti)), STATUS_INVALID_DEVICE_STATE);
    CALL(T_CD(c)->WskReceive(c, &b, 0, t_irp_arm(&ti)), STATUS_INVALID_DEVICE_STATE);
    /* NULL IRP on socket functions. */
    CHECK_STATUS(T_CD(c)->WskSend(c, &b, 0, NULL), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(T_CD(c)->WskBind(c, (PSOCKADDR)&a, 0, NULL), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(T_CD(c)->WskCloseSocket(c, NULL), STATUS_INVALID_PARAMETER);
    /* Bind: reserved flags, NULL address, unknown family. */
    t_any(&a, 0);
    CALL(T_CD(c)->WskBind(c, (PSOCKADDR)&a, 1, t_irp_arm(&ti)), STATUS_INVALID_PARAMETER);
    CALL(T_CD(c)->WskBind(c, NULL, 0, t_irp_arm(&ti)), STATUS_INVALID_PARAMETER);
    a.ss_family = 99;
    CALL(T_CD(c)->WskBind(c, (PSOCKADDR)&a, 0, t_irp_arm(&ti)), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(t_close(c), STATUS_SUCCESS);

    /* A connected pair for the data-path checks. */
    lfd = lx_listen(0, &lport);
    c = t_connect(0, lport, NULL, NULL, NULL);
    fd = lx_accept(lfd, T_WAIT);
    /* Unknown send flag -> STATUS_NOT_SUPPORTED; WAITALL|DRAIN, DRAIN with a buffer. */
    CALL(T_CD(c)->WskSend(c, &b, 0x100, t_irp_arm(&ti)), STATUS_NOT_SUPPORTED);
    CALL(T_CD(c)->WskSend(c, &b, WSK_FLAG_OOB, t_irp_arm(&ti)), STATUS_NOT_SUPPORTED);
    CALL(T_CD(c)->WskReceive(c, &b, 0x100, t_irp_arm(&ti)), STATUS_NOT_SUPPORTED);
    CALL(T_CD(c)->WskReceive(c, &b, WSK_FLAG_WAITALL | WSK_FLAG_DRAIN, t_irp_arm(&ti)),
         STATUS_INVALID_PARAMETER);
    CALL(T_CD(c)->WskReceive(c, &b, WSK_FLAG_DRAIN, t_irp_arm(&ti)), STATUS_INVALID_PARAMETER);
    /* A WSK_BUF longer than its MDL chain; Offset outside the first MDL; no MDL. */
    shortb = b;
    shortb.Length = sizeof(buf) + 1;
    CALL(T_CD(c)->WskSend(c, &shortb, 0, t_irp_arm(&ti)), STATUS_INVALID_PARAMETER);
    CALL(T_CD(c)->WskReceive(c, &shortb, 0, t_irp_arm(&ti)), STATUS_INVALID_PARAMETER);
    shortb.Length = 1;
    shortb.Offset = sizeof(buf) + 3;
    CALL(T_CD(c)->WskSend(c, &shortb, 0, t_irp_arm(&ti)), STATUS_INVALID_PARAMETER);
    CALL(T_CD(c)->WskSend(c, &nob, 0, t_irp_arm(&ti)), STATUS_INVALID_PARAMETER);
    CALL(T_CD(c)->WskSend(c, NULL, 0, t_irp_arm(&ti)), STATUS_INVALID_PARAMETER);
    /* Disconnect: unknown flag. */
    CALL(T_CD(c)->WskDisconnect(c, NULL, 0x10, t_irp_arm(&ti)), STATUS_INVALID_PARAMETER);
    /* ConnectEx flags and size rules; bind after connect. */
    t_addr(&a, 0, lport);
    CALL(T_CD(c)->WskConnectEx(c, (PSOCKADDR)&a, NULL, 1, t_irp_arm(&ti)),
         STATUS_INVALID_PARAMETER);
    CALL(T_CD(c)->WskConnect(c, (PSOCKADDR)&a, 0, t_irp_arm(&ti)), STATUS_INVALID_DEVICE_STATE);
    /* WskRelease of something never indicated. */
    {
        WSK_DATA_INDICATION bogus = {NULL, {NULL, 0, 0}};

        CHECK_STATUS(T_CD(c)->WskRelease(c, &bogus), STATUS_INVALID_PARAMETER);
        CHECK_STATUS(T_CD(c)->WskRelease(c, NULL), STATUS_INVALID_PARAMETER);
    }

    /* Wrong category: a function taken from one socket's table called on a socket of
     * another category (a driver mixing up its sockets). */
    CALL(T_LD(l)->WskAccept(c, 0, NULL, NULL, NULL, NULL, t_irp_arm(&ti)),
         STATUS_INVALID_DEVICE_REQUEST);
    CALL(T_CD(c)->WskSend(l, &b, 0, t_irp_arm(&ti)), STATUS_INVALID_DEVICE_REQUEST);
    CALL(T_CD(c)->WskGetRemoteAddress(l, (PSOCKADDR)&a, t_irp_arm(&ti)),
         STATUS_INVALID_DEVICE_REQUEST);
    CALL(T_LD(l)->WskAccept(l, 7, NULL, NULL, NULL, NULL, t_irp_arm(&ti)),
         STATUS_INVALID_PARAMETER);
    {
        PWSK_SOCKET st_sock = t_socket(AF_INET, WSK_FLAG_STREAM_SOCKET, NULL, NULL, &st);

        CHECK_STATUS(st, STATUS_SUCCESS);
        CALL(T_SD(st_sock)->WskListen(c, t_irp_arm(&ti)), STATUS_INVALID_DEVICE_REQUEST);
        /* Stream socket: listen before bind. */
        CALL(T_SD(st_sock)->WskListen(st_sock, t_irp_arm(&ti)), STATUS_INVALID_DEVICE_STATE);
        CHECK_STATUS(t_close(st_sock), STATUS_SUCCESS);
    }
    /* Basic sockets have only control and close; their table has nothing else. */
    basic = t_socket(AF_INET, WSK_FLAG_BASIC_SOCKET, NULL, NULL, &st);
    CHECK_STATUS(st, STATUS_SUCCESS);
    CALL(T_LD(l)->WskBind(basic, (PSOCKADDR)&a, 0, t_irp_arm(&ti)), STATUS_INVALID_DEVICE_REQUEST);
    CHECK_STATUS(t_close(basic), STATUS_SUCCESS);

    /* NULL and garbage sockets. */
    CALL(T_CD(c)->WskSend(NULL, &b, 0, t_irp_arm(&ti)), STATUS_INVALID_HANDLE);
    CALL(T_CD(c)->WskSend(&fake, &b, 0, t_irp_arm(&ti)), STATUS_INVALID_HANDLE);
    CALL(T_CD(c)->WskCloseSocket(NULL, t_irp_arm(&ti)), STATUS_INVALID_HANDLE);

    /* Calls after close: the socket is gone, the IRP still completes. */
    dead = c;
    CHECK_STATUS(t_close(c), STATUS_SUCCESS);
    CALL(T_CD(c)->WskSend(dead, &b, 0, t_irp_arm(&ti)), STATUS_INVALID_HANDLE);
    CALL(T_CD(c)->WskReceive(dead, &b, 0, t_irp_arm(&ti)), STATUS_INVALID_HANDLE);
    CALL(T_CD(c)->WskCloseSocket(dead, t_irp_arm(&ti)), STATUS_INVALID_HANDLE);
    CHECK_STATUS(T_CD(c)->WskControlSocket(dead, WskIoctl, SIO_WSK_QUERY_INSPECT_ID, 0, 0, NULL, 0,
                                           NULL, NULL, NULL),
                 STATUS_INVALID_HANDLE);

    /* Client-level bad input. */
    CHECK_STATUS(t_npi.Dispatch->WskControlClient(t_npi.Client, 999, 0, NULL, 0, NULL, NULL, NULL),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(t_npi.Dispatch->WskControlClient(NULL, WSK_TRANSPORT_LIST_QUERY, 0, NULL, 0, NULL,
                                                  NULL, NULL),
                 STATUS_INVALID_HANDLE);
    CHECK_STATUS(WskCaptureProviderNPI(NULL, WSK_NO_WAIT, &t_npi), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(WskRegister(NULL, &t_reg), STATUS_INVALID_PARAMETER);

    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
    IoFreeMdl(b.Mdl);
    t_irp_free(&ti);
    lx_close(fd);
    lx_close(lfd);
    t_wsk_stop();
    return t_done();
}
