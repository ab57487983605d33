/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Accepting: static callbacks (WSK_SET_STATIC_EVENT_CALLBACKS) make WskAcceptEvent fire
 * once the listener is bound, with no SO_WSK_EVENT_CALLBACK; STATUS_REQUEST_NOT_ACCEPTED
 * makes the provider close (reset) the connection; conditional accept (SO_CONDITIONAL_ACCEPT
 * before bind) with WskInspectEvent accept/reject/pend, WskInspectComplete and
 * SIO_WSK_QUERY_INSPECT_ID. openwsk inspects after the handshake (documented deviation). */
#include <errno.h>
#include <string.h>

#include "lxpeer.h"
#include "wsk_t.h"

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

static struct {
    LONG accept_ret_reject; /* 1: refuse with STATUS_REQUEST_NOT_ACCEPTED */
    LONG accepts;
    PWSK_SOCKET last;
    int inspect_action; /* WSK_INSPECT_ACTION to return */
    LONG inspects;
    WSK_INSPECT_ID pended;
    KEVENT got;
} g;

static NTSTATUS WSKAPI on_accept(PVOID SocketContext, ULONG Flags, PSOCKADDR LocalAddress,
                                 PSOCKADDR RemoteAddress, PWSK_SOCKET AcceptSocket,
                                 PVOID *AcceptSocketContext,
                                 const WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch)
{
    if (!AcceptSocket)
        return STATUS_REQUEST_NOT_ACCEPTED;
    InterlockedIncrement(&g.accepts);
    if (LOAD(g.accept_ret_reject)) {
        KeSetEvent(&g.got, IO_NO_INCREMENT, FALSE);
        return STATUS_REQUEST_NOT_ACCEPTED;
    }
    STORE(g.last, AcceptSocket);
    KeSetEvent(&g.got, IO_NO_INCREMENT, FALSE);
    return STATUS_SUCCESS;
}

static WSK_INSPECT_ACTION WSKAPI on_inspect(PVOID SocketContext, PSOCKADDR LocalAddress,
                                            PSOCKADDR RemoteAddress, PWSK_INSPECT_ID InspectID)
{
    WSK_INSPECT_ACTION a = (WSK_INSPECT_ACTION)LOAD(g.inspect_action);

    if (a == WskInspectPend && InspectID)
        g.pended = *InspectID; /* the id is identified by its contents */
    InterlockedIncrement(&g.inspects);
    KeSetEvent(&g.got, IO_NO_INCREMENT, FALSE);
    return a;
}

static LONG aborts;
static WSK_INSPECT_ID aborted_id;

static NTSTATUS WSKAPI on_abort(PVOID SocketContext, PWSK_INSPECT_ID InspectID)
{
    if (InspectID)
        aborted_id = *InspectID;
    InterlockedIncrement(&aborts);
    KeSetEvent(&g.got, IO_NO_INCREMENT, FALSE);
    return STATUS_SUCCESS;
}

static const WSK_CLIENT_LISTEN_DISPATCH listen_disp = {on_accept, on_inspect, on_abort};

static BOOLEAN wait_got(unsigned ms)
{
    LARGE_INTEGER to;

    to.QuadPart = -(LONGLONG)ms * 10000;
    return KeWaitForSingleObject(&g.got, Executive, KernelMode, FALSE, &to) == STATUS_SUCCESS;
}

static struct t_irp ti;

static void static_callbacks(void)
{
    static const WSK_CLIENT_DISPATCH v1 = {MAKE_WSK_VERSION(1, 0), 0, NULL};
    WSK_CLIENT_NPI cnpi = {NULL, &v1};
    WSK_REGISTRATION reg;
    WSK_PROVIDER_NPI npi;
    WSK_EVENT_CALLBACK_CONTROL ec = {&NPI_WSK_INTERFACE_ID, WSK_EVENT_ACCEPT};
    SOCKADDR_STORAGE a;
    PWSK_SOCKET l, s;
    int port, fd;
    NTSTATUS st;

    CHECK_STATUS(WskRegister(&cnpi, &reg), STATUS_SUCCESS);
    CHECK_STATUS(WskCaptureProviderNPI(&reg, T_WAIT, &npi), STATUS_SUCCESS);
    CHECK_STATUS(npi.Dispatch->WskControlClient(npi.Client, WSK_SET_STATIC_EVENT_CALLBACKS,
                                                sizeof(ec), &ec, 0, NULL, NULL, NULL),
                 STATUS_SUCCESS);
    st = npi.Dispatch->WskSocket(npi.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                 WSK_FLAG_LISTEN_SOCKET, NULL, &listen_disp, NULL, NULL, NULL,
                                 t_irp_arm(&ti));
    CHECK_STATUS(t_sync_irp_ok(st, &ti), STATUS_SUCCESS);
    l = (PWSK_SOCKET)ti.irp->IoStatus.Information;
    t_addr(&a, 0, 0);
    CHECK_STATUS(t_sync_irp_ok(T_LD(l)->WskBind(l, (PSOCKADDR)&a, 0, t_irp_arm(&ti)), &ti),
                 STATUS_SUCCESS);
    CHECK_STATUS(t_sync_irp_ok(T_LD(l)->WskGetLocalAddress(l, (PSOCKADDR)&a, t_irp_arm(&ti)), &ti),
                 STATUS_SUCCESS);
    port = t_port(&a);
    /* No SO_WSK_EVENT_CALLBACK: the static accept event fires once bound. */
    fd = lx_connect(0, port);
    CHECK(wait_got(T_WAIT));
    s = LOAD(g.last);
    CHECK(s != NULL);
    if (s)
        CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    lx_close(fd);
    /* Refused by the callback: the provider resets the connection. */
    STORE(g.accept_ret_reject, 1);
    fd = lx_connect(0, port);
    CHECK(wait_got(T_WAIT));
    CHECK_INT(lx_wait_close(fd, T_WAIT), -ECONNRESET);
    lx_close(fd);
    STORE(g.accept_ret_reject, 0);
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
    WskReleaseProviderNPI(&reg);
    WskDeregister(&reg);
}

static void conditional(void)
{
    SOCKADDR_STORAGE a;
    PWSK_SOCKET l, s;
    WSK_INSPECT_ID id, bogus = {1, 2};
    SIZE_T ret = 0;
    int port, fd, fd2;
    NTSTATUS st;

    l = t_socket(AF_INET, WSK_FLAG_LISTEN_SOCKET, NULL, &listen_disp, NULL);
    CHECK_STATUS(t_setopt(l, SOL_SOCKET, SO_CONDITIONAL_ACCEPT, 1), STATUS_SUCCESS);
    t_addr(&a, 0, 0);
    CHECK_STATUS(t_sync_irp_ok(T_LD(l)->WskBind(l, (PSOCKADDR)&a, 0, t_irp_arm(&ti)), &ti),
                 STATUS_SUCCESS);
    CHECK_STATUS(t_sync_irp_ok(T_LD(l)->WskGetLocalAddress(l, (PSOCKADDR)&a, t_irp_arm(&ti)), &ti),
                 STATUS_SUCCESS);
    port = t_port(&a);

    /* Accept: the connection then goes to WskAccept, and carries its inspect id. */
    STORE(g.inspect_action, WskInspectAccept);
    fd = lx_connect(0, port);
    s = t_accept(l, NULL, NULL, NULL, NULL);
    CHECK_INT(LOAD(g.inspects), 1);
    CHECK(s != NULL);
    if (s) {
        CHECK_STATUS(T_CD(s)->WskControlSocket(s, WskIoctl, SIO_WSK_QUERY_INSPECT_ID, 0, 0, NULL,
                                               sizeof(id), &id, &ret, NULL),
                     STATUS_SUCCESS);
        CHECK_UINT(ret, sizeof(WSK_INSPECT_ID));
        CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    }
    lx_close(fd);

    /* Reject: reset, never accepted. */
    STORE(g.inspect_action, WskInspectReject);
    fd = lx_connect(0, port);
    CHECK_INT(lx_wait_close(fd, T_WAIT), -ECONNRESET);
    lx_close(fd);

    /* Pend, then WskInspectComplete: accept one, reject another. */
    STORE(g.inspect_action, WskInspectPend);
    KeClearEvent(&g.got);
    fd = lx_connect(0, port);
    CHECK(wait_got(T_WAIT));
    id = g.pended;
    CHECK_STATUS(t_sync_irp_ok(
                     T_LD(l)->WskInspectComplete(l, &bogus, WskInspectAccept, t_irp_arm(&ti)), &ti),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(
        t_sync_irp_ok(T_LD(l)->WskInspectComplete(l, &id, WskInspectPend, t_irp_arm(&ti)), &ti),
        STATUS_INVALID_PARAMETER);
    CHECK_STATUS(
        t_sync_irp_ok(T_LD(l)->WskInspectComplete(l, &id, WskInspectAccept, t_irp_arm(&ti)), &ti),
        STATUS_SUCCESS);
    s = t_accept(l, NULL, NULL, NULL, NULL);
    CHECK(s != NULL);
    if (s)
        CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    lx_close(fd);
    KeClearEvent(&g.got);
    fd2 = lx_connect(0, port);
    CHECK(wait_got(T_WAIT));
    id = g.pended;
    CHECK_STATUS(
        t_sync_irp_ok(T_LD(l)->WskInspectComplete(l, &id, WskInspectReject, t_irp_arm(&ti)), &ti),
        STATUS_SUCCESS);
    CHECK_INT(lx_wait_close(fd2, T_WAIT), -ECONNRESET);
    lx_close(fd2);

    /* A pended connection whose peer resets: WskAbortEvent with its id; completing it
     * afterwards does not establish it. */
    KeClearEvent(&g.got);
    fd2 = lx_connect(0, port);
    CHECK(wait_got(T_WAIT)); /* the inspect */
    id = g.pended;
    lx_close_rst(fd2);
    CHECK(wait_got(T_WAIT)); /* the abort */
    CHECK_INT(LOAD(aborts), 1);
    CHECK(aborted_id.Key == id.Key && aborted_id.SerialNumber == id.SerialNumber);
    CHECK_STATUS(
        t_sync_irp_ok(T_LD(l)->WskInspectComplete(l, &id, WskInspectAccept, t_irp_arm(&ti)), &ti),
        STATUS_INVALID_PARAMETER);
    st = t_close(l);
    CHECK_STATUS(st, STATUS_SUCCESS);
}

static void cancellation(void)
{
    int port, lport, lfd, fd;
    PWSK_SOCKET l = t_listener(0, &port, NULL, NULL), c;
    struct t_irp acc, rx;
    char buf[8];
    WSK_BUF b = {t_mdl(buf, sizeof(buf)), 0, sizeof(buf)};
    ULONG_PTR info;

    /* A pending WskAccept cancelled with IoCancelIrp. */
    t_irp_init(&acc);
    CHECK_STATUS(T_LD(l)->WskAccept(l, 0, NULL, NULL, NULL, NULL, t_irp_arm(&acc)), STATUS_PENDING);
    /* IoCancelIrp returns TRUE only if the cancel routine was already set: the request may
     * still be on its way to the socket's loop, where Irp->Cancel is then honoured. */
    IoCancelIrp(acc.irp);
    CHECK_STATUS(t_irp_wait(&acc, T_WAIT), STATUS_CANCELLED);
    CHECK_UINT(acc.irp->IoStatus.Information, 0);
    CHECK_INT(acc.done, 1);
    /* The listener still works. */
    fd = lx_connect(0, port);
    c = t_accept(l, NULL, NULL, NULL, NULL);
    CHECK(c != NULL);
    lx_close(fd);
    if (c)
        CHECK_STATUS(t_close(c), STATUS_SUCCESS);

    /* A pending receive cancelled; the next receive still gets the data in order. */
    lfd = lx_listen(0, &lport);
    c = t_connect(0, lport, NULL, NULL, NULL);
    fd = lx_accept(lfd, T_WAIT);
    t_irp_init(&rx);
    CHECK_STATUS(T_CD(c)->WskReceive(c, &b, 0, t_irp_arm(&rx)), STATUS_PENDING);
    IoCancelIrp(rx.irp);
    CHECK_STATUS(t_irp_wait(&rx, T_WAIT), STATUS_CANCELLED);
    CHECK_UINT(rx.irp->IoStatus.Information, 0);
    /* An IRP cancelled before it is handed over completes STATUS_CANCELLED at once. */
    t_irp_arm(&rx);
    CHECK(!IoCancelIrp(rx.irp));
    CHECK_STATUS(t_sync_irp_ok(T_CD(c)->WskReceive(c, &b, 0, rx.irp), &rx), STATUS_CANCELLED);
    CHECK_INT(lx_send_all(fd, "after", 5), 0);
    CHECK_STATUS(t_recv(c, buf, 5, WSK_FLAG_WAITALL, &info), STATUS_SUCCESS);
    CHECK(memcmp(buf, "after", 5) == 0);
    CHECK_STATUS(t_close(c), STATUS_SUCCESS);
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
    IoFreeMdl(b.Mdl);
    t_irp_free(&acc);
    t_irp_free(&rx);
    lx_close(fd);
    lx_close(lfd);
}

int main(void)
{
    KeInitializeEvent(&g.got, SynchronizationEvent, FALSE);
    t_wsk_start();
    t_irp_init(&ti);
    static_callbacks();
    conditional();
    cancellation();
    t_irp_free(&ti);
    t_wsk_stop();
    return t_done();
}
