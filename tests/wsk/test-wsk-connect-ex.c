/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WskConnectEx (connection member 10, stream member 12) with a first buffer: the peer gets
 * exactly those bytes first; reserved flags and a buffer over 65,535 bytes are refused.
 * WskSendEx/WskReceiveEx (connection 11/12, stream 13/14) with no control data behave as
 * WskSend/WskReceive; unsupported flags and control data are refused with a Windows status. */
#include <string.h>

#include "lxpeer.h"
#include "wsk_t.h"

static struct t_irp ti;

/* A bound (wildcard, port 0) socket of the connection or stream category. */
static PWSK_SOCKET bound(int v6, int stream)
{
    SOCKADDR_STORAGE a;
    PWSK_SOCKET s = t_socket(v6 ? AF_INET6 : AF_INET,
                             stream ? WSK_FLAG_STREAM_SOCKET : WSK_FLAG_CONNECTION_SOCKET, NULL,
                             NULL, NULL);

    CHECK(s != NULL);
    if (!s)
        return NULL;
    t_any(&a, v6);
    CHECK_STATUS(t_sync_irp_ok(T_CD(s)->WskBind(s, (PSOCKADDR)&a, 0, t_irp_arm(&ti)), &ti),
                 STATUS_SUCCESS);
    return s;
}

static NTSTATUS connect_ex(PWSK_SOCKET s, int stream, const SOCKADDR_STORAGE *to, PWSK_BUF b,
                           ULONG flags)
{
    PFN_WSK_CONNECT_EX fn = stream ? T_SD(s)->WskConnectEx : T_CD(s)->WskConnectEx;

    return t_sync_irp_ok(fn(s, (PSOCKADDR)to, b, flags, t_irp_arm(&ti)), &ti);
}

static NTSTATUS send_ex(PWSK_SOCKET s, int stream, const void *p, size_t len, ULONG flags,
                        ULONG clen, PCMSGHDR ctl, ULONG_PTR *info)
{
    WSK_BUF b = {t_mdl((void *)p, len), 0, len};
    NTSTATUS st = stream ? T_SD(s)->WskSendEx(s, &b, flags, clen, ctl, t_irp_arm(&ti))
                         : T_CD(s)->WskSendEx(s, &b, flags, clen, ctl, t_irp_arm(&ti));

    st = t_sync_irp_ok(st, &ti);
    *info = ti.irp->IoStatus.Information;
    IoFreeMdl(b.Mdl);
    return st;
}

static NTSTATUS recv_ex(PWSK_SOCKET s, int stream, void *p, size_t len, ULONG flags,
                        ULONG *clen, ULONG *cflags, ULONG_PTR *info)
{
    union {
        unsigned char b[64];
        CMSGHDR h;
    } ctl;
    WSK_BUF b = {t_mdl(p, len), 0, len};
    NTSTATUS st = stream ? T_SD(s)->WskReceiveEx(s, &b, flags, clen, &ctl.h, cflags,
                                                 t_irp_arm(&ti))
                         : T_CD(s)->WskReceiveEx(s, &b, flags, clen, &ctl.h, cflags,
                                                 t_irp_arm(&ti));

    st = t_sync_irp_ok(st, &ti);
    *info = ti.irp->IoStatus.Information;
    IoFreeMdl(b.Mdl);
    return st;
}

static void first_buffer(int v6, int stream)
{
    static const char first[] = "first-bytes-of-connect-ex";
    SOCKADDR_STORAGE to;
    WSK_BUF b;
    PWSK_SOCKET s = bound(v6, stream);
    int lport, lfd = lx_listen(v6, &lport), fd;
    char buf[64];
    ULONG_PTR info;

    if (!s)
        return;
    t_addr(&to, v6, lport);
    b.Mdl = t_mdl((void *)first, sizeof(first) - 1);
    b.Offset = 0;
    b.Length = sizeof(first) - 1;
    CHECK_STATUS(connect_ex(s, stream, &to, &b, 0), STATUS_SUCCESS);
    CHECK_UINT(ti.irp->IoStatus.Information, 0);
    IoFreeMdl(b.Mdl);
    fd = lx_accept(lfd, T_WAIT);
    CHECK(fd >= 0);
    /* A later send follows the connect buffer on the stream. */
    CHECK_STATUS(send_ex(s, stream, "+then", 5, 0, 0, NULL, &info), STATUS_SUCCESS);
    CHECK_UINT(info, 5);
    memset(buf, 0, sizeof(buf));
    CHECK_INT(lx_recv_all(fd, buf, sizeof(first) - 1 + 5, T_WAIT), sizeof(first) - 1 + 5);
    CHECK_STR(buf, "first-bytes-of-connect-ex+then");

    /* WskReceiveEx, no control data: WskReceive; the control outputs say "none". */
    {
        ULONG clen = 64, cflags = 0xdeadbeef;

        CHECK_INT(lx_send_all(fd, "back", 4), 0);
        memset(buf, 0, sizeof(buf));
        CHECK_STATUS(recv_ex(s, stream, buf, 4, WSK_FLAG_WAITALL, &clen, &cflags, &info),
                     STATUS_SUCCESS);
        CHECK_UINT(info, 4);
        CHECK_STR(buf, "back");
        CHECK_UINT(clen, 0);
        CHECK_UINT(cflags, 0);
        /* Unsupported receive flag: WskReceive's rule (STATUS_NOT_SUPPORTED). */
        CHECK_STATUS(recv_ex(s, stream, buf, 4, 0x40000000, &clen, &cflags, &info),
                     STATUS_NOT_SUPPORTED);
        CHECK_UINT(info, 0);
        /* The refused receive consumed nothing. */
        CHECK_INT(lx_send_all(fd, "more", 4), 0);
        memset(buf, 0, sizeof(buf));
        CHECK_STATUS(recv_ex(s, stream, buf, 4, WSK_FLAG_WAITALL, NULL, NULL, &info),
                     STATUS_SUCCESS);
        CHECK_STR(buf, "more");
    }
    /* WskSendEx: unsupported flag, and control data TCP cannot carry. */
    {
        union {
            unsigned char b[32];
            CMSGHDR h;
        } ctl;

        CHECK_STATUS(send_ex(s, stream, "x", 1, 0x40000000, 0, NULL, &info),
                     STATUS_NOT_SUPPORTED);
        CHECK_UINT(info, 0);
        memset(&ctl, 0, sizeof(ctl));
        ctl.h.cmsg_len = CMSG_LEN(sizeof(ULONG));
        ctl.h.cmsg_level = IPPROTO_IP;
        ctl.h.cmsg_type = IP_PKTINFO;
        CHECK_STATUS(send_ex(s, stream, "x", 1, 0, (ULONG)ctl.h.cmsg_len, &ctl.h, &info),
                     STATUS_NOT_SUPPORTED);
        CHECK_UINT(info, 0);
        /* NULL IRP: synchronous STATUS_INVALID_PARAMETER. */
        CHECK_STATUS(stream ? T_SD(s)->WskSendEx(s, NULL, 0, 0, NULL, NULL)
                            : T_CD(s)->WskSendEx(s, NULL, 0, 0, NULL, NULL),
                     STATUS_INVALID_PARAMETER);
        /* Nothing of the refused sends reached the peer. */
        CHECK_STATUS(send_ex(s, stream, "end", 3, WSK_FLAG_NODELAY, 0, NULL, &info),
                     STATUS_SUCCESS);
        memset(buf, 0, sizeof(buf));
        CHECK_INT(lx_recv_all(fd, buf, 3, T_WAIT), 3);
        CHECK_STR(buf, "end");
    }
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    lx_close(fd);
    lx_close(lfd);
}

static void bad_input(int stream)
{
    static unsigned char big[65536];
    SOCKADDR_STORAGE to;
    WSK_BUF b = {t_mdl(big, sizeof(big)), 0, sizeof(big)};
    PWSK_SOCKET s = bound(0, stream);
    int lport, lfd = lx_listen(0, &lport), fd;

    if (!s)
        return;
    t_addr(&to, 0, lport);
    /* Reserved flags, then one byte over the 65,535-byte limit. */
    CHECK_STATUS(connect_ex(s, stream, &to, NULL, 1), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(connect_ex(s, stream, &to, &b, 0), STATUS_BUFFER_OVERFLOW);
    CHECK_INT(lx_accept(lfd, 50), -1); /* neither attempt connected */
    /* Still connectable: exactly 65,535 bytes are allowed and arrive whole. */
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (unsigned char)(i * 13 + 7);
    b.Length = 65535;
    CHECK_STATUS(connect_ex(s, stream, &to, &b, 0), STATUS_SUCCESS);
    fd = lx_accept(lfd, T_WAIT);
    CHECK(fd >= 0);
    {
        static unsigned char got[65535];

        CHECK_INT(lx_recv_all(fd, got, sizeof(got), T_WAIT), sizeof(got));
        CHECK(memcmp(got, big, sizeof(got)) == 0);
    }
    /* A second connect on a connected socket is a state error. */
    CHECK_STATUS(connect_ex(s, stream, &to, NULL, 0), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    IoFreeMdl(b.Mdl);
    lx_close(fd);
    lx_close(lfd);
}

static void refused(void)
{
    SOCKADDR_STORAGE to;
    WSK_BUF b = {t_mdl("lost", 4), 0, 4};
    PWSK_SOCKET s = bound(0, 0);

    if (!s)
        return;
    t_addr(&to, 0, lx_unused_port());
    CHECK_STATUS(connect_ex(s, 0, &to, &b, 0), STATUS_CONNECTION_REFUSED);
    CHECK_UINT(ti.irp->IoStatus.Information, 0);
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    IoFreeMdl(b.Mdl);
}

int main(void)
{
    t_wsk_start();
    t_irp_init(&ti);
    first_buffer(0, 0);
    first_buffer(1, 0);
    first_buffer(0, 1);
    first_buffer(1, 1);
    bad_input(0);
    bad_input(1);
    refused();
    t_irp_free(&ti);
    t_wsk_stop();
    return t_done();
}
