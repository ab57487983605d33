/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IO_WORKITEMs on ex's system worker pool: IoAllocateWorkItem/IoFreeWorkItem,
 * IoInitializeWorkItem/IoUninitializeWorkItem/IoSizeofWorkItem, IoQueueWorkItem(Ex).
 * The routine runs at PASSIVE_LEVEL as the item's driver, which stays referenced (and its
 * module mapped) while the item is queued, as does the item's device object. Leaves out: queue
 * types (all run as DelayedWorkQueue) and IoTryQueueWorkItem. */
#include <stdlib.h>
#include <string.h>

#include "ex/ex.h"
#include "io/io_private.h"
#include "ke/ke.h"
#include "ob/ob.h"

#define OWSK_WORKITEM_MAGIC 0x4d54494b53574f21ull /* "!OWSKITM" */
#define OWSK_BUGCHECK_WORKER_INVALID 0xE4

struct _IO_WORKITEM {
    uint64_t magic;
    PVOID io_object;              /* the DEVICE_OBJECT or DRIVER_OBJECT it was made for */
    bool object_ref;              /* io_object is an ob object, referenced while queued */
    struct owsk_driver *driver;   /* NULL for objects the loader did not create */
    struct owsk_owner *owner;
    PIO_WORKITEM_ROUTINE routine; /* IoQueueWorkItem */
    PIO_WORKITEM_ROUTINE_EX routine_ex; /* IoQueueWorkItemEx */
    PVOID context;
    atomic_int queued;
    bool allocated; /* IoAllocateWorkItem (freed by IoFreeWorkItem) */
};

static bool init_item(PIO_WORKITEM item, PVOID io_object)
{
    CSHORT type = io_object ? *(CSHORT *)io_object : 0; /* Type is first in both objects */

    memset(item, 0, sizeof(*item));
    if (type == OWSK_IO_TYPE_DEVICE)
        item->driver = io_driver_from_object(((PDEVICE_OBJECT)io_object)->DriverObject);
    else if (type == OWSK_IO_TYPE_DRIVER)
        item->driver = io_driver_from_object(io_object);
    else
        return false;
    item->magic = OWSK_WORKITEM_MAGIC;
    item->io_object = io_object;
    item->object_ref = owsk_ob_type_of(io_object) != NULL;
    item->owner = item->driver ? &item->driver->owner : owsk_current_owner;
    io_count_add(item->owner, IO_COUNT_WORK_ITEMS, 1);
    return true;
}

static void check_item(PIO_WORKITEM item, const char *ddi)
{
    if (!item || item->magic != OWSK_WORKITEM_MAGIC)
        owsk_ke_bugcheck(OWSK_BUGCHECK_WORKER_INVALID, 2, (ULONG_PTR)item, 0, 0,
                         "%s(%p): not an initialised IO_WORKITEM", ddi, (void *)item);
}

static void retire_item(PIO_WORKITEM item, const char *ddi)
{
    check_item(item, ddi);
    if (atomic_load(&item->queued))
        owsk_ke_bugcheck(OWSK_BUGCHECK_WORKER_INVALID, 0, (ULONG_PTR)item, 0, 0,
                         "%s(%p): the work item is still queued", ddi, (void *)item);
    io_count_add(item->owner, IO_COUNT_WORK_ITEMS, -1);
    item->magic = 0;
}

PIO_WORKITEM IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject)
{
    PIO_WORKITEM item;

    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, DeviceObject);
    item = malloc(sizeof(*item));
    if (!item)
        return NULL;
    if (!init_item(item, DeviceObject)) {
        free(item);
        return NULL;
    }
    item->allocated = true;
    return item;
}

VOID IoFreeWorkItem(PIO_WORKITEM IoWorkItem)
{
    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, IoWorkItem);
    retire_item(IoWorkItem, "IoFreeWorkItem");
    free(IoWorkItem);
}

ULONG IoSizeofWorkItem(VOID)
{
    return sizeof(struct _IO_WORKITEM);
}

VOID IoInitializeWorkItem(PVOID IoObject, PIO_WORKITEM IoWorkItem)
{
    if (!init_item(IoWorkItem, IoObject))
        owsk_ke_bugcheck(OWSK_BUGCHECK_WORKER_INVALID, 2, (ULONG_PTR)IoWorkItem,
                         (ULONG_PTR)IoObject, 0,
                         "IoInitializeWorkItem: %p is neither a device nor a driver object",
                         IoObject);
}

VOID IoUninitializeWorkItem(PIO_WORKITEM IoWorkItem)
{
    retire_item(IoWorkItem, "IoUninitializeWorkItem");
}

/* Thread: an ex worker. IRQL: PASSIVE_LEVEL, the item's owner current (ex sets both). */
static void run_item(void *ctx)
{
    PIO_WORKITEM item = ctx;
    /* The routine may free or requeue the item: take what is needed first. */
    struct owsk_driver *driver = item->driver;
    struct owsk_owner *owner = item->owner;
    PIO_WORKITEM_ROUTINE routine = item->routine;
    PIO_WORKITEM_ROUTINE_EX routine_ex = item->routine_ex;
    PVOID io_object = item->io_object, context = item->context;
    bool object_ref = item->object_ref;

    atomic_store(&item->queued, 0);
    if (routine_ex)
        routine_ex(io_object, context, item);
    else
        routine(io_object, context);
    if (object_ref)
        ObDereferenceObject(io_object);
    io_count_add(owner, IO_COUNT_WORK_QUEUED, -1);
    if (driver)
        io_driver_unref(driver);
}

static void queue_item(PIO_WORKITEM item, PIO_WORKITEM_ROUTINE routine,
                       PIO_WORKITEM_ROUTINE_EX routine_ex, PVOID context, const char *ddi)
{
    check_item(item, ddi);
    if (atomic_exchange(&item->queued, 1))
        owsk_ke_bugcheck(OWSK_BUGCHECK_WORKER_INVALID, 1, (ULONG_PTR)item, 0, 0,
                         "%s(%p): the work item is already queued", ddi, (void *)item);
    item->routine = routine;
    item->routine_ex = routine_ex;
    item->context = context;
    /* As on Windows, the device object (here also a driver object) stays alive while the
     * item is queued, even if the driver deletes it meanwhile. */
    if (item->object_ref)
        ObReferenceObject(item->io_object);
    if (item->driver)
        io_driver_ref(item->driver);
    io_count_add(item->owner, IO_COUNT_WORK_QUEUED, 1);
    if (!owsk_ex_queue_work(run_item, item, item->owner)) {
        /* The DDI cannot fail; losing the item silently would hang its driver. */
        owsk_ke_bugcheck(OWSK_BUGCHECK_WORKER_INVALID, 3, (ULONG_PTR)item, 0, 0,
                         "%s(%p): out of memory queuing a work item", ddi, (void *)item);
    }
}

/* IoQueueWorkItem: QueueType is ignored (one pool of system worker threads). */
VOID IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine,
                     WORK_QUEUE_TYPE QueueType, PVOID Context)
{
    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, IoWorkItem);
    queue_item(IoWorkItem, WorkerRoutine, NULL, Context, "IoQueueWorkItem");
}

VOID IoQueueWorkItemEx(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE_EX WorkerRoutine,
                       WORK_QUEUE_TYPE QueueType, PVOID Context)
{
    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, IoWorkItem);
    queue_item(IoWorkItem, NULL, WorkerRoutine, Context, "IoQueueWorkItemEx");
}
