/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The loop suite (loop_cases.h) on the epoll backend, forced with OWSK_LOOP=epoll. */
#include "loop_cases.h"

int main(void)
{
    run_loop_tests("epoll", false);
    return t_done();
}
