/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The loop suite (loop_cases.h) on the io_uring backend, forced with OWSK_LOOP=io_uring;
 * skipped (77) where io_uring is not built or the kernel or a sandbox refuses it. */
#include "loop_cases.h"

int main(void)
{
    if (!run_loop_tests("io_uring", true))
        return T_SKIP;
    /* io_uring works here, so the automatic choice must pick it too. */
    unsetenv("OWSK_LOOP");
    CHECK_INT(owsk_loop_system_start(1), 0);
    CHECK_STR(owsk_loop_backend(), "io_uring");
    CHECK_UINT(owsk_loop_count(), 1);
    owsk_loop_system_stop();
    return t_done();
}
