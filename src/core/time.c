/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Monotonic clocks for deadlines and interrupt-time style counters. Wall-clock (system time)
 * conversions live in ke, which owns KeQuerySystemTime. */
#include <time.h>

#include "core/core.h"

uint64_t owsk_now_100ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 10000000u + (uint64_t)ts.tv_nsec / 100u;
}

uint64_t owsk_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
