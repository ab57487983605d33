/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WskReceiveFromEvent (DDI: PFN_WSK_RECEIVE_FROM_EVENT; wsk-reference 3.5): indications with
 * WSK_DATAGRAM_INDICATION lists at DISPATCH_LEVEL, consume / retain (STATUS_PENDING +
 * WskRelease) / refuse (STATUS_DATA_NOT_ACCEPTED disables a dynamically enabled callback and
 * buffers until it is enabled again; a static one stays enabled), queued WskReceiveFrom IRPs
 * served before the callback, disable, and close with a retained list. */
#include <string.h>

#include "dgram_t.h"
#include "lxudp.h"

#define MAXD 64

/* What the callback saw; only the socket's loop writes it while a test waits on ev. */
static struct {
    KEVENT ev;
    LONG calls;
    LONG datagrams;
    LONG bad_irql, bad_flags;
    NTSTATUS reply;            /* what the callback returns */
    char data[MAXD][32];       /* datagram payloads in arrival order */
    int port[MAXD];
    USHORT family[MAXD];
    PWSK_DATAGRAM_INDICATION kept[MAXD]; /* lists retained with STATUS_PENDING */
    LONG nkept;
    LONG null_indications;
} cb;

static NTSTATUS WSKAPI on_receive_from(PVOID SocketContext, ULONG Flags,
                                       PWSK_DATAGRAM_INDICATION DataIndication)
{
    NTSTATUS reply = cb.reply; /* read first: the test changes it only between callbacks */
    LONG base = InterlockedCompareExchange(&cb.datagrams, 0, 0), n = 0;

    if (KeGetCurrentIrql() != DISPATCH_LEVEL)
        cb.bad_irql++;
    if (!(Flags & WSK_FLAG_AT_DISPATCH_LEVEL))
        cb.bad_flags++;
    if (!DataIndication) {
        cb.null_indications++;
        return STATUS_SUCCESS;
    }
    for (PWSK_DATAGRAM_INDICATION d = DataIndication; d; d = d->Next, n++) {
        LONG i = base + n;

        if (i < MAXD) {
            PUCHAR p = d->Buffer.Mdl ? MmGetSystemAddressForMdlSafe(d->Buffer.Mdl,
                                                                    NormalPagePriority)
                                     : NULL;
            size_t len = d->Buffer.Length < 31 ? d->Buffer.Length : 31;

            memset(cb.data[i], 0, sizeof(cb.data[i]));
            if (p && len)
                memcpy(cb.data[i], p + d->Buffer.Offset, len);
            cb.family[i] = d->RemoteAddress->sa_family;
            cb.port[i] = t_port((SOCKADDR_STORAGE *)d->RemoteAddress);
        }
    }
    if (reply == STATUS_PENDING && cb.nkept < MAXD)
        cb.kept[cb.nkept++] = DataIndication;
    /* Published last, so a test that sees the counts also sees what was recorded. */
    InterlockedIncrement(&cb.calls);
    if (reply != STATUS_DATA_NOT_ACCEPTED)
        InterlockedExchangeAdd(&cb.datagrams, n);
    KeSetEvent(&cb.ev, IO_NO_INCREMENT, FALSE);
    return reply;
}

static const WSK_CLIENT_DATAGRAM_DISPATCH disp = {on_receive_from};

static void reset(NTSTATUS reply)
{
    memset(&cb, 0, sizeof(cb));
    KeInitializeEvent(&cb.ev, SynchronizationEvent, FALSE);
    cb.reply = reply;
}

/* Waits until the callback saw n datagrams (accepted ones), with a deadline. */
static int wait_datagrams(LONG n)
{
    uint64_t end = t_now_ms() + T_WAIT;
    LARGE_INTEGER to;

    to.QuadPart = -10000LL * 20;
    while (InterlockedCompareExchange(&cb.datagrams, 0, 0) < n && t_now_ms() < end)
        KeWaitForSingleObject(&cb.ev, Executive, KernelMode, FALSE, &to);
    return cb.datagrams >= n;
}

static void consume(int v6)
{
    int port, lport, lfd;
    PWSK_SOCKET s;

    reset(STATUS_SUCCESS);
    s = d_socket(v6 ? AF_INET6 : AF_INET, NULL, &disp, NULL);
    CHECK_STATUS(d_bind(s, v6, 0, &port), STATUS_SUCCESS);
    /* Enabling takes no IRP. */
    CHECK_STATUS(t_event(s, WSK_EVENT_RECEIVE_FROM), STATUS_SUCCESS);
    lfd = lxu_socket(v6, &lport);
    CHECK_INT(lxu_sendto(lfd, v6, port, "d0", 2), 2);
    CHECK_INT(lxu_sendto(lfd, v6, port, "", 0), 0);
    CHECK_INT(lxu_sendto(lfd, v6, port, "d2", 2), 2);
    CHECK(wait_datagrams(3));
    CHECK_STR(cb.data[0], "d0");
    CHECK_STR(cb.data[1], "");
    CHECK_STR(cb.data[2], "d2");
    CHECK_INT(cb.family[0], v6 ? AF_INET6 : AF_INET);
    CHECK_INT(cb.port[2], lport);
    CHECK_INT(cb.bad_irql, 0);
    CHECK_INT(cb.bad_flags, 0);

    /* Queued IRPs are served before the callback. */
    {
        char buf[16];
        WSK_BUF b = {t_mdl(buf, sizeof(buf)), 0, sizeof(buf)};
        struct t_irp q;
        LONG before = InterlockedCompareExchange(&cb.datagrams, 0, 0);

        t_irp_init(&q);
        memset(buf, 0, sizeof(buf));
        CHECK_STATUS(T_DD(s)->WskReceiveFrom(s, &b, 0, NULL, NULL, NULL, NULL, t_irp_arm(&q)),
                     STATUS_PENDING);
        /* A later call on the same socket completes after the receive was queued (requests
         * of one caller run in order); only then is the precedence observable, since a
         * datagram racing with the call itself may still go to the callback (DDI). */
        {
            SOCKADDR_STORAGE la;
            struct t_irp q2;

            t_irp_init(&q2);
            T_DD(s)->WskGetLocalAddress(s, (PSOCKADDR)&la, t_irp_arm(&q2));
            CHECK_STATUS(t_irp_wait(&q2, T_WAIT), STATUS_SUCCESS);
            t_irp_free(&q2);
        }
        CHECK_INT(lxu_sendto(lfd, v6, port, "irp", 3), 3);
        CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_SUCCESS);
        CHECK_STR(buf, "irp");
        CHECK_INT(InterlockedCompareExchange(&cb.datagrams, 0, 0), before);
        t_irp_free(&q);
        IoFreeMdl(b.Mdl);
    }
    /* Disabled: datagrams wait for an IRP instead. */
    CHECK_STATUS(t_event(s, WSK_EVENT_RECEIVE_FROM | WSK_EVENT_DISABLE), STATUS_SUCCESS);
    {
        char buf[16];
        LONG before = InterlockedCompareExchange(&cb.datagrams, 0, 0);

        CHECK_INT(lxu_sendto(lfd, v6, port, "late", 4), 4);
        memset(buf, 0, sizeof(buf));
        CHECK_STATUS(d_recvfrom(s, buf, sizeof(buf), NULL, NULL, NULL, NULL, NULL),
                     STATUS_SUCCESS);
        CHECK_STR(buf, "late");
        CHECK_INT(InterlockedCompareExchange(&cb.datagrams, 0, 0), before);
    }
    /* Bad masks: a connection event, two events in one disable. */
    CHECK_STATUS(t_event(s, WSK_EVENT_RECEIVE), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(t_event(s, WSK_EVENT_RECEIVE_FROM | WSK_EVENT_ACCEPT | WSK_EVENT_DISABLE),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    lxu_close(lfd);
}

/* STATUS_PENDING keeps the list until WskRelease; releasing twice is refused. */
static void retain(void)
{
    int port, lfd;
    PWSK_SOCKET s;

    reset(STATUS_PENDING);
    s = d_socket(AF_INET, NULL, &disp, NULL);
    CHECK_STATUS(d_bind(s, 0, 0, &port), STATUS_SUCCESS);
    CHECK_STATUS(t_event(s, WSK_EVENT_RECEIVE_FROM), STATUS_SUCCESS);
    lfd = lxu_socket(0, NULL);
    CHECK_INT(lxu_sendto(lfd, 0, port, "keep1", 5), 5);
    CHECK(wait_datagrams(1));
    CHECK_INT(lxu_sendto(lfd, 0, port, "keep2", 5), 5);
    CHECK(wait_datagrams(2)); /* indications go on while earlier ones are retained */
    CHECK(cb.nkept >= 1);
    /* The retained buffers are still readable. */
    {
        PWSK_DATAGRAM_INDICATION d = cb.kept[0];
        PUCHAR p = MmGetSystemAddressForMdlSafe(d->Buffer.Mdl, NormalPagePriority);

        CHECK(p && memcmp(p + d->Buffer.Offset, "keep1", 5) == 0);
    }
    for (LONG i = 0; i < cb.nkept; i++)
        CHECK_STATUS(T_DD(s)->WskRelease(s, cb.kept[i]), STATUS_SUCCESS);
    CHECK_STATUS(T_DD(s)->WskRelease(s, cb.kept[0]), STATUS_INVALID_PARAMETER);

    /* A list still retained at close is reclaimed by the provider (Windows would leak it). */
    CHECK_INT(lxu_sendto(lfd, 0, port, "leak", 4), 4);
    CHECK(wait_datagrams(3));
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    lxu_close(lfd);
}

/* STATUS_DATA_NOT_ACCEPTED on a dynamically enabled callback: disabled, datagrams buffered,
 * resumed (buffered ones first) when enabled again; an IRP takes the oldest one. */
static void refuse_dynamic(void)
{
    char buf[16];
    int port, lfd;
    PWSK_SOCKET s;

    reset(STATUS_DATA_NOT_ACCEPTED);
    s = d_socket(AF_INET, NULL, &disp, NULL);
    CHECK_STATUS(d_bind(s, 0, 0, &port), STATUS_SUCCESS);
    CHECK_STATUS(t_event(s, WSK_EVENT_RECEIVE_FROM), STATUS_SUCCESS);
    lfd = lxu_socket(0, NULL);
    CHECK_INT(lxu_sendto(lfd, 0, port, "r0", 2), 2);
    {
        LARGE_INTEGER to;

        to.QuadPart = -10000LL * T_WAIT;
        CHECK_STATUS(KeWaitForSingleObject(&cb.ev, Executive, KernelMode, FALSE, &to),
                     STATUS_SUCCESS);
    }
    CHECK_INT(InterlockedCompareExchange(&cb.calls, 0, 0), 1);
    /* The callback is off now: these are buffered, not indicated. */
    CHECK_INT(lxu_sendto(lfd, 0, port, "r1", 2), 2);
    CHECK_INT(lxu_sendto(lfd, 0, port, "r2", 2), 2);
    /* An IRP gets the refused datagram first (order is kept). */
    memset(buf, 0, sizeof(buf));
    CHECK_STATUS(d_recvfrom(s, buf, sizeof(buf), NULL, NULL, NULL, NULL, NULL), STATUS_SUCCESS);
    CHECK_STR(buf, "r0");
    CHECK_INT(InterlockedCompareExchange(&cb.calls, 0, 0), 1);
    /* Enabled again: the rest comes through the callback, in order. */
    cb.reply = STATUS_SUCCESS;
    CHECK_STATUS(t_event(s, WSK_EVENT_RECEIVE_FROM), STATUS_SUCCESS);
    CHECK(wait_datagrams(2));
    CHECK_STR(cb.data[0], "r1");
    CHECK_STR(cb.data[1], "r2");
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    lxu_close(lfd);
}

/* Static callbacks (WSK_SET_STATIC_EVENT_CALLBACKS before any socket): on from the bind,
 * cannot be disabled, and stay on after STATUS_DATA_NOT_ACCEPTED. Needs its own client. */
static void static_callbacks(void)
{
    WSK_REGISTRATION reg;
    WSK_PROVIDER_NPI npi;
    WSK_CLIENT_NPI cnpi = {NULL, &t_client_dispatch};
    WSK_EVENT_CALLBACK_CONTROL ctl = {&NPI_WSK_INTERFACE_ID, WSK_EVENT_RECEIVE_FROM};
    struct t_irp q;
    SOCKADDR_STORAGE a;
    PWSK_SOCKET s;
    char buf[16];
    int port, lfd;
    NTSTATUS st;

    CHECK_STATUS(WskRegister(&cnpi, &reg), STATUS_SUCCESS);
    CHECK_STATUS(WskCaptureProviderNPI(&reg, T_WAIT, &npi), STATUS_SUCCESS);
    CHECK_STATUS(npi.Dispatch->WskControlClient(npi.Client, WSK_SET_STATIC_EVENT_CALLBACKS,
                                                sizeof(ctl), &ctl, 0, NULL, NULL, NULL),
                 STATUS_SUCCESS);
    reset(STATUS_DATA_NOT_ACCEPTED);
    t_irp_init(&q);
    st = npi.Dispatch->WskSocket(npi.Client, AF_INET, SOCK_DGRAM, IPPROTO_UDP,
                                 WSK_FLAG_DATAGRAM_SOCKET, NULL, &disp, NULL, NULL, NULL,
                                 t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_SUCCESS);
    (void)st;
    s = (PWSK_SOCKET)q.irp->IoStatus.Information;
    t_addr(&a, 0, 0);
    T_DD(s)->WskBind(s, (PSOCKADDR)&a, 0, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_SUCCESS);
    T_DD(s)->WskGetLocalAddress(s, (PSOCKADDR)&a, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_SUCCESS);
    port = t_port(&a);
    /* Static callbacks cannot be disabled. */
    CHECK_STATUS(t_event(s, WSK_EVENT_RECEIVE_FROM | WSK_EVENT_DISABLE),
                 STATUS_INVALID_PARAMETER);
    lfd = lxu_socket(0, NULL);
    CHECK_INT(lxu_sendto(lfd, 0, port, "s0", 2), 2);
    {
        LARGE_INTEGER to;

        to.QuadPart = -10000LL * T_WAIT;
        CHECK_STATUS(KeWaitForSingleObject(&cb.ev, Executive, KernelMode, FALSE, &to),
                     STATUS_SUCCESS);
    }
    /* Still enabled: the next datagram is indicated too. */
    cb.reply = STATUS_SUCCESS;
    CHECK_INT(lxu_sendto(lfd, 0, port, "s1", 2), 2);
    CHECK(wait_datagrams(1));
    CHECK_STR(cb.data[0], "s1");
    /* The refused one waits for an IRP. */
    {
        WSK_BUF b = {t_mdl(buf, sizeof(buf)), 0, sizeof(buf)};

        memset(buf, 0, sizeof(buf));
        T_DD(s)->WskReceiveFrom(s, &b, 0, NULL, NULL, NULL, NULL, t_irp_arm(&q));
        CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_SUCCESS);
        CHECK_STR(buf, "s0");
        IoFreeMdl(b.Mdl);
    }
    T_DD(s)->WskCloseSocket(s, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_SUCCESS);
    t_irp_free(&q);
    WskReleaseProviderNPI(&reg);
    WskDeregister(&reg);
    lxu_close(lfd);
}

int main(void)
{
    t_wsk_start();
    consume(0);
    consume(1);
    retain();
    refuse_dynamic();
    static_callbacks();
    t_wsk_stop();
    return t_done();
}
