/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IRP allocation and dispatch: IoAllocateIrp, IoInitializeIrp, IoReuseIrp, IoFreeIrp,
 * IofCallDriver, and the provider's usability check. Leaves out: IRPs tied to threads
 * (IoBuild*Request, user IOSB/event delivery), lookaside lists and quota charging. */
#include <stdlib.h>
#include <string.h>

#include "io/io_private.h"
#include "ke/ke.h"

/* IoAllocateIrp: ChargeQuota is ignored. A StackSize below 1 returns NULL (no usable IRP). */
PIRP IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota)
{
    struct irp_header *h;
    USHORT size;
    PIRP irp;

    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, NULL);
    if (StackSize < 1)
        return NULL;
    size = IoSizeOfIrp(StackSize);
    if (posix_memalign((void **)&h, 16, sizeof(*h) + size) != 0)
        return NULL;
    memset(h, 0, sizeof(*h));
    h->magic = OWSK_IRP_MAGIC;
    h->owner = owsk_current_owner;
    h->pending.embedded = true;
    irp = (PIRP)(h + 1);
    h->pending.irp = irp;
    IoInitializeIrp(irp, size, StackSize);
    irp->AllocationFlags = OWSK_IRP_HAS_HEADER;
    io_count_add(h->owner, IO_COUNT_IRPS, 1);
    OWSK_TRACE(OWSK_CH_IO, "stack size %d -> irp %p", StackSize, (void *)irp);
    return irp;
}

void IoInitializeIrp(PIRP Irp, USHORT PacketSize, CCHAR StackSize)
{
    if (PacketSize < IoSizeOfIrp(StackSize))
        OWSK_WARN(OWSK_CH_IO, "irp %p: packet size %u is too small for %d stack locations",
                  (void *)Irp, PacketSize, StackSize);
    memset(Irp, 0, PacketSize);
    Irp->Type = OWSK_IO_TYPE_IRP;
    Irp->Size = PacketSize;
    Irp->StackCount = StackSize;
    Irp->CurrentLocation = (CHAR)(StackSize + 1);
    InitializeListHead(&Irp->ThreadListEntry);
    /* The current location starts one past the last one; IoCallDriver steps down first. */
    Irp->Tail.Overlay.CurrentStackLocation =
        (PIO_STACK_LOCATION)((UCHAR *)Irp + sizeof(IRP)) + StackSize;
}

static void check_not_pending(PIRP irp, const char *ddi)
{
    struct irp_header *h = irp_header_of(irp);
    bool pending = h ? __atomic_load_n(&h->pending.registered, __ATOMIC_ACQUIRE)
                     : io_pending_find(irp);

    if (pending)
        owsk_ke_bugcheck(OWSK_BUGCHECK_IOMANAGER_VIOLATION, 0x20A, (ULONG_PTR)irp, 0, 0,
                         "%s on IRP %p while a provider still holds it pending (%s)", ddi,
                         (void *)irp, h && h->pending.operation ? h->pending.operation : "?");
}

void IoReuseIrp(PIRP Irp, NTSTATUS Iostatus)
{
    struct irp_header *h;
    UCHAR flags;

    if (!Irp || Irp->Type != OWSK_IO_TYPE_IRP)
        owsk_ke_bugcheck(OWSK_BUGCHECK_IOMANAGER_VIOLATION, 0x01, (ULONG_PTR)Irp, 0, 0,
                         "IoReuseIrp on %p, which is not an IRP", (void *)Irp);
    check_not_pending(Irp, "IoReuseIrp");
    if (Irp->CancelRoutine)
        OWSK_WARN(OWSK_CH_IO, "irp %p reused with a cancel routine still set", (void *)Irp);
    flags = Irp->AllocationFlags;
    IoInitializeIrp(Irp, Irp->Size, Irp->StackCount);
    Irp->AllocationFlags = flags;
    Irp->IoStatus.Status = Iostatus;
    h = irp_header_of(Irp);
    if (h)
        atomic_store(&h->completing, 0);
}

void IoFreeIrp(PIRP Irp)
{
    struct irp_header *h;

    if (!Irp || Irp->Type != OWSK_IO_TYPE_IRP)
        owsk_ke_bugcheck(OWSK_BUGCHECK_IOMANAGER_VIOLATION, 0x01, (ULONG_PTR)Irp, 0, 0,
                         "IoFreeIrp on %p, which is not an IRP (freed twice?)", (void *)Irp);
    h = irp_header_of(Irp);
    if (!h)
        owsk_ke_bugcheck(OWSK_BUGCHECK_IOMANAGER_VIOLATION, 0x01, (ULONG_PTR)Irp, 0, 0,
                         "IoFreeIrp on IRP %p, which IoAllocateIrp did not allocate",
                         (void *)Irp);
    check_not_pending(Irp, "IoFreeIrp");
    io_count_add(h->owner, IO_COUNT_IRPS, -1);
    /* Poison what a second IoFreeIrp or a late completion would look at. */
    Irp->Type = 0;
    Irp->AllocationFlags = 0;
    h->magic = 0;
    free(h);
}

static NTSTATUS invalid_request(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_INVALID_DEVICE_REQUEST;
}

NTSTATUS FASTCALL IofCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDRIVER_DISPATCH dispatch = invalid_request;
    struct owsk_owner *prev;
    PIO_STACK_LOCATION sp;
    struct irp_header *h;
    KIRQL irql;
    NTSTATUS r;

    if (!Irp || Irp->Type != OWSK_IO_TYPE_IRP)
        owsk_ke_bugcheck(OWSK_BUGCHECK_IOMANAGER_VIOLATION, 0x03, (ULONG_PTR)Irp, 0, 0,
                         "IoCallDriver with %p, which is not an IRP", (void *)Irp);
    if (!DeviceObject || DeviceObject->Type != OWSK_IO_TYPE_DEVICE)
        owsk_ke_bugcheck(OWSK_BUGCHECK_IOMANAGER_VIOLATION, 0x04, (ULONG_PTR)DeviceObject, 0,
                         0, "IoCallDriver with %p, which is not a device object",
                         (void *)DeviceObject);
    if (Irp->CurrentLocation <= 1)
        owsk_ke_bugcheck(OWSK_BUGCHECK_NO_MORE_IRP_STACK_LOCATIONS, (ULONG_PTR)Irp, 0, 0, 0,
                         "IoCallDriver: IRP %p has no stack location left for %p (StackCount "
                         "%d)", (void *)Irp, (void *)DeviceObject, Irp->StackCount);
    Irp->CurrentLocation--;
    sp = --Irp->Tail.Overlay.CurrentStackLocation;
    sp->DeviceObject = DeviceObject;
    h = irp_header_of(Irp);
    if (h)
        atomic_store(&h->completing, 0);
    if (DeviceObject->DriverObject && sp->MajorFunction <= IRP_MJ_MAXIMUM_FUNCTION &&
        DeviceObject->DriverObject->MajorFunction[sp->MajorFunction])
        dispatch = DeviceObject->DriverObject->MajorFunction[sp->MajorFunction];

    irql = owsk_ke_irql_get();
    prev = owsk_owner_enter(owsk_io_device_owner(DeviceObject));
    r = dispatch(DeviceObject, Irp);
    owsk_owner_leave(prev);
    if (owsk_ke_irql_get() != irql)
        owsk_ke_bugcheck(OWSK_BUGCHECK_IOMANAGER_VIOLATION, 0x05, (ULONG_PTR)DeviceObject,
                         irql, owsk_ke_irql_get(),
                         "the dispatch routine of %p returned at another IRQL than it was "
                         "called at", (void *)DeviceObject);
    return r;
}

bool owsk_io_irp_usable(PIRP irp)
{
    struct irp_header *h;

    if (!irp || irp->Type != OWSK_IO_TYPE_IRP)
        return false;
    if (irp->CurrentLocation <= 1 || irp->CurrentLocation > irp->StackCount + 1)
        return false;
    h = irp_header_of(irp);
    if (h) {
        if (__atomic_load_n(&h->pending.registered, __ATOMIC_ACQUIRE))
            return false;
        /* The driver handed it over again: a new completion is not a double one. */
        atomic_store(&h->completing, 0);
        return true;
    }
    return !io_pending_find(irp);
}
