/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* End-to-end test helpers: a real wskhost child running echosrv (stderr captured, port read
 * from echosrv's start line, private control socket), and blocking-with-deadline TCP clients.
 * Plain POSIX: the tests talk to the host only over TCP and the control socket. */
#ifndef OWSK_E2E_H
#define OWSK_E2E_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

#define E2E_SKIP 77

/* Checks that print both sides and count failures; e2e_done() turns the count into the exit
 * status. */
extern int e2e_failures;
void e2e_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define E2E_CHECK(cond)                                                                            \
    do {                                                                                           \
        if (!(cond))                                                                               \
            e2e_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond);                               \
    } while (0)
#define E2E_CHECK_INT(a, b)                                                                        \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_)                                                                              \
            e2e_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_, b_);                \
    } while (0)
/* Ends main(): prints a summary, returns 0 or 1. */
int e2e_done(void);

uint64_t e2e_now_ms(void);

/* Paths of the programs under test: $OWSK_WSKHOST, $OWSK_WSKCTL, $OWSK_ECHOSRV, else under
 * $OWSK_BUILD_ROOT. */
const char *e2e_wskhost(void);
const char *e2e_wskctl(void);
const char *e2e_echosrv(void);

struct e2e_host {
    pid_t pid;
    int err_fd; /* read end of the child's stderr */
    pthread_t reader;
    bool reader_started;
    pthread_mutex_t lock; /* guards log, log_len, eof */
    pthread_cond_t cond;
    char *log;
    size_t log_len, log_cap;
    bool eof;
    int status; /* waitpid status once reaped */
    bool reaped;
    char dir[64];  /* private temp dir holding the control socket */
    char ctl[128]; /* control socket path */
    unsigned port; /* echosrv's bound port (from its start line) */
};

/* Starts wskhost with a private control socket, echosrv with Port=0 and extra "NAME=VALUE"
 * parameters (scoped to echosrv), plus extra host arguments (NULL-terminated, may be NULL).
 * Waits up to timeout_ms for the ready line. Returns 0, or -1 (the host is then stopped and
 * its log printed). */
int e2e_host_start(struct e2e_host *h, const char *const *params, const char *const *host_args,
                   unsigned timeout_ms);
/* Zeroes h and creates its temp dir and control socket path (h->ctl). */
int e2e_host_init(struct e2e_host *h);
/* After e2e_host_init: starts wskhost with exactly argv_tail (NULL-terminated) and does not
 * wait for readiness (for tests expecting failure). */
int e2e_host_spawn(struct e2e_host *h, const char *const *argv_tail);
/* The same with another program in front (e.g. wskctl run, which execs wskhost). */
int e2e_host_spawn_prog(struct e2e_host *h, const char *prog, const char *const *argv_tail);
/* Sends sig (0 = none) and waits up to timeout_ms for the exit. Returns the exit code, 128+N
 * for a signal, or -1 on timeout (the host is then killed with SIGKILL). */
int e2e_host_wait(struct e2e_host *h, int sig, unsigned timeout_ms);
/* Frees everything (kills the host if still running) and removes the temp dir. */
void e2e_host_free(struct e2e_host *h);
/* True when the captured stderr contains needle (thread-safe snapshot). */
bool e2e_host_log_has(struct e2e_host *h, const char *needle);
/* Waits up to timeout_ms for needle to appear in the log. */
bool e2e_host_wait_log(struct e2e_host *h, const char *needle, unsigned timeout_ms);
/* Prints the captured log to stderr, each line prefixed with "host| ". */
void e2e_host_dump(struct e2e_host *h);

/* Raises RLIMIT_NOFILE's soft limit to at least want (or the hard limit). Returns the limit. */
unsigned long e2e_raise_nofile(unsigned long want);

/* Fills *ret_ss with 127.0.0.1 (v6 = false) or ::1 and port; returns the address length. */
socklen_t e2e_loopback_addr(bool v6, unsigned port, struct sockaddr_storage *ret_ss);
/* Connects a blocking TCP socket to 127.0.0.1 (v6 = false) or ::1 on port, with a deadline.
 * Returns the fd or -1. */
int e2e_connect(bool v6, unsigned port, unsigned timeout_ms);
/* Sends len bytes of pattern (seeded) and reads them back, fully, both directions at once,
 * then shuts down the write side and expects EOF. Returns 0 when every byte matched. */
int e2e_echo_check(int fd, size_t len, uint32_t seed, unsigned timeout_ms);
/* Waits for the peer to end the connection: 0 on EOF or reset, -1 on data or timeout. */
int e2e_expect_closed(int fd, unsigned timeout_ms);

/* Deterministic pattern byte i of stream seed. */
static inline uint8_t e2e_pattern(uint32_t seed, uint64_t i)
{
    uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull ^ ((uint64_t)seed << 32 | seed);
    x ^= x >> 29;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 32;
    return (uint8_t)x;
}

/* Runs a program with a deadline, capturing stdout (and stderr when err is non-NULL).
 * Returns the exit code, or -1 on timeout/spawn failure. *out and *err are malloc'ed, NUL
 * terminated. */
int e2e_run(const char *const *argv, char **out, char **err, unsigned timeout_ms);

#endif
