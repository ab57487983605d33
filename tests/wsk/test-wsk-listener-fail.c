/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A listener whose transport stops working: with WskAcceptEvent enabled the client gets one
 * WskAcceptEvent with AcceptSocket = NULL ("close this listener"), answers
 * STATUS_REQUEST_NOT_ACCEPTED, and nothing it owns is closed by that (connections accepted
 * earlier keep working, the listener is still closed by the client). The failure is injected
 * by shutting down the provider's listening descriptor, found by its port. A transient
 * shortage (EMFILE under a lowered RLIMIT_NOFILE) is not such a failure: the connection is
 * delivered once descriptors are available again. */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "lxpeer.h"
#include "lxprobe.h"
#include "wsk/wsk.h"
#include "wsk_t.h"

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)

static struct {
    LONG accepts;    /* real connections */
    LONG null_calls; /* AcceptSocket == NULL */
    LONG null_args_ok;
    PWSK_SOCKET last;
    KEVENT got;
} g;

static NTSTATUS WSKAPI on_accept(PVOID SocketContext, ULONG Flags, PSOCKADDR LocalAddress,
                                 PSOCKADDR RemoteAddress, PWSK_SOCKET AcceptSocket,
                                 PVOID *AcceptSocketContext,
                                 const WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch)
{
    if (!AcceptSocket) {
        /* The listener's own context comes with it; there is no connection to describe. */
        if (SocketContext == &g && AcceptSocketContext && AcceptSocketDispatch)
            InterlockedIncrement(&g.null_args_ok);
        InterlockedIncrement(&g.null_calls);
        KeSetEvent(&g.got, IO_NO_INCREMENT, FALSE);
        return STATUS_REQUEST_NOT_ACCEPTED;
    }
    __atomic_store_n(&g.last, AcceptSocket, __ATOMIC_RELEASE);
    InterlockedIncrement(&g.accepts);
    KeSetEvent(&g.got, IO_NO_INCREMENT, FALSE);
    return STATUS_SUCCESS;
}

static const WSK_CLIENT_LISTEN_DISPATCH listen_disp = {on_accept, NULL, NULL};

static void reset(void)
{
    g.accepts = g.null_calls = g.null_args_ok = 0;
    g.last = NULL;
    KeClearEvent(&g.got);
}

static BOOLEAN wait_got(unsigned ms)
{
    LARGE_INTEGER to;

    to.QuadPart = -(LONGLONG)ms * 10000;
    return KeWaitForSingleObject(&g.got, Executive, KernelMode, FALSE, &to) == STATUS_SUCCESS;
}

/* CPU time of the whole process, ms: a loop spinning on a dead descriptor shows up here. */
static double cpu_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void transport_failure(int v6)
{
    PWSK_SOCKET l, c;
    int port, fd, lxfd, st;
    char buf[8];
    ULONG_PTR info;
    double cpu0;

    reset();
    l = t_listener(v6, &port, &g, &listen_disp);
    if (!l)
        return;
    CHECK_STATUS(t_event(l, WSK_EVENT_ACCEPT), STATUS_SUCCESS);
    /* One connection accepted before the failure, kept by the client. */
    fd = lx_connect(v6, port);
    CHECK(fd >= 0);
    CHECK(wait_got(T_WAIT));
    CHECK_INT(LOAD(g.accepts), 1);
    c = LOAD(g.last);
    CHECK(c != NULL);

    lxfd = lxp_find_listener(port);
    CHECK(lxfd >= 0);
    if (lxfd < 0)
        return;
    CHECK_INT(lxp_shutdown(lxfd), 0);
    CHECK(wait_got(T_WAIT));
    CHECK_INT(LOAD(g.null_calls), 1);
    CHECK_INT(LOAD(g.null_args_ok), 1);
    /* At most once per listener, and the dead listener does not keep a loop busy. */
    cpu0 = cpu_ms();
    CHECK(!wait_got(1000));
    CHECK_INT(LOAD(g.null_calls), 1);
    {
        double used = cpu_ms() - cpu0;

        if (used >= 100)
            t_fail(__FILE__, __LINE__, "%.0f ms CPU in 1000 ms idle after the failure", used);
        t_checks++;
    }
    /* A WskAccept on the failed listener does not hang. */
    {
        struct t_irp a;
        NTSTATUS r;

        t_irp_init(&a);
        r = T_LD(l)->WskAccept(l, 0, NULL, NULL, NULL, NULL, t_irp_arm(&a));
        if (t_irp_wait_quiet(&a, T_WAIT)) {
            CHECK(!NT_SUCCESS(a.irp->IoStatus.Status));
            CHECK(r == STATUS_PENDING || r == a.irp->IoStatus.Status);
        } else {
            t_fail(__FILE__, __LINE__, "WskAccept on a failed listener still pending");
            IoCancelIrp(a.irp);
            t_irp_wait(&a, T_WAIT);
        }
        t_irp_free(&a);
    }
    /* Returning STATUS_REQUEST_NOT_ACCEPTED closed nothing the driver owns: the accepted
     * connection still carries data both ways, and the listener is the client's to close. */
    if (c) {
        CHECK_STATUS(t_send(c, "ok", 2, 0, &info), STATUS_SUCCESS);
        CHECK_INT(lx_recv_all(fd, buf, 2, T_WAIT), 2);
        CHECK_INT(lx_send_all(fd, "yes", 3), 0);
        memset(buf, 0, sizeof(buf));
        CHECK_STATUS(t_recv(c, buf, 3, WSK_FLAG_WAITALL, &info), STATUS_SUCCESS);
        CHECK_STR(buf, "yes");
        CHECK_STATUS(t_close(c), STATUS_SUCCESS);
    }
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
    st = lx_wait_close(fd, T_WAIT);
    CHECK(st == 0 || st == -ECONNRESET);
    lx_close(fd);
}

/* EMFILE is transient: no NULL indication, and the waiting connection is delivered once the
 * limit is back (Windows has no such limit: the connection simply arrives). */
static void out_of_descriptors(void)
{
    struct rlimit old, low;
    PWSK_SOCKET l;
    int port, probe, pfd;
    double cpu0, used;

    reset();
    l = t_listener(0, &port, &g, &listen_disp);
    if (!l)
        return;
    CHECK_STATUS(t_event(l, WSK_EVENT_ACCEPT), STATUS_SUCCESS);
    /* Sockets closed by the earlier cases retire (and close their descriptors) on their
     * loops: wait until only the listener is left, so no descriptor frees up below. */
    {
        uint64_t until = t_now_ms() + T_WAIT;

        while (owsk_wsk_sockets_outstanding(0) > 1 && t_now_ms() < until)
            YieldProcessor();
        CHECK_UINT(owsk_wsk_sockets_outstanding(0), 1);
    }
    /* The peer's socket first; then the limit leaves no descriptor for accept(). */
    pfd = lxp_tcp_socket();
    CHECK(pfd >= 0);
    probe = lxp_lowest_free_fd();
    CHECK(probe >= 0);
    getrlimit(RLIMIT_NOFILE, &old);
    low = old;
    low.rlim_cur = (rlim_t)probe;
    {
        CHECK_INT(setrlimit(RLIMIT_NOFILE, &low), 0);
        CHECK_INT(lxp_connect4(pfd, port), 0);
        cpu0 = cpu_ms();
        CHECK(!wait_got(1000)); /* accept() fails with EMFILE: nothing can be indicated */
        used = cpu_ms() - cpu0;
        CHECK_INT(setrlimit(RLIMIT_NOFILE, &old), 0);
        CHECK_INT(LOAD(g.null_calls), 0);
        if (used >= 100)
            t_fail(__FILE__, __LINE__, "%.0f ms CPU in 1000 ms while accept() failed with EMFILE",
                   used);
        t_checks++;
        /* Descriptors are back: the waiting connection arrives. */
        CHECK(wait_got(T_WAIT));
        CHECK_INT(LOAD(g.accepts), 1);
        CHECK_INT(LOAD(g.null_calls), 0);
        if (LOAD(g.last))
            CHECK_STATUS(t_close(LOAD(g.last)), STATUS_SUCCESS);
        if (pfd >= 0)
            lx_close(pfd);
    }
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
}

int main(void)
{
    KeInitializeEvent(&g.got, SynchronizationEvent, FALSE);
    t_wsk_start();
    transport_failure(0);
    transport_failure(1);
    out_of_descriptors();
    t_wsk_stop();
    return t_done();
}
