/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Live-object counters per owner id (IRPs, MDLs, work items, devices, pending IRPs), read by
 * leak reports and the verifier. Owner ids past the table share slot 0 with the host. */
#include "io/io_private.h"

#define MAX_OWNERS 1024

/* Updated with relaxed atomics from any thread; readers want a snapshot, not a barrier. */
static atomic_llong counts[MAX_OWNERS][IO_COUNT_MAX];

static unsigned slot(unsigned id)
{
    return id < MAX_OWNERS ? id : 0;
}

void io_count_add(const struct owsk_owner *owner, enum io_count which, int64_t delta)
{
    atomic_fetch_add_explicit(&counts[slot(owner ? owner->id : 0)][which], delta,
                              memory_order_relaxed);
}

uint64_t io_count_get(unsigned owner_id, enum io_count which)
{
    long long v = atomic_load_explicit(&counts[slot(owner_id)][which], memory_order_relaxed);

    return v > 0 ? (uint64_t)v : 0;
}

void owsk_io_counts_get(unsigned owner_id, struct owsk_io_counts *ret_counts)
{
    ret_counts->irps = io_count_get(owner_id, IO_COUNT_IRPS);
    ret_counts->mdls = io_count_get(owner_id, IO_COUNT_MDLS);
    ret_counts->locked_mdls = io_count_get(owner_id, IO_COUNT_LOCKED_MDLS);
    ret_counts->work_items = io_count_get(owner_id, IO_COUNT_WORK_ITEMS);
    ret_counts->work_queued = io_count_get(owner_id, IO_COUNT_WORK_QUEUED);
    ret_counts->pending_irps = io_count_get(owner_id, IO_COUNT_PENDING_IRPS);
    ret_counts->devices = io_count_get(owner_id, IO_COUNT_DEVICES);
}
