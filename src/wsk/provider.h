/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private state of the WSK provider shared by the files of src/wsk: clients (one per
 * WskRegister), sockets, requests (one per IRP handed to a socket function) and the helpers
 * that queue, cancel and complete them. Not for other rooms: they use wsk/wsk.h. */
#ifndef OWSK_WSK_PROVIDER_H
#define OWSK_WSK_PROVIDER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include <wsk.h>

#include "core/core.h"
#include "loop/loop.h"
#include "wsk/lx.h"

/* ---- clients (registration.c) ---- */

/* A FIFO of requests; loop-owned except where noted. */
struct owsk_wsk_queue {
    struct owsk_wsk_req *head, *tail;
    unsigned count;
};

struct owsk_wsk_req;
struct owsk_wsk_cached_sd;

/* What a PWSK_CLIENT points to. Fields under the provider lock (registration.c) unless
 * noted. */
struct owsk_wsk_client {
    struct owsk_wsk_client *next; /* the list of live clients */
    PWSK_REGISTRATION registration;
    PVOID client_context; /* WSK_CLIENT_NPI.ClientContext, immutable */
    const WSK_CLIENT_DISPATCH *client_dispatch;
    struct owsk_owner *owner; /* the driver that registered, immutable */
    unsigned sockets;         /* created and not yet freed */
    unsigned captures;        /* WskCaptureProviderNPI successes not yet released */
    bool deregistering;
    bool socket_created;               /* static callbacks can no longer be set */
    ULONG static_events;               /* WSK_SET_STATIC_EVENT_CALLBACKS mask, immutable once a
                                          socket exists */
    struct owsk_wsk_queue list_change; /* pending WSK_TRANSPORT_LIST_CHANGE IRPs */
    struct owsk_wsk_cached_sd *cached_sds;
};

/* Validates a PWSK_CLIENT handed in by a driver; NULL if it is not a live client. */
struct owsk_wsk_client *owsk_wsk_client_from(PWSK_CLIENT client);
/* Counts a new socket; fails with STATUS_DEVICE_NOT_READY during deregistration. */
NTSTATUS owsk_wsk_client_socket_add(struct owsk_wsk_client *c);
void owsk_wsk_client_socket_drop(struct owsk_wsk_client *c);
ULONG owsk_wsk_client_static_events(struct owsk_wsk_client *c);
/* The provider lock, for client-level request queues (cancellation of list-change IRPs). */
void owsk_wsk_provider_lock(void);
void owsk_wsk_provider_unlock(void);
/* Lock held: wakes WskDeregister/WskCaptureProviderNPI waiters. */
void owsk_wsk_provider_wake(void);

extern const WSK_PROVIDER_DISPATCH owsk_wsk_provider_dispatch;
/* WskSocket and WskSocketConnect of the provider dispatch (socket.c). */
NTSTATUS WSKAPI owsk_wsk_ddi_socket(PWSK_CLIENT Client, ADDRESS_FAMILY AddressFamily,
                                    USHORT SocketType, ULONG Protocol, ULONG Flags,
                                    PVOID SocketContext, const VOID *Dispatch,
                                    PEPROCESS OwningProcess, PETHREAD OwningThread,
                                    PSECURITY_DESCRIPTOR SecurityDescriptor, PIRP Irp);
NTSTATUS WSKAPI owsk_wsk_ddi_socket_connect(PWSK_CLIENT Client, USHORT SocketType, ULONG Protocol,
                                            PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress,
                                            ULONG Flags, PVOID SocketContext,
                                            const WSK_CLIENT_CONNECTION_DISPATCH *Dispatch,
                                            PEPROCESS OwningProcess, PETHREAD OwningThread,
                                            PSECURITY_DESCRIPTOR SecurityDescriptor, PIRP Irp);

/* ---- sockets (socket.c) ---- */

enum owsk_wsk_category {
    OWSK_CAT_BASIC,
    OWSK_CAT_LISTEN,
    OWSK_CAT_CONNECTION,
    OWSK_CAT_DATAGRAM,
    OWSK_CAT_STREAM,
};

enum owsk_wsk_stream_mode { OWSK_STREAM_NONE, OWSK_STREAM_LISTEN, OWSK_STREAM_CONNECT };

enum owsk_wsk_op {
    OP_CLOSE,
    OP_BIND,
    OP_LISTEN,
    OP_ACCEPT,
    OP_INSPECT_COMPLETE,
    OP_CONNECT,
    OP_SEND,
    OP_RECEIVE,
    OP_DISCONNECT,
    OP_LOCAL_ADDR,
    OP_REMOTE_ADDR,
    OP_CONTROL,
    OP_SOCKET_CONNECT,
    OP_LIST_CHANGE,
    OP_DISABLE_EVENT,
};

/* One call with an IRP. Allocated at the DDI, freed when its IRP completes. The task is
 * used twice: to start the request on the owner loop, then (if IoCancelIrp fires) to run
 * the cancellation there. */
struct owsk_wsk_req {
    struct owsk_loop_task task;
    struct owsk_wsk_req *prev, *next;
    struct owsk_wsk_queue *queue; /* the queue holding it, or NULL */
    struct owsk_wsk_socket *sock; /* holds a reference; NULL for client-level requests */
    struct owsk_wsk_client *client;
    PIRP irp;
    enum owsk_wsk_op op;
    ULONG flags;
    bool cancel_armed; /* a cancel routine is set on irp */
    /* data operations */
    WSK_BUF buf;
    SIZE_T done;     /* bytes transferred so far */
    bool final_sent; /* disconnect: the final buffer went out */
    /* addresses */
    struct owsk_lx_addr addr;  /* bind/connect target */
    struct owsk_lx_addr addr2; /* WskSocketConnect's local address */
    PSOCKADDR out_local, out_remote;
    /* accept */
    PVOID accept_context;
    const WSK_CLIENT_CONNECTION_DISPATCH *accept_dispatch;
    /* inspect complete */
    WSK_INSPECT_ID inspect_id;
    WSK_INSPECT_ACTION inspect_action;
    /* control */
    WSK_CONTROL_SOCKET_TYPE ctl_type;
    ULONG ctl_code, ctl_level;
    SIZE_T in_size, out_size;
    PVOID in_buf, out_buf;
};

/* A connection taken from the kernel by accept() and not yet handed to the client. */
struct owsk_wsk_pending_conn {
    struct owsk_wsk_pending_conn *next;
    int fd;
    struct owsk_lx_addr local, remote;
    WSK_INSPECT_ID id;
    bool inspected; /* WskInspectEvent said accept (or there was no inspect) */
    bool pended;    /* WskInspectEvent returned WskInspectPend */
    /* while pended: watched on the listener's loop so a peer that gives up is noticed */
    struct owsk_loop_watch watch;
    struct owsk_wsk_socket *listener;
};

struct owsk_wsk_indication;

/* What a PWSK_SOCKET points to (the WSK_SOCKET is first). Unless noted, fields are owned by
 * the socket's loop thread. */
struct owsk_wsk_socket {
    WSK_SOCKET wsk;
    uint32_t magic;
    int refs; /* atomic */
    struct owsk_wsk_client *client;
    struct owsk_owner *owner;
    struct owsk_loop *loop;
    enum owsk_wsk_category category;
    enum owsk_wsk_stream_mode stream_mode;
    ADDRESS_FAMILY family; /* Windows numbering */
    USHORT type;
    ULONG protocol;
    int fd;
    struct owsk_loop_watch watch;
    uint32_t want;

    /* client side, set at creation (accepted sockets: before activation) */
    PVOID context;
    const WSK_CLIENT_LISTEN_DISPATCH *listen_dispatch;
    const WSK_CLIENT_CONNECTION_DISPATCH *conn_dispatch;

    /* state */
    bool bound, listening, connecting, connected;
    bool shut_wr;      /* our FIN sent (graceful disconnect done) */
    bool peer_fin;     /* the peer's FIN was read */
    bool aborted;      /* RST sent or received: no more I/O */
    NTSTATUS rx_error; /* sticky receive error (reset), 0 if none */
    bool closing;      /* WskCloseSocket started; no more calls allowed */
    bool closed;       /* atomic: WskCloseSocket was called (any thread) */
    bool cond_accept;  /* SO_CONDITIONAL_ACCEPT set before bind */
    bool exclusive;    /* SO_EXCLUSIVEADDRUSE bookkeeping */
    bool accepted;     /* came from a listener */
    bool disconnect_indicated;
    bool has_inspect_id;
    WSK_INSPECT_ID inspect_id; /* for SIO_WSK_QUERY_INSPECT_ID */
    bool active;               /* accepted socket handed to its loop */

    /* events: bits of WSK_EVENT_*; written by any thread with atomics */
    ULONG events;                         /* enabled */
    ULONG static_events;                  /* enabled and never disable-able */
    ULONG inherit_events;                 /* listener: bits given to sockets accepted by event */
    ULONG cb_running;                     /* atomic: WSK_EVENT_* of the callback running now */
    struct owsk_wsk_req *disable_waiters; /* disable-with-IRP requests waiting (loop) */
    bool kick_posted;                     /* atomic */
    struct owsk_loop_task kick;
    struct owsk_loop_task discard;

    /* queues */
    struct owsk_wsk_queue accept_q, recv_q, send_q, connect_q;
    struct owsk_wsk_pending_conn *backlog;    /* accepted fds waiting for a taker */
    struct owsk_wsk_pending_conn *inspecting; /* WskInspectPend'ed connections */
    ULONG inspect_serial;
    bool accept_failed; /* NULL AcceptSocket indicated once */
    bool accept_backoff; /* accept() ran out of descriptors: retry on a timer */
    struct owsk_loop_timer accept_retry;

    /* receive buffering: bytes left over from an indication */
    unsigned char *rx_buf;
    size_t rx_off, rx_len;
    bool ind_blocked; /* partial/refused indication: wait for a WskReceive */
    SIZE_T last_isb;

    /* retained indications: any thread (WskRelease) under ind_lock */
    pthread_mutex_t ind_lock;
    struct owsk_wsk_indication *retained;

    int in_callback; /* depth of driver callbacks running (loop) */
    struct owsk_wsk_req *close_req;

    struct owsk_wsk_dgram *dgram; /* datagram sockets: their state (dgram.c), else NULL */

    /* introspection: under the registry lock */
    struct owsk_wsk_socket *reg_prev, *reg_next;
    struct owsk_lx_addr local, remote;
    unsigned pending; /* atomic: requests queued */
};
#define OWSK_WSK_SOCKET_MAGIC 0x574b534fu /* "WKSO" */

extern const WSK_PROVIDER_BASIC_DISPATCH owsk_wsk_basic_dispatch;
extern const WSK_PROVIDER_LISTEN_DISPATCH owsk_wsk_listen_dispatch;
extern const WSK_PROVIDER_CONNECTION_DISPATCH owsk_wsk_connection_dispatch;
extern const WSK_PROVIDER_STREAM_DISPATCH owsk_wsk_stream_dispatch;

/* A live socket of the given categories (mask of 1 << category), else NULL. Also refuses
 * closed sockets. */
struct owsk_wsk_socket *owsk_wsk_socket_from(PWSK_SOCKET s, unsigned cat_mask);
#define CAT(c) (1u << (c))

/* Creates a socket object around fd (or a new fd when fd < 0), counted on the client. */
NTSTATUS owsk_wsk_socket_create(struct owsk_wsk_client *c, enum owsk_wsk_category cat,
                                ADDRESS_FAMILY family, USHORT type, ULONG protocol, int fd,
                                PVOID context, const VOID *dispatch,
                                struct owsk_wsk_socket **ret_sock);
/* Closes (RST) a socket the client refused in WskAcceptEvent, on the socket's loop. */
void owsk_wsk_socket_discard_async(struct owsk_wsk_socket *s);
/* false (and an error logged) if the count had reached 0: the socket is retired. */
bool owsk_wsk_socket_ref(struct owsk_wsk_socket *s);
void owsk_wsk_socket_unref(struct owsk_wsk_socket *s);
/* Loop: recomputes the fd interest from the queues and the enabled events. */
void owsk_wsk_socket_update_watch(struct owsk_wsk_socket *s);
/* Any thread: asks the loop to re-evaluate the socket (events just enabled). */
void owsk_wsk_socket_kick(struct owsk_wsk_socket *s);
/* Loop: refreshes the introspection copy of the addresses. */
void owsk_wsk_socket_note_addrs(struct owsk_wsk_socket *s);
/* Loop: the watch callback; dispatches to the category's handlers. */
void owsk_wsk_socket_on_ready(struct owsk_loop_watch *w, uint32_t revents);
/* Loop: finishes a pending close once no request and no callback is outstanding. */
void owsk_wsk_socket_maybe_finish_close(struct owsk_wsk_socket *s);

/* ---- requests (irpq.c) ---- */

/* Completes the request's IRP once (Information then Status), frees the request and drops
 * its socket reference. Any thread, no provider lock held. Returns status. */
NTSTATUS owsk_wsk_req_complete(struct owsk_wsk_req *r, NTSTATUS status, ULONG_PTR info);
/* Completes an IRP that never became a request (validation failures). */
NTSTATUS owsk_wsk_irp_fail(PIRP irp, NTSTATUS status);
/* Runs the request on the socket's loop: inline when called there (returns what the
 * handler returned), else posted (returns STATUS_PENDING). */
NTSTATUS owsk_wsk_req_submit(struct owsk_wsk_req *r);
/* Loop: queues r at the tail of q with a cancel routine. If the IRP was already cancelled,
 * completes it with STATUS_CANCELLED and returns false. */
bool owsk_wsk_req_queue(struct owsk_wsk_queue *q, struct owsk_wsk_req *r);
/* The same for a client-level queue, provider lock held: on false (already cancelled) r is
 * not queued and the caller completes it after unlocking. */
bool owsk_wsk_req_queue_locked(struct owsk_wsk_queue *q, struct owsk_wsk_req *r);
/* Loop: claims the request for completion (clears the cancel routine). false = a cancel is
 * in flight and will complete it; leave it queued. */
bool owsk_wsk_req_claim(struct owsk_wsk_req *r);
/* Loop: after a successful claim that did not complete, re-arms cancellation. false = the
 * IRP was cancelled meanwhile: the caller completes it (it is still queued). */
bool owsk_wsk_req_rearm(struct owsk_wsk_req *r);
void owsk_wsk_queue_remove(struct owsk_wsk_req *r);
/* Loop: completes every request of q with status (claims each; ones being cancelled are
 * left to their cancel task). */
void owsk_wsk_queue_flush(struct owsk_wsk_queue *q, NTSTATUS status);
/* The WSK_BUF as iovecs from `skip` bytes on; returns the count (0 for an empty buffer) or
 * -1 if the chain is shorter than Length. */
int owsk_wsk_buf_iov(const WSK_BUF *b, SIZE_T skip, struct iovec *iov, int max);
/* Checks a client WSK_BUF: Offset inside the first MDL, chain long enough. */
bool owsk_wsk_buf_valid(const WSK_BUF *b);

/* ---- handlers per file, called on the loop with the request ---- */
NTSTATUS owsk_wsk_run_bind(struct owsk_wsk_req *r);             /* socket.c */
NTSTATUS owsk_wsk_run_close(struct owsk_wsk_req *r);            /* socket.c */
NTSTATUS owsk_wsk_run_local_addr(struct owsk_wsk_req *r);       /* socket.c */
NTSTATUS owsk_wsk_run_remote_addr(struct owsk_wsk_req *r);      /* socket.c */
NTSTATUS owsk_wsk_run_listen(struct owsk_wsk_req *r);           /* listen.c */
NTSTATUS owsk_wsk_run_accept(struct owsk_wsk_req *r);           /* listen.c */
NTSTATUS owsk_wsk_run_inspect_complete(struct owsk_wsk_req *r); /* listen.c */
NTSTATUS owsk_wsk_run_connect(struct owsk_wsk_req *r);          /* conn.c */
/* WskSocketConnect finished: completes with the socket or discards it. */
NTSTATUS owsk_wsk_socket_connect_done(struct owsk_wsk_req *r, NTSTATUS st); /* socket.c */
NTSTATUS owsk_wsk_run_send(struct owsk_wsk_req *r);                         /* stream.c */
NTSTATUS owsk_wsk_run_receive(struct owsk_wsk_req *r);                      /* stream.c */
NTSTATUS owsk_wsk_run_disconnect(struct owsk_wsk_req *r);                   /* stream.c */
NTSTATUS owsk_wsk_run_control(struct owsk_wsk_req *r);                      /* control.c */
NTSTATUS owsk_wsk_run_disable_event(struct owsk_wsk_req *r);                /* events.c */

/* Loop-side progress functions. */
void owsk_wsk_listen_ready(struct owsk_wsk_socket *s, uint32_t revents);  /* listen.c */
void owsk_wsk_listen_shutdown(struct owsk_wsk_socket *s);                 /* listen.c */
void owsk_wsk_connect_ready(struct owsk_wsk_socket *s, uint32_t revents); /* conn.c */
void owsk_wsk_stream_ready(struct owsk_wsk_socket *s, uint32_t revents);  /* stream.c */
void owsk_wsk_stream_pump(struct owsk_wsk_socket *s);                     /* stream.c */
/* Abortive teardown of a connection: RST, fail queued I/O with status. */
void owsk_wsk_stream_abort(struct owsk_wsk_socket *s, NTSTATUS status); /* stream.c */
void owsk_wsk_stream_close(struct owsk_wsk_socket *s);                  /* stream.c */

/* ---- events (events.c) ---- */

/* Bits of WSK_EVENT_* valid for the socket now. */
ULONG owsk_wsk_event_valid_mask(struct owsk_wsk_socket *s);
bool owsk_wsk_event_on(struct owsk_wsk_socket *s, ULONG event);
/* Sets up the enabled-callback state of a new socket from the client's static mask. */
void owsk_wsk_events_init(struct owsk_wsk_socket *s);
/* SO_WSK_EVENT_CALLBACK from WskControlSocket (any thread). irp may be NULL. */
NTSTATUS owsk_wsk_event_control(struct owsk_wsk_socket *s, const WSK_EVENT_CALLBACK_CONTROL *ctl,
                                PIRP irp);
/* Loop: bracket a callback into the driver (DISPATCH_LEVEL, the owner's context). */
struct owsk_wsk_cb_scope {
    KIRQL irql;
    struct owsk_owner *owner;
    ULONG event;
};
void owsk_wsk_cb_enter(struct owsk_wsk_socket *s, ULONG event, struct owsk_wsk_cb_scope *scope);
void owsk_wsk_cb_leave(struct owsk_wsk_socket *s, struct owsk_wsk_cb_scope *scope);
/* Loop: indicates buffered/new data through WskReceiveEvent while it is enabled, not
 * blocked by a partial/refused indication, and no WskReceive is queued. */
void owsk_wsk_event_receive(struct owsk_wsk_socket *s);
void owsk_wsk_event_disconnect(struct owsk_wsk_socket *s, bool abortive);
void owsk_wsk_event_send_backlog(struct owsk_wsk_socket *s);
/* Any thread: WskRelease on a connection/stream socket. */
NTSTATUS owsk_wsk_release_indications(struct owsk_wsk_socket *s, PWSK_DATA_INDICATION list);
/* Loop, at close: frees indications the client never released (reported). */
void owsk_wsk_reclaim_indications(struct owsk_wsk_socket *s);

/* ---- control (control.c) ---- */
NTSTATUS owsk_wsk_control_socket(struct owsk_wsk_socket *s, WSK_CONTROL_SOCKET_TYPE type,
                                 ULONG code, ULONG level, SIZE_T in_size, PVOID in_buf,
                                 SIZE_T out_size, PVOID out_buf, SIZE_T *out_returned, PIRP irp);

/* ---- datagram sockets (dgram.c) and name resolution (resolve.c) ---- */
extern const WSK_PROVIDER_DATAGRAM_DISPATCH owsk_wsk_datagram_dispatch;
/* WskSocket for WSK_FLAG_DATAGRAM_SOCKET: creates the socket and completes irp. */
NTSTATUS owsk_wsk_dgram_socket(struct owsk_wsk_client *c, ADDRESS_FAMILY family, USHORT type,
                               ULONG protocol, PVOID context, const VOID *dispatch, PIRP irp);
/* Loop: the fd interest of a datagram socket (owsk_wsk_socket_update_watch). */
uint32_t owsk_wsk_dgram_want(struct owsk_wsk_socket *s);
/* Last reference: frees the datagram state (held and unreleased indications). */
void owsk_wsk_dgram_free(struct owsk_wsk_socket *s);
NTSTATUS WSKAPI owsk_wsk_get_address_info(PWSK_CLIENT Client, PUNICODE_STRING NodeName,
                                          PUNICODE_STRING ServiceName, ULONG NameSpace,
                                          GUID *Provider, PADDRINFOEXW Hints, PADDRINFOEXW *Result,
                                          PEPROCESS OwningProcess, PETHREAD OwningThread, PIRP Irp);
VOID WSKAPI owsk_wsk_free_address_info(PWSK_CLIENT Client, PADDRINFOEXW AddrInfo);
NTSTATUS WSKAPI owsk_wsk_get_name_info(PWSK_CLIENT Client, PSOCKADDR SockAddr, ULONG SockAddrLength,
                                       PUNICODE_STRING NodeName, PUNICODE_STRING ServiceName,
                                       ULONG Flags, PEPROCESS OwningProcess, PETHREAD OwningThread,
                                       PIRP Irp);

#endif
