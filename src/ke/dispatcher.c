/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one wait implementation: dispatcher objects (events, semaphores, mutexes, timers,
 * thread objects) keep their state in their DISPATCHER_HEADER, guarded by one global lock.
 * A waiter links one wait block per object into the objects' WaitListHead and sleeps on a
 * condition variable of its own. Alertable waits and APCs do not exist here (Alertable is
 * ignored, STATUS_ALERTED/USER_APC are never returned); abandoned mutexes are not tracked. */
#include <errno.h>
#include <sched.h>
#include <string.h>

#include <wdm.h>

#include "core/core.h"
#include "ke/ke.h"
#include "ps/ps.h"

struct waiter;

struct wait_block {
    LIST_ENTRY link; /* in obj->WaitListHead while linked */
    DISPATCHER_HEADER *obj;
    struct waiter *w;
    ULONG index;
    bool linked;
};

struct waiter {
    pthread_cond_t cv;
    PKTHREAD thread; /* for mutex ownership */
    WAIT_TYPE type;
    ULONG count;
    struct wait_block *blocks;
    NTSTATUS result; /* STATUS_PENDING until satisfied or timed out */
};

static pthread_mutex_t dlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_condattr_t cattr;
static pthread_once_t cattr_once = PTHREAD_ONCE_INIT;

static void cattr_init(void)
{
    pthread_condattr_init(&cattr);
    pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
}

const pthread_condattr_t *owsk_ke_condattr(void)
{
    pthread_once(&cattr_once, cattr_init);
    return &cattr;
}

void owsk_ke_dispatcher_lock(void)
{
    pthread_mutex_lock(&dlock);
}

void owsk_ke_dispatcher_unlock(void)
{
    pthread_mutex_unlock(&dlock);
}

pthread_mutex_t *owsk_ke_dispatcher_mutex(void)
{
    return &dlock;
}

struct timespec owsk_ke_deadline_timespec(uint64_t deadline)
{
    struct timespec ts = {.tv_sec = (time_t)(deadline / 10000000ULL),
                          .tv_nsec = (long)(deadline % 10000000ULL) * 100};
    return ts;
}

bool owsk_ke_timeout_deadline(const LARGE_INTEGER *timeout, uint64_t *ret_deadline)
{
    uint64_t now;
    int64_t q;

    if (!timeout)
        return false;
    q = timeout->QuadPart;
    now = owsk_ke_interrupt_time();
    if (q < 0) {
        uint64_t rel = (uint64_t)(-(q + 1)) + 1;
        *ret_deadline = rel > UINT64_MAX - now ? UINT64_MAX : now + rel;
    } else if (q == 0) {
        *ret_deadline = now;
    } else {
        int64_t st = owsk_ke_system_time();
        *ret_deadline = q > st ? now + (uint64_t)(q - st) : now;
    }
    return true;
}

static bool known_type(UCHAR type)
{
    switch (type) {
    case OWSK_KOBJ_EVENT_NOTIFICATION:
    case OWSK_KOBJ_EVENT_SYNCHRONIZATION:
    case OWSK_KOBJ_MUTANT:
    case OWSK_KOBJ_SEMAPHORE:
    case OWSK_KOBJ_THREAD:
    case OWSK_KOBJ_TIMER_NOTIFICATION:
    case OWSK_KOBJ_TIMER_SYNCHRONIZATION:
        return true;
    default:
        return false;
    }
}

/* Dispatcher lock held. A zero-filled header (never initialised) gets an empty wait list
 * instead of a NULL dereference. */
static void check_header(DISPATCHER_HEADER *h, const char *ddi)
{
    if (!known_type(h->Type)) {
        UCHAR t = h->Type;
        pthread_mutex_unlock(&dlock);
        owsk_ke_bugcheck(OWSK_BUGCHECK_KMODE_EXCEPTION_NOT_HANDLED,
                         (ULONG_PTR)(ULONG)STATUS_INVALID_PARAMETER, (ULONG_PTR)h, t, 0,
                         "%s: %p is not a dispatcher object (type %u)", ddi, (void *)h, t);
    }
    if (!h->WaitListHead.Flink)
        InitializeListHead(&h->WaitListHead);
}

void owsk_ke_init_object(DISPATCHER_HEADER *h, UCHAR type, size_t size, LONG signal)
{
    memset(h, 0, sizeof(*h));
    h->Type = type;
    h->Size = (UCHAR)(size / sizeof(LONG));
    h->SignalState = signal;
    InitializeListHead(&h->WaitListHead);
}

static bool signalled_for(DISPATCHER_HEADER *h, PKTHREAD t)
{
    if (h->Type == OWSK_KOBJ_MUTANT)
        return h->SignalState > 0 || ((PKMUTEX)h)->OwnerThread == t;
    return h->SignalState > 0;
}

/* A satisfied wait's side effect on the object. */
static void consume(DISPATCHER_HEADER *h, PKTHREAD t)
{
    switch (h->Type) {
    case OWSK_KOBJ_EVENT_SYNCHRONIZATION:
    case OWSK_KOBJ_TIMER_SYNCHRONIZATION:
        h->SignalState = 0;
        break;
    case OWSK_KOBJ_SEMAPHORE:
        h->SignalState--;
        break;
    case OWSK_KOBJ_MUTANT:
        if (h->SignalState-- == 1)
            __atomic_add_fetch(&t->mutexes_owned, 1, __ATOMIC_RELAXED);
        ((PKMUTEX)h)->OwnerThread = t;
        break;
    default:
        break;
    }
}

static void finish(struct waiter *w, NTSTATUS status)
{
    for (ULONG i = 0; i < w->count; i++) {
        if (w->blocks[i].linked) {
            RemoveEntryList(&w->blocks[i].link);
            w->blocks[i].linked = false;
        }
    }
    w->result = status;
    pthread_cond_signal(&w->cv);
}

/* Dispatcher lock held. Satisfies w if its wait type allows it now; for WaitAny, index is
 * the object that changed (or ~0 to try them in order). */
static bool try_satisfy(struct waiter *w, ULONG index)
{
    if (w->type == WaitAny) {
        ULONG first = index == ~0U ? 0 : index, last = index == ~0U ? w->count : index + 1;
        for (ULONG i = first; i < last; i++) {
            DISPATCHER_HEADER *h = w->blocks[i].obj;
            if (signalled_for(h, w->thread)) {
                consume(h, w->thread);
                w->result = STATUS_WAIT_0 + i;
                return true;
            }
        }
        return false;
    }
    for (ULONG i = 0; i < w->count; i++)
        if (!signalled_for(w->blocks[i].obj, w->thread))
            return false;
    for (ULONG i = 0; i < w->count; i++)
        consume(w->blocks[i].obj, w->thread);
    w->result = STATUS_SUCCESS;
    return true;
}

void owsk_ke_wake_locked(DISPATCHER_HEADER *h)
{
    PLIST_ENTRY e;

    if (!h->WaitListHead.Flink)
        return;
restart:
    for (e = h->WaitListHead.Flink; e != &h->WaitListHead; e = e->Flink) {
        struct wait_block *wb = CONTAINING_RECORD(e, struct wait_block, link);
        if (h->SignalState <= 0)
            return;
        if (try_satisfy(wb->w, wb->w->type == WaitAny ? wb->index : ~0U)) {
            /* Unlinks every block of that waiter, possibly around e: start again. */
            finish(wb->w, wb->w->result);
            goto restart;
        }
    }
}

void owsk_ke_signal_object(DISPATCHER_HEADER *h, LONG state)
{
    pthread_mutex_lock(&dlock);
    check_header(h, __func__);
    h->SignalState = state;
    owsk_ke_wake_locked(h);
    pthread_mutex_unlock(&dlock);
}

static void check_wait_irql(PVOID object, const LARGE_INTEGER *timeout, const char *ddi)
{
    KIRQL irql = owsk_ke_irql_get();

    if (irql >= DISPATCH_LEVEL && (!timeout || timeout->QuadPart != 0))
        owsk_ke_bugcheck(OWSK_BUGCHECK_IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)object, irql, 0,
                         (ULONG_PTR)__builtin_return_address(0),
                         "%s at IRQL %u with a %s timeout: a driver may only wait at "
                         "DISPATCH_LEVEL or above with a zero timeout",
                         ddi, irql, timeout ? "non-zero" : "infinite (NULL)");
}

static NTSTATUS wait_common(ULONG count, DISPATCHER_HEADER **objs, WAIT_TYPE type,
                            const LARGE_INTEGER *timeout, struct wait_block *blocks,
                            const char *ddi)
{
    PKTHREAD self = KeGetCurrentThread();
    uint64_t deadline = 0;
    bool finite;
    const struct owsk_ke_sync_hooks *hk =
        __atomic_load_n(&owsk_ke_sync_hooks_installed, __ATOMIC_ACQUIRE);

    if (hk) {
        if (hk->wait)
            hk->wait(count, (void *const *)objs, timeout, hk->ctx);
        for (ULONG i = 0; i < count && hk->acquire; i++)
            if (objs[i]->Type == OWSK_KOBJ_MUTANT)
                hk->acquire(objs[i], OWSK_LOCK_MUTEX, hk->ctx);
    }
    finite = owsk_ke_timeout_deadline(timeout, &deadline);
    struct waiter w = {
        .thread = self, .type = type, .count = count, .blocks = blocks, .result = STATUS_PENDING};

    pthread_cond_init(&w.cv, owsk_ke_condattr());
    pthread_mutex_lock(&dlock);
    for (ULONG i = 0; i < count; i++) {
        check_header(objs[i], ddi);
        blocks[i] = (struct wait_block){.obj = objs[i], .w = &w, .index = i};
    }
    if (try_satisfy(&w, ~0U)) {
        /* w.result set */
    } else if (finite && deadline <= owsk_ke_interrupt_time()) {
        w.result = STATUS_TIMEOUT;
    } else {
        for (ULONG i = 0; i < count; i++) {
            InsertTailList(&objs[i]->WaitListHead, &blocks[i].link);
            blocks[i].linked = true;
        }
        while (w.result == STATUS_PENDING) {
            if (finite) {
                struct timespec ts = owsk_ke_deadline_timespec(deadline);
                int rc = pthread_cond_timedwait(&w.cv, &dlock, &ts);
                if (rc == ETIMEDOUT && w.result == STATUS_PENDING)
                    finish(&w, STATUS_TIMEOUT);
            } else {
                pthread_cond_wait(&w.cv, &dlock);
            }
        }
    }
    pthread_mutex_unlock(&dlock);
    pthread_cond_destroy(&w.cv);
    return w.result;
}

/* KeWaitForSingleObject: WaitReason, WaitMode and Alertable are accepted and ignored. */
NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                               BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    DISPATCHER_HEADER *h = Object;
    struct wait_block wb;

    check_wait_irql(Object, Timeout, "KeWaitForSingleObject");
    if (!Object)
        owsk_ke_bugcheck(OWSK_BUGCHECK_KMODE_EXCEPTION_NOT_HANDLED,
                         (ULONG_PTR)(ULONG)STATUS_ACCESS_VIOLATION, 0, 0, 0,
                         "KeWaitForSingleObject on a NULL object");
    return wait_common(1, &h, WaitAny, Timeout, &wb, "KeWaitForSingleObject");
}

/* KeWaitForMultipleObjects: the caller's WaitBlockArray is validated as Windows requires
 * but the wait blocks used are our own. */
NTSTATUS KeWaitForMultipleObjects(ULONG Count, PVOID Object[], WAIT_TYPE WaitType,
                                  KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                                  BOOLEAN Alertable, PLARGE_INTEGER Timeout,
                                  PKWAIT_BLOCK WaitBlockArray)
{
    DISPATCHER_HEADER *objs[MAXIMUM_WAIT_OBJECTS];
    struct wait_block blocks[MAXIMUM_WAIT_OBJECTS];

    check_wait_irql(Object, Timeout, "KeWaitForMultipleObjects");
    if (Count > MAXIMUM_WAIT_OBJECTS || (Count > THREAD_WAIT_OBJECTS && !WaitBlockArray))
        owsk_ke_bugcheck(OWSK_BUGCHECK_MAXIMUM_WAIT_OBJECTS_EXCEEDED, Count,
                         (ULONG_PTR)WaitBlockArray, 0, 0,
                         "KeWaitForMultipleObjects with %u objects %s", (unsigned)Count,
                         Count > MAXIMUM_WAIT_OBJECTS
                             ? "(the maximum is MAXIMUM_WAIT_OBJECTS, 64)"
                             : "and no WaitBlockArray (only THREAD_WAIT_OBJECTS, 3, may use "
                               "the thread's built-in wait blocks)");
    if (Count == 0 || !Object || (WaitType != WaitAll && WaitType != WaitAny))
        return STATUS_INVALID_PARAMETER;
    for (ULONG i = 0; i < Count; i++) {
        if (!Object[i])
            owsk_ke_bugcheck(OWSK_BUGCHECK_KMODE_EXCEPTION_NOT_HANDLED,
                             (ULONG_PTR)(ULONG)STATUS_ACCESS_VIOLATION, i, 0, 0,
                             "KeWaitForMultipleObjects: Object[%u] is NULL", (unsigned)i);
        objs[i] = Object[i];
    }
    return wait_common(Count, objs, WaitType, Timeout, blocks, "KeWaitForMultipleObjects");
}

/* KeDelayExecutionThread: Alertable is ignored (no APCs), so it never returns
 * STATUS_ALERTED or STATUS_USER_APC. */
NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable,
                                PLARGE_INTEGER Interval)
{
    uint64_t deadline;
    struct timespec ts;

    if (!Interval)
        return STATUS_INVALID_PARAMETER;
    check_wait_irql(NULL, Interval, "KeDelayExecutionThread");
    if (Interval->QuadPart == 0) {
        sched_yield();
        return STATUS_SUCCESS;
    }
    owsk_ke_timeout_deadline(Interval, &deadline);
    ts = owsk_ke_deadline_timespec(deadline);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
    return STATUS_SUCCESS;
}

/* The KeReadState* DDIs: SignalState is a plain LONG written under dlock, so it is read under
 * dlock too (ordered after the last set or release). */
static LONG read_state(DISPATCHER_HEADER *h)
{
    LONG s;

    pthread_mutex_lock(&dlock);
    s = h->SignalState;
    pthread_mutex_unlock(&dlock);
    return s;
}

/* ---- Events ---- */

VOID KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
    owsk_ke_init_object(&Event->Header,
                        Type == NotificationEvent ? OWSK_KOBJ_EVENT_NOTIFICATION
                                                  : OWSK_KOBJ_EVENT_SYNCHRONIZATION,
                        sizeof(KEVENT), State ? 1 : 0);
}

/* KeSetEvent: Increment is a priority boost (meaningless here) and Wait = TRUE does not
 * keep the dispatcher lock for the caller's next wait; both are accepted. */
LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    LONG prev;

    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, Event);
    pthread_mutex_lock(&dlock);
    check_header(&Event->Header, "KeSetEvent");
    prev = Event->Header.SignalState;
    Event->Header.SignalState = 1;
    owsk_ke_wake_locked(&Event->Header);
    pthread_mutex_unlock(&dlock);
    return prev;
}

LONG KeResetEvent(PRKEVENT Event)
{
    LONG prev;

    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, Event);
    pthread_mutex_lock(&dlock);
    prev = Event->Header.SignalState;
    Event->Header.SignalState = 0;
    pthread_mutex_unlock(&dlock);
    return prev;
}

VOID KeClearEvent(PRKEVENT Event)
{
    pthread_mutex_lock(&dlock);
    Event->Header.SignalState = 0;
    pthread_mutex_unlock(&dlock);
}

LONG KeReadStateEvent(PRKEVENT Event)
{
    return read_state(&Event->Header);
}

/* KePulseEvent: signals (satisfying current waiters), then resets; returns the old state. */
LONG KePulseEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    LONG prev;

    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, Event);
    pthread_mutex_lock(&dlock);
    check_header(&Event->Header, "KePulseEvent");
    prev = Event->Header.SignalState;
    Event->Header.SignalState = 1;
    owsk_ke_wake_locked(&Event->Header);
    Event->Header.SignalState = 0;
    pthread_mutex_unlock(&dlock);
    return prev;
}

/* ---- Semaphores ---- */

VOID KeInitializeSemaphore(PRKSEMAPHORE Semaphore, LONG Count, LONG Limit)
{
    owsk_ke_init_object(&Semaphore->Header, OWSK_KOBJ_SEMAPHORE, sizeof(KSEMAPHORE), Count);
    Semaphore->Limit = Limit;
}

/* KeReleaseSemaphore: going past Limit raises STATUS_SEMAPHORE_LIMIT_EXCEEDED on Windows;
 * nothing can catch a kernel exception here, so it is the bug check an unhandled one
 * gives (KMODE_EXCEPTION_NOT_HANDLED with that status). */
LONG KeReleaseSemaphore(PRKSEMAPHORE Semaphore, KPRIORITY Increment, LONG Adjustment, BOOLEAN Wait)
{
    LONG prev, limit;

    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, Semaphore);
    pthread_mutex_lock(&dlock);
    check_header(&Semaphore->Header, "KeReleaseSemaphore");
    prev = Semaphore->Header.SignalState;
    limit = Semaphore->Limit;
    if (Adjustment < 0 || prev > limit - Adjustment) {
        pthread_mutex_unlock(&dlock);
        owsk_ke_bugcheck(OWSK_BUGCHECK_KMODE_EXCEPTION_NOT_HANDLED,
                         (ULONG_PTR)(ULONG)STATUS_SEMAPHORE_LIMIT_EXCEEDED, (ULONG_PTR)Semaphore,
                         (ULONG_PTR)(LONG_PTR)Adjustment, (ULONG_PTR)(LONG_PTR)limit,
                         "KeReleaseSemaphore(%p, Adjustment %d): count %d would exceed Limit "
                         "%d (STATUS_SEMAPHORE_LIMIT_EXCEEDED)",
                         (void *)Semaphore, (int)Adjustment, (int)prev, (int)limit);
    }
    Semaphore->Header.SignalState = prev + Adjustment;
    owsk_ke_wake_locked(&Semaphore->Header);
    pthread_mutex_unlock(&dlock);
    return prev;
}

LONG KeReadStateSemaphore(PRKSEMAPHORE Semaphore)
{
    return read_state(&Semaphore->Header);
}

/* ---- Mutexes ---- */

/* KeInitializeMutex: Level is ignored, as on current Windows. */
VOID KeInitializeMutex(PRKMUTEX Mutex, ULONG Level)
{
    owsk_ke_init_object(&Mutex->Header, OWSK_KOBJ_MUTANT, sizeof(KMUTEX), 1);
    Mutex->OwnerThread = NULL;
    Mutex->Abandoned = FALSE;
    Mutex->ApcDisable = 1;
}

/* KeReleaseMutex by a thread that does not own it raises STATUS_MUTANT_NOT_OWNED on Windows:
 * the bug check of an unhandled kernel exception, as for semaphores. */
LONG KeReleaseMutex(PRKMUTEX Mutex, BOOLEAN Wait)
{
    PKTHREAD self = KeGetCurrentThread();
    LONG prev;

    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, Mutex);
    pthread_mutex_lock(&dlock);
    check_header(&Mutex->Header, "KeReleaseMutex");
    if (Mutex->OwnerThread != self || Mutex->Header.SignalState > 0) {
        PKTHREAD owner = Mutex->OwnerThread;
        pthread_mutex_unlock(&dlock);
        owsk_ke_bugcheck(
            OWSK_BUGCHECK_KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)(ULONG)STATUS_MUTANT_NOT_OWNED,
            (ULONG_PTR)Mutex, (ULONG_PTR)owner, (ULONG_PTR)self,
            "KeReleaseMutex(%p) by thread %p; %s (STATUS_MUTANT_NOT_OWNED)", (void *)Mutex,
            (void *)self, owner ? "another thread owns it" : "nobody owns it");
    }
    prev = Mutex->Header.SignalState;
    Mutex->Header.SignalState = prev + 1;
    if (prev + 1 == 1) {
        __atomic_sub_fetch(&self->mutexes_owned, 1, __ATOMIC_RELAXED);
        Mutex->OwnerThread = NULL;
        owsk_ke_wake_locked(&Mutex->Header);
    }
    pthread_mutex_unlock(&dlock);
    owsk_ke_hook_release(Mutex, OWSK_LOCK_MUTEX);
    return prev;
}

LONG KeReadStateMutex(PRKMUTEX Mutex)
{
    return read_state(&Mutex->Header);
}
