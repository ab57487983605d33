/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The test harness: checks that print both sides, Windows-truth TODOs, and the waits a test
 * driver needs (an IRP whose completion sets an event, waited on with a deadline). */
#ifndef OWSK_TEST_H
#define OWSK_TEST_H

#include <ntddk.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define T_SKIP 77

extern int t_checks;
extern int t_failures;
extern int t_todos;

const char *t_status_name(NTSTATUS status);
void t_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        t_checks++;                                                                        \
        if (!(cond))                                                                       \
            t_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond);                         \
    } while (0)

#define CHECK_INT(a, b)                                                                    \
    do {                                                                                   \
        long long a_ = (long long)(a), b_ = (long long)(b);                                \
        t_checks++;                                                                        \
        if (a_ != b_)                                                                      \
            t_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_, b_);          \
    } while (0)

#define CHECK_UINT(a, b)                                                                   \
    do {                                                                                   \
        unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);     \
        t_checks++;                                                                        \
        if (a_ != b_)                                                                      \
            t_fail(__FILE__, __LINE__, "%s == %s: %#llx != %#llx", #a, #b, a_, b_);        \
    } while (0)

#define CHECK_STR(a, b)                                                                    \
    do {                                                                                   \
        const char *a_ = (a), *b_ = (b);                                                   \
        t_checks++;                                                                        \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                             \
            t_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,               \
                   a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                \
    } while (0)

/* Prints both status names, e.g. "STATUS_PENDING != STATUS_SUCCESS". */
#define CHECK_STATUS(expr, expected)                                                       \
    do {                                                                                   \
        NTSTATUS got_ = (expr), exp_ = (expected);                                         \
        t_checks++;                                                                        \
        if (got_ != exp_)                                                                  \
            t_fail(__FILE__, __LINE__, "%s: %s (%#x), expected %s (%#x)", #expr,           \
                   t_status_name(got_), (unsigned)got_, t_status_name(exp_),               \
                   (unsigned)exp_);                                                        \
    } while (0)

/* A known deviation from Windows: counted and printed, not failed (Wine's todo_wine). */
#define TODO_OWSK(cond)                                                                    \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            t_todos++;                                                                     \
            fprintf(stderr, "%s:%d: TODO_OWSK(%s)\n", __FILE__, __LINE__, #cond);          \
        }                                                                                  \
    } while (0)

/* Ends main(): prints the tally and returns the exit code (0 pass, 1 fail). */
int t_done(void);

/* Milliseconds on CLOCK_MONOTONIC, for deadlines. */
uint64_t t_now_ms(void);

/* sem_timedwait with a deadline of timeout_ms, retried on EINTR; false on timeout. For threads
 * that are not the test's own (loop threads, raw pthreads) to signal main. */
bool t_sem_wait_ms(sem_t *s, unsigned timeout_ms);

/* Fills memory with 0xdeadbeef so a test sees what the DDI wrote. */
void t_poison(void *p, size_t len);

/* An IRP a test driver reuses for synchronous calls (tests/lib/owsk_test_irp.c). The
 * completion routine sets the event and returns STATUS_MORE_PROCESSING_REQUIRED. */
struct t_sync_irp {
    PIRP irp;
    KEVENT event;
};
void t_sync_irp_init(struct t_sync_irp *s);
/* IoReuseIrp + fresh completion routine; pre-fills IoStatus with 0xdeadbeef. Returns the IRP. */
PIRP t_sync_irp_arm(struct t_sync_irp *s);
/* Waits for completion up to timeout_ms; on timeout fails the test and returns STATUS_TIMEOUT,
 * else returns Irp->IoStatus.Status. */
NTSTATUS t_sync_irp_wait(struct t_sync_irp *s, unsigned timeout_ms);
/* Call result + wait: if r is STATUS_PENDING waits, else checks the IRP already completed
 * with r. Returns the final status. */
NTSTATUS t_sync_irp_result(struct t_sync_irp *s, NTSTATUS r, unsigned timeout_ms);
void t_sync_irp_free(struct t_sync_irp *s);

#endif
