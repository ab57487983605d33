/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ObReferenceObject/ObDereferenceObject on the I/O manager's objects, the way a driver keeps
 * one alive: its own DRIVER_OBJECT (from DriverEntry and across unload), a DEVICE_OBJECT
 * (which outlives IoDeleteDevice while referenced, extension included), and the FILE_OBJECT
 * IoGetDeviceObjectPointer returns (the last dereference sends IRP_MJ_CLEANUP and
 * IRP_MJ_CLOSE, even to a device deleted meanwhile, as Windows does for a delete-pending
 * device). Counts are read with ob's owsk_ob_refs. */
#include <openwsk/host.h>

#include "ob/ob.h"
#include "owsk_test.h"

#define EXT_MAGIC 0x4f425245u /* "OBRE" */

struct dev_ext {
    ULONG magic;
};

static PDRIVER_OBJECT the_driver;
static long driver_refs_at_entry;
static int creates, cleanups, closes;
static PDEVICE_OBJECT last_file_device;

static NTSTATUS file_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);

    if (sp->MajorFunction == IRP_MJ_CREATE)
        creates++;
    else if (sp->MajorFunction == IRP_MJ_CLEANUP)
        cleanups++;
    else if (sp->MajorFunction == IRP_MJ_CLOSE)
        closes++;
    last_file_device = DeviceObject;
    /* The device is still readable here even when it was deleted before the close. */
    CHECK_UINT(((struct dev_ext *)DeviceObject->DeviceExtension)->magic, EXT_MAGIC);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    long before = owsk_ob_refs(DriverObject);

    the_driver = DriverObject;
    /* A driver may reference its own driver object (e.g. to keep itself loaded while a
     * worker runs); this used to bug-check 0x18 (not an object). */
    ObReferenceObject(DriverObject);
    CHECK_INT(owsk_ob_refs(DriverObject), before + 1);
    ObDereferenceObject(DriverObject);
    CHECK_INT(owsk_ob_refs(DriverObject), before);
    CHECK_STATUS(ObReferenceObjectByPointer(DriverObject, 0, NULL, KernelMode), STATUS_SUCCESS);
    ObDereferenceObject(DriverObject);
    driver_refs_at_entry = before;
    CHECK(owsk_ob_type_of(DriverObject) == &owsk_ob_driver_type);
    DriverObject->MajorFunction[IRP_MJ_CREATE] = file_dispatch;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = file_dispatch;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = file_dispatch;
    return STATUS_SUCCESS;
}

static PDEVICE_OBJECT new_device(PUNICODE_STRING name)
{
    PDEVICE_OBJECT d = NULL;

    CHECK_STATUS(IoCreateDevice(the_driver, sizeof(struct dev_ext), name, FILE_DEVICE_UNKNOWN,
                                0, FALSE, &d),
                 STATUS_SUCCESS);
    if (!d)
        return NULL;
    ((struct dev_ext *)d->DeviceExtension)->magic = EXT_MAGIC;
    d->Flags &= ~DO_DEVICE_INITIALIZING;
    return d;
}

static void device_refs(void)
{
    PDEVICE_OBJECT d = new_device(NULL);

    if (!d)
        return;
    CHECK(owsk_ob_type_of(d) == &owsk_ob_device_type);
    CHECK_INT(owsk_ob_refs(d), 1); /* IoCreateDevice's own reference */
    ObReferenceObject(d);
    ObReferenceObjectWithTag(d, 'tsoT');
    CHECK_INT(owsk_ob_refs(d), 3);
    ObDereferenceObjectWithTag(d, 'tsoT');
    ObDereferenceObject(d);
    CHECK_INT(owsk_ob_refs(d), 1);
    /* The type check of ObReferenceObjectByPointer: a device is not a file. */
    CHECK_STATUS(ObReferenceObjectByPointer(d, 0, *IoFileObjectType, KernelMode),
                 STATUS_OBJECT_TYPE_MISMATCH);
    CHECK_INT(owsk_ob_refs(d), 1);

    /* Referenced across IoDeleteDevice: unlinked at once, memory kept until the last
     * dereference (ASan would flag the reads below otherwise). */
    ObReferenceObject(d);
    IoDeleteDevice(d);
    CHECK(the_driver->DeviceObject != d);
    CHECK_INT(owsk_ob_refs(d), 1);
    CHECK_INT(d->Type, IO_TYPE_DEVICE);
    CHECK_UINT(((struct dev_ext *)d->DeviceExtension)->magic, EXT_MAGIC);
    ObDereferenceObject(d);
    CHECK_INT(owsk_ob_refs(d), -1); /* gone from ob */
}

static void file_refs(void)
{
    UNICODE_STRING name;
    PDEVICE_OBJECT d, got = NULL;
    PFILE_OBJECT file = NULL;

    RtlInitUnicodeString(&name, L"\\Device\\OwskObRef");
    d = new_device(&name);
    if (!d)
        return;
    CHECK_STATUS(IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &file, &got), STATUS_SUCCESS);
    if (!file)
        return;
    CHECK(got == d);
    CHECK_INT(creates, 1);
    CHECK(owsk_ob_type_of(file) == &owsk_ob_file_type);
    CHECK_INT(owsk_ob_refs(file), 1);
    CHECK_INT(owsk_ob_refs(d), 2); /* the open file holds its device */
    CHECK_STATUS(ObReferenceObjectByPointer(file, 0, *IoFileObjectType, KernelMode),
                 STATUS_SUCCESS);
    ObReferenceObject(file);
    CHECK_INT(owsk_ob_refs(file), 3);
    ObDereferenceObject(file);
    ObDereferenceObject(file);
    CHECK_INT(closes, 0);

    /* Delete the device while the file is open: the close still reaches it, then the
     * device's memory goes with the file's reference. */
    IoDeleteDevice(d);
    CHECK_INT(owsk_ob_refs(d), 1);
    ObDereferenceObject(file);
    CHECK_INT(cleanups, 1);
    CHECK_INT(closes, 1);
    CHECK(last_file_device == d);
    CHECK_INT(owsk_ob_refs(file), -1);
    CHECK_INT(owsk_ob_refs(d), -1);
}

int main(void)
{
    owsk_ntstatus_t st = -1;
    struct owsk_driver *drv = owsk_driver_load_entry((owsk_driver_entry_fn)DriverEntry,
                                                     "ioobref", &st);

    CHECK_STATUS(st, STATUS_SUCCESS);
    if (!drv)
        return t_done();
    CHECK_INT(driver_refs_at_entry, 1);
    device_refs();
    file_refs();

    /* A reference held across unload: the driver object stays valid until it is dropped. */
    ObReferenceObject(the_driver);
    CHECK_INT(owsk_driver_unload(drv, 5000), 0);
    CHECK_INT(the_driver->Type, IO_TYPE_DRIVER);
    CHECK_INT(owsk_ob_refs(the_driver), 2);
    ObDereferenceObject(the_driver);
    CHECK_INT(owsk_ob_refs(the_driver), 1);
    return t_done();
}
