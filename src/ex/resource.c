/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Executive resources (ERESOURCE reader/writer locks): shared and exclusive ownership,
 * recursion of either kind, an exclusive owner may also acquire shared (counted as
 * exclusive), new shared requests queue behind exclusive waiters. The state lives in a block
 * ExInitializeResourceLite allocates (ERESOURCE.Reserved2) and ExDeleteResourceLite frees.
 * Whether APCs are disabled (critical region) is not checked; priority boosts don't exist. */
#include <stdlib.h>

#include <wdm.h>

#include "core/core.h"
#include "ex/ex.h"
#include "ke/ke.h"

struct sharer {
    PKTHREAD thread;
    ULONG count;
};

struct res {
    struct res *next, *prev; /* every live resource, for the free check */
    PERESOURCE resource;
    pthread_mutex_t lock;
    pthread_cond_t cv;
    PKTHREAD excl_owner;
    ULONG excl_count;
    struct sharer *sharers;
    size_t nsharers, cap;
    ULONG shared_total;
    ULONG excl_waiters;
};

/* Live resources; guarded by live_lock (never held with a resource's own lock). */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct res live = {.next = &live, .prev = &live};

void owsk_ex_resource_check_free(const void *p, size_t len, ULONG pool_type)
{
    const char *lo = p, *hi = lo + len;

    pthread_mutex_lock(&live_lock);
    for (struct res *s = live.next; s != &live; s = s->next) {
        const char *r = (const char *)s->resource;
        if (r >= lo && r < hi) {
            pthread_mutex_unlock(&live_lock);
            owsk_ke_bugcheck(OWSK_BUGCHECK_DRIVER_VERIFIER_DETECTED_VIOLATION, 0x17, (ULONG_PTR)r,
                             pool_type, (ULONG_PTR)p,
                             "freeing pool block %p that holds the ERESOURCE %p "
                             "(ExDeleteResourceLite it first)",
                             p, (const void *)r);
        }
    }
    pthread_mutex_unlock(&live_lock);
}

static struct res *state(PERESOURCE r, const char *ddi)
{
    struct res *s = r->Reserved2;
    if (!s)
        owsk_ke_bugcheck(OWSK_BUGCHECK_DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1002, (ULONG_PTR)r, 0,
                         0, "%s(%p): the resource was never initialised (or deleted)", ddi,
                         (void *)r);
    return s;
}

NTSTATUS ExInitializeResourceLite(PERESOURCE Resource)
{
    struct res *s = calloc(1, sizeof(*s));

    memset(Resource, 0, sizeof(*Resource));
    if (!s)
        return STATUS_INSUFFICIENT_RESOURCES;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cv, NULL);
    InitializeListHead(&Resource->SystemResourcesList);
    Resource->Reserved2 = s;
    s->resource = Resource;
    pthread_mutex_lock(&live_lock);
    s->next = live.next;
    s->prev = &live;
    live.next->prev = s;
    live.next = s;
    pthread_mutex_unlock(&live_lock);
    return STATUS_SUCCESS;
}

NTSTATUS ExDeleteResourceLite(PERESOURCE Resource)
{
    struct res *s = state(Resource, "ExDeleteResourceLite");

    pthread_mutex_lock(&live_lock);
    s->prev->next = s->next;
    s->next->prev = s->prev;
    pthread_mutex_unlock(&live_lock);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cv);
    free(s->sharers);
    free(s);
    Resource->Reserved2 = NULL;
    return STATUS_SUCCESS;
}

NTSTATUS ExReinitializeResourceLite(PERESOURCE Resource)
{
    struct res *s = state(Resource, "ExReinitializeResourceLite");

    pthread_mutex_lock(&s->lock);
    s->excl_owner = NULL;
    s->excl_count = 0;
    s->nsharers = 0;
    s->shared_total = 0;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->lock);
    return STATUS_SUCCESS;
}

/* s->lock held. */
static struct sharer *find_sharer(struct res *s, PKTHREAD t)
{
    for (size_t i = 0; i < s->nsharers; i++)
        if (s->sharers[i].thread == t)
            return &s->sharers[i];
    return NULL;
}

static void publish(PERESOURCE r, struct res *s)
{
    __atomic_store_n(&r->ActiveCount, (SHORT)(s->excl_owner ? 1 : s->nsharers), __ATOMIC_RELAXED);
}

BOOLEAN ExAcquireResourceExclusiveLite(PERESOURCE Resource, BOOLEAN Wait)
{
    struct res *s = state(Resource, "ExAcquireResourceExclusiveLite");
    PKTHREAD self = KeGetCurrentThread();

    OWSK_ASSERT_IRQL_LE(APC_LEVEL, Resource);
    pthread_mutex_lock(&s->lock);
    if (s->excl_owner == self) {
        s->excl_count++;
        pthread_mutex_unlock(&s->lock);
        owsk_ke_hook_acquire(Resource, OWSK_LOCK_RESOURCE_EXCLUSIVE);
        return TRUE;
    }
    if (find_sharer(s, self)) {
        /* Shared -> exclusive would wait for itself forever. */
        pthread_mutex_unlock(&s->lock);
        owsk_ke_bugcheck(OWSK_BUGCHECK_DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1000,
                         (ULONG_PTR)Resource, 0, 0,
                         "ExAcquireResourceExclusiveLite(%p) by a thread that holds it shared "
                         "(self-deadlock)",
                         (void *)Resource);
    }
    if (s->excl_owner || s->shared_total) {
        if (!Wait) {
            pthread_mutex_unlock(&s->lock);
            return FALSE;
        }
        s->excl_waiters++;
        while (s->excl_owner || s->shared_total)
            pthread_cond_wait(&s->cv, &s->lock);
        s->excl_waiters--;
    }
    s->excl_owner = self;
    s->excl_count = 1;
    publish(Resource, s);
    pthread_mutex_unlock(&s->lock);
    owsk_ke_hook_acquire(Resource, OWSK_LOCK_RESOURCE_EXCLUSIVE);
    return TRUE;
}

BOOLEAN ExAcquireResourceSharedLite(PERESOURCE Resource, BOOLEAN Wait)
{
    struct res *s = state(Resource, "ExAcquireResourceSharedLite");
    PKTHREAD self = KeGetCurrentThread();
    struct sharer *sh;

    OWSK_ASSERT_IRQL_LE(APC_LEVEL, Resource);
    pthread_mutex_lock(&s->lock);
    if (s->excl_owner == self) {
        s->excl_count++; /* counted, and reported, as exclusive */
        pthread_mutex_unlock(&s->lock);
        owsk_ke_hook_acquire(Resource, OWSK_LOCK_RESOURCE_EXCLUSIVE);
        return TRUE;
    }
    sh = find_sharer(s, self);
    if (!sh && (s->excl_owner || s->excl_waiters)) {
        if (!Wait) {
            pthread_mutex_unlock(&s->lock);
            return FALSE;
        }
        while (s->excl_owner || s->excl_waiters)
            pthread_cond_wait(&s->cv, &s->lock);
    }
    if (!sh) {
        if (s->nsharers == s->cap) {
            size_t n = s->cap ? s->cap * 2 : 4;
            struct sharer *v = realloc(s->sharers, n * sizeof(*v));
            if (!v) {
                pthread_mutex_unlock(&s->lock);
                return FALSE;
            }
            s->sharers = v;
            s->cap = n;
        }
        sh = &s->sharers[s->nsharers++];
        sh->thread = self;
        sh->count = 0;
    }
    sh->count++;
    s->shared_total++;
    publish(Resource, s);
    pthread_mutex_unlock(&s->lock);
    owsk_ke_hook_acquire(Resource, OWSK_LOCK_RESOURCE_SHARED);
    return TRUE;
}

VOID ExReleaseResourceLite(PERESOURCE Resource)
{
    struct res *s = state(Resource, "ExReleaseResourceLite");
    PKTHREAD self = KeGetCurrentThread();
    struct sharer *sh;
    enum owsk_ke_lock_kind kind = OWSK_LOCK_RESOURCE_EXCLUSIVE;

    pthread_mutex_lock(&s->lock);
    if (s->excl_owner == self) {
        if (--s->excl_count == 0) {
            s->excl_owner = NULL;
            pthread_cond_broadcast(&s->cv);
        }
    } else if ((sh = find_sharer(s, self)) != NULL) {
        kind = OWSK_LOCK_RESOURCE_SHARED;
        s->shared_total--;
        if (--sh->count == 0)
            *sh = s->sharers[--s->nsharers];
        if (s->shared_total == 0)
            pthread_cond_broadcast(&s->cv);
    } else {
        pthread_mutex_unlock(&s->lock);
        owsk_ke_bugcheck(0xE3 /* RESOURCE_NOT_OWNED */, (ULONG_PTR)Resource, (ULONG_PTR)self, 0, 0,
                         "ExReleaseResourceLite(%p) by a thread that does not own it",
                         (void *)Resource);
    }
    publish(Resource, s);
    pthread_mutex_unlock(&s->lock);
    owsk_ke_hook_release(Resource, kind);
}

BOOLEAN ExIsResourceAcquiredExclusiveLite(PERESOURCE Resource)
{
    struct res *s = state(Resource, "ExIsResourceAcquiredExclusiveLite");
    BOOLEAN r;

    pthread_mutex_lock(&s->lock);
    r = s->excl_owner == KeGetCurrentThread();
    pthread_mutex_unlock(&s->lock);
    return r;
}

/* Returns how many times the caller holds the resource, shared or exclusive (documented). */
ULONG ExIsResourceAcquiredSharedLite(PERESOURCE Resource)
{
    struct res *s = state(Resource, "ExIsResourceAcquiredSharedLite");
    PKTHREAD self = KeGetCurrentThread();
    struct sharer *sh;
    ULONG n;

    pthread_mutex_lock(&s->lock);
    if (s->excl_owner == self)
        n = s->excl_count;
    else
        n = (sh = find_sharer(s, self)) ? sh->count : 0;
    pthread_mutex_unlock(&s->lock);
    return n;
}
