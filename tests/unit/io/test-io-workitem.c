/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IO_WORKITEMs as a driver uses them: IoAllocateWorkItem/IoQueueWorkItem(Ex) run the routine
 * on a system worker at PASSIVE_LEVEL as the driver (its owner current), with the device
 * object and context given; the routine may requeue or free its own item; the caller-storage
 * form (IoSizeofWorkItem/IoInitializeWorkItem/IoUninitializeWorkItem) on a DRIVER_OBJECT;
 * live items show in the driver's leak counts. Expected behaviour: the IoQueueWorkItem(Ex),
 * IoFreeWorkItem and IoInitializeWorkItem DDI pages. */
#include <pthread.h>
#include <stdatomic.h>

#include <openwsk/host.h>

#include "core/core.h"
#include "io/io.h"
#include "owsk_test.h"

static PDEVICE_OBJECT dev;
static PDRIVER_OBJECT drvobj;
static unsigned owner_id;

static NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    drvobj = DriverObject;
    return IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &dev);
}

struct seen {
    KEVENT done;
    KIRQL irql;
    unsigned owner;
    PVOID object;
    PVOID context;
    PIO_WORKITEM item;
    pthread_t thread;
    int runs;
    int requeue_until;
    BOOLEAN free_self;
};

static void note(struct seen *s, PVOID object)
{
    s->irql = KeGetCurrentIrql();
    s->owner = owsk_current_owner ? owsk_current_owner->id : 0;
    s->object = object;
    s->thread = pthread_self();
    s->runs++;
}

static VOID routine(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    struct seen *s = Context;

    note(s, DeviceObject);
    s->context = Context;
    KeSetEvent(&s->done, IO_NO_INCREMENT, FALSE);
}

static VOID routine_ex(PVOID IoObject, PVOID Context, PIO_WORKITEM IoWorkItem)
{
    struct seen *s = Context;

    note(s, IoObject);
    s->item = IoWorkItem;
    if (s->runs < s->requeue_until) {
        IoQueueWorkItemEx(IoWorkItem, routine_ex, DelayedWorkQueue, Context);
        return;
    }
    if (s->free_self)
        IoFreeWorkItem(IoWorkItem);
    KeSetEvent(&s->done, IO_NO_INCREMENT, FALSE);
}

static BOOLEAN wait(struct seen *s)
{
    LARGE_INTEGER timeout = {.QuadPart = -10LL * 1000 * 5000};

    return KeWaitForSingleObject(&s->done, Executive, KernelMode, FALSE, &timeout) ==
           STATUS_SUCCESS;
}

static void allocated_items(void)
{
    static struct seen s, s2;
    PIO_WORKITEM item = IoAllocateWorkItem(dev);
    struct owsk_io_counts c;

    KeInitializeEvent(&s.done, NotificationEvent, FALSE);
    CHECK(item != NULL);
    owsk_io_counts_get(owner_id, &c);
    CHECK_UINT(c.work_items, 1);
    IoQueueWorkItem(item, routine, DelayedWorkQueue, &s);
    CHECK(wait(&s));
    CHECK_INT(s.irql, PASSIVE_LEVEL);
    CHECK_UINT(s.owner, owner_id);
    CHECK(s.object == dev);
    CHECK(s.context == &s);
    CHECK(!pthread_equal(s.thread, pthread_self()));

    /* Ex form, requeued twice from its own routine, then freed by it (a fresh record: the
     * first one's event may still be in KeSetEvent's hands). */
    KeInitializeEvent(&s2.done, NotificationEvent, FALSE);
    s2.requeue_until = 3;
    s2.free_self = TRUE;
    IoQueueWorkItemEx(item, routine_ex, DelayedWorkQueue, &s2);
    CHECK(wait(&s2));
    CHECK_INT(s2.runs, 3);
    CHECK(s2.item == item);
    CHECK(s2.object == dev);
    CHECK_UINT(s2.owner, owner_id);
    owsk_io_counts_get(owner_id, &c);
    CHECK_UINT(c.work_items, 0);
}

static void caller_storage(void)
{
    static struct seen s;
    ULONG size = IoSizeofWorkItem();
    PIO_WORKITEM item = ExAllocatePool2(POOL_FLAG_NON_PAGED, size, 'tWoI');

    CHECK(size > 0);
    CHECK(item != NULL);
    if (!item)
        return;
    KeInitializeEvent(&s.done, NotificationEvent, FALSE);
    IoInitializeWorkItem(drvobj, item);
    IoQueueWorkItemEx(item, routine_ex, DelayedWorkQueue, &s);
    CHECK(wait(&s));
    CHECK(s.object == drvobj); /* IoObject is what it was initialised with */
    CHECK_UINT(s.owner, owner_id);
    IoUninitializeWorkItem(item);
    ExFreePoolWithTag(item, 'tWoI');
}

/* Unload waits (within its deadline) for work the driver queued: the routine is its code. */
static atomic_int slow_done, slow_dev_type;

static VOID slow_routine(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    LARGE_INTEGER delay = {.QuadPart = -10LL * 1000 * 200};

    KeDelayExecutionThread(KernelMode, FALSE, &delay);
    /* Deleted meanwhile, but the queued item's reference keeps it (ASan checks the read). */
    atomic_store(&slow_dev_type, DeviceObject->Type);
    IoFreeWorkItem(Context);
    atomic_store(&slow_done, 1);
}

int main(void)
{
    owsk_ntstatus_t st = -1;
    struct owsk_driver *drv = owsk_driver_load_entry((owsk_driver_entry_fn)DriverEntry,
                                                     "ioworkitem", &st);

    CHECK(drv != NULL);
    if (!drv)
        return t_done();
    owner_id = owsk_driver_owner_id(drv);
    CHECK(owner_id != 0);
    allocated_items();
    caller_storage();
    {
        PIO_WORKITEM slow = IoAllocateWorkItem(dev);

        IoQueueWorkItem(slow, slow_routine, DelayedWorkQueue, slow);
    }
    IoDeleteDevice(dev);
    CHECK_INT(owsk_driver_unload(drv, 5000), 0);
    CHECK_INT(atomic_load(&slow_done), 1);
    CHECK_INT(atomic_load(&slow_dev_type), IO_TYPE_DEVICE);
    return t_done();
}
