/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WskControlSocket: socket options (translated in sockopt.c), the WSK-only options
 * (SO_WSK_EVENT_CALLBACK, SO_WSK_SECURITY as bookkeeping, SO_CONDITIONAL_ACCEPT,
 * SO_EXCLUSIVEADDRUSE) and the WSK IOCTLs of connection sockets. Extensions
 * (SIO_WSK_REGISTER_EXTENSION), TCP silent mode and SIO_ADDRESS_LIST_* are not supported. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io/io.h"
#include "wsk/provider.h"

static NTSTATUS finish_sync(PIRP irp, NTSTATUS st, SIZE_T info, SIZE_T *out_returned)
{
    if (irp)
        return owsk_io_complete_irp(irp, st, NT_SUCCESS(st) ? info : 0);
    if (NT_SUCCESS(st) && out_returned)
        *out_returned = info;
    return st;
}

static NTSTATUS post(struct owsk_wsk_socket *s, WSK_CONTROL_SOCKET_TYPE type, ULONG code,
                     ULONG level, SIZE_T in_size, PVOID in_buf, SIZE_T out_size, PVOID out_buf,
                     PIRP irp)
{
    struct owsk_wsk_req *r = calloc(1, sizeof(*r));

    if (!r)
        return owsk_wsk_irp_fail(irp, STATUS_INSUFFICIENT_RESOURCES);
    r->irp = irp;
    r->op = OP_CONTROL;
    r->sock = s;
    r->client = s->client;
    owsk_wsk_socket_ref(s);
    r->ctl_type = type;
    r->ctl_code = code;
    r->ctl_level = level;
    r->in_size = in_size;
    r->in_buf = in_buf;
    r->out_size = out_size;
    r->out_buf = out_buf;
    return owsk_wsk_req_submit(r);
}

NTSTATUS owsk_wsk_control_socket(struct owsk_wsk_socket *s, WSK_CONTROL_SOCKET_TYPE type,
                                 ULONG code, ULONG level, SIZE_T in_size, PVOID in_buf,
                                 SIZE_T out_size, PVOID out_buf, SIZE_T *out_returned, PIRP irp)
{
    OWSK_TRACE(OWSK_CH_WSK, "socket %p, type %d, code %#x, level %#x, irp %p", (void *)s, (int)type,
               (unsigned)code, (unsigned)level, (void *)irp);
    switch (type) {
    case WskSetOption:
        if (level == SOL_SOCKET && code == SO_WSK_EVENT_CALLBACK) {
            if (!in_buf || in_size < sizeof(WSK_EVENT_CALLBACK_CONTROL))
                return finish_sync(irp, STATUS_INVALID_PARAMETER, 0, NULL);
            return owsk_wsk_event_control(s, in_buf, irp);
        }
        /* Every other option takes an IRP (NET:so-* pages). */
        if (!irp)
            return STATUS_INVALID_PARAMETER;
        return post(s, type, code, level, in_size, in_buf, 0, NULL, irp);
    case WskGetOption:
        if (!irp)
            return STATUS_INVALID_PARAMETER;
        return post(s, type, code, level, 0, NULL, out_size, out_buf, irp);
    case WskIoctl:
        switch (code) {
        case SIO_WSK_QUERY_INSPECT_ID:
            /* No IRP for this one; only sockets accepted on a conditional listener. */
            if (irp)
                return finish_sync(irp, STATUS_INVALID_PARAMETER, 0, NULL);
            if (!s->has_inspect_id)
                return STATUS_INVALID_DEVICE_REQUEST;
            if (!out_buf || out_size < sizeof(WSK_INSPECT_ID))
                return STATUS_BUFFER_TOO_SMALL;
            memcpy(out_buf, &s->inspect_id, sizeof(WSK_INSPECT_ID));
            return finish_sync(NULL, STATUS_SUCCESS, sizeof(WSK_INSPECT_ID), out_returned);
        case SIO_WSK_QUERY_IDEAL_SEND_BACKLOG:
        case SIO_WSK_QUERY_RECEIVE_BACKLOG:
            if (!irp)
                return STATUS_INVALID_PARAMETER;
            return post(s, type, code, level, 0, NULL, out_size, out_buf, irp);
        case SIO_WSK_SET_REMOTE_ADDRESS:
        case SIO_WSK_SET_SENDTO_ADDRESS:
            return finish_sync(irp, STATUS_INVALID_DEVICE_REQUEST, 0, NULL);
        default:
            OWSK_FIXME(OWSK_CH_WSK, "ioctl %#x not supported", (unsigned)code);
            return finish_sync(irp, STATUS_NOT_SUPPORTED, 0, NULL);
        }
    default:
        return finish_sync(irp, STATUS_INVALID_PARAMETER, 0, NULL);
    }
}

static bool read_ulong(struct owsk_wsk_req *r, ULONG *ret)
{
    if (!r->in_buf || r->in_size < sizeof(ULONG))
        return false;
    memcpy(ret, r->in_buf, sizeof(ULONG));
    return true;
}

static NTSTATUS write_ulong(struct owsk_wsk_req *r, ULONG v)
{
    if (!r->out_buf || r->out_size < sizeof(ULONG))
        return owsk_wsk_req_complete(r, STATUS_BUFFER_TOO_SMALL, 0);
    memcpy(r->out_buf, &v, sizeof(v));
    return owsk_wsk_req_complete(r, STATUS_SUCCESS, sizeof(v));
}

/* The options the provider keeps itself. Returns STATUS_PENDING if r is not one of them. */
static NTSTATUS run_wsk_option(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;
    bool set = r->ctl_type == WskSetOption;
    ULONG v;

    if (r->ctl_level != SOL_SOCKET)
        return STATUS_PENDING;
    switch (r->ctl_code) {
    case SO_CONDITIONAL_ACCEPT:
        if (s->category != OWSK_CAT_LISTEN)
            return owsk_wsk_req_complete(r, STATUS_INVALID_DEVICE_REQUEST, 0);
        if (!set)
            return write_ulong(r, s->cond_accept);
        if (!read_ulong(r, &v))
            return owsk_wsk_req_complete(r, STATUS_INVALID_PARAMETER, 0);
        /* Only before bind; afterwards inspect/abort events cannot change. */
        if (s->bound)
            return owsk_wsk_req_complete(r, STATUS_INVALID_DEVICE_STATE, 0);
        s->cond_accept = v != 0;
        return owsk_wsk_req_complete(r, STATUS_SUCCESS, 0);
    case (ULONG)SO_EXCLUSIVEADDRUSE:
        if (!set)
            return write_ulong(r, s->exclusive);
        if (!read_ulong(r, &v))
            return owsk_wsk_req_complete(r, STATUS_INVALID_PARAMETER, 0);
        if (s->bound)
            return owsk_wsk_req_complete(r, STATUS_INVALID_DEVICE_STATE, 0);
        s->exclusive = v != 0;
        if (s->exclusive) {
            /* Linux cannot forbid other sockets from sharing; the closest is "no reuse". */
            ULONG zero = 0;
            size_t len = sizeof(zero);

            owsk_wsk_sockopt(s->fd, true, SOL_SOCKET, SO_REUSEADDR, &zero, &len);
        }
        return owsk_wsk_req_complete(r, STATUS_SUCCESS, 0);
    case SO_WSK_SECURITY:
        /* Security descriptors are not enforced in a single-user host: accepted as
         * bookkeeping before bind. */
        if (set && s->bound)
            return owsk_wsk_req_complete(r, STATUS_INVALID_DEVICE_STATE, 0);
        if (!set) {
            if (!r->out_buf || r->out_size < sizeof(PVOID))
                return owsk_wsk_req_complete(r, STATUS_BUFFER_TOO_SMALL, 0);
            memset(r->out_buf, 0, sizeof(PVOID));
            return owsk_wsk_req_complete(r, STATUS_SUCCESS, sizeof(PVOID));
        }
        return owsk_wsk_req_complete(r, STATUS_SUCCESS, 0);
    case (ULONG)SO_REUSEADDR:
        if (set && s->exclusive)
            return owsk_wsk_req_complete(r, STATUS_INVALID_PARAMETER, 0);
        return STATUS_PENDING;
    default:
        return STATUS_PENDING;
    }
}

static NTSTATUS run_ioctl(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;
    SIZE_T v;

    if (!s->connected || s->fd < 0)
        return owsk_wsk_req_complete(r, STATUS_INVALID_DEVICE_STATE, 0);
    if (!r->out_buf || r->out_size < sizeof(SIZE_T))
        return owsk_wsk_req_complete(r, STATUS_BUFFER_TOO_SMALL, 0);
    if (r->ctl_code == SIO_WSK_QUERY_IDEAL_SEND_BACKLOG) {
        ssize_t isb = owsk_wsk_sys_ideal_backlog(s->fd);

        if (isb < 0)
            return owsk_wsk_req_complete(r, owsk_status_from_errno((int)-isb), 0);
        v = (SIZE_T)isb;
    } else {
        /* Bytes the kernel holds plus bytes we hold from a refused indication. */
        int q = owsk_wsk_sys_rx_queued(s->fd);

        if (q < 0)
            return owsk_wsk_req_complete(r, owsk_status_from_errno(-q), 0);
        v = (SIZE_T)q + s->rx_len;
    }
    memcpy(r->out_buf, &v, sizeof(v));
    return owsk_wsk_req_complete(r, STATUS_SUCCESS, sizeof(v));
}

NTSTATUS owsk_wsk_run_control(struct owsk_wsk_req *r)
{
    struct owsk_wsk_socket *s = r->sock;
    NTSTATUS st;
    size_t len;
    int e;

    if (s->closing || s->fd < 0)
        return owsk_wsk_req_complete(r, STATUS_INVALID_HANDLE, 0);
    if (r->ctl_type == WskIoctl)
        return run_ioctl(r);
    st = run_wsk_option(r);
    if (st != STATUS_PENDING)
        return st;
    if (r->ctl_type == WskSetOption) {
        len = r->in_size;
        e = owsk_wsk_sockopt(s->fd, true, r->ctl_level, r->ctl_code, r->in_buf, &len);
        if (e == -EFAULT) /* input shorter than the option's type */
            return owsk_wsk_req_complete(r, STATUS_INVALID_PARAMETER, 0);
        if (e < 0)
            return owsk_wsk_req_complete(r, owsk_status_from_errno(-e), 0);
        return owsk_wsk_req_complete(r, STATUS_SUCCESS, 0);
    }
    len = r->out_size;
    e = owsk_wsk_sockopt(s->fd, false, r->ctl_level, r->ctl_code, r->out_buf, &len);
    if (e == -EFAULT) /* output buffer too small for the option's type */
        return owsk_wsk_req_complete(r, STATUS_BUFFER_TOO_SMALL, 0);
    if (e < 0)
        return owsk_wsk_req_complete(r, owsk_status_from_errno(-e), 0);
    return owsk_wsk_req_complete(r, STATUS_SUCCESS, len);
}
