/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* System work items: ExQueueWorkItem runs the routine on a worker at PASSIVE_LEVEL, with the
 * driver that queued it as the current owner; owsk_ex_queue_work (what
 * IoQueueWorkItem uses) likewise, with its per-driver outstanding count and idle wait; a
 * routine returning while it owns a KMUTEX bug checks 0x39 (child). */
#include "owsk_test.h"
#include "core/core.h"
#include "ex/ex.h"
#include "../ke/t_child.h"

#define N 50

static struct owsk_owner drv = {"workdrv", 9};
static KEVENT done;
static volatile LONG ran, bad_irql, bad_owner;

struct job {
    WORK_QUEUE_ITEM item;
    int seq;
};

static VOID routine(PVOID p)
{
    struct job *j = p;
    if (KeGetCurrentIrql() != PASSIVE_LEVEL)
        InterlockedIncrement((LONG *)&bad_irql);
    if (owsk_current_owner != &drv)
        InterlockedIncrement((LONG *)&bad_owner);
    (void)j;
    if (InterlockedIncrement((LONG *)&ran) == N)
        KeSetEvent(&done, 0, FALSE);
}

static KEVENT gate;
static void internal(void *ctx)
{
    LARGE_INTEGER t = {.QuadPart = -50000000LL};
    if (owsk_current_owner == &drv && KeGetCurrentIrql() == PASSIVE_LEVEL)
        *(int *)ctx = 1;
    KeWaitForSingleObject(&gate, Executive, KernelMode, FALSE, &t);
}

static KMUTEX held;
static void keeps_mutex(void *ctx)
{
    KeWaitForSingleObject(&held, Executive, KernelMode, FALSE, NULL);
}

static void work_returns_owning_mutex(void)
{
    KEVENT never;
    LARGE_INTEGER t = {.QuadPart = -100000000LL};
    KeInitializeMutex(&held, 0);
    KeInitializeEvent(&never, NotificationEvent, FALSE);
    owsk_ex_queue_work(keeps_mutex, NULL, NULL);
    KeWaitForSingleObject(&never, Executive, KernelMode, FALSE, &t); /* the bug check ends it */
}

int main(void)
{
    static struct job jobs[N];
    struct owsk_owner *prev;
    LARGE_INTEGER t = {.QuadPart = -100000000LL};
    int ok = 0;

    t_expect_bugcheck(work_returns_owning_mutex, 0x39, "SYSTEM_EXIT_OWNED_MUTEX");

    KeInitializeEvent(&done, NotificationEvent, FALSE);
    KeInitializeEvent(&gate, NotificationEvent, FALSE);

    prev = owsk_owner_enter(&drv);
    for (int i = 0; i < N; i++) {
        jobs[i].seq = i;
        ExInitializeWorkItem(&jobs[i].item, routine, &jobs[i]);
    }
    {
        KIRQL old;
        KeRaiseIrql(DISPATCH_LEVEL, &old); /* queueing is allowed at DISPATCH_LEVEL */
        for (int i = 0; i < N; i++)
            ExQueueWorkItem(&jobs[i].item, DelayedWorkQueue);
        KeLowerIrql(old);
    }
    owsk_owner_leave(prev);
    CHECK_STATUS(KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
    CHECK(owsk_ex_work_wait_idle(9, 5000));
    CHECK_INT(ran, N);
    CHECK_INT(bad_irql, 0);
    CHECK_INT(bad_owner, 0);

    /* Internal work: counted for its owner until it returns. */
    CHECK(owsk_ex_queue_work(internal, &ok, &drv));
    CHECK_UINT(owsk_ex_work_outstanding(9), 1);
    CHECK(!owsk_ex_work_wait_idle(9, 20));
    KeSetEvent(&gate, 0, FALSE);
    CHECK(owsk_ex_work_wait_idle(9, 5000));
    CHECK_UINT(owsk_ex_work_outstanding(9), 0);
    CHECK_INT(ok, 1);
    CHECK_INT(ExGetPreviousMode(), KernelMode);

    return t_done();
}
