/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Byte-stream I/O on connected sockets: WskSend (pending until the kernel took every byte,
 * no provider buffering), WskReceive (FIFO; WAITALL, DRAIN, zero-length re-arm), graceful
 * and abortive WskDisconnect, and the receive/send pumps driven by the loop. A graceful
 * disconnect completes once FIN is queued, not when the peer acknowledged it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wsk/provider.h"

#define MAX_IOV 64

/* ---- receive ---- */

/* Copies buffered (un-accepted indication) bytes into iov; returns the count. */
static size_t rx_take(struct owsk_wsk_socket *s, const struct iovec *iov, int n)
{
    size_t got = 0;

    for (int i = 0; i < n && s->rx_len; i++) {
        size_t k = iov[i].iov_len < s->rx_len ? iov[i].iov_len : s->rx_len;

        memcpy(iov[i].iov_base, s->rx_buf + s->rx_off, k);
        s->rx_off += k;
        s->rx_len -= k;
        got += k;
    }
    if (!s->rx_len) {
        free(s->rx_buf);
        s->rx_buf = NULL;
        s->rx_off = 0;
    }
    return got;
}

static void note_rx_error(struct owsk_wsk_socket *s, int err)
{
    if (!s->rx_error)
        s->rx_error = owsk_status_from_errno(err);
}

/* Reads and discards until end of stream or error (WSK_FLAG_DRAIN). true when finished. */
static bool drain(struct owsk_wsk_socket *s)
{
    unsigned char scratch[16384];
    struct iovec iov = {scratch, sizeof(scratch)};

    s->rx_len = 0;
    free(s->rx_buf);
    s->rx_buf = NULL;
    s->rx_off = 0;
    while (!s->peer_fin && !s->rx_error) {
        ssize_t k = owsk_wsk_sys_recvv(s->fd, &iov, 1);

        if (k == -EAGAIN)
            return false;
        if (k == 0)
            s->peer_fin = true;
        else if (k < 0)
            note_rx_error(s, (int)-k);
    }
    return true;
}

/* Moves bytes into a receive request. Returns true when it is finished, with the status
 * and byte count to complete it with. */
static bool recv_fill(struct owsk_wsk_socket *s, struct owsk_wsk_req *r, NTSTATUS *ret_st)
{
    struct iovec iov[MAX_IOV];
    bool waitall = r->flags & WSK_FLAG_WAITALL;

    if (r->flags & WSK_FLAG_DRAIN) {
        if (!drain(s))
            return false;
        *ret_st = s->peer_fin ? STATUS_SUCCESS : s->rx_error;
        return true;
    }
    if (r->buf.Length == 0) {
        /* Zero-length receive: the documented way to re-arm WskReceiveEvent. */
        *ret_st = STATUS_SUCCESS;
        return true;
    }
    while (r->done < r->buf.Length) {
        int n = owsk_wsk_buf_iov(&r->buf, r->done, iov, MAX_IOV);
        ssize_t k;

        if (n <= 0) {
            *ret_st = STATUS_INVALID_PARAMETER;
            return true;
        }
        if (s->rx_len) {
            r->done += rx_take(s, iov, n);
            if (!waitall)
                break;
            continue;
        }
        if (s->peer_fin || s->rx_error || s->fd < 0)
            break;
        k = owsk_wsk_sys_recvv(s->fd, iov, n);
        if (k > 0) {
            r->done += (SIZE_T)k;
            if (!waitall)
                break;
        } else if (k == 0) {
            s->peer_fin = true;
        } else if (k == -EAGAIN) {
            break;
        } else {
            note_rx_error(s, (int)-k);
        }
    }
    if (r->done == r->buf.Length || (!waitall && r->done > 0) || s->peer_fin) {
        *ret_st = STATUS_SUCCESS;
        return true;
    }
    if (s->rx_error) {
        *ret_st = s->rx_error;
        return true;
    }
    return false;
}

static void complete_receive(struct owsk_wsk_socket *s, struct owsk_wsk_req *r, NTSTATUS st)
{
    SIZE_T info = NT_SUCCESS(st) ? r->done : 0;

    owsk_wsk_queue_remove(r);
    s->ind_blocked = false; /* a completed WskReceive re-arms WskReceiveEvent */
    owsk_wsk_req_complete(r, st, info);
}

/* Thread: loop. Fills queued receives in order, then hands what is left to the event. */
static void recv_pump(struct owsk_wsk_socket *s)
{
    struct owsk_wsk_req *r = s->recv_q.head;
    NTSTATUS st;

    while (r && !s->closing) {
        if (!owsk_wsk_req_claim(r)) {
            r = r->next; /* being cancelled; its cancel task completes it */
            continue;
        }
        if (!recv_fill(s, r, &st)) {
            if (!owsk_wsk_req_rearm(r))
                complete_receive(s, r, r->done ? STATUS_SUCCESS : STATUS_CANCELLED);
            break;
        }
        complete_receive(s, r, st);
        r = s->recv_q.head;
    }
    if (s->closing || s->in_callback)
        return;
    if (!s->recv_q.head)
        owsk_wsk_event_receive(s);
    if (!s->rx_len && !s->disconnect_indicated && (s->peer_fin || s->rx_error))
        owsk_wsk_event_disconnect(s, s->rx_error != 0);
}

static NTSTATUS io_state(struct owsk_wsk_socket *s)
{
    if (s->closing)
        return STATUS_INVALID_HANDLE;
    if (!s->connected || (s->category == OWSK_CAT_STREAM && s->stream_mode != OWSK_STREAM_CONNECT))
        return STATUS_INVALID_DEVICE_STATE;
    return STATUS_SUCCESS;
}

NTSTATUS owsk_wsk_run_receive(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;
    NTSTATUS st = io_state(s);

    if (!NT_SUCCESS(st))
        return owsk_wsk_req_complete(r, st, 0);
    if (s->aborted && !s->rx_error && !s->rx_len)
        return owsk_wsk_req_complete(r, STATUS_CONNECTION_ABORTED, 0);
    /* Fast path: nothing queued ahead and no indication in progress, so try now. */
    if (!s->recv_q.head && !s->in_callback && recv_fill(s, r, &st)) {
        s->ind_blocked = false;
        st = owsk_wsk_req_complete(r, st, NT_SUCCESS(st) ? r->done : 0);
        if (owsk_loop_current() == s->loop && !s->closing) {
            recv_pump(s);
            owsk_wsk_socket_update_watch(s);
        }
        return st;
    }
    if (!owsk_wsk_req_queue(&s->recv_q, r))
        return STATUS_CANCELLED;
    if (!s->in_callback)
        recv_pump(s);
    owsk_wsk_socket_update_watch(s);
    return STATUS_PENDING;
}

/* ---- send ---- */

static void send_backlog_check(struct owsk_wsk_socket *s)
{
    if (owsk_wsk_event_on(s, WSK_EVENT_SEND_BACKLOG))
        owsk_wsk_event_send_backlog(s);
}

/* Thread: loop. Sends queued requests in order; a graceful disconnect in the queue sends
 * FIN once everything before it is out. */
static void send_pump(struct owsk_wsk_socket *s)
{
    struct owsk_wsk_req *r;
    struct iovec iov[MAX_IOV];
    bool sent_any = false;

    while ((r = s->send_q.head) && !s->closing) {
        if (!owsk_wsk_req_claim(r)) {
            if (r->done)
                break; /* a half-sent request is being cancelled: it resets the stream */
            /* Skip it only if something else can go: look further down the queue. */
            r = r->next;
            while (r && !owsk_wsk_req_claim(r))
                r = r->next;
            if (!r)
                break;
        }
        if (s->aborted || s->fd < 0) {
            owsk_wsk_queue_remove(r);
            owsk_wsk_req_complete(r, s->rx_error ? s->rx_error : STATUS_CONNECTION_ABORTED, 0);
            continue;
        }
        while (r->done < r->buf.Length) {
            int n = owsk_wsk_buf_iov(&r->buf, r->done, iov, MAX_IOV);
            ssize_t k;

            if (n <= 0) {
                owsk_wsk_queue_remove(r);
                owsk_wsk_req_complete(r, STATUS_INVALID_PARAMETER, 0);
                r = NULL;
                break;
            }
            k = owsk_wsk_sys_sendv(s->fd, iov, n);
            if (k > 0) {
                r->done += (SIZE_T)k;
                sent_any = true;
                continue;
            }
            if (k == -EAGAIN) {
                if (!owsk_wsk_req_rearm(r)) {
                    owsk_wsk_queue_remove(r);
                    if (r->done)
                        owsk_wsk_stream_abort(s, STATUS_CANCELLED);
                    owsk_wsk_req_complete(r, STATUS_CANCELLED, 0);
                }
                if (sent_any)
                    send_backlog_check(s);
                return; /* wait for OUT */
            }
            /* The connection is gone: fail this and everything behind it. */
            if (!s->rx_error)
                s->rx_error = owsk_status_from_errno((int)-k);
            s->aborted = true;
            owsk_wsk_queue_remove(r);
            owsk_wsk_req_complete(r, s->rx_error, 0);
            owsk_wsk_queue_flush(&s->send_q, s->rx_error);
            return;
        }
        if (!r)
            continue;
        owsk_wsk_queue_remove(r);
        if (r->op == OP_DISCONNECT) {
            int e = owsk_wsk_sys_shutdown_wr(s->fd);

            s->shut_wr = true;
            owsk_wsk_req_complete(r, e < 0 ? owsk_status_from_errno(-e) : STATUS_SUCCESS, 0);
            continue;
        }
        if (r->flags & WSK_FLAG_NODELAY)
            owsk_wsk_sys_push(s->fd);
        /* WskSend reports the bytes sent; WskConnectEx's buffer is not counted. */
        owsk_wsk_req_complete(r, STATUS_SUCCESS, r->op == OP_SEND ? r->done : 0);
    }
    if (sent_any)
        send_backlog_check(s);
}

NTSTATUS owsk_wsk_run_send(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;
    NTSTATUS st = io_state(s);

    if (!NT_SUCCESS(st))
        return owsk_wsk_req_complete(r, st, 0);
    if (s->aborted)
        return owsk_wsk_req_complete(r, s->rx_error ? s->rx_error : STATUS_CONNECTION_ABORTED, 0);
    if (s->shut_wr || (s->send_q.tail && s->send_q.tail->op == OP_DISCONNECT))
        return owsk_wsk_req_complete(r, STATUS_PIPE_DISCONNECTED, 0);
    if (!owsk_wsk_req_queue(&s->send_q, r))
        return STATUS_CANCELLED;
    send_pump(s);
    owsk_wsk_socket_update_watch(s);
    return STATUS_PENDING;
}

/* ---- disconnect ---- */

void owsk_wsk_stream_abort(struct owsk_wsk_socket *s, NTSTATUS status)
{
    if (s->aborted)
        return;
    s->aborted = true;
    if (s->fd >= 0)
        owsk_wsk_sys_abort(s->fd);
    owsk_wsk_queue_flush(&s->send_q, status);
    owsk_wsk_queue_flush(&s->recv_q, status);
}

NTSTATUS owsk_wsk_run_disconnect(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;
    NTSTATUS st = io_state(s);

    if (!NT_SUCCESS(st))
        return owsk_wsk_req_complete(r, st, 0);
    if (r->flags & WSK_FLAG_ABORTIVE) {
        /* RST now; pending sends and receives are cancelled (wsk-reference 3.8). */
        owsk_wsk_stream_abort(s, STATUS_CANCELLED);
        owsk_wsk_socket_update_watch(s);
        return owsk_wsk_req_complete(r, STATUS_SUCCESS, 0);
    }
    if (s->aborted)
        return owsk_wsk_req_complete(r, s->rx_error ? s->rx_error : STATUS_CONNECTION_ABORTED, 0);
    if (s->shut_wr)
        return owsk_wsk_req_complete(r, STATUS_SUCCESS, 0);
    /* Graceful: behind every queued send, then FIN (shutdown(SHUT_WR)). */
    if (!owsk_wsk_req_queue(&s->send_q, r))
        return STATUS_CANCELLED;
    send_pump(s);
    owsk_wsk_socket_update_watch(s);
    return STATUS_PENDING;
}

/* Thread: loop, at WskCloseSocket. Windows resets a connection that is not disconnected;
 * after a graceful WskDisconnect we let close() finish with FIN. */
void owsk_wsk_stream_close(struct owsk_wsk_socket *s)
{
    if (s->fd < 0 || s->aborted || s->shut_wr)
        return;
    if (s->connecting || s->connected)
        owsk_wsk_sys_linger_reset(s->fd);
}

/* ---- loop entry points ---- */

void owsk_wsk_stream_pump(struct owsk_wsk_socket *s)
{
    if (s->closing)
        return;
    if (s->send_q.head)
        send_pump(s);
    recv_pump(s);
}

void owsk_wsk_stream_ready(struct owsk_wsk_socket *s, uint32_t revents)
{
    if (revents & (OWSK_LOOP_OUT | OWSK_LOOP_ERR))
        send_pump(s);
    if (revents & (OWSK_LOOP_IN | OWSK_LOOP_ERR | OWSK_LOOP_HUP))
        recv_pump(s);
}
