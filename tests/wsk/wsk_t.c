/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Driver-side helpers of the WSK conformance tests (see wsk_t.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openwsk/host.h>

#include "wsk/wsk.h"
#include "wsk_t.h"

WSK_REGISTRATION t_reg;
WSK_PROVIDER_NPI t_npi;
LONG t_seq;
const WSK_CLIENT_DISPATCH t_client_dispatch = {MAKE_WSK_VERSION(1, 0), 0, NULL};

static struct t_sync_irp sync;

void t_wsk_start(void)
{
    WSK_CLIENT_NPI npi = {NULL, &t_client_dispatch};
    NTSTATUS st;

    if (owsk_host_start(NULL) != 0) {
        fprintf(stderr, "owsk_host_start failed\n");
        exit(1);
    }
    st = WskRegister(&npi, &t_reg);
    CHECK_STATUS(st, STATUS_SUCCESS);
    st = WskCaptureProviderNPI(&t_reg, T_WAIT, &t_npi);
    CHECK_STATUS(st, STATUS_SUCCESS);
    if (!NT_SUCCESS(st))
        exit(t_done());
    t_sync_irp_init(&sync);
}

static void *deregister_thread(void *arg)
{
    WskDeregister(&t_reg);
    return NULL;
}

void t_wsk_stop(void)
{
    pthread_t th;
    struct timespec until;

    t_sync_irp_free(&sync);
    WskReleaseProviderNPI(&t_reg);
    /* WskDeregister waits until every socket of the client is closed (as on Windows). A
     * test that failed half-way may leave one open: end with a message, not a timeout. */
    if (pthread_create(&th, NULL, deregister_thread, NULL) != 0) {
        WskDeregister(&t_reg);
    } else {
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 2 * T_WAIT / 1000;
        if (pthread_timedjoin_np(th, NULL, &until) != 0) {
            t_fail(__FILE__, __LINE__,
                   "WskDeregister did not return within %d ms (%llu sockets open)", 2 * T_WAIT,
                   (unsigned long long)owsk_wsk_sockets_outstanding(0));
            fflush(NULL);
            _Exit(t_done()); /* the deregistering thread is stuck: do not unwind */
        }
    }
    owsk_host_stop();
}

static NTSTATUS irp_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    struct t_irp *t = Context;

    t->irql = KeGetCurrentIrql();
    InterlockedIncrement(&t->done);
    InterlockedExchange(&t->seq, InterlockedIncrement(&t_seq));
    KeSetEvent(&t->ev, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

void t_irp_init(struct t_irp *t)
{
    memset(t, 0, sizeof(*t));
    t->irp = IoAllocateIrp(1, FALSE);
    KeInitializeEvent(&t->ev, NotificationEvent, FALSE);
}

PIRP t_irp_arm(struct t_irp *t)
{
    IoReuseIrp(t->irp, STATUS_UNSUCCESSFUL);
    t->irp->IoStatus.Status = (NTSTATUS)0xdeadbeef;
    t->irp->IoStatus.Information = (ULONG_PTR)0xdeadbeefdeadbeefull;
    t->seq = 0;
    t->done = 0;
    KeClearEvent(&t->ev);
    IoSetCompletionRoutine(t->irp, irp_done, t, TRUE, TRUE, TRUE);
    return t->irp;
}

BOOLEAN t_irp_wait_quiet(struct t_irp *t, unsigned ms)
{
    LARGE_INTEGER to;

    to.QuadPart = -(LONGLONG)ms * 10000;
    return KeWaitForSingleObject(&t->ev, Executive, KernelMode, FALSE, &to) == STATUS_SUCCESS;
}

NTSTATUS t_irp_wait(struct t_irp *t, unsigned ms)
{
    if (!t_irp_wait_quiet(t, ms)) {
        t_fail(__FILE__, __LINE__, "IRP %p not completed within %u ms", (void *)t->irp, ms);
        return STATUS_TIMEOUT;
    }
    return t->irp->IoStatus.Status;
}

NTSTATUS t_sync_irp_ok(NTSTATUS r, struct t_irp *t)
{
    NTSTATUS done = t_irp_wait(t, T_WAIT);

    if (r != STATUS_PENDING && r != done)
        t_fail(__FILE__, __LINE__, "call returned %s but the IRP completed with %s",
               t_status_name(r), t_status_name(done));
    if (t->done != 1)
        t_fail(__FILE__, __LINE__, "IRP %p completed %d times", (void *)t->irp, (int)t->done);
    return done;
}

void t_irp_free(struct t_irp *t)
{
    IoFreeIrp(t->irp);
    t->irp = NULL;
}

static USHORT swap16(USHORT v)
{
    return (USHORT)((v >> 8) | (v << 8));
}

void t_addr(SOCKADDR_STORAGE *ss, int v6, int port)
{
    memset(ss, 0, sizeof(*ss));
    if (v6) {
        SOCKADDR_IN6 *a = (SOCKADDR_IN6 *)ss;

        a->sin6_family = AF_INET6;
        a->sin6_port = swap16((USHORT)port);
        a->sin6_addr.u.Byte[15] = 1;
    } else {
        SOCKADDR_IN *a = (SOCKADDR_IN *)ss;

        a->sin_family = AF_INET;
        a->sin_port = swap16((USHORT)port);
        a->sin_addr.S_un.S_un_b.s_b1 = 127;
        a->sin_addr.S_un.S_un_b.s_b4 = 1;
    }
}

void t_any(SOCKADDR_STORAGE *ss, int v6)
{
    memset(ss, 0, sizeof(*ss));
    ss->ss_family = v6 ? AF_INET6 : AF_INET;
}

USHORT t_port(const SOCKADDR_STORAGE *ss)
{
    return swap16(((const SOCKADDR_IN *)ss)->sin_port);
}

PMDL t_mdl(void *p, size_t len)
{
    PMDL m = IoAllocateMdl(p, (ULONG)len, FALSE, FALSE, NULL);

    if (m)
        MmBuildMdlForNonPagedPool(m);
    return m;
}

PWSK_SOCKET t_socket(ADDRESS_FAMILY af, ULONG flags, PVOID ctx, const VOID *disp, NTSTATUS *ret_st)
{
    NTSTATUS st;

    st = t_npi.Dispatch->WskSocket(t_npi.Client, af, SOCK_STREAM, IPPROTO_TCP, flags, ctx, disp,
                                   NULL, NULL, NULL, t_sync_irp_arm(&sync));
    st = t_sync_irp_result(&sync, st, T_WAIT);
    if (ret_st)
        *ret_st = st;
    return NT_SUCCESS(st) ? (PWSK_SOCKET)sync.irp->IoStatus.Information : NULL;
}

NTSTATUS t_close(PWSK_SOCKET s)
{
    NTSTATUS st = T_BD(s)->WskCloseSocket(s, t_sync_irp_arm(&sync));

    return t_sync_irp_result(&sync, st, T_WAIT);
}

PWSK_SOCKET t_listener(int v6, int *ret_port, PVOID ctx, const WSK_CLIENT_LISTEN_DISPATCH *disp)
{
    SOCKADDR_STORAGE a;
    PWSK_SOCKET s = t_socket(v6 ? AF_INET6 : AF_INET, WSK_FLAG_LISTEN_SOCKET, ctx, disp, NULL);
    NTSTATUS st;

    CHECK(s != NULL);
    if (!s)
        return NULL;
    t_addr(&a, v6, 0);
    st = T_LD(s)->WskBind(s, (PSOCKADDR)&a, 0, t_sync_irp_arm(&sync));
    CHECK_STATUS(t_sync_irp_result(&sync, st, T_WAIT), STATUS_SUCCESS);
    memset(&a, 0, sizeof(a));
    st = T_LD(s)->WskGetLocalAddress(s, (PSOCKADDR)&a, t_sync_irp_arm(&sync));
    CHECK_STATUS(t_sync_irp_result(&sync, st, T_WAIT), STATUS_SUCCESS);
    *ret_port = t_port(&a);
    return s;
}

PWSK_SOCKET t_connect(int v6, int port, PVOID ctx, const WSK_CLIENT_CONNECTION_DISPATCH *disp,
                      NTSTATUS *ret_st)
{
    SOCKADDR_STORAGE a;
    PWSK_SOCKET s = t_socket(v6 ? AF_INET6 : AF_INET, WSK_FLAG_CONNECTION_SOCKET, ctx, disp, NULL);
    NTSTATUS st;

    CHECK(s != NULL);
    if (!s)
        return NULL;
    t_any(&a, v6);
    st = T_CD(s)->WskBind(s, (PSOCKADDR)&a, 0, t_sync_irp_arm(&sync));
    CHECK_STATUS(t_sync_irp_result(&sync, st, T_WAIT), STATUS_SUCCESS);
    t_addr(&a, v6, port);
    st = T_CD(s)->WskConnect(s, (PSOCKADDR)&a, 0, t_sync_irp_arm(&sync));
    st = t_sync_irp_result(&sync, st, T_WAIT);
    if (ret_st)
        *ret_st = st;
    else
        CHECK_STATUS(st, STATUS_SUCCESS);
    if (!NT_SUCCESS(st)) {
        t_close(s);
        return NULL;
    }
    return s;
}

PWSK_SOCKET t_accept(PWSK_SOCKET listener, PVOID ctx, const WSK_CLIENT_CONNECTION_DISPATCH *disp,
                     SOCKADDR_STORAGE *local, SOCKADDR_STORAGE *remote)
{
    NTSTATUS st = T_LD(listener)->WskAccept(listener, 0, ctx, disp, (PSOCKADDR)local,
                                            (PSOCKADDR)remote, t_sync_irp_arm(&sync));

    st = t_sync_irp_result(&sync, st, T_WAIT);
    CHECK_STATUS(st, STATUS_SUCCESS);
    return NT_SUCCESS(st) ? (PWSK_SOCKET)sync.irp->IoStatus.Information : NULL;
}

NTSTATUS t_send(PWSK_SOCKET s, const void *buf, size_t len, ULONG flags, ULONG_PTR *ret_info)
{
    WSK_BUF b = {len ? t_mdl((void *)buf, len) : NULL, 0, len};
    NTSTATUS st = T_CD(s)->WskSend(s, &b, flags, t_sync_irp_arm(&sync));

    st = t_sync_irp_result(&sync, st, T_WAIT);
    if (ret_info)
        *ret_info = sync.irp->IoStatus.Information;
    if (b.Mdl)
        IoFreeMdl(b.Mdl);
    return st;
}

NTSTATUS t_recv(PWSK_SOCKET s, void *buf, size_t len, ULONG flags, ULONG_PTR *ret_info)
{
    WSK_BUF b = {len ? t_mdl(buf, len) : NULL, 0, len};
    NTSTATUS st = T_CD(s)->WskReceive(s, &b, flags, t_sync_irp_arm(&sync));

    st = t_sync_irp_result(&sync, st, T_WAIT);
    if (ret_info)
        *ret_info = sync.irp->IoStatus.Information;
    if (b.Mdl)
        IoFreeMdl(b.Mdl);
    return st;
}

NTSTATUS t_disconnect(PWSK_SOCKET s, ULONG flags)
{
    NTSTATUS st = T_CD(s)->WskDisconnect(s, NULL, flags, t_sync_irp_arm(&sync));

    return t_sync_irp_result(&sync, st, T_WAIT);
}

NTSTATUS t_setopt(PWSK_SOCKET s, ULONG level, ULONG code, ULONG value)
{
    NTSTATUS st = T_BD(s)->WskControlSocket(s, WskSetOption, code, level, sizeof(value), &value, 0,
                                            NULL, NULL, t_sync_irp_arm(&sync));

    return t_sync_irp_result(&sync, st, T_WAIT);
}

NTSTATUS t_getopt(PWSK_SOCKET s, ULONG level, ULONG code, ULONG *ret_value)
{
    NTSTATUS st =
        T_BD(s)->WskControlSocket(s, WskGetOption, code, level, 0, NULL, sizeof(*ret_value),
                                  ret_value, NULL, t_sync_irp_arm(&sync));

    st = t_sync_irp_result(&sync, st, T_WAIT);
    if (NT_SUCCESS(st))
        CHECK_UINT(sync.irp->IoStatus.Information, sizeof(ULONG));
    return st;
}

NTSTATUS t_event(PWSK_SOCKET s, ULONG mask)
{
    WSK_EVENT_CALLBACK_CONTROL c = {&NPI_WSK_INTERFACE_ID, mask};

    return T_BD(s)->WskControlSocket(s, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof(c),
                                     &c, 0, NULL, NULL, NULL);
}
