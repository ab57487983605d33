/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared between the files of src/io only: the hidden header in front of every IRP that
 * IoAllocateIrp returns, per-owner counters, and the loader's driver record. */
#ifndef OWSK_IO_PRIVATE_H
#define OWSK_IO_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <wdm.h>

#include "core/core.h"
#include "io/io.h"

/* Windows' object type codes (the Type field of IRPs and I/O objects). */
#define OWSK_IO_TYPE_DEVICE 3
#define OWSK_IO_TYPE_DRIVER 4
#define OWSK_IO_TYPE_IRP 6
#define OWSK_IO_TYPE_DEVOBJ_EXTENSION 13

/* AllocationFlags bit of our own (Windows uses 0x01-0x08): the IRP came from IoAllocateIrp
 * and has a struct irp_header in front of it. IoReuseIrp keeps it; IoInitializeIrp clears it. */
#define OWSK_IRP_HAS_HEADER 0x80

#define OWSK_BUGCHECK_NO_MORE_IRP_STACK_LOCATIONS 0x35
#define OWSK_BUGCHECK_CANCEL_STATE_IN_COMPLETED_IRP 0x48
#define OWSK_BUGCHECK_IOMANAGER_VIOLATION 0xC9

/* One IRP a provider holds pending (owsk_io_irp_begin). Lives in the IRP's header, or is
 * allocated for IRPs without one (IoInitializeIrp'd memory). Guarded by the registry lock. */
struct io_pending {
    struct io_pending *next, *prev; /* the list of every registered IRP */
    struct io_pending *hnext;       /* hash chain, for IRPs without a header */
    PIRP irp;
    struct owsk_owner *owner;
    const char *operation;
    const void *socket;
    uint64_t start_ms;
    bool registered;
    bool embedded;
};

/* In front of every IoAllocateIrp'd IRP. */
struct irp_header {
    uint64_t magic;
    struct owsk_owner *owner; /* the allocator: counts and completion owner */
    /* 1 while a provider completion (owsk_io_complete_irp) has started and the IRP has not
     * been handed over again: a second one is a double completion (0x44). */
    atomic_int completing;
    struct io_pending pending;
} __attribute__((aligned(16)));

#define OWSK_IRP_MAGIC 0x5052494b53574f21ull /* "!OWSKIRP" */

static inline struct irp_header *irp_header_of(PIRP irp)
{
    if (!(irp->AllocationFlags & OWSK_IRP_HAS_HEADER))
        return NULL;
    struct irp_header *h = (struct irp_header *)irp - 1;
    return h->magic == OWSK_IRP_MAGIC ? h : NULL;
}

/* ---- per-owner counters (counts.c) ---- */

enum io_count {
    IO_COUNT_IRPS,
    IO_COUNT_MDLS,
    IO_COUNT_LOCKED_MDLS,
    IO_COUNT_WORK_ITEMS,
    IO_COUNT_WORK_QUEUED,
    IO_COUNT_PENDING_IRPS,
    IO_COUNT_DEVICES,
    IO_COUNT_MAX
};
void io_count_add(const struct owsk_owner *owner, enum io_count which, int64_t delta);
uint64_t io_count_get(unsigned owner_id, enum io_count which);

/* ---- drivers (driver.c, loader.c) ---- */

#define OWSK_DRIVER_MAGIC 0x5652444b53574f21ull /* "!OWSKDRV" */

struct owsk_driver {
    uint64_t magic;
    struct owsk_owner owner;
    DRIVER_OBJECT object;
    DRIVER_EXTENSION extension;
    WCHAR name_buf[96];     /* \Driver\<service> */
    WCHAR service_buf[72];  /* <service> */
    WCHAR regpath_buf[160]; /* \Registry\Machine\System\CurrentControlSet\Services\<service> */
    UNICODE_STRING registry_path;
    char *path;   /* module file, NULL for a linked-in DriverEntry */
    void *module; /* dlopen handle */
    PDRIVER_INITIALIZE entry;
    _Atomic int state;     /* enum owsk_driver_state */
    atomic_long refs;      /* queued work items, pending completion contexts */
    /* DriverUnload runs on its own thread; a timed-out one is waited for again next call. */
    pthread_t unload_thread;
    bool unload_started;
    bool unload_done; /* guarded by the loader lock */
    struct owsk_driver *next; /* loader list, in load order */
};

/* The record of a DRIVER_OBJECT the loader created, or NULL. */
struct owsk_driver *io_driver_from_object(PDRIVER_OBJECT object);
/* Prepares drv->object for service (names, extension, default dispatch). */
void io_driver_object_init(struct owsk_driver *drv);
void io_driver_ref(struct owsk_driver *drv);
void io_driver_unref(struct owsk_driver *drv);

/* The device a name (or a chain of symbolic links) leads to, referenced (ObDereferenceObject
 * when done); NULL with STATUS_OBJECT_NAME_NOT_FOUND or _INVALID. (device.c) */
PDEVICE_OBJECT io_device_lookup(PCUNICODE_STRING name, NTSTATUS *ret_status);

/* Calls fn with owner current at the given IRQL, restoring both afterwards. */
#define IO_CALL_AS(owner_, irql_, call_)                                                   \
    do {                                                                                   \
        struct owsk_owner *prev_owner_ = owsk_owner_enter(owner_);                         \
        KIRQL prev_irql_ = owsk_ke_irql_set(irql_);                                        \
        call_;                                                                             \
        owsk_ke_irql_set(prev_irql_);                                                      \
        owsk_owner_leave(prev_owner_);                                                     \
    } while (0)

/* Unregisters a pending IRP (registry lock taken inside) and returns the owner it was
 * registered for in *ret_owner; false if it was not registered. */
bool io_pending_remove(PIRP irp, struct owsk_owner **ret_owner);
/* True if an IRP without a header is registered (registry lock taken inside). */
bool io_pending_find(PIRP irp);

/* Thread-local last-error line for host.h (loader.c). */
void io_set_last_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
