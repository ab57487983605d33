/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DRIVER_OBJECTs: what the loader hands to DriverEntry (names, extension, default dispatch),
 * the mapping back to the driver's owner, and IoOpenDriverRegistryKey. Leaves out:
 * HardwareDatabase, FastIoDispatch, AddDevice/PnP and the persistent-state registry keys. */
#include <string.h>

#include "io/io_private.h"
#include "ke/ke.h"
#include "rtl/rtl.h"

struct owsk_driver *io_driver_from_object(PDRIVER_OBJECT object)
{
    struct owsk_driver *drv;

    if (!object || object->Type != OWSK_IO_TYPE_DRIVER || !object->DriverSection)
        return NULL;
    drv = object->DriverSection;
    return drv->magic == OWSK_DRIVER_MAGIC && &drv->object == object ? drv : NULL;
}

struct owsk_owner *owsk_io_driver_owner(PDRIVER_OBJECT driver)
{
    struct owsk_driver *drv = io_driver_from_object(driver);

    return drv ? &drv->owner : NULL;
}

struct owsk_owner *owsk_io_device_owner(PDEVICE_OBJECT device)
{
    if (!device || device->Type != OWSK_IO_TYPE_DEVICE)
        return NULL;
    return owsk_io_driver_owner(device->DriverObject);
}

void io_driver_ref(struct owsk_driver *drv)
{
    atomic_fetch_add(&drv->refs, 1);
}

void io_driver_unref(struct owsk_driver *drv)
{
    atomic_fetch_sub(&drv->refs, 1);
}

/* What every MajorFunction slot holds until the driver sets its own (Windows'
 * IopInvalidDeviceRequest). */
static NTSTATUS invalid_device_request(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_INVALID_DEVICE_REQUEST;
}

static void set_string(UNICODE_STRING *us, WCHAR *buf, size_t cap, const char *a, const char *b)
{
    size_t n = 0;

    for (; *a && n + 1 < cap; a++)
        buf[n++] = (WCHAR)(unsigned char)*a;
    for (; *b && n + 1 < cap; b++)
        buf[n++] = (WCHAR)(unsigned char)*b;
    buf[n] = 0;
    us->Buffer = buf;
    us->Length = (USHORT)(n * sizeof(WCHAR));
    us->MaximumLength = (USHORT)((n + 1) * sizeof(WCHAR));
}

void io_driver_object_init(struct owsk_driver *drv)
{
    PDRIVER_OBJECT o = &drv->object;

    memset(o, 0, sizeof(*o));
    memset(&drv->extension, 0, sizeof(drv->extension));
    o->Type = OWSK_IO_TYPE_DRIVER;
    o->Size = sizeof(*o);
    o->DriverSection = drv; /* Windows: the loader's entry; here, our record */
    o->DriverExtension = &drv->extension;
    o->DriverInit = drv->entry;
    drv->extension.DriverObject = o;
    set_string(&o->DriverName, drv->name_buf, sizeof(drv->name_buf) / sizeof(WCHAR),
               "\\Driver\\", drv->owner.name);
    set_string(&drv->extension.ServiceKeyName, drv->service_buf,
               sizeof(drv->service_buf) / sizeof(WCHAR), "", drv->owner.name);
    set_string(&drv->registry_path, drv->regpath_buf, sizeof(drv->regpath_buf) / sizeof(WCHAR),
               "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\", drv->owner.name);
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        o->MajorFunction[i] = invalid_device_request;
}

/* IoOpenDriverRegistryKey: only DriverRegKeyParameters (Services\<svc>\Parameters);
 * DesiredAccess and Flags are not checked (the in-memory registry has no ACLs). */
NTSTATUS IoOpenDriverRegistryKey(PDRIVER_OBJECT DriverObject, DRIVER_REGKEY_TYPE RegKeyType,
                                 ACCESS_MASK DesiredAccess, ULONG Flags, PHANDLE DriverRegKey)
{
    struct owsk_driver *drv = io_driver_from_object(DriverObject);
    HANDLE h;
    NTSTATUS r;

    OWSK_ASSERT_IRQL_LE(PASSIVE_LEVEL, DriverObject);
    if (!drv || !DriverRegKey || Flags != 0)
        return STATUS_INVALID_PARAMETER;
    if (RegKeyType != DriverRegKeyParameters) {
        OWSK_FIXME(OWSK_CH_IO, "registry key type %d is not implemented", (int)RegKeyType);
        return STATUS_NOT_IMPLEMENTED;
    }
    r = owsk_rtl_registry_open_service_parameters(drv->owner.name, &h);
    if (NT_SUCCESS(r))
        *DriverRegKey = h;
    return r;
}
