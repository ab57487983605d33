/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Timers and DPCs: one-shot and periodic timers (waitable, and queueing their DPC), the
 * KeSetTimer/KeCancelTimer return values, KeInsertQueueDpc on a queued DPC returning FALSE,
 * KeRemoveQueueDpc, KeFlushQueuedDpcs, DPCs at DISPATCH_LEVEL with the initialiser's owner. */
#include "owsk_test.h"
#include "core/core.h"
#include "ke/ke.h"

static KEVENT dpc_done, gate, running;
static volatile LONG dpc_runs, bad_irql, bad_owner;
static struct owsk_owner drv = {"timerdrv", 42};

static VOID count_dpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    if (KeGetCurrentIrql() != DISPATCH_LEVEL)
        InterlockedIncrement((LONG *)&bad_irql);
    if (owsk_current_owner != Context)
        InterlockedIncrement((LONG *)&bad_owner);
    if (InterlockedIncrement((LONG *)&dpc_runs) >= 3)
        KeSetEvent(&dpc_done, 0, FALSE);
}

/* Blocks the DPC thread until gate is set (a zero-timeout poll loop: waits with a timeout are
 * not allowed at DISPATCH_LEVEL). */
static VOID blocking_dpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    LARGE_INTEGER zero = {.QuadPart = 0};
    uint64_t end = t_now_ms() + 5000;
    KeSetEvent(&running, 0, FALSE);
    while (KeWaitForSingleObject(&gate, Executive, KernelMode, FALSE, &zero) == STATUS_TIMEOUT &&
           t_now_ms() < end)
        ;
    InterlockedIncrement((LONG *)&dpc_runs);
}

int main(void)
{
    KTIMER timer;
    KDPC dpc, blocker, d2;
    LARGE_INTEGER due, t;
    uint64_t start;
    struct owsk_owner *prev;

    KeInitializeEvent(&dpc_done, NotificationEvent, FALSE);
    KeInitializeEvent(&gate, NotificationEvent, FALSE);
    KeInitializeEvent(&running, NotificationEvent, FALSE);

    /* One-shot timer without a DPC: waitable, signalled when due. */
    KeInitializeTimer(&timer);
    CHECK(!KeReadStateTimer(&timer));
    due.QuadPart = -300000LL; /* 30 ms */
    start = KeQueryInterruptTime();
    CHECK(!KeSetTimer(&timer, due, NULL));
    CHECK(KeSetTimer(&timer, due, NULL)); /* it was queued: TRUE */
    t.QuadPart = -50000000LL;
    CHECK_STATUS(KeWaitForSingleObject(&timer, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
    CHECK(KeQueryInterruptTime() - start >= 300000ULL);
    CHECK(KeReadStateTimer(&timer));
    CHECK(!KeCancelTimer(&timer)); /* already expired: not queued */

    /* KeCancelTimer of a queued timer returns TRUE and it never fires. */
    due.QuadPart = -100000000LL; /* 10 s */
    KeSetTimer(&timer, due, NULL);
    CHECK(!KeReadStateTimer(&timer)); /* setting resets the state */
    CHECK(KeCancelTimer(&timer));
    CHECK(!KeCancelTimer(&timer));
    CHECK_UINT(owsk_ke_timers_outstanding(0), 0);

    /* Periodic timer with a DPC, initialised by a "driver": the DPC runs at DISPATCH_LEVEL
     * with that driver as the owner, once per period. */
    prev = owsk_owner_enter(&drv);
    KeInitializeDpc(&dpc, count_dpc, &drv);
    KeInitializeTimerEx(&timer, SynchronizationTimer);
    due.QuadPart = -100000LL; /* 10 ms, then every 10 ms */
    start = KeQueryInterruptTime();
    KeSetTimerEx(&timer, due, 10, &dpc);
    CHECK_UINT(owsk_ke_timers_outstanding(42), 1);
    owsk_owner_leave(prev);
    t.QuadPart = -50000000LL;
    CHECK_STATUS(KeWaitForSingleObject(&dpc_done, Executive, KernelMode, FALSE, &t),
                 STATUS_SUCCESS);
    CHECK(KeQueryInterruptTime() - start >= 300000ULL); /* three periods */
    CHECK(KeCancelTimer(&timer));
    KeFlushQueuedDpcs();
    CHECK(dpc_runs >= 3);
    CHECK_INT(bad_irql, 0);
    CHECK_INT(bad_owner, 0);
    CHECK_UINT(owsk_ke_timers_outstanding(42), 0);
    LONG runs = dpc_runs;
    t.QuadPart = -300000LL; /* 30 ms: a cancelled periodic timer stays quiet */
    KeDelayExecutionThread(KernelMode, FALSE, &t);
    CHECK_INT(dpc_runs, runs);

    /* KeInsertQueueDpc on a queued DPC returns FALSE; removal returns whether it was queued.
     * The DPC thread is held in blocking_dpc so the next DPCs stay queued. */
    dpc_runs = 0;
    KeInitializeDpc(&blocker, blocking_dpc, NULL);
    KeInitializeDpc(&d2, count_dpc, NULL);
    CHECK(KeInsertQueueDpc(&blocker, NULL, NULL));
    t.QuadPart = -50000000LL;
    CHECK_STATUS(KeWaitForSingleObject(&running, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
    CHECK(KeInsertQueueDpc(&d2, (PVOID)1, (PVOID)2));
    CHECK(!KeInsertQueueDpc(&d2, NULL, NULL));
    CHECK_UINT(owsk_ke_dpcs_outstanding(0), 1);
    CHECK(KeRemoveQueueDpc(&d2));
    CHECK(!KeRemoveQueueDpc(&d2));
    CHECK(KeInsertQueueDpc(&d2, NULL, NULL));
    KeSetEvent(&gate, 0, FALSE);
    KeFlushQueuedDpcs(); /* both have run when it returns */
    CHECK_INT(dpc_runs, 2);
    CHECK(KeInsertQueueDpc(&d2, NULL, NULL)); /* ran, so it can be queued again */
    KeFlushQueuedDpcs();
    CHECK_INT(dpc_runs, 3);

    return t_done();
}
