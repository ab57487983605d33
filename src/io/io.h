/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The I/O manager's interface to the other rooms: completing IRPs for a provider (the WSK
 * provider in src/wsk), the registry of IRPs a provider holds pending, MDL chains as iovecs,
 * and per-driver counts for leak reports. Knows nothing of WSK types. */
#ifndef OWSK_IO_IO_H
#define OWSK_IO_IO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include <wdm.h>

struct owsk_owner;

/* ---- IRPs held by a provider (irp.c, complete.c) ----
 *
 * The life of an IRP a driver hands to a provider function (wsk-reference §3.1):
 *   1. entry:    if (!owsk_io_irp_usable(Irp)) -> STATUS_INVALID_PARAMETER, Irp untouched.
 *                usable() also marks the IRP as handed over (see the double-completion check).
 *   2. inline:   return owsk_io_complete_irp(Irp, status, info);   (returns status)
 *   3. pending:  owsk_io_irp_begin(Irp, owner, "WskReceive", socket); queue it on
 *                Irp->Tail.Overlay.ListEntry; return STATUS_PENDING (always, once begin was
 *                called, even if it completed meanwhile). begin marks the provider's stack
 *                location SL_PENDING_RETURNED, so the completion routine sees
 *                Irp->PendingReturned == TRUE as it would on Windows; do not call
 *                IoMarkIrpPending (the current location is the client's).
 *   4. later:    owsk_io_complete_irp(Irp, status, info) from any thread. It unregisters the
 *                IRP (no separate owsk_io_irp_end needed), calls down one stack location so
 *                the client's completion routine (written by IoSetCompletionRoutine into the
 *                next location) runs, at DISPATCH_LEVEL, with the IRP's owner current.
 *                After it returns the IRP may be freed or reused: never touch it again.
 *
 * Cancellation protocol (wsk-reference §3.9); the cancel spin lock is ke's
 * IoAcquireCancelSpinLock, taken by IoCancelIrp around the call of the cancel routine:
 *   queue:    lock(queue); insert; IoSetCancelRoutine(Irp, cancel_fn);
 *             if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
 *                 remove; unlock(queue); complete STATUS_CANCELLED;   (cancelled before queued)
 *             } else unlock(queue);
 *             (if Irp->Cancel is set but the exchange returned NULL, IoCancelIrp already took
 *              the routine and will call it: leave the IRP queued for it.)
 *   complete: lock(queue); if (IoSetCancelRoutine(Irp, NULL) == NULL) { unlock; skip it: the
 *             cancel routine owns it and will find it still queued } else { remove; unlock;
 *             owsk_io_complete_irp(Irp, ...); }
 *   cancel_fn(DeviceObject, Irp): called with the cancel spin lock held;
 *             IoReleaseCancelSpinLock(Irp->CancelIrql) first, then lock(queue); remove;
 *             unlock(queue); owsk_io_complete_irp(Irp, STATUS_CANCELLED, 0).
 *             DeviceObject is NULL: a pended WSK IRP sits one past its last location.
 * Completing an IRP whose CancelRoutine is still set bug-checks 0xC9/0x07 (Driver Verifier's
 * I/O verification rule), because it means the race above was lost.
 * IoCancelIrp writes Irp->Cancel atomically from any thread: read it with
 * __atomic_load_n(&Irp->Cancel, __ATOMIC_SEQ_CST) so TSan sees no data race. */

/* True if Irp can be given to a provider: non-NULL, of type IO_TYPE_IRP, with a free stack
 * location (CurrentLocation > 1), not registered as pending and not mid-completion. */
bool owsk_io_irp_usable(PIRP irp);

/* Registers a pending IRP for owsk_irp_foreach (age, operation, socket), leak reports and the
 * per-owner count. operation must be a string literal (kept by pointer). owner NULL = the
 * calling thread's current owner. Idempotent for an IRP already registered (updates it). */
void owsk_io_irp_begin(PIRP irp, struct owsk_owner *owner, const char *operation,
                       const void *socket);
/* Unregisters without completing (the provider hands the IRP back some other way). */
void owsk_io_irp_end(PIRP irp);
/* Number of IRPs registered for an owner id (0 = the host). */
uint64_t owsk_io_irps_pending(unsigned owner_id);

/* Sets IoStatus.Information, then IoStatus.Status, calls down one location and completes the
 * IRP at DISPATCH_LEVEL as the IRP's owner. Returns status. Any thread, IRQL <= DISPATCH,
 * no provider lock held (the completion routine may call back into the provider).
 * status must not be STATUS_PENDING (bug check 0xC9/0x06). Bug checks 0x44 if the IRP is
 * being completed concurrently or completed twice without being handed over in between. */
NTSTATUS owsk_io_complete_irp(PIRP irp, NTSTATUS status, ULONG_PTR information);

/* ---- MDLs (mdl.c) ---- */

/* Turns a WSK_BUF (first MDL, Offset into it, Length) into iovecs over the described memory
 * (the addresses MmGetSystemAddressForMdlSafe returns), skipping empty MDLs.
 * Returns 0 and *ret_count, or -EINVAL when Offset is not inside the first MDL (Length > 0),
 * the chain is shorter than Offset + Length or mdl is NULL with Length > 0, or -E2BIG when
 * more than max iovecs would be needed. Length 0 gives 0 iovecs (mdl may be NULL). */
int owsk_io_wsk_buf_to_iovec(PMDL mdl, ULONG offset, SIZE_T length, struct iovec *iov, int max,
                             int *ret_count);

/* ---- Per-driver counts for leak reports and the verifier ---- */

struct owsk_io_counts {
    uint64_t irps;        /* IoAllocateIrp'd and not IoFreeIrp'd */
    uint64_t mdls;        /* IoAllocateMdl'd and not IoFreeMdl'd */
    uint64_t locked_mdls; /* MmProbeAndLockPages'd and not MmUnlockPages'd */
    uint64_t work_items;  /* IoAllocateWorkItem'd and not freed */
    uint64_t work_queued; /* queued and not yet finished running */
    uint64_t pending_irps; /* registered with owsk_io_irp_begin */
    uint64_t devices;      /* IoCreateDevice'd and not deleted */
};
void owsk_io_counts_get(unsigned owner_id, struct owsk_io_counts *ret_counts);

/* The owner (driver) a DRIVER_OBJECT / DEVICE_OBJECT belongs to, or NULL for objects the
 * loader did not create. */
struct owsk_owner *owsk_io_driver_owner(PDRIVER_OBJECT driver);
struct owsk_owner *owsk_io_device_owner(PDEVICE_OBJECT device);

#endif
