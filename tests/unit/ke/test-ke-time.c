/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Time: KeQuerySystemTime against time(NULL) (100 ns since 1601), a 10 MHz monotonic
 * performance counter, interrupt time and tick count agreeing with it, the 15.625 ms time
 * increment, processor number/count, KeStallExecutionProcessor. */
#include <time.h>

#include "owsk_test.h"

int main(void)
{
    LARGE_INTEGER st, st2, freq, c1, c2, ticks;
    ULONGLONG it1, it2;
    ULONG64 qpc = 0;
    time_t now = time(NULL);
    KAFFINITY aff = 0;
    PROCESSOR_NUMBER pn;

    KeQuerySystemTime(&st);
    /* Within a second of time(NULL), converted to 100 ns units since 1601. */
    LONGLONG expect = (LONGLONG)now * 10000000LL + 116444736000000000LL;
    CHECK(st.QuadPart >= expect - 10000000LL && st.QuadPart <= expect + 20000000LL);
    KeQuerySystemTimePrecise(&st2);
    CHECK(st2.QuadPart >= st.QuadPart);

    freq.QuadPart = 0;
    c1 = KeQueryPerformanceCounter(&freq);
    CHECK_INT(freq.QuadPart, 10000000);
    KeStallExecutionProcessor(2000); /* 2 ms busy wait */
    c2 = KeQueryPerformanceCounter(NULL);
    CHECK(c2.QuadPart - c1.QuadPart >= 20000);

    it1 = KeQueryInterruptTime();
    it2 = KeQueryInterruptTimePrecise(&qpc);
    CHECK(it2 >= it1);
    CHECK(qpc >= (ULONG64)c2.QuadPart);
    CHECK(KeQueryUnbiasedInterruptTime() >= it2);

    CHECK_UINT(KeQueryTimeIncrement(), 156250);
    KeQueryTickCount(&ticks);
    /* tick count * increment is the interrupt time, to within one tick */
    ULONGLONG it3 = KeQueryInterruptTime();
    CHECK((ULONGLONG)ticks.QuadPart * 156250ULL <= it3);
    CHECK(it3 - (ULONGLONG)ticks.QuadPart * 156250ULL < 2 * 156250ULL);

    ULONG n = KeQueryActiveProcessorCount(&aff);
    CHECK(n >= 1);
    CHECK_UINT(aff, n >= 64 ? ~(KAFFINITY)0 : (((KAFFINITY)1 << n) - 1));
    CHECK_UINT(KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS), n);
    CHECK_UINT(KeQueryActiveProcessorCountEx(1), 0);
    CHECK(KeGetCurrentProcessorNumber() < n);
    KeGetCurrentProcessorNumberEx(&pn);
    CHECK_INT(pn.Group, 0);
    CHECK(pn.Number < n);
    CHECK_INT(KeNumberProcessors, (CCHAR)n);

    return t_done();
}
