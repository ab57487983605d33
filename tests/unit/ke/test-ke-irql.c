/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IRQL and spin locks: raise/lower bookkeeping, spin locks raising to DISPATCH_LEVEL, the
 * in-stack queued and AtDpcLevel forms, and the bug checks Windows gives for misuse (lowering
 * to a higher IRQL 0x9, raising to a lower one 0xA, waiting at DISPATCH_LEVEL 0xA, recursive
 * spin lock 0xF, releasing an unowned one 0x10, wait-object limits 0xC, unowned mutex and
 * semaphore overflow raising exceptions 0x1E), each checked in a forked child. */
#include "owsk_test.h"
#include "t_child.h"

static void lower_to_higher(void)
{
    KeLowerIrql(DISPATCH_LEVEL);
}

static void raise_to_lower(void)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeRaiseIrql(PASSIVE_LEVEL, &old);
}

static void wait_at_dispatch(void)
{
    KEVENT e;
    KIRQL old;
    LARGE_INTEGER t = {.QuadPart = -10000LL};
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, &t);
}

static void delay_at_dispatch(void)
{
    KSPIN_LOCK l;
    KIRQL old;
    LARGE_INTEGER t = {.QuadPart = -10000LL};
    KeInitializeSpinLock(&l);
    KeAcquireSpinLock(&l, &old);
    KeDelayExecutionThread(KernelMode, FALSE, &t);
}

static void spin_recursion(void)
{
    KSPIN_LOCK l;
    KIRQL a, b;
    KeInitializeSpinLock(&l);
    KeAcquireSpinLock(&l, &a);
    KeAcquireSpinLock(&l, &b);
}

static void spin_not_owned(void)
{
    KSPIN_LOCK l;
    KeInitializeSpinLock(&l);
    KeReleaseSpinLock(&l, PASSIVE_LEVEL);
}

static void at_dpc_level_at_passive(void)
{
    KSPIN_LOCK l;
    KeInitializeSpinLock(&l);
    KeAcquireSpinLockAtDpcLevel(&l);
}

static void four_without_blocks(void)
{
    KEVENT e;
    PVOID o[4] = {&e, &e, &e, &e};
    LARGE_INTEGER t = {.QuadPart = 0};
    KeInitializeEvent(&e, NotificationEvent, TRUE);
    KeWaitForMultipleObjects(4, o, WaitAny, Executive, KernelMode, FALSE, &t, NULL);
}

static void mutex_not_owned(void)
{
    KMUTEX m;
    KeInitializeMutex(&m, 0);
    KeReleaseMutex(&m, FALSE);
}

static void semaphore_over_limit(void)
{
    KSEMAPHORE s;
    KeInitializeSemaphore(&s, 1, 1);
    KeReleaseSemaphore(&s, 0, 1, FALSE);
}

static void hook(ULONG code, const ULONG_PTR params[4], const char *why)
{
    fprintf(stderr, "hook saw 0x%x p1=%lu\n", (unsigned)code, (unsigned long)params[0]);
}

static void hooked_low_byte_zero(void)
{
    owsk_ke_set_bugcheck_hook(hook);
    KeBugCheckEx(0x100, 7, 0, 0, 0);
}

static void manual(void)
{
    KeBugCheckEx(MANUALLY_INITIATED_CRASH, 1, 2, 3, 4);
}

int main(void)
{
    KIRQL old, old2;
    KSPIN_LOCK lock;
    KLOCK_QUEUE_HANDLE qh;

    /* Children first, while this process has a single thread. */
    t_expect_bugcheck(lower_to_higher, IRQL_NOT_GREATER_OR_EQUAL, "KeLowerIrql");
    t_expect_bugcheck(raise_to_lower, IRQL_NOT_LESS_OR_EQUAL, "KeRaiseIrql");
    t_expect_bugcheck(wait_at_dispatch, IRQL_NOT_LESS_OR_EQUAL, "KeWaitForSingleObject at IRQL 2");
    t_expect_bugcheck(delay_at_dispatch, IRQL_NOT_LESS_OR_EQUAL, "KeDelayExecutionThread");
    t_expect_bugcheck(spin_recursion, SPIN_LOCK_ALREADY_OWNED, "already held");
    t_expect_bugcheck(spin_not_owned, SPIN_LOCK_NOT_OWNED, "not held");
    t_expect_bugcheck(at_dpc_level_at_passive, IRQL_NOT_GREATER_OR_EQUAL,
                      "KeAcquireSpinLockAtDpcLevel");
    t_expect_bugcheck(four_without_blocks, MAXIMUM_WAIT_OBJECTS_EXCEEDED, "WaitBlockArray");
    t_expect_bugcheck(mutex_not_owned, KMODE_EXCEPTION_NOT_HANDLED, "STATUS_MUTANT_NOT_OWNED");
    t_expect_bugcheck(semaphore_over_limit, KMODE_EXCEPTION_NOT_HANDLED,
                      "STATUS_SEMAPHORE_LIMIT_EXCEEDED");
    t_expect_bugcheck(manual, MANUALLY_INITIATED_CRASH, "MANUALLY_INITIATED_CRASH");
    /* The hook sees the report; a code whose low byte is 0 still exits non-zero (255). */
    t_expect_bugcheck(hooked_low_byte_zero, 0x100, "hook saw 0x100 p1=7");
    CHECK_INT(owsk_ke_bugcheck_exit_status(0x100), 255);
    CHECK_INT(owsk_ke_bugcheck_exit_status(DRIVER_IRQL_NOT_LESS_OR_EQUAL), 0xD1);
    CHECK_STR(owsk_ke_bugcheck_name(BAD_POOL_CALLER), "BAD_POOL_CALLER");

    /* Raise and lower. */
    CHECK_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KeRaiseIrql(APC_LEVEL, &old);
    CHECK_INT(old, PASSIVE_LEVEL);
    CHECK_INT(KeGetCurrentIrql(), APC_LEVEL);
    KeRaiseIrql(APC_LEVEL, &old2); /* raising to the same level is allowed */
    CHECK_INT(old2, APC_LEVEL);
    old2 = KeRaiseIrqlToDpcLevel();
    CHECK_INT(old2, APC_LEVEL);
    CHECK_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old2);
    KeLowerIrql(old);
    CHECK_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);

    /* Spin locks raise to DISPATCH_LEVEL and restore the caller's IRQL. */
    KeInitializeSpinLock(&lock);
    CHECK(KeTestSpinLock(&lock));
    KeAcquireSpinLock(&lock, &old);
    CHECK_INT(old, PASSIVE_LEVEL);
    CHECK_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    CHECK(!KeTestSpinLock(&lock));
    CHECK(!KeTryToAcquireSpinLockAtDpcLevel(&(KSPIN_LOCK){0x7fffffff})); /* another owner */
    KeReleaseSpinLock(&lock, old);
    CHECK_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
    CHECK(KeTestSpinLock(&lock));

    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeAcquireSpinLockAtDpcLevel(&lock);
    CHECK_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeReleaseSpinLockFromDpcLevel(&lock);
    CHECK(KeTryToAcquireSpinLockAtDpcLevel(&lock));
    KeReleaseSpinLockFromDpcLevel(&lock);
    KeLowerIrql(old);

    KeAcquireInStackQueuedSpinLock(&lock, &qh);
    CHECK_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    CHECK(qh.LockQueue.Lock == &lock);
    CHECK_INT(qh.OldIrql, PASSIVE_LEVEL);
    KeReleaseInStackQueuedSpinLock(&qh);
    CHECK_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
    CHECK(KeTestSpinLock(&lock));

    IoAcquireCancelSpinLock(&old);
    CHECK_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    IoReleaseCancelSpinLock(old);
    CHECK_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);

    /* Critical regions nest. */
    CHECK(!KeAreApcsDisabled());
    KeEnterCriticalRegion();
    KeEnterCriticalRegion();
    CHECK(KeAreApcsDisabled());
    KeLeaveCriticalRegion();
    KeLeaveCriticalRegion();
    CHECK(!KeAreApcsDisabled());

    return t_done();
}
