/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Time and processors: system time (100 ns since 1601, CLOCK_REALTIME), interrupt time
 * (100 ns, CLOCK_MONOTONIC), a 15.625 ms tick, a 10 MHz performance counter, processor
 * numbers and counts (one group), KeStallExecutionProcessor. */
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <wdm.h>

#include "core/core.h"
#include "ke/ke.h"

#define TIME_INCREMENT 156250 /* 15.625 ms in 100 ns units, the usual Windows tick */

int64_t owsk_ke_system_time(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 10000000LL + ts.tv_nsec / 100 + OWSK_EPOCH_DIFF_100NS;
}

uint64_t owsk_ke_interrupt_time(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 10000000ULL + (uint64_t)ts.tv_nsec / 100;
}

VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime)
{
    CurrentTime->QuadPart = owsk_ke_system_time();
}

VOID KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime)
{
    CurrentTime->QuadPart = owsk_ke_system_time();
}

VOID KeQueryTickCount(PLARGE_INTEGER CurrentCount)
{
    CurrentCount->QuadPart = (LONGLONG)(owsk_ke_interrupt_time() / TIME_INCREMENT);
}

ULONG KeQueryTimeIncrement(VOID)
{
    return TIME_INCREMENT;
}

ULONGLONG KeQueryInterruptTime(VOID)
{
    return owsk_ke_interrupt_time();
}

ULONGLONG KeQueryInterruptTimePrecise(PULONG64 QpcTimeStamp)
{
    ULONGLONG t = owsk_ke_interrupt_time();
    if (QpcTimeStamp)
        *QpcTimeStamp = t; /* the performance counter runs at 10 MHz, the same scale */
    return t;
}

ULONGLONG KeQueryUnbiasedInterruptTime(VOID)
{
    return owsk_ke_interrupt_time();
}

LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency)
{
    LARGE_INTEGER c;

    if (PerformanceFrequency)
        PerformanceFrequency->QuadPart = 10000000;
    c.QuadPart = (LONGLONG)owsk_ke_interrupt_time();
    return c;
}

ULONG KeGetCurrentProcessorNumberEx(PPROCESSOR_NUMBER ProcNumber)
{
    int cpu = sched_getcpu();
    ULONG n = cpu < 0 ? 0 : (ULONG)cpu;
    if (ProcNumber) {
        ProcNumber->Group = 0;
        ProcNumber->Number = (UCHAR)n;
        ProcNumber->Reserved = 0;
    }
    return n;
}

static ULONG cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    return n > 64 ? 64 : (ULONG)n; /* one processor group */
}

ULONG KeQueryActiveProcessorCount(PKAFFINITY ActiveProcessors)
{
    ULONG n = cpu_count();
    if (ActiveProcessors)
        *ActiveProcessors = n >= 64 ? ~(KAFFINITY)0 : ((KAFFINITY)1 << n) - 1;
    return n;
}

ULONG KeQueryActiveProcessorCountEx(USHORT GroupNumber)
{
    return GroupNumber == 0 || GroupNumber == ALL_PROCESSOR_GROUPS ? cpu_count() : 0;
}

/* KeStallExecutionProcessor busy-waits, as on Windows (allowed at any IRQL). */
VOID KeStallExecutionProcessor(ULONG MicroSeconds)
{
    uint64_t end = owsk_ke_interrupt_time() + (uint64_t)MicroSeconds * 10;
    while (owsk_ke_interrupt_time() < end)
        YieldProcessor();
}
