/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Driver and device objects as a driver's DriverEntry sees them (the Wine test driver's
 * pattern): the DRIVER_OBJECT the loader hands over (names, registry path, extension, default
 * MajorFunction), IoCreateDevice with an extension and a name, name collisions
 * (STATUS_OBJECT_NAME_COLLISION, case-insensitive), symbolic links (\DosDevices\ is \??\),
 * IoDeleteDevice unlinking, and IoOpenDriverRegistryKey's unimplemented key types. */
#include <openwsk/host.h>

#include "io/io.h"
#include "owsk_test.h"

struct dev_ext {
    ULONG magic;
    UCHAR bytes[100];
};

static BOOLEAN ustr_is(PCUNICODE_STRING s, const char *want)
{
    size_t n = strlen(want);

    if (s->Length != n * sizeof(WCHAR))
        return FALSE;
    for (size_t i = 0; i < n; i++)
        if (s->Buffer[i] != (WCHAR)want[i])
            return FALSE;
    return TRUE;
}

static PDRIVER_OBJECT the_driver;
static BOOLEAN unload_called;

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    unload_called = TRUE;
}

static NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    the_driver = DriverObject;
    CHECK(ustr_is(RegistryPath,
                  "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\iodevice"));
    CHECK(ustr_is(&DriverObject->DriverName, "\\Driver\\iodevice"));
    CHECK(ustr_is(&DriverObject->DriverExtension->ServiceKeyName, "iodevice"));
    CHECK(DriverObject->DriverExtension->DriverObject == DriverObject);
    CHECK_INT(DriverObject->Type, IO_TYPE_DRIVER);
    CHECK(DriverObject->DeviceObject == NULL);
    CHECK(DriverObject->DriverUnload == NULL);
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        CHECK(DriverObject->MajorFunction[i] != NULL);
    CHECK_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}

static void devices(void)
{
    UNICODE_STRING name, same, link, link2, target;
    PDEVICE_OBJECT d1 = NULL, d2 = NULL, d3 = (PDEVICE_OBJECT)0x1;
    struct dev_ext *ext;

    RtlInitUnicodeString(&name, L"\\Device\\OwskTest");
    RtlInitUnicodeString(&same, L"\\DEVICE\\owsktest");
    CHECK_STATUS(IoCreateDevice(the_driver, sizeof(struct dev_ext), &name, FILE_DEVICE_NETWORK,
                                FILE_DEVICE_SECURE_OPEN, FALSE, &d1),
                 STATUS_SUCCESS);
    CHECK(d1 != NULL);
    if (!d1)
        return;
    CHECK_INT(d1->Type, IO_TYPE_DEVICE);
    CHECK_UINT(d1->Size, sizeof(DEVICE_OBJECT) + sizeof(struct dev_ext));
    CHECK(d1->DriverObject == the_driver);
    CHECK(the_driver->DeviceObject == d1);
    CHECK_UINT(d1->DeviceType, FILE_DEVICE_NETWORK);
    CHECK_UINT(d1->Characteristics, FILE_DEVICE_SECURE_OPEN);
    CHECK(d1->Flags & DO_DEVICE_INITIALIZING);
    CHECK_INT(d1->StackSize, 1);
    ext = d1->DeviceExtension;
    CHECK(ext != NULL);
    CHECK(((ULONG_PTR)ext & 7) == 0);
    CHECK_UINT(ext->magic, 0); /* zeroed */
    ext->magic = 0x12345678;
    memset(ext->bytes, 0xab, sizeof(ext->bytes)); /* ASan: the whole extension is ours */
    d1->Flags &= ~DO_DEVICE_INITIALIZING;

    /* Same name, other case: collision; *DeviceObject untouched. */
    CHECK_STATUS(IoCreateDevice(the_driver, 0, &same, FILE_DEVICE_NETWORK, 0, FALSE, &d3),
                 STATUS_OBJECT_NAME_COLLISION);
    CHECK(d3 == (PDEVICE_OBJECT)0x1);
    RtlInitUnicodeString(&target, L"NoLeadingBackslash");
    CHECK_STATUS(IoCreateDevice(the_driver, 0, &target, FILE_DEVICE_NETWORK, 0, FALSE, &d3),
                 STATUS_OBJECT_PATH_SYNTAX_BAD);
    /* Unnamed devices never collide; no extension -> NULL. */
    CHECK_STATUS(IoCreateDevice(the_driver, 0, NULL, FILE_DEVICE_UNKNOWN, 0, TRUE, &d2),
                 STATUS_SUCCESS);
    CHECK(d2->DeviceExtension == NULL);
    CHECK(d2->Flags & DO_EXCLUSIVE);
    CHECK(the_driver->DeviceObject == d2 && d2->NextDevice == d1);
    CHECK_UINT(owsk_driver_owner_id(owsk_driver_find("iodevice")) != 0, 1);

    RtlInitUnicodeString(&link, L"\\DosDevices\\OwskTest");
    RtlInitUnicodeString(&link2, L"\\??\\OWSKTEST");
    CHECK_STATUS(IoCreateSymbolicLink(&link, &name), STATUS_SUCCESS);
    CHECK_STATUS(IoCreateSymbolicLink(&link2, &name), STATUS_OBJECT_NAME_COLLISION);
    CHECK_STATUS(IoDeleteSymbolicLink(&link2), STATUS_SUCCESS); /* the same link */
    CHECK_STATUS(IoDeleteSymbolicLink(&link), STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_STATUS(IoDeleteSymbolicLink(&name), STATUS_OBJECT_NAME_NOT_FOUND); /* a device */

    IoDeleteDevice(d1);
    CHECK(the_driver->DeviceObject == d2 && d2->NextDevice == NULL);
    /* The name is free again. */
    CHECK_STATUS(IoCreateDevice(the_driver, 0, &same, FILE_DEVICE_NETWORK, 0, FALSE, &d1),
                 STATUS_SUCCESS);
    IoDeleteDevice(d1);
    IoDeleteDevice(d2);
    CHECK(the_driver->DeviceObject == NULL);
}

/* The open path: IRP_MJ_CREATE on IoGetDeviceObjectPointer, CLEANUP and CLOSE on the last
 * dereference of the file object; each with the FILE_OBJECT in its stack location. */
static int creates, cleanups, closes;
static NTSTATUS create_status = STATUS_SUCCESS;
static PFILE_OBJECT seen_file;

static NTSTATUS file_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS r = STATUS_SUCCESS;

    seen_file = sp->FileObject;
    if (sp->MajorFunction == IRP_MJ_CREATE) {
        creates++;
        r = create_status;
    } else if (sp->MajorFunction == IRP_MJ_CLEANUP) {
        cleanups++;
    } else if (sp->MajorFunction == IRP_MJ_CLOSE) {
        closes++;
    }
    Irp->IoStatus.Status = r;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return r;
}

static void open_by_name(void)
{
    UNICODE_STRING name, link, missing;
    PDEVICE_OBJECT dev = NULL, got = NULL;
    PFILE_OBJECT file = NULL;

    the_driver->MajorFunction[IRP_MJ_CREATE] = file_dispatch;
    the_driver->MajorFunction[IRP_MJ_CLEANUP] = file_dispatch;
    the_driver->MajorFunction[IRP_MJ_CLOSE] = file_dispatch;
    RtlInitUnicodeString(&name, L"\\Device\\OwskOpen");
    RtlInitUnicodeString(&link, L"\\??\\OwskOpenLink");
    RtlInitUnicodeString(&missing, L"\\Device\\NoSuchDevice");
    CHECK_STATUS(IoCreateDevice(the_driver, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &dev),
                 STATUS_SUCCESS);
    if (!dev)
        return;
    dev->Flags &= ~DO_DEVICE_INITIALIZING;
    CHECK_STATUS(IoCreateSymbolicLink(&link, &name), STATUS_SUCCESS);

    CHECK_STATUS(IoGetDeviceObjectPointer(&missing, FILE_READ_DATA, &file, &got),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK(file == NULL && got == NULL);

    /* Through the link, as a client finds a device by its DOS name. */
    CHECK_STATUS(IoGetDeviceObjectPointer(&link, FILE_READ_DATA, &file, &got), STATUS_SUCCESS);
    CHECK(got == dev);
    CHECK(file != NULL && file->DeviceObject == dev);
    CHECK_INT(file ? file->Type : 0, IO_TYPE_FILE);
    CHECK_INT(creates, 1);
    CHECK(seen_file == file);
    CHECK_INT(closes, 0);
    ObReferenceObject(file);
    ObDereferenceObject(file);
    CHECK_INT(closes, 0); /* still referenced by the open */
    ObDereferenceObject(file);
    CHECK_INT(cleanups, 1);
    CHECK_INT(closes, 1);

    /* A failing IRP_MJ_CREATE fails the open; nothing to close. */
    create_status = STATUS_ACCESS_DENIED;
    file = NULL;
    CHECK_STATUS(IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &file, &got),
                 STATUS_ACCESS_DENIED);
    CHECK(file == NULL);
    CHECK_INT(creates, 2);
    CHECK_INT(closes, 1);
    create_status = STATUS_SUCCESS;

    /* A referenced device outlives IoDeleteDevice (ASan would catch the use otherwise). */
    ObReferenceObject(dev);
    CHECK_STATUS(IoDeleteSymbolicLink(&link), STATUS_SUCCESS);
    IoDeleteDevice(dev);
    CHECK_INT(dev->Type, IO_TYPE_DEVICE);
    CHECK_STATUS(IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &file, &got),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    ObDereferenceObject(dev);
}

static void registry_key_types(void)
{
    HANDLE h = (HANDLE)0x1;

    CHECK_STATUS(IoOpenDriverRegistryKey(the_driver, DriverRegKeyPersistentState, KEY_READ, 0,
                                         &h),
                 STATUS_NOT_IMPLEMENTED);
    CHECK(h == (HANDLE)0x1);
    CHECK_STATUS(IoOpenDriverRegistryKey(NULL, DriverRegKeyParameters, KEY_READ, 0, &h),
                 STATUS_INVALID_PARAMETER);
}

int main(void)
{
    owsk_ntstatus_t st = -1;
    struct owsk_driver *drv = owsk_driver_load_entry((owsk_driver_entry_fn)DriverEntry,
                                                     "iodevice", &st);
    struct owsk_leak_report r;

    CHECK_STATUS(st, STATUS_SUCCESS);
    CHECK(drv != NULL);
    if (!drv)
        return t_done();
    CHECK_INT(owsk_driver_state(drv), OWSK_DRIVER_RUNNING);
    CHECK_STR(owsk_driver_name(drv), "iodevice");
    CHECK(owsk_driver_path(drv) == NULL);
    CHECK(owsk_driver_find("iodevice") == drv);
    /* A second driver with the same service name is refused. */
    CHECK(owsk_driver_load_entry((owsk_driver_entry_fn)DriverEntry, "iodevice", &st) == NULL);
    CHECK_STATUS(st, STATUS_IMAGE_ALREADY_LOADED);
    devices();
    open_by_name();
    registry_key_types();
    owsk_driver_leaks(drv, &r);
    CHECK_UINT(r.irps + r.mdls + r.work_items, 0);
    CHECK_INT(owsk_driver_unload(drv, 5000), 0);
    CHECK(unload_called);
    CHECK_INT(owsk_driver_state(drv), OWSK_DRIVER_STOPPED);
    return t_done();
}
