/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WskReceiveEvent flow control (consume, STATUS_DATA_NOT_ACCEPTED, partial BytesAccepted,
 * zero-length re-arm, retain + WskRelease: P-04), WskDisconnectEvent graceful and abortive
 * (P-03), disabling a running callback (STATUS_EVENT_PENDING / STATUS_PENDING: P-06),
 * inheritance through WskAcceptEvent but not WskAccept, callbacks at DISPATCH_LEVEL with
 * WSK_FLAG_AT_DISPATCH_LEVEL and never two at once on one socket (P-07). */
#include <errno.h>
#include <string.h>

#include "lxpeer.h"
#include "wsk_t.h"

enum mode { CONSUME, REFUSE, PARTIAL, RETAIN, BLOCK };

static struct {
    int mode; /* enum mode */
    SIZE_T partial;
    LONG calls, disc_calls, inside, overlap, bad_irql, bad_flags, bad_family;
    ULONG disc_flags;
    char data[256];
    size_t len;
    PWSK_DATA_INDICATION retained;
    LONG block_release;
    KEVENT got, disc;
} ev;

/* The callbacks run on loop threads; everything they share with the test thread goes
 * through atomics (sockets give TSan no happens-before edge). */
#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

static LONG null_inds;

/* Publishing ev.len lets the test thread WskRelease a retained chain, so nothing of the
 * chain is read after the store (the next element is read first). */
static void take(PWSK_DATA_INDICATION di, SIZE_T max)
{
    PWSK_DATA_INDICATION next;

    for (; di && max; di = next) {
        next = di->Next;
        const char *p =
            (const char *)MmGetSystemAddressForMdlSafe(di->Buffer.Mdl, NormalPagePriority) +
            di->Buffer.Offset;
        SIZE_T n = di->Buffer.Length < max ? di->Buffer.Length : max;

        size_t len = __atomic_load_n(&ev.len, __ATOMIC_RELAXED);

        if (len + n <= sizeof(ev.data)) {
            memcpy(ev.data + len, p, n);
            __atomic_store_n(&ev.len, len + n, __ATOMIC_RELEASE); /* publishes the bytes */
        }
        max -= n;
    }
}

static NTSTATUS WSKAPI on_receive(PVOID SocketContext, ULONG Flags,
                                  PWSK_DATA_INDICATION DataIndication, SIZE_T BytesIndicated,
                                  SIZE_T *BytesAccepted)
{
    NTSTATUS st = STATUS_SUCCESS;

    if (InterlockedIncrement(&ev.inside) != 1)
        InterlockedIncrement(&ev.overlap);
    if (KeGetCurrentIrql() != DISPATCH_LEVEL)
        InterlockedIncrement(&ev.bad_irql);
    if (!(Flags & WSK_FLAG_AT_DISPATCH_LEVEL))
        InterlockedIncrement(&ev.bad_flags);
    InterlockedIncrement(&ev.calls);
    if (!DataIndication) {
        InterlockedIncrement(&null_inds);
        st = STATUS_SUCCESS;
    } else {
        switch (LOAD(ev.mode)) {
        case CONSUME:
            take(DataIndication, BytesIndicated);
            break;
        case REFUSE:
            st = STATUS_DATA_NOT_ACCEPTED;
            break;
        case PARTIAL:
            take(DataIndication, LOAD(ev.partial));
            *BytesAccepted = LOAD(ev.partial);
            break;
        case RETAIN:
            STORE(ev.retained, DataIndication);
            take(DataIndication, BytesIndicated);
            st = STATUS_PENDING;
            break;
        case BLOCK: {
            /* Stay inside the callback until the test thread has tried to disable it. */
            ULONGLONG until = KeQueryInterruptTime() + 30000000ull;

            while (!InterlockedCompareExchange(&ev.block_release, 0, 0) &&
                   KeQueryInterruptTime() < until)
                ;
            take(DataIndication, BytesIndicated);
            break;
        }
        }
    }
    InterlockedDecrement(&ev.inside);
    KeSetEvent(&ev.got, IO_NO_INCREMENT, FALSE);
    return st;
}

/* A receive the disconnect callback posts on its socket (set up by the test thread). */
static PWSK_SOCKET post_sock;
static PIRP post_irp;
static WSK_BUF post_buf;

static NTSTATUS WSKAPI on_disconnect(PVOID SocketContext, ULONG Flags)
{
    PWSK_SOCKET ps = LOAD(post_sock);

    if (ps) {
        STORE(post_sock, NULL);
        (void)T_CD(ps)->WskReceive(ps, &post_buf, 0, post_irp);
    }
    if (InterlockedIncrement(&ev.inside) != 1)
        InterlockedIncrement(&ev.overlap);
    if (KeGetCurrentIrql() != DISPATCH_LEVEL)
        InterlockedIncrement(&ev.bad_irql);
    STORE(ev.disc_flags, Flags);
    InterlockedIncrement(&ev.disc_calls);
    InterlockedDecrement(&ev.inside);
    KeSetEvent(&ev.disc, IO_NO_INCREMENT, FALSE);
    return STATUS_SUCCESS;
}

static LONG backlog_calls;
static SIZE_T backlog_size;

static NTSTATUS WSKAPI on_send_backlog(PVOID SocketContext, SIZE_T IdealBacklogSize)
{
    STORE(backlog_size, IdealBacklogSize);
    InterlockedIncrement(&backlog_calls);
    return STATUS_SUCCESS;
}

static const WSK_CLIENT_CONNECTION_DISPATCH conn_disp = {on_receive, on_disconnect,
                                                         on_send_backlog};

static BOOLEAN wait_ev(KEVENT *e, unsigned ms)
{
    LARGE_INTEGER to;

    to.QuadPart = -(LONGLONG)ms * 10000;
    return KeWaitForSingleObject(e, Executive, KernelMode, FALSE, &to) == STATUS_SUCCESS;
}

/* Waits until ev.len reaches n (or the deadline). */
static void wait_len(size_t n)
{
    ULONGLONG until = t_now_ms() + T_WAIT;

    while (__atomic_load_n(&ev.len, __ATOMIC_ACQUIRE) < n && t_now_ms() < until)
        wait_ev(&ev.got, 50);
    CHECK_UINT(__atomic_load_n(&ev.len, __ATOMIC_ACQUIRE), n);
}

static void reset(enum mode m)
{
    STORE(ev.mode, m);
    STORE(ev.calls, 0);
    STORE(ev.disc_calls, 0);
    STORE(ev.len, 0);
    KeClearEvent(&ev.got);
    KeClearEvent(&ev.disc);
}

/* A WSK server socket (accepted by WskAccept, events enabled by hand) and its Linux peer. */
static PWSK_SOCKET pair(PWSK_SOCKET *ret_listener, int *ret_fd)
{
    int port;
    PWSK_SOCKET l = t_listener(0, &port, NULL, NULL), s;

    *ret_fd = lx_connect(0, port);
    s = t_accept(l, &ev, &conn_disp, NULL, NULL);
    *ret_listener = l;
    return s;
}

static void flow_control(void)
{
    PWSK_SOCKET l, s;
    int fd;
    char buf[32];
    ULONG_PTR info;

    s = pair(&l, &fd);
    /* Events start disabled: data waits for a WskReceive or an enable. */
    reset(CONSUME);
    CHECK_INT(lx_send_all(fd, "hello", 5), 0);
    CHECK(!wait_ev(&ev.got, 100));
    CHECK_STATUS(t_event(s, WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT), STATUS_SUCCESS);
    wait_len(5);
    CHECK(LOAD(ev.len) && memcmp(ev.data, "hello", 5) == 0);

    /* Refused: no more indications until a WskReceive completes; it gets the held bytes. */
    reset(REFUSE);
    CHECK_INT(lx_send_all(fd, "abcdef", 6), 0);
    CHECK(wait_ev(&ev.got, T_WAIT));
    CHECK_INT(LOAD(ev.calls), 1);
    KeClearEvent(&ev.got);
    CHECK_INT(lx_send_all(fd, "ghi", 3), 0);
    CHECK(!wait_ev(&ev.got, 200));
    CHECK_INT(LOAD(ev.calls), 1);
    STORE(ev.mode, CONSUME);
    memset(buf, 0, sizeof(buf));
    CHECK_STATUS(t_recv(s, buf, 6, WSK_FLAG_WAITALL, &info), STATUS_SUCCESS);
    CHECK_UINT(info, 6);
    CHECK(memcmp(buf, "abcdef", 6) == 0);
    wait_len(3); /* indications resumed with what followed */
    CHECK(LOAD(ev.len) && memcmp(ev.data, "ghi", 3) == 0);

    /* Partial: 2 of 6 taken; a zero-length WskReceive re-arms; the rest comes again. */
    reset(PARTIAL);
    STORE(ev.partial, 2);
    CHECK_INT(lx_send_all(fd, "123456", 6), 0);
    wait_len(2);
    CHECK(LOAD(ev.len) && memcmp(ev.data, "12", 2) == 0);
    KeClearEvent(&ev.got);
    CHECK(!wait_ev(&ev.got, 200));
    STORE(ev.mode, CONSUME);
    CHECK_STATUS(t_recv(s, NULL, 0, 0, &info), STATUS_SUCCESS);
    CHECK_UINT(info, 0);
    wait_len(6);
    CHECK(LOAD(ev.len) && memcmp(ev.data, "123456", 6) == 0);

    /* Retained: STATUS_PENDING keeps the chain until WskRelease; indications continue. */
    reset(RETAIN);
    CHECK_INT(lx_send_all(fd, "keep", 4), 0);
    wait_len(4);
    CHECK(LOAD(ev.retained) != NULL);
    if (LOAD(ev.retained)) {
        CHECK_STATUS(T_CD(s)->WskRelease(s, LOAD(ev.retained)), STATUS_SUCCESS);
        CHECK_STATUS(T_CD(s)->WskRelease(s, LOAD(ev.retained)), STATUS_INVALID_PARAMETER);
    }
    STORE(ev.mode, CONSUME);
    CHECK_INT(lx_send_all(fd, "more", 4), 0);
    wait_len(8);

    /* Graceful disconnect event. */
    lx_shutdown_wr(fd);
    CHECK(wait_ev(&ev.disc, T_WAIT));
    CHECK_INT(LOAD(ev.disc_calls), 1);
    CHECK_UINT(LOAD(ev.disc_flags) & WSK_FLAG_ABORTIVE, 0);
    CHECK_UINT(LOAD(ev.disc_flags) & WSK_FLAG_AT_DISPATCH_LEVEL, WSK_FLAG_AT_DISPATCH_LEVEL);
    lx_close(fd);
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
}

/* WskSendBacklogEvent reports the ideal send backlog once sends went out. */
static void send_backlog(void)
{
    PWSK_SOCKET l, s;
    int fd;
    char buf[4096];

    s = pair(&l, &fd);
    CHECK_STATUS(t_event(s, WSK_EVENT_SEND_BACKLOG), STATUS_SUCCESS);
    memset(buf, 'b', sizeof(buf));
    CHECK_STATUS(t_send(s, buf, sizeof(buf), 0, NULL), STATUS_SUCCESS);
    {
        /* The event follows the send's completion on the socket's loop. */
        uint64_t until = t_now_ms() + T_WAIT;

        while (!LOAD(backlog_calls) && t_now_ms() < until)
            ;
    }
    CHECK(LOAD(backlog_calls) >= 1);
    CHECK(LOAD(backlog_size) > 0);
    lx_close(fd);
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
}

static void abortive_event(void)
{
    PWSK_SOCKET l, s;
    int fd;

    s = pair(&l, &fd);
    reset(CONSUME);
    CHECK_STATUS(t_event(s, WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT), STATUS_SUCCESS);
    lx_close_rst(fd);
    CHECK(wait_ev(&ev.disc, T_WAIT));
    CHECK_UINT(LOAD(ev.disc_flags) & WSK_FLAG_ABORTIVE, WSK_FLAG_ABORTIVE);
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
}

/* A WskReceive posted from inside a callback runs once the callback returned. */
static void receive_from_callback(void)
{
    PWSK_SOCKET l, s;
    int fd;
    char buf[8];
    struct t_irp r;

    s = pair(&l, &fd);
    reset(CONSUME);
    t_irp_init(&r);
    post_buf.Mdl = t_mdl(buf, sizeof(buf));
    post_buf.Offset = 0;
    post_buf.Length = sizeof(buf);
    post_irp = t_irp_arm(&r);
    STORE(post_sock, s);
    CHECK_STATUS(t_event(s, WSK_EVENT_DISCONNECT), STATUS_SUCCESS);
    lx_shutdown_wr(fd);
    /* The FIN is noticed by a reader: a zero-length receive notices nothing, so read. */
    CHECK_STATUS(t_recv(s, buf, sizeof(buf), 0, NULL), STATUS_SUCCESS);
    CHECK(wait_ev(&ev.disc, T_WAIT));
    CHECK_STATUS(t_irp_wait(&r, T_WAIT), STATUS_SUCCESS);
    CHECK_UINT(r.irp->IoStatus.Information, 0);
    CHECK_INT(r.done, 1);
    IoFreeMdl(post_buf.Mdl);
    t_irp_free(&r);
    lx_close(fd);
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
}

/* Only the receive event enabled: a reset arrives as a NULL DataIndication. */
static void reset_as_null_indication(void)
{
    PWSK_SOCKET l, s;
    int fd;
    ULONGLONG until;

    s = pair(&l, &fd);
    reset(CONSUME);
    STORE(null_inds, 0);
    CHECK_STATUS(t_event(s, WSK_EVENT_RECEIVE), STATUS_SUCCESS);
    lx_close_rst(fd);
    until = t_now_ms() + T_WAIT;
    while (!LOAD(null_inds) && t_now_ms() < until)
        wait_ev(&ev.got, 50);
    CHECK_INT(LOAD(null_inds), 1);
    CHECK_INT(LOAD(ev.disc_calls), 0);
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
}

static void disable_running(void)
{
    PWSK_SOCKET l, s;
    int fd;
    struct t_irp d;
    WSK_EVENT_CALLBACK_CONTROL c = {&NPI_WSK_INTERFACE_ID, WSK_EVENT_RECEIVE | WSK_EVENT_DISABLE};
    NTSTATUS st;

    s = pair(&l, &fd);
    reset(BLOCK);
    STORE(ev.block_release, 0);
    CHECK_STATUS(t_event(s, WSK_EVENT_RECEIVE), STATUS_SUCCESS);
    CHECK_INT(lx_send_all(fd, "x", 1), 0);
    /* Wait until the callback is running. */
    {
        ULONGLONG until = t_now_ms() + T_WAIT;

        while (!InterlockedCompareExchange(&ev.inside, 0, 0) && t_now_ms() < until)
            ;
    }
    CHECK_INT(LOAD(ev.inside), 1);
    /* In progress, no IRP: STATUS_EVENT_PENDING. */
    CHECK_STATUS(t_event(s, WSK_EVENT_RECEIVE | WSK_EVENT_DISABLE), STATUS_EVENT_PENDING);
    /* In progress, with an IRP: pending until the callback returns. */
    t_irp_init(&d);
    st = T_BD(s)->WskControlSocket(s, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof(c),
                                   &c, 0, NULL, NULL, t_irp_arm(&d));
    CHECK_STATUS(st, STATUS_PENDING);
    CHECK(!t_irp_wait_quiet(&d, 100));
    InterlockedExchange(&ev.block_release, 1);
    CHECK_STATUS(t_irp_wait(&d, T_WAIT), STATUS_SUCCESS);
    CHECK_INT(LOAD(ev.inside), 0);
    /* Disabled now: new data waits for a WskReceive. */
    KeClearEvent(&ev.got);
    STORE(ev.calls, 0);
    CHECK_INT(lx_send_all(fd, "y", 1), 0);
    CHECK(!wait_ev(&ev.got, 200));
    CHECK_INT(LOAD(ev.calls), 0);
    /* Disabling when idle: success at once; a second bit in the disable mask is refused. */
    CHECK_STATUS(t_event(s, WSK_EVENT_RECEIVE | WSK_EVENT_DISABLE), STATUS_SUCCESS);
    CHECK_STATUS(t_event(s, WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT | WSK_EVENT_DISABLE),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(t_event(s, WSK_EVENT_ACCEPT), STATUS_INVALID_PARAMETER);
    t_irp_free(&d);
    lx_close(fd);
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
}

static LONG accepts;
static NTSTATUS WSKAPI on_accept(PVOID SocketContext, ULONG Flags, PSOCKADDR LocalAddress,
                                 PSOCKADDR RemoteAddress, PWSK_SOCKET AcceptSocket,
                                 PVOID *AcceptSocketContext,
                                 const WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch)
{
    PWSK_SOCKET *slot = SocketContext;

    if (!AcceptSocket)
        return STATUS_REQUEST_NOT_ACCEPTED;
    if (KeGetCurrentIrql() != DISPATCH_LEVEL || !(Flags & WSK_FLAG_AT_DISPATCH_LEVEL))
        InterlockedIncrement(&ev.bad_irql);
    /* No CHECK here: the harness counters belong to the test thread. */
    if (LocalAddress->sa_family != AF_INET || RemoteAddress->sa_family != AF_INET)
        InterlockedIncrement(&ev.bad_family);
    __atomic_store_n(slot, AcceptSocket, __ATOMIC_RELEASE);
    *AcceptSocketContext = &ev;
    *AcceptSocketDispatch = &conn_disp;
    InterlockedIncrement(&accepts);
    KeSetEvent(&ev.got, IO_NO_INCREMENT, FALSE);
    return STATUS_SUCCESS;
}

static const WSK_CLIENT_LISTEN_DISPATCH listen_disp = {on_accept, NULL, NULL};

static void inheritance(void)
{
    PWSK_SOCKET l, s = NULL;
    int port, fd;
    char buf[8];
    ULONG_PTR info;

    /* Receive/disconnect enabled on the listener pass to sockets accepted by the event. */
    l = t_listener(0, &port, &s, &listen_disp);
    CHECK_STATUS(t_event(l, WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT),
                 STATUS_SUCCESS);
    /* ...and cannot be disabled there. */
    CHECK_STATUS(t_event(l, WSK_EVENT_RECEIVE | WSK_EVENT_DISABLE), STATUS_INVALID_PARAMETER);
    reset(CONSUME);
    fd = lx_connect(0, port);
    CHECK(wait_ev(&ev.got, T_WAIT));
    s = __atomic_load_n(&s, __ATOMIC_ACQUIRE);
    CHECK(s != NULL);
    CHECK_INT(LOAD(accepts), 1);
    CHECK_INT(lx_send_all(fd, "inh", 3), 0);
    wait_len(3);
    CHECK(LOAD(ev.len) && memcmp(ev.data, "inh", 3) == 0);
    lx_close(fd);
    CHECK(wait_ev(&ev.disc, T_WAIT));
    if (s)
        CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    /* Disabling the accept event: connections now wait for WskAccept, whose sockets do not
     * inherit the events. */
    CHECK_STATUS(t_event(l, WSK_EVENT_ACCEPT | WSK_EVENT_DISABLE), STATUS_SUCCESS);
    reset(CONSUME);
    fd = lx_connect(0, port);
    s = t_accept(l, &ev, &conn_disp, NULL, NULL);
    CHECK_INT(lx_send_all(fd, "irp", 3), 0);
    CHECK(!wait_ev(&ev.got, 200));
    CHECK_INT(LOAD(ev.calls), 0);
    CHECK_STATUS(t_recv(s, buf, 3, WSK_FLAG_WAITALL, &info), STATUS_SUCCESS);
    CHECK(memcmp(buf, "irp", 3) == 0);
    lx_close(fd);
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
}

int main(void)
{
    KeInitializeEvent(&ev.got, SynchronizationEvent, FALSE);
    KeInitializeEvent(&ev.disc, NotificationEvent, FALSE);
    t_wsk_start();
    flow_control();
    abortive_event();
    reset_as_null_indication();
    receive_from_callback();
    send_backlog();
    disable_running();
    inheritance();
    t_wsk_stop();
    CHECK_INT(LOAD(ev.overlap), 0);
    CHECK_INT(LOAD(ev.bad_irql), 0);
    CHECK_INT(LOAD(ev.bad_flags), 0);
    CHECK_INT(LOAD(ev.bad_family), 0);
    return t_done();
}
