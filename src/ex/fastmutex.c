/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fast mutexes: ExInitializeFastMutex, ExAcquire/Release/TryToAcquireFastMutex and the
 * Unsafe variants, kept in FAST_MUTEX itself: Count is 1 when free and 0 when owned, Owner is
 * the owning thread, Contention counts sleepers, Event (a synchronization event) wakes one.
 * Recursive acquisition (a self-deadlock on Windows) and release by a non-owner bug check. */
#include <wdm.h>

#include "core/core.h"
#include "ex/ex.h"
#include "ke/ke.h"

VOID ExInitializeFastMutex(PFAST_MUTEX FastMutex)
{
    __atomic_store_n(&FastMutex->Count, FM_LOCK_BIT, __ATOMIC_RELAXED);
    __atomic_store_n(&FastMutex->Owner, NULL, __ATOMIC_RELAXED);
    __atomic_store_n(&FastMutex->Contention, 0, __ATOMIC_RELAXED);
    KeInitializeEvent(&FastMutex->Event, SynchronizationEvent, FALSE);
    FastMutex->OldIrql = PASSIVE_LEVEL;
}

static bool try_take(PFAST_MUTEX m)
{
    LONG expected = FM_LOCK_BIT;
    return __atomic_compare_exchange_n(&m->Count, &expected, 0, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
}

static void check_recursion(PFAST_MUTEX m, PKTHREAD self, const char *ddi)
{
    if (__atomic_load_n(&m->Owner, __ATOMIC_RELAXED) == self)
        owsk_ke_bugcheck(OWSK_BUGCHECK_DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1000, (ULONG_PTR)m, 0,
                         0,
                         "%s(%p): the calling thread already owns this fast mutex "
                         "(self-deadlock)",
                         ddi, (void *)m);
}

/* The sleeper count and the Count store/load are sequentially consistent: either the
 * releaser sees our count and sets the event, or our second try sees Count == 1. A stale
 * signalled event only causes one extra retry. */
static void take(PFAST_MUTEX m, PKTHREAD self)
{
    owsk_ke_hook_acquire(m, OWSK_LOCK_FAST_MUTEX);
    while (!try_take(m)) {
        __atomic_add_fetch(&m->Contention, 1, __ATOMIC_SEQ_CST);
        if (try_take(m)) {
            __atomic_sub_fetch(&m->Contention, 1, __ATOMIC_SEQ_CST);
            break;
        }
        KeWaitForSingleObject(&m->Event, WrFastMutex, KernelMode, FALSE, NULL);
        __atomic_sub_fetch(&m->Contention, 1, __ATOMIC_SEQ_CST);
    }
    __atomic_store_n(&m->Owner, self, __ATOMIC_RELAXED);
}

static void give(PFAST_MUTEX m, const char *ddi)
{
    PKTHREAD self = KeGetCurrentThread();
    PVOID owner = __atomic_load_n(&m->Owner, __ATOMIC_RELAXED);

    if (owner != self)
        owsk_ke_bugcheck(0xE3 /* RESOURCE_NOT_OWNED */, (ULONG_PTR)m, (ULONG_PTR)self,
                         (ULONG_PTR)owner, 0, "%s(%p) by a thread that does not own it", ddi,
                         (void *)m);
    __atomic_store_n(&m->Owner, NULL, __ATOMIC_RELAXED);
    __atomic_store_n(&m->Count, FM_LOCK_BIT, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&m->Contention, __ATOMIC_SEQ_CST) > 0)
        KeSetEvent(&m->Event, 0, FALSE);
    owsk_ke_hook_release(m, OWSK_LOCK_FAST_MUTEX);
}

VOID ExAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    PKTHREAD self = KeGetCurrentThread();
    KIRQL old;

    OWSK_ASSERT_IRQL_LE(APC_LEVEL, FastMutex);
    check_recursion(FastMutex, self, "ExAcquireFastMutex");
    old = owsk_ke_irql_set(APC_LEVEL);
    take(FastMutex, self);
    FastMutex->OldIrql = old; /* written by the owner only */
}

VOID ExReleaseFastMutex(PFAST_MUTEX FastMutex)
{
    KIRQL old = (KIRQL)FastMutex->OldIrql;

    if (owsk_ke_irql_get() != APC_LEVEL)
        owsk_ke_bugcheck(OWSK_BUGCHECK_IRQL_NOT_GREATER_OR_EQUAL, (ULONG_PTR)FastMutex,
                         owsk_ke_irql_get(), APC_LEVEL, 0,
                         "ExReleaseFastMutex(%p) at IRQL %u; it runs at APC_LEVEL",
                         (void *)FastMutex, owsk_ke_irql_get());
    give(FastMutex, "ExReleaseFastMutex");
    owsk_ke_irql_set(old);
}

BOOLEAN ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    PKTHREAD self = KeGetCurrentThread();
    KIRQL old;

    OWSK_ASSERT_IRQL_LE(APC_LEVEL, FastMutex);
    old = owsk_ke_irql_set(APC_LEVEL);
    if (!try_take(FastMutex)) {
        owsk_ke_irql_set(old);
        return FALSE;
    }
    __atomic_store_n(&FastMutex->Owner, self, __ATOMIC_RELAXED);
    FastMutex->OldIrql = old;
    owsk_ke_hook_acquire(FastMutex, OWSK_LOCK_FAST_MUTEX);
    return TRUE;
}

/* The Unsafe variants leave the IRQL alone; the caller is at APC_LEVEL or in a critical
 * region. */
VOID ExAcquireFastMutexUnsafe(PFAST_MUTEX FastMutex)
{
    PKTHREAD self = KeGetCurrentThread();

    OWSK_ASSERT_IRQL_LE(APC_LEVEL, FastMutex);
    check_recursion(FastMutex, self, "ExAcquireFastMutexUnsafe");
    take(FastMutex, self);
}

VOID ExReleaseFastMutexUnsafe(PFAST_MUTEX FastMutex)
{
    give(FastMutex, "ExReleaseFastMutexUnsafe");
}
