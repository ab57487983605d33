/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IRP completion: IofCompleteRequest's stack walk, IoSetCompletionRoutineEx, and
 * owsk_io_complete_irp for providers. Leaves out: priority boosts, and the thread-side
 * completion of thread IRPs (user IOSB, event, APC): every IRP here is driver-allocated. */
#include <stdlib.h>

#include "io/io_private.h"
#include "ke/ke.h"

/* Which driver a completion routine belongs to: the one whose location is now current
 * (it set the routine in the location below), or for the top location the IRP's allocator. */
static struct owsk_owner *routine_owner(PIRP irp, PDEVICE_OBJECT dev)
{
    struct owsk_owner *o = dev ? owsk_io_device_owner(dev) : NULL;
    struct irp_header *h;

    if (o)
        return o;
    h = irp_header_of(irp);
    if (h && h->owner)
        return h->owner;
    return owsk_current_owner;
}

static bool should_invoke(PIRP irp, UCHAR control, NTSTATUS status)
{
    if (NT_SUCCESS(status) && (control & SL_INVOKE_ON_SUCCESS))
        return true;
    if (!NT_SUCCESS(status) && (control & SL_INVOKE_ON_ERROR))
        return true;
    return __atomic_load_n(&irp->Cancel, __ATOMIC_ACQUIRE) && (control & SL_INVOKE_ON_CANCEL);
}

/* The walk of wsk-reference §3.1: from the current location upward, set PendingReturned from
 * each location, call its routine if its SL_INVOKE_* bits match, stop for good at
 * STATUS_MORE_PROCESSING_REQUIRED (the IRP is then the routine's and is never touched again
 * here). Routines run at the caller's IRQL, each with its driver as the current owner. */
VOID FASTCALL IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
    NTSTATUS status;

    if (!Irp || Irp->Type != OWSK_IO_TYPE_IRP)
        owsk_ke_bugcheck(OWSK_BUGCHECK_MULTIPLE_IRP_COMPLETE_REQUESTS, (ULONG_PTR)Irp, 0, 0, 0,
                         "IoCompleteRequest on %p, which is not an IRP (freed already?)",
                         (void *)Irp);
    if (Irp->CurrentLocation > Irp->StackCount)
        owsk_ke_bugcheck(OWSK_BUGCHECK_MULTIPLE_IRP_COMPLETE_REQUESTS, (ULONG_PTR)Irp,
                         (ULONG_PTR)Irp->CurrentLocation, (ULONG_PTR)Irp->StackCount, 0,
                         "IRP %p completed twice: it has no driver's stack location left to "
                         "complete (or was never sent with IoCallDriver)", (void *)Irp);
    status = Irp->IoStatus.Status;
    if (status == STATUS_PENDING || status == (NTSTATUS)-1)
        owsk_ke_bugcheck(OWSK_BUGCHECK_IOMANAGER_VIOLATION, 0x06, (ULONG_PTR)status,
                         (ULONG_PTR)Irp, 0, "IoCompleteRequest on IRP %p with status %s",
                         (void *)Irp, owsk_status_name(status));
    if (__atomic_load_n(&Irp->CancelRoutine, __ATOMIC_ACQUIRE))
        owsk_ke_bugcheck(OWSK_BUGCHECK_IOMANAGER_VIOLATION, 0x07,
                         (ULONG_PTR)Irp->CancelRoutine, (ULONG_PTR)Irp, 0,
                         "IoCompleteRequest on IRP %p with its cancel routine still set",
                         (void *)Irp);

    for (;;) {
        PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
        PIO_COMPLETION_ROUTINE routine = sp->CompletionRoutine;
        PVOID context = sp->Context;
        UCHAR control = sp->Control;
        PDEVICE_OBJECT dev;
        bool top;

        Irp->CurrentLocation++;
        Irp->Tail.Overlay.CurrentStackLocation++;
        top = Irp->CurrentLocation > Irp->StackCount;
        Irp->PendingReturned = (control & SL_PENDING_RETURNED) ? TRUE : FALSE;
        /* Cleared before the call, so a completion resumed later never runs it again. */
        sp->CompletionRoutine = NULL;
        sp->Context = NULL;
        sp->Control = 0;

        if (routine && should_invoke(Irp, control, Irp->IoStatus.Status)) {
            struct owsk_owner *prev;
            NTSTATUS r;

            dev = top ? NULL : IoGetCurrentIrpStackLocation(Irp)->DeviceObject;
            prev = owsk_owner_enter(routine_owner(Irp, dev));
            r = routine(dev, Irp, context);
            owsk_owner_leave(prev);
            if (r == STATUS_MORE_PROCESSING_REQUIRED)
                return;
        } else if (Irp->PendingReturned && !top) {
            IoMarkIrpPending(Irp);
        }
        if (top)
            break;
    }
    /* No thread to complete to: every IRP here is driver-allocated, and its completion
     * routine should have returned STATUS_MORE_PROCESSING_REQUIRED (§3.1). */
    OWSK_WARN(OWSK_CH_IO,
              "irp %p, status %s: completion reached the top without "
              "STATUS_MORE_PROCESSING_REQUIRED; left alone (driver-allocated IRP)",
              (void *)Irp, owsk_status_name(Irp->IoStatus.Status));
}

/* IoSetCompletionRoutineEx's context: always invoked, so it can always be freed. */
struct completion_ex {
    PIO_COMPLETION_ROUTINE routine;
    PVOID context;
    UCHAR control; /* the SL_INVOKE_* bits the driver asked for */
    struct owsk_driver *driver; /* referenced until the routine has run */
};

static NTSTATUS completion_ex_thunk(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    struct completion_ex c = *(struct completion_ex *)Context;
    NTSTATUS r = STATUS_SUCCESS;

    free(Context);
    if (should_invoke(Irp, c.control, Irp->IoStatus.Status)) {
        r = c.routine(DeviceObject, Irp, c.context);
    } else if (Irp->PendingReturned && Irp->CurrentLocation <= Irp->StackCount) {
        /* What IofCompleteRequest does for a location whose routine is not invoked. */
        IoMarkIrpPending(Irp);
    }
    if (c.driver)
        io_driver_unref(c.driver);
    return r;
}

/* IoSetCompletionRoutineEx: the context comes from the C heap (not charged to the driver's
 * pool); the reference it holds is on the driver, not the device object. */
NTSTATUS IoSetCompletionRoutineEx(PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                  PIO_COMPLETION_ROUTINE CompletionRoutine, PVOID Context,
                                  BOOLEAN InvokeOnSuccess, BOOLEAN InvokeOnError,
                                  BOOLEAN InvokeOnCancel)
{
    struct completion_ex *c;

    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, Irp);
    c = malloc(sizeof(*c));
    if (!c)
        return STATUS_INSUFFICIENT_RESOURCES;
    c->routine = CompletionRoutine;
    c->context = Context;
    c->control = (InvokeOnSuccess ? SL_INVOKE_ON_SUCCESS : 0) |
                 (InvokeOnError ? SL_INVOKE_ON_ERROR : 0) |
                 (InvokeOnCancel ? SL_INVOKE_ON_CANCEL : 0);
    c->driver = (DeviceObject && DeviceObject->Type == OWSK_IO_TYPE_DEVICE)
                    ? io_driver_from_object(DeviceObject->DriverObject)
                    : NULL;
    if (c->driver)
        io_driver_ref(c->driver);
    IoSetCompletionRoutine(Irp, completion_ex_thunk, c, TRUE, TRUE, TRUE);
    return STATUS_SUCCESS;
}

NTSTATUS owsk_io_complete_irp(PIRP irp, NTSTATUS status, ULONG_PTR information)
{
    struct owsk_owner *owner = NULL;
    struct irp_header *h;
    KIRQL irql;

    if (status == STATUS_PENDING)
        owsk_ke_bugcheck(OWSK_BUGCHECK_IOMANAGER_VIOLATION, 0x06, (ULONG_PTR)status,
                         (ULONG_PTR)irp, 0, "provider completing IRP %p with STATUS_PENDING",
                         (void *)irp);
    h = irp_header_of(irp);
    if (h && atomic_exchange(&h->completing, 1))
        owsk_ke_bugcheck(OWSK_BUGCHECK_MULTIPLE_IRP_COMPLETE_REQUESTS, (ULONG_PTR)irp, 0, 0, 0,
                         "IRP %p completed twice by the provider (status %s)", (void *)irp,
                         owsk_status_name(status));
    if (!io_pending_remove(irp, &owner))
        owner = h && h->owner ? h->owner : owsk_current_owner;

    irp->IoStatus.Information = information;
    irp->IoStatus.Status = status;
    /* "Call down" into the provider's location, as IoCallDriver would have: the client's
     * completion routine sits there (IoSetCompletionRoutine wrote the next location). */
    if (irp->CurrentLocation <= 1)
        owsk_ke_bugcheck(OWSK_BUGCHECK_NO_MORE_IRP_STACK_LOCATIONS, (ULONG_PTR)irp, 0, 0, 0,
                         "IRP %p has no free stack location for the provider", (void *)irp);
    irp->CurrentLocation--;
    irp->Tail.Overlay.CurrentStackLocation--;

    irql = owsk_ke_irql_get();
    IO_CALL_AS(owner, irql > DISPATCH_LEVEL ? irql : DISPATCH_LEVEL,
               IofCompleteRequest(irp, IO_NO_INCREMENT));
    return status;
}
