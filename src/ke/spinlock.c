/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Spin locks: KSPIN_LOCK is an atomic word holding the owner thread's token, so recursion
 * and release by a non-owner bug check as on Windows. In-stack queued locks share the same
 * word (they are not FIFO-fair here). Waiters spin briefly, then yield: in a user-mode host
 * the holder can be descheduled. Also the I/O manager's global cancel spin lock. */
#include <sched.h>

#include <wdm.h>

#include "core/core.h"
#include "ke/ke.h"

static _Thread_local ULONG_PTR self_token;
static ULONG_PTR next_token = 1; /* atomic */

ULONG_PTR owsk_ke_thread_token(void)
{
    if (!self_token)
        self_token = __atomic_fetch_add(&next_token, 1, __ATOMIC_RELAXED);
    return self_token;
}

static void lock_word(PKSPIN_LOCK lock, const char *ddi)
{
    ULONG_PTR me = owsk_ke_thread_token();
    unsigned spins = 0;

    owsk_ke_hook_acquire(lock, OWSK_LOCK_SPIN);
    for (;;) {
        ULONG_PTR v = __atomic_load_n(lock, __ATOMIC_RELAXED);
        if (v == 0) {
            if (__atomic_compare_exchange_n(lock, &v, me, true, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
                return;
            continue;
        }
        if (v == me)
            owsk_ke_bugcheck(OWSK_BUGCHECK_SPIN_LOCK_ALREADY_OWNED, (ULONG_PTR)lock, 0, 0, 0,
                             "%s: spin lock %p is already held by this thread", ddi, (void *)lock);
        if (++spins < 64)
            YieldProcessor();
        else
            sched_yield();
    }
}

static void unlock_word(PKSPIN_LOCK lock, const char *ddi)
{
    ULONG_PTR me = owsk_ke_thread_token();
    ULONG_PTR v = me;

    if (!__atomic_compare_exchange_n(lock, &v, 0, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        owsk_ke_bugcheck(OWSK_BUGCHECK_SPIN_LOCK_NOT_OWNED, (ULONG_PTR)lock, v, 0, 0,
                         "%s: spin lock %p is %s", ddi, (void *)lock,
                         v ? "held by another thread" : "not held");
    owsk_ke_hook_release(lock, OWSK_LOCK_SPIN);
}

static void need_dispatch(PKSPIN_LOCK lock, const char *ddi)
{
    KIRQL irql = owsk_ke_irql_get();
    if (irql < DISPATCH_LEVEL)
        owsk_ke_bugcheck(OWSK_BUGCHECK_IRQL_NOT_GREATER_OR_EQUAL, (ULONG_PTR)lock, irql,
                         DISPATCH_LEVEL, (ULONG_PTR)__builtin_return_address(0),
                         "%s called at IRQL %u; it requires DISPATCH_LEVEL", ddi, irql);
}

static KIRQL raise_to_dpc(PKSPIN_LOCK lock, const char *ddi)
{
    KIRQL old = owsk_ke_irql_get();
    if (old > DISPATCH_LEVEL)
        owsk_ke_bugcheck(OWSK_BUGCHECK_IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)lock, old, DISPATCH_LEVEL,
                         (ULONG_PTR)__builtin_return_address(0),
                         "%s called at IRQL %u; its maximum is DISPATCH_LEVEL", ddi, old);
    owsk_ke_irql_set(DISPATCH_LEVEL);
    return old;
}

static void lower_to(KIRQL irql, PKSPIN_LOCK lock, const char *ddi)
{
    KIRQL cur = owsk_ke_irql_get();
    if (irql > cur)
        owsk_ke_bugcheck(OWSK_BUGCHECK_IRQL_NOT_GREATER_OR_EQUAL, (ULONG_PTR)lock, cur, irql, 0,
                         "%s: releasing to IRQL %u from the lower IRQL %u", ddi, irql, cur);
    owsk_ke_irql_set(irql);
}

KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock)
{
    KIRQL old = raise_to_dpc(SpinLock, "KeAcquireSpinLock");
    lock_word(SpinLock, "KeAcquireSpinLock");
    return old;
}

VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    unlock_word(SpinLock, "KeReleaseSpinLock");
    lower_to(NewIrql, SpinLock, "KeReleaseSpinLock");
}

VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    need_dispatch(SpinLock, "KeAcquireSpinLockAtDpcLevel");
    lock_word(SpinLock, "KeAcquireSpinLockAtDpcLevel");
}

VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock)
{
    need_dispatch(SpinLock, "KeReleaseSpinLockFromDpcLevel");
    unlock_word(SpinLock, "KeReleaseSpinLockFromDpcLevel");
}

KIRQL KeAcquireSpinLockForDpc(PKSPIN_LOCK SpinLock)
{
    KIRQL old = raise_to_dpc(SpinLock, "KeAcquireSpinLockForDpc");
    lock_word(SpinLock, "KeAcquireSpinLockForDpc");
    return old;
}

VOID KeReleaseSpinLockForDpc(PKSPIN_LOCK SpinLock, KIRQL OldIrql)
{
    unlock_word(SpinLock, "KeReleaseSpinLockForDpc");
    lower_to(OldIrql, SpinLock, "KeReleaseSpinLockForDpc");
}

BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    ULONG_PTR me = owsk_ke_thread_token();
    ULONG_PTR v = 0;

    need_dispatch(SpinLock, "KeTryToAcquireSpinLockAtDpcLevel");
    if (__atomic_compare_exchange_n(SpinLock, &v, me, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return TRUE;
    if (v == me)
        owsk_ke_bugcheck(OWSK_BUGCHECK_SPIN_LOCK_ALREADY_OWNED, (ULONG_PTR)SpinLock, 0, 0, 0,
                         "KeTryToAcquireSpinLockAtDpcLevel: spin lock %p is already held by "
                         "this thread",
                         (void *)SpinLock);
    return FALSE;
}

/* KeTestSpinLock: TRUE when the lock looks free (a hint for spinning, as on Windows). */
BOOLEAN KeTestSpinLock(PKSPIN_LOCK SpinLock)
{
    return __atomic_load_n(SpinLock, __ATOMIC_RELAXED) == 0;
}

VOID KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    KIRQL old = raise_to_dpc(SpinLock, "KeAcquireInStackQueuedSpinLock");
    lock_word(SpinLock, "KeAcquireInStackQueuedSpinLock");
    LockHandle->LockQueue.Next = NULL;
    LockHandle->LockQueue.Lock = SpinLock;
    LockHandle->OldIrql = old;
}

VOID KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle)
{
    PKSPIN_LOCK lock = LockHandle->LockQueue.Lock;
    KIRQL old = LockHandle->OldIrql;

    unlock_word(lock, "KeReleaseInStackQueuedSpinLock");
    lower_to(old, lock, "KeReleaseInStackQueuedSpinLock");
}

VOID KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    need_dispatch(SpinLock, "KeAcquireInStackQueuedSpinLockAtDpcLevel");
    lock_word(SpinLock, "KeAcquireInStackQueuedSpinLockAtDpcLevel");
    LockHandle->LockQueue.Next = NULL;
    LockHandle->LockQueue.Lock = SpinLock;
    LockHandle->OldIrql = DISPATCH_LEVEL;
}

VOID KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle)
{
    need_dispatch(LockHandle->LockQueue.Lock, "KeReleaseInStackQueuedSpinLockFromDpcLevel");
    unlock_word(LockHandle->LockQueue.Lock, "KeReleaseInStackQueuedSpinLockFromDpcLevel");
}

VOID KeAcquireInStackQueuedSpinLockForDpc(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    KeAcquireInStackQueuedSpinLock(SpinLock, LockHandle);
}

VOID KeReleaseInStackQueuedSpinLockForDpc(PKLOCK_QUEUE_HANDLE LockHandle)
{
    KeReleaseInStackQueuedSpinLock(LockHandle);
}

/* The I/O manager's cancel spin lock (one per system on Windows too). */
static KSPIN_LOCK cancel_lock;

VOID IoAcquireCancelSpinLock(PKIRQL Irql)
{
    *Irql = raise_to_dpc(&cancel_lock, "IoAcquireCancelSpinLock");
    lock_word(&cancel_lock, "IoAcquireCancelSpinLock");
}

VOID IoReleaseCancelSpinLock(KIRQL Irql)
{
    unlock_word(&cancel_lock, "IoReleaseCancelSpinLock");
    lower_to(Irql, &cancel_lock, "IoReleaseCancelSpinLock");
}
