/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a driver left behind: owsk_driver_leaks (counts from every room) and
 * owsk_driver_report_leaks (pool by tag, IRPs, MDLs, devices, work items, threads, timers,
 * queued DPCs, lookaside lists, sockets, pending IRPs with their operation and age), the
 * ndiswrapper-style unload report. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include <openwsk/host.h>

#include "ex/ex.h"
#include "io/io_private.h"
#include "ke/ke.h"
#include "ps/ps.h"
#include "wsk/wsk.h"

void owsk_driver_leaks(const struct owsk_driver *drv, struct owsk_leak_report *ret_report)
{
    unsigned id = drv->owner.id;
    struct owsk_leak_report r = {0};

    owsk_ex_pool_outstanding(id, &r.pool_allocations, &r.pool_bytes);
    r.irps = io_count_get(id, IO_COUNT_IRPS);
    r.mdls = io_count_get(id, IO_COUNT_MDLS);
    r.work_items = io_count_get(id, IO_COUNT_WORK_ITEMS);
    r.sockets = owsk_wsk_sockets_outstanding(id);
    r.threads = owsk_ps_threads_outstanding(id);
    r.timers = owsk_ke_timers_outstanding(id);
    r.dpcs = owsk_ke_dpcs_outstanding(id);
    r.lookasides = owsk_ex_lookasides_outstanding(id);
    *ret_report = r;
}

struct report_ctx {
    const struct owsk_driver *drv;
    void (*line)(const char *text, void *ctx);
    void *ctx;
};

/* Prefixes every line with the driver's name. */
static void emit(struct report_ctx *rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct report_ctx *rc, const char *fmt, ...)
{
    char text[384];
    va_list ap;
    int n;

    n = snprintf(text, sizeof(text), "%s: ", rc->drv->owner.name);
    va_start(ap, fmt);
    vsnprintf(text + n, sizeof(text) - (size_t)n, fmt, ap);
    va_end(ap);
    rc->line(text, rc->ctx);
}

static void pool_line(const char *text, void *ctx)
{
    struct report_ctx *rc = ctx;

    emit(rc, "%s", text);
}

static int pending_row(const struct owsk_irp_row *row, void *ctx)
{
    struct report_ctx *rc = ctx;

    if (row->owner_id == rc->drv->owner.id)
        emit(rc, "IRP %p pending in %s (socket %p) for %" PRIu64 " ms", row->irp,
             row->operation, row->socket, row->age_ms);
    return 0;
}

static uint64_t count_line(struct report_ctx *rc, uint64_t n, const char *what)
{
    if (n)
        emit(rc, "%" PRIu64 " %s", n, what);
    return n;
}

uint64_t owsk_driver_report_leaks(const struct owsk_driver *drv,
                                  void (*line)(const char *text, void *ctx), void *ctx)
{
    struct report_ctx rc = {drv, line, ctx};
    struct owsk_leak_report r;
    uint64_t total = 0, devices, locked;

    owsk_driver_leaks(drv, &r);
    if (r.pool_allocations)
        owsk_ex_pool_report(drv->owner.id, pool_line, &rc); /* a total, then one line a tag */
    total += r.pool_allocations;
    total += count_line(&rc, r.irps, "IRP(s) allocated and not freed (IoFreeIrp)");
    total += count_line(&rc, r.mdls, "MDL(s) allocated and not freed (IoFreeMdl)");
    locked = io_count_get(drv->owner.id, IO_COUNT_LOCKED_MDLS);
    total += count_line(&rc, locked, "MDL(s) with pages still locked (MmUnlockPages)");
    devices = io_count_get(drv->owner.id, IO_COUNT_DEVICES);
    total += count_line(&rc, devices, "device object(s) not deleted (IoDeleteDevice)");
    total += count_line(&rc, r.work_items, "work item(s) not freed (IoFreeWorkItem)");
    total += count_line(&rc, r.threads, "system thread(s) still running");
    total += count_line(&rc, r.timers, "timer(s) still queued");
    total += count_line(&rc, r.dpcs, "DPC(s) still queued (KeRemoveQueueDpc/KeFlushQueuedDpcs)");
    total += count_line(&rc, r.lookasides,
                        "lookaside list(s) not deleted (ExDelete*LookasideList*)");
    total += count_line(&rc, r.sockets, "WSK socket(s) not closed (WskCloseSocket)");
    if (io_count_get(drv->owner.id, IO_COUNT_PENDING_IRPS)) {
        total += io_count_get(drv->owner.id, IO_COUNT_PENDING_IRPS);
        owsk_irp_foreach(pending_row, &rc);
    }
    return total;
}
