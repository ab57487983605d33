/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The synchronous-IRP pattern of Wine's driver tests and the WSK echo sample: reuse one IRP,
 * let its completion routine set an event, wait for the event with a deadline. */
#include "owsk_test.h"

static NTSTATUS sync_irp_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    struct t_sync_irp *s = Context;

    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent(&s->event, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

void t_sync_irp_init(struct t_sync_irp *s)
{
    s->irp = IoAllocateIrp(1, FALSE);
    if (!s->irp) {
        fprintf(stderr, "IoAllocateIrp failed\n");
        exit(1);
    }
    KeInitializeEvent(&s->event, SynchronizationEvent, FALSE);
}

PIRP t_sync_irp_arm(struct t_sync_irp *s)
{
    IoReuseIrp(s->irp, STATUS_UNSUCCESSFUL);
    s->irp->IoStatus.Status = (NTSTATUS)0xdeadbeef;
    s->irp->IoStatus.Information = (ULONG_PTR)0xdeadbeefdeadbeefull;
    KeClearEvent(&s->event);
    IoSetCompletionRoutine(s->irp, sync_irp_done, s, TRUE, TRUE, TRUE);
    return s->irp;
}

NTSTATUS t_sync_irp_wait(struct t_sync_irp *s, unsigned timeout_ms)
{
    LARGE_INTEGER timeout;
    NTSTATUS r;

    timeout.QuadPart = -(LONGLONG)timeout_ms * 10000;
    r = KeWaitForSingleObject(&s->event, Executive, KernelMode, FALSE, &timeout);
    if (r == STATUS_TIMEOUT) {
        t_fail(__FILE__, __LINE__, "IRP %p not completed within %u ms", (void *)s->irp,
               timeout_ms);
        return STATUS_TIMEOUT;
    }
    return s->irp->IoStatus.Status;
}

NTSTATUS t_sync_irp_result(struct t_sync_irp *s, NTSTATUS r, unsigned timeout_ms)
{
    NTSTATUS done = t_sync_irp_wait(s, timeout_ms);

    if (r != STATUS_PENDING && done != r)
        t_fail(__FILE__, __LINE__, "call returned %s but the IRP completed with %s",
               t_status_name(r), t_status_name(done));
    return done;
}

void t_sync_irp_free(struct t_sync_irp *s)
{
    if (s->irp)
        IoFreeIrp(s->irp);
    s->irp = NULL;
}
