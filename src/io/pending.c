/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The registry of IRPs a provider holds pending (owsk_io_irp_begin/end): what wskctl irps
 * lists (owsk_irp_foreach), what leak reports count. An IoAllocateIrp'd IRP carries its entry
 * in its hidden header; other IRPs get one allocated and found through a small hash. */
#include <errno.h>
#include <stdlib.h>

#include <openwsk/host.h>

#include "io/io_private.h"

#define NBUCKETS 256

/* All guarded by lock. The list holds every registered entry, oldest first. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct io_pending head = {.next = &head, .prev = &head};
static struct io_pending *buckets[NBUCKETS];

static unsigned bucket_of(PIRP irp)
{
    uintptr_t v = (uintptr_t)irp;

    return (unsigned)((v >> 4) ^ (v >> 12)) % NBUCKETS;
}

/* Lock held. The entry for irp, or NULL when it has no header and is not registered. */
static struct io_pending *entry_of(PIRP irp)
{
    struct irp_header *h = irp_header_of(irp);
    struct io_pending *e;

    if (h)
        return &h->pending;
    for (e = buckets[bucket_of(irp)]; e; e = e->hnext)
        if (e->irp == irp)
            return e;
    return NULL;
}

/* Lock held. Unlinks a registered entry; frees it if it was allocated. */
static void unlink_entry(struct io_pending *e)
{
    struct io_pending **pp;

    e->prev->next = e->next;
    e->next->prev = e->prev;
    e->next = e->prev = NULL;
    io_count_add(e->owner, IO_COUNT_PENDING_IRPS, -1);
    __atomic_store_n(&e->registered, false, __ATOMIC_RELEASE);
    if (e->embedded)
        return;
    for (pp = &buckets[bucket_of(e->irp)]; *pp; pp = &(*pp)->hnext)
        if (*pp == e) {
            *pp = e->hnext;
            break;
        }
    free(e);
}

void owsk_io_irp_begin(PIRP irp, struct owsk_owner *owner, const char *operation,
                       const void *socket)
{
    struct io_pending *e, *fresh = NULL;

    if (!owner)
        owner = owsk_current_owner;
    if (!irp_header_of(irp))
        fresh = calloc(1, sizeof(*fresh)); /* before the lock; dropped if not needed */
    pthread_mutex_lock(&lock);
    e = entry_of(irp);
    if (!e && fresh) {
        e = fresh;
        fresh = NULL;
        e->irp = irp;
        e->hnext = buckets[bucket_of(irp)];
        buckets[bucket_of(irp)] = e;
    }
    if (e) {
        if (!e->registered) {
            e->owner = owner;
            e->start_ms = owsk_now_ms();
            e->prev = head.prev;
            e->next = &head;
            head.prev->next = e;
            head.prev = e;
            io_count_add(owner, IO_COUNT_PENDING_IRPS, 1);
            __atomic_store_n(&e->registered, true, __ATOMIC_RELEASE);
        }
        e->operation = operation;
        e->socket = socket;
    }
    pthread_mutex_unlock(&lock);
    free(fresh);
    if (!e)
        OWSK_WARN(OWSK_CH_IO, "irp %p (%s): out of memory, not listed as pending", (void *)irp,
                  operation);
    /* The provider will return STATUS_PENDING: say so in its own location (the next one), so
     * IofCompleteRequest hands Irp->PendingReturned == TRUE to the completion routine. */
    if (irp->CurrentLocation > 1)
        IoGetNextIrpStackLocation(irp)->Control |= SL_PENDING_RETURNED;
}

bool io_pending_remove(PIRP irp, struct owsk_owner **ret_owner)
{
    struct io_pending *e;
    bool found = false;

    pthread_mutex_lock(&lock);
    e = entry_of(irp);
    if (e && e->registered) {
        if (ret_owner)
            *ret_owner = e->owner;
        unlink_entry(e);
        found = true;
    }
    pthread_mutex_unlock(&lock);
    return found;
}

bool io_pending_find(PIRP irp)
{
    struct io_pending *e;
    bool found;

    pthread_mutex_lock(&lock);
    e = entry_of(irp);
    found = e && e->registered;
    pthread_mutex_unlock(&lock);
    return found;
}

void owsk_io_irp_end(PIRP irp)
{
    io_pending_remove(irp, NULL);
}

uint64_t owsk_io_irps_pending(unsigned owner_id)
{
    return io_count_get(owner_id, IO_COUNT_PENDING_IRPS);
}

/* Rows are copied out under the lock and handed to fn without it, so fn may call anything. */
void owsk_irp_foreach(int (*fn)(const struct owsk_irp_row *row, void *ctx), void *ctx)
{
    struct owsk_irp_row *rows = NULL, *grown;
    size_t n = 0, cap = 0;
    struct io_pending *e;
    uint64_t now = owsk_now_ms();

    pthread_mutex_lock(&lock);
    for (e = head.next; e != &head; e = e->next) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            grown = realloc(rows, cap * sizeof(*rows));
            if (!grown)
                break;
            rows = grown;
        }
        rows[n].irp = e->irp;
        rows[n].owner_id = e->owner ? e->owner->id : 0;
        rows[n].operation = e->operation ? e->operation : "?";
        rows[n].socket = e->socket;
        rows[n].age_ms = now >= e->start_ms ? now - e->start_ms : 0;
        n++;
    }
    pthread_mutex_unlock(&lock);
    for (size_t i = 0; i < n; i++)
        if (fn(&rows[i], ctx))
            break;
    free(rows);
}
