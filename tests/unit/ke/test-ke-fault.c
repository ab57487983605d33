/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fault handler (src/ke/fault.c): NULL passed to DDIs that dereference it, as Windows
 * drivers sometimes do, gives the 0x50 PAGE_FAULT_IN_NONPAGED_AREA report with the faulting
 * address and the driver's name, and an integer divide by zero gives 0x1E with
 * STATUS_INTEGER_DIVIDE_BY_ZERO, and a stack overflow on a thread with a signal stack is
 * reported too, each in a forked child. Skips in sanitizer builds. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "owsk_test.h"
#include "t_child.h"

#include "core/core.h"

/* A child that hangs instead of stopping dies of SIGALRM: the parent's check then fails. */
static void deadline(void)
{
    alarm(10);
}

static void set_event_null(void)
{
    deadline();
    KeSetEvent(NULL, 0, FALSE);
}

static void init_unicode_null(void)
{
    deadline();
    RtlInitUnicodeString(NULL, L"x");
}

static void spin_lock_null(void)
{
    KIRQL irql;

    deadline();
    KeAcquireSpinLock(NULL, &irql);
}

/* As if running in a driver: the report names the driver. */
static void write_null_as_driver(void)
{
    static struct owsk_owner drv = {.name = "faultdrv", .id = 4242};
    volatile uintptr_t addr = 0x10; /* volatile: the compiler cannot see it is bad */

    deadline();
    owsk_owner_enter(&drv);
    *(volatile ULONG *)addr = 1;
}

static void read_null(void)
{
    volatile uintptr_t addr = 0x20;

    deadline();
    printf("%u\n", *(volatile ULONG *)addr);
}

static void divide_by_zero(void)
{
    volatile int zero = 0, one = 1;

    deadline();
    printf("%d\n", one / zero);
}

/* Each frame keeps a live buffer, so the compiler cannot turn this into a loop; the stack
 * runs out long before n reaches the (volatile, so unknown) limit. */
static volatile unsigned recurse_limit = ~0u;

static unsigned recurse(unsigned n)
{
    volatile char frame[512];

    if (n == recurse_limit)
        return 0;
    frame[n % sizeof(frame)] = (char)n;
    return recurse(n + 1) + frame[(n + 1) % sizeof(frame)];
}

static void overflow_main_thread(void)
{
    deadline();
    recurse(0);
}

static void *overflow_thread(void *arg)
{
    owsk_ke_fault_thread_init();
    recurse(0);
    return arg;
}

static void overflow_new_thread(void)
{
    pthread_attr_t a;
    pthread_t t;

    deadline();
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 256 * 1024);
    if (pthread_create(&t, &a, overflow_thread, NULL) == 0)
        pthread_join(t, NULL);
}

int main(void)
{
    /* Installed in the parent before any fork: the children inherit the handlers. */
    owsk_ke_fault_handler_install();
    if (!owsk_ke_fault_handler_installed()) {
        printf("skip: no fault handler (sanitizer build or OWSK_NO_FAULT_HANDLER)\n");
        return 77;
    }
    CHECK_INT(owsk_ke_bugcheck_exit_status(OWSK_BUGCHECK_PAGE_FAULT_IN_NONPAGED_AREA), 0x50);

    /* P1 is the faulting address: a small offset from NULL ("0x0000000000000xxx"). */
    t_expect_bugcheck(set_event_null, 0x50, "STOP: 0x00000050 (0x0000000000000");
    t_expect_bugcheck(set_event_null, 0x50, "*** PAGE_FAULT_IN_NONPAGED_AREA\n");
    t_expect_bugcheck(set_event_null, 0x50, "*** reason: SIGSEGV: ");
    t_expect_bugcheck(init_unicode_null, 0x50, "STOP: 0x00000050 (0x0000000000000");
    t_expect_bugcheck(init_unicode_null, 0x50, "invalid address 0x0000000000000");
    t_expect_bugcheck(spin_lock_null, 0x50, "STOP: 0x00000050 (0x0000000000000");
    t_expect_bugcheck(spin_lock_null, 0x50, "driver: (host)");
    t_expect_bugcheck(write_null_as_driver, 0x50, "*** driver: faultdrv, thread ");
    t_expect_bugcheck(write_null_as_driver, 0x50, "invalid address 0x0000000000000010 at IP 0x");
    /* The stack overflows into its guard page: reported from the signal stack. */
    t_expect_bugcheck(overflow_main_thread, 0x50, "*** reason: SIGSEGV: ");
    t_expect_bugcheck(overflow_new_thread, 0x50, "*** reason: SIGSEGV: ");
#if defined(__x86_64__)
    /* P1 exact, P2 = 2 for a write, 0 for a read (as x64 Windows 10+ reports them). */
    t_expect_bugcheck(write_null_as_driver, 0x50,
                      "STOP: 0x00000050 (0x0000000000000010, 0x0000000000000002, 0x");
    t_expect_bugcheck(write_null_as_driver, 0x50, "write to invalid address 0x0000000000000010");
    t_expect_bugcheck(read_null, 0x50,
                      "STOP: 0x00000050 (0x0000000000000020, 0x0000000000000000, 0x");
    t_expect_bugcheck(read_null, 0x50, "read of invalid address 0x0000000000000020");
#endif
#if defined(__x86_64__) || defined(__i386__)
    /* Only x86 traps on integer division by zero (arm64 returns 0). */
    t_expect_bugcheck(divide_by_zero, 0x1E, "STOP: 0x0000001E (0x00000000C0000094, 0x");
    t_expect_bugcheck(divide_by_zero, 0x1E, "*** KMODE_EXCEPTION_NOT_HANDLED\n");
    t_expect_bugcheck(divide_by_zero, 0x1E, "SIGFPE: exception 0xC0000094 at IP 0x");
#endif
    return t_done();
}
