/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one errno -> NTSTATUS table (wsk-reference §3.14, "recommended" column) and NTSTATUS
 * names, generated from every STATUS_* macro in include/ntstatus.h. Socket-state specific
 * results (e.g. STATUS_INVALID_DEVICE_STATE for Get*Address) are the wsk room's business. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ntstatus.h>
#include <openwsk/host.h>

#include "core/core.h"

static const struct errno_map {
    int err;
    NTSTATUS status;
} errno_table[] = {
    {0, STATUS_SUCCESS},
    {EADDRINUSE, STATUS_ADDRESS_ALREADY_ASSOCIATED}, /* what Windows' bind gives (Wine, obs) */
    {ECONNREFUSED, STATUS_CONNECTION_REFUSED},
    {ECONNRESET, STATUS_CONNECTION_RESET},
    {EPIPE, STATUS_CONNECTION_RESET}, /* send after the peer reset; MSG_NOSIGNAL everywhere */
    {ETIMEDOUT, STATUS_IO_TIMEOUT},
    {ENOMEM, STATUS_INSUFFICIENT_RESOURCES},
    {ENOBUFS, STATUS_INSUFFICIENT_RESOURCES},
    {EINVAL, STATUS_INVALID_PARAMETER},
    {EDESTADDRREQ, STATUS_INVALID_PARAMETER},
    {ENOPROTOOPT, STATUS_INVALID_PARAMETER},
    {EAFNOSUPPORT, STATUS_NOT_SUPPORTED},
    {EPFNOSUPPORT, STATUS_NOT_SUPPORTED},
    {EPROTONOSUPPORT, STATUS_NOT_SUPPORTED},
    {ESOCKTNOSUPPORT, STATUS_NOT_SUPPORTED},
    {EPROTOTYPE, STATUS_NOT_SUPPORTED},
    {EOPNOTSUPP, STATUS_NOT_SUPPORTED}, /* == ENOTSUP on Linux */
    {EADDRNOTAVAIL, STATUS_INVALID_ADDRESS_COMPONENT}, /* Wine says INVALID_PARAMETER */
    {ENETUNREACH, STATUS_NETWORK_UNREACHABLE},
    {EHOSTUNREACH, STATUS_HOST_UNREACHABLE},
    {ECONNABORTED, STATUS_CONNECTION_ABORTED},
    {EMFILE, STATUS_TOO_MANY_OPENED_FILES},
    {ENFILE, STATUS_TOO_MANY_OPENED_FILES},
    {EACCES, STATUS_ACCESS_DENIED},
    {EPERM, STATUS_ACCESS_DENIED},
    {ECANCELED, STATUS_CANCELLED},
    {ENOTCONN, STATUS_CONNECTION_DISCONNECTED},
    {EISCONN, STATUS_CONNECTION_ACTIVE},
    {EHOSTDOWN, STATUS_HOST_DOWN},
    {EMSGSIZE, STATUS_BUFFER_OVERFLOW},
    {EFAULT, STATUS_ACCESS_VIOLATION},
    {EAGAIN, STATUS_CANT_WAIT}, /* == EWOULDBLOCK; should never reach a driver */
    {EALREADY, STATUS_NETWORK_BUSY},
    {ENETDOWN, STATUS_NETWORK_BUSY},
    {EBADF, STATUS_INVALID_HANDLE},
    {ENOTSOCK, STATUS_INVALID_HANDLE},
    {ESHUTDOWN, STATUS_PIPE_DISCONNECTED}, /* Wine: WSAESHUTDOWN */
    {ENOSYS, STATUS_NOT_IMPLEMENTED},
};

bool owsk_status_errno_at(size_t i, int *ret_err, NTSTATUS *ret_status)
{
    if (i >= sizeof(errno_table) / sizeof(errno_table[0]))
        return false;
    *ret_err = errno_table[i].err;
    *ret_status = errno_table[i].status;
    return true;
}

/* Unknown errno values already warned about (one bit each below 1024, one flag above). */
static unsigned long warned[1024 / (8 * sizeof(unsigned long)) + 1];

/* Accepts -errno too: the Linux-facing layer returns negative values and passing one here is
 * an easy slip that should not turn into STATUS_UNSUCCESSFUL. */
NTSTATUS owsk_status_from_errno(int err)
{
    unsigned idx, bits = 8 * sizeof(unsigned long);

    if (err < 0)
        err = -err;
    for (size_t i = 0; i < sizeof(errno_table) / sizeof(errno_table[0]); i++)
        if (errno_table[i].err == err)
            return errno_table[i].status;
    idx = err < 1024 ? (unsigned)err : 1024;
    if (!(__atomic_fetch_or(&warned[idx / bits], 1ul << (idx % bits), __ATOMIC_RELAXED) &
          (1ul << (idx % bits))))
        OWSK_WARN(OWSK_CH_CORE, "no NTSTATUS for errno %d (%s), using STATUS_UNSUCCESSFUL", err,
                  strerror(err));
    return STATUS_UNSUCCESSFUL;
}

/* ---- names ---- */

struct status_name {
    const char *name;
    NTSTATUS value;
};

static const struct status_name names_in_header_order[] = {
#define OWSK_STATUS_NAME(n) {#n, (NTSTATUS)(n)},
#include "core/status_names.h"
#undef OWSK_STATUS_NAME
};
#define N_NAMES (sizeof(names_in_header_order) / sizeof(names_in_header_order[0]))

/* Sorted by value (then by preference) for value -> name; built once. */
static const struct status_name *by_value[N_NAMES];
static pthread_once_t by_value_once = PTHREAD_ONCE_INIT;

/* Several names share a value (STATUS_WAIT_0 == STATUS_SUCCESS, STATUS_ABANDONED_WAIT_0 ==
 * STATUS_ABANDONED): the numbered wait aliases lose, otherwise the header's first name wins. */
static int alias_rank(const char *name)
{
    const char *w = strstr(name, "_WAIT_");

    return w && w[6] >= '0' && w[6] <= '9' ? 1 : 0;
}

static int cmp_value(const void *a, const void *b)
{
    const struct status_name *x = *(const struct status_name *const *)a;
    const struct status_name *y = *(const struct status_name *const *)b;
    uint32_t vx = (uint32_t)x->value, vy = (uint32_t)y->value;

    if (vx != vy)
        return vx < vy ? -1 : 1;
    if (alias_rank(x->name) != alias_rank(y->name))
        return alias_rank(x->name) - alias_rank(y->name);
    return x < y ? -1 : x > y; /* header order */
}

static void build_by_value(void)
{
    for (size_t i = 0; i < N_NAMES; i++)
        by_value[i] = &names_in_header_order[i];
    qsort(by_value, N_NAMES, sizeof(by_value[0]), cmp_value);
}

static const char *known_name(NTSTATUS status)
{
    size_t lo = 0, hi = N_NAMES;

    pthread_once(&by_value_once, build_by_value);
    /* First entry with value >= status: the preferred name of that value. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uint32_t)by_value[mid]->value < (uint32_t)status)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < N_NAMES && by_value[lo]->value == status)
        return by_value[lo]->name;
    return NULL;
}

const char *owsk_status_name(NTSTATUS status)
{
    static _Thread_local char buf[16];
    const char *n = known_name(status);

    if (n)
        return n;
    snprintf(buf, sizeof(buf), "0x%08X", (unsigned)status);
    return buf;
}

bool owsk_status_from_name(const char *name, NTSTATUS *ret_status)
{
    char *end;
    unsigned long v;

    if (!name)
        return false;
    /* Tools also pass raw values ("0xC0000236"). */
    if (name[0] == '0' && (name[1] == 'x' || name[1] == 'X')) {
        errno = 0;
        v = strtoul(name, &end, 16);
        if (errno || *end || end == name + 2 || v > 0xFFFFFFFFul)
            return false;
        *ret_status = (NTSTATUS)(uint32_t)v;
        return true;
    }
    for (size_t i = 0; i < N_NAMES; i++) {
        if (strcmp(names_in_header_order[i].name, name) == 0) {
            *ret_status = names_in_header_order[i].value;
            return true;
        }
    }
    return false;
}

size_t owsk_status_name_count(void)
{
    return N_NAMES;
}

OWSK_HOST_API const char *owsk_ntstatus_name(owsk_ntstatus_t status)
{
    return owsk_status_name((NTSTATUS)status);
}
