/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WSK sockets: creation (WskSocket, WskSocketConnect), the provider dispatch tables, every
 * socket-level DDI's entry checks, WskBind, WskCloseSocket, Get*Address, reference counting
 * and the registry wskctl lists. Datagram sockets live in dgram.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openwsk/host.h>

#include "io/io.h"
#include "ke/ke.h"
#include "wsk/provider.h"
#include "wsk/wsk.h"

/* The Linux-facing files cannot include ws2def.h; pin their copies of the numbers here. */
_Static_assert(OWSK_WIN_AF_INET6 == AF_INET6 && OWSK_WIN_AF_INET == AF_INET, "AF");
_Static_assert(OWSK_WIN_SOL_SOCKET == SOL_SOCKET && OWSK_WIN_SO_REUSEADDR == SO_REUSEADDR &&
                   OWSK_WIN_SO_KEEPALIVE == SO_KEEPALIVE && OWSK_WIN_SO_LINGER == SO_LINGER &&
                   OWSK_WIN_SO_SNDBUF == SO_SNDBUF && OWSK_WIN_SO_RCVBUF == SO_RCVBUF &&
                   OWSK_WIN_SO_BROADCAST == SO_BROADCAST && OWSK_WIN_SO_TYPE == SO_TYPE &&
                   OWSK_WIN_SO_EXCLUSIVEADDRUSE == (ULONG)SO_EXCLUSIVEADDRUSE &&
                   OWSK_WIN_SO_DONTLINGER == (ULONG)SO_DONTLINGER,
               "SOL_SOCKET options");
_Static_assert(OWSK_WIN_IPPROTO_TCP == IPPROTO_TCP && OWSK_WIN_IPPROTO_IPV6 == IPPROTO_IPV6 &&
                   OWSK_WIN_IPV6_V6ONLY == IPV6_V6ONLY && OWSK_WIN_TCP_NODELAY == TCP_NODELAY &&
                   OWSK_WIN_TCP_KEEPALIVE == TCP_KEEPALIVE && OWSK_WIN_TCP_KEEPCNT == TCP_KEEPCNT &&
                   OWSK_WIN_TCP_KEEPINTVL == TCP_KEEPINTVL,
               "protocol options");

/* ---- registry of live sockets (owsk_socket_foreach, leak counts) ----
 * Owner: registry_lock. Closed sockets are kept in a quarantine ring after their last
 * reference so that a driver calling a closed socket reads a dead magic, not freed memory. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct owsk_wsk_socket *registry;
#define QUARANTINE 4096
static struct owsk_wsk_socket *quarantine[QUARANTINE];
static unsigned quarantine_next;

/* The set of live socket addresses (open addressing, power-of-two size, tombstones), so a
 * PWSK_SOCKET from a driver is checked without being dereferenced. Owner: registry_lock. */
#define TOMB ((struct owsk_wsk_socket *)1)
static struct owsk_wsk_socket **live;
static size_t live_cap, live_used; /* used counts tombstones too */

static size_t live_hash(const void *p, size_t cap)
{
    uintptr_t v = (uintptr_t)p;

    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdull;
    v ^= v >> 33;
    return (size_t)v & (cap - 1);
}

/* Lock held. */
static bool live_insert(struct owsk_wsk_socket *s)
{
    size_t i;

    if ((live_used + 1) * 2 > live_cap) {
        size_t alive = 0, ncap;
        struct owsk_wsk_socket **n;

        for (size_t k = 0; k < live_cap; k++)
            alive += live[k] && live[k] != TOMB;
        /* Mostly tombstones: rehash at the same size; else grow. */
        ncap = !live_cap ? 256 : (alive + 1) * 4 <= live_cap ? live_cap : live_cap * 2;
        n = calloc(ncap, sizeof(*n));

        if (!n)
            return false;
        live_used = 0;
        for (size_t k = 0; k < live_cap; k++) {
            if (live[k] && live[k] != TOMB) {
                for (i = live_hash(live[k], ncap); n[i]; i = (i + 1) & (ncap - 1))
                    ;
                n[i] = live[k];
                live_used++;
            }
        }
        free(live);
        live = n;
        live_cap = ncap;
    }
    for (i = live_hash(s, live_cap); live[i] && live[i] != TOMB; i = (i + 1) & (live_cap - 1))
        ;
    if (!live[i])
        live_used++;
    live[i] = s;
    return true;
}

/* Lock held. Returns the slot of s or SIZE_MAX. */
static size_t live_find(const void *s)
{
    size_t i;

    if (!live_cap)
        return SIZE_MAX;
    for (i = live_hash(s, live_cap); live[i]; i = (i + 1) & (live_cap - 1))
        if (live[i] == s)
            return i;
    return SIZE_MAX;
}

static void registry_add(struct owsk_wsk_socket *s)
{
    pthread_mutex_lock(&registry_lock);
    if (!live_insert(s))
        OWSK_WARN(OWSK_CH_WSK, "socket %p: out of memory for the live set", (void *)s);
    s->reg_next = registry;
    if (registry)
        registry->reg_prev = s;
    registry = s;
    pthread_mutex_unlock(&registry_lock);
}

static void registry_remove_and_retire(struct owsk_wsk_socket *s)
{
    struct owsk_wsk_socket *old;

    pthread_mutex_lock(&registry_lock);
    if (s->reg_prev)
        s->reg_prev->reg_next = s->reg_next;
    else
        registry = s->reg_next;
    if (s->reg_next)
        s->reg_next->reg_prev = s->reg_prev;
    {
        size_t slot = live_find(s);

        if (slot != SIZE_MAX)
            live[slot] = TOMB;
    }
    __atomic_store_n(&s->magic, 0xdeadu, __ATOMIC_RELEASE);
    old = quarantine[quarantine_next];
    quarantine[quarantine_next] = s;
    quarantine_next = (quarantine_next + 1) % QUARANTINE;
    pthread_mutex_unlock(&registry_lock);
    free(old);
}

struct owsk_wsk_socket *owsk_wsk_socket_from(PWSK_SOCKET sock, unsigned cat_mask)
{
    struct owsk_wsk_socket *s = (struct owsk_wsk_socket *)sock;
    bool known;

    if (!s)
        return NULL;
    /* Garbage and freed pointers are refused without touching them. The fields are read
     * under the lock: a socket in the live set is not retired, so not freed, meanwhile. */
    pthread_mutex_lock(&registry_lock);
    known = live_find(s) != SIZE_MAX &&
            __atomic_load_n(&s->magic, __ATOMIC_ACQUIRE) == OWSK_WSK_SOCKET_MAGIC &&
            !__atomic_load_n(&s->closed, __ATOMIC_ACQUIRE) && (cat_mask & CAT(s->category));
    pthread_mutex_unlock(&registry_lock);
    return known ? s : NULL;
}

bool owsk_wsk_socket_ref(struct owsk_wsk_socket *s)
{
    int old = __atomic_load_n(&s->refs, __ATOMIC_RELAXED);

    /* A count that reached 0 retired the socket (and dropped its client's socket count):
     * taking it back to 1 would retire it twice and hang WskDeregister. That is a provider
     * bug; refuse and say so instead. */
    do {
        if (old <= 0) {
            OWSK_ERR(OWSK_CH_WSK, "socket %p: reference taken after the last one was dropped",
                     (void *)s);
            return false;
        }
    } while (!__atomic_compare_exchange_n(&s->refs, &old, old + 1, true, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    return true;
}

void owsk_wsk_socket_unref(struct owsk_wsk_socket *s)
{
    struct owsk_wsk_client *c;
    int left = __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);

    if (left > 0)
        return;
    if (left < 0) {
        /* Unbalanced (a refused reference, or one dropped twice): the socket is gone. */
        __atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
        OWSK_ERR(OWSK_CH_WSK, "socket %p: reference dropped that was not held", (void *)s);
        return;
    }
    c = s->client;
    owsk_wsk_dgram_free(s);
    free(s->rx_buf);
    s->rx_buf = NULL;
    pthread_mutex_destroy(&s->ind_lock);
    registry_remove_and_retire(s);
    owsk_wsk_client_socket_drop(c);
}

/* ---- watch management (loop) ---- */

void owsk_wsk_socket_update_watch(struct owsk_wsk_socket *s)
{
    uint32_t want = 0;

    if (s->fd < 0 || s->closing)
        return;
    if (s->category == OWSK_CAT_DATAGRAM) {
        want = owsk_wsk_dgram_want(s);
    } else if (s->listening) {
        if (!s->accept_failed && !s->accept_backoff &&
            (s->accept_q.head || owsk_wsk_event_on(s, WSK_EVENT_ACCEPT) || s->cond_accept))
            want |= OWSK_LOOP_IN;
    } else if (s->connecting) {
        want |= OWSK_LOOP_OUT;
    } else if (s->connected && !s->aborted) {
        /* IN only while someone can take the data: a level-triggered watch on unread data
         * (or on a read EOF) would spin. */
        if (!s->peer_fin && !s->rx_error &&
            (s->recv_q.head || (owsk_wsk_event_on(s, WSK_EVENT_RECEIVE) && !s->ind_blocked)))
            want |= OWSK_LOOP_IN;
        if (s->send_q.head && !s->shut_wr)
            want |= OWSK_LOOP_OUT;
    }
    if (want == s->want)
        return;
    s->want = want;
    owsk_loop_watch_set(s->loop, &s->watch, want);
}

void owsk_wsk_socket_on_ready(struct owsk_loop_watch *w, uint32_t revents)
{
    struct owsk_wsk_socket *s = CONTAINING_RECORD(w, struct owsk_wsk_socket, watch);

    owsk_wsk_socket_ref(s);
    if (s->listening)
        owsk_wsk_listen_ready(s, revents);
    else if (s->connecting)
        owsk_wsk_connect_ready(s, revents);
    else if (s->connected)
        owsk_wsk_stream_ready(s, revents);
    owsk_wsk_socket_update_watch(s);
    owsk_wsk_socket_unref(s);
}

/* Thread: the socket's loop. */
static void kick_task(struct owsk_loop_task *t)
{
    struct owsk_wsk_socket *s = CONTAINING_RECORD(t, struct owsk_wsk_socket, kick);

    __atomic_store_n(&s->kick_posted, false, __ATOMIC_RELEASE);
    if (!s->closing) {
        if (!s->active && s->accepted)
            s->active = true; /* the first kick of an accepted socket is its activation */
        if (s->connected)
            owsk_wsk_stream_pump(s);
        else if (s->listening)
            owsk_wsk_listen_ready(s, 0); /* connections held back may have a taker now */
        owsk_wsk_socket_update_watch(s);
    }
    owsk_wsk_socket_unref(s);
}

void owsk_wsk_socket_kick(struct owsk_wsk_socket *s)
{
    if (__atomic_exchange_n(&s->kick_posted, true, __ATOMIC_ACQ_REL))
        return;
    if (!owsk_wsk_socket_ref(s)) {
        __atomic_store_n(&s->kick_posted, false, __ATOMIC_RELEASE);
        return;
    }
    s->kick.fn = kick_task;
    owsk_loop_post(s->loop, &s->kick);
}

void owsk_wsk_socket_note_addrs(struct owsk_wsk_socket *s)
{
    struct owsk_lx_addr l, r;

    memset(&l, 0, sizeof(l));
    memset(&r, 0, sizeof(r));
    if (s->fd >= 0) {
        owsk_wsk_sys_local_addr(s->fd, &l);
        if (s->connected)
            owsk_wsk_sys_peer_addr(s->fd, &r);
    }
    pthread_mutex_lock(&registry_lock);
    s->local = l;
    if (r.len || !s->connected)
        s->remote = r;
    pthread_mutex_unlock(&registry_lock);
}

/* ---- creation ---- */

static const VOID *provider_table(enum owsk_wsk_category cat)
{
    switch (cat) {
    case OWSK_CAT_LISTEN:
        return &owsk_wsk_listen_dispatch;
    case OWSK_CAT_CONNECTION:
        return &owsk_wsk_connection_dispatch;
    case OWSK_CAT_STREAM:
        return &owsk_wsk_stream_dispatch;
    default:
        return &owsk_wsk_basic_dispatch;
    }
}

NTSTATUS owsk_wsk_socket_create(struct owsk_wsk_client *c, enum owsk_wsk_category cat,
                                ADDRESS_FAMILY family, USHORT type, ULONG protocol, int fd,
                                PVOID context, const VOID *dispatch,
                                struct owsk_wsk_socket **ret_sock)
{
    struct owsk_wsk_socket *s;
    NTSTATUS st;

    st = owsk_wsk_client_socket_add(c);
    if (!NT_SUCCESS(st))
        return st;
    if (fd < 0) {
        fd = owsk_wsk_sys_socket(family, type, protocol);
        if (fd < 0) {
            owsk_wsk_client_socket_drop(c);
            return owsk_status_from_errno(-fd);
        }
    }
    s = calloc(1, sizeof(*s));
    if (!s) {
        owsk_wsk_sys_close(fd);
        owsk_wsk_client_socket_drop(c);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    s->wsk.Dispatch = provider_table(cat);
    s->refs = 1; /* dropped when the close completes */
    s->client = c;
    s->owner = c->owner;
    s->loop = owsk_loop_next();
    s->category = cat;
    s->family = family;
    s->type = type;
    s->protocol = protocol;
    s->fd = fd;
    s->watch.fd = fd;
    s->watch.on_ready = owsk_wsk_socket_on_ready;
    s->context = context;
    s->active = true;
    if (cat == OWSK_CAT_LISTEN) {
        s->listen_dispatch = dispatch;
    } else if (cat == OWSK_CAT_CONNECTION) {
        s->conn_dispatch = dispatch;
    } else if (cat == OWSK_CAT_STREAM && dispatch) {
        const WSK_CLIENT_STREAM_DISPATCH *sd = dispatch;

        s->listen_dispatch = sd->Listen;
        s->conn_dispatch = sd->Connect;
    }
    pthread_mutex_init(&s->ind_lock, NULL);
    owsk_wsk_events_init(s);
    __atomic_store_n(&s->magic, OWSK_WSK_SOCKET_MAGIC, __ATOMIC_RELEASE);
    registry_add(s);
    *ret_sock = s;
    return STATUS_SUCCESS;
}

static enum owsk_wsk_category category_of(ULONG flags, bool *ret_ok)
{
    *ret_ok = true;
    switch (flags) {
    case WSK_FLAG_BASIC_SOCKET:
        return OWSK_CAT_BASIC;
    case WSK_FLAG_LISTEN_SOCKET:
        return OWSK_CAT_LISTEN;
    case WSK_FLAG_CONNECTION_SOCKET:
        return OWSK_CAT_CONNECTION;
    case WSK_FLAG_DATAGRAM_SOCKET:
        return OWSK_CAT_DATAGRAM;
    case WSK_FLAG_STREAM_SOCKET:
        return OWSK_CAT_STREAM;
    default:
        *ret_ok = false;
        return OWSK_CAT_BASIC;
    }
}

/* WskSocket: completes inline (socket creation never waits). */
NTSTATUS WSKAPI owsk_wsk_ddi_socket(PWSK_CLIENT Client, ADDRESS_FAMILY AddressFamily,
                                    USHORT SocketType, ULONG Protocol, ULONG Flags,
                                    PVOID SocketContext, const VOID *Dispatch,
                                    PEPROCESS OwningProcess, PETHREAD OwningThread,
                                    PSECURITY_DESCRIPTOR SecurityDescriptor, PIRP Irp)
{
    struct owsk_wsk_client *c;
    struct owsk_wsk_socket *s;
    enum owsk_wsk_category cat;
    bool ok;
    NTSTATUS st;

    OWSK_TRACE(OWSK_CH_WSK, "client %p, family %u, type %u, protocol %u, flags %#x, irp %p", Client,
               AddressFamily, SocketType, (unsigned)Protocol, (unsigned)Flags, (void *)Irp);
    if (!Irp || !owsk_io_irp_usable(Irp))
        return STATUS_INVALID_PARAMETER;
    c = owsk_wsk_client_from(Client);
    if (!c)
        return owsk_wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
    cat = category_of(Flags, &ok);
    if (!ok)
        return owsk_wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
    if (cat == OWSK_CAT_DATAGRAM) /* dgram.c */
        return owsk_wsk_dgram_socket(c, AddressFamily, SocketType, Protocol, SocketContext,
                                     Dispatch, Irp);
    if (AddressFamily != AF_INET && AddressFamily != AF_INET6)
        return owsk_wsk_irp_fail(Irp, STATUS_NOT_SUPPORTED);
    /* Windows creates a UDP "listening" socket and fails its bind with
     * STATUS_NOT_IMPLEMENTED (Wine's driver tests, run on Windows): so do we. */
    if (cat != OWSK_CAT_BASIC && SocketType != SOCK_STREAM &&
        !(cat == OWSK_CAT_LISTEN && SocketType == SOCK_DGRAM))
        return owsk_wsk_irp_fail(Irp, STATUS_NOT_SUPPORTED);
    /* Windows refuses Protocol 0 for listeners (KS); accept it as TCP like LW does for the
     * other categories, since Linux picks TCP for SOCK_STREAM anyway. */
    if (SocketType == SOCK_STREAM && Protocol != 0 && Protocol != IPPROTO_TCP)
        return owsk_wsk_irp_fail(Irp, STATUS_NOT_SUPPORTED);
    st = owsk_wsk_socket_create(c, cat, AddressFamily, SocketType, Protocol, -1, SocketContext,
                                Dispatch, &s);
    if (!NT_SUCCESS(st))
        return owsk_wsk_irp_fail(Irp, st);
    return owsk_io_complete_irp(Irp, STATUS_SUCCESS, (ULONG_PTR)&s->wsk);
}

/* Destroys a socket that never reached the client (WskSocketConnect failure). Loop. */
static void socket_discard(struct owsk_wsk_socket *s)
{
    __atomic_store_n(&s->closed, true, __ATOMIC_RELEASE);
    s->closing = true;
    owsk_loop_watch_remove(&s->watch); /* also when the interest is 0: the fd is known */
    s->want = 0;
    owsk_wsk_sys_close(s->fd);
    s->fd = -1;
    owsk_wsk_socket_unref(s);
}

NTSTATUS WSKAPI owsk_wsk_ddi_socket_connect(PWSK_CLIENT Client, USHORT SocketType, ULONG Protocol,
                                            PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress,
                                            ULONG Flags, PVOID SocketContext,
                                            const WSK_CLIENT_CONNECTION_DISPATCH *Dispatch,
                                            PEPROCESS OwningProcess, PETHREAD OwningThread,
                                            PSECURITY_DESCRIPTOR SecurityDescriptor, PIRP Irp)
{
    struct owsk_wsk_client *c;
    struct owsk_wsk_socket *s;
    struct owsk_wsk_req *r;
    struct owsk_lx_addr local, remote;
    NTSTATUS st;
    ADDRESS_FAMILY family;

    if (!Irp || !owsk_io_irp_usable(Irp))
        return STATUS_INVALID_PARAMETER;
    c = owsk_wsk_client_from(Client);
    if (!c)
        return owsk_wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
    if (!LocalAddress || !RemoteAddress || Flags)
        return owsk_wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
    if (SocketType != SOCK_STREAM || (Protocol != 0 && Protocol != IPPROTO_TCP))
        return owsk_wsk_irp_fail(Irp, STATUS_NOT_SUPPORTED);
    family = LocalAddress->sa_family;
    if (owsk_wsk_addr_from_win(LocalAddress, family == AF_INET6, &local) < 0 ||
        owsk_wsk_addr_from_win(RemoteAddress, family == AF_INET6, &remote) < 0)
        return owsk_wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
    st = owsk_wsk_socket_create(c, OWSK_CAT_CONNECTION, family, SocketType, Protocol, -1,
                                SocketContext, Dispatch, &s);
    if (!NT_SUCCESS(st))
        return owsk_wsk_irp_fail(Irp, st);
    r = calloc(1, sizeof(*r));
    if (!r) {
        __atomic_store_n(&s->closed, true, __ATOMIC_RELEASE);
        owsk_wsk_sys_close(s->fd);
        s->fd = -1;
        owsk_wsk_socket_unref(s);
        return owsk_wsk_irp_fail(Irp, STATUS_INSUFFICIENT_RESOURCES);
    }
    r->irp = Irp;
    r->op = OP_SOCKET_CONNECT;
    r->sock = s;
    r->client = c;
    owsk_wsk_socket_ref(s);
    r->addr = remote;
    r->addr2 = local;
    return owsk_wsk_req_submit(r);
}

/* Thread: the socket's loop. */
static void discard_task(struct owsk_loop_task *t)
{
    socket_discard(CONTAINING_RECORD(t, struct owsk_wsk_socket, discard));
}

void owsk_wsk_socket_discard_async(struct owsk_wsk_socket *s)
{
    s->discard.fn = discard_task;
    owsk_loop_post(s->loop, &s->discard);
}

/* Called by conn.c when a WskSocketConnect finished. Loop. */
NTSTATUS owsk_wsk_socket_connect_done(struct owsk_wsk_req *r, NTSTATUS st)
{
    struct owsk_wsk_socket *s = r->sock;

    if (NT_SUCCESS(st))
        return owsk_wsk_req_complete(r, STATUS_SUCCESS, (ULONG_PTR)&s->wsk);
    owsk_wsk_socket_ref(s);
    owsk_wsk_req_complete(r, st, 0);
    socket_discard(s);
    owsk_wsk_socket_unref(s);
    return st;
}

/* ---- common entry checks for socket-level DDIs ---- */

/* Validates Irp then socket; on a bad socket completes the IRP with the Windows status. */
static NTSTATUS enter(PWSK_SOCKET Socket, PIRP Irp, unsigned cats, enum owsk_wsk_op op,
                      struct owsk_wsk_req **ret_req)
{
    struct owsk_wsk_socket *s;

    if (!Irp || !owsk_io_irp_usable(Irp))
        return STATUS_INVALID_PARAMETER;
    s = owsk_wsk_socket_from(Socket, ~0u);
    if (!s)
        return owsk_wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
    if (!(cats & CAT(s->category)))
        return owsk_wsk_irp_fail(Irp, STATUS_INVALID_DEVICE_REQUEST);
    {
        struct owsk_wsk_req *r = calloc(1, sizeof(*r));

        if (!r)
            return owsk_wsk_irp_fail(Irp, STATUS_INSUFFICIENT_RESOURCES);
        r->irp = Irp;
        r->op = op;
        r->sock = s;
        r->client = s->client;
        owsk_wsk_socket_ref(s);
        *ret_req = r;
    }
    return STATUS_SUCCESS;
}
#define ENTER(cats, op)                                                                            \
    struct owsk_wsk_req *r;                                                                        \
    NTSTATUS st_ = enter(Socket, Irp, (cats), (op), &r);                                           \
    if (st_ != STATUS_SUCCESS)                                                                     \
        return st_;

#define CONN_CATS (CAT(OWSK_CAT_CONNECTION) | CAT(OWSK_CAT_STREAM))

/* A request failed before reaching the loop: complete it here. */
static NTSTATUS reject(struct owsk_wsk_req *r, NTSTATUS st)
{
    return owsk_wsk_req_complete(r, st, 0);
}

static NTSTATUS WSKAPI wsk_bind(PWSK_SOCKET Socket, PSOCKADDR LocalAddress, ULONG Flags, PIRP Irp)
{
    ENTER(CAT(OWSK_CAT_LISTEN) | CONN_CATS, OP_BIND);
    if (!LocalAddress || Flags)
        return reject(r, STATUS_INVALID_PARAMETER);
    if (owsk_wsk_addr_from_win(LocalAddress, r->sock->family == AF_INET6, &r->addr) < 0)
        return reject(r, STATUS_INVALID_PARAMETER);
    return owsk_wsk_req_submit(r);
}

static NTSTATUS WSKAPI wsk_listen(PWSK_SOCKET Socket, PIRP Irp)
{
    ENTER(CAT(OWSK_CAT_STREAM), OP_LISTEN);
    return owsk_wsk_req_submit(r);
}

static NTSTATUS WSKAPI wsk_accept(PWSK_SOCKET Socket, ULONG Flags, PVOID AcceptSocketContext,
                                  const WSK_CLIENT_CONNECTION_DISPATCH *AcceptSocketDispatch,
                                  PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress, PIRP Irp)
{
    ENTER(CAT(OWSK_CAT_LISTEN) | CAT(OWSK_CAT_STREAM), OP_ACCEPT);
    if (Flags)
        return reject(r, STATUS_INVALID_PARAMETER);
    r->accept_context = AcceptSocketContext;
    r->accept_dispatch = AcceptSocketDispatch;
    r->out_local = LocalAddress;
    r->out_remote = RemoteAddress;
    return owsk_wsk_req_submit(r);
}

static NTSTATUS WSKAPI wsk_inspect_complete(PWSK_SOCKET Socket, PWSK_INSPECT_ID InspectID,
                                            WSK_INSPECT_ACTION Action, PIRP Irp)
{
    ENTER(CAT(OWSK_CAT_LISTEN), OP_INSPECT_COMPLETE);
    if (!InspectID || (Action != WskInspectAccept && Action != WskInspectReject))
        return reject(r, STATUS_INVALID_PARAMETER);
    r->inspect_id = *InspectID;
    r->inspect_action = Action;
    return owsk_wsk_req_submit(r);
}

static NTSTATUS WSKAPI wsk_connect(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress, ULONG Flags,
                                   PIRP Irp)
{
    ENTER(CONN_CATS, OP_CONNECT);
    if (!RemoteAddress || Flags)
        return reject(r, STATUS_INVALID_PARAMETER);
    if (owsk_wsk_addr_from_win(RemoteAddress, r->sock->family == AF_INET6, &r->addr) < 0)
        return reject(r, STATUS_INVALID_PARAMETER);
    return owsk_wsk_req_submit(r);
}

static NTSTATUS WSKAPI wsk_connect_ex(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress, PWSK_BUF Buffer,
                                      ULONG Flags, PIRP Irp)
{
    ENTER(CONN_CATS, OP_CONNECT);
    if (!RemoteAddress || Flags)
        return reject(r, STATUS_INVALID_PARAMETER);
    if (Buffer) {
        if (Buffer->Length > 65535)
            return reject(r, STATUS_BUFFER_OVERFLOW);
        if (!owsk_wsk_buf_valid(Buffer))
            return reject(r, STATUS_INVALID_PARAMETER);
        r->buf = *Buffer;
    }
    if (owsk_wsk_addr_from_win(RemoteAddress, r->sock->family == AF_INET6, &r->addr) < 0)
        return reject(r, STATUS_INVALID_PARAMETER);
    return owsk_wsk_req_submit(r);
}

static NTSTATUS WSKAPI wsk_get_local_address(PWSK_SOCKET Socket, PSOCKADDR LocalAddress, PIRP Irp)
{
    ENTER(CAT(OWSK_CAT_LISTEN) | CONN_CATS, OP_LOCAL_ADDR);
    if (!LocalAddress)
        return reject(r, STATUS_INVALID_PARAMETER);
    r->out_local = LocalAddress;
    return owsk_wsk_req_submit(r);
}

static NTSTATUS WSKAPI wsk_get_remote_address(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress, PIRP Irp)
{
    ENTER(CONN_CATS, OP_REMOTE_ADDR);
    if (!RemoteAddress)
        return reject(r, STATUS_INVALID_PARAMETER);
    r->out_remote = RemoteAddress;
    return owsk_wsk_req_submit(r);
}

static NTSTATUS WSKAPI wsk_send(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp)
{
    ENTER(CONN_CATS, OP_SEND);
    if (Flags & ~(ULONG)WSK_FLAG_NODELAY)
        return reject(r, STATUS_NOT_SUPPORTED);
    if (!Buffer || !owsk_wsk_buf_valid(Buffer))
        return reject(r, STATUS_INVALID_PARAMETER);
    r->buf = *Buffer;
    r->flags = Flags;
    return owsk_wsk_req_submit(r);
}

static NTSTATUS WSKAPI wsk_receive(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp)
{
    ENTER(CONN_CATS, OP_RECEIVE);
    if (Flags & ~(ULONG)(WSK_FLAG_WAITALL | WSK_FLAG_DRAIN))
        return reject(r, STATUS_NOT_SUPPORTED);
    if ((Flags & WSK_FLAG_WAITALL) && (Flags & WSK_FLAG_DRAIN))
        return reject(r, STATUS_INVALID_PARAMETER);
    if (!Buffer || !owsk_wsk_buf_valid(Buffer))
        return reject(r, STATUS_INVALID_PARAMETER);
    if ((Flags & WSK_FLAG_DRAIN) && Buffer->Length)
        return reject(r, STATUS_INVALID_PARAMETER);
    r->buf = *Buffer;
    r->flags = Flags;
    return owsk_wsk_req_submit(r);
}

/* WskSendEx/WskReceiveEx ("reserved for system use"): TCP carries no control data here, so
 * they are WskSend/WskReceive when ControlInfo is empty. */
static NTSTATUS WSKAPI wsk_send_ex(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                                   ULONG ControlInfoLength, PCMSGHDR ControlInfo, PIRP Irp)
{
    if (Irp && ControlInfoLength) {
        if (!owsk_io_irp_usable(Irp))
            return STATUS_INVALID_PARAMETER;
        return owsk_wsk_irp_fail(Irp, STATUS_NOT_SUPPORTED);
    }
    return wsk_send(Socket, Buffer, Flags, Irp);
}

static NTSTATUS WSKAPI wsk_receive_ex(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                                      PULONG ControlInfoLength, PCMSGHDR ControlInfo,
                                      PULONG ControlFlags, PIRP Irp)
{
    /* No control data exists on a TCP stream: report none (no side effects without an IRP). */
    if (!Irp)
        return STATUS_INVALID_PARAMETER;
    if (ControlInfoLength)
        *ControlInfoLength = 0;
    if (ControlFlags)
        *ControlFlags = 0;
    return wsk_receive(Socket, Buffer, Flags, Irp);
}

static NTSTATUS WSKAPI wsk_disconnect(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp)
{
    ENTER(CONN_CATS, OP_DISCONNECT);
    if (Flags & ~(ULONG)WSK_FLAG_ABORTIVE)
        return reject(r, STATUS_INVALID_PARAMETER);
    if (Buffer && (Flags & WSK_FLAG_ABORTIVE))
        return reject(r, STATUS_INVALID_PARAMETER);
    if (Buffer) {
        if (!owsk_wsk_buf_valid(Buffer))
            return reject(r, STATUS_INVALID_PARAMETER);
        r->buf = *Buffer;
    }
    r->flags = Flags;
    return owsk_wsk_req_submit(r);
}

static NTSTATUS WSKAPI wsk_release(PWSK_SOCKET Socket, PWSK_DATA_INDICATION DataIndication)
{
    struct owsk_wsk_socket *s = owsk_wsk_socket_from(Socket, CONN_CATS);

    if (!s || !DataIndication)
        return STATUS_INVALID_PARAMETER;
    return owsk_wsk_release_indications(s, DataIndication);
}

static NTSTATUS WSKAPI wsk_control_socket(PWSK_SOCKET Socket, WSK_CONTROL_SOCKET_TYPE RequestType,
                                          ULONG ControlCode, ULONG Level, SIZE_T InputSize,
                                          PVOID InputBuffer, SIZE_T OutputSize, PVOID OutputBuffer,
                                          SIZE_T *OutputSizeReturned, PIRP Irp)
{
    struct owsk_wsk_socket *s;

    if (Irp && !owsk_io_irp_usable(Irp))
        return STATUS_INVALID_PARAMETER;
    s = owsk_wsk_socket_from(Socket, ~0u);
    if (!s)
        return Irp ? owsk_wsk_irp_fail(Irp, STATUS_INVALID_HANDLE) : STATUS_INVALID_HANDLE;
    return owsk_wsk_control_socket(s, RequestType, ControlCode, Level, InputSize, InputBuffer,
                                   OutputSize, OutputBuffer, OutputSizeReturned, Irp);
}

static NTSTATUS WSKAPI wsk_close_socket(PWSK_SOCKET Socket, PIRP Irp)
{
    struct owsk_wsk_socket *s;
    struct owsk_wsk_req *r;

    if (!Irp || !owsk_io_irp_usable(Irp))
        return STATUS_INVALID_PARAMETER;
    s = owsk_wsk_socket_from(Socket, ~0u);
    /* A second close finds the socket marked closed. */
    if (!s || __atomic_exchange_n(&s->closed, true, __ATOMIC_ACQ_REL))
        return owsk_wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
    r = calloc(1, sizeof(*r));
    if (!r) {
        __atomic_store_n(&s->closed, false, __ATOMIC_RELEASE);
        return owsk_wsk_irp_fail(Irp, STATUS_INSUFFICIENT_RESOURCES);
    }
    r->irp = Irp;
    r->op = OP_CLOSE;
    r->sock = s;
    r->client = s->client;
    owsk_wsk_socket_ref(s);
    return owsk_wsk_req_submit(r);
}

/* ---- handlers (loop) ---- */

NTSTATUS owsk_wsk_run_bind(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;
    int e;

    if (s->closing)
        return owsk_wsk_req_complete(r, STATUS_INVALID_HANDLE, 0);
    if (s->bound || (s->category == OWSK_CAT_STREAM && s->stream_mode != OWSK_STREAM_NONE))
        return owsk_wsk_req_complete(r, STATUS_INVALID_DEVICE_STATE, 0);
    if (s->category == OWSK_CAT_LISTEN && s->type != SOCK_STREAM)
        return owsk_wsk_req_complete(r, STATUS_NOT_IMPLEMENTED, 0);
    e = owsk_wsk_sys_bind(s->fd, &r->addr);
    if (e < 0)
        return owsk_wsk_req_complete(r, owsk_status_from_errno(-e), 0);
    s->bound = true;
    if (s->category == OWSK_CAT_LISTEN) {
        /* A listening socket starts listening when bound (there is no WskListen for it). */
        e = owsk_wsk_sys_listen(s->fd);
        if (e < 0)
            return owsk_wsk_req_complete(r, owsk_status_from_errno(-e), 0);
        s->listening = true;
    }
    owsk_wsk_socket_note_addrs(s);
    owsk_wsk_socket_update_watch(s);
    return owsk_wsk_req_complete(r, STATUS_SUCCESS, 0);
}

NTSTATUS owsk_wsk_run_local_addr(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;
    struct owsk_lx_addr a;

    if (s->closing)
        return owsk_wsk_req_complete(r, STATUS_INVALID_HANDLE, 0);
    if (!s->bound && !s->connected)
        return owsk_wsk_req_complete(r, STATUS_INVALID_DEVICE_STATE, 0);
    if (owsk_wsk_sys_local_addr(s->fd, &a) < 0 || owsk_wsk_addr_to_win(&a, r->out_local) < 0)
        return owsk_wsk_req_complete(r, STATUS_INVALID_DEVICE_STATE, 0);
    return owsk_wsk_req_complete(r, STATUS_SUCCESS, 0);
}

NTSTATUS owsk_wsk_run_remote_addr(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;
    struct owsk_lx_addr a;

    if (s->closing)
        return owsk_wsk_req_complete(r, STATUS_INVALID_HANDLE, 0);
    if (!s->connected)
        return owsk_wsk_req_complete(r, STATUS_INVALID_DEVICE_STATE, 0);
    /* Windows still reports the peer after a disconnect: use the address seen at connect. */
    pthread_mutex_lock(&registry_lock);
    a = s->remote;
    pthread_mutex_unlock(&registry_lock);
    if (!a.len && owsk_wsk_sys_peer_addr(s->fd, &a) < 0)
        return owsk_wsk_req_complete(r, STATUS_INVALID_DEVICE_STATE, 0);
    if (owsk_wsk_addr_to_win(&a, r->out_remote) < 0)
        return owsk_wsk_req_complete(r, STATUS_INVALID_DEVICE_STATE, 0);
    return owsk_wsk_req_complete(r, STATUS_SUCCESS, 0);
}

static void close_fail_disable_waiters(struct owsk_wsk_socket *s)
{
    struct owsk_wsk_req *w = s->disable_waiters, *next;

    s->disable_waiters = NULL;
    for (; w; w = next) {
        next = w->next;
        owsk_wsk_req_complete(w, STATUS_SUCCESS, 0);
    }
}

NTSTATUS owsk_wsk_run_close(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;

    OWSK_TRACE(OWSK_CH_WSK, "socket %p, irp %p", (void *)s, (void *)r->irp);
    s->closing = true;
    /* Cancel everything still pending, listener backlog included. close_req is set only
     * afterwards, so these completions do not finish the close early. */
    if (s->category == OWSK_CAT_LISTEN || s->stream_mode == OWSK_STREAM_LISTEN)
        owsk_wsk_listen_shutdown(s);
    owsk_wsk_queue_flush(&s->accept_q, STATUS_CANCELLED);
    owsk_wsk_queue_flush(&s->connect_q, STATUS_CANCELLED);
    owsk_wsk_queue_flush(&s->send_q, STATUS_CANCELLED);
    owsk_wsk_queue_flush(&s->recv_q, STATUS_CANCELLED);
    close_fail_disable_waiters(s);
    if (s->connected || s->connecting)
        owsk_wsk_stream_close(s);
    owsk_loop_watch_remove(&s->watch); /* also when the interest is 0: the fd is known */
    s->want = 0;
    owsk_wsk_sys_close(s->fd);
    s->fd = -1;
    owsk_wsk_reclaim_indications(s);
    if (__atomic_load_n(&s->pending, __ATOMIC_RELAXED) || s->in_callback) {
        /* Requests being cancelled or a callback still running: finish when they are done. */
        owsk_io_irp_begin(r->irp, s->owner, "WskCloseSocket", s);
        s->close_req = r;
        return STATUS_PENDING;
    }
    owsk_wsk_req_complete(r, STATUS_SUCCESS, 0);
    owsk_wsk_socket_unref(s); /* the creation reference */
    return STATUS_SUCCESS;
}

void owsk_wsk_socket_maybe_finish_close(struct owsk_wsk_socket *s)
{
    struct owsk_wsk_req *r = s->close_req;

    if (!r || __atomic_load_n(&s->pending, __ATOMIC_RELAXED) || s->in_callback)
        return;
    s->close_req = NULL;
    owsk_wsk_req_complete(r, STATUS_SUCCESS, 0);
    owsk_wsk_socket_unref(s);
}

/* ---- dispatch tables (WDK member order) ---- */

const WSK_PROVIDER_BASIC_DISPATCH owsk_wsk_basic_dispatch = {
    .WskControlSocket = wsk_control_socket,
    .WskCloseSocket = wsk_close_socket,
};

const WSK_PROVIDER_LISTEN_DISPATCH owsk_wsk_listen_dispatch = {
    .Basic = {.WskControlSocket = wsk_control_socket, .WskCloseSocket = wsk_close_socket},
    .WskBind = wsk_bind,
    .WskAccept = wsk_accept,
    .WskInspectComplete = wsk_inspect_complete,
    .WskGetLocalAddress = wsk_get_local_address,
};

const WSK_PROVIDER_CONNECTION_DISPATCH owsk_wsk_connection_dispatch = {
    .Basic = {.WskControlSocket = wsk_control_socket, .WskCloseSocket = wsk_close_socket},
    .WskBind = wsk_bind,
    .WskConnect = wsk_connect,
    .WskGetLocalAddress = wsk_get_local_address,
    .WskGetRemoteAddress = wsk_get_remote_address,
    .WskSend = wsk_send,
    .WskReceive = wsk_receive,
    .WskDisconnect = wsk_disconnect,
    .WskRelease = wsk_release,
    .WskConnectEx = wsk_connect_ex,
    .WskSendEx = wsk_send_ex,
    .WskReceiveEx = wsk_receive_ex,
};

const WSK_PROVIDER_STREAM_DISPATCH owsk_wsk_stream_dispatch = {
    .Basic = {.WskControlSocket = wsk_control_socket, .WskCloseSocket = wsk_close_socket},
    .WskBind = wsk_bind,
    .WskAccept = wsk_accept,
    .WskConnect = wsk_connect,
    .WskListen = wsk_listen,
    .WskSend = wsk_send,
    .WskReceive = wsk_receive,
    .WskDisconnect = wsk_disconnect,
    .WskRelease = wsk_release,
    .WskGetLocalAddress = wsk_get_local_address,
    .WskGetRemoteAddress = wsk_get_remote_address,
    .WskConnectEx = wsk_connect_ex,
    .WskSendEx = wsk_send_ex,
    .WskReceiveEx = wsk_receive_ex,
};

/* ---- introspection ---- */

static const char *category_name(enum owsk_wsk_category c)
{
    static const char *const n[] = {"basic", "listen", "connection", "datagram", "stream"};
    return n[c];
}

void owsk_socket_foreach(int (*fn)(const struct owsk_socket_row *row, void *ctx), void *ctx)
{
    struct owsk_socket_row *rows = NULL;
    size_t n = 0, cap = 0;
    struct owsk_wsk_socket *s;

    /* Snapshot under the lock, call out without it. State flags are read racily: they
     * are a best-effort picture for wskctl. */
    pthread_mutex_lock(&registry_lock);
    for (s = registry; s; s = s->reg_next) {
        struct owsk_socket_row *row;
        bool closed = __atomic_load_n(&s->closed, __ATOMIC_RELAXED);

        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct owsk_socket_row *nr = realloc(rows, ncap * sizeof(*rows));

            if (!nr)
                break;
            rows = nr;
            cap = ncap;
        }
        row = &rows[n++];
        memset(row, 0, sizeof(*row));
        row->socket = s;
        row->owner_id = s->owner ? s->owner->id : 0;
        row->category = category_name(s->category);
        row->state = closed          ? "closing"
                     : s->remote.len ? "connected"
                     : s->local.len  ? "bound"
                                     : "open";
        owsk_wsk_addr_format(&s->local, row->local, sizeof(row->local));
        owsk_wsk_addr_format(&s->remote, row->remote, sizeof(row->remote));
        row->pending_irps = __atomic_load_n(&s->pending, __ATOMIC_RELAXED);
        row->loop = owsk_loop_index(s->loop);
    }
    pthread_mutex_unlock(&registry_lock);
    for (size_t i = 0; i < n; i++)
        if (fn(&rows[i], ctx))
            break;
    free(rows);
}

uint64_t owsk_wsk_sockets_outstanding(unsigned owner_id)
{
    uint64_t n = 0;
    struct owsk_wsk_socket *s;

    pthread_mutex_lock(&registry_lock);
    for (s = registry; s; s = s->reg_next)
        if ((s->owner ? s->owner->id : 0) == owner_id)
            n++;
    pthread_mutex_unlock(&registry_lock);
    return n;
}
