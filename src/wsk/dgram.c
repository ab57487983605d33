/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Datagram sockets (WSK_FLAG_DATAGRAM_SOCKET): creation, WSK_PROVIDER_DATAGRAM_DISPATCH
 * (WskBind, WskSendTo, WskSendMessages, WskReceiveFrom, WskRelease, WskGetLocalAddress), the
 * datagram IOCTLs and options kept by the provider, and the receive pump that serves queued
 * WskReceiveFrom IRPs before WskReceiveFromEvent. SOCK_RAW datagram sockets are absent. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io/io.h"
#include "ke/ke.h"
#include "wsk/dgram_lx.h"
#include "wsk/provider.h"

_Static_assert(OWSK_WIN_IP_PKTINFO == IP_PKTINFO && OWSK_WIN_IPV6_PKTINFO == IPV6_PKTINFO &&
               OWSK_WIN_MSG_TRUNC == MSG_TRUNC && OWSK_WIN_MSG_CTRUNC == MSG_CTRUNC &&
               OWSK_WIN_MSG_BCAST == MSG_BCAST && OWSK_WIN_MSG_MCAST == MSG_MCAST,
               "datagram numbers");
_Static_assert(OWSK_WIN_IP_MULTICAST_IF == IP_MULTICAST_IF &&
               OWSK_WIN_IP_MULTICAST_TTL == IP_MULTICAST_TTL &&
               OWSK_WIN_IP_MULTICAST_LOOP == IP_MULTICAST_LOOP &&
               OWSK_WIN_IP_ADD_MEMBERSHIP == IP_ADD_MEMBERSHIP &&
               OWSK_WIN_IP_DROP_MEMBERSHIP == IP_DROP_MEMBERSHIP &&
               OWSK_WIN_IPV6_MULTICAST_IF == IPV6_MULTICAST_IF &&
               OWSK_WIN_IPV6_MULTICAST_HOPS == IPV6_MULTICAST_HOPS &&
               OWSK_WIN_IPV6_MULTICAST_LOOP == IPV6_MULTICAST_LOOP &&
               OWSK_WIN_IPV6_ADD_MEMBERSHIP == IPV6_ADD_MEMBERSHIP &&
               OWSK_WIN_IPV6_DROP_MEMBERSHIP == IPV6_DROP_MEMBERSHIP &&
               sizeof(IP_MREQ) == 8 && sizeof(IPV6_MREQ) == 20, "multicast options");

#define MAX_IOV 256
#define IND_CAP 65536u   /* the largest UDP payload fits */
#define IND_BATCH 16     /* datagrams per WskReceiveFromEvent call */
#define HELD_MAX 1024    /* refused datagrams kept for later; beyond, the oldest is dropped */
#define CTL_CAP 64       /* room for one IP_PKTINFO or IPV6_PKTINFO record */

/* A provider-owned datagram handed to WskReceiveFromEvent (or kept after a refusal). */
struct dgram_ind {
    WSK_DATAGRAM_INDICATION di; /* first: what the driver sees */
    struct dgram_ind *link;     /* held FIFO or retained list */
    ULONG flags;                /* MSG_BCAST / MSG_MCAST / MSG_TRUNC of this datagram */
    bool irp_only;              /* refused by a static callback: only IRPs may take it */
    SOCKADDR_STORAGE remote;
    union {
        unsigned char b[CTL_CAP];
        CMSGHDR align_;
    } ctl;
    size_t len;
    unsigned char data[];
};

struct owsk_wsk_dgram {
    const WSK_CLIENT_DATAGRAM_DISPATCH *dispatch; /* immutable */
    struct owsk_lx_addr sendto;  /* loop: SIO_WSK_SET_SENDTO_ADDRESS, len 0 = none */
    bool has_remote;             /* loop: SIO_WSK_SET_REMOTE_ADDRESS (the fd is connected) */
    bool want_pi4, want_pi6;     /* atomic: IP_PKTINFO / IPV6_PKTINFO asked for */
    struct dgram_ind *held, *held_tail; /* loop: read but not yet taken */
    unsigned held_count;
    bool held_warned;
    struct dgram_ind *retained;  /* s->ind_lock: indications kept with STATUS_PENDING */
    struct owsk_wsk_socket *sock; /* immutable: the socket this state belongs to */
    bool kick_posted;            /* atomic */
    struct owsk_loop_task kick;
};

static void dgram_pump(struct owsk_wsk_socket *s);

/* ---- indications ---- */

static void ind_free(struct dgram_ind *ind)
{
    if (ind->di.Buffer.Mdl)
        IoFreeMdl(ind->di.Buffer.Mdl);
    free(ind);
}

/* Thread: loop. Reads one datagram into a new indication; NULL with *ret_err on none. */
static struct dgram_ind *ind_read(struct owsk_wsk_socket *s, int *ret_err)
{
    struct owsk_wsk_dgram *d = s->dgram;
    struct dgram_ind *ind = malloc(sizeof(*ind) + IND_CAP), *small;
    struct owsk_dgram_rx rx;
    struct iovec iov;
    int e;

    if (!ind) {
        *ret_err = -ENOMEM;
        return NULL;
    }
    memset(ind, 0, sizeof(*ind));
    iov.iov_base = ind->data;
    iov.iov_len = IND_CAP;
    e = owsk_dgram_sys_recv(s->fd, &iov, 1, __atomic_load_n(&d->want_pi4, __ATOMIC_RELAXED),
                            __atomic_load_n(&d->want_pi6, __ATOMIC_RELAXED), ind->ctl.b,
                            sizeof(ind->ctl.b), &rx);
    if (e < 0) {
        free(ind);
        *ret_err = e;
        return NULL;
    }
    /* Give back what the datagram did not use (a shrinking realloc keeps the address in
     * practice, but the MDL is built only afterwards in any case). */
    small = realloc(ind, sizeof(*ind) + rx.len);
    if (small)
        ind = small;
    ind->len = rx.len;
    ind->flags = rx.win_flags & (MSG_BCAST | MSG_MCAST | MSG_TRUNC);
    owsk_wsk_addr_to_win(&rx.from, &ind->remote);
    ind->di.Buffer.Mdl = IoAllocateMdl(ind->data, (ULONG)rx.len, FALSE, FALSE, NULL);
    if (ind->di.Buffer.Mdl)
        MmBuildMdlForNonPagedPool(ind->di.Buffer.Mdl);
    ind->di.Buffer.Offset = 0;
    ind->di.Buffer.Length = rx.len;
    ind->di.ControlInfoLength = (ULONG)rx.ctl_len;
    ind->di.ControlInfo = rx.ctl_len ? &ind->ctl.align_ : NULL;
    ind->di.RemoteAddress = (PSOCKADDR)&ind->remote;
    return ind;
}

static void held_push_front(struct owsk_wsk_dgram *d, struct dgram_ind *first,
                            struct dgram_ind *last, unsigned n)
{
    last->link = d->held;
    if (!d->held)
        d->held_tail = last;
    d->held = first;
    d->held_count += n;
}

static struct dgram_ind *held_pop(struct owsk_wsk_dgram *d)
{
    struct dgram_ind *ind = d->held;

    if (ind) {
        d->held = ind->link;
        if (!d->held)
            d->held_tail = NULL;
        d->held_count--;
        ind->link = NULL;
    }
    return ind;
}

/* Keeps the held list bounded, as a full socket receive buffer would drop datagrams. */
static void held_trim(struct owsk_wsk_socket *s)
{
    struct owsk_wsk_dgram *d = s->dgram;

    while (d->held_count > HELD_MAX) {
        ind_free(held_pop(d));
        if (!d->held_warned) {
            d->held_warned = true;
            OWSK_WARN(OWSK_CH_WSK, "socket %p: more than %u refused datagrams, dropping the "
                      "oldest", (void *)s, HELD_MAX);
        }
    }
}

/* ---- receive pump (loop) ---- */

static bool event_on(struct owsk_wsk_socket *s)
{
    struct owsk_wsk_dgram *d = s->dgram;

    return s->bound && !s->closing && d->dispatch && d->dispatch->WskReceiveFromEvent &&
           (__atomic_load_n(&s->events, __ATOMIC_SEQ_CST) & WSK_EVENT_RECEIVE_FROM);
}

uint32_t owsk_wsk_dgram_want(struct owsk_wsk_socket *s)
{
    uint32_t want = 0;

    if (!s->bound)
        return 0;
    if (s->recv_q.head || event_on(s))
        want |= OWSK_LOOP_IN;
    if (s->send_q.head)
        want |= OWSK_LOOP_OUT;
    return want;
}

/* The driver's receive arguments live in the request's generic fields:
 * out_remote = RemoteAddress, in_buf = ControlLength, out_buf = ControlInfo,
 * accept_context = ControlFlags. */
static void report_rx(struct owsk_wsk_req *r, const struct owsk_lx_addr *from,
                      const SOCKADDR_STORAGE *from_win, ULONG flags, const void *ctl,
                      size_t ctl_len)
{
    PULONG control_length = r->in_buf;

    if (r->out_remote) {
        if (from)
            owsk_wsk_addr_to_win(from, r->out_remote);
        else
            memcpy(r->out_remote, from_win, owsk_wsk_addr_win_len(from_win->ss_family));
    }
    if (!control_length)
        return;
    if (ctl) {
        /* A held datagram: its control records were kept in our buffer. */
        size_t cap = r->out_buf ? *control_length : 0;

        if (ctl_len > cap) {
            flags |= MSG_CTRUNC;
            ctl_len = 0;
        }
        if (ctl_len)
            memcpy(r->out_buf, ctl, ctl_len);
    }
    *control_length = (ULONG)ctl_len;
    if (r->accept_context)
        *(PULONG)r->accept_context = flags;
}

/* Fills a receive IRP from a held datagram. */
static NTSTATUS rx_from_held(struct owsk_wsk_req *r, struct dgram_ind *ind, SIZE_T *ret_n)
{
    struct iovec iov[MAX_IOV];
    int n = owsk_wsk_buf_iov(&r->buf, 0, iov, MAX_IOV);
    size_t copied = 0;
    ULONG flags = ind->flags;

    if (n < 0)
        return STATUS_INVALID_PARAMETER;
    for (int i = 0; i < n && copied < ind->len; i++) {
        size_t k = iov[i].iov_len < ind->len - copied ? iov[i].iov_len : ind->len - copied;

        memcpy(iov[i].iov_base, ind->data + copied, k);
        copied += k;
    }
    if (copied < ind->len)
        flags |= MSG_TRUNC;
    report_rx(r, NULL, &ind->remote, flags, ind->ctl.b, ind->di.ControlInfoLength);
    *ret_n = copied;
    return STATUS_SUCCESS;
}

/* Receives the next datagram straight into the IRP's buffer. -EAGAIN when none. */
static int rx_direct(struct owsk_wsk_socket *s, struct owsk_wsk_req *r, NTSTATUS *ret_st,
                     SIZE_T *ret_n)
{
    struct owsk_wsk_dgram *d = s->dgram;
    struct iovec iov[MAX_IOV];
    int n = owsk_wsk_buf_iov(&r->buf, 0, iov, MAX_IOV);
    PULONG control_length = r->in_buf;
    size_t cap = control_length && r->out_buf ? *control_length : 0;
    struct owsk_dgram_rx rx;
    int e;

    if (n < 0) {
        *ret_st = STATUS_INVALID_PARAMETER;
        *ret_n = 0;
        return 0;
    }
    e = owsk_dgram_sys_recv(s->fd, iov, n, __atomic_load_n(&d->want_pi4, __ATOMIC_RELAXED),
                            __atomic_load_n(&d->want_pi6, __ATOMIC_RELAXED),
                            cap ? r->out_buf : NULL, cap, &rx);
    if (e == -EAGAIN)
        return e;
    if (e < 0) {
        *ret_st = owsk_status_from_errno(-e);
        *ret_n = 0;
        return 0;
    }
    report_rx(r, &rx.from, NULL, rx.win_flags, NULL, rx.ctl_len);
    *ret_st = STATUS_SUCCESS;
    *ret_n = rx.len;
    return 0;
}

/* Serves queued WskReceiveFrom IRPs in order. */
static void serve_irps(struct owsk_wsk_socket *s)
{
    struct owsk_wsk_dgram *d = s->dgram;
    struct owsk_wsk_req *r = s->recv_q.head;

    while (r && !s->closing && s->fd >= 0) {
        struct dgram_ind *ind;
        NTSTATUS st;
        SIZE_T n = 0;

        if (!owsk_wsk_req_claim(r)) {
            r = r->next; /* being cancelled; its cancel task completes it */
            continue;
        }
        ind = held_pop(d);
        if (ind) {
            st = rx_from_held(r, ind, &n);
            ind_free(ind);
        } else if (rx_direct(s, r, &st, &n) == -EAGAIN) {
            if (!owsk_wsk_req_rearm(r)) {
                owsk_wsk_queue_remove(r);
                owsk_wsk_req_complete(r, STATUS_CANCELLED, 0);
            }
            return;
        }
        owsk_wsk_queue_remove(r);
        owsk_wsk_req_complete(r, st, NT_SUCCESS(st) ? n : 0);
        r = s->recv_q.head;
    }
}

/* Indicates datagrams through WskReceiveFromEvent while it is on and no IRP waits. */
/* Lock: s->ind_lock. Takes ind off the retained list; false if the driver released it. */
static bool retained_take(struct owsk_wsk_dgram *d, struct dgram_ind *ind)
{
    for (struct dgram_ind **pp = &d->retained; *pp; pp = &(*pp)->link) {
        if (*pp == ind) {
            *pp = ind->link;
            ind->link = NULL;
            return true;
        }
    }
    return false;
}

static void indicate(struct owsk_wsk_socket *s)
{
    struct owsk_wsk_dgram *d = s->dgram;

    while (!s->recv_q.head && !s->in_callback && event_on(s) && s->fd >= 0) {
        struct dgram_ind *batch[IND_BATCH];
        struct owsk_wsk_cb_scope scope;
        ULONG flags = WSK_FLAG_AT_DISPATCH_LEVEL;
        unsigned n = 0, kept = 0;
        bool dynamic = !(s->static_events & WSK_EVENT_RECEIVE_FROM);
        NTSTATUS st;

        /* Refused datagrams first (a dynamic re-enable), then new ones. */
        while (n < IND_BATCH) {
            struct dgram_ind *ind = NULL;
            int e = 0;

            if (d->held && !d->held->irp_only)
                ind = held_pop(d);
            else
                ind = ind_read(s, &e);
            if (!ind)
                break;
            ind->di.Next = NULL;
            if (n)
                batch[n - 1]->di.Next = &ind->di;
            batch[n++] = ind;
            flags |= ind->flags & (MSG_BCAST | MSG_MCAST);
        }
        if (!n)
            return;
        /* The list belongs to the driver from the moment it is indicated: one that hands it
         * to another thread may WskRelease it before the callback even returns. */
        pthread_mutex_lock(&s->ind_lock);
        for (unsigned i = n; i-- > 0;) {
            batch[i]->link = d->retained;
            d->retained = batch[i];
        }
        pthread_mutex_unlock(&s->ind_lock);
        owsk_wsk_cb_enter(s, WSK_EVENT_RECEIVE_FROM, &scope);
        if (__atomic_load_n(&s->events, __ATOMIC_SEQ_CST) & WSK_EVENT_RECEIVE_FROM)
            st = d->dispatch->WskReceiveFromEvent(s->context, flags, &batch[0]->di);
        else
            st = STATUS_DATA_NOT_ACCEPTED; /* disabled between the check and the call */
        owsk_wsk_cb_leave(s, &scope);
        if (st == STATUS_PENDING) {
            /* Retained until WskRelease; receives posted from the callback come next. */
            if (s->recv_q.head)
                serve_irps(s);
            continue;
        }
        if (st != STATUS_SUCCESS && st != STATUS_DATA_NOT_ACCEPTED)
            OWSK_WARN(OWSK_CH_WSK, "socket %p: WskReceiveFromEvent returned %s", (void *)s,
                      owsk_status_name(st));
        /* Not retained: take back what the driver did not (wrongly) release already. */
        pthread_mutex_lock(&s->ind_lock);
        for (unsigned i = 0; i < n; i++)
            if (retained_take(d, batch[i]))
                batch[kept++] = batch[i];
        pthread_mutex_unlock(&s->ind_lock);
        if (st != STATUS_DATA_NOT_ACCEPTED) {
            for (unsigned i = 0; i < kept; i++)
                ind_free(batch[i]);
        } else if (kept) {
            /* Keep them, in order, ahead of anything newer. A dynamically enabled callback
             * is disabled until the driver enables it again; a static one stays on and is
             * called for new datagrams only (DDI: PFN_WSK_RECEIVE_FROM_EVENT). */
            for (unsigned i = 0; i < kept; i++) {
                batch[i]->irp_only = !dynamic;
                batch[i]->di.Next = NULL;
                batch[i]->link = i + 1 < kept ? batch[i + 1] : NULL;
            }
            held_push_front(d, batch[0], batch[kept - 1], kept);
            held_trim(s);
        }
        if (st == STATUS_DATA_NOT_ACCEPTED && dynamic) {
            __atomic_and_fetch(&s->events, ~(ULONG)WSK_EVENT_RECEIVE_FROM, __ATOMIC_SEQ_CST);
            return;
        }
        if (s->recv_q.head)
            serve_irps(s); /* the callback posted receives: they come first now */
    }
}

static void dgram_pump_rx(struct owsk_wsk_socket *s)
{
    if (s->closing || s->fd < 0 || !s->bound)
        return;
    serve_irps(s);
    indicate(s);
}

/* ---- send pump (loop) ---- */

/* The destination of a send: its own address, else the sendto default, else the fixed
 * remote (the fd is connected: NULL). false when there is none. */
static bool send_dest(struct owsk_wsk_socket *s, struct owsk_wsk_req *r,
                      const struct owsk_lx_addr **ret_to)
{
    struct owsk_wsk_dgram *d = s->dgram;

    if (r->addr.len)
        *ret_to = &r->addr;
    else if (d->sendto.len)
        *ret_to = &d->sendto;
    else if (d->has_remote)
        *ret_to = NULL;
    else
        return false;
    return true;
}

/* Datagram i of a WskSendMessages list. */
static PWSK_BUF_LIST list_at(PWSK_BUF_LIST l, SIZE_T i)
{
    while (l && i--)
        l = l->Next;
    return l;
}

/* Tries to finish one send request. Returns false if the socket buffer is full. The driver's
 * arguments: buf (WskSendTo), out_buf = the WSK_BUF_LIST and ctl_code = 1 (WskSendMessages),
 * out_size = datagrams of the list already sent, in_buf/in_size = ControlInfo. */
static bool send_try(struct owsk_wsk_socket *s, struct owsk_wsk_req *r, NTSTATUS *ret_st,
                     ULONG_PTR *ret_info)
{
    const struct owsk_lx_addr *to;
    struct iovec iov[MAX_IOV];

    *ret_info = 0;
    if (!send_dest(s, r, &to)) {
        *ret_st = STATUS_INVALID_PARAMETER; /* EDESTADDRREQ: no address and none fixed */
        return true;
    }
    if (r->ctl_code == 1) {
        int first[MAX_IOV + 1], count = 0, used = 0;
        PWSK_BUF_LIST l = list_at(r->out_buf, r->out_size);
        size_t bytes;
        int k;

        for (; l && count < MAX_IOV; l = l->Next) {
            int n = owsk_wsk_buf_iov(&l->Buffer, 0, iov + used, MAX_IOV - used);
            SIZE_T total = 0;

            for (int i = 0; i < n; i++)
                total += iov[used + i].iov_len;
            if (n < 0 || total != l->Buffer.Length) {
                if (count)
                    break; /* send what fits now; this one starts the next batch */
                *ret_st = STATUS_INVALID_PARAMETER;
                return true;
            }
            first[count++] = used;
            used += n;
        }
        first[count] = used;
        k = owsk_dgram_sys_sendmm(s->fd, iov, first, count, to, r->in_buf, r->in_size, &bytes);
        if (k == -EAGAIN)
            return false;
        if (k < 0) {
            *ret_st = owsk_status_from_errno(-k);
            return true;
        }
        r->out_size += (SIZE_T)k;
        if (list_at(r->out_buf, r->out_size))
            return send_try(s, r, ret_st, ret_info);
        /* Information: the bytes of every datagram in the list. */
        for (l = r->out_buf; l; l = l->Next)
            *ret_info += l->Buffer.Length;
        *ret_st = STATUS_SUCCESS;
        return true;
    } else {
        int n = owsk_wsk_buf_iov(&r->buf, 0, iov, MAX_IOV);
        SIZE_T total = 0;
        ssize_t k;

        for (int i = 0; i < n; i++)
            total += iov[i].iov_len;
        if (n < 0 || total != r->buf.Length) {
            *ret_st = STATUS_INVALID_PARAMETER;
            return true;
        }
        k = owsk_dgram_sys_send(s->fd, iov, n, to, r->in_buf, r->in_size);
        if (k == -EAGAIN)
            return false;
        if (k < 0) {
            *ret_st = owsk_status_from_errno((int)-k);
            return true;
        }
        *ret_info = (ULONG_PTR)k;
        *ret_st = STATUS_SUCCESS;
        return true;
    }
}

static void dgram_pump_tx(struct owsk_wsk_socket *s)
{
    struct owsk_wsk_req *r = s->send_q.head;

    while (r && !s->closing && s->fd >= 0) {
        NTSTATUS st;
        ULONG_PTR info;

        if (!owsk_wsk_req_claim(r)) {
            r = r->next;
            continue;
        }
        if (!send_try(s, r, &st, &info)) {
            if (!owsk_wsk_req_rearm(r)) {
                owsk_wsk_queue_remove(r);
                owsk_wsk_req_complete(r, STATUS_CANCELLED, 0);
            }
            return;
        }
        owsk_wsk_queue_remove(r);
        owsk_wsk_req_complete(r, st, info);
        r = s->send_q.head;
    }
}

static void dgram_pump(struct owsk_wsk_socket *s)
{
    owsk_wsk_socket_ref(s);
    dgram_pump_tx(s);
    dgram_pump_rx(s);
    owsk_wsk_socket_update_watch(s);
    owsk_wsk_socket_unref(s);
}

/* Thread: the socket's loop. */
static void dgram_on_ready(struct owsk_loop_watch *w, uint32_t revents)
{
    struct owsk_wsk_socket *s = CONTAINING_RECORD(w, struct owsk_wsk_socket, watch);

    dgram_pump(s);
}

/* Thread: the socket's loop. */
static void kick_task(struct owsk_loop_task *t)
{
    struct owsk_wsk_dgram *d = CONTAINING_RECORD(t, struct owsk_wsk_dgram, kick);
    struct owsk_wsk_socket *s = d->sock;

    __atomic_store_n(&d->kick_posted, false, __ATOMIC_RELEASE);
    if (!s->closing)
        dgram_pump(s);
    owsk_wsk_socket_unref(s);
}

/* Any thread: re-run the pumps on the loop (a callback was just enabled). */
static void kick(struct owsk_wsk_socket *s)
{
    struct owsk_wsk_dgram *d = s->dgram;

    if (__atomic_exchange_n(&d->kick_posted, true, __ATOMIC_ACQ_REL))
        return;
    owsk_wsk_socket_ref(s);
    d->kick.fn = kick_task;
    owsk_loop_post(s->loop, &d->kick);
}

/* ---- request handlers (loop) ---- */

static NTSTATUS io_state(struct owsk_wsk_socket *s)
{
    if (s->closing || s->fd < 0)
        return STATUS_INVALID_HANDLE;
    if (!s->bound)
        return STATUS_INVALID_DEVICE_STATE; /* a datagram socket sends and receives once bound */
    return STATUS_SUCCESS;
}

static NTSTATUS run_send(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;
    NTSTATUS st = io_state(s);
    ULONG_PTR info;

    if (!NT_SUCCESS(st))
        return owsk_wsk_req_complete(r, st, 0);
    if (!s->send_q.head && send_try(s, r, &st, &info))
        return owsk_wsk_req_complete(r, st, info);
    if (!owsk_wsk_req_queue(&s->send_q, r))
        return STATUS_CANCELLED;
    owsk_wsk_socket_update_watch(s);
    return STATUS_PENDING;
}

static NTSTATUS run_receive(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;
    NTSTATUS st = io_state(s);

    if (!NT_SUCCESS(st))
        return owsk_wsk_req_complete(r, st, 0);
    if (!owsk_wsk_req_queue(&s->recv_q, r))
        return STATUS_CANCELLED;
    /* Served right away when a datagram is there (a completion may run inline); from inside
     * WskReceiveFromEvent the indication path serves it when the callback returns. */
    if (!s->in_callback) {
        owsk_wsk_socket_ref(s);
        serve_irps(s);
        owsk_wsk_socket_update_watch(s);
        owsk_wsk_socket_unref(s);
    }
    return STATUS_PENDING;
}

static int sockaddr_in(struct owsk_wsk_socket *s, const void *sa, SIZE_T size,
                       struct owsk_lx_addr *ret)
{
    USHORT fam;

    if (!sa || size < sizeof(USHORT))
        return -EINVAL;
    memcpy(&fam, sa, sizeof(fam));
    if (size < owsk_wsk_addr_win_len(fam) || !owsk_wsk_addr_win_len(fam))
        return -EINVAL;
    if (s->family == AF_INET && fam != AF_INET)
        return -EINVAL;
    return owsk_wsk_addr_from_win(sa, s->family == AF_INET6, ret);
}

/* SIO_WSK_SET_REMOTE_ADDRESS / SIO_WSK_SET_SENDTO_ADDRESS: after bind, size 0 clears. */
static NTSTATUS run_ioctl(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;
    struct owsk_wsk_dgram *d = s->dgram;
    struct owsk_lx_addr a, local;
    bool clear = !r->in_size || !r->in_buf;
    int e;

    if (s->closing || s->fd < 0)
        return owsk_wsk_req_complete(r, STATUS_INVALID_HANDLE, 0);
    if (!s->bound)
        return owsk_wsk_req_complete(r, STATUS_INVALID_DEVICE_STATE, 0);
    memset(&a, 0, sizeof(a));
    if (!clear && sockaddr_in(s, r->in_buf, r->in_size, &a) < 0)
        return owsk_wsk_req_complete(r, STATUS_INVALID_PARAMETER, 0);
    if (r->ctl_code == SIO_WSK_SET_SENDTO_ADDRESS) {
        d->sendto = a;
        return owsk_wsk_req_complete(r, STATUS_SUCCESS, 0);
    }
    if (clear && !d->has_remote)
        return owsk_wsk_req_complete(r, STATUS_SUCCESS, 0);
    /* Linux drops an ephemeral port when a UDP association is dissolved: keep the address
     * the socket was bound to and bind it again. */
    if (owsk_wsk_sys_local_addr(s->fd, &local) < 0)
        memset(&local, 0, sizeof(local));
    e = owsk_dgram_sys_connect(s->fd, clear ? NULL : &a);
    if (e < 0)
        return owsk_wsk_req_complete(r, owsk_status_from_errno(-e), 0);
    if (clear && local.len) {
        struct owsk_lx_addr now;

        if (owsk_wsk_sys_local_addr(s->fd, &now) < 0 || memcmp(&now, &local, sizeof(now)))
            owsk_wsk_sys_bind(s->fd, &local);
    }
    d->has_remote = !clear;
    owsk_wsk_socket_note_addrs(s);
    return owsk_wsk_req_complete(r, STATUS_SUCCESS, 0);
}

/* Thread: loop. Requests posted from another thread start here. */
static void req_task(struct owsk_loop_task *t)
{
    struct owsk_wsk_req *r = (struct owsk_wsk_req *)t;
    struct owsk_wsk_socket *s = r->sock;

    owsk_wsk_socket_ref(s);
    if (r->op == OP_SEND)
        run_send(r);
    else if (r->op == OP_RECEIVE)
        run_receive(r);
    else
        run_ioctl(r);
    owsk_wsk_socket_unref(s);
}

/* Runs a datagram request on the socket's loop: inline there, else posted (PENDING). */
static NTSTATUS submit(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;
    NTSTATUS st;

    r->task.fn = req_task;
    if (owsk_loop_current() == s->loop) {
        owsk_wsk_socket_ref(s);
        if (r->op == OP_SEND)
            st = run_send(r);
        else if (r->op == OP_RECEIVE)
            st = run_receive(r);
        else
            st = run_ioctl(r);
        owsk_wsk_socket_unref(s);
        return st;
    }
    owsk_io_irp_begin(r->irp, s->owner,
                      r->op == OP_SEND      ? "WskSendTo"
                      : r->op == OP_RECEIVE ? "WskReceiveFrom"
                                            : "WskControlSocket",
                      s);
    owsk_loop_post(s->loop, &r->task);
    return STATUS_PENDING;
}

/* ---- DDI entry ---- */

static NTSTATUS enter(PWSK_SOCKET Socket, PIRP Irp, enum owsk_wsk_op op,
                      struct owsk_wsk_req **ret_req)
{
    struct owsk_wsk_socket *s;
    struct owsk_wsk_req *r;

    if (!Irp || !owsk_io_irp_usable(Irp))
        return STATUS_INVALID_PARAMETER;
    s = owsk_wsk_socket_from(Socket, ~0u);
    if (!s)
        return owsk_wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
    if (s->category != OWSK_CAT_DATAGRAM)
        return owsk_wsk_irp_fail(Irp, STATUS_INVALID_DEVICE_REQUEST);
    r = calloc(1, sizeof(*r));
    if (!r)
        return owsk_wsk_irp_fail(Irp, STATUS_INSUFFICIENT_RESOURCES);
    r->irp = Irp;
    r->op = op;
    r->sock = s;
    r->client = s->client;
    owsk_wsk_socket_ref(s);
    *ret_req = r;
    return STATUS_SUCCESS;
}

#define ENTER(op)                                                                          \
    struct owsk_wsk_req *r;                                                                \
    NTSTATUS st_ = enter(Socket, Irp, (op), &r);                                           \
    if (st_ != STATUS_SUCCESS)                                                             \
        return st_;

static NTSTATUS reject(struct owsk_wsk_req *r, NTSTATUS st)
{
    return owsk_wsk_req_complete(r, st, 0);
}

/* WskBind: the provider's common bind handler runs it (it is the same for every category);
 * a wrong-family address is refused here. */
static NTSTATUS WSKAPI wsk_dgram_bind(PWSK_SOCKET Socket, PSOCKADDR LocalAddress, ULONG Flags,
                                      PIRP Irp)
{
    ENTER(OP_BIND);
    if (!LocalAddress || Flags)
        return reject(r, STATUS_INVALID_PARAMETER);
    if (sockaddr_in(r->sock, LocalAddress, sizeof(SOCKADDR_IN6), &r->addr) < 0)
        return reject(r, STATUS_INVALID_PARAMETER);
    return owsk_wsk_req_submit(r);
}

static NTSTATUS WSKAPI wsk_dgram_get_local_address(PWSK_SOCKET Socket, PSOCKADDR LocalAddress,
                                                   PIRP Irp)
{
    ENTER(OP_LOCAL_ADDR);
    if (!LocalAddress)
        return reject(r, STATUS_INVALID_PARAMETER);
    r->out_local = LocalAddress;
    return owsk_wsk_req_submit(r);
}

/* Shared checks of WskSendTo and WskSendMessages. */
static NTSTATUS send_args(struct owsk_wsk_req *r, ULONG Flags, PSOCKADDR RemoteAddress,
                          ULONG ControlInfoLength, PCMSGHDR ControlInfo)
{
    if (Flags)
        return STATUS_NOT_SUPPORTED;
    if (RemoteAddress && sockaddr_in(r->sock, RemoteAddress, sizeof(SOCKADDR_IN6), &r->addr) < 0)
        return STATUS_INVALID_PARAMETER;
    if (owsk_cmsg_check_win(ControlInfo, ControlInfoLength) < 0)
        return STATUS_INVALID_PARAMETER;
    r->in_buf = ControlInfo;
    r->in_size = ControlInfoLength;
    return STATUS_SUCCESS;
}

static NTSTATUS WSKAPI wsk_send_to(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                                   PSOCKADDR RemoteAddress, ULONG ControlInfoLength,
                                   PCMSGHDR ControlInfo, PIRP Irp)
{
    NTSTATUS st;

    ENTER(OP_SEND);
    if (!Buffer || !owsk_wsk_buf_valid(Buffer))
        return reject(r, STATUS_INVALID_PARAMETER);
    st = send_args(r, Flags, RemoteAddress, ControlInfoLength, ControlInfo);
    if (!NT_SUCCESS(st))
        return reject(r, st);
    r->buf = *Buffer;
    return submit(r);
}

static NTSTATUS WSKAPI wsk_send_messages(PWSK_SOCKET Socket, PWSK_BUF_LIST BufferList,
                                         ULONG Flags, PSOCKADDR RemoteAddress,
                                         ULONG ControlInfoLength, PCMSGHDR ControlInfo,
                                         PIRP Irp)
{
    NTSTATUS st;

    ENTER(OP_SEND);
    if (!BufferList)
        return reject(r, STATUS_INVALID_PARAMETER);
    for (PWSK_BUF_LIST l = BufferList; l; l = l->Next)
        if (!owsk_wsk_buf_valid(&l->Buffer))
            return reject(r, STATUS_INVALID_PARAMETER);
    st = send_args(r, Flags, RemoteAddress, ControlInfoLength, ControlInfo);
    if (!NT_SUCCESS(st))
        return reject(r, st);
    r->out_buf = BufferList;
    r->ctl_code = 1;
    return submit(r);
}

static NTSTATUS WSKAPI wsk_receive_from(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                                        PSOCKADDR RemoteAddress, PULONG ControlLength,
                                        PCMSGHDR ControlInfo, PULONG ControlFlags, PIRP Irp)
{
    ENTER(OP_RECEIVE);
    if (Flags)
        return reject(r, STATUS_NOT_SUPPORTED);
    if (!Buffer || !owsk_wsk_buf_valid(Buffer))
        return reject(r, STATUS_INVALID_PARAMETER);
    r->buf = *Buffer;
    r->out_remote = RemoteAddress;
    r->in_buf = ControlLength;
    r->out_buf = ControlLength ? ControlInfo : NULL;
    r->accept_context = ControlLength ? ControlFlags : NULL;
    return submit(r);
}

/* WskRelease (datagram form): every element must be a retained indication; a bad element
 * releases nothing. Accepted on a socket being closed, until its memory is reclaimed. */
static NTSTATUS WSKAPI wsk_dgram_release(PWSK_SOCKET Socket,
                                         PWSK_DATAGRAM_INDICATION DatagramIndication)
{
    struct owsk_wsk_socket *s = (struct owsk_wsk_socket *)Socket;
    struct owsk_wsk_dgram *d;
    PWSK_DATAGRAM_INDICATION di;
    struct dgram_ind **pp, *found;

    if (!s || __atomic_load_n(&s->magic, __ATOMIC_ACQUIRE) != OWSK_WSK_SOCKET_MAGIC ||
        s->category != OWSK_CAT_DATAGRAM || !DatagramIndication)
        return STATUS_INVALID_PARAMETER;
    d = s->dgram;
    pthread_mutex_lock(&s->ind_lock);
    for (di = DatagramIndication; di; di = di->Next) {
        for (found = d->retained; found; found = found->link)
            if (&found->di == di)
                break;
        if (!found) {
            pthread_mutex_unlock(&s->ind_lock);
            return STATUS_INVALID_PARAMETER;
        }
    }
    for (di = DatagramIndication; di;) {
        PWSK_DATAGRAM_INDICATION next = di->Next;

        for (pp = &d->retained; *pp; pp = &(*pp)->link) {
            if (&(*pp)->di == di) {
                found = *pp;
                *pp = found->link;
                ind_free(found);
                break;
            }
        }
        di = next;
    }
    pthread_mutex_unlock(&s->ind_lock);
    return STATUS_SUCCESS;
}

/* ---- WskControlSocket for datagram sockets ---- */

static NTSTATUS event_control(struct owsk_wsk_socket *s, const WSK_EVENT_CALLBACK_CONTROL *ctl,
                              PIRP irp)
{
    ULONG mask, ev;
    struct owsk_wsk_req *r;

#define FAIL(st) (irp ? owsk_wsk_irp_fail(irp, (st)) : (st))
    if (!ctl || !ctl->NpiId || memcmp(ctl->NpiId, &NPI_WSK_INTERFACE_ID, sizeof(GUID)) != 0)
        return FAIL(STATUS_INVALID_PARAMETER);
    mask = ctl->EventMask;
    if (!(mask & WSK_EVENT_DISABLE)) {
        if (mask != WSK_EVENT_RECEIVE_FROM)
            return FAIL(STATUS_INVALID_PARAMETER);
        __atomic_or_fetch(&s->events, mask, __ATOMIC_SEQ_CST);
        kick(s); /* refused datagrams are indicated again first */
        return irp ? owsk_io_complete_irp(irp, STATUS_SUCCESS, 0) : STATUS_SUCCESS;
    }
    ev = mask & ~(ULONG)WSK_EVENT_DISABLE;
    if (ev != WSK_EVENT_RECEIVE_FROM || (ev & s->static_events))
        return FAIL(STATUS_INVALID_PARAMETER);
#undef FAIL
    __atomic_and_fetch(&s->events, ~ev, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&s->cb_running, __ATOMIC_SEQ_CST) != ev)
        return irp ? owsk_io_complete_irp(irp, STATUS_SUCCESS, 0) : STATUS_SUCCESS;
    if (!irp)
        return STATUS_EVENT_PENDING; /* the callback is running right now */
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
        /* Re-entered from inside the callback: completes when it returns. */
        owsk_io_irp_begin(irp, s->owner, "WskControlSocket", s);
        r->next = s->disable_waiters;
        s->disable_waiters = r;
        return STATUS_PENDING;
    }
    return owsk_wsk_req_submit(r);
}

/* IP_PKTINFO / IPV6_PKTINFO: the provider always collects packet info (for MSG_BCAST and
 * MSG_MCAST) and hands it to the driver only when asked. */
static NTSTATUS pktinfo_option(struct owsk_wsk_socket *s, bool set, bool v6, SIZE_T in_size,
                               PVOID in_buf, SIZE_T out_size, PVOID out_buf, PIRP irp)
{
    bool *flag = v6 ? &s->dgram->want_pi6 : &s->dgram->want_pi4;
    ULONG v;

    if (!irp)
        return STATUS_INVALID_PARAMETER;
    if (v6 && s->family != AF_INET6)
        return owsk_wsk_irp_fail(irp, STATUS_INVALID_PARAMETER);
    if (set) {
        if (!in_buf || in_size < sizeof(ULONG))
            return owsk_wsk_irp_fail(irp, STATUS_INVALID_PARAMETER);
        memcpy(&v, in_buf, sizeof(v));
        __atomic_store_n(flag, v != 0, __ATOMIC_RELAXED);
        return owsk_io_complete_irp(irp, STATUS_SUCCESS, 0);
    }
    if (!out_buf || out_size < sizeof(ULONG))
        return owsk_wsk_irp_fail(irp, STATUS_BUFFER_TOO_SMALL);
    v = __atomic_load_n(flag, __ATOMIC_RELAXED);
    memcpy(out_buf, &v, sizeof(v));
    return owsk_io_complete_irp(irp, STATUS_SUCCESS, sizeof(v));
}

static NTSTATUS WSKAPI wsk_dgram_control_socket(PWSK_SOCKET Socket,
                                                WSK_CONTROL_SOCKET_TYPE RequestType,
                                                ULONG ControlCode, ULONG Level,
                                                SIZE_T InputSize, PVOID InputBuffer,
                                                SIZE_T OutputSize, PVOID OutputBuffer,
                                                SIZE_T *OutputSizeReturned, PIRP Irp)
{
    struct owsk_wsk_socket *s;
    struct owsk_wsk_req *r;

    if (Irp && !owsk_io_irp_usable(Irp))
        return STATUS_INVALID_PARAMETER;
    s = owsk_wsk_socket_from(Socket, CAT(OWSK_CAT_DATAGRAM));
    if (!s)
        return Irp ? owsk_wsk_irp_fail(Irp, STATUS_INVALID_HANDLE) : STATUS_INVALID_HANDLE;
    if (RequestType == WskSetOption && Level == SOL_SOCKET &&
        ControlCode == SO_WSK_EVENT_CALLBACK) {
        if (!InputBuffer || InputSize < sizeof(WSK_EVENT_CALLBACK_CONTROL))
            return Irp ? owsk_wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER)
                       : STATUS_INVALID_PARAMETER;
        return event_control(s, InputBuffer, Irp);
    }
    if ((RequestType == WskSetOption || RequestType == WskGetOption) &&
        ((Level == IPPROTO_IP && ControlCode == IP_PKTINFO) ||
         (Level == IPPROTO_IPV6 && ControlCode == IPV6_PKTINFO)))
        return pktinfo_option(s, RequestType == WskSetOption, Level == IPPROTO_IPV6, InputSize,
                              InputBuffer, OutputSize, OutputBuffer, Irp);
    if (RequestType == WskIoctl &&
        (ControlCode == SIO_WSK_SET_REMOTE_ADDRESS || ControlCode == SIO_WSK_SET_SENDTO_ADDRESS)) {
        if (!Irp)
            return STATUS_INVALID_PARAMETER; /* both need an IRP (NET:sio-wsk-set-*) */
        if (InputSize && !InputBuffer)
            return owsk_wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
        r = calloc(1, sizeof(*r));
        if (!r)
            return owsk_wsk_irp_fail(Irp, STATUS_INSUFFICIENT_RESOURCES);
        r->irp = Irp;
        r->op = OP_CONTROL;
        r->sock = s;
        r->client = s->client;
        owsk_wsk_socket_ref(s);
        r->ctl_type = WskIoctl;
        r->ctl_code = ControlCode;
        r->in_size = InputSize;
        r->in_buf = InputBuffer;
        return submit(r);
    }
    return owsk_wsk_control_socket(s, RequestType, ControlCode, Level, InputSize, InputBuffer,
                                   OutputSize, OutputBuffer, OutputSizeReturned, Irp);
}

static NTSTATUS WSKAPI wsk_dgram_close_socket(PWSK_SOCKET Socket, PIRP Irp)
{
    /* Closing is the same for every category: queued IRPs are cancelled, then the fd goes. */
    return owsk_wsk_basic_dispatch.WskCloseSocket(Socket, Irp);
}

const WSK_PROVIDER_DATAGRAM_DISPATCH owsk_wsk_datagram_dispatch = {
    .Basic = {.WskControlSocket = wsk_dgram_control_socket,
              .WskCloseSocket = wsk_dgram_close_socket},
    .WskBind = wsk_dgram_bind,
    .WskSendTo = wsk_send_to,
    .WskReceiveFrom = wsk_receive_from,
    .WskRelease = wsk_dgram_release,
    .WskGetLocalAddress = wsk_dgram_get_local_address,
    .WskSendMessages = wsk_send_messages,
};

/* ---- creation and teardown ---- */

NTSTATUS owsk_wsk_dgram_socket(struct owsk_wsk_client *c, ADDRESS_FAMILY family,
                               USHORT type, ULONG protocol, PVOID context,
                               const VOID *dispatch, PIRP irp)
{
    struct owsk_wsk_socket *s;
    struct owsk_wsk_dgram *d;
    NTSTATUS st;

    if (family != AF_INET && family != AF_INET6)
        return owsk_wsk_irp_fail(irp, STATUS_NOT_SUPPORTED);
    if (type != SOCK_DGRAM || (protocol != 0 && protocol != IPPROTO_UDP))
        return owsk_wsk_irp_fail(irp, STATUS_NOT_SUPPORTED);
    d = calloc(1, sizeof(*d));
    if (!d)
        return owsk_wsk_irp_fail(irp, STATUS_INSUFFICIENT_RESOURCES);
    d->dispatch = dispatch;
    st = owsk_wsk_socket_create(c, OWSK_CAT_DATAGRAM, family, type, IPPROTO_UDP, -1, context,
                                dispatch, &s);
    if (!NT_SUCCESS(st)) {
        free(d);
        return owsk_wsk_irp_fail(irp, st);
    }
    /* Not yet visible to the driver: finish the datagram parts before handing it over. */
    d->sock = s;
    s->dgram = d;
    s->wsk.Dispatch = &owsk_wsk_datagram_dispatch;
    s->watch.on_ready = dgram_on_ready;
    s->static_events = owsk_wsk_client_static_events(c) & WSK_EVENT_RECEIVE_FROM;
    __atomic_store_n(&s->events, s->static_events, __ATOMIC_SEQ_CST);
    owsk_dgram_sys_enable_pktinfo(s->fd, family == AF_INET6);
    return owsk_io_complete_irp(irp, STATUS_SUCCESS, (ULONG_PTR)&s->wsk);
}

void owsk_wsk_dgram_free(struct owsk_wsk_socket *s)
{
    struct owsk_wsk_dgram *d = s->dgram;
    struct dgram_ind *ind;
    unsigned n = 0;

    if (!d)
        return;
    while ((ind = held_pop(d)))
        ind_free(ind);
    /* Windows leaves retained indications to the driver, which must release them before
     * closing; take them back so the memory is not lost, and say so. */
    pthread_mutex_lock(&s->ind_lock);
    while ((ind = d->retained)) {
        d->retained = ind->link;
        ind_free(ind);
        n++;
    }
    pthread_mutex_unlock(&s->ind_lock);
    if (n)
        OWSK_WARN(OWSK_CH_WSK, "socket %p closed with %u datagram indications not released",
                  (void *)s, n);
    s->dgram = NULL;
    free(d);
}
