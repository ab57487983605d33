/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The loop suite (loop_cases.h) on the io_uring backend, forced with OWSK_LOOP=io_uring;
 * skipped (77) where io_uring is not built or the kernel or a sandbox refuses it. */
#include "loop_cases.h"

int main(void)
{
    return run_loop_tests("io_uring", true);
}
