/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* KeBugCheckEx/KeBugCheck: print the stop code, its parameters, its name, the driver and the
 * reason, then stop the process with exit status = the code's low byte (255 if that is 0).
 * There is no crash dump and no way to continue; the verifier's hook can record a report. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <wdm.h>

#include "core/core.h"
#include "ke/ke.h"

static const struct {
    ULONG code;
    const char *name;
} names[] = {
    {0x01, "APC_INDEX_MISMATCH"},
    {0x04, "INVALID_DATA_ACCESS_TRAP"},
    {0x09, "IRQL_NOT_GREATER_OR_EQUAL"},
    {0x0A, "IRQL_NOT_LESS_OR_EQUAL"},
    {0x0C, "MAXIMUM_WAIT_OBJECTS_EXCEEDED"},
    {0x0D, "MUTEX_LEVEL_NUMBER_VIOLATION"},
    {0x0F, "SPIN_LOCK_ALREADY_OWNED"},
    {0x10, "SPIN_LOCK_NOT_OWNED"},
    {0x11, "THREAD_NOT_MUTEX_OWNER"},
    {0x18, "REFERENCE_BY_POINTER"},
    {0x19, "BAD_POOL_HEADER"},
    {0x1E, "KMODE_EXCEPTION_NOT_HANDLED"},
    {0x20, "KERNEL_APC_PENDING_DURING_EXIT"},
    {0x35, "NO_MORE_IRP_STACK_LOCATIONS"},
    {0x39, "SYSTEM_EXIT_OWNED_MUTEX"},
    {0x3B, "SYSTEM_SERVICE_EXCEPTION"},
    {0x44, "MULTIPLE_IRP_COMPLETE_REQUESTS"},
    {0x48, "CANCEL_STATE_IN_COMPLETED_IRP"},
    {0x4A, "IRQL_GT_ZERO_AT_SYSTEM_SERVICE"},
    {0x50, "PAGE_FAULT_IN_NONPAGED_AREA"},
    {0x7E, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED"},
    {0x93, "INVALID_KERNEL_HANDLE"},
    {0xB8, "ATTEMPTED_SWITCH_FROM_DPC"},
    {0xC1, "SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION"},
    {0xC2, "BAD_POOL_CALLER"},
    {0xC4, "DRIVER_VERIFIER_DETECTED_VIOLATION"},
    {0xC5, "DRIVER_CORRUPTED_EXPOOL"},
    {0xC7, "TIMER_OR_DPC_INVALID"},
    {0xC8, "IRQL_UNEXPECTED_VALUE"},
    {0xC9, "DRIVER_VERIFIER_IOMANAGER_VIOLATION"},
    {0xCB, "DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS"},
    {0xCC, "PAGE_FAULT_IN_FREED_SPECIAL_POOL"},
    {0xCE, "DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS"},
    {0xD1, "DRIVER_IRQL_NOT_LESS_OR_EQUAL"},
    {0xD5, "DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL"},
    {0xD6, "DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION"},
    {0xE1, "WORKER_THREAD_RETURNED_AT_BAD_IRQL"},
    {0xE2, "MANUALLY_INITIATED_CRASH"},
    {0xE4, "WORKER_INVALID"},
    {0xF7, "DRIVER_OVERRAN_STACK_BUFFER"},
    {0x133, "DPC_WATCHDOG_VIOLATION"},
    {0x4000008A, "THREAD_TERMINATE_HELD_MUTEX"},
};

/* Set once by the verifier at start-up, before driver code runs. */
static owsk_ke_bugcheck_hook_fn hook;
/* The thread id of the first thread to bug check (0 = none yet); others block until the
 * process is gone. Async-signal-safe: the fault handler (fault.c) claims it too. */
static long stopping;

bool owsk_ke_bugcheck_claim(void)
{
    long self = (long)syscall(SYS_gettid), none = 0;

    if (__atomic_compare_exchange_n(&stopping, &none, self, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return true;
    if (none == self)
        return false; /* a fault inside this thread's own report */
    for (;;)
        pause();
}

void owsk_ke_set_bugcheck_hook(owsk_ke_bugcheck_hook_fn fn)
{
    __atomic_store_n(&hook, fn, __ATOMIC_RELEASE);
}

const char *owsk_ke_bugcheck_name(ULONG code)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].code == code)
            return names[i].name;
    return NULL;
}

int owsk_ke_bugcheck_exit_status(ULONG code)
{
    int s = (int)(code & 0xff);
    return s ? s : 255;
}

static __attribute__((noreturn)) void stop(ULONG code, const ULONG_PTR p[4], const char *why)
{
    char buf[1024];
    const char *name = owsk_ke_bugcheck_name(code);
    struct owsk_owner *o = owsk_current_owner;
    int n;

    if (!owsk_ke_bugcheck_claim())
        _exit(owsk_ke_bugcheck_exit_status(code));
    n = snprintf(buf, sizeof(buf),
                 "\n*** STOP: 0x%08X (0x%016lX, 0x%016lX, 0x%016lX, 0x%016lX)\n"
                 "*** %s\n"
                 "*** driver: %s, thread %ld, IRQL %u\n%s%s%s",
                 (unsigned)code, (unsigned long)p[0], (unsigned long)p[1], (unsigned long)p[2],
                 (unsigned long)p[3], name ? name : "(unnamed bug check)", o ? o->name : "(host)",
                 (long)syscall(SYS_gettid), (unsigned)owsk_ke_irql_get(), why ? "*** reason: " : "",
                 why ? why : "", why ? "\n" : "");
    fflush(stdout);
    fflush(stderr);
    if (n > 0)
        (void)!write(STDERR_FILENO, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
    owsk_ke_bugcheck_hook_fn fn = __atomic_load_n(&hook, __ATOMIC_ACQUIRE);
    if (fn)
        fn(code, p, why);
    _exit(owsk_ke_bugcheck_exit_status(code));
}

void owsk_ke_bugcheck(ULONG code, ULONG_PTR p1, ULONG_PTR p2, ULONG_PTR p3, ULONG_PTR p4,
                      const char *why_fmt, ...)
{
    char why[512];
    ULONG_PTR p[4] = {p1, p2, p3, p4};
    va_list ap;

    va_start(ap, why_fmt);
    vsnprintf(why, sizeof(why), why_fmt, ap);
    va_end(ap);
    stop(code, p, why);
}

VOID KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR BugCheckParameter1, ULONG_PTR BugCheckParameter2,
                  ULONG_PTR BugCheckParameter3, ULONG_PTR BugCheckParameter4)
{
    ULONG_PTR p[4] = {BugCheckParameter1, BugCheckParameter2, BugCheckParameter3,
                      BugCheckParameter4};
    char why[64];

    snprintf(why, sizeof(why), "KeBugCheckEx called from %p", __builtin_return_address(0));
    stop(BugCheckCode, p, why);
}

VOID KeBugCheck(ULONG BugCheckCode)
{
    ULONG_PTR p[4] = {0, 0, 0, 0};
    char why[64];

    snprintf(why, sizeof(why), "KeBugCheck called from %p", __builtin_return_address(0));
    stop(BugCheckCode, p, why);
}
