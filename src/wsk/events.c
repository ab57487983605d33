/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Event callbacks of connection sockets: enabling/disabling (SO_WSK_EVENT_CALLBACK and static
 * callbacks), WskReceiveEvent with provider-owned WSK_DATA_INDICATIONs (consume, partial,
 * refuse, retain + WskRelease), WskDisconnectEvent, WskSendBacklogEvent, and the bracket
 * every callback runs in (DISPATCH_LEVEL, the driver's owner, never under a provider lock).
 * Each indication is a single-element chain of at most 64 KiB. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io/io.h"
#include "ke/ke.h"
#include "wsk/provider.h"

#define IND_MAX 65536

struct owsk_wsk_indication {
    WSK_DATA_INDICATION di; /* first: what the driver sees */
    struct owsk_wsk_indication *next_retained;
    size_t len;
    unsigned char data[];
};

/* ---- enabled state ---- */

#define CONN_EVENTS (WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT | WSK_EVENT_SEND_BACKLOG)

ULONG owsk_wsk_event_valid_mask(struct owsk_wsk_socket *s)
{
    switch (s->category) {
    case OWSK_CAT_LISTEN:
        return WSK_EVENT_ACCEPT | CONN_EVENTS; /* connection bits: inherited by accepts */
    case OWSK_CAT_CONNECTION:
        return CONN_EVENTS;
    case OWSK_CAT_STREAM:
        return WSK_EVENT_ACCEPT | CONN_EVENTS;
    default:
        return 0;
    }
}

static bool is_listening_kind(struct owsk_wsk_socket *s)
{
    return s->category == OWSK_CAT_LISTEN ||
           (s->category == OWSK_CAT_STREAM && s->stream_mode == OWSK_STREAM_LISTEN);
}

bool owsk_wsk_event_on(struct owsk_wsk_socket *s, ULONG event)
{
    if (!s->active || !(__atomic_load_n(&s->events, __ATOMIC_SEQ_CST) & event))
        return false;
    if (event == WSK_EVENT_ACCEPT)
        return is_listening_kind(s) && s->listen_dispatch && s->listen_dispatch->WskAcceptEvent;
    if (is_listening_kind(s) || !s->conn_dispatch)
        return false;
    switch (event) {
    case WSK_EVENT_RECEIVE:
        return s->conn_dispatch->WskReceiveEvent != NULL;
    case WSK_EVENT_DISCONNECT:
        return s->conn_dispatch->WskDisconnectEvent != NULL;
    case WSK_EVENT_SEND_BACKLOG:
        return s->conn_dispatch->WskSendBacklogEvent != NULL;
    default:
        return false;
    }
}

void owsk_wsk_events_init(struct owsk_wsk_socket *s)
{
    ULONG st = owsk_wsk_client_static_events(s->client);

    st &= owsk_wsk_event_valid_mask(s);
    if (s->category == OWSK_CAT_LISTEN)
        st &= WSK_EVENT_ACCEPT; /* static connection bits apply to the accepted sockets */
    s->events = st;
    s->static_events = st;
}

/* ---- callback bracket ---- */

void owsk_wsk_cb_enter(struct owsk_wsk_socket *s, ULONG event, struct owsk_wsk_cb_scope *scope)
{
    s->in_callback++;
    __atomic_store_n(&s->cb_running, event, __ATOMIC_SEQ_CST);
    scope->event = event;
    scope->irql = owsk_ke_irql_set(DISPATCH_LEVEL);
    scope->owner = owsk_owner_enter(s->owner);
}

void owsk_wsk_cb_leave(struct owsk_wsk_socket *s, struct owsk_wsk_cb_scope *scope)
{
    struct owsk_wsk_req *w, *keep = NULL, *next;

    owsk_owner_leave(scope->owner);
    owsk_ke_irql_set(scope->irql);
    __atomic_store_n(&s->cb_running, 0, __ATOMIC_SEQ_CST);
    s->in_callback--;
    /* Disables that waited for this callback to return complete now. */
    w = s->disable_waiters;
    s->disable_waiters = NULL;
    for (; w; w = next) {
        next = w->next;
        if (w->flags == scope->event) {
            owsk_wsk_req_complete(w, STATUS_SUCCESS, 0);
        } else {
            w->next = keep;
            keep = w;
        }
    }
    s->disable_waiters = keep;
    if (s->closing)
        owsk_wsk_socket_maybe_finish_close(s);
}

/* ---- SO_WSK_EVENT_CALLBACK ---- */

NTSTATUS owsk_wsk_run_disable_event(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;

    /* Posted from another thread: the loop is not inside that callback any more, unless the
     * disable is re-entering from it (then wait for the bracket to close). */
    if (s->in_callback && __atomic_load_n(&s->cb_running, __ATOMIC_SEQ_CST) == r->flags) {
        r->next = s->disable_waiters;
        s->disable_waiters = r;
        return STATUS_PENDING;
    }
    return owsk_wsk_req_complete(r, STATUS_SUCCESS, 0);
}

NTSTATUS owsk_wsk_event_control(struct owsk_wsk_socket *s, const WSK_EVENT_CALLBACK_CONTROL *ctl,
                                PIRP irp)
{
    ULONG mask, valid = owsk_wsk_event_valid_mask(s), ev;
    struct owsk_wsk_req *r;

    if (!ctl || !ctl->NpiId || memcmp(ctl->NpiId, &NPI_WSK_INTERFACE_ID, sizeof(GUID)) != 0)
        return irp ? owsk_wsk_irp_fail(irp, STATUS_INVALID_PARAMETER) : STATUS_INVALID_PARAMETER;
    mask = ctl->EventMask;
    if (!(mask & WSK_EVENT_DISABLE)) {
        if (!mask || (mask & ~valid))
            return irp ? owsk_wsk_irp_fail(irp, STATUS_INVALID_PARAMETER)
                       : STATUS_INVALID_PARAMETER;
        if (s->category == OWSK_CAT_LISTEN) {
            /* Connection events on a listener are for the sockets it will accept through
             * WskAcceptEvent; once set they stay (NET:so-wsk-event-callback). */
            __atomic_or_fetch(&s->inherit_events, mask & CONN_EVENTS, __ATOMIC_SEQ_CST);
            mask &= WSK_EVENT_ACCEPT;
        }
        __atomic_or_fetch(&s->events, mask, __ATOMIC_SEQ_CST);
        owsk_wsk_socket_kick(s);
        return irp ? owsk_io_complete_irp(irp, STATUS_SUCCESS, 0) : STATUS_SUCCESS;
    }
    ev = mask & ~(ULONG)WSK_EVENT_DISABLE;
    /* Exactly one event per disable; static and inherited-on-listener ones stay. */
    if (!ev || (ev & (ev - 1)) || !(ev & valid) || (ev & s->static_events) ||
        (s->category == OWSK_CAT_LISTEN && (ev & CONN_EVENTS)))
        return irp ? owsk_wsk_irp_fail(irp, STATUS_INVALID_PARAMETER) : STATUS_INVALID_PARAMETER;
    __atomic_and_fetch(&s->events, ~ev, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&s->cb_running, __ATOMIC_SEQ_CST) != ev)
        return irp ? owsk_io_complete_irp(irp, STATUS_SUCCESS, 0) : STATUS_SUCCESS;
    /* That callback is running right now. */
    if (!irp)
        return STATUS_EVENT_PENDING;
    r = calloc(1, sizeof(*r));
    if (!r)
        return owsk_wsk_irp_fail(irp, STATUS_INSUFFICIENT_RESOURCES);
    r->irp = irp;
    r->op = OP_DISABLE_EVENT;
    r->flags = ev;
    r->sock = s;
    r->client = s->client;
    owsk_wsk_socket_ref(s);
    if (owsk_loop_current() == s->loop) {
        /* Re-entered from inside the callback: complete when it returns. */
        owsk_io_irp_begin(irp, s->owner, "WskControlSocket", s);
        r->next = s->disable_waiters;
        s->disable_waiters = r;
        return STATUS_PENDING;
    }
    return owsk_wsk_req_submit(r);
}

/* ---- indications ---- */

static struct owsk_wsk_indication *ind_new(size_t cap)
{
    struct owsk_wsk_indication *ind = malloc(sizeof(*ind) + cap);

    if (!ind)
        return NULL;
    memset(ind, 0, sizeof(*ind));
    ind->di.Buffer.Mdl = IoAllocateMdl(ind->data, (ULONG)cap, FALSE, FALSE, NULL);
    if (!ind->di.Buffer.Mdl) {
        free(ind);
        return NULL;
    }
    MmBuildMdlForNonPagedPool(ind->di.Buffer.Mdl);
    return ind;
}

static void ind_free(struct owsk_wsk_indication *ind)
{
    IoFreeMdl(ind->di.Buffer.Mdl);
    free(ind);
}

/* Keeps the bytes the driver did not take, ahead of anything still in the kernel. */
static bool keep_rest(struct owsk_wsk_socket *s, const unsigned char *p, size_t len)
{
    unsigned char *nb;

    if (!len)
        return true;
    nb = malloc(len + s->rx_len);
    if (!nb)
        return false;
    memcpy(nb, p, len);
    if (s->rx_len)
        memcpy(nb + len, s->rx_buf + s->rx_off, s->rx_len);
    free(s->rx_buf);
    s->rx_buf = nb;
    s->rx_off = 0;
    s->rx_len += len;
    return true;
}

/* Takes ind off the retained list; false if the driver already released it. */
static bool unlist(struct owsk_wsk_socket *s, struct owsk_wsk_indication *ind)
{
    struct owsk_wsk_indication **pp;
    bool found = false;

    pthread_mutex_lock(&s->ind_lock);
    for (pp = &s->retained; *pp; pp = &(*pp)->next_retained) {
        if (*pp == ind) {
            *pp = ind->next_retained;
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&s->ind_lock);
    return found;
}

void owsk_wsk_event_receive(struct owsk_wsk_socket *s)
{
    while (!s->closing && !s->ind_blocked && !s->recv_q.head &&
           owsk_wsk_event_on(s, WSK_EVENT_RECEIVE)) {
        struct owsk_wsk_indication *ind;
        struct owsk_wsk_cb_scope scope;
        SIZE_T accepted;
        NTSTATUS st;
        size_t len;

        if (s->rx_len) {
            len = s->rx_len > IND_MAX ? IND_MAX : s->rx_len;
            ind = ind_new(len);
            if (!ind)
                return;
            memcpy(ind->data, s->rx_buf + s->rx_off, len);
            s->rx_off += len;
            s->rx_len -= len;
            if (!s->rx_len) {
                free(s->rx_buf);
                s->rx_buf = NULL;
                s->rx_off = 0;
            }
        } else {
            struct iovec iov;
            ssize_t k;

            if (s->peer_fin || s->rx_error || s->aborted || s->fd < 0)
                return;
            ind = ind_new(IND_MAX);
            if (!ind)
                return;
            iov.iov_base = ind->data;
            iov.iov_len = IND_MAX;
            k = owsk_wsk_sys_recvv(s->fd, &iov, 1);
            if (k <= 0) {
                ind_free(ind);
                if (k == 0)
                    s->peer_fin = true;
                else if (k != -EAGAIN)
                    s->rx_error = owsk_status_from_errno((int)-k);
                return;
            }
            len = (size_t)k;
        }
        ind->len = len;
        ind->di.Next = NULL;
        ind->di.Buffer.Offset = 0;
        ind->di.Buffer.Length = len;
        ind->di.Buffer.Mdl->ByteCount = (ULONG)len;
        accepted = len;
        /* Listed as retained before the call: a driver may hand the indication to another
         * thread that calls WskRelease before the callback has returned STATUS_PENDING. */
        pthread_mutex_lock(&s->ind_lock);
        ind->next_retained = s->retained;
        s->retained = ind;
        pthread_mutex_unlock(&s->ind_lock);
        owsk_wsk_cb_enter(s, WSK_EVENT_RECEIVE, &scope);
        if (__atomic_load_n(&s->events, __ATOMIC_SEQ_CST) & WSK_EVENT_RECEIVE)
            st = s->conn_dispatch->WskReceiveEvent(s->context, WSK_FLAG_AT_DISPATCH_LEVEL, &ind->di,
                                                   len, &accepted);
        else
            st = STATUS_DATA_NOT_ACCEPTED; /* disabled between the check and the call */
        owsk_wsk_cb_leave(s, &scope);
        if (st != STATUS_PENDING && unlist(s, ind)) {
            size_t took = st == STATUS_SUCCESS ? (accepted < len ? accepted : len) : 0;

            if (st != STATUS_SUCCESS && st != STATUS_DATA_NOT_ACCEPTED)
                OWSK_WARN(OWSK_CH_WSK, "socket %p: WskReceiveEvent returned %s", (void *)s,
                          owsk_status_name(st));
            if (took < len) {
                /* Partial or refused: hold the rest; no indication until a WskReceive
                 * completes (a zero-length one re-arms). */
                keep_rest(s, ind->data + took, len - took);
                s->ind_blocked = true;
            }
            ind_free(ind);
        }
        if (s->recv_q.head && !s->closing) {
            /* The driver posted receives from the callback: they come first now. */
            owsk_wsk_stream_pump(s);
            return;
        }
    }
}

/* Receives the driver posted from inside a callback were queued, not run (run_receive
 * waits while a callback is in progress): run them now. */
static void after_callback(struct owsk_wsk_socket *s)
{
    if (!s->closing && !s->in_callback && s->recv_q.head) {
        owsk_wsk_stream_pump(s);
        owsk_wsk_socket_update_watch(s);
    }
}

void owsk_wsk_event_disconnect(struct owsk_wsk_socket *s, bool abortive)
{
    struct owsk_wsk_cb_scope scope;

    if (s->disconnect_indicated || s->closing)
        return;
    if (!owsk_wsk_event_on(s, WSK_EVENT_DISCONNECT)) {
        /* A reset seen by a driver that only takes receive events: a NULL DataIndication
         * tells it the socket is no longer functional (wsk-reference 1.6). */
        if (abortive && owsk_wsk_event_on(s, WSK_EVENT_RECEIVE)) {
            SIZE_T accepted = 0;
            NTSTATUS ignored;

            s->disconnect_indicated = true;
            owsk_wsk_cb_enter(s, WSK_EVENT_RECEIVE, &scope);
            ignored = s->conn_dispatch->WskReceiveEvent(s->context, WSK_FLAG_AT_DISPATCH_LEVEL,
                                                        NULL, 0, &accepted);
            owsk_wsk_cb_leave(s, &scope);
            (void)ignored;
            after_callback(s);
        }
        return;
    }
    s->disconnect_indicated = true;
    owsk_wsk_cb_enter(s, WSK_EVENT_DISCONNECT, &scope);
    s->conn_dispatch->WskDisconnectEvent(s->context, WSK_FLAG_AT_DISPATCH_LEVEL |
                                                         (abortive ? WSK_FLAG_ABORTIVE : 0));
    owsk_wsk_cb_leave(s, &scope);
    after_callback(s);
}

void owsk_wsk_event_send_backlog(struct owsk_wsk_socket *s)
{
    struct owsk_wsk_cb_scope scope;
    ssize_t isb;

    if (s->closing || !owsk_wsk_event_on(s, WSK_EVENT_SEND_BACKLOG) || s->fd < 0)
        return;
    isb = owsk_wsk_sys_ideal_backlog(s->fd);
    if (isb <= 0 || (SIZE_T)isb == s->last_isb)
        return;
    s->last_isb = (SIZE_T)isb;
    owsk_wsk_cb_enter(s, WSK_EVENT_SEND_BACKLOG, &scope);
    s->conn_dispatch->WskSendBacklogEvent(s->context, (SIZE_T)isb);
    owsk_wsk_cb_leave(s, &scope);
    after_callback(s);
}

NTSTATUS owsk_wsk_release_indications(struct owsk_wsk_socket *s, PWSK_DATA_INDICATION list)
{
    PWSK_DATA_INDICATION di;
    struct owsk_wsk_indication **pp, *found;

    /* Check the whole list first: a bad element must not half-release it. */
    pthread_mutex_lock(&s->ind_lock);
    for (di = list; di; di = di->Next) {
        for (found = s->retained; found; found = found->next_retained)
            if (&found->di == di)
                break;
        if (!found) {
            pthread_mutex_unlock(&s->ind_lock);
            return STATUS_INVALID_PARAMETER;
        }
    }
    for (di = list; di;) {
        PWSK_DATA_INDICATION next = di->Next;

        for (pp = &s->retained; *pp; pp = &(*pp)->next_retained) {
            if (&(*pp)->di == di) {
                found = *pp;
                *pp = found->next_retained;
                ind_free(found);
                break;
            }
        }
        di = next;
    }
    pthread_mutex_unlock(&s->ind_lock);
    return STATUS_SUCCESS;
}

void owsk_wsk_reclaim_indications(struct owsk_wsk_socket *s)
{
    struct owsk_wsk_indication *ind, *next;
    unsigned n = 0;

    /* Windows leaves retained indications to the driver (it must WskRelease them before
     * closing); we take them back so the memory is not lost, and say so. */
    pthread_mutex_lock(&s->ind_lock);
    ind = s->retained;
    s->retained = NULL;
    pthread_mutex_unlock(&s->ind_lock);
    for (; ind; ind = next) {
        next = ind->next_retained;
        ind_free(ind);
        n++;
    }
    if (n)
        OWSK_WARN(OWSK_CH_WSK, "socket %p closed with %u data indications not released", (void *)s,
                  n);
}
