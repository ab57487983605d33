/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* For tests of bug checks: runs fn in a forked child with stderr captured, then checks that
 * the child stopped with the bug check's exit status and printed its STOP line and a text.
 * Call it before the test starts any thread (fork and threads do not mix under TSan). */
#ifndef T_CHILD_H
#define T_CHILD_H

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "owsk_test.h"
#include "ke/ke.h"

static inline void t_expect_bugcheck(void (*fn)(void), ULONG code, const char *text)
{
    int fds[2];
    char out[4096], stop[32];
    size_t n = 0;
    ssize_t r;
    int status = 0;
    pid_t pid;

    if (pipe(fds) != 0) {
        CHECK(!"pipe");
        return;
    }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        fn();
        _exit(0); /* no bug check: the parent sees status 0 */
    }
    close(fds[1]);
    while (n < sizeof(out) - 1 && (r = read(fds[0], out + n, sizeof(out) - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = 0;
    close(fds[0]);
    waitpid(pid, &status, 0);
    snprintf(stop, sizeof(stop), "*** STOP: 0x%08X", (unsigned)code);
    CHECK(WIFEXITED(status));
    CHECK_INT(WEXITSTATUS(status), owsk_ke_bugcheck_exit_status(code));
    CHECK(strstr(out, stop) != NULL);
    CHECK(text == NULL || strstr(out, text) != NULL);
    if (!strstr(out, stop) || (text && !strstr(out, text)))
        fprintf(stderr, "child output was:\n%s\n", out);
}

#endif
