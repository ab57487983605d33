/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* System threads and thread identity: PsCreateSystemThread (a detached pthread at
 * PASSIVE_LEVEL running with its creator's owner), PsTerminateSystemThread, the thread
 * object every thread gets (waitable, signalled when it ends), PsGetCurrent*, the one
 * process. Priorities are recorded, not applied; there are no APCs, impersonation or
 * thread/process notification callbacks. */
#include <setjmp.h>
#include <stdlib.h>

#include <wdm.h>

#include "core/core.h"
#include "ke/ke.h"
#include "ob/ob.h"
#include "ps/ps.h"

#define SYSTEM_PROCESS_ID ((HANDLE)(uintptr_t)4)

static _Thread_local PKTHREAD self;
/* Where PsTerminateSystemThread jumps to in system_thread_main (system threads only). */
static _Thread_local jmp_buf *exit_jmp;
static uintptr_t next_id = 0x100; /* atomic; ids advance by 4 like Windows client ids */

/* Set once by init_once (under `once`), read-only afterwards. */
static pthread_key_t foreign_key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static PEPROCESS process;

/* Live system threads per owner; guarded by count_lock. */
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static struct owsk_owner_counts counts;

static void count_add(struct owsk_owner *o, int delta)
{
    uint64_t *n;

    pthread_mutex_lock(&count_lock);
    n = owsk_owner_counter(&counts, o ? o->id : 0);
    if (n)
        *n += delta;
    pthread_mutex_unlock(&count_lock);
}

uint64_t owsk_ps_threads_outstanding(unsigned owner_id)
{
    uint64_t *c, n;

    pthread_mutex_lock(&count_lock);
    c = owsk_owner_counter(&counts, owner_id);
    n = c ? *c : 0;
    pthread_mutex_unlock(&count_lock);
    return n;
}

/* Thread: a thread ps did not start, at its exit (pthread key destructor). */
static void foreign_exit(void *p)
{
    PKTHREAD t = p;
    owsk_ke_signal_object(&t->Header, 1);
    self = NULL;
    ObfDereferenceObject(t);
}

static void init_once(void)
{
    pthread_key_create(&foreign_key, foreign_exit);
    process = owsk_ob_create(&owsk_ob_process_type, 256, NULL, NULL);
    if (!process)
        abort();
    owsk_ke_init_object((DISPATCHER_HEADER *)process, OWSK_KOBJ_PROCESS, sizeof(DISPATCHER_HEADER),
                        0);
}

static PKTHREAD new_thread(void)
{
    PKTHREAD t = owsk_ob_create(&owsk_ob_thread_type, sizeof(*t), NULL, NULL);
    if (!t)
        return NULL;
    owsk_ke_init_object(&t->Header, OWSK_KOBJ_THREAD, sizeof(*t), 0);
    t->id = (HANDLE)__atomic_fetch_add(&next_id, 4, __ATOMIC_RELAXED);
    t->priority = 8; /* LOW_REALTIME_PRIORITY would be 16; 8 is a normal thread */
    return t;
}

PKTHREAD owsk_ps_current_thread_object(void)
{
    if (self)
        return self;
    pthread_once(&once, init_once);
    PKTHREAD t = new_thread();
    if (!t)
        abort(); /* every DDI below assumes a thread object; nothing sensible to return */
    self = t;
    pthread_setspecific(foreign_key, t);
    return t;
}

PEPROCESS owsk_ps_process_object(void)
{
    pthread_once(&once, init_once);
    return process;
}

static void finish(PKTHREAD t, NTSTATUS status)
{
    t->exit_status = status;
    count_add(t->owner, -1);
    owsk_ke_signal_object(&t->Header, 1); /* waiters see exit_status through the lock */
    self = NULL;
    ObfDereferenceObject(t); /* the running thread's reference */
}

LONG owsk_ps_mutexes_owned(void)
{
    PKTHREAD t = self;
    return t ? __atomic_load_n(&t->mutexes_owned, __ATOMIC_RELAXED) : 0;
}

/* Thread: a new system thread. IRQL: PASSIVE_LEVEL. Locks: none.
 * PsTerminateSystemThread longjmps back here instead of unwinding (pthread_exit) through the
 * driver's frames: the thread object is signalled only once no driver frame is left, so the
 * driver may be unloaded as soon as its wait on the thread returns. */
static void *system_thread_main(void *arg)
{
    PKTHREAD t = arg;
    jmp_buf jb;

    owsk_ke_fault_thread_init(); /* a signal stack, so a stack overflow is reported */
    self = t;
    owsk_current_owner = t->owner;
    owsk_ke_irql_set(PASSIVE_LEVEL);
    exit_jmp = &jb;
    if (setjmp(jb) == 0) {
        t->start(t->context);
        t->exit_status = STATUS_SUCCESS;
    }
    exit_jmp = NULL;
    if (owsk_ps_mutexes_owned() > 0)
        owsk_ke_bugcheck(0x4000008A /* THREAD_TERMINATE_HELD_MUTEX */, (ULONG_PTR)t,
                         (ULONG_PTR)t->start, (ULONG_PTR)owsk_ps_mutexes_owned(), 0,
                         "system thread %p (start routine %p) ended owning %d KMUTEX(es)",
                         (void *)t, (void *)t->start, (int)owsk_ps_mutexes_owned());
    owsk_current_owner = NULL;
    owsk_ke_irql_set(PASSIVE_LEVEL);
    finish(t, t->exit_status);
    return NULL;
}

/* PsCreateSystemThread: DesiredAccess is recorded on the handle; ObjectAttributes are
 * ignored (every handle is a kernel handle); ProcessHandle may be NULL or the current
 * process (the only one). */
NTSTATUS PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess,
                              POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle,
                              PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine, PVOID StartContext)
{
    pthread_attr_t attr;
    pthread_t th;
    HANDLE h;
    NTSTATUS status;
    PKTHREAD t;

    OWSK_ASSERT_IRQL_LE(PASSIVE_LEVEL, StartRoutine);
    if (!ThreadHandle || !StartRoutine)
        return STATUS_INVALID_PARAMETER;
    pthread_once(&once, init_once);
    if (ProcessHandle && ProcessHandle != NtCurrentProcess()) {
        void *p = owsk_ob_handle_lookup(ProcessHandle, &owsk_ob_process_type, NULL, &status);
        if (!p)
            return status;
        ObfDereferenceObject(p);
    }
    t = new_thread();
    if (!t)
        return STATUS_INSUFFICIENT_RESOURCES;
    t->owner = owsk_current_owner;
    t->system = true;
    t->start = StartRoutine;
    t->context = StartContext;
    status = owsk_ob_handle_create(t, DesiredAccess, &h);
    if (!NT_SUCCESS(status)) {
        ObfDereferenceObject(t);
        return status;
    }
    count_add(t->owner, +1);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    /* From here the new thread owns the creation reference. */
    if (pthread_create(&th, &attr, system_thread_main, t) != 0) {
        pthread_attr_destroy(&attr);
        count_add(t->owner, -1);
        owsk_ob_handle_close(h);
        ObfDereferenceObject(t);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    pthread_attr_destroy(&attr);
    if (ClientId) {
        ClientId->UniqueProcess = SYSTEM_PROCESS_ID;
        ClientId->UniqueThread = t->id; /* t is alive: the handle holds a reference */
    }
    *ThreadHandle = h;
    return STATUS_SUCCESS;
}

/* PsTerminateSystemThread: from a thread PsCreateSystemThread did not create it returns
 * STATUS_INVALID_PARAMETER, as documented. */
NTSTATUS PsTerminateSystemThread(NTSTATUS ExitStatus)
{
    PKTHREAD t = self;

    if (!t || !t->system || !exit_jmp)
        return STATUS_INVALID_PARAMETER;
    t->exit_status = ExitStatus;
    longjmp(*exit_jmp, 1);
}

HANDLE PsGetCurrentThreadId(VOID)
{
    return owsk_ps_current_thread_object()->id;
}

HANDLE PsGetCurrentProcessId(VOID)
{
    return SYSTEM_PROCESS_ID;
}

PKTHREAD KeGetCurrentThread(VOID)
{
    return owsk_ps_current_thread_object();
}

PEPROCESS IoGetCurrentProcess(VOID)
{
    return owsk_ps_process_object();
}

/* Every thread in the host runs kernel code. */
BOOLEAN PsIsSystemThread(PETHREAD Thread)
{
    return TRUE;
}

/* KeSetPriorityThread: recorded and returned, not applied to the pthread. */
KPRIORITY KeSetPriorityThread(PKTHREAD Thread, KPRIORITY Priority)
{
    KPRIORITY old = __atomic_exchange_n(&Thread->priority, Priority, __ATOMIC_RELAXED);
    return old;
}

/* KeSetBasePriorityThread: recorded (as an increment) and returned, not applied. */
LONG KeSetBasePriorityThread(PKTHREAD Thread, LONG Increment)
{
    return __atomic_exchange_n(&Thread->base_increment, Increment, __ATOMIC_RELAXED);
}

KPRIORITY KeQueryPriorityThread(PKTHREAD Thread)
{
    return __atomic_load_n(&Thread->priority, __ATOMIC_RELAXED);
}
