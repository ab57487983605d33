/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ke internals other rooms use: per-thread IRQL without checks (to run callbacks at
 * DISPATCH_LEVEL), bug checks with a human reason, the dispatcher hooks for waitable objects
 * of other rooms (thread objects), Windows time conversions and leak counters. */
#ifndef OWSK_KE_KE_H
#define OWSK_KE_KE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <wdm.h>

/* ---- IRQL (irql.c) ---- */

/* Sets the calling thread's IRQL without the raise/lower rules; returns the previous one.
 * For code that calls out to drivers at a given IRQL (completion routines and WSK callbacks
 * at DISPATCH_LEVEL, work items at PASSIVE_LEVEL) and restores it afterwards. */
KIRQL owsk_ke_irql_set(KIRQL irql);
KIRQL owsk_ke_irql_get(void);

/* Bug checks IRQL_NOT_LESS_OR_EQUAL (0xA) naming ddi when the caller's IRQL is above max. */
void owsk_ke_irql_check_le(KIRQL max, const char *ddi, const void *object);
#define OWSK_ASSERT_IRQL_LE(max, obj)                                                              \
    do {                                                                                           \
        if (__builtin_expect(owsk_ke_irql_get() > (max), 0))                                       \
            owsk_ke_irql_check_le((max), __func__, (obj));                                         \
    } while (0)

/* ---- Bug checks (bugcheck.c) ---- */

/* Windows bug-check codes used across rooms. */
#define OWSK_BUGCHECK_IRQL_NOT_GREATER_OR_EQUAL 0x09
#define OWSK_BUGCHECK_IRQL_NOT_LESS_OR_EQUAL 0x0A
#define OWSK_BUGCHECK_MAXIMUM_WAIT_OBJECTS_EXCEEDED 0x0C
#define OWSK_BUGCHECK_SPIN_LOCK_ALREADY_OWNED 0x0F
#define OWSK_BUGCHECK_SPIN_LOCK_NOT_OWNED 0x10
#define OWSK_BUGCHECK_REFERENCE_BY_POINTER 0x18
#define OWSK_BUGCHECK_KMODE_EXCEPTION_NOT_HANDLED 0x1E
#define OWSK_BUGCHECK_MULTIPLE_IRP_COMPLETE_REQUESTS 0x44
#define OWSK_BUGCHECK_PAGE_FAULT_IN_NONPAGED_AREA 0x50
#define OWSK_BUGCHECK_INVALID_KERNEL_HANDLE 0x93
#define OWSK_BUGCHECK_BAD_POOL_CALLER 0xC2
#define OWSK_BUGCHECK_DRIVER_VERIFIER_DETECTED_VIOLATION 0xC4
#define OWSK_BUGCHECK_TIMER_OR_DPC_INVALID 0xC7
#define OWSK_BUGCHECK_IRQL_UNEXPECTED_VALUE 0xC8
#define OWSK_BUGCHECK_DRIVER_IRQL_NOT_LESS_OR_EQUAL 0xD1
#define OWSK_BUGCHECK_WORKER_THREAD_RETURNED_AT_BAD_IRQL 0xE1

/* The process exit status of a bug check: the code's low byte (0xD1 -> 209), or 255 when
 * that byte is 0 (so a bug check never looks like success). */
int owsk_ke_bugcheck_exit_status(ULONG code);

/* KeBugCheckEx plus a sentence saying what went wrong, printed with the report. */
__attribute__((noreturn, format(printf, 6, 7))) void owsk_ke_bugcheck(ULONG code, ULONG_PTR p1,
                                                                      ULONG_PTR p2, ULONG_PTR p3,
                                                                      ULONG_PTR p4,
                                                                      const char *why_fmt, ...);

/* Called once with the report before the process stops (the verifier writes its JSON
 * record here). Must not return to driver code or take locks the failing thread may hold. */
typedef void (*owsk_ke_bugcheck_hook_fn)(ULONG code, const ULONG_PTR params[4], const char *why);
void owsk_ke_set_bugcheck_hook(owsk_ke_bugcheck_hook_fn fn);

/* Name of a bug-check code ("DRIVER_IRQL_NOT_LESS_OR_EQUAL"), or NULL if unknown. */
const char *owsk_ke_bugcheck_name(ULONG code);

/* Makes the calling thread the one that reports and stops the process. Returns true the
 * first time; false if this thread already claimed it (it faulted inside its own report:
 * the caller should _exit at once); never returns if another thread is stopping.
 * Async-signal-safe. */
bool owsk_ke_bugcheck_claim(void);

/* ---- Faults (fault.c) ---- */

/* Installs SIGSEGV/SIGBUS/SIGILL/SIGFPE handlers that report the fault as the bug check
 * Windows raises (0x50 for a bad address, 0x1E for an illegal instruction or a divide by
 * zero) and exit with its status, plus a signal stack for the calling thread. Does nothing
 * in a sanitizer build, with OWSK_NO_FAULT_HANDLER set (non-empty, not "0"), or for a signal
 * that already has a handler. Idempotent. */
void owsk_ke_fault_handler_install(void);
/* True once the SIGSEGV handler is ours. */
bool owsk_ke_fault_handler_installed(void);
/* Gives the calling thread its own signal stack (freed at thread exit), so a stack overflow
 * is reported too; a no-op before install or when the thread has one. Threads the runtime
 * creates call it first thing; without it a NULL dereference is still reported, a stack
 * overflow is not. */
void owsk_ke_fault_thread_init(void);

/* ---- Dispatcher (dispatcher.c) ---- */

/* DISPATCHER_HEADER.Type values (the kernel's KOBJECTS numbering). */
enum {
    OWSK_KOBJ_EVENT_NOTIFICATION = 0,
    OWSK_KOBJ_EVENT_SYNCHRONIZATION = 1,
    OWSK_KOBJ_MUTANT = 2,
    OWSK_KOBJ_PROCESS = 3,
    OWSK_KOBJ_QUEUE = 4,
    OWSK_KOBJ_SEMAPHORE = 5,
    OWSK_KOBJ_THREAD = 6,
    OWSK_KOBJ_GATE = 7,
    OWSK_KOBJ_TIMER_NOTIFICATION = 8,
    OWSK_KOBJ_TIMER_SYNCHRONIZATION = 9,
};

/* The one dispatcher lock: guards every DISPATCHER_HEADER, the timer queue and wait blocks.
 * Never held while calling driver code. */
void owsk_ke_dispatcher_lock(void);
void owsk_ke_dispatcher_unlock(void);
/* The mutex itself, for the timer thread's condition variable. */
pthread_mutex_t *owsk_ke_dispatcher_mutex(void);
/* Condition-variable attributes with CLOCK_MONOTONIC (deadlines are interrupt time). */
const pthread_condattr_t *owsk_ke_condattr(void);
/* A monotonic deadline in 100 ns units as a CLOCK_MONOTONIC timespec. */
struct timespec owsk_ke_deadline_timespec(uint64_t deadline);
/* With the dispatcher lock held: wake whatever h's current state satisfies. */
void owsk_ke_wake_locked(DISPATCHER_HEADER *h);

/* Prepares a DISPATCHER_HEADER of another room's waitable object (ThreadObject, ...).
 * size is the object's size in bytes; signal the initial SignalState. */
void owsk_ke_init_object(DISPATCHER_HEADER *h, UCHAR type, size_t size, LONG signal);
/* Sets SignalState to state under the dispatcher lock and wakes every waiter the new state
 * satisfies (a thread object at exit: owsk_ke_signal_object(&thread->Header, 1)). */
void owsk_ke_signal_object(DISPATCHER_HEADER *h, LONG state);

/* A Windows timeout (NULL infinite, 0 poll, <0 relative 100 ns, >0 absolute system time) as
 * a monotonic deadline in 100 ns units (KeQueryInterruptTime scale). Returns false for
 * "infinite". */
bool owsk_ke_timeout_deadline(const LARGE_INTEGER *timeout, uint64_t *ret_deadline);

/* ---- Timers and DPCs (timer.c, dpc.c) ---- */

/* Timers still queued / DPCs still queued for a driver (leak reports, unload checks). */
uint64_t owsk_ke_timers_outstanding(unsigned owner_id);
uint64_t owsk_ke_dpcs_outstanding(unsigned owner_id);
/* Bug checks if [p, p + len) holds a queued KTIMER (0xC4/0x15) or KDPC (0xC7/1): pool calls
 * it before freeing a block so a driver freeing a live timer is caught at the free, not as
 * a crash in the timer thread later. */
void owsk_ke_check_free(const void *p, size_t len, ULONG pool_type);
void owsk_ke_timer_check_free(const void *p, size_t len, ULONG pool_type);
/* Queues a DPC from inside ke (timer expiry) with the dispatcher lock held. */
BOOLEAN owsk_ke_queue_dpc(PKDPC dpc, PVOID arg1, PVOID arg2);

/* ---- Time (time.c) ---- */

/* 100 ns units between 1601-01-01 and 1970-01-01. */
#define OWSK_EPOCH_DIFF_100NS 116444736000000000LL
/* System time (100 ns since 1601, CLOCK_REALTIME) and interrupt time (100 ns, monotonic). */
int64_t owsk_ke_system_time(void);
uint64_t owsk_ke_interrupt_time(void);

/* ---- Synchronisation hooks (irql.c) ---- */

/* Kinds of locks reported to the hooks. */
enum owsk_ke_lock_kind {
    OWSK_LOCK_SPIN,               /* KSPIN_LOCK, every acquire form (cancel lock too) */
    OWSK_LOCK_MUTEX,              /* KMUTEX, acquired by a wait */
    OWSK_LOCK_FAST_MUTEX,         /* FAST_MUTEX */
    OWSK_LOCK_RESOURCE_SHARED,    /* ERESOURCE */
    OWSK_LOCK_RESOURCE_EXCLUSIVE, /* ERESOURCE */
};

/* For the verifier (lock-order graph, delay fuzzing). acquire runs in the acquiring thread
 * before it may block for the lock (spin locks, fast mutexes, mutexes; after success for the
 * TryToAcquire forms and for ERESOURCEs, where the kind is only known then), release after
 * the lock is released, wait before a dispatcher wait. No internal lock is held; the hooks
 * must not block or call back into locking DDIs on the same lock. */
struct owsk_ke_sync_hooks {
    void (*acquire)(const void *lock, enum owsk_ke_lock_kind kind, void *ctx);
    void (*release)(const void *lock, enum owsk_ke_lock_kind kind, void *ctx);
    void (*wait)(ULONG count, void *const *objects, const LARGE_INTEGER *timeout, void *ctx);
    void *ctx;
};
void owsk_ke_set_sync_hooks(const struct owsk_ke_sync_hooks *hooks);
/* Internal: report to the installed hooks (cheap when none are). */
extern const struct owsk_ke_sync_hooks *owsk_ke_sync_hooks_installed;
static inline void owsk_ke_hook_acquire(const void *lock, enum owsk_ke_lock_kind kind)
{
    const struct owsk_ke_sync_hooks *h =
        __atomic_load_n(&owsk_ke_sync_hooks_installed, __ATOMIC_ACQUIRE);
    if (__builtin_expect(h != NULL, 0) && h->acquire)
        h->acquire(lock, kind, h->ctx);
}
static inline void owsk_ke_hook_release(const void *lock, enum owsk_ke_lock_kind kind)
{
    const struct owsk_ke_sync_hooks *h =
        __atomic_load_n(&owsk_ke_sync_hooks_installed, __ATOMIC_ACQUIRE);
    if (__builtin_expect(h != NULL, 0) && h->release)
        h->release(lock, kind, h->ctx);
}

/* ---- Spin locks (spinlock.c) ---- */

/* The value a spin lock held by the calling thread contains (unique per thread for the
 * process lifetime; never 0). */
ULONG_PTR owsk_ke_thread_token(void);

#endif
