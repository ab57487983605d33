/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IoCancelIrp: sets Irp->Cancel and calls the IRP's cancel routine, if one is set, with the
 * cancel spin lock held (the routine releases it), as Windows does. The race with normal
 * completion is settled by the interlocked exchange of CancelRoutine (protocol in io.h). */
#include "io/io_private.h"
#include "ke/ke.h"

BOOLEAN IoCancelIrp(PIRP Irp)
{
    PDRIVER_CANCEL routine;
    PDEVICE_OBJECT dev = NULL;
    struct owsk_owner *owner, *prev;
    struct irp_header *h;
    KIRQL irql;

    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, Irp);
    if (!Irp || Irp->Type != OWSK_IO_TYPE_IRP)
        owsk_ke_bugcheck(OWSK_BUGCHECK_IOMANAGER_VIOLATION, 0x03, (ULONG_PTR)Irp, 0, 0,
                         "IoCancelIrp on %p, which is not an IRP", (void *)Irp);
    IoAcquireCancelSpinLock(&irql);
    __atomic_store_n(&Irp->Cancel, TRUE, __ATOMIC_SEQ_CST);
    routine = __atomic_exchange_n(&Irp->CancelRoutine, (PDRIVER_CANCEL)NULL, __ATOMIC_SEQ_CST);
    if (!routine) {
        IoReleaseCancelSpinLock(irql);
        return FALSE;
    }
    if (Irp->CurrentLocation > Irp->StackCount + 1)
        owsk_ke_bugcheck(OWSK_BUGCHECK_CANCEL_STATE_IN_COMPLETED_IRP, (ULONG_PTR)Irp,
                         (ULONG_PTR)routine, 0, 0,
                         "IoCancelIrp: IRP %p has completed but still had a cancel routine",
                         (void *)Irp);
    Irp->CancelIrql = irql;
    /* A WSK IRP pended by the provider sits one past its last location: no device there. */
    if (Irp->CurrentLocation <= Irp->StackCount)
        dev = IoGetCurrentIrpStackLocation(Irp)->DeviceObject;
    owner = dev ? owsk_io_device_owner(dev) : NULL;
    if (!owner) {
        h = irp_header_of(Irp);
        owner = h && h->owner ? h->owner : owsk_current_owner;
    }
    prev = owsk_owner_enter(owner);
    routine(dev, Irp); /* releases the cancel spin lock with Irp->CancelIrql */
    owsk_owner_leave(prev);
    return TRUE;
}
