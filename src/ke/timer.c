/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel timers: KeInitializeTimer(Ex), KeSetTimer(Ex), KeCancelTimer, KeReadStateTimer.
 * One timer thread sleeps until the earliest due time of a queue sorted by due time (linked
 * through KTIMER.TimerListEntry; O(n) insertion, fine for the tens of timers drivers use).
 * Absolute due times are converted to interrupt time when set and do not follow later
 * changes of the system clock; tolerable delay is not modelled (no coalescing). */
#include <string.h>

#include <wdm.h>

#include "core/core.h"
#include "ke/ke.h"

/* Guarded by the dispatcher lock, like the timers' headers. */
static LIST_ENTRY timer_queue = {&timer_queue, &timer_queue};
static pthread_cond_t timer_cv;
static pthread_once_t timer_once = PTHREAD_ONCE_INIT;

static bool queued(PKTIMER t)
{
    return t->TimerListEntry.Flink != NULL;
}

static void unqueue(PKTIMER t)
{
    RemoveEntryList(&t->TimerListEntry);
    t->TimerListEntry.Flink = t->TimerListEntry.Blink = NULL;
}

/* Dispatcher lock held. Returns true if t became the first (earliest) timer. */
static bool enqueue(PKTIMER t)
{
    PLIST_ENTRY e;

    for (e = timer_queue.Flink; e != &timer_queue; e = e->Flink) {
        PKTIMER o = CONTAINING_RECORD(e, KTIMER, TimerListEntry);
        if (o->DueTime.QuadPart > t->DueTime.QuadPart)
            break;
    }
    /* insert before e */
    t->TimerListEntry.Flink = e;
    t->TimerListEntry.Blink = e->Blink;
    e->Blink->Flink = &t->TimerListEntry;
    e->Blink = &t->TimerListEntry;
    return timer_queue.Flink == &t->TimerListEntry;
}

/* Thread: the timer thread. IRQL: PASSIVE_LEVEL (it never calls driver code: expiry only
 * signals and queues the DPC). Locks: the dispatcher lock held. */
static void expire_locked(PKTIMER t, uint64_t now)
{
    int64_t st = owsk_ke_system_time();

    unqueue(t);
    t->Header.SignalState = 1;
    owsk_ke_wake_locked(&t->Header);
    if (t->Period > 0) {
        uint64_t next = t->DueTime.QuadPart + (uint64_t)t->Period * 10000ULL;
        t->DueTime.QuadPart = next > now ? next : now + (uint64_t)t->Period * 10000ULL;
        enqueue(t);
    }
    if (t->Dpc)
        owsk_ke_queue_dpc(t->Dpc, (PVOID)(ULONG_PTR)(ULONG)(st & 0xffffffff),
                          (PVOID)(ULONG_PTR)(ULONG)((uint64_t)st >> 32));
}

/* Thread: the timer thread. IRQL: PASSIVE_LEVEL. Locks: holds the dispatcher lock except
 * while waiting for the earliest due time. */
static void *timer_thread(void *arg)
{
    pthread_mutex_t *m = owsk_ke_dispatcher_mutex();

    owsk_ke_fault_thread_init(); /* a signal stack, so a stack overflow is reported */
    pthread_setname_np(pthread_self(), "owsk-timer");
    pthread_mutex_lock(m);
    for (;;) {
        if (IsListEmpty(&timer_queue)) {
            pthread_cond_wait(&timer_cv, m);
            continue;
        }
        PKTIMER t = CONTAINING_RECORD(timer_queue.Flink, KTIMER, TimerListEntry);
        uint64_t now = owsk_ke_interrupt_time();
        if (t->DueTime.QuadPart > now) {
            struct timespec ts = owsk_ke_deadline_timespec(t->DueTime.QuadPart);
            pthread_cond_timedwait(&timer_cv, m, &ts);
            continue;
        }
        expire_locked(t, now);
    }
    return NULL;
}

static void timer_start(void)
{
    pthread_t th;
    pthread_attr_t a;

    pthread_cond_init(&timer_cv, owsk_ke_condattr());
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &a, timer_thread, NULL) != 0)
        owsk_ke_bugcheck(OWSK_BUGCHECK_KMODE_EXCEPTION_NOT_HANDLED,
                         (ULONG_PTR)(ULONG)STATUS_INSUFFICIENT_RESOURCES, 0, 0, 0,
                         "cannot start the timer thread");
    pthread_attr_destroy(&a);
}

VOID KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type)
{
    PLIST_ENTRY e;

    /* Re-initialising a queued timer corrupts the queue on Windows; here it is unqueued. */
    owsk_ke_dispatcher_lock();
    for (e = timer_queue.Flink; e != &timer_queue; e = e->Flink) {
        if (e == &Timer->TimerListEntry) {
            OWSK_WARN(OWSK_CH_KE, "timer %p re-initialised while queued", (void *)Timer);
            unqueue(Timer);
            break;
        }
    }
    owsk_ke_dispatcher_unlock();
    owsk_ke_init_object(&Timer->Header,
                        Type == NotificationTimer ? OWSK_KOBJ_TIMER_NOTIFICATION
                                                  : OWSK_KOBJ_TIMER_SYNCHRONIZATION,
                        sizeof(KTIMER), 0);
    Timer->DueTime.QuadPart = 0;
    Timer->TimerListEntry.Flink = Timer->TimerListEntry.Blink = NULL;
    Timer->Dpc = NULL;
    Timer->Processor = 0;
    Timer->Period = 0;
}

VOID KeInitializeTimer(PKTIMER Timer)
{
    KeInitializeTimerEx(Timer, NotificationTimer);
}

/* KeSetTimerEx: Timer->Processor records the owner id (for leak reports) instead of a CPU. */
BOOLEAN KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc)
{
    uint64_t due;
    BOOLEAN was;
    struct owsk_owner *o = owsk_current_owner;

    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, Timer);
    pthread_once(&timer_once, timer_start);
    owsk_ke_timeout_deadline(&DueTime, &due);
    owsk_ke_dispatcher_lock();
    if (!Timer->Header.WaitListHead.Flink)
        InitializeListHead(&Timer->Header.WaitListHead);
    was = queued(Timer);
    if (was)
        unqueue(Timer);
    Timer->DueTime.QuadPart = due;
    Timer->Period = Period > 0 ? (ULONG)Period : 0;
    Timer->Dpc = Dpc;
    Timer->Processor = o ? o->id : 0;
    Timer->Header.SignalState = 0;
    if (enqueue(Timer))
        pthread_cond_signal(&timer_cv);
    owsk_ke_dispatcher_unlock();
    return was;
}

BOOLEAN KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc)
{
    return KeSetTimerEx(Timer, DueTime, 0, Dpc);
}

BOOLEAN KeCancelTimer(PKTIMER Timer)
{
    BOOLEAN was;

    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, Timer);
    owsk_ke_dispatcher_lock();
    was = queued(Timer);
    if (was)
        unqueue(Timer);
    owsk_ke_dispatcher_unlock();
    return was;
}

BOOLEAN KeReadStateTimer(PKTIMER Timer)
{
    BOOLEAN s;

    owsk_ke_dispatcher_lock();
    s = Timer->Header.SignalState > 0;
    owsk_ke_dispatcher_unlock();
    return s;
}

uint64_t owsk_ke_timers_outstanding(unsigned owner_id)
{
    uint64_t n = 0;
    PLIST_ENTRY e;

    owsk_ke_dispatcher_lock();
    for (e = timer_queue.Flink; e != &timer_queue; e = e->Flink)
        if (CONTAINING_RECORD(e, KTIMER, TimerListEntry)->Processor == owner_id)
            n++;
    owsk_ke_dispatcher_unlock();
    return n;
}

void owsk_ke_timer_check_free(const void *p, size_t len, ULONG pool_type)
{
    const char *lo = p, *hi = lo + len;
    PLIST_ENTRY e;

    owsk_ke_dispatcher_lock();
    for (e = timer_queue.Flink; e != &timer_queue; e = e->Flink) {
        PKTIMER t = CONTAINING_RECORD(e, KTIMER, TimerListEntry);
        if ((const char *)t >= lo && (const char *)t < hi) {
            owsk_ke_dispatcher_unlock();
            owsk_ke_bugcheck(OWSK_BUGCHECK_DRIVER_VERIFIER_DETECTED_VIOLATION, 0x15, (ULONG_PTR)t,
                             pool_type, (ULONG_PTR)p,
                             "freeing pool block %p that holds the queued KTIMER %p "
                             "(KeCancelTimer it first)",
                             p, (void *)t);
        }
    }
    owsk_ke_dispatcher_unlock();
}
