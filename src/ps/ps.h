/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ps internals: the thread object behind PETHREAD/PKTHREAD (waitable: its dispatcher header
 * is signalled when the thread ends), the one process object, and per-driver thread counts. */
#ifndef OWSK_PS_PS_H
#define OWSK_PS_PS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <wdm.h>

struct owsk_owner;

/* The thread object (an ob object of type "Thread"). PKTHREAD and PETHREAD both point here;
 * Header comes first so KeWaitForSingleObject(thread) sees a dispatcher object. */
struct _KTHREAD {
    DISPATCHER_HEADER Header;
    HANDLE id;                /* PsGetCurrentThreadId(): a multiple of 4, never reused */
    struct owsk_owner *owner; /* driver that created it (system threads) */
    bool system;              /* created by PsCreateSystemThread */
    PKSTART_ROUTINE start;
    PVOID context;
    NTSTATUS exit_status;
    KPRIORITY priority;
    LONG base_increment;
    LONG mutexes_owned; /* KMUTEXes owned (dispatcher lock; read atomically by the thread) */
};

/* The calling thread's object (created on first use for threads ps did not start). */
PKTHREAD owsk_ps_current_thread_object(void);
/* The one process object (PsGetCurrentProcess). */
PEPROCESS owsk_ps_process_object(void);
/* KMUTEXes the calling thread owns (0 for a thread that never waited on one). */
LONG owsk_ps_mutexes_owned(void);
/* Live system threads a driver created (leak reports, unload checks). */
uint64_t owsk_ps_threads_outstanding(unsigned owner_id);

#endif
