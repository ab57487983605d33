/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Events: a synchronization event releases exactly one of N waiters per KeSetEvent, a
 * notification event releases all of them; KeSetEvent/KeResetEvent/KePulseEvent return the
 * previous state (WDK docs). */
#include <pthread.h>

#include "owsk_test.h"

#define N 4

static KEVENT ev, ready;
static volatile LONG woken, started;

static void *waiter(void *arg)
{
    LARGE_INTEGER t = {.QuadPart = -50000000LL}; /* 5 s: a deadline, never a sleep */
    InterlockedIncrement((LONG *)&started);
    KeSetEvent(&ready, 0, FALSE);
    if (KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &t) == STATUS_SUCCESS)
        InterlockedIncrement((LONG *)&woken);
    return NULL;
}

/* Starts N waiters and returns once each has announced itself (it may not be blocked yet;
 * the checks below hold either way because a synchronization event stays signalled until
 * one waiter consumes it). */
static void start_waiters(pthread_t *th)
{
    LARGE_INTEGER t = {.QuadPart = -50000000LL};
    woken = 0;
    started = 0;
    for (int i = 0; i < N; i++)
        pthread_create(&th[i], NULL, waiter, NULL);
    while (InterlockedCompareExchange((LONG *)&started, 0, 0) < N)
        KeWaitForSingleObject(&ready, Executive, KernelMode, FALSE, &t);
}

static LONG wait_woken(LONG want, unsigned ms)
{
    uint64_t end = t_now_ms() + ms;
    LARGE_INTEGER step = {.QuadPart = -10000LL}; /* 1 ms polls up to the deadline */
    while (InterlockedCompareExchange((LONG *)&woken, 0, 0) < want && t_now_ms() < end)
        KeDelayExecutionThread(KernelMode, FALSE, &step);
    return InterlockedCompareExchange((LONG *)&woken, 0, 0);
}

int main(void)
{
    pthread_t th[N];

    KeInitializeEvent(&ready, SynchronizationEvent, FALSE);

    /* Return values. */
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    CHECK_INT(KeReadStateEvent(&ev), 0);
    CHECK_INT(KeSetEvent(&ev, IO_NO_INCREMENT, FALSE), 0);
    CHECK_INT(KeSetEvent(&ev, IO_NO_INCREMENT, FALSE), 1);
    CHECK_INT(KeReadStateEvent(&ev), 1);
    CHECK_INT(KeResetEvent(&ev), 1);
    CHECK_INT(KeResetEvent(&ev), 0);
    CHECK_INT(KePulseEvent(&ev, 0, FALSE), 0);
    CHECK_INT(KeReadStateEvent(&ev), 0);
    KeSetEvent(&ev, 0, FALSE);
    KeClearEvent(&ev);
    CHECK_INT(KeReadStateEvent(&ev), 0);

    /* A signalled notification event satisfies any number of waits. */
    LARGE_INTEGER zero = {.QuadPart = 0};
    KeSetEvent(&ev, 0, FALSE);
    CHECK_STATUS(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    CHECK_STATUS(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);

    /* A signalled synchronization event satisfies one wait and resets. */
    KeInitializeEvent(&ev, SynchronizationEvent, TRUE);
    CHECK_STATUS(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    CHECK_STATUS(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
    CHECK_INT(KeReadStateEvent(&ev), 0);

    /* Synchronization event: each KeSetEvent releases exactly one blocked waiter. */
    KeInitializeEvent(&ev, SynchronizationEvent, FALSE);
    start_waiters(th);
    for (int i = 1; i <= N; i++) {
        /* Setting while nobody has consumed yet keeps at most one signal pending; wait for
         * each release before the next so the count is exact. */
        KeSetEvent(&ev, 0, FALSE);
        CHECK_INT(wait_woken(i, 5000), i);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    CHECK_INT(woken, N);
    CHECK_INT(KeReadStateEvent(&ev), 0);

    /* Exactly one: with all N blocked, one set wakes one, and the event ends unsignalled. */
    start_waiters(th);
    {
        LARGE_INTEGER step = {.QuadPart = -200000LL}; /* give them 20 ms to block */
        KeDelayExecutionThread(KernelMode, FALSE, &step);
    }
    KeSetEvent(&ev, 0, FALSE);
    CHECK_INT(wait_woken(1, 5000), 1);
    {
        LARGE_INTEGER step = {.QuadPart = -500000LL}; /* 50 ms: a second wake would show */
        KeDelayExecutionThread(KernelMode, FALSE, &step);
    }
    CHECK_INT(woken, 1);
    CHECK_INT(KeReadStateEvent(&ev), 0);
    for (int i = 1; i < N; i++) {
        KeSetEvent(&ev, 0, FALSE);
        CHECK_INT(wait_woken(i + 1, 5000), i + 1);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    CHECK_INT(woken, N);

    /* Notification event: one KeSetEvent releases every waiter and stays signalled. */
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    start_waiters(th);
    KeSetEvent(&ev, 0, FALSE);
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    CHECK_INT(woken, N);
    CHECK_INT(KeReadStateEvent(&ev), 1);

    return t_done();
}
