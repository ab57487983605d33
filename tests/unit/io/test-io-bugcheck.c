/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where Windows bug-checks on IRP misuse, so do we: each case runs in a forked child and the
 * parent checks the printed stop code, name and IRP address, and the exit status (the code's
 * low byte). Codes: MULTIPLE_IRP_COMPLETE_REQUESTS 0x44 (P1 = IRP), NO_MORE_IRP_STACK_LOCATIONS
 * 0x35 (P1 = IRP), DRIVER_VERIFIER_IOMANAGER_VIOLATION 0xC9 P1 = 6 (completed with
 * STATUS_PENDING) / 7 (cancel routine still set) / 0x20A (freed while pending). */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openwsk/host.h>

#include "io/io.h"
#include "owsk_test.h"

static PDEVICE_OBJECT dev;

static NTSTATUS complete_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    DriverObject->MajorFunction[IRP_MJ_INTERNAL_DEVICE_CONTROL] = complete_dispatch;
    return IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &dev);
}

static NTSTATUS keep_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static PIRP the_irp;

/* The child says which IRP it uses, so the parent can look for it as P1. */
static PIRP sent_irp(void)
{
    PIRP irp = IoAllocateIrp(1, FALSE);

    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_INTERNAL_DEVICE_CONTROL;
    IoSetCompletionRoutine(irp, keep_done, NULL, TRUE, TRUE, TRUE);
    fprintf(stderr, "IRP (0x%016lX,\n", (unsigned long)(ULONG_PTR)irp);
    return irp;
}

static void double_complete_request(void)
{
    the_irp = sent_irp();
    IoCallDriver(dev, the_irp);
    IoCompleteRequest(the_irp, IO_NO_INCREMENT); /* completed once by the device already */
}

static void double_provider_completion(void)
{
    the_irp = sent_irp();
    owsk_io_complete_irp(the_irp, STATUS_SUCCESS, 0);
    owsk_io_complete_irp(the_irp, STATUS_SUCCESS, 0);
}

static void complete_with_pending(void)
{
    the_irp = sent_irp();
    owsk_io_complete_irp(the_irp, STATUS_PENDING, 0);
}

static void no_stack_location(void)
{
    the_irp = sent_irp();
    IoCallDriver(dev, the_irp);
    IoCallDriver(dev, the_irp); /* CurrentLocation is 2 again... */
    IoSetNextIrpStackLocation(the_irp);
    IoCallDriver(dev, the_irp); /* ...now 1: nothing left below */
}

static VOID some_cancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    IoReleaseCancelSpinLock(Irp->CancelIrql);
}

static void complete_with_cancel_routine(void)
{
    the_irp = sent_irp();
    IoSetCancelRoutine(the_irp, some_cancel);
    owsk_io_complete_irp(the_irp, STATUS_SUCCESS, 0);
}

static void free_while_pending(void)
{
    the_irp = sent_irp();
    owsk_io_irp_begin(the_irp, NULL, "WskReceive", NULL);
    IoFreeIrp(the_irp);
}

/* A read-only page probed for IoWriteAccess: Windows raises STATUS_ACCESS_VIOLATION, which the
 * driver's __except cannot catch here: KMODE_EXCEPTION_NOT_HANDLED, P1 = the exception code. */
static void probe_read_only(void)
{
    void *page = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    PMDL mdl = IoAllocateMdl(page, 100, FALSE, FALSE, NULL);

    MmProbeAndLockPages(mdl, KernelMode, IoReadAccess); /* fine */
    MmUnlockPages(mdl);
    MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
}

/* Runs fn in a child; returns its stderr in out and its exit status. */
static int run_child(void (*fn)(void), char *out, size_t cap)
{
    int pipefd[2], status = -1;
    size_t len = 0;
    ssize_t n;
    pid_t pid;

    if (pipe(pipefd) != 0)
        return -1;
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], STDERR_FILENO);
        close(pipefd[0]);
        fn();
        _exit(0); /* no bug check: the parent's check fails */
    }
    close(pipefd[1]);
    while (len + 1 < cap && (n = read(pipefd[0], out + len, cap - 1 - len)) > 0)
        len += (size_t)n;
    out[len] = 0;
    close(pipefd[0]);
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void expect(const char *what, void (*fn)(void), unsigned code, const char *name,
                   const char *p1)
{
    char out[4096], want[64], irp_p1[40];
    int status = run_child(fn, out, sizeof(out));
    const char *mark = strstr(out, "IRP (0x");

    fprintf(stderr, "--- %s: exit %d\n%s", what, status, out);
    CHECK_INT(status, code & 0xff);
    snprintf(want, sizeof(want), "*** STOP: 0x%08X", code);
    CHECK(strstr(out, want) != NULL);
    CHECK(strstr(out, name) != NULL);
    if (!p1 && mark) {
        /* P1 is the IRP: "(0x...," appears twice, in the announcement and the STOP line. */
        snprintf(irp_p1, sizeof(irp_p1), "%.20s", mark + 4);
        p1 = irp_p1;
        CHECK(strstr(strstr(out, "*** STOP") ? strstr(out, "*** STOP") : out, p1) != NULL);
    } else if (p1) {
        CHECK(strstr(out, p1) != NULL);
    }
    CHECK(p1 != NULL);
}

int main(void)
{
    owsk_ntstatus_t st;
    struct owsk_driver *drv = owsk_driver_load_entry((owsk_driver_entry_fn)DriverEntry,
                                                     "iobugcheck", &st);

    CHECK(drv != NULL);
    if (!drv)
        return t_done();
    expect("IoCompleteRequest twice", double_complete_request, 0x44,
           "MULTIPLE_IRP_COMPLETE_REQUESTS", NULL);
    expect("provider completes twice", double_provider_completion, 0x44,
           "MULTIPLE_IRP_COMPLETE_REQUESTS", NULL);
    expect("completed with STATUS_PENDING", complete_with_pending, 0xC9,
           "DRIVER_VERIFIER_IOMANAGER_VIOLATION", "(0x0000000000000006,");
    expect("no stack location", no_stack_location, 0x35, "NO_MORE_IRP_STACK_LOCATIONS",
           NULL);
    expect("cancel routine still set", complete_with_cancel_routine, 0xC9,
           "DRIVER_VERIFIER_IOMANAGER_VIOLATION", "(0x0000000000000007,");
    expect("freed while pending", free_while_pending, 0xC9,
           "DRIVER_VERIFIER_IOMANAGER_VIOLATION", "(0x000000000000020A,");
    /* P1 sign-extended, as x64 dumps show it. */
    expect("probe for write on a read-only page", probe_read_only, 0x1E,
           "KMODE_EXCEPTION_NOT_HANDLED", "(0xFFFFFFFFC0000005,");
    IoDeleteDevice(dev);
    CHECK_INT(owsk_driver_unload(drv, 5000), 0);
    return t_done();
}
