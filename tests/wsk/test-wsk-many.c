/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* 1,000 concurrent connections: Linux clients connect to a WSK listener that accepts them
 * through WskAcceptEvent; each client sends 8 bytes that come back through the accepted
 * socket's WskReceiveEvent and a WskSend, all connections open at the same time. Bounded in
 * time; RLIMIT_NOFILE is raised (skip if it cannot be). */
#include <stdlib.h>
#include <string.h>

#include "lxpeer.h"
#include "wsk_t.h"

#define N 1000

static PWSK_SOCKET accepted[N];
static LONG naccepted, nreceived;
static KEVENT all_in;

/* Accepted sockets: the context is the slot index + 1. */
static NTSTATUS WSKAPI on_receive(PVOID SocketContext, ULONG Flags, PWSK_DATA_INDICATION di,
                                  SIZE_T BytesIndicated, SIZE_T *BytesAccepted)
{
    /* Take nothing here: the test reads with WskReceive (refused data waits for it). */
    if (!di)
        return STATUS_SUCCESS;
    if (InterlockedIncrement(&nreceived) == N)
        KeSetEvent(&all_in, IO_NO_INCREMENT, FALSE);
    return STATUS_DATA_NOT_ACCEPTED;
}

static const WSK_CLIENT_CONNECTION_DISPATCH conn_disp = {on_receive, NULL, NULL};

static NTSTATUS WSKAPI on_accept(PVOID SocketContext, ULONG Flags, PSOCKADDR LocalAddress,
                                 PSOCKADDR RemoteAddress, PWSK_SOCKET AcceptSocket,
                                 PVOID *AcceptSocketContext,
                                 const WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch)
{
    LONG i;

    if (!AcceptSocket)
        return STATUS_REQUEST_NOT_ACCEPTED;
    i = InterlockedIncrement(&naccepted) - 1;
    if (i >= N)
        return STATUS_REQUEST_NOT_ACCEPTED;
    __atomic_store_n(&accepted[i], AcceptSocket, __ATOMIC_RELEASE);
    *AcceptSocketContext = (PVOID)(ULONG_PTR)(i + 1);
    *AcceptSocketDispatch = &conn_disp;
    return STATUS_SUCCESS;
}

static const WSK_CLIENT_LISTEN_DISPATCH listen_disp = {on_accept, NULL, NULL};

int main(void)
{
    static int fds[N];
    PWSK_SOCKET l;
    int port, ok = 0;
    uint64_t t0;
    LARGE_INTEGER to;

    if (lx_raise_nofile(2 * N + 200) < 2 * N + 200) {
        fprintf(stderr, "RLIMIT_NOFILE too low for %d connections: skip\n", N);
        return T_SKIP;
    }
    KeInitializeEvent(&all_in, NotificationEvent, FALSE);
    t_wsk_start();
    t0 = t_now_ms();
    l = t_listener(0, &port, NULL, &listen_disp);
    CHECK_STATUS(t_event(l, WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE), STATUS_SUCCESS);
    for (int i = 0; i < N; i++) {
        fds[i] = lx_connect(0, port);
        if (fds[i] < 0)
            break;
        lx_send_all(fds[i], "12345678", 8);
    }
    to.QuadPart = -(LONGLONG)20000 * 10000;
    CHECK_STATUS(KeWaitForSingleObject(&all_in, Executive, KernelMode, FALSE, &to), STATUS_SUCCESS);
    CHECK_INT(__atomic_load_n(&naccepted, __ATOMIC_ACQUIRE), N);
    /* Echo through every accepted socket while all of them are open. */
    for (int i = 0; i < N; i++) {
        PWSK_SOCKET s = __atomic_load_n(&accepted[i], __ATOMIC_ACQUIRE);
        char buf[8];
        ULONG_PTR info = 0;

        if (!s)
            continue;
        if (t_recv(s, buf, 8, WSK_FLAG_WAITALL, &info) == STATUS_SUCCESS && info == 8 &&
            t_send(s, buf, 8, 0, &info) == STATUS_SUCCESS)
            ok++;
    }
    CHECK_INT(ok, N);
    ok = 0;
    for (int i = 0; i < N; i++) {
        char buf[8];

        if (fds[i] >= 0 && lx_recv_all(fds[i], buf, 8, T_WAIT) == 8 &&
            memcmp(buf, "12345678", 8) == 0)
            ok++;
    }
    CHECK_INT(ok, N);
    for (int i = 0; i < N; i++) {
        PWSK_SOCKET s = __atomic_load_n(&accepted[i], __ATOMIC_ACQUIRE);

        if (s)
            CHECK_STATUS(t_close(s), STATUS_SUCCESS);
        if (fds[i] >= 0)
            lx_close(fds[i]);
    }
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
    t_wsk_stop();
    fprintf(stderr, "%d connections in %llu ms\n", N, (unsigned long long)(t_now_ms() - t0));
    CHECK(t_now_ms() - t0 < 60000);
    return t_done();
}
