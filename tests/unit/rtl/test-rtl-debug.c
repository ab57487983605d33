/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DbgPrint(Ex) as a driver uses it: one log line per line of text on the driver channel,
 * prefixed with the current driver's service name, DbgPrintEx's default filter (ERROR level
 * only) and how it is raised, vDbgPrintExWithPrefix; RtlAssert and DbgBreakPoint stop the
 * process with bug check 0x1E (KMODE_EXCEPTION_NOT_HANDLED), checked in forked children. */
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ntddk.h>
#include <dpfilter.h>

#include "core/core.h"
#include "owsk_test.h"
#include "rtl/rtl.h"

static char lines[8][256];
static int n_lines;

static void sink(const char *line, void *ctx)
{
    if (n_lines < 8)
        snprintf(lines[n_lines], sizeof(lines[0]), "%s", line);
    n_lines++;
}

static void reset(void)
{
    n_lines = 0;
    memset(lines, 0, sizeof(lines));
}

static ULONG with_prefix(PCCH prefix, ULONG level, PCCH fmt, ...)
{
    va_list ap;
    ULONG r;

    va_start(ap, fmt);
    r = vDbgPrintExWithPrefix(prefix, DPFLTR_IHVDRIVER_ID, level, fmt, ap);
    va_end(ap);
    return r;
}

static void test_print(void)
{
    struct owsk_owner o = {.name = "echosrv", .id = 3}, *prev;

    owsk_log_parse(NULL);
    owsk_log_set_sink(sink, NULL);
    reset();
    CHECK_STATUS(DbgPrint("hello %d, %ws\n", 5, L"wide"), STATUS_SUCCESS);
    CHECK_INT(n_lines, 1);
    CHECK_STR(lines[0], "host: hello 5, wide");

    prev = owsk_owner_enter(&o);
    reset();
    DbgPrint("a\nb\r\n\nc");
    CHECK_INT(n_lines, 4);
    CHECK_STR(lines[0], "echosrv: a");
    CHECK_STR(lines[1], "echosrv: b");
    CHECK_STR(lines[2], "echosrv: ");
    CHECK_STR(lines[3], "echosrv: c");
    reset();
    DbgPrint("");
    CHECK_INT(n_lines, 0);
    KdPrint(("kd %lx\n", (ULONG)0xC0000001));
#if DBG
    CHECK_STR(lines[0], "echosrv: kd c0000001");
#endif

    /* Windows' default filter: only DPFLTR_ERROR_LEVEL */
    reset();
    CHECK_STATUS(DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "err %s\n", "x"),
                 STATUS_SUCCESS);
    CHECK_STATUS(DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "info\n"), STATUS_SUCCESS);
    CHECK_STATUS(DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_MASK | 0x8, "mask\n"), STATUS_SUCCESS);
    CHECK_INT(n_lines, 1);
    CHECK_STR(lines[0], "echosrv: err x");

    /* raising the component's mask (ed nt!Kd_IHVDRIVER_Mask 0x8) */
    owsk_rtl_debug_set_component_mask(DPFLTR_IHVDRIVER_ID, 0x8);
    reset();
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "info\n");
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_MASK | 0x8, "mask\n");
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_TRACE_LEVEL, "trace\n");
    DbgPrintEx(DPFLTR_DEFAULT_ID, DPFLTR_INFO_LEVEL, "other component\n");
    CHECK_INT(n_lines, 2);
    CHECK_STR(lines[0], "echosrv: info");
    CHECK_STR(lines[1], "echosrv: mask");
    owsk_rtl_debug_set_component_mask(DPFLTR_IHVDRIVER_ID, 0);

    /* OWSK_DEBUG=driver:trace shows everything */
    owsk_log_parse("driver:trace");
    reset();
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_TRACE_LEVEL, "trace %Iu\n", (SIZE_T)9);
    CHECK_STR(lines[0], "echosrv: trace 9");
    CHECK_STATUS(with_prefix("PFX: ", DPFLTR_INFO_LEVEL, "v %d\n", 1), STATUS_SUCCESS);
    CHECK_STR(lines[1], "echosrv: PFX: v 1");

    /* OWSK_DEBUG=-driver: errors only */
    owsk_log_parse("-driver");
    reset();
    DbgPrint("hidden\n");
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "shown\n");
    CHECK_INT(n_lines, 1);
    CHECK_STR(lines[0], "echosrv: shown");

    owsk_owner_leave(prev);
    owsk_log_parse(NULL);
    owsk_log_set_sink(NULL, NULL);
}

/* Runs fn in a child with stderr on a pipe; returns the exit status, output in out. */
static int in_child(void (*fn)(void), char *out, size_t cap)
{
    int fds[2], status = -1;
    pid_t pid;
    ssize_t n;
    size_t got = 0;

    if (pipe(fds) != 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        fn();
        _exit(0);
    }
    close(fds[1]);
    while (got + 1 < cap && (n = read(fds[0], out + got, cap - 1 - got)) > 0)
        got += (size_t)n;
    out[got] = 0;
    close(fds[0]);
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void do_assert(void)
{
    static struct owsk_owner o = {.name = "asserter", .id = 4};

    owsk_owner_enter(&o);
    RtlAssert((PVOID) "x == 1", (PVOID) "drv.c", 42, (PSTR) "bad x");
}

static void do_break(void)
{
    DbgBreakPoint();
}

static void test_assert(void)
{
    char out[4096];

    CHECK_INT(in_child(do_assert, out, sizeof(out)), KMODE_EXCEPTION_NOT_HANDLED);
    CHECK(strstr(out, "asserter: bad x Assertion failed: x == 1, file drv.c, line 42") != NULL);
    CHECK(strstr(out, "0x0000001E") != NULL || strstr(out, "1E") != NULL);
    CHECK_INT(in_child(do_break, out, sizeof(out)), KMODE_EXCEPTION_NOT_HANDLED);
}

int main(void)
{
    test_print();
    test_assert();
    return t_done();
}
