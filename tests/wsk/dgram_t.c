/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Driver-side helpers of the datagram conformance tests (see dgram_t.h). */
#include <string.h>

#include "dgram_t.h"

static struct t_irp ti;
static int ti_ready;

static PIRP arm(void)
{
    if (!ti_ready) {
        t_irp_init(&ti);
        ti_ready = 1;
    }
    return t_irp_arm(&ti);
}

/* The call's return and the IRP must agree (wsk-reference 3.1). */
static NTSTATUS finish(NTSTATUS st, ULONG_PTR *ret_info)
{
    NTSTATUS fin = t_irp_wait(&ti, T_WAIT);

    if (st != STATUS_PENDING)
        CHECK_STATUS(fin, st);
    CHECK_INT(ti.done, 1);
    if (ret_info)
        *ret_info = ti.irp->IoStatus.Information;
    return fin;
}

PWSK_SOCKET d_socket(ADDRESS_FAMILY af, PVOID ctx, const WSK_CLIENT_DATAGRAM_DISPATCH *disp,
                     NTSTATUS *ret_st)
{
    ULONG_PTR info = 0;
    NTSTATUS st = t_npi.Dispatch->WskSocket(t_npi.Client, af, SOCK_DGRAM, IPPROTO_UDP,
                                            WSK_FLAG_DATAGRAM_SOCKET, ctx, disp, NULL, NULL,
                                            NULL, arm());

    st = finish(st, &info);
    if (ret_st)
        *ret_st = st;
    return NT_SUCCESS(st) ? (PWSK_SOCKET)info : NULL;
}

NTSTATUS d_bind(PWSK_SOCKET s, int v6, int any, int *ret_port)
{
    SOCKADDR_STORAGE a;
    ULONG_PTR info;
    NTSTATUS st;

    if (any)
        t_any(&a, v6);
    else
        t_addr(&a, v6, 0);
    st = finish(T_DD(s)->WskBind(s, (PSOCKADDR)&a, 0, arm()), &info);
    if (!NT_SUCCESS(st))
        return st;
    CHECK_UINT(info, 0);
    memset(&a, 0, sizeof(a));
    st = finish(T_DD(s)->WskGetLocalAddress(s, (PSOCKADDR)&a, arm()), NULL);
    CHECK_STATUS(st, STATUS_SUCCESS);
    CHECK_INT(a.ss_family, v6 ? AF_INET6 : AF_INET);
    if (ret_port)
        *ret_port = t_port(&a);
    return st;
}

NTSTATUS d_sendto(PWSK_SOCKET s, const void *buf, size_t len, const SOCKADDR_STORAGE *to,
                  ULONG_PTR *ret_info)
{
    WSK_BUF b;
    NTSTATUS st;

    b.Mdl = len ? t_mdl((void *)buf, len) : NULL;
    b.Offset = 0;
    b.Length = len;
    st = finish(T_DD(s)->WskSendTo(s, &b, 0, (PSOCKADDR)to, 0, NULL, arm()), ret_info);
    if (b.Mdl)
        IoFreeMdl(b.Mdl);
    return st;
}

NTSTATUS d_recvfrom(PWSK_SOCKET s, void *buf, size_t len, SOCKADDR_STORAGE *from, void *ctl,
                    ULONG *ctl_len, ULONG *ctl_flags, ULONG_PTR *ret_info)
{
    WSK_BUF b;
    NTSTATUS st;

    b.Mdl = len ? t_mdl(buf, len) : NULL;
    b.Offset = 0;
    b.Length = len;
    st = finish(T_DD(s)->WskReceiveFrom(s, &b, 0, (PSOCKADDR)from, ctl_len, ctl, ctl_flags,
                                        arm()),
                ret_info);
    if (b.Mdl)
        IoFreeMdl(b.Mdl);
    return st;
}

NTSTATUS d_ioctl(PWSK_SOCKET s, ULONG code, const SOCKADDR_STORAGE *sa, SIZE_T size)
{
    return finish(T_DD(s)->WskControlSocket(s, WskIoctl, code, 0, sa ? size : 0, (PVOID)sa, 0,
                                            NULL, NULL, arm()),
                  NULL);
}

NTSTATUS d_setopt_buf(PWSK_SOCKET s, ULONG level, ULONG code, const void *buf, SIZE_T size)
{
    return finish(T_DD(s)->WskControlSocket(s, WskSetOption, code, level, size, (PVOID)buf, 0,
                                            NULL, NULL, arm()),
                  NULL);
}
