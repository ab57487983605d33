/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* P-07: callbacks are serial per socket and at DISPATCH_LEVEL, completion routines too. A
 * Linux peer streams numbered bytes in many small writes to two WSK sockets on whatever loops
 * they got; the receive callbacks never overlap on one socket and see the bytes in order. */
#include <string.h>

#include "lxpeer.h"
#include "wsk_t.h"

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define BYTES 200000

struct conn {
    LONG inside, overlap, bad_irql, calls;
    size_t next; /* next expected byte index (callback side) */
    LONG order_errors;
    size_t done; /* bytes seen, published */
};

static NTSTATUS WSKAPI on_receive(PVOID SocketContext, ULONG Flags, PWSK_DATA_INDICATION di,
                                  SIZE_T BytesIndicated, SIZE_T *BytesAccepted)
{
    struct conn *c = SocketContext;

    if (InterlockedIncrement(&c->inside) != 1)
        InterlockedIncrement(&c->overlap);
    if (KeGetCurrentIrql() != DISPATCH_LEVEL || !(Flags & WSK_FLAG_AT_DISPATCH_LEVEL))
        InterlockedIncrement(&c->bad_irql);
    InterlockedIncrement(&c->calls);
    for (; di; di = di->Next) {
        const unsigned char *p = MmGetSystemAddressForMdlSafe(di->Buffer.Mdl, NormalPagePriority);

        for (SIZE_T i = 0; i < di->Buffer.Length; i++)
            if (p[di->Buffer.Offset + i] != (unsigned char)(c->next++ % 251))
                InterlockedIncrement(&c->order_errors);
    }
    __atomic_store_n(&c->done, c->next, __ATOMIC_RELEASE);
    InterlockedDecrement(&c->inside);
    return STATUS_SUCCESS;
}

static const WSK_CLIENT_CONNECTION_DISPATCH conn_disp = {on_receive, NULL, NULL};

int main(void)
{
    static unsigned char data[BYTES];
    static struct conn conns[2];
    PWSK_SOCKET l, s[2];
    int port, fd[2];
    uint64_t until;

    for (size_t i = 0; i < BYTES; i++)
        data[i] = (unsigned char)(i % 251);
    t_wsk_start();
    l = t_listener(0, &port, NULL, NULL);
    for (int k = 0; k < 2; k++) {
        fd[k] = lx_connect(0, port);
        s[k] = t_accept(l, &conns[k], &conn_disp, NULL, NULL);
        CHECK_STATUS(t_event(s[k], WSK_EVENT_RECEIVE), STATUS_SUCCESS);
    }
    /* Small writes, interleaved between the two connections. */
    for (size_t off = 0; off < BYTES; off += 97) {
        size_t n = BYTES - off < 97 ? BYTES - off : 97;

        for (int k = 0; k < 2; k++)
            lx_send_all(fd[k], data + off, n);
    }
    until = t_now_ms() + 20000;
    while ((LOAD(conns[0].done) < BYTES || LOAD(conns[1].done) < BYTES) && t_now_ms() < until)
        ;
    for (int k = 0; k < 2; k++) {
        CHECK_UINT(LOAD(conns[k].done), BYTES);
        CHECK_INT(LOAD(conns[k].overlap), 0);
        CHECK_INT(LOAD(conns[k].bad_irql), 0);
        CHECK_INT(LOAD(conns[k].order_errors), 0);
        CHECK(LOAD(conns[k].calls) > 0);
        fprintf(stderr, "connection %d: %d indications\n", k, (int)LOAD(conns[k].calls));
        lx_close(fd[k]);
        CHECK_STATUS(t_close(s[k]), STATUS_SUCCESS);
    }
    /* Completion routines run at DISPATCH_LEVEL as well. */
    {
        struct t_irp q;
        SOCKADDR_STORAGE a;

        t_irp_init(&q);
        CHECK_STATUS(
            t_sync_irp_ok(T_LD(l)->WskGetLocalAddress(l, (PSOCKADDR)&a, t_irp_arm(&q)), &q),
            STATUS_SUCCESS);
        CHECK_INT(q.irql, DISPATCH_LEVEL);
        t_irp_free(&q);
    }
    CHECK_STATUS(t_close(l), STATUS_SUCCESS);
    t_wsk_stop();
    return t_done();
}
