/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Listening: WskListen (stream sockets), WskAccept IRPs (FIFO), WskAcceptEvent (with the NULL
 * AcceptSocket indication when the listener fails) and conditional accept. Linux has no hook
 * before the handshake, so WskInspectEvent runs after accept(): a rejected connection has
 * completed its handshake and is then reset; WskAbortEvent is raised when a pended
 * connection's peer closes or resets before it sent any data. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wsk/provider.h"

NTSTATUS owsk_wsk_run_listen(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;
    int e;

    if (s->closing)
        return owsk_wsk_req_complete(r, STATUS_INVALID_HANDLE, 0);
    if (!s->bound || s->stream_mode != OWSK_STREAM_NONE)
        return owsk_wsk_req_complete(r, STATUS_INVALID_DEVICE_STATE, 0);
    e = owsk_wsk_sys_listen(s->fd);
    if (e < 0)
        return owsk_wsk_req_complete(r, owsk_status_from_errno(-e), 0);
    s->stream_mode = OWSK_STREAM_LISTEN;
    s->listening = true;
    owsk_wsk_socket_update_watch(s);
    return owsk_wsk_req_complete(r, STATUS_SUCCESS, 0);
}

static void conn_drop(struct owsk_wsk_pending_conn *pc)
{
    owsk_loop_watch_remove(&pc->watch);
    /* Reset rather than FIN: the peer must not mistake a refused connection for an
     * orderly empty session. */
    owsk_wsk_sys_linger_reset(pc->fd);
    owsk_wsk_sys_close(pc->fd);
    free(pc);
}

/* Makes the connection socket for an accepted fd (takes the fd). */
static struct owsk_wsk_socket *make_socket(struct owsk_wsk_socket *ls,
                                           struct owsk_wsk_pending_conn *pc, PVOID context,
                                           const WSK_CLIENT_CONNECTION_DISPATCH *dispatch)
{
    struct owsk_wsk_socket *ns;

    if (!NT_SUCCESS(owsk_wsk_socket_create(ls->client, OWSK_CAT_CONNECTION, ls->family, SOCK_STREAM,
                                           IPPROTO_TCP, pc->fd, context, dispatch, &ns))) {
        conn_drop(pc);
        return NULL;
    }
    ns->bound = true;
    ns->connected = true;
    ns->accepted = true;
    ns->active = false; /* until its loop runs the first kick: no callbacks before */
    if (ls->cond_accept) {
        ns->has_inspect_id = true;
        ns->inspect_id = pc->id;
    }
    owsk_wsk_socket_note_addrs(ns);
    free(pc);
    return ns;
}

static void activate(struct owsk_wsk_socket *ns)
{
    owsk_wsk_socket_kick(ns);
}

/* Hands one connection to the first WskAccept IRP, else to WskAcceptEvent. Returns false if
 * nobody took it (it is then kept on the backlog). */
static bool deliver(struct owsk_wsk_socket *s, struct owsk_wsk_pending_conn *pc)
{
    struct owsk_wsk_req *r;

    for (r = s->accept_q.head; r; r = r->next)
        if (owsk_wsk_req_claim(r))
            break;
    if (r) {
        struct owsk_wsk_socket *ns;
        struct owsk_lx_addr local = pc->local, remote = pc->remote;

        owsk_wsk_queue_remove(r);
        ns = make_socket(s, pc, r->accept_context, r->accept_dispatch);
        if (!ns) {
            owsk_wsk_req_complete(r, STATUS_INSUFFICIENT_RESOURCES, 0);
            return true;
        }
        if (r->out_local)
            owsk_wsk_addr_to_win(&local, r->out_local);
        if (r->out_remote)
            owsk_wsk_addr_to_win(&remote, r->out_remote);
        /* The completion routine owns the socket from now on and may close it at once (here
         * or from another thread): our reference keeps it alive until it is activated. No
         * callback of it runs before the driver has it. */
        owsk_wsk_socket_ref(ns);
        owsk_wsk_req_complete(r, STATUS_SUCCESS, (ULONG_PTR)&ns->wsk);
        activate(ns);
        owsk_wsk_socket_unref(ns);
        return true;
    }
    if (owsk_wsk_event_on(s, WSK_EVENT_ACCEPT)) {
        SOCKADDR_STORAGE local, remote;
        struct owsk_wsk_socket *ns;
        struct owsk_wsk_cb_scope scope;
        PVOID ctx = NULL;
        const WSK_CLIENT_CONNECTION_DISPATCH *disp = NULL;
        NTSTATUS st;

        memset(&local, 0, sizeof(local));
        memset(&remote, 0, sizeof(remote));
        owsk_wsk_addr_to_win(&pc->local, &local);
        owsk_wsk_addr_to_win(&pc->remote, &remote);
        ns = make_socket(s, pc, NULL, NULL);
        if (!ns)
            return true;
        /* Once the callback has the socket the driver may close it from another thread
         * before the callback returns (its close drops the creation reference): ours keeps
         * the socket alive until it is activated or discarded below. */
        owsk_wsk_socket_ref(ns);
        owsk_wsk_cb_enter(s, WSK_EVENT_ACCEPT, &scope);
        st = s->listen_dispatch->WskAcceptEvent(s->context, WSK_FLAG_AT_DISPATCH_LEVEL,
                                                (PSOCKADDR)&local, (PSOCKADDR)&remote, &ns->wsk,
                                                &ctx, &disp);
        owsk_wsk_cb_leave(s, &scope);
        if (st != STATUS_SUCCESS) {
            /* STATUS_REQUEST_NOT_ACCEPTED: the provider closes it; the driver must not
             * touch it again. A driver that closed it anyway already dropped the creation
             * reference: discarding too would drop it twice. */
            if (__atomic_exchange_n(&ns->closed, true, __ATOMIC_ACQ_REL)) {
                OWSK_ERR(OWSK_CH_WSK, "socket %p: WskAcceptEvent refused a socket it closed",
                         (void *)ns);
            } else {
                owsk_wsk_sys_linger_reset(ns->fd);
                owsk_wsk_socket_discard_async(ns); /* on its own loop: the fd is that loop's */
            }
            owsk_wsk_socket_unref(ns);
            return true;
        }
        /* Context and dispatch become the socket's before its loop may call back; the
         * connection events set on the listener are inherited (accept-event path only). */
        ns->context = ctx;
        ns->conn_dispatch = disp;
        __atomic_or_fetch(&ns->events, __atomic_load_n(&s->inherit_events, __ATOMIC_SEQ_CST),
                          __ATOMIC_SEQ_CST);
        activate(ns); /* a socket closed meanwhile is only unreferenced by its kick */
        owsk_wsk_socket_unref(ns);
        return true;
    }
    pc->next = s->backlog;
    s->backlog = pc;
    return false;
}

/* Thread: the listener's loop. A pended connection became readable: if its peer already
 * closed or reset it, WskAbortEvent tells the driver, and the id is forgotten. Once data
 * arrived nothing more can be learnt without reading it, so the watch stops. */
static void pended_ready(struct owsk_loop_watch *w, uint32_t revents)
{
    struct owsk_wsk_pending_conn *pc = CONTAINING_RECORD(w, struct owsk_wsk_pending_conn, watch);
    struct owsk_wsk_socket *s = pc->listener;
    struct owsk_wsk_pending_conn **pp;
    struct owsk_wsk_cb_scope scope;
    int e = owsk_wsk_sys_peek(pc->fd);
    NTSTATUS ignored;

    if (e == -EAGAIN)
        return;
    if (e > 0) {
        owsk_loop_watch_set(s->loop, &pc->watch, 0);
        return;
    }
    for (pp = &s->inspecting; *pp && *pp != pc; pp = &(*pp)->next)
        ;
    if (*pp)
        *pp = pc->next;
    owsk_loop_watch_remove(&pc->watch);
    if (s->listen_dispatch && s->listen_dispatch->WskAbortEvent && !s->closing) {
        /* The callback may close the listener; its close finishes when the callback returns. */
        owsk_wsk_socket_ref(s);
        owsk_wsk_cb_enter(s, 0, &scope);
        ignored = s->listen_dispatch->WskAbortEvent(s->context, &pc->id);
        owsk_wsk_cb_leave(s, &scope);
        owsk_wsk_socket_unref(s);
        (void)ignored;
    }
    owsk_wsk_sys_close(pc->fd);
    free(pc);
}

/* Conditional accept: WskInspectEvent decides; returns true if pc may be delivered now. */
static bool inspect(struct owsk_wsk_socket *s, struct owsk_wsk_pending_conn *pc)
{
    SOCKADDR_STORAGE local, remote;
    struct owsk_wsk_cb_scope scope;
    WSK_INSPECT_ACTION act;

    if (!s->listen_dispatch || !s->listen_dispatch->WskInspectEvent)
        return true;
    pc->id.Key = (ULONG_PTR)pc;
    pc->id.SerialNumber = ++s->inspect_serial;
    memset(&local, 0, sizeof(local));
    memset(&remote, 0, sizeof(remote));
    owsk_wsk_addr_to_win(&pc->local, &local);
    owsk_wsk_addr_to_win(&pc->remote, &remote);
    owsk_wsk_cb_enter(s, 0, &scope);
    act = s->listen_dispatch->WskInspectEvent(s->context, (PSOCKADDR)&local, (PSOCKADDR)&remote,
                                              &pc->id);
    owsk_wsk_cb_leave(s, &scope);
    if (act == WskInspectAccept)
        return true;
    if (act == WskInspectPend) {
        pc->pended = true;
        pc->next = s->inspecting;
        s->inspecting = pc;
        pc->listener = s;
        pc->watch.fd = pc->fd;
        pc->watch.on_ready = pended_ready;
        owsk_loop_watch_set(s->loop, &pc->watch, OWSK_LOOP_IN);
        return false;
    }
    conn_drop(pc); /* WskInspectReject (or garbage): neither accept nor abort is raised */
    return false;
}

/* Offers queued (already inspected) connections to takers. */
static void drain_backlog(struct owsk_wsk_socket *s)
{
    while (s->backlog && (s->accept_q.head || owsk_wsk_event_on(s, WSK_EVENT_ACCEPT))) {
        struct owsk_wsk_pending_conn **pp = &s->backlog, *pc;

        /* oldest first: the list is pushed at the head */
        while ((*pp)->next)
            pp = &(*pp)->next;
        pc = *pp;
        *pp = NULL;
        if (!deliver(s, pc))
            break;
        if (s->closing)
            return;
    }
}

static void accept_retry(struct owsk_loop_timer *t);

static void listener_failed(struct owsk_wsk_socket *s, NTSTATUS st)
{
    PVOID ctx = NULL;
    const WSK_CLIENT_CONNECTION_DISPATCH *disp = NULL;
    struct owsk_wsk_cb_scope scope;
    NTSTATUS ignored;

    owsk_wsk_queue_flush(&s->accept_q, st);
    if (s->accept_failed || !owsk_wsk_event_on(s, WSK_EVENT_ACCEPT))
        return;
    /* "This listener no longer works, close it" (at most once per listener). */
    s->accept_failed = true;
    owsk_wsk_cb_enter(s, WSK_EVENT_ACCEPT, &scope);
    ignored = s->listen_dispatch->WskAcceptEvent(s->context, WSK_FLAG_AT_DISPATCH_LEVEL, NULL, NULL,
                                                 NULL, &ctx, &disp);
    owsk_wsk_cb_leave(s, &scope);
    (void)ignored;
}

/* Thread: the socket's loop. Descriptors may be available again: try accept() once more. */
static void accept_retry(struct owsk_loop_timer *t)
{
    struct owsk_wsk_socket *s = CONTAINING_RECORD(t, struct owsk_wsk_socket, accept_retry);

    s->accept_backoff = false;
    if (!s->closing) {
        owsk_wsk_listen_ready(s, 0);
        owsk_wsk_socket_update_watch(s);
    }
    owsk_wsk_socket_unref(s);
}

void owsk_wsk_listen_ready(struct owsk_wsk_socket *s, uint32_t revents)
{
    drain_backlog(s);
    while (!s->closing && !s->accept_failed &&
           (s->accept_q.head || owsk_wsk_event_on(s, WSK_EVENT_ACCEPT) || s->cond_accept)) {
        struct owsk_wsk_pending_conn *pc;
        struct owsk_lx_addr peer;
        int fd = owsk_wsk_sys_accept(s->fd, &peer);

        if (fd == -EAGAIN)
            break;
        if (fd < 0) {
            if (fd == -ECONNABORTED || fd == -EINTR || fd == -EPROTO)
                continue;
            if (fd == -EMFILE || fd == -ENFILE || fd == -ENOBUFS || fd == -ENOMEM) {
                /* Out of descriptors: the connection waits in the kernel backlog. Stop
                 * watching (a level-triggered watch would spin) and retry on a timer: a
                 * client using only WskAcceptEvent posts nothing that would retry. */
                if (!s->accept_backoff && owsk_wsk_socket_ref(s)) {
                    OWSK_WARN(OWSK_CH_WSK, "listener %p: accept failed (%d)", (void *)s, -fd);
                    s->accept_backoff = true;
                    s->accept_retry.fn = accept_retry;
                    owsk_loop_timer_arm(s->loop, &s->accept_retry, 100);
                }
                return;
            }
            listener_failed(s, owsk_status_from_errno(-fd));
            break;
        }
        pc = calloc(1, sizeof(*pc));
        if (!pc) {
            owsk_wsk_sys_close(fd);
            break;
        }
        pc->fd = fd;
        pc->remote = peer;
        owsk_wsk_sys_local_addr(fd, &pc->local);
        if (s->cond_accept && !inspect(s, pc))
            continue;
        pc->inspected = true;
        if (!deliver(s, pc))
            break;
    }
}

NTSTATUS owsk_wsk_run_accept(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;

    if (s->closing)
        return owsk_wsk_req_complete(r, STATUS_INVALID_HANDLE, 0);
    if (!s->listening)
        return owsk_wsk_req_complete(r, STATUS_INVALID_DEVICE_STATE, 0);
    if (s->accept_failed)
        return owsk_wsk_req_complete(r, STATUS_FILE_FORCED_CLOSED, 0);
    if (!owsk_wsk_req_queue(&s->accept_q, r))
        return STATUS_CANCELLED;
    /* Serve it now if a connection is waiting (in our backlog or the kernel's). */
    owsk_wsk_listen_ready(s, OWSK_LOOP_IN);
    owsk_wsk_socket_update_watch(s);
    return STATUS_PENDING;
}

NTSTATUS owsk_wsk_run_inspect_complete(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;
    struct owsk_wsk_pending_conn **pp, *pc = NULL;
    bool accept;

    if (s->closing)
        return owsk_wsk_req_complete(r, STATUS_INVALID_HANDLE, 0);
    if (!s->cond_accept)
        return owsk_wsk_req_complete(r, STATUS_INVALID_DEVICE_REQUEST, 0);
    /* The id is matched by value, as the docs require. */
    for (pp = &s->inspecting; *pp; pp = &(*pp)->next) {
        if ((*pp)->id.Key == r->inspect_id.Key &&
            (*pp)->id.SerialNumber == r->inspect_id.SerialNumber) {
            pc = *pp;
            *pp = pc->next;
            pc->next = NULL;
            break;
        }
    }
    /* Unknown, or aborted meanwhile (an aborted request is never established). */
    if (!pc)
        return owsk_wsk_req_complete(r, STATUS_INVALID_PARAMETER, 0);
    owsk_loop_watch_remove(&pc->watch);
    accept = r->inspect_action == WskInspectAccept;
    owsk_wsk_req_complete(r, STATUS_SUCCESS, 0);
    if (accept) {
        pc->inspected = true;
        pc->next = s->backlog;
        s->backlog = pc;
        drain_backlog(s);
    } else {
        conn_drop(pc);
    }
    return STATUS_SUCCESS;
}

void owsk_wsk_listen_shutdown(struct owsk_wsk_socket *s)
{
    struct owsk_wsk_pending_conn *pc, *next;

    for (pc = s->backlog; pc; pc = next) {
        next = pc->next;
        conn_drop(pc);
    }
    s->backlog = NULL;
    for (pc = s->inspecting; pc; pc = next) {
        next = pc->next;
        conn_drop(pc);
    }
    s->inspecting = NULL;
    s->listening = false;
}
