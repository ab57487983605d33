/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Requests: one per IRP handed to a WSK socket function. Queues (loop-owned, FIFO), the
 * cancel routine (which only posts the cancellation to the socket's loop, so no queue lock is
 * needed), exactly-once completion, and WSK_BUF walking. Leaves out allocation-free queuing
 * on Irp->Tail.Overlay.ListEntry: a request's parameters do not fit the IRP's DriverContext,
 * so each costs one small allocation. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io/io.h"
#include "wsk/provider.h"

static const char *op_name(enum owsk_wsk_op op)
{
    static const char *const names[] = {
        [OP_CLOSE] = "WskCloseSocket",
        [OP_BIND] = "WskBind",
        [OP_LISTEN] = "WskListen",
        [OP_ACCEPT] = "WskAccept",
        [OP_INSPECT_COMPLETE] = "WskInspectComplete",
        [OP_CONNECT] = "WskConnect",
        [OP_SEND] = "WskSend",
        [OP_RECEIVE] = "WskReceive",
        [OP_DISCONNECT] = "WskDisconnect",
        [OP_LOCAL_ADDR] = "WskGetLocalAddress",
        [OP_REMOTE_ADDR] = "WskGetRemoteAddress",
        [OP_CONTROL] = "WskControlSocket",
        [OP_SOCKET_CONNECT] = "WskSocketConnect",
        [OP_LIST_CHANGE] = "WskControlClient",
        [OP_DISABLE_EVENT] = "WskControlSocket",
    };
    return names[op];
}

NTSTATUS owsk_wsk_irp_fail(PIRP irp, NTSTATUS status)
{
    return owsk_io_complete_irp(irp, status, 0);
}

NTSTATUS owsk_wsk_req_complete(struct owsk_wsk_req *r, NTSTATUS status, ULONG_PTR info)
{
    PIRP irp = r->irp;
    struct owsk_wsk_socket *s = r->sock;

    OWSK_TRACE(OWSK_CH_WSK, "socket %p, irp %p, %s -> %s, information %#lx", (void *)s, (void *)irp,
               op_name(r->op), owsk_status_name(status), (unsigned long)info);
    free(r);
    owsk_io_complete_irp(irp, status, info);
    /* After the completion routine ran: a close waiting for this request may now finish. */
    if (s) {
        if (__atomic_load_n(&s->closing, __ATOMIC_RELAXED) && owsk_loop_current() == s->loop)
            owsk_wsk_socket_maybe_finish_close(s);
        owsk_wsk_socket_unref(s);
    }
    return status;
}

/* Thread: the loop. Starts a request posted from another thread. */
static void req_start_task(struct owsk_loop_task *t)
{
    struct owsk_wsk_req *r = (struct owsk_wsk_req *)t;
    struct owsk_wsk_socket *sock = r->sock;
    NTSTATUS (*run)(struct owsk_wsk_req *) = NULL;

    switch (r->op) {
    case OP_CLOSE:
        run = owsk_wsk_run_close;
        break;
    case OP_BIND:
        run = owsk_wsk_run_bind;
        break;
    case OP_LISTEN:
        run = owsk_wsk_run_listen;
        break;
    case OP_ACCEPT:
        run = owsk_wsk_run_accept;
        break;
    case OP_INSPECT_COMPLETE:
        run = owsk_wsk_run_inspect_complete;
        break;
    case OP_CONNECT:
    case OP_SOCKET_CONNECT:
        run = owsk_wsk_run_connect;
        break;
    case OP_SEND:
        run = owsk_wsk_run_send;
        break;
    case OP_RECEIVE:
        run = owsk_wsk_run_receive;
        break;
    case OP_DISCONNECT:
        run = owsk_wsk_run_disconnect;
        break;
    case OP_LOCAL_ADDR:
        run = owsk_wsk_run_local_addr;
        break;
    case OP_REMOTE_ADDR:
        run = owsk_wsk_run_remote_addr;
        break;
    case OP_CONTROL:
        run = owsk_wsk_run_control;
        break;
    case OP_DISABLE_EVENT:
        run = owsk_wsk_run_disable_event;
        break;
    default:
        break;
    }
    owsk_wsk_socket_ref(sock); /* the handler may complete r, whose reference goes with it */
    if (run)
        run(r);
    else
        owsk_wsk_req_complete(r, STATUS_NOT_IMPLEMENTED, 0);
    owsk_wsk_socket_unref(sock);
}

static NTSTATUS run_inline(struct owsk_wsk_req *r)
{
    switch (r->op) {
    case OP_CLOSE:
        return owsk_wsk_run_close(r);
    case OP_BIND:
        return owsk_wsk_run_bind(r);
    case OP_LISTEN:
        return owsk_wsk_run_listen(r);
    case OP_ACCEPT:
        return owsk_wsk_run_accept(r);
    case OP_INSPECT_COMPLETE:
        return owsk_wsk_run_inspect_complete(r);
    case OP_CONNECT:
    case OP_SOCKET_CONNECT:
        return owsk_wsk_run_connect(r);
    case OP_SEND:
        return owsk_wsk_run_send(r);
    case OP_RECEIVE:
        return owsk_wsk_run_receive(r);
    case OP_DISCONNECT:
        return owsk_wsk_run_disconnect(r);
    case OP_LOCAL_ADDR:
        return owsk_wsk_run_local_addr(r);
    case OP_REMOTE_ADDR:
        return owsk_wsk_run_remote_addr(r);
    case OP_CONTROL:
        return owsk_wsk_run_control(r);
    case OP_DISABLE_EVENT:
        return owsk_wsk_run_disable_event(r);
    default:
        return owsk_wsk_req_complete(r, STATUS_NOT_IMPLEMENTED, 0);
    }
}

NTSTATUS owsk_wsk_req_submit(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;

    if (owsk_loop_current() == s->loop) {
        /* Inline fast path: the handler returns the final status, or STATUS_PENDING if it
         * queued the request (then owsk_io_irp_begin was called). The extra reference keeps
         * the socket alive if a completion routine closes it under us. */
        NTSTATUS st;

        owsk_wsk_socket_ref(s);
        r->task.fn = req_start_task;
        st = run_inline(r);
        owsk_wsk_socket_unref(s);
        return st;
    }
    /* Another thread: the loop runs it in posting order; the IRP is pending from now on. */
    owsk_io_irp_begin(r->irp, s->owner, op_name(r->op), s);
    r->task.fn = req_start_task;
    owsk_loop_post(s->loop, &r->task);
    return STATUS_PENDING;
}

/* ---- cancellation ---- */

/* IoCancelIrp sets Cancel from any thread (atomically, under the cancel spin lock). */
static bool cancelled(PIRP irp)
{
    return __atomic_load_n(&irp->Cancel, __ATOMIC_SEQ_CST);
}

/* Thread: the socket's loop. Completes a request whose IRP was cancelled. */
static void cancel_task(struct owsk_loop_task *t)
{
    struct owsk_wsk_req *r = (struct owsk_wsk_req *)t;
    struct owsk_wsk_socket *s = r->sock;

    if (!s) {
        /* A client-level request: its queue is under the provider lock. */
        owsk_wsk_provider_lock();
        owsk_wsk_queue_remove(r);
        owsk_wsk_provider_wake();
        owsk_wsk_provider_unlock();
        owsk_wsk_req_complete(r, STATUS_CANCELLED, 0);
        return;
    }
    owsk_wsk_socket_ref(s);
    if (r->queue)
        owsk_wsk_queue_remove(r);
    if (r->op == OP_RECEIVE && r->done) {
        /* Bytes already landed in the buffer: report them rather than lose them. */
        owsk_wsk_req_complete(r, STATUS_SUCCESS, r->done);
        owsk_wsk_socket_update_watch(s);
        owsk_wsk_socket_unref(s);
        return;
    }
    /* A send that already put bytes on the wire cannot be withdrawn from a byte stream:
     * reset the connection rather than let the peer see a torn message. */
    if (r->op == OP_SEND && r->done > 0 && !s->aborted)
        owsk_wsk_stream_abort(s, STATUS_CANCELLED);
    if (r->op == OP_CONNECT && s->connecting) {
        s->connecting = false;
        owsk_wsk_sys_abort(s->fd);
        s->aborted = true;
    }
    owsk_wsk_req_complete(r, STATUS_CANCELLED, 0);
    owsk_wsk_socket_update_watch(s);
    owsk_wsk_socket_unref(s);
}

/* Thread: whoever called IoCancelIrp. IRQL: DISPATCH_LEVEL, cancel spin lock held. */
static VOID cancel_routine(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    struct owsk_wsk_req *r = Irp->Tail.Overlay.DriverContext[0];

    IoReleaseCancelSpinLock(Irp->CancelIrql);
    r->task.fn = cancel_task;
    if (r->sock)
        owsk_loop_post(r->sock->loop, &r->task);
    else
        cancel_task(&r->task); /* client-level requests have no loop */
}

/* Appends r to q, registers its IRP as pending and arms the cancel routine. Returns false if
 * the IRP was cancelled before it was queued: r is then off the queue again and not armed. */
static bool queue_and_arm(struct owsk_wsk_queue *q, struct owsk_wsk_req *r,
                          struct owsk_owner *owner, const void *socket)
{
    PIRP irp = r->irp;

    r->queue = q;
    r->next = NULL;
    r->prev = q->tail;
    if (q->tail)
        q->tail->next = r;
    else
        q->head = r;
    q->tail = r;
    q->count++;
    owsk_io_irp_begin(irp, owner, op_name(r->op), socket);
    irp->Tail.Overlay.DriverContext[0] = r;
    IoSetCancelRoutine(irp, cancel_routine);
    r->cancel_armed = true;
    if (cancelled(irp) && IoSetCancelRoutine(irp, NULL) != NULL) {
        r->cancel_armed = false;
        owsk_wsk_queue_remove(r);
        return false;
    }
    return true;
}

bool owsk_wsk_req_queue(struct owsk_wsk_queue *q, struct owsk_wsk_req *r)
{
    if (r->sock)
        __atomic_add_fetch(&r->sock->pending, 1, __ATOMIC_RELAXED);
    if (!queue_and_arm(q, r, r->sock ? r->sock->owner : NULL, r->sock)) {
        owsk_wsk_req_complete(r, STATUS_CANCELLED, 0); /* cancelled before it was queued */
        return false;
    }
    return true;
}

bool owsk_wsk_req_queue_locked(struct owsk_wsk_queue *q, struct owsk_wsk_req *r)
{
    return queue_and_arm(q, r, r->client ? r->client->owner : NULL, NULL);
}

bool owsk_wsk_req_claim(struct owsk_wsk_req *r)
{
    if (!r->cancel_armed)
        return true;
    if (IoSetCancelRoutine(r->irp, NULL) == NULL)
        return false; /* IoCancelIrp took the routine; cancel_task will complete it */
    r->cancel_armed = false;
    return true;
}

bool owsk_wsk_req_rearm(struct owsk_wsk_req *r)
{
    IoSetCancelRoutine(r->irp, cancel_routine);
    r->cancel_armed = true;
    if (cancelled(r->irp) && IoSetCancelRoutine(r->irp, NULL) != NULL) {
        r->cancel_armed = false;
        return false;
    }
    return true;
}

void owsk_wsk_queue_remove(struct owsk_wsk_req *r)
{
    struct owsk_wsk_queue *q = r->queue;

    if (!q)
        return;
    if (r->prev)
        r->prev->next = r->next;
    else
        q->head = r->next;
    if (r->next)
        r->next->prev = r->prev;
    else
        q->tail = r->prev;
    q->count--;
    r->queue = NULL;
    r->prev = r->next = NULL;
    if (r->sock)
        __atomic_sub_fetch(&r->sock->pending, 1, __ATOMIC_RELAXED);
}

void owsk_wsk_queue_flush(struct owsk_wsk_queue *q, NTSTATUS status)
{
    struct owsk_wsk_req *r = q->head, *next;

    while (r) {
        next = r->next;
        if (owsk_wsk_req_claim(r)) {
            owsk_wsk_queue_remove(r);
            owsk_wsk_req_complete(r, status,
                                  r->op == OP_RECEIVE && NT_SUCCESS(status) ? r->done : 0);
        }
        r = next;
    }
}

/* ---- WSK_BUF ---- */

static unsigned char *mdl_data(PMDL mdl)
{
    return MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
}

bool owsk_wsk_buf_valid(const WSK_BUF *b)
{
    SIZE_T have;
    PMDL m;

    if (!b)
        return false;
    if (b->Length == 0)
        return true;
    if (!b->Mdl || b->Offset > MmGetMdlByteCount(b->Mdl))
        return false;
    have = MmGetMdlByteCount(b->Mdl) - b->Offset;
    for (m = b->Mdl->Next; m && have < b->Length; m = m->Next)
        have += MmGetMdlByteCount(m);
    return have >= b->Length;
}

int owsk_wsk_buf_iov(const WSK_BUF *b, SIZE_T skip, struct iovec *iov, int max)
{
    SIZE_T left, off;
    PMDL m = b->Mdl;
    int n = 0;

    if (skip >= b->Length)
        return 0;
    left = b->Length - skip;
    off = b->Offset + skip;
    /* Skip whole MDLs first (Offset applies to the first one only). */
    while (m && off >= MmGetMdlByteCount(m)) {
        off -= MmGetMdlByteCount(m);
        m = m->Next;
    }
    for (; m && left && n < max; m = m->Next, off = 0) {
        SIZE_T len = MmGetMdlByteCount(m) - off;
        unsigned char *p;

        if (!len)
            continue;
        p = mdl_data(m);
        if (!p)
            return -1;
        if (len > left)
            len = left;
        iov[n].iov_base = p + off;
        iov[n].iov_len = len;
        n++;
        left -= len;
    }
    if (left && n < max)
        return -1; /* chain shorter than Length */
    return n;
}
