/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* KeWaitForSingleObject/KeWaitForMultipleObjects: Windows timeout forms (NULL infinite, 0
 * poll, negative relative 100 ns, positive absolute system time), WaitAny's index, WaitAll's
 * all-or-nothing, semaphores and mutexes (recursion), KeDelayExecutionThread. */
#include <pthread.h>

#include "owsk_test.h"
#include "ke/ke.h"

static KEVENT a, b, c;
static KSEMAPHORE sem;
static KMUTEX mtx;

static uint64_t elapsed_100ns(uint64_t start)
{
    return KeQueryInterruptTime() - start;
}

static void *set_b_later(void *arg)
{
    LARGE_INTEGER d = {.QuadPart = -200000LL}; /* 20 ms */
    KeDelayExecutionThread(KernelMode, FALSE, &d);
    KeSetEvent(&b, 0, FALSE);
    return NULL;
}

static void *set_a_then_c(void *arg)
{
    LARGE_INTEGER d = {.QuadPart = -100000LL}; /* 10 ms each */
    KeDelayExecutionThread(KernelMode, FALSE, &d);
    KeSetEvent(&a, 0, FALSE);
    KeDelayExecutionThread(KernelMode, FALSE, &d);
    KeSetEvent(&c, 0, FALSE);
    return NULL;
}

static volatile LONG other_got_mutex;

static void *take_mutex(void *arg)
{
    LARGE_INTEGER t = {.QuadPart = 0};
    /* Polling from another thread: owned by main, so it must time out. */
    NTSTATUS s = KeWaitForSingleObject(&mtx, Executive, KernelMode, FALSE, &t);
    InterlockedExchange((LONG *)&other_got_mutex, s == STATUS_SUCCESS);
    if (s == STATUS_SUCCESS)
        KeReleaseMutex(&mtx, FALSE);
    return NULL;
}

int main(void)
{
    LARGE_INTEGER t;
    uint64_t start;
    PVOID objs[3] = {&a, &b, &c};
    KWAIT_BLOCK blocks[4];
    pthread_t th;

    KeInitializeEvent(&a, NotificationEvent, FALSE);
    KeInitializeEvent(&b, SynchronizationEvent, FALSE);
    KeInitializeEvent(&c, NotificationEvent, FALSE);

    /* Zero timeout polls. */
    t.QuadPart = 0;
    start = KeQueryInterruptTime();
    CHECK_STATUS(KeWaitForSingleObject(&a, Executive, KernelMode, FALSE, &t), STATUS_TIMEOUT);
    CHECK(elapsed_100ns(start) < 10000000ULL);

    /* Relative: 50 ms, and the wait lasts at least that long. */
    t.QuadPart = -500000LL;
    start = KeQueryInterruptTime();
    CHECK_STATUS(KeWaitForSingleObject(&a, Executive, KernelMode, FALSE, &t), STATUS_TIMEOUT);
    CHECK(elapsed_100ns(start) >= 500000ULL);

    /* Absolute: system time now + 50 ms. */
    KeQuerySystemTime(&t);
    t.QuadPart += 500000LL;
    start = KeQueryInterruptTime();
    CHECK_STATUS(KeWaitForSingleObject(&a, Executive, KernelMode, FALSE, &t), STATUS_TIMEOUT);
    CHECK(elapsed_100ns(start) >= 490000ULL); /* clocks differ by < 1 ms of rounding */

    /* Absolute time in the past: an immediate timeout. */
    KeQuerySystemTime(&t);
    t.QuadPart -= 10000000LL;
    CHECK_STATUS(KeWaitForSingleObject(&a, Executive, KernelMode, FALSE, &t), STATUS_TIMEOUT);

    /* Signalled objects satisfy at once, even with an infinite timeout. */
    KeSetEvent(&a, 0, FALSE);
    CHECK_STATUS(KeWaitForSingleObject(&a, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KeResetEvent(&a);

    /* WaitAny returns STATUS_WAIT_0 + the index of the object that satisfied it. */
    KeSetEvent(&c, 0, FALSE);
    t.QuadPart = 0;
    CHECK_STATUS(KeWaitForMultipleObjects(3, objs, WaitAny, Executive, KernelMode, FALSE, &t, NULL),
                 STATUS_WAIT_0 + 2);
    KeResetEvent(&c);
    CHECK_STATUS(KeWaitForMultipleObjects(3, objs, WaitAny, Executive, KernelMode, FALSE, &t, NULL),
                 STATUS_TIMEOUT);
    /* ... also when the signal comes while blocked: b (a synchronization event) is consumed. */
    pthread_create(&th, NULL, set_b_later, NULL);
    t.QuadPart = -50000000LL;
    CHECK_STATUS(KeWaitForMultipleObjects(3, objs, WaitAny, Executive, KernelMode, FALSE, &t, NULL),
                 STATUS_WAIT_1);
    pthread_join(th, NULL);
    CHECK_INT(KeReadStateEvent(&b), 0);

    /* WaitAll: not satisfied while one object is unsignalled, and consumes nothing then. */
    KeSetEvent(&a, 0, FALSE);
    KeSetEvent(&b, 0, FALSE);
    t.QuadPart = -100000LL;
    start = KeQueryInterruptTime();
    CHECK_STATUS(KeWaitForMultipleObjects(3, objs, WaitAll, Executive, KernelMode, FALSE, &t, NULL),
                 STATUS_TIMEOUT);
    CHECK(elapsed_100ns(start) >= 100000ULL);
    CHECK_INT(KeReadStateEvent(&b), 1);
    KeSetEvent(&c, 0, FALSE);
    CHECK_STATUS(KeWaitForMultipleObjects(3, objs, WaitAll, Executive, KernelMode, FALSE, &t, NULL),
                 STATUS_SUCCESS);
    CHECK_INT(KeReadStateEvent(&b), 0); /* the synchronization event was consumed */
    CHECK_INT(KeReadStateEvent(&a), 1); /* notification events stay signalled */
    /* A blocked WaitAll is satisfied only when the last object is signalled, and takes the
     * mutex it waits for. */
    {
        PVOID two[3] = {&a, &c, &mtx};
        KeResetEvent(&a);
        KeResetEvent(&c);
        KeInitializeMutex(&mtx, 0);
        pthread_create(&th, NULL, set_a_then_c, NULL);
        t.QuadPart = -50000000LL;
        start = KeQueryInterruptTime();
        CHECK_STATUS(
            KeWaitForMultipleObjects(3, two, WaitAll, Executive, KernelMode, FALSE, &t, NULL),
            STATUS_SUCCESS);
        CHECK(KeQueryInterruptTime() - start >= 200000ULL);
        CHECK_INT(KeReadStateEvent(&c), 1);
        CHECK(mtx.OwnerThread == KeGetCurrentThread());
        CHECK_INT(KeReleaseMutex(&mtx, FALSE), 0);
        pthread_join(th, NULL);
    }
    /* More than THREAD_WAIT_OBJECTS objects with a caller wait-block array. */
    {
        PVOID four[4] = {&a, &a, &c, &c};
        t.QuadPart = 0;
        CHECK_STATUS(
            KeWaitForMultipleObjects(4, four, WaitAny, Executive, KernelMode, FALSE, &t, blocks),
            STATUS_WAIT_0);
    }

    /* Semaphores: count, limit, and the previous count from KeReleaseSemaphore. */
    KeInitializeSemaphore(&sem, 0, 2);
    CHECK_INT(KeReadStateSemaphore(&sem), 0);
    t.QuadPart = 0;
    CHECK_STATUS(KeWaitForSingleObject(&sem, Executive, KernelMode, FALSE, &t), STATUS_TIMEOUT);
    CHECK_INT(KeReleaseSemaphore(&sem, 0, 2, FALSE), 0);
    CHECK_INT(KeReadStateSemaphore(&sem), 2);
    CHECK_STATUS(KeWaitForSingleObject(&sem, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
    CHECK_STATUS(KeWaitForSingleObject(&sem, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
    CHECK_STATUS(KeWaitForSingleObject(&sem, Executive, KernelMode, FALSE, &t), STATUS_TIMEOUT);
    CHECK_INT(KeReleaseSemaphore(&sem, 0, 1, FALSE), 0);
    CHECK_INT(KeReleaseSemaphore(&sem, 0, 1, FALSE), 1);

    /* Mutexes: recursive ownership, the state counts down per acquisition. */
    KeInitializeMutex(&mtx, 0);
    CHECK_INT(KeReadStateMutex(&mtx), 1);
    CHECK_STATUS(KeWaitForSingleObject(&mtx, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    CHECK_STATUS(KeWaitForMutexObject(&mtx, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    CHECK_INT(KeReadStateMutex(&mtx), -1);
    CHECK(mtx.OwnerThread == KeGetCurrentThread());
    pthread_create(&th, NULL, take_mutex, NULL);
    pthread_join(th, NULL);
    CHECK_INT(other_got_mutex, 0);
    CHECK_INT(KeReleaseMutex(&mtx, FALSE), -1);
    CHECK_INT(KeReleaseMutex(&mtx, FALSE), 0);
    CHECK_INT(KeReadStateMutex(&mtx), 1);
    CHECK(mtx.OwnerThread == NULL);
    pthread_create(&th, NULL, take_mutex, NULL);
    pthread_join(th, NULL);
    CHECK_INT(other_got_mutex, 1);

    /* KeDelayExecutionThread: relative and absolute, at least as long as asked. */
    t.QuadPart = -300000LL;
    start = KeQueryInterruptTime();
    CHECK_STATUS(KeDelayExecutionThread(KernelMode, FALSE, &t), STATUS_SUCCESS);
    CHECK(elapsed_100ns(start) >= 300000ULL);
    KeQuerySystemTime(&t);
    t.QuadPart += 300000LL;
    start = KeQueryInterruptTime();
    CHECK_STATUS(KeDelayExecutionThread(KernelMode, FALSE, &t), STATUS_SUCCESS);
    CHECK(elapsed_100ns(start) >= 290000ULL);

    /* A zero-timeout poll is allowed at DISPATCH_LEVEL. */
    {
        KIRQL old;
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        t.QuadPart = 0;
        CHECK_STATUS(KeWaitForSingleObject(&a, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
        KeLowerIrql(old);
    }

    return t_done();
}
