/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The harness tallies and helpers that need nothing but libc and core. */
#include "owsk_test.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "core/core.h"

int t_checks;
int t_failures;
int t_todos;

const char *t_status_name(NTSTATUS status)
{
    return owsk_status_name(status);
}

void t_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    t_failures++;
    fprintf(stderr, "%s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int t_done(void)
{
    fprintf(stderr, "%d checks, %d failed, %d todo\n", t_checks, t_failures, t_todos);
    if (t_checks == 0) {
        fprintf(stderr, "no check ran: a test that checks nothing fails\n");
        return 1;
    }
    return t_failures ? 1 : 0;
}

uint64_t t_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool t_sem_wait_ms(sem_t *s, unsigned timeout_ms)
{
    struct timespec ts = owsk_timespec_after_ms(CLOCK_REALTIME, timeout_ms);

    while (sem_timedwait(s, &ts) < 0)
        if (errno != EINTR)
            return false;
    return true;
}

void t_poison(void *p, size_t len)
{
    static const unsigned char pat[4] = {0xef, 0xbe, 0xad, 0xde};
    unsigned char *b = p;

    for (size_t i = 0; i < len; i++)
        b[i] = pat[i % 4];
}
