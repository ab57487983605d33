/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IRP allocation and reuse (IoAllocateIrp/IoReuseIrp/IoInitializeIrp field by field) and the
 * provider path a WSK function takes: owsk_io_irp_usable, owsk_io_irp_begin (listed by
 * owsk_irp_foreach), owsk_io_complete_irp from another thread at DISPATCH_LEVEL, with the
 * t_sync_irp round trip a WSK client uses (IoReuseIrp + IoSetCompletionRoutine + KEVENT). */
#include <pthread.h>

#include <openwsk/host.h>

#include "io/io.h"
#include "owsk_test.h"

static void allocate_and_reuse(void)
{
    PIRP irp = IoAllocateIrp(2, FALSE);
    PIO_STACK_LOCATION first;
    UCHAR flags;

    CHECK(IoAllocateIrp(0, FALSE) == NULL);
    CHECK(irp != NULL);
    if (!irp)
        return;
    first = (PIO_STACK_LOCATION)(irp + 1);
    CHECK_INT(irp->Type, IO_TYPE_IRP);
    CHECK_UINT(irp->Size, IoSizeOfIrp(2));
    CHECK_UINT(IoSizeOfIrp(2), sizeof(IRP) + 2 * sizeof(IO_STACK_LOCATION));
    CHECK_INT(irp->StackCount, 2);
    CHECK_INT(irp->CurrentLocation, 3);
    CHECK(irp->Tail.Overlay.CurrentStackLocation == first + 2); /* one past the last */
    CHECK(IoGetNextIrpStackLocation(irp) == first + 1);
    CHECK(IsListEmpty(&irp->ThreadListEntry));
    CHECK(irp->MdlAddress == NULL);
    CHECK(irp->Cancel == FALSE && irp->PendingReturned == FALSE);
    flags = irp->AllocationFlags;

    /* Dirty it the way a completed call leaves it, then reuse. */
    IoSetNextIrpStackLocation(irp);
    irp->Cancel = TRUE;
    irp->PendingReturned = TRUE;
    irp->IoStatus.Status = STATUS_CANCELLED;
    irp->IoStatus.Information = 12;
    IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
    CHECK_STATUS(irp->IoStatus.Status, STATUS_UNSUCCESSFUL);
    CHECK_UINT(irp->IoStatus.Information, 0);
    CHECK_INT(irp->Cancel, FALSE);
    CHECK_INT(irp->PendingReturned, FALSE);
    CHECK(irp->CancelRoutine == NULL);
    CHECK_INT(irp->CurrentLocation, 3);
    CHECK(irp->Tail.Overlay.CurrentStackLocation == first + 2);
    CHECK_UINT(irp->AllocationFlags, flags);
    CHECK_UINT(irp->Size, IoSizeOfIrp(2));
    IoFreeIrp(irp);
}

static void initialize_caller_memory(void)
{
    USHORT size = IoSizeOfIrp(3);
    PIRP irp = ExAllocatePoolZero(NonPagedPoolNx, size, 'tIoI');

    CHECK(irp != NULL);
    if (!irp)
        return;
    t_poison(irp, size);
    IoInitializeIrp(irp, size, 3);
    CHECK_INT(irp->Type, IO_TYPE_IRP);
    CHECK_UINT(irp->Size, size);
    CHECK_INT(irp->StackCount, 3);
    CHECK_INT(irp->CurrentLocation, 4);
    CHECK(irp->Tail.Overlay.CurrentStackLocation == (PIO_STACK_LOCATION)(irp + 1) + 3);
    CHECK(irp->MdlAddress == NULL && irp->CancelRoutine == NULL);
    CHECK(owsk_io_irp_usable(irp));
    /* A provider can hold and complete it like any other. */
    owsk_io_irp_begin(irp, NULL, "WskTest", NULL);
    CHECK(!owsk_io_irp_usable(irp));
    owsk_io_irp_end(irp);
    CHECK(owsk_io_irp_usable(irp));
    ExFreePoolWithTag(irp, 'tIoI');
}

static void usable_rules(void)
{
    PIRP irp = IoAllocateIrp(1, FALSE);

    CHECK(!owsk_io_irp_usable(NULL));
    CHECK(owsk_io_irp_usable(irp));
    IoSetNextIrpStackLocation(irp); /* no free location left */
    CHECK(!owsk_io_irp_usable(irp));
    IoReuseIrp(irp, STATUS_SUCCESS);
    CHECK(owsk_io_irp_usable(irp));
    IoFreeIrp(irp);
}

/* What the client's routine saw. */
static KIRQL seen_irql;
static BOOLEAN seen_pending;
static PIRP seen_irp;
static PDEVICE_OBJECT seen_dev;
static PVOID seen_context;
static KEVENT seen_event;

static NTSTATUS recording_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    seen_irql = KeGetCurrentIrql();
    seen_pending = Irp->PendingReturned;
    seen_irp = Irp;
    seen_dev = DeviceObject; /* checked by the main thread: CHECK is not thread-safe */
    seen_context = Context;
    KeSetEvent(&seen_event, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

struct later {
    PIRP irp;
    NTSTATUS status;
    ULONG_PTR info;
};

static void *complete_later(void *arg)
{
    struct later *l = arg;

    owsk_io_complete_irp(l->irp, l->status, l->info);
    return NULL;
}

static int find_row(const struct owsk_irp_row *row, void *ctx)
{
    const struct owsk_irp_row **want = ctx;

    if (row->irp == (*want)->irp) {
        CHECK_STR(row->operation, "WskReceive");
        CHECK(row->socket == (const void *)0x1234);
        CHECK_UINT(row->owner_id, 0);
        CHECK(row->age_ms < 60000);
        *want = NULL;
        return 1;
    }
    return 0;
}

static void provider_pending_path(void)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    struct owsk_irp_row want = {.irp = irp};
    const struct owsk_irp_row *wantp = &want;
    struct later l = {irp, STATUS_SUCCESS, 5};
    LARGE_INTEGER timeout = {.QuadPart = -10LL * 1000 * 5000};
    pthread_t t;

    KeInitializeEvent(&seen_event, NotificationEvent, FALSE);
    irp->IoStatus.Status = (NTSTATUS)0xdeadbeef;
    irp->IoStatus.Information = 0xdeadbeef;
    IoSetCompletionRoutine(irp, recording_done, &seen_event, TRUE, TRUE, TRUE);
    CHECK(owsk_io_irp_usable(irp));
    owsk_io_irp_begin(irp, NULL, "WskReceive", (const void *)0x1234);
    CHECK_UINT(owsk_io_irps_pending(0), 1);
    owsk_irp_foreach(find_row, &wantp);
    CHECK(wantp == NULL);
    CHECK(!owsk_io_irp_usable(irp)); /* resubmitting a pending IRP is refused */

    CHECK_INT(pthread_create(&t, NULL, complete_later, &l), 0);
    CHECK_STATUS(KeWaitForSingleObject(&seen_event, Executive, KernelMode, FALSE, &timeout),
                 STATUS_SUCCESS);
    pthread_join(t, NULL);
    CHECK(seen_irp == irp);
    CHECK(seen_dev == NULL);
    CHECK(seen_context == &seen_event);
    CHECK_INT(seen_irql, DISPATCH_LEVEL);
    CHECK_INT(seen_pending, TRUE); /* the provider returned STATUS_PENDING */
    CHECK_STATUS(irp->IoStatus.Status, STATUS_SUCCESS);
    CHECK_UINT(irp->IoStatus.Information, 5);
    CHECK_UINT(owsk_io_irps_pending(0), 0);
    wantp = &want;
    owsk_irp_foreach(find_row, &wantp);
    CHECK(wantp != NULL); /* no longer listed */
    IoFreeIrp(irp);
}

/* The t_sync_irp pattern: reuse the same IRP for an inline and a pending completion. */
static void sync_irp_round_trip(void)
{
    struct t_sync_irp s;
    struct later l;
    pthread_t t;
    PIRP irp;

    t_sync_irp_init(&s);
    irp = t_sync_irp_arm(&s);
    CHECK(owsk_io_irp_usable(irp));
    CHECK_STATUS(t_sync_irp_result(&s, owsk_io_complete_irp(irp, STATUS_INVALID_PARAMETER, 0),
                                   5000),
                 STATUS_INVALID_PARAMETER);
    CHECK_UINT(irp->IoStatus.Information, 0);
    CHECK_INT(irp->PendingReturned, FALSE);

    for (int i = 0; i < 3; i++) {
        irp = t_sync_irp_arm(&s);
        CHECK_STATUS(irp->IoStatus.Status, (NTSTATUS)0xdeadbeef);
        CHECK(owsk_io_irp_usable(irp));
        owsk_io_irp_begin(irp, NULL, "WskSend", NULL);
        l = (struct later){irp, STATUS_SUCCESS, 100 + (ULONG_PTR)i};
        CHECK_INT(pthread_create(&t, NULL, complete_later, &l), 0);
        CHECK_STATUS(t_sync_irp_result(&s, STATUS_PENDING, 5000), STATUS_SUCCESS);
        pthread_join(t, NULL);
        CHECK_UINT(irp->IoStatus.Information, 100 + (ULONG_PTR)i);
        CHECK_INT(irp->PendingReturned, TRUE);
    }
    t_sync_irp_free(&s);
}

/* An IRP received from above, handed to a provider (wsk-reference §3.1, third kind): the
 * driver's dispatch routine sets its routine in the next location, the provider pends and
 * completes it; the routine sees its own device and PendingReturned, propagates it with
 * IoMarkIrpPending and lets completion continue to the allocator's routine. */
static PDEVICE_OBJECT above_dev;
static struct {
    PDEVICE_OBJECT mid_dev;
    BOOLEAN mid_pending, top_pending;
    int order; /* 1 = mid ran, 2 = then top */
} above;
static PIRP provider_held;

static NTSTATUS above_mid_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    above.mid_dev = DeviceObject;
    above.mid_pending = Irp->PendingReturned;
    above.order = 1;
    if (Irp->PendingReturned)
        IoMarkIrpPending(Irp);
    return STATUS_SUCCESS; /* STATUS_CONTINUE_COMPLETION in the WDK */
}

static NTSTATUS above_top_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    above.top_pending = Irp->PendingReturned;
    if (above.order == 1)
        above.order = 2;
    KeSetEvent(Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* What a WSK function does with the IRP it is given. */
static NTSTATUS fake_wsk_call(PIRP irp)
{
    if (!owsk_io_irp_usable(irp))
        return STATUS_INVALID_PARAMETER;
    owsk_io_irp_begin(irp, NULL, "WskReceive", NULL);
    provider_held = irp;
    return STATUS_PENDING;
}

static NTSTATUS above_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    IoSetCompletionRoutine(Irp, above_mid_done, NULL, TRUE, TRUE, TRUE);
    return fake_wsk_call(Irp);
}

static NTSTATUS AboveEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    DriverObject->MajorFunction[IRP_MJ_INTERNAL_DEVICE_CONTROL] = above_dispatch;
    return IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_NETWORK, 0, FALSE, &above_dev);
}

static void irp_from_above(void)
{
    owsk_ntstatus_t st;
    struct owsk_driver *drv = owsk_driver_load_entry((owsk_driver_entry_fn)AboveEntry,
                                                     "ioabove", &st);
    LARGE_INTEGER timeout = {.QuadPart = -10LL * 1000 * 5000};
    struct later l;
    KEVENT done;
    pthread_t t;
    PIRP irp;

    CHECK(drv != NULL);
    if (!drv)
        return;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    irp = IoAllocateIrp(2, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_INTERNAL_DEVICE_CONTROL;
    IoSetCompletionRoutine(irp, above_top_done, &done, TRUE, TRUE, TRUE);
    CHECK_STATUS(IoCallDriver(above_dev, irp), STATUS_PENDING);
    CHECK(provider_held == irp);
    l = (struct later){irp, STATUS_SUCCESS, 3};
    CHECK_INT(pthread_create(&t, NULL, complete_later, &l), 0);
    CHECK_STATUS(KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, &timeout),
                 STATUS_SUCCESS);
    pthread_join(t, NULL);
    CHECK_INT(above.order, 2);
    CHECK(above.mid_dev == above_dev);
    CHECK_INT(above.mid_pending, TRUE);
    CHECK_INT(above.top_pending, TRUE); /* propagated by above_mid_done */
    CHECK_UINT(irp->IoStatus.Information, 3);
    IoFreeIrp(irp);
    IoDeleteDevice(above_dev);
    CHECK_INT(owsk_driver_unload(drv, 5000), 0);
}

int main(void)
{
    allocate_and_reuse();
    initialize_caller_memory();
    usable_rules();
    provider_pending_path();
    sync_irp_round_trip();
    irp_from_above();
    return t_done();
}
