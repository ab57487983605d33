/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The system worker pool: ExQueueWorkItem and owsk_ex_queue_work (IoQueueWorkItem's engine).
 * Two worker threads start on first use and the pool grows to four when all are busy; they
 * take HyperCritical, then Critical, then the other queues, FIFO within each, and run each
 * item at PASSIVE_LEVEL with the owner captured when it was queued. Work item priorities
 * beyond that order, and dynamic worker priorities, are not modelled. */
#include <stdlib.h>
#include <time.h>

#include <wdm.h>

#include "core/core.h"
#include "ex/ex.h"
#include "ke/ke.h"
#include "ps/ps.h"

#define MIN_WORKERS 2
#define MAX_WORKERS 4
/* Served in this order; Q_DELAYED takes DelayedWorkQueue and every other queue type. */
enum { Q_HYPER_CRITICAL, Q_CRITICAL, Q_DELAYED, NQUEUES };

struct work {
    struct work *next;
    void (*fn)(void *ctx); /* internal work, or NULL for a WORK_QUEUE_ITEM */
    void *ctx;
    PWORK_QUEUE_ITEM item;
    struct owsk_owner *owner;
    unsigned owner_id;
};

/* All below guarded by wlock. */
static pthread_mutex_t wlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER; /* work queued */
static pthread_cond_t idle_cv = PTHREAD_COND_INITIALIZER; /* some work finished */
static struct work *qhead[NQUEUES], *qtail[NQUEUES];
static unsigned nworkers, nidle;
static struct owsk_owner_counts counts; /* queued or running items per owner */

/* wlock held. */
static struct work *dequeue(void)
{
    for (int q = 0; q < NQUEUES; q++) {
        struct work *w = qhead[q];
        if (w) {
            qhead[q] = w->next;
            if (!qhead[q])
                qtail[q] = NULL;
            return w;
        }
    }
    return NULL;
}

/* Thread: a system worker. IRQL: PASSIVE_LEVEL around each item. Locks: wlock, dropped
 * around the call. */
static void *worker_main(void *arg)
{
    owsk_ke_fault_thread_init(); /* a signal stack, so a stack overflow is reported */
    pthread_setname_np(pthread_self(), "owsk-worker");
    pthread_mutex_lock(&wlock);
    for (;;) {
        struct work *w;
        nidle++;
        while (!(w = dequeue()))
            pthread_cond_wait(&work_cv, &wlock);
        nidle--;
        pthread_mutex_unlock(&wlock);

        struct owsk_owner *prev = owsk_owner_enter(w->owner);
        void (*fn)(void *) = w->fn;
        void *ctx = w->ctx;
        if (w->item) {
            fn = (void (*)(void *))w->item->WorkerRoutine;
            ctx = w->item->Parameter;
        }
        owsk_ke_irql_set(PASSIVE_LEVEL);
        LONG mutexes = owsk_ps_mutexes_owned();
        fn(ctx);
        if (owsk_ps_mutexes_owned() != mutexes)
            owsk_ke_bugcheck(0x39 /* SYSTEM_EXIT_OWNED_MUTEX */, (ULONG_PTR)fn, (ULONG_PTR)ctx,
                             (ULONG_PTR)w->item, 0, "work item routine %p returned owning a KMUTEX",
                             (void *)fn);
        KIRQL irql = owsk_ke_irql_get();
        if (irql != PASSIVE_LEVEL)
            owsk_ke_bugcheck(OWSK_BUGCHECK_WORKER_THREAD_RETURNED_AT_BAD_IRQL, (ULONG_PTR)fn, irql,
                             (ULONG_PTR)ctx, (ULONG_PTR)w->item,
                             "work item routine %p returned at IRQL %u", (void *)fn, irql);
        owsk_owner_leave(prev);

        pthread_mutex_lock(&wlock);
        uint64_t *c = owsk_owner_counter(&counts, w->owner_id);
        if (c && *c)
            (*c)--;
        free(w);
        pthread_cond_broadcast(&idle_cv);
    }
    return NULL;
}

/* wlock held. Starts workers so that queued work has somebody to run it. */
static void maybe_grow(void)
{
    while (nworkers < MIN_WORKERS || (nidle == 0 && nworkers < MAX_WORKERS)) {
        pthread_t th;
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&th, &a, worker_main, NULL);
        pthread_attr_destroy(&a);
        if (rc != 0)
            break;
        nworkers++;
        if (nworkers >= MIN_WORKERS && nidle == 0)
            break; /* one new worker per queued item is enough */
    }
}

static bool enqueue(struct work *w, int q)
{
    pthread_mutex_lock(&wlock);
    uint64_t *c = owsk_owner_counter(&counts, w->owner_id);
    if (c)
        (*c)++;
    w->next = NULL;
    if (qtail[q])
        qtail[q]->next = w;
    else
        qhead[q] = w;
    qtail[q] = w;
    maybe_grow();
    if (nworkers == 0) {
        /* No thread could be started: nothing would ever run this item. */
        pthread_mutex_unlock(&wlock);
        owsk_ke_bugcheck(OWSK_BUGCHECK_KMODE_EXCEPTION_NOT_HANDLED,
                         (ULONG_PTR)(ULONG)STATUS_INSUFFICIENT_RESOURCES, 0, 0, 0,
                         "cannot start a system worker thread");
    }
    pthread_cond_signal(&work_cv);
    pthread_mutex_unlock(&wlock);
    return true;
}

bool owsk_ex_queue_work(void (*fn)(void *ctx), void *ctx, struct owsk_owner *owner)
{
    struct work *w = calloc(1, sizeof(*w));
    if (!w)
        return false;
    w->fn = fn;
    w->ctx = ctx;
    w->owner = owner;
    w->owner_id = owner ? owner->id : 0;
    return enqueue(w, Q_DELAYED);
}

/* ExQueueWorkItem: Critical and HyperCritical items go first; every other queue type is
 * served as DelayedWorkQueue. */
VOID ExQueueWorkItem(PWORK_QUEUE_ITEM WorkItem, WORK_QUEUE_TYPE QueueType)
{
    struct work *w;

    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, WorkItem);
    w = calloc(1, sizeof(*w));
    if (!w)
        owsk_ke_bugcheck(OWSK_BUGCHECK_KMODE_EXCEPTION_NOT_HANDLED,
                         (ULONG_PTR)(ULONG)STATUS_INSUFFICIENT_RESOURCES, (ULONG_PTR)WorkItem, 0, 0,
                         "ExQueueWorkItem: out of memory");
    w->item = WorkItem;
    w->owner = owsk_current_owner;
    w->owner_id = w->owner ? w->owner->id : 0;
    enqueue(w, QueueType == HyperCriticalWorkQueue ? Q_HYPER_CRITICAL
               : QueueType == CriticalWorkQueue    ? Q_CRITICAL
                                                   : Q_DELAYED);
}

uint64_t owsk_ex_work_outstanding(unsigned owner_id)
{
    uint64_t n;

    pthread_mutex_lock(&wlock);
    uint64_t *c = owsk_owner_counter(&counts, owner_id);
    n = c ? *c : 0;
    pthread_mutex_unlock(&wlock);
    return n;
}

bool owsk_ex_work_wait_idle(unsigned owner_id, unsigned timeout_ms)
{
    /* idle_cv is statically initialised, so its clock is CLOCK_REALTIME. */
    struct timespec ts = owsk_timespec_after_ms(CLOCK_REALTIME, timeout_ms);
    bool idle;

    pthread_mutex_lock(&wlock);
    for (;;) {
        uint64_t *c = owsk_owner_counter(&counts, owner_id);
        idle = !c || *c == 0;
        if (idle || pthread_cond_timedwait(&idle_cv, &wlock, &ts) != 0)
            break;
    }
    if (!idle) {
        uint64_t *c = owsk_owner_counter(&counts, owner_id);
        idle = !c || *c == 0;
    }
    pthread_mutex_unlock(&wlock);
    return idle;
}

/* Every caller here is kernel code. */
KPROCESSOR_MODE ExGetPreviousMode(VOID)
{
    return KernelMode;
}
