/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Turns a hardware fault in driver (or runtime) code into the bug check Windows would raise:
 * SIGSEGV/SIGBUS -> 0x50 PAGE_FAULT_IN_NONPAGED_AREA, SIGILL/SIGFPE (and general-protection
 * SIGSEGV) -> 0x1E KMODE_EXCEPTION_NOT_HANDLED, printed with write(2) only, then _exit.
 * No stack trace and no verifier hook (neither is async-signal-safe); no crash dump. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <wdm.h>

#include "core/core.h"
#include "ke/ke.h"

/* Sanitizer runtimes report faults themselves, with better stacks: leave faults to them. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define OWSK_FAULT_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||                         \
    __has_feature(memory_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define OWSK_FAULT_SANITIZED 1
#endif
#endif
#ifndef OWSK_FAULT_SANITIZED
#define OWSK_FAULT_SANITIZED 0
#endif

#define ALTSTACK_SIZE (64 * 1024)

/* NTSTATUS exception codes of KMODE_EXCEPTION_NOT_HANDLED's first parameter. */
#define EXC_ACCESS_VIOLATION 0xC0000005u
#define EXC_ILLEGAL_INSTRUCTION 0xC000001Du
#define EXC_INTEGER_DIVIDE_BY_ZERO 0xC0000094u
#define EXC_INTEGER_OVERFLOW 0xC0000095u
#define EXC_FLT_DIVIDE_BY_ZERO 0xC000008Eu
#define EXC_FLT_INVALID_OPERATION 0xC0000090u

static const int fault_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};
static int installed; /* bit per index of fault_signals, set once at install */
static pthread_key_t altstack_key;
static pthread_once_t altstack_once = PTHREAD_ONCE_INIT;

/* ---- async-signal-safe formatting into a fixed buffer ---- */

struct out {
    char buf[1536];
    size_t n;
};

static void put(struct out *o, const char *s)
{
    while (s && *s && o->n < sizeof(o->buf) - 1)
        o->buf[o->n++] = *s++;
}

static void put_hex(struct out *o, uint64_t v, int digits)
{
    char t[19];
    int i;

    t[0] = '0';
    t[1] = 'x';
    for (i = 0; i < digits; i++)
        t[2 + i] = "0123456789ABCDEF"[(v >> (4 * (digits - 1 - i))) & 0xf];
    t[2 + digits] = 0;
    put(o, t);
}

static void put_dec(struct out *o, uint64_t v)
{
    char t[21];
    int i = 20;

    t[i] = 0;
    do
        t[--i] = (char)('0' + v % 10);
    while ((v /= 10) && i > 0);
    put(o, t + i);
}

/* ---- which module holds an address: /proc/self/maps read with open/read only ---- */

static uint64_t parse_hex(const char **p, const char *end)
{
    uint64_t v = 0;

    for (; *p < end; (*p)++) {
        char c = **p;
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            break;
        v = v << 4 | (uint64_t)d;
    }
    return v;
}

static const char *skip_field(const char *p, const char *end)
{
    while (p < end && *p != ' ')
        p++;
    while (p < end && *p == ' ')
        p++;
    return p;
}

struct module {
    char path[256];
    uint64_t base;
    bool found;
};

/* One maps line [p, end): remembers the last file mapped at offset 0 (a module's base) and
 * fills m when addr falls inside this mapping. */
static void maps_line(const char *p, const char *end, uint64_t addr, struct module *m,
                      struct module *cand)
{
    uint64_t start, stop, off;
    size_t len;

    start = parse_hex(&p, end);
    if (p >= end || *p++ != '-')
        return;
    stop = parse_hex(&p, end);
    p = skip_field(p, end); /* to perms */
    p = skip_field(p, end); /* to offset */
    off = parse_hex(&p, end);
    p = skip_field(p, end); /* to dev */
    p = skip_field(p, end); /* to inode */
    p = skip_field(p, end); /* to path */
    len = (size_t)(end - p) < sizeof(m->path) - 1 ? (size_t)(end - p) : sizeof(m->path) - 1;
    if (off == 0 && len && *p == '/') {
        memcpy(cand->path, p, len);
        cand->path[len] = 0;
        cand->base = start;
    }
    if (addr < start || addr >= stop || m->found)
        return;
    memcpy(m->path, p, len);
    m->path[len] = 0;
    m->base = strcmp(m->path, cand->path) == 0 ? cand->base : start - off;
    m->found = len > 0;
}

static void find_module(uint64_t addr, struct module *m)
{
    char buf[2048];
    struct module cand = {.path = ""};
    size_t have = 0;
    ssize_t r;
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

    m->found = false;
    if (fd < 0)
        return;
    while (!m->found && (r = read(fd, buf + have, sizeof(buf) - have)) > 0) {
        char *p = buf, *nl, *end = buf + have + (size_t)r;

        while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            maps_line(p, nl, addr, m, &cand);
            p = nl + 1;
        }
        have = (size_t)(end - p);
        if (have == sizeof(buf)) /* a line longer than the buffer: drop it */
            have = 0;
        memmove(buf, p, have);
    }
    close(fd);
}

/* ---- the handler ---- */

static uint64_t fault_ip(void *uc_arg)
{
    ucontext_t *uc = uc_arg;
#if defined(__x86_64__)
    return (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    return (uint64_t)uc->uc_mcontext.pc;
#else
    (void)uc;
    return 0;
#endif
}

/* P2 of 0x50 as x64 Windows 10+ reports it: 0 read, 2 write, 0x10 execute (the page-fault
 * error code's bits 1 and 4); UNKNOWN_ACCESS where the architecture does not tell us. */
#define UNKNOWN_ACCESS (~(uint64_t)0)
static uint64_t fault_access(int sig, void *uc_arg)
{
#if defined(__x86_64__)
    ucontext_t *uc = uc_arg;

    if (sig == SIGSEGV && uc->uc_mcontext.gregs[REG_TRAPNO] == 14)
        return (uint64_t)uc->uc_mcontext.gregs[REG_ERR] & 0x12;
#endif
    (void)sig;
    (void)uc_arg;
    return UNKNOWN_ACCESS;
}

static uint32_t exception_code(int sig, int code)
{
    if (sig == SIGILL)
        return EXC_ILLEGAL_INSTRUCTION;
    if (sig == SIGSEGV)
        return EXC_ACCESS_VIOLATION;
    switch (code) {
    case FPE_INTDIV:
        return EXC_INTEGER_DIVIDE_BY_ZERO;
    case FPE_INTOVF:
        return EXC_INTEGER_OVERFLOW;
    case FPE_FLTDIV:
        return EXC_FLT_DIVIDE_BY_ZERO;
    default:
        return EXC_FLT_INVALID_OPERATION;
    }
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "SIGSEGV";
    case SIGBUS:
        return "SIGBUS";
    case SIGILL:
        return "SIGILL";
    default:
        return "SIGFPE";
    }
}

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
    struct out o = {.n = 0};
    struct owsk_owner *owner = owsk_current_owner;
    struct module mod;
    uint64_t ip = fault_ip(uc), addr = (uint64_t)(uintptr_t)si->si_addr, p[4];
    uint64_t access = fault_access(sig, uc);
    ULONG code;
    int saved_errno = errno;
    const char *name;

    /* A general-protection fault (non-canonical address) has no fault address: Windows
     * raises it as an access violation exception, with P4 = all ones, not as a page fault. */
    if ((sig == SIGSEGV && si->si_code == SI_KERNEL) || sig == SIGILL || sig == SIGFPE) {
        code = OWSK_BUGCHECK_KMODE_EXCEPTION_NOT_HANDLED;
        p[0] = exception_code(sig, si->si_code);
        p[1] = ip;
        p[2] = 0;
        p[3] = sig == SIGSEGV ? ~(uint64_t)0 : 0;
    } else {
        code = OWSK_BUGCHECK_PAGE_FAULT_IN_NONPAGED_AREA;
        p[0] = addr;
        p[1] = access == UNKNOWN_ACCESS ? 0 : access;
        p[2] = ip;
        p[3] = 0;
    }
    if (!owsk_ke_bugcheck_claim()) {
        static const char again[] = "*** fault while reporting the bug check\n";
        (void)!write(STDERR_FILENO, again, sizeof(again) - 1);
        _exit(owsk_ke_bugcheck_exit_status(code));
    }
    name = owsk_ke_bugcheck_name(code);
    put(&o, "\n*** STOP: ");
    put_hex(&o, code, 8);
    for (int i = 0; i < 4; i++) {
        put(&o, i ? ", " : " (");
        put_hex(&o, p[i], 16);
    }
    put(&o, ")\n*** ");
    put(&o, name);
    put(&o, "\n*** driver: ");
    put(&o, owner ? owner->name : "(host)");
    put(&o, ", thread ");
    put_dec(&o, (uint64_t)syscall(SYS_gettid));
    put(&o, ", IRQL ");
    put_dec(&o, owsk_ke_irql_get());
    put(&o, "\n*** reason: ");
    put(&o, signal_name(sig));
    if (code == OWSK_BUGCHECK_PAGE_FAULT_IN_NONPAGED_AREA) {
        put(&o, access == UNKNOWN_ACCESS ? ": access to "
                : access & 0x10          ? ": execute at "
                : access & 2             ? ": write to "
                                         : ": read of ");
        put(&o, si->si_code == SEGV_ACCERR && sig == SIGSEGV ? "protected address "
                                                             : "invalid address ");
        put_hex(&o, addr, 16);
    } else {
        put(&o, ": exception ");
        put_hex(&o, p[0], 8);
    }
    put(&o, " at IP ");
    put_hex(&o, ip, 16);
    find_module(ip, &mod);
    if (mod.found) {
        put(&o, " (");
        put(&o, mod.path);
        put(&o, "+");
        put_hex(&o, ip - mod.base, 8);
        put(&o, ")");
    }
    put(&o, "\n*** no stack trace: run with OWSK_NO_FAULT_HANDLER=1 under gdb, or enable "
            "core dumps\n");
    (void)!write(STDERR_FILENO, o.buf, o.n);
    errno = saved_errno;
    _exit(owsk_ke_bugcheck_exit_status(code));
}

/* ---- installation ---- */

static void altstack_free(void *mem)
{
    stack_t ss = {.ss_flags = SS_DISABLE};

    sigaltstack(&ss, NULL);
    munmap(mem, ALTSTACK_SIZE + (size_t)sysconf(_SC_PAGESIZE));
}

static void altstack_key_init(void)
{
    if (pthread_key_create(&altstack_key, altstack_free) != 0)
        altstack_key = (pthread_key_t)-1;
}

void owsk_ke_fault_thread_init(void)
{
    size_t guard = (size_t)sysconf(_SC_PAGESIZE);
    stack_t cur, ss;
    char *mem;

    if (!__atomic_load_n(&installed, __ATOMIC_ACQUIRE))
        return;
    if (sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE))
        return; /* this thread has one already */
    pthread_once(&altstack_once, altstack_key_init);
    /* The lowest page is a guard, so an overflow of the signal stack faults instead of
     * writing over whatever is mapped below it. */
    mem = mmap(NULL, ALTSTACK_SIZE + guard, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED)
        return;
    mprotect(mem, guard, PROT_NONE);
    ss.ss_sp = mem + guard;
    ss.ss_size = ALTSTACK_SIZE;
    ss.ss_flags = 0;
    if (sigaltstack(&ss, NULL) != 0) {
        munmap(mem, ALTSTACK_SIZE + guard);
        return;
    }
    if (altstack_key != (pthread_key_t)-1)
        pthread_setspecific(altstack_key, mem);
}

bool owsk_ke_fault_handler_installed(void)
{
    return __atomic_load_n(&installed, __ATOMIC_ACQUIRE) & 1; /* SIGSEGV's bit */
}

void owsk_ke_fault_handler_install(void)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    const char *env = getenv("OWSK_NO_FAULT_HANDLER");
    int mask = 0;

    if (OWSK_FAULT_SANITIZED || (env && *env && strcmp(env, "0") != 0))
        return;
    pthread_mutex_lock(&lock);
    if (__atomic_load_n(&installed, __ATOMIC_ACQUIRE)) {
        pthread_mutex_unlock(&lock);
        return;
    }
    for (size_t i = 0; i < sizeof(fault_signals) / sizeof(fault_signals[0]); i++) {
        struct sigaction old, sa;

        /* Someone else (a debugger helper, a sanitizer, the embedding program) owns this
         * signal: leave it to them. */
        if (sigaction(fault_signals[i], NULL, &old) != 0 || (old.sa_flags & SA_SIGINFO) ||
            (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN))
            continue;
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = fault_handler;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigfillset(&sa.sa_mask); /* a second fault while reporting kills the process */
        if (sigaction(fault_signals[i], &sa, NULL) == 0)
            mask |= 1 << i;
    }
    __atomic_store_n(&installed, mask, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&lock);
    owsk_ke_fault_thread_init();
}
