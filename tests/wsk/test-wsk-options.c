/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WskControlSocket: Windows option levels and numbers round-trip (SOL_SOCKET 0xffff,
 * SO_REUSEADDR, SO_KEEPALIVE, SO_RCVBUF/SO_SNDBUF as requested, SO_LINGER's USHORT pair,
 * TCP_NODELAY, TCP_KEEPALIVE/KEEPCNT/KEEPINTVL, IPV6_V6ONLY with the Windows default),
 * the provider's own options (SO_EXCLUSIVEADDRUSE, SO_CONDITIONAL_ACCEPT), the IRP rules,
 * the WSK IOCTLs (receive and ideal send backlog, inspect id), unknown codes, and bind
 * conflicts (STATUS_ADDRESS_ALREADY_ASSOCIATED, as Windows returns). */
#include <string.h>

#include "lxpeer.h"
#include "wsk_t.h"

static void roundtrip(PWSK_SOCKET s, ULONG level, ULONG code, ULONG value)
{
    ULONG got = 0xdeadbeef;

    CHECK_STATUS(t_setopt(s, level, code, value), STATUS_SUCCESS);
    CHECK_STATUS(t_getopt(s, level, code, &got), STATUS_SUCCESS);
    CHECK_UINT(got, value);
}

static struct t_irp ti;

static void socket_options(void)
{
    PWSK_SOCKET c = t_socket(AF_INET, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, NULL);
    PWSK_SOCKET c6 = t_socket(AF_INET6, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, NULL);
    PWSK_SOCKET l = t_socket(AF_INET, WSK_FLAG_LISTEN_SOCKET, NULL, NULL, NULL);
    USHORT lin[2] = {1, 5}, lgot[2] = {0, 0};
    ULONG v = 0;
    char tiny[2];
    SIZE_T ret = 0;

    roundtrip(c, SOL_SOCKET, SO_REUSEADDR, 1);
    roundtrip(c, SOL_SOCKET, SO_REUSEADDR, 0);
    roundtrip(c, SOL_SOCKET, SO_KEEPALIVE, 1);
    roundtrip(c, SOL_SOCKET, SO_RCVBUF, 65536);
    roundtrip(c, SOL_SOCKET, SO_SNDBUF, 65536);
    roundtrip(c, IPPROTO_TCP, TCP_NODELAY, 1);
    roundtrip(c, IPPROTO_TCP, TCP_KEEPALIVE, 30);
    roundtrip(c, IPPROTO_TCP, TCP_KEEPCNT, 4);
    roundtrip(c, IPPROTO_TCP, TCP_KEEPINTVL, 7);
    /* SO_LINGER is a Windows LINGER {USHORT l_onoff, USHORT l_linger}. */
    CHECK_STATUS(
        t_sync_irp_ok(T_BD(c)->WskControlSocket(c, WskSetOption, SO_LINGER, SOL_SOCKET, sizeof(lin),
                                                lin, 0, NULL, NULL, t_irp_arm(&ti)),
                      &ti),
        STATUS_SUCCESS);
    CHECK_STATUS(
        t_sync_irp_ok(T_BD(c)->WskControlSocket(c, WskGetOption, SO_LINGER, SOL_SOCKET, 0, NULL,
                                                sizeof(lgot), lgot, NULL, t_irp_arm(&ti)),
                      &ti),
        STATUS_SUCCESS);
    CHECK_UINT(ti.irp->IoStatus.Information, sizeof(lgot));
    CHECK(lgot[0] == 1 && lgot[1] == 5);
    /* IPV6_V6ONLY: the Windows default (1), and settable. */
    CHECK_STATUS(t_getopt(c6, IPPROTO_IPV6, IPV6_V6ONLY, &v), STATUS_SUCCESS);
    CHECK_UINT(v, 1);
    roundtrip(c6, IPPROTO_IPV6, IPV6_V6ONLY, 0);

    /* Options take an IRP: without one, STATUS_INVALID_PARAMETER at once. */
    v = 1;
    CHECK_STATUS(T_BD(c)->WskControlSocket(c, WskSetOption, SO_KEEPALIVE, SOL_SOCKET, sizeof(v), &v,
                                           0, NULL, NULL, NULL),
                 STATUS_INVALID_PARAMETER);
    /* Too small an output buffer; too small an input; an unknown option. */
    CHECK_STATUS(
        t_sync_irp_ok(T_BD(c)->WskControlSocket(c, WskGetOption, SO_KEEPALIVE, SOL_SOCKET, 0, NULL,
                                                sizeof(tiny), tiny, NULL, t_irp_arm(&ti)),
                      &ti),
        STATUS_BUFFER_TOO_SMALL);
    CHECK_STATUS(t_sync_irp_ok(T_BD(c)->WskControlSocket(c, WskSetOption, SO_KEEPALIVE, SOL_SOCKET,
                                                         2, tiny, 0, NULL, NULL, t_irp_arm(&ti)),
                               &ti),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(t_setopt(c, SOL_SOCKET, 0x7777, 1), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(t_setopt(c, 0x1234, 1, 1), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(t_sync_irp_ok(T_BD(c)->WskControlSocket(c, (WSK_CONTROL_SOCKET_TYPE)7, 1, 1, 0,
                                                         NULL, 0, NULL, NULL, t_irp_arm(&ti)),
                               &ti),
                 STATUS_INVALID_PARAMETER);

    /* SO_EXCLUSIVEADDRUSE is provider bookkeeping; it excludes SO_REUSEADDR afterwards. */
    roundtrip(l, SOL_SOCKET, (ULONG)SO_EXCLUSIVEADDRUSE, 1);
    CHECK_STATUS(t_setopt(l, SOL_SOCKET, SO_REUSEADDR, 1), STATUS_INVALID_PARAMETER);
    /* SO_CONDITIONAL_ACCEPT: listening sockets only. */
    CHECK_STATUS(t_setopt(c, SOL_SOCKET, SO_CONDITIONAL_ACCEPT, 1), STATUS_INVALID_DEVICE_REQUEST);
    roundtrip(l, SOL_SOCKET, SO_CONDITIONAL_ACCEPT, 1);
    roundtrip(l, SOL_SOCKET, SO_CONDITIONAL_ACCEPT, 0);

    /* IOCTLs: inspect id only on conditionally accepted sockets, no IRP; unknown codes. */
    CHECK_STATUS(T_BD(c)->WskControlSocket(c, WskIoctl, SIO_WSK_QUERY_INSPECT_ID, 0, 0, NULL,
                                           sizeof(WSK_INSPECT_ID), tiny, &ret, NULL),
                 STATUS_INVALID_DEVICE_REQUEST);
    CHECK_STATUS(t_sync_irp_ok(T_BD(c)->WskControlSocket(c, WskIoctl, 0x0F0000FF, 0, 0, NULL, 0,
                                                         NULL, NULL, t_irp_arm(&ti)),
                               &ti),
                 STATUS_NOT_SUPPORTED);
    CHECK_STATUS(t_close(c), STATUS_SUCCESS);
    CHECK_STATUS(t_close(c6), STATUS_SUCCESS);
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
}

static void ioctls_and_bind(void)
{
    int lport, lfd = lx_listen(0, &lport), fd, port;
    PWSK_SOCKET c = t_connect(0, lport, NULL, NULL, NULL), l, l2;
    SIZE_T v = 0;
    SOCKADDR_STORAGE a;
    uint64_t until;

    fd = lx_accept(lfd, T_WAIT);
    CHECK_INT(lx_send_all(fd, "0123456789", 10), 0);
    /* The receive backlog shows the 10 bytes once they have arrived. */
    until = t_now_ms() + T_WAIT;
    do {
        v = 0;
        CHECK_STATUS(
            t_sync_irp_ok(T_BD(c)->WskControlSocket(c, WskIoctl, SIO_WSK_QUERY_RECEIVE_BACKLOG, 0,
                                                    0, NULL, sizeof(v), &v, NULL, t_irp_arm(&ti)),
                          &ti),
            STATUS_SUCCESS);
    } while (v != 10 && t_now_ms() < until);
    CHECK_UINT(v, 10);
    CHECK_UINT(ti.irp->IoStatus.Information, sizeof(SIZE_T));
    v = 0;
    CHECK_STATUS(
        t_sync_irp_ok(T_BD(c)->WskControlSocket(c, WskIoctl, SIO_WSK_QUERY_IDEAL_SEND_BACKLOG, 0, 0,
                                                NULL, sizeof(v), &v, NULL, t_irp_arm(&ti)),
                      &ti),
        STATUS_SUCCESS);
    CHECK(v > 0);
    CHECK_STATUS(T_BD(c)->WskControlSocket(c, WskIoctl, SIO_WSK_QUERY_IDEAL_SEND_BACKLOG, 0, 0,
                                           NULL, sizeof(v), &v, NULL, NULL),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(t_close(c), STATUS_SUCCESS);
    lx_close(fd);
    lx_close(lfd);

    /* A second bind to a port in use. */
    l = t_listener(0, &port, NULL, NULL);
    l2 = t_socket(AF_INET, WSK_FLAG_LISTEN_SOCKET, NULL, NULL, NULL);
    t_addr(&a, 0, port);
    CHECK_STATUS(t_sync_irp_ok(T_LD(l2)->WskBind(l2, (PSOCKADDR)&a, 0, t_irp_arm(&ti)), &ti),
                 STATUS_ADDRESS_ALREADY_ASSOCIATED);
    /* Conditional accept cannot change once bound. */
    CHECK_STATUS(t_setopt(l, SOL_SOCKET, SO_CONDITIONAL_ACCEPT, 1), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(t_close(l2), STATUS_SUCCESS);
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
}

int main(void)
{
    t_wsk_start();
    t_irp_init(&ti);
    socket_options();
    ioctls_and_bind();
    t_irp_free(&ti);
    t_wsk_stop();
    return t_done();
}
