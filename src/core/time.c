/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Monotonic milliseconds and absolute timespec deadlines for timed waits. Interrupt and
 * system time live in ke, which owns KeQueryInterruptTime and KeQuerySystemTime. */
#include <time.h>

#include "core/core.h"

uint64_t owsk_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct timespec owsk_timespec_after_ms(clockid_t clock, unsigned ms)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}
