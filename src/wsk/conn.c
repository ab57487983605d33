/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Connecting: WskConnect, WskConnectEx (its buffer is sent right after the handshake, not in
 * the SYN: no TCP Fast Open) and the loop side of WskSocketConnect. */
#include <errno.h>

#include "wsk/provider.h"

/* Thread: loop. The socket just became connected. */
static void connected(struct owsk_wsk_socket *s)
{
    s->connecting = false;
    s->connected = true;
    if (s->category == OWSK_CAT_STREAM)
        s->stream_mode = OWSK_STREAM_CONNECT;
    owsk_wsk_socket_note_addrs(s);
}

/* Finishes a connect request: ConnectEx's buffer then goes out as the first send. */
static NTSTATUS finish(struct owsk_wsk_req *r, NTSTATUS st)
{
    struct owsk_wsk_socket *s = r->sock;

    if (r->op == OP_SOCKET_CONNECT)
        return owsk_wsk_socket_connect_done(r, st);
    if (NT_SUCCESS(st) && r->buf.Length) {
        /* The send queue is empty: nothing could be sent before the connection existed. */
        if (!owsk_wsk_req_queue(&s->send_q, r))
            return STATUS_PENDING;
        owsk_wsk_stream_pump(s);
        owsk_wsk_socket_update_watch(s);
        return STATUS_PENDING;
    }
    return owsk_wsk_req_complete(r, st, 0);
}

NTSTATUS owsk_wsk_run_connect(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;
    int e;

    if (s->closing)
        return owsk_wsk_req_complete(r, STATUS_INVALID_HANDLE, 0);
    if (r->op == OP_SOCKET_CONNECT) {
        e = owsk_wsk_sys_bind(s->fd, &r->addr2);
        if (e < 0)
            return finish(r, owsk_status_from_errno(-e));
        s->bound = true;
    }
    /* Windows: connect on an unbound socket returns and completes
     * STATUS_INVALID_DEVICE_STATE (Wine's driver tests, run on Windows). */
    if (!s->bound)
        return owsk_wsk_req_complete(r, STATUS_INVALID_DEVICE_STATE, 0);
    if (s->connected || s->connecting || s->aborted ||
        (s->category == OWSK_CAT_STREAM && s->stream_mode != OWSK_STREAM_NONE))
        return owsk_wsk_req_complete(r, STATUS_INVALID_DEVICE_STATE, 0);
    e = owsk_wsk_sys_connect(s->fd, &r->addr);
    if (e == 0) {
        connected(s);
        return finish(r, STATUS_SUCCESS);
    }
    if (e != -EINPROGRESS)
        return finish(r, owsk_status_from_errno(-e));
    s->connecting = true;
    if (!owsk_wsk_req_queue(&s->connect_q, r)) {
        s->connecting = false;
        owsk_wsk_sys_abort(s->fd);
        s->aborted = true;
        return STATUS_CANCELLED;
    }
    owsk_wsk_socket_update_watch(s);
    return STATUS_PENDING;
}

/* Thread: loop. The pending connect finished (OUT) or failed (ERR). */
void owsk_wsk_connect_ready(struct owsk_wsk_socket *s, uint32_t revents)
{
    struct owsk_wsk_req *r = s->connect_q.head;
    int e;

    if (!(revents & (OWSK_LOOP_OUT | OWSK_LOOP_ERR)))
        return;
    e = owsk_wsk_sys_connect_result(s->fd);
    if (!r) {
        s->connecting = false;
        return;
    }
    if (!owsk_wsk_req_claim(r)) {
        /* Being cancelled: cancel_task resets the attempt and completes it. */
        return;
    }
    owsk_wsk_queue_remove(r);
    if (e == 0) {
        connected(s);
        finish(r, STATUS_SUCCESS);
        owsk_wsk_event_send_backlog(s);
    } else {
        s->connecting = false; /* the socket may try again, as on Linux and Windows */
        finish(r, owsk_status_from_errno(-e));
    }
}
