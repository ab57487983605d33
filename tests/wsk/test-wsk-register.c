/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client level: WskRegister before the provider exists (late attach through NMR),
 * WskCaptureProviderNPI with WSK_NO_WAIT, a timeout and WSK_INFINITE_WAIT, capturers woken
 * with STATUS_DEVICE_NOT_READY by WskDeregister, WskDeregister waiting for every NPI release
 * and socket close, WskQueryProviderCharacteristics, NPI_WSK_INTERFACE_ID, WskControlClient
 * (transport list, static callbacks, TDI no-ops, cached SDs, list-change cancellation). */
#include <string.h>

#include <openwsk/host.h>

#include "wsk_t.h"

struct capture_job {
    PWSK_REGISTRATION reg;
    ULONG timeout;
    NTSTATUS st;
    WSK_PROVIDER_NPI npi;
    KEVENT done;
};

static VOID capture_thread(PVOID ctx)
{
    struct capture_job *j = ctx;

    j->st = WskCaptureProviderNPI(j->reg, j->timeout, &j->npi);
    KeSetEvent(&j->done, IO_NO_INCREMENT, FALSE);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

struct dereg_job {
    PWSK_REGISTRATION reg;
    KEVENT done;
};

static VOID dereg_thread(PVOID ctx)
{
    struct dereg_job *j = ctx;

    WskDeregister(j->reg);
    KeSetEvent(&j->done, IO_NO_INCREMENT, FALSE);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static void spawn(PKSTART_ROUTINE fn, PVOID ctx)
{
    HANDLE h;

    CHECK_STATUS(PsCreateSystemThread(&h, THREAD_ALL_ACCESS, NULL, NULL, NULL, fn, ctx),
                 STATUS_SUCCESS);
    ZwClose(h);
}

static BOOLEAN wait_ev(KEVENT *e, unsigned ms)
{
    LARGE_INTEGER to;

    to.QuadPart = -(LONGLONG)ms * 10000;
    return KeWaitForSingleObject(e, Executive, KernelMode, FALSE, &to) == STATUS_SUCCESS;
}

static const WSK_CLIENT_DISPATCH v1 = {MAKE_WSK_VERSION(1, 0), 0, NULL};

static void before_start(void)
{
    WSK_CLIENT_NPI cnpi = {NULL, &v1};
    WSK_REGISTRATION reg, reg2;
    WSK_PROVIDER_NPI npi;
    WSK_PROVIDER_CHARACTERISTICS ch;
    struct capture_job j, k;
    uint64_t t0;

    CHECK_STATUS(WskRegister(&cnpi, &reg), STATUS_SUCCESS);
    /* No provider yet. */
    CHECK_STATUS(WskCaptureProviderNPI(&reg, WSK_NO_WAIT, &npi), STATUS_DEVICE_NOT_READY);
    t0 = t_now_ms();
    CHECK_STATUS(WskCaptureProviderNPI(&reg, 100, &npi), STATUS_DEVICE_NOT_READY);
    CHECK(t_now_ms() - t0 >= 90);
    CHECK_STATUS(WskQueryProviderCharacteristics(&reg, &ch), STATUS_SUCCESS);
    CHECK_UINT(ch.HighestVersion, MAKE_WSK_VERSION(1, 0));
    CHECK_UINT(ch.LowestVersion, MAKE_WSK_VERSION(1, 0));

    /* A capturer waiting forever is woken by WskDeregister with STATUS_DEVICE_NOT_READY. */
    memset(&j, 0, sizeof(j));
    j.reg = &reg;
    j.timeout = WSK_INFINITE_WAIT;
    KeInitializeEvent(&j.done, NotificationEvent, FALSE);
    spawn(capture_thread, &j);
    CHECK(!wait_ev(&j.done, 100));
    WskDeregister(&reg);
    CHECK(wait_ev(&j.done, T_WAIT));
    CHECK_STATUS(j.st, STATUS_DEVICE_NOT_READY);

    /* A capturer waiting forever succeeds when the provider starts (late NMR attach). */
    CHECK_STATUS(WskRegister(&cnpi, &reg2), STATUS_SUCCESS);
    memset(&k, 0, sizeof(k));
    k.reg = &reg2;
    k.timeout = WSK_INFINITE_WAIT;
    KeInitializeEvent(&k.done, NotificationEvent, FALSE);
    spawn(capture_thread, &k);
    CHECK(!wait_ev(&k.done, 100));
    CHECK_INT(owsk_host_start(NULL), 0);
    CHECK(wait_ev(&k.done, T_WAIT));
    CHECK_STATUS(k.st, STATUS_SUCCESS);
    CHECK(k.npi.Client != NULL);
    CHECK(k.npi.Dispatch != NULL);
    if (k.npi.Dispatch)
        CHECK_UINT(k.npi.Dispatch->Version, MAKE_WSK_VERSION(1, 0));
    WskReleaseProviderNPI(&reg2);
    WskDeregister(&reg2);
}

static void deregister_waits(void)
{
    WSK_CLIENT_NPI cnpi = {NULL, &v1};
    WSK_REGISTRATION reg;
    WSK_PROVIDER_NPI npi, npi2;
    struct dereg_job d;
    struct t_sync_irp si;
    PWSK_SOCKET s;
    NTSTATUS st;

    CHECK_STATUS(WskRegister(&cnpi, &reg), STATUS_SUCCESS);
    CHECK_STATUS(WskCaptureProviderNPI(&reg, WSK_NO_WAIT, &npi), STATUS_SUCCESS);
    t_sync_irp_init(&si);
    st = npi.Dispatch->WskSocket(npi.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                 WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                 t_sync_irp_arm(&si));
    CHECK_STATUS(t_sync_irp_result(&si, st, T_WAIT), STATUS_SUCCESS);
    s = (PWSK_SOCKET)si.irp->IoStatus.Information;

    memset(&d, 0, sizeof(d));
    d.reg = &reg;
    KeInitializeEvent(&d.done, NotificationEvent, FALSE);
    spawn(dereg_thread, &d);
    CHECK(!wait_ev(&d.done, 200)); /* a captured NPI and an open socket hold it */
    /* Deregistration began: no new captures, no new sockets. */
    CHECK_STATUS(WskCaptureProviderNPI(&reg, WSK_NO_WAIT, &npi2), STATUS_DEVICE_NOT_READY);
    st = npi.Dispatch->WskSocket(npi.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                 WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                 t_sync_irp_arm(&si));
    CHECK_STATUS(t_sync_irp_result(&si, st, T_WAIT), STATUS_DEVICE_NOT_READY);
    WskReleaseProviderNPI(&reg);
    CHECK(!wait_ev(&d.done, 200)); /* the socket still holds it */
    st = T_BD(s)->WskCloseSocket(s, t_sync_irp_arm(&si));
    CHECK_STATUS(t_sync_irp_result(&si, st, T_WAIT), STATUS_SUCCESS);
    CHECK(wait_ev(&d.done, T_WAIT));
    t_sync_irp_free(&si);
}

static void control_client(void)
{
    WSK_CLIENT_NPI cnpi = {NULL, &v1};
    WSK_REGISTRATION reg;
    WSK_PROVIDER_NPI npi;
    WSK_TRANSPORT tr[8];
    SIZE_T need = 0, got = 0;
    ULONG tdi = WSK_TDI_BEHAVIOR_BYPASS_TDI;
    WSK_EVENT_CALLBACK_CONTROL ec = {&NPI_WSK_INTERFACE_ID, WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE};
    PSECURITY_DESCRIPTOR sd = (PSECURITY_DESCRIPTOR)&tdi, cached = NULL;
    struct t_irp lc, lc2;
    struct t_sync_irp si;
    PWSK_SOCKET s;
    NTSTATUS st;
    int v4 = 0, v6 = 0, u4 = 0, u6 = 0;

    CHECK_STATUS(WskRegister(&cnpi, &reg), STATUS_SUCCESS);
    CHECK_STATUS(WskCaptureProviderNPI(&reg, T_WAIT, &npi), STATUS_SUCCESS);
    /* Too small: STATUS_BUFFER_OVERFLOW and the size needed. */
    CHECK_STATUS(npi.Dispatch->WskControlClient(npi.Client, WSK_TRANSPORT_LIST_QUERY, 0, NULL, 0,
                                                NULL, &need, NULL),
                 STATUS_BUFFER_OVERFLOW);
    CHECK(need >= sizeof(WSK_TRANSPORT) && need % sizeof(WSK_TRANSPORT) == 0 && need <= sizeof(tr));
    CHECK_STATUS(npi.Dispatch->WskControlClient(npi.Client, WSK_TRANSPORT_LIST_QUERY, 0, NULL,
                                                sizeof(tr), tr, &got, NULL),
                 STATUS_SUCCESS);
    CHECK_UINT(got, need);
    for (SIZE_T i = 0; i < got / sizeof(WSK_TRANSPORT); i++) {
        if (tr[i].SocketType == SOCK_STREAM && tr[i].Protocol == IPPROTO_TCP) {
            v4 |= tr[i].AddressFamily == AF_INET;
            v6 |= tr[i].AddressFamily == AF_INET6;
        }
        if (tr[i].SocketType == SOCK_DGRAM && tr[i].Protocol == IPPROTO_UDP) {
            u4 |= tr[i].AddressFamily == AF_INET;
            u6 |= tr[i].AddressFamily == AF_INET6;
        }
    }
    CHECK(v4 && v6);
    CHECK(u4 && u6);
    /* The query takes no IRP. */
    t_irp_init(&lc);
    CHECK_STATUS(
        t_sync_irp_ok(npi.Dispatch->WskControlClient(npi.Client, WSK_TRANSPORT_LIST_QUERY, 0, NULL,
                                                     sizeof(tr), tr, NULL, t_irp_arm(&lc)),
                      &lc),
        STATUS_INVALID_PARAMETER);
    /* TDI codes succeed as no-ops. */
    CHECK_STATUS(npi.Dispatch->WskControlClient(npi.Client, WSK_TDI_BEHAVIOR, sizeof(tdi), &tdi, 0,
                                                NULL, NULL, NULL),
                 STATUS_SUCCESS);
    /* Cached security descriptors: cache, release once. */
    CHECK_STATUS(npi.Dispatch->WskControlClient(npi.Client, WSK_CACHE_SD, sizeof(sd), &sd,
                                                sizeof(cached), &cached, NULL, NULL),
                 STATUS_SUCCESS);
    CHECK(cached != NULL);
    CHECK_STATUS(npi.Dispatch->WskControlClient(npi.Client, WSK_RELEASE_SD, sizeof(cached), &cached,
                                                0, NULL, NULL, NULL),
                 STATUS_SUCCESS);
    CHECK_STATUS(npi.Dispatch->WskControlClient(npi.Client, WSK_RELEASE_SD, sizeof(cached), &cached,
                                                0, NULL, NULL, NULL),
                 STATUS_INVALID_PARAMETER);
    /* Static callbacks: before the first socket only. */
    CHECK_STATUS(npi.Dispatch->WskControlClient(npi.Client, WSK_SET_STATIC_EVENT_CALLBACKS,
                                                sizeof(ec), &ec, 0, NULL, NULL, NULL),
                 STATUS_SUCCESS);
    t_sync_irp_init(&si);
    st = npi.Dispatch->WskSocket(npi.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                 WSK_FLAG_LISTEN_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                 t_sync_irp_arm(&si));
    CHECK_STATUS(t_sync_irp_result(&si, st, T_WAIT), STATUS_SUCCESS);
    s = (PWSK_SOCKET)si.irp->IoStatus.Information;
    CHECK_STATUS(npi.Dispatch->WskControlClient(npi.Client, WSK_SET_STATIC_EVENT_CALLBACKS,
                                                sizeof(ec), &ec, 0, NULL, NULL, NULL),
                 STATUS_INVALID_DEVICE_STATE);
    /* A static event cannot be disabled. */
    {
        WSK_EVENT_CALLBACK_CONTROL off = {&NPI_WSK_INTERFACE_ID,
                                          WSK_EVENT_ACCEPT | WSK_EVENT_DISABLE};

        CHECK_STATUS(T_BD(s)->WskControlSocket(s, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET,
                                               sizeof(off), &off, 0, NULL, NULL, NULL),
                     STATUS_INVALID_PARAMETER);
    }
    st = T_BD(s)->WskCloseSocket(s, t_sync_irp_arm(&si));
    CHECK_STATUS(t_sync_irp_result(&si, st, T_WAIT), STATUS_SUCCESS);

    /* WSK_TRANSPORT_LIST_CHANGE pends; IoCancelIrp and WskDeregister complete it. */
    CHECK_STATUS(npi.Dispatch->WskControlClient(npi.Client, WSK_TRANSPORT_LIST_CHANGE, 0, NULL, 0,
                                                NULL, NULL, NULL),
                 STATUS_INVALID_PARAMETER);
    st = npi.Dispatch->WskControlClient(npi.Client, WSK_TRANSPORT_LIST_CHANGE, 0, NULL, 0, NULL,
                                        NULL, t_irp_arm(&lc));
    CHECK_STATUS(st, STATUS_PENDING);
    CHECK(!t_irp_wait_quiet(&lc, 100));
    CHECK(IoCancelIrp(lc.irp));
    CHECK_STATUS(t_irp_wait(&lc, T_WAIT), STATUS_CANCELLED);
    CHECK_INT(lc.done, 1);
    t_irp_init(&lc2);
    st = npi.Dispatch->WskControlClient(npi.Client, WSK_TRANSPORT_LIST_CHANGE, 0, NULL, 0, NULL,
                                        NULL, t_irp_arm(&lc2));
    CHECK_STATUS(st, STATUS_PENDING);

    /* WskGetAddressInfo requires an IRP: NULL is refused synchronously. */
    CHECK_STATUS(npi.Dispatch->WskGetAddressInfo(npi.Client, NULL, NULL, 0, NULL, NULL, NULL, NULL,
                                                 NULL, NULL),
                 STATUS_INVALID_PARAMETER);

    WskReleaseProviderNPI(&reg);
    WskDeregister(&reg);
    CHECK_STATUS(t_irp_wait(&lc2, T_WAIT), STATUS_CANCELLED);
    CHECK_INT(lc2.done, 1);
    t_irp_free(&lc);
    t_irp_free(&lc2);
    t_sync_irp_free(&si);
}

int main(void)
{
    static const GUID want = {
        0x2227E803, 0x8D8B, 0x11D4, {0xAB, 0xAD, 0x00, 0x90, 0x27, 0x71, 0x9E, 0x09}};

    CHECK(memcmp(&NPI_WSK_INTERFACE_ID, &want, sizeof(GUID)) == 0);
    before_start();
    deregister_waits();
    control_client();
    owsk_host_stop();
    return t_done();
}
