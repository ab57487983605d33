/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IofCompleteRequest's stack walk on 2- and 3-location IRPs sent through real device objects:
 * which completion routines run, in which order, with which DeviceObject, what PendingReturned
 * they see (IoMarkIrpPending propagation), STATUS_MORE_PROCESSING_REQUIRED stopping and
 * resuming the walk, the SL_INVOKE_* bits, IoSetCompletionRoutineEx and the default
 * MajorFunction. Expected behaviour: the IoCompleteRequest and IoSetCompletionRoutine DDI
 * pages, "Using IRPs with WSK functions", and wsk-reference §3.1. */
#include <openwsk/host.h>

#include "owsk_test.h"

static PDEVICE_OBJECT dev_top, dev_low;

/* What the lower device does with an IRP. */
static enum { LOW_COMPLETE, LOW_PEND } low_mode;
static NTSTATUS low_status;
static PIRP low_pended;

/* A record of each completion routine call. */
struct call {
    const char *who;
    PDEVICE_OBJECT dev;
    BOOLEAN pending_returned;
    CHAR location;
};
static struct call calls[8];
static int ncalls;
static NTSTATUS mid_returns;

static void record(const char *who, PDEVICE_OBJECT dev, PIRP irp)
{
    if (ncalls < 8)
        calls[ncalls++] = (struct call){who, dev, irp->PendingReturned, irp->CurrentLocation};
}

static void reset(void)
{
    ncalls = 0;
    memset(calls, 0, sizeof(calls));
    low_pended = NULL;
    mid_returns = STATUS_SUCCESS;
}

static NTSTATUS low_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    if (low_mode == LOW_PEND) {
        IoMarkIrpPending(Irp);
        low_pended = Irp;
        return STATUS_PENDING;
    }
    Irp->IoStatus.Status = low_status;
    Irp->IoStatus.Information = 7;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return low_status;
}

/* The middle driver's routine, set by dev_top's dispatch: the IRP-from-above pattern. */
static NTSTATUS mid_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    record("mid", DeviceObject, Irp);
    if (mid_returns == STATUS_MORE_PROCESSING_REQUIRED)
        return STATUS_MORE_PROCESSING_REQUIRED;
    if (Irp->PendingReturned)
        IoMarkIrpPending(Irp);
    return STATUS_SUCCESS;
}

static BOOLEAN mid_on_success = TRUE, mid_on_error = TRUE, mid_on_cancel = TRUE;

static NTSTATUS top_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    IoCopyCurrentIrpStackLocationToNext(Irp);
    /* Both devices share this driver's MajorFunction table: route to the lower one. */
    IoGetNextIrpStackLocation(Irp)->MajorFunction = IRP_MJ_INTERNAL_DEVICE_CONTROL;
    IoSetCompletionRoutine(Irp, mid_done, NULL, mid_on_success, mid_on_error, mid_on_cancel);
    return IoCallDriver(dev_low, Irp);
}

/* The IRP's allocator: the routine a WSK client writes. */
static NTSTATUS alloc_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    record("alloc", DeviceObject, Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NTSTATUS r;

    r = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &dev_top);
    if (!NT_SUCCESS(r))
        return r;
    r = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &dev_low);
    if (!NT_SUCCESS(r))
        return r;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = top_dispatch;
    DriverObject->MajorFunction[IRP_MJ_INTERNAL_DEVICE_CONTROL] = low_dispatch;
    return STATUS_SUCCESS;
}

/* A fresh IRP aimed at a device with the allocator's routine in the next location. */
static PIRP make_irp(CCHAR stack, UCHAR major)
{
    PIRP irp = IoAllocateIrp(stack, FALSE);

    CHECK(irp != NULL);
    CHECK_INT(irp->StackCount, stack);
    CHECK_INT(irp->CurrentLocation, stack + 1);
    IoGetNextIrpStackLocation(irp)->MajorFunction = major;
    IoSetCompletionRoutine(irp, alloc_done, NULL, TRUE, TRUE, TRUE);
    return irp;
}

/* 2 locations: allocator -> dev_low (completes inline). */
static void two_locations_inline(void)
{
    PIRP irp;

    reset();
    low_mode = LOW_COMPLETE;
    low_status = STATUS_SUCCESS;
    irp = make_irp(2, IRP_MJ_INTERNAL_DEVICE_CONTROL);
    CHECK_STATUS(IoCallDriver(dev_low, irp), STATUS_SUCCESS);
    CHECK_INT(ncalls, 1);
    CHECK_STR(calls[0].who, "alloc");
    /* Routine in location 2 (the allocator's next), so location 3 = top: no device. */
    CHECK(calls[0].dev == NULL);
    CHECK_INT(calls[0].pending_returned, FALSE);
    CHECK_INT(calls[0].location, 3);
    CHECK_STATUS(irp->IoStatus.Status, STATUS_SUCCESS);
    CHECK_UINT(irp->IoStatus.Information, 7);
    IoFreeIrp(irp);
}

/* 3 locations: allocator -> dev_top (forwards with mid_done) -> dev_low. */
static void three_locations(BOOLEAN pend)
{
    PIRP irp;
    NTSTATUS r;

    reset();
    low_mode = pend ? LOW_PEND : LOW_COMPLETE;
    low_status = STATUS_SUCCESS;
    irp = make_irp(3, IRP_MJ_DEVICE_CONTROL);
    r = IoCallDriver(dev_top, irp);
    if (pend) {
        CHECK_STATUS(r, STATUS_PENDING);
        CHECK(low_pended == irp);
        CHECK_INT(ncalls, 0);
        CHECK_INT(irp->CurrentLocation, 2); /* dev_low's location */
        irp->IoStatus.Status = STATUS_SUCCESS;
        irp->IoStatus.Information = 42;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    } else {
        CHECK_STATUS(r, STATUS_SUCCESS);
    }
    CHECK_INT(ncalls, 2);
    CHECK_STR(calls[0].who, "mid");
    CHECK_STR(calls[1].who, "alloc");
    /* mid_done was set by dev_top's dispatch: it receives dev_top. */
    CHECK(calls[0].dev == dev_top);
    CHECK(calls[1].dev == NULL);
    /* PendingReturned comes from dev_low's IoMarkIrpPending, then mid_done's propagation. */
    CHECK_INT(calls[0].pending_returned, pend);
    CHECK_INT(calls[1].pending_returned, pend);
    CHECK_INT(calls[0].location, 3);
    CHECK_INT(calls[1].location, 4);
    IoFreeIrp(irp);
}

/* mid_done not invoked (bits say no): the I/O manager itself propagates PendingReturned. */
static void not_invoked_propagates_pending(void)
{
    PIRP irp;

    reset();
    low_mode = LOW_PEND;
    mid_on_success = FALSE;
    irp = make_irp(3, IRP_MJ_DEVICE_CONTROL);
    CHECK_STATUS(IoCallDriver(dev_top, irp), STATUS_PENDING);
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    CHECK_INT(ncalls, 1);
    CHECK_STR(calls[0].who, "alloc");
    CHECK_INT(calls[0].pending_returned, TRUE);
    IoFreeIrp(irp);

    /* Same bits, an error status: now it runs. */
    reset();
    low_mode = LOW_COMPLETE;
    low_status = STATUS_UNSUCCESSFUL;
    irp = make_irp(3, IRP_MJ_DEVICE_CONTROL);
    CHECK_STATUS(IoCallDriver(dev_top, irp), STATUS_UNSUCCESSFUL);
    CHECK_INT(ncalls, 2);
    CHECK_STR(calls[0].who, "mid");
    CHECK_STATUS(irp->IoStatus.Status, STATUS_UNSUCCESSFUL);
    IoFreeIrp(irp);

    /* Only on cancel: an error without Irp->Cancel skips it, with Irp->Cancel runs it. */
    mid_on_error = FALSE;
    mid_on_cancel = TRUE;
    reset();
    irp = make_irp(3, IRP_MJ_DEVICE_CONTROL);
    CHECK_STATUS(IoCallDriver(dev_top, irp), STATUS_UNSUCCESSFUL);
    CHECK_INT(ncalls, 1);
    IoFreeIrp(irp);
    reset();
    irp = make_irp(3, IRP_MJ_DEVICE_CONTROL);
    irp->Cancel = TRUE;
    CHECK_STATUS(IoCallDriver(dev_top, irp), STATUS_UNSUCCESSFUL);
    CHECK_INT(ncalls, 2);
    IoFreeIrp(irp);
    mid_on_success = mid_on_error = mid_on_cancel = TRUE;
}

/* mid_done returns MORE_PROCESSING_REQUIRED: the walk stops; dev_top's later
 * IoCompleteRequest resumes it from dev_top's location (the synchronous-forward pattern). */
static void more_processing_stops_and_resumes(void)
{
    PIRP irp;

    reset();
    low_mode = LOW_COMPLETE;
    low_status = STATUS_SUCCESS;
    mid_returns = STATUS_MORE_PROCESSING_REQUIRED;
    irp = make_irp(3, IRP_MJ_DEVICE_CONTROL);
    CHECK_STATUS(IoCallDriver(dev_top, irp), STATUS_SUCCESS);
    CHECK_INT(ncalls, 1);
    CHECK_STR(calls[0].who, "mid");
    CHECK_INT(irp->CurrentLocation, 3); /* back in dev_top's location */
    mid_returns = STATUS_SUCCESS;
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    CHECK_INT(ncalls, 2);
    CHECK_STR(calls[1].who, "alloc");
    IoFreeIrp(irp);
}

/* A routine that returns STATUS_SUCCESS at the top of a driver-allocated IRP: logged and left
 * alone (no thread to complete to); the IRP is still the allocator's to free. */
static NTSTATUS top_success(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    record("top-success", DeviceObject, Irp);
    return STATUS_SUCCESS;
}

static void top_without_more_processing(void)
{
    PIRP irp;

    reset();
    low_mode = LOW_COMPLETE;
    low_status = STATUS_SUCCESS;
    irp = IoAllocateIrp(1, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_INTERNAL_DEVICE_CONTROL;
    IoSetCompletionRoutine(irp, top_success, NULL, TRUE, TRUE, TRUE);
    CHECK_STATUS(IoCallDriver(dev_low, irp), STATUS_SUCCESS);
    CHECK_INT(ncalls, 1);
    CHECK_INT(irp->Type, IO_TYPE_IRP);
    IoFreeIrp(irp);
}

/* The default MajorFunction completes with STATUS_INVALID_DEVICE_REQUEST. */
static void default_dispatch(void)
{
    PIRP irp;

    reset();
    irp = make_irp(1, IRP_MJ_CREATE);
    irp->IoStatus.Information = 99;
    CHECK_STATUS(IoCallDriver(dev_low, irp), STATUS_INVALID_DEVICE_REQUEST);
    CHECK_INT(ncalls, 1);
    CHECK_STATUS(irp->IoStatus.Status, STATUS_INVALID_DEVICE_REQUEST);
    CHECK_UINT(irp->IoStatus.Information, 0);
    IoFreeIrp(irp);
}

static int ex_runs;

static NTSTATUS ex_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    ex_runs++;
    CHECK(Context == &ex_runs);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* IoSetCompletionRoutineEx: runs per its bits, and its context is freed either way (ASan's
 * leak check fails the test otherwise). */
static void completion_ex(void)
{
    PIRP irp;

    low_mode = LOW_COMPLETE;
    low_status = STATUS_SUCCESS;
    irp = IoAllocateIrp(1, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_INTERNAL_DEVICE_CONTROL;
    CHECK_STATUS(IoSetCompletionRoutineEx(dev_low, irp, ex_done, &ex_runs, TRUE, TRUE, TRUE),
                 STATUS_SUCCESS);
    CHECK_STATUS(IoCallDriver(dev_low, irp), STATUS_SUCCESS);
    CHECK_INT(ex_runs, 1);

    IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_INTERNAL_DEVICE_CONTROL;
    CHECK_STATUS(IoSetCompletionRoutineEx(dev_low, irp, ex_done, &ex_runs, FALSE, TRUE, TRUE),
                 STATUS_SUCCESS);
    CHECK_STATUS(IoCallDriver(dev_low, irp), STATUS_SUCCESS);
    CHECK_INT(ex_runs, 1); /* not invoked on success */
    IoFreeIrp(irp);
}

int main(void)
{
    owsk_ntstatus_t st = -1;
    struct owsk_driver *drv = owsk_driver_load_entry((owsk_driver_entry_fn)DriverEntry,
                                                     "iocomplete", &st);

    CHECK(drv != NULL);
    CHECK_STATUS(st, STATUS_SUCCESS);
    if (!drv)
        return t_done();
    two_locations_inline();
    three_locations(FALSE);
    three_locations(TRUE);
    not_invoked_propagates_pending();
    more_processing_stops_and_resumes();
    top_without_more_processing();
    default_dispatch();
    completion_ex();
    IoDeleteDevice(dev_top);
    IoDeleteDevice(dev_low);
    CHECK_INT(owsk_driver_unload(drv, 5000), 0);
    return t_done();
}
