/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DPCs: KeInitializeDpc, KeInsertQueueDpc, KeRemoveQueueDpc, KeFlushQueuedDpcs. One DPC
 * thread runs them in queue order (HighImportance goes to the head) at DISPATCH_LEVEL, with
 * the owner that initialised the DPC (kept in KDPC.ProcessorHistory). Target processors are
 * recorded and ignored; threaded DPCs run like ordinary ones. */
#include <wdm.h>

#include "core/core.h"
#include "ke/ke.h"

#define OWSK_DPC_OBJECT 0x13          /* DpcObject */
#define OWSK_THREADED_DPC_OBJECT 0x18 /* ThreadedDpcObject */

/* The queue, linked through KDPC.DpcListEntry; guarded by dpc_lock. Lock order: the
 * dispatcher lock (timer expiry) may be held when taking dpc_lock, never the reverse. */
static pthread_mutex_t dpc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dpc_cv = PTHREAD_COND_INITIALIZER;   /* work for the DPC thread */
static pthread_cond_t flush_cv = PTHREAD_COND_INITIALIZER; /* a DPC retired */
static PKDPC head, tail;
static uint64_t inserted, retired;
static pthread_once_t dpc_once = PTHREAD_ONCE_INIT;

/* KDPC.DpcData while the DPC is queued (Windows points it at the processor's DPC data). */
static char queued_marker;

static struct owsk_owner *dpc_owner(PKDPC dpc)
{
    return (struct owsk_owner *)dpc->ProcessorHistory;
}

/* Thread: the DPC thread. IRQL: DISPATCH_LEVEL around each routine. Locks: dpc_lock, dropped
 * around the call. */
static void *dpc_thread(void *arg)
{
    owsk_ke_fault_thread_init(); /* a signal stack, so a stack overflow is reported */
    pthread_setname_np(pthread_self(), "owsk-dpc");
    pthread_mutex_lock(&dpc_lock);
    for (;;) {
        while (!head)
            pthread_cond_wait(&dpc_cv, &dpc_lock);
        PKDPC dpc = head;
        head = (PKDPC)dpc->DpcListEntry.Next;
        if (!head)
            tail = NULL;
        dpc->DpcListEntry.Next = NULL;
        /* Cleared before the call, so the routine may queue its DPC again (Windows too). */
        dpc->DpcData = NULL;
        PKDEFERRED_ROUTINE fn = dpc->DeferredRoutine;
        PVOID ctx = dpc->DeferredContext, a1 = dpc->SystemArgument1, a2 = dpc->SystemArgument2;
        struct owsk_owner *owner = dpc_owner(dpc);
        pthread_mutex_unlock(&dpc_lock);

        struct owsk_owner *prev = owsk_owner_enter(owner);
        owsk_ke_irql_set(DISPATCH_LEVEL);
        fn(dpc, ctx, a1, a2);
        KIRQL after = owsk_ke_irql_get();
        if (after != DISPATCH_LEVEL)
            owsk_ke_bugcheck(OWSK_BUGCHECK_IRQL_UNEXPECTED_VALUE, after, DISPATCH_LEVEL,
                             (ULONG_PTR)fn, (ULONG_PTR)dpc,
                             "DPC routine %p returned at IRQL %u instead of DISPATCH_LEVEL",
                             (void *)fn, after);
        owsk_ke_irql_set(PASSIVE_LEVEL);
        owsk_owner_leave(prev);

        pthread_mutex_lock(&dpc_lock);
        retired++;
        pthread_cond_broadcast(&flush_cv);
    }
    return NULL;
}

static void dpc_start(void)
{
    pthread_t th;
    pthread_attr_t a;

    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &a, dpc_thread, NULL) != 0)
        owsk_ke_bugcheck(OWSK_BUGCHECK_KMODE_EXCEPTION_NOT_HANDLED,
                         (ULONG_PTR)(ULONG)STATUS_INSUFFICIENT_RESOURCES, 0, 0, 0,
                         "cannot start the DPC thread");
    pthread_attr_destroy(&a);
}

static void init_dpc(PRKDPC Dpc, UCHAR type, PKDEFERRED_ROUTINE DeferredRoutine,
                     PVOID DeferredContext)
{
    Dpc->Type = type;
    Dpc->Importance = MediumImportance;
    Dpc->Number = 0;
    Dpc->DpcListEntry.Next = NULL;
    Dpc->ProcessorHistory = (KAFFINITY)owsk_current_owner;
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
    Dpc->SystemArgument1 = Dpc->SystemArgument2 = NULL;
    Dpc->DpcData = NULL;
}

VOID KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    init_dpc(Dpc, OWSK_DPC_OBJECT, DeferredRoutine, DeferredContext);
}

/* KeInitializeThreadedDpc: runs on the DPC thread at DISPATCH_LEVEL like any DPC (Windows
 * may run threaded DPCs at PASSIVE_LEVEL; DISPATCH_LEVEL is the stricter case). */
NTKERNELAPI VOID NTAPI KeInitializeThreadedDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine,
                                               PVOID DeferredContext)
{
    init_dpc(Dpc, OWSK_THREADED_DPC_OBJECT, DeferredRoutine, DeferredContext);
}

NTKERNELAPI VOID NTAPI KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance)
{
    Dpc->Importance = (UCHAR)Importance;
}

/* KeSetTargetProcessorDpc: recorded; every DPC runs on the one DPC thread. */
NTKERNELAPI VOID NTAPI KeSetTargetProcessorDpc(PRKDPC Dpc, CCHAR Number)
{
    Dpc->Number = (USHORT)Number;
}

BOOLEAN owsk_ke_queue_dpc(PKDPC dpc, PVOID arg1, PVOID arg2)
{
    pthread_once(&dpc_once, dpc_start);
    pthread_mutex_lock(&dpc_lock);
    if (dpc->DpcData) {
        pthread_mutex_unlock(&dpc_lock);
        return FALSE;
    }
    dpc->DpcData = &queued_marker;
    dpc->SystemArgument1 = arg1;
    dpc->SystemArgument2 = arg2;
    if (dpc->Importance == HighImportance) {
        dpc->DpcListEntry.Next = (PSINGLE_LIST_ENTRY)head;
        head = dpc;
        if (!tail)
            tail = dpc;
    } else {
        dpc->DpcListEntry.Next = NULL;
        if (tail)
            tail->DpcListEntry.Next = (PSINGLE_LIST_ENTRY)dpc;
        else
            head = dpc;
        tail = dpc;
    }
    inserted++;
    pthread_cond_signal(&dpc_cv);
    pthread_mutex_unlock(&dpc_lock);
    return TRUE;
}

BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    return owsk_ke_queue_dpc(Dpc, SystemArgument1, SystemArgument2);
}

BOOLEAN KeRemoveQueueDpc(PRKDPC Dpc)
{
    PKDPC prev = NULL, cur;

    pthread_mutex_lock(&dpc_lock);
    for (cur = head; cur; prev = cur, cur = (PKDPC)cur->DpcListEntry.Next) {
        if (cur != Dpc)
            continue;
        if (prev)
            prev->DpcListEntry.Next = cur->DpcListEntry.Next;
        else
            head = (PKDPC)cur->DpcListEntry.Next;
        if (tail == cur)
            tail = prev;
        cur->DpcListEntry.Next = NULL;
        cur->DpcData = NULL;
        retired++;
        pthread_cond_broadcast(&flush_cv);
        pthread_mutex_unlock(&dpc_lock);
        return TRUE;
    }
    pthread_mutex_unlock(&dpc_lock);
    return FALSE;
}

/* KeFlushQueuedDpcs: returns once as many DPCs have run (or been removed) as had been
 * queued when it was called; with HighImportance DPCs queued meanwhile that can be a few
 * later ones instead of the earlier ones. */
VOID KeFlushQueuedDpcs(VOID)
{
    uint64_t target;

    OWSK_ASSERT_IRQL_LE(PASSIVE_LEVEL, NULL);
    pthread_mutex_lock(&dpc_lock);
    target = inserted;
    while (retired < target)
        pthread_cond_wait(&flush_cv, &dpc_lock);
    pthread_mutex_unlock(&dpc_lock);
}

uint64_t owsk_ke_dpcs_outstanding(unsigned owner_id)
{
    uint64_t n = 0;

    pthread_mutex_lock(&dpc_lock);
    for (PKDPC d = head; d; d = (PKDPC)d->DpcListEntry.Next) {
        struct owsk_owner *o = dpc_owner(d);
        if ((o ? o->id : 0) == owner_id)
            n++;
    }
    pthread_mutex_unlock(&dpc_lock);
    return n;
}

void owsk_ke_check_free(const void *p, size_t len, ULONG pool_type)
{
    const char *lo = p, *hi = lo + len;

    owsk_ke_timer_check_free(p, len, pool_type);
    pthread_mutex_lock(&dpc_lock);
    for (PKDPC d = head; d; d = (PKDPC)d->DpcListEntry.Next) {
        if ((const char *)d >= lo && (const char *)d < hi) {
            pthread_mutex_unlock(&dpc_lock);
            owsk_ke_bugcheck(OWSK_BUGCHECK_TIMER_OR_DPC_INVALID, 1, (ULONG_PTR)d, (ULONG_PTR)lo,
                             (ULONG_PTR)hi, "freeing pool block %p that holds the queued KDPC %p",
                             p, (void *)d);
        }
    }
    pthread_mutex_unlock(&dpc_lock);
}
