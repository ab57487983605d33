/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* System threads the way ECHO and L use them: PsCreateSystemThread, ObReferenceObjectByHandle
 * on the handle, ZwClose, KeWaitForSingleObject on the thread object (signalled at exit),
 * ObDereferenceObject; the start routine runs at PASSIVE_LEVEL with its creator's owner;
 * PsTerminateSystemThread ends it (and from a non-system thread returns
 * STATUS_INVALID_PARAMETER); thread ids, ClientId and per-driver live-thread counts; a thread
 * ending while it owns a KMUTEX bug checks THREAD_TERMINATE_HELD_MUTEX (child). */
#include "owsk_test.h"
#include "core/core.h"
#include "ob/ob.h"
#include "ps/ps.h"
#include "../ke/t_child.h"

static struct owsk_owner drv = {"psdrv", 5};
static KEVENT go;
static volatile LONG irql_ok, owner_ok;
static HANDLE seen_id;

static VOID start(PVOID ctx)
{
    LARGE_INTEGER t = {.QuadPart = -50000000LL};
    irql_ok = KeGetCurrentIrql() == PASSIVE_LEVEL;
    owner_ok = owsk_current_owner == &drv && ctx == &drv;
    seen_id = PsGetCurrentThreadId();
    KeWaitForSingleObject(&go, Executive, KernelMode, FALSE, &t);
    /* returning ends the thread like PsTerminateSystemThread(STATUS_SUCCESS) */
}

static VOID wait_go(PVOID ctx)
{
    LARGE_INTEGER t = {.QuadPart = -50000000LL};
    KeWaitForSingleObject(&go, Executive, KernelMode, FALSE, &t);
}

static VOID terminating(PVOID ctx)
{
    PsTerminateSystemThread(STATUS_UNSUCCESSFUL);
    *(volatile int *)ctx = 1; /* never reached */
}

static KMUTEX held;
static VOID exits_owning_mutex(PVOID ctx)
{
    KeWaitForSingleObject(&held, Executive, KernelMode, FALSE, NULL);
}

static void thread_ends_owning_mutex(void)
{
    HANDLE h;
    PVOID obj;
    LARGE_INTEGER t = {.QuadPart = -100000000LL};
    KeInitializeMutex(&held, 0);
    PsCreateSystemThread(&h, THREAD_ALL_ACCESS, NULL, NULL, NULL, exits_owning_mutex, NULL);
    ObReferenceObjectByHandle(h, 0, NULL, KernelMode, &obj, NULL);
    KeWaitForSingleObject(obj, Executive, KernelMode, FALSE, &t); /* the bug check ends it */
}

int main(void)
{
    HANDLE h = (HANDLE)0xdeadbeef;
    CLIENT_ID cid;
    PVOID obj = NULL;
    PVOID objs[3];
    struct owsk_owner *prev;
    LARGE_INTEGER t = {.QuadPart = -100000000LL}, zero = {.QuadPart = 0};
    int reached = 0;

    t_expect_bugcheck(thread_ends_owning_mutex, 0x4000008A, "THREAD_TERMINATE_HELD_MUTEX");

    KeInitializeEvent(&go, NotificationEvent, FALSE);
    CHECK_STATUS(PsTerminateSystemThread(STATUS_SUCCESS), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(PsCreateSystemThread(NULL, THREAD_ALL_ACCESS, NULL, NULL, NULL, start, NULL),
                 STATUS_INVALID_PARAMETER);

    /* ECHO's pattern. */
    prev = owsk_owner_enter(&drv);
    t_poison(&cid, sizeof(cid));
    CHECK_STATUS(PsCreateSystemThread(&h, THREAD_ALL_ACCESS, NULL, NULL, &cid, start, &drv),
                 STATUS_SUCCESS);
    owsk_owner_leave(prev);
    CHECK(((ULONG_PTR)h & 3) == 0 && h != NULL);
    CHECK(cid.UniqueProcess == PsGetCurrentProcessId());
    CHECK(((ULONG_PTR)cid.UniqueThread & 3) == 0);
    CHECK(cid.UniqueThread != PsGetCurrentThreadId());
    CHECK_UINT(owsk_ps_threads_outstanding(5), 1);
    CHECK_STATUS(ObReferenceObjectByHandle(h, THREAD_ALL_ACCESS, NULL, KernelMode, &obj, NULL),
                 STATUS_SUCCESS);
    CHECK(obj != NULL);
    CHECK_STATUS(ZwClose(h), STATUS_SUCCESS);
    CHECK_STATUS(ZwClose(h), STATUS_INVALID_HANDLE);
    /* Still running: not signalled. */
    CHECK_STATUS(KeWaitForSingleObject(obj, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
    KeSetEvent(&go, 0, FALSE);
    CHECK_STATUS(KeWaitForSingleObject(obj, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
    CHECK(seen_id == cid.UniqueThread);
    CHECK(((PKTHREAD)obj)->exit_status == STATUS_SUCCESS);
    CHECK_INT(irql_ok, 1);
    CHECK_INT(owner_ok, 1);
    CHECK_UINT(owsk_ps_threads_outstanding(5), 0);
    /* The exiting thread drops its own reference just after signalling. */
    {
        uint64_t end = t_now_ms() + 5000;
        LARGE_INTEGER step = {.QuadPart = -10000LL};
        while (owsk_ob_refs(obj) > 1 && t_now_ms() < end)
            KeDelayExecutionThread(KernelMode, FALSE, &step);
    }
    CHECK_INT(owsk_ob_refs(obj), 1); /* ours only: handle closed, thread gone */
    ObDereferenceObject(obj);
    CHECK_INT(owsk_ob_refs(obj), -1); /* freed */

    /* L's pattern: WaitAll on three thread objects referenced WithTag by type. */
    KeResetEvent(&go);
    for (int i = 0; i < 3; i++) {
        CHECK_STATUS(
            PsCreateSystemThread(&h, SYNCHRONIZE, NULL, NtCurrentProcess(), NULL, wait_go, NULL),
            STATUS_SUCCESS);
        CHECK_STATUS(ObReferenceObjectByHandleWithTag(h, SYNCHRONIZE, *PsThreadType, KernelMode,
                                                      'rhTL', &objs[i], NULL),
                     STATUS_SUCCESS);
        ZwClose(h);
    }
    KeSetEvent(&go, 0, FALSE);
    CHECK_STATUS(KeWaitForMultipleObjects(3, objs, WaitAll, Executive, KernelMode, FALSE, &t, NULL),
                 STATUS_SUCCESS);
    for (int i = 0; i < 3; i++)
        ObDereferenceObjectWithTag(objs[i], 'rhTL');

    /* PsTerminateSystemThread from the thread itself: the status is kept, nothing after it
     * runs. */
    CHECK_STATUS(
        PsCreateSystemThread(&h, THREAD_ALL_ACCESS, NULL, NULL, NULL, terminating, &reached),
        STATUS_SUCCESS);
    CHECK_STATUS(ObReferenceObjectByHandle(h, 0, *PsThreadType, KernelMode, &obj, NULL),
                 STATUS_SUCCESS);
    ZwClose(h);
    CHECK_STATUS(KeWaitForSingleObject(obj, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
    CHECK(((PKTHREAD)obj)->exit_status == STATUS_UNSUCCESSFUL);
    CHECK_INT(reached, 0);
    ObDereferenceObject(obj);

    /* Identity of the calling (non-system) thread. */
    CHECK(PsGetCurrentThread() == (PETHREAD)KeGetCurrentThread());
    CHECK(PsGetCurrentThreadId() == PsGetCurrentThreadId());
    CHECK(PsGetCurrentProcess() == IoGetCurrentProcess());
    CHECK(PsIsSystemThread(PsGetCurrentThread()));
    CHECK_INT(KeSetPriorityThread(KeGetCurrentThread(), 12), 8);
    CHECK_INT(KeQueryPriorityThread(KeGetCurrentThread()), 12);

    return t_done();
}
