/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IoGetDeviceObjectPointer: opens a device by name the way the I/O manager does for a kernel
 * caller: a FILE_OBJECT (an ob object) and a synchronous IRP_MJ_CREATE; the last
 * ObDereferenceObject of the file object sends IRP_MJ_CLEANUP and IRP_MJ_CLOSE. Leaves out:
 * access checks (DesiredAccess is not enforced), device stacks, and file names below the device. */
#include <stdlib.h>
#include <string.h>

#include "ex/ex.h"
#include "io/io_private.h"
#include "ke/ke.h"
#include "ob/ob.h"

struct file_block {
    FILE_OBJECT file; /* first: the body ob knows is &file */
    bool opened;      /* IRP_MJ_CREATE succeeded, so CLEANUP and CLOSE are owed */
};

static NTSTATUS sync_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    KeSetEvent(Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Sends one file request to dev and waits for it. PASSIVE_LEVEL. */
static NTSTATUS send_file_irp(PDEVICE_OBJECT dev, PFILE_OBJECT file, UCHAR major)
{
    PIO_STACK_LOCATION sp;
    KEVENT done;
    NTSTATUS r;
    PIRP irp;

    irp = IoAllocateIrp(dev->StackSize > 0 ? dev->StackSize : 1, FALSE);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    irp->RequestorMode = KernelMode;
    irp->Tail.Overlay.OriginalFileObject = file;
    sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = major;
    sp->FileObject = file;
    IoSetCompletionRoutine(irp, sync_done, &done, TRUE, TRUE, TRUE);
    r = IoCallDriver(dev, irp);
    if (r == STATUS_PENDING)
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    r = irp->IoStatus.Status;
    IoFreeIrp(irp);
    return r;
}

/* Closes and frees; PASSIVE_LEVEL. */
static void close_file(struct file_block *fb)
{
    PDEVICE_OBJECT dev = fb->file.DeviceObject;

    if (fb->opened) {
        send_file_irp(dev, &fb->file, IRP_MJ_CLEANUP);
        send_file_irp(dev, &fb->file, IRP_MJ_CLOSE);
    }
    free(fb);
    ObDereferenceObject(dev);
}

static void close_file_work(void *ctx)
{
    close_file(ctx);
}

/* ob release, on whatever thread dropped the last reference: above PASSIVE_LEVEL the close
 * requests go to a worker (they may wait), as Windows defers them. */
static void file_release(void *body, void *ctx)
{
    struct file_block *fb = body;

    if (owsk_ke_irql_get() == PASSIVE_LEVEL || !owsk_ex_queue_work(close_file_work, fb, NULL))
        close_file(fb);
}

NTSTATUS IoGetDeviceObjectPointer(PUNICODE_STRING ObjectName, ACCESS_MASK DesiredAccess,
                                  PFILE_OBJECT *FileObject, PDEVICE_OBJECT *DeviceObject)
{
    struct file_block *fb;
    PDEVICE_OBJECT dev, top;
    NTSTATUS r;

    OWSK_ASSERT_IRQL_LE(PASSIVE_LEVEL, ObjectName);
    if (!FileObject || !DeviceObject)
        return STATUS_INVALID_PARAMETER;
    dev = io_device_lookup(ObjectName, &r);
    if (!dev)
        return r;
    fb = calloc(1, sizeof(*fb));
    if (!fb || !owsk_ob_register(&fb->file, &owsk_ob_file_type, file_release, NULL)) {
        free(fb);
        ObDereferenceObject(dev);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    fb->file.Type = IO_TYPE_FILE;
    fb->file.Size = sizeof(FILE_OBJECT);
    fb->file.DeviceObject = dev;
    r = send_file_irp(dev, &fb->file, IRP_MJ_CREATE);
    if (!NT_SUCCESS(r)) {
        ObDereferenceObject(&fb->file); /* not opened: no CLEANUP/CLOSE */
        return r;
    }
    fb->opened = true;
    for (top = dev; top->AttachedDevice; top = top->AttachedDevice)
        ;
    *FileObject = &fb->file;
    *DeviceObject = top;
    return STATUS_SUCCESS;
}
