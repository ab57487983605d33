/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fast mutexes and executive resources: mutual exclusion between threads (a non-atomic
 * counter stays exact), APC_LEVEL while a fast mutex is held, TryToAcquire, shared holders
 * coexisting, exclusive excluding shared, recursion and the ownership queries; a recursive
 * fast mutex and a release by a non-owner bug check (children). */
#include <pthread.h>

#include "owsk_test.h"
#include "../ke/t_child.h"
#include "ke/ke.h"

#define ITER 20000

static FAST_MUTEX fm;
static ERESOURCE res;
static long counter; /* protected by whichever lock the phase uses */

static void fm_recursive(void)
{
    ExInitializeFastMutex(&fm);
    ExAcquireFastMutex(&fm);
    ExAcquireFastMutex(&fm);
}

static void res_not_owned(void)
{
    ExInitializeResourceLite(&res);
    ExReleaseResourceLite(&res);
}

static void *fm_worker(void *arg)
{
    for (int i = 0; i < ITER; i++) {
        ExAcquireFastMutex(&fm);
        counter++;
        ExReleaseFastMutex(&fm);
    }
    return NULL;
}

static void *res_worker(void *arg)
{
    for (int i = 0; i < ITER / 4; i++) {
        ExAcquireResourceExclusiveLite(&res, TRUE);
        counter++;
        ExReleaseResourceLite(&res);
        ExAcquireResourceSharedLite(&res, TRUE);
        (void)*(volatile long *)&counter;
        ExReleaseResourceLite(&res);
    }
    return NULL;
}

static volatile LONG try_result;
static void *try_excl(void *arg)
{
    InterlockedExchange((LONG *)&try_result, ExAcquireResourceExclusiveLite(&res, FALSE));
    if (try_result)
        ExReleaseResourceLite(&res);
    return NULL;
}
static void *try_shared(void *arg)
{
    InterlockedExchange((LONG *)&try_result, ExAcquireResourceSharedLite(&res, FALSE));
    if (try_result)
        ExReleaseResourceLite(&res);
    return NULL;
}
static void *try_fm(void *arg)
{
    InterlockedExchange((LONG *)&try_result, ExTryToAcquireFastMutex(&fm));
    if (try_result)
        ExReleaseFastMutex(&fm);
    return NULL;
}

/* The verifier's view: every acquire is matched by a release, per kind. */
static volatile LONG acq[5], rel[5];
static void on_acquire(const void *lock, enum owsk_ke_lock_kind kind, void *ctx)
{
    InterlockedIncrement((LONG *)&acq[kind]);
}
static void on_release(const void *lock, enum owsk_ke_lock_kind kind, void *ctx)
{
    InterlockedIncrement((LONG *)&rel[kind]);
}
static const struct owsk_ke_sync_hooks sync_hooks = {on_acquire, on_release, NULL, NULL};

static LONG run(void *(*fn)(void *))
{
    pthread_t t;
    pthread_create(&t, NULL, fn, NULL);
    pthread_join(t, NULL);
    return try_result;
}

int main(void)
{
    pthread_t t[3];

    t_expect_bugcheck(fm_recursive, DRIVER_VERIFIER_DETECTED_VIOLATION, "self-deadlock");
    t_expect_bugcheck(res_not_owned, 0xE3, "does not own");

    owsk_ke_set_sync_hooks(&sync_hooks);

    /* Fast mutex. */
    ExInitializeFastMutex(&fm);
    ExAcquireFastMutex(&fm);
    CHECK_INT(KeGetCurrentIrql(), APC_LEVEL);
    CHECK_INT(run(try_fm), FALSE);
    ExReleaseFastMutex(&fm);
    CHECK_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
    CHECK_INT(run(try_fm), TRUE);
    CHECK(ExTryToAcquireFastMutex(&fm));
    ExReleaseFastMutex(&fm);
    KeEnterCriticalRegion();
    ExAcquireFastMutexUnsafe(&fm);
    CHECK_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
    ExReleaseFastMutexUnsafe(&fm);
    KeLeaveCriticalRegion();
    counter = 0;
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, fm_worker, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    CHECK_INT(counter, 3 * ITER);

    /* ERESOURCE. */
    CHECK_STATUS(ExInitializeResourceLite(&res), STATUS_SUCCESS);
    KeEnterCriticalRegion();
    CHECK(ExAcquireResourceSharedLite(&res, TRUE));
    CHECK(ExAcquireResourceSharedLite(&res, TRUE)); /* recursive shared */
    CHECK_UINT(ExIsResourceAcquiredSharedLite(&res), 2);
    CHECK(!ExIsResourceAcquiredExclusiveLite(&res));
    CHECK_INT(run(try_shared), TRUE); /* shared holders coexist */
    CHECK_INT(run(try_excl), FALSE);
    ExReleaseResourceLite(&res);
    ExReleaseResourceLite(&res);
    CHECK_UINT(ExIsResourceAcquiredSharedLite(&res), 0);
    CHECK(ExAcquireResourceExclusiveLite(&res, TRUE));
    CHECK(ExAcquireResourceExclusiveLite(&res, TRUE)); /* recursive exclusive */
    CHECK(ExAcquireResourceSharedLite(&res, TRUE));    /* exclusive owner may take shared */
    CHECK(ExIsResourceAcquiredExclusiveLite(&res));
    CHECK_UINT(ExIsResourceAcquiredSharedLite(&res), 3);
    CHECK_INT(run(try_shared), FALSE);
    CHECK_INT(run(try_excl), FALSE);
    ExReleaseResourceLite(&res);
    ExReleaseResourceLite(&res);
    ExReleaseResourceLite(&res);
    CHECK(!ExIsResourceAcquiredExclusiveLite(&res));
    CHECK_INT(run(try_excl), TRUE);
    KeLeaveCriticalRegion();
    counter = 0;
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, res_worker, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    CHECK_INT(counter, 3 * (ITER / 4));
    CHECK_STATUS(ExDeleteResourceLite(&res), STATUS_SUCCESS);

    /* Mutexes and spin locks are reported too. */
    {
        KMUTEX m;
        KSPIN_LOCK l;
        KIRQL old;
        KeInitializeMutex(&m, 0);
        KeWaitForSingleObject(&m, Executive, KernelMode, FALSE, NULL);
        KeReleaseMutex(&m, FALSE);
        KeInitializeSpinLock(&l);
        KeAcquireSpinLock(&l, &old);
        KeReleaseSpinLock(&l, old);
    }
    owsk_ke_set_sync_hooks(NULL);
    for (int k = 0; k < 5; k++)
        CHECK_INT(acq[k], rel[k]);
    CHECK(acq[OWSK_LOCK_FAST_MUTEX] >= 3 * ITER);
    CHECK(acq[OWSK_LOCK_RESOURCE_SHARED] > 0 && acq[OWSK_LOCK_RESOURCE_EXCLUSIVE] > 0);
    CHECK_INT(acq[OWSK_LOCK_MUTEX], 1);
    CHECK(acq[OWSK_LOCK_SPIN] >= 1);

    return t_done();
}
