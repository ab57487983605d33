/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The driver loader behind include/openwsk/host.h "Drivers": dlopen a module (or take a
 * linked-in DriverEntry), run DriverEntry on a PASSIVE_LEVEL thread of its own as the driver's
 * owner, run DriverUnload with a deadline, and keep every driver record for the process
 * lifetime (pool blocks and reports point at its owner). Leaves out: load-order groups,
 * dependencies, image verification and DriverReinitialize callbacks. */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openwsk/host.h>

#include "ex/ex.h"
#include "io/io_private.h"
#include "ke/ke.h"
#include "ob/ob.h"

/* Guards drivers (list and states), next_id and every driver's unload_* fields. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t unload_cond; /* on CLOCK_MONOTONIC, set up once by init_cond */
static pthread_once_t cond_once = PTHREAD_ONCE_INIT;
static struct owsk_driver *drivers, **drivers_tail = &drivers;
static unsigned next_id = 1;

static _Thread_local char last_error[512];

void io_set_last_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(last_error, sizeof(last_error), fmt, ap);
    va_end(ap);
}

const char *owsk_host_last_error(void)
{
    return last_error;
}

static void init_cond(void)
{
    pthread_cond_init(&unload_cond, owsk_ke_condattr()); /* CLOCK_MONOTONIC */
}

/* Default for owsk_driver_unload(drv, 0); host.c may change it. */
unsigned io_unload_timeout_ms = 10000;

static bool valid_service(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n >= sizeof(((struct owsk_owner *)0)->name))
        return false;
    for (; *s; s++)
        if (*s <= ' ' || *s > '~' || *s == '\\' || *s == '/')
            return false;
    return true;
}

/* Lock held. A driver of that service that is not stopped. */
static struct owsk_driver *find_live(const char *service)
{
    for (struct owsk_driver *d = drivers; d; d = d->next)
        if (atomic_load(&d->state) != OWSK_DRIVER_STOPPED && !strcmp(d->owner.name, service))
            return d;
    return NULL;
}

/* Creates and lists the record (state LOADING), or fails with a status. */
static NTSTATUS new_driver(const char *service, PDRIVER_INITIALIZE entry,
                           struct owsk_driver **ret_drv)
{
    struct owsk_driver *drv;

    if (!valid_service(service)) {
        io_set_last_error("invalid service name \"%s\"", service);
        return STATUS_OBJECT_NAME_INVALID;
    }
    drv = calloc(1, sizeof(*drv));
    if (!drv)
        return STATUS_INSUFFICIENT_RESOURCES;
    drv->magic = OWSK_DRIVER_MAGIC;
    snprintf(drv->owner.name, sizeof(drv->owner.name), "%s", service);
    drv->entry = entry;
    atomic_store(&drv->state, OWSK_DRIVER_LOADING);
    pthread_mutex_lock(&lock);
    if (find_live(service)) {
        pthread_mutex_unlock(&lock);
        free(drv);
        io_set_last_error("driver \"%s\" is already loaded", service);
        return STATUS_IMAGE_ALREADY_LOADED;
    }
    drv->owner.id = next_id++;
    *drivers_tail = drv;
    drivers_tail = &drv->next;
    pthread_mutex_unlock(&lock);
    io_driver_object_init(drv);
    /* An ob object, so ObReferenceObject(DriverObject) keeps the module mapped (it is never
     * released: the record lives as long as the process). */
    if (!owsk_ob_register(&drv->object, &owsk_ob_driver_type, NULL, NULL))
        OWSK_WARN(OWSK_CH_IO, "%s: out of memory registering the driver object", service);
    *ret_drv = drv;
    return STATUS_SUCCESS;
}

/* Starts fn(drv) on a new thread named after the driver; the caller joins it. Returns
 * pthread_create's result. */
static int run_on_thread(struct owsk_driver *drv, const char *what, void *(*fn)(void *),
                         pthread_t *ret_thread)
{
    char name[16];
    int r = pthread_create(ret_thread, NULL, fn, drv);

    if (r == 0) {
        snprintf(name, sizeof(name), "%.6s:%.8s", what, drv->owner.name); /* 15 chars max */
        pthread_setname_np(*ret_thread, name);
    }
    return r;
}

/* Thread: the driver's own. IRQL: PASSIVE_LEVEL. Locks: none. */
static void *entry_thread(void *arg)
{
    struct owsk_driver *drv = arg;
    NTSTATUS *status = malloc(sizeof(*status));

    owsk_ke_fault_thread_init(); /* a signal stack, so a stack overflow is reported */
    if (!status)
        return NULL;
    owsk_owner_enter(&drv->owner);
    owsk_ke_irql_set(PASSIVE_LEVEL);
    *status = drv->entry(&drv->object, &drv->registry_path);
    if (owsk_ke_irql_get() != PASSIVE_LEVEL)
        OWSK_WARN(OWSK_CH_IO, "%s: DriverEntry returned at IRQL %u", drv->owner.name,
                  owsk_ke_irql_get());
    owsk_owner_leave(NULL);
    return status;
}

/* True if nothing of the driver can still run code from its module. */
static bool driver_quiet(struct owsk_driver *drv)
{
    struct owsk_leak_report r;

    owsk_driver_leaks(drv, &r);
    return atomic_load(&drv->refs) == 0 && owsk_ob_refs(&drv->object) <= 1 &&
           r.threads == 0 && r.timers == 0 && r.dpcs == 0 &&
           r.sockets == 0 && io_count_get(drv->owner.id, IO_COUNT_PENDING_IRPS) == 0 &&
           io_count_get(drv->owner.id, IO_COUNT_WORK_QUEUED) == 0;
}

static void release_module(struct owsk_driver *drv)
{
    if (!drv->module)
        return;
    if (!driver_quiet(drv)) {
        OWSK_WARN(OWSK_CH_IO, "%s: threads, timers, sockets or work still live; module kept "
                  "mapped", drv->owner.name);
        return;
    }
    dlclose(drv->module);
    drv->module = NULL;
}

static struct owsk_driver *start(struct owsk_driver *drv, owsk_ntstatus_t *ret_status)
{
    pthread_t t;
    void *res = NULL;
    NTSTATUS status;
    int r;

    r = run_on_thread(drv, "entry", entry_thread, &t);
    if (r == 0)
        pthread_join(t, &res);
    if (!res) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        io_set_last_error("%s: cannot start the DriverEntry thread", drv->owner.name);
    } else {
        status = *(NTSTATUS *)res;
        free(res);
    }
    if (ret_status)
        *ret_status = status;
    if (NT_SUCCESS(status)) {
        atomic_store(&drv->state, OWSK_DRIVER_RUNNING);
        OWSK_INFO(OWSK_CH_IO, "%s: DriverEntry returned %s", drv->owner.name,
                  owsk_status_name(status));
        return drv;
    }
    /* Windows does not call DriverUnload after a failed DriverEntry. */
    if (res)
        io_set_last_error("%s: DriverEntry failed with %s (0x%08X)", drv->owner.name,
                          owsk_status_name(status), (unsigned)status);
    atomic_store(&drv->state, OWSK_DRIVER_STOPPED);
    release_module(drv);
    return NULL;
}

struct owsk_driver *owsk_driver_load(const char *path, const char *service,
                                     owsk_ntstatus_t *ret_status)
{
    char svc[64];
    struct owsk_driver *drv;
    void *module, *entry;
    const char *base;
    NTSTATUS r;
    size_t n;

    if (!path) {
        if (ret_status)
            *ret_status = STATUS_INVALID_PARAMETER;
        io_set_last_error("no driver path");
        return NULL;
    }
    if (!service) {
        base = strrchr(path, '/');
        base = base ? base + 1 : path;
        n = strlen(base);
        if (n > 3 && !strcmp(base + n - 3, ".so"))
            n -= 3;
        snprintf(svc, sizeof(svc), "%.*s", (int)(n < sizeof(svc) ? n : sizeof(svc) - 1), base);
        service = svc;
    }
    module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!module) {
        io_set_last_error("%s: cannot load %s: %s", service, path, dlerror());
        if (ret_status)
            *ret_status = STATUS_DRIVER_UNABLE_TO_LOAD;
        return NULL;
    }
    /* dlsym, not a lookup through the global scope: the module's own DriverEntry. */
    entry = dlsym(module, "DriverEntry");
    if (!entry) {
        io_set_last_error("%s: %s has no DriverEntry", service, path);
        dlclose(module);
        if (ret_status)
            *ret_status = STATUS_DRIVER_ENTRYPOINT_NOT_FOUND;
        return NULL;
    }
    r = new_driver(service, (PDRIVER_INITIALIZE)entry, &drv);
    if (!NT_SUCCESS(r)) {
        dlclose(module);
        if (ret_status)
            *ret_status = r;
        return NULL;
    }
    drv->module = module;
    drv->path = strdup(path);
    drv->object.DriverStart = entry; /* refined below when the loader knows the base */
    {
        Dl_info info;

        if (dladdr(entry, &info) && info.dli_fbase)
            drv->object.DriverStart = info.dli_fbase;
    }
    return start(drv, ret_status);
}

struct owsk_driver *owsk_driver_load_entry(owsk_driver_entry_fn entry, const char *service,
                                           owsk_ntstatus_t *ret_status)
{
    struct owsk_driver *drv;
    NTSTATUS r;

    if (!entry || !service) {
        io_set_last_error("owsk_driver_load_entry needs an entry point and a service name");
        if (ret_status)
            *ret_status = STATUS_INVALID_PARAMETER;
        return NULL;
    }
    r = new_driver(service, (PDRIVER_INITIALIZE)entry, &drv);
    if (!NT_SUCCESS(r)) {
        if (ret_status)
            *ret_status = r;
        return NULL;
    }
    return start(drv, ret_status);
}

/* Thread: the driver's own. IRQL: PASSIVE_LEVEL. Locks: none on entry. */
static void *unload_thread(void *arg)
{
    struct owsk_driver *drv = arg;
    PDRIVER_UNLOAD unload = drv->object.DriverUnload;

    owsk_ke_fault_thread_init(); /* a signal stack, so a stack overflow is reported */
    if (unload) {
        owsk_owner_enter(&drv->owner);
        owsk_ke_irql_set(PASSIVE_LEVEL);
        unload(&drv->object);
        owsk_owner_leave(NULL);
    }
    pthread_mutex_lock(&lock);
    drv->unload_done = true;
    pthread_cond_broadcast(&unload_cond);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int owsk_driver_unload(struct owsk_driver *drv, unsigned timeout_ms)
{
    struct timespec deadline;
    bool done, joiner;
    int r = 0;

    if (!drv || drv->magic != OWSK_DRIVER_MAGIC)
        return -EINVAL;
    if (timeout_ms == 0)
        timeout_ms = io_unload_timeout_ms;
    pthread_once(&cond_once, init_cond);
    deadline = owsk_timespec_after_ms(CLOCK_MONOTONIC, timeout_ms);

    pthread_mutex_lock(&lock);
    if (atomic_load(&drv->state) == OWSK_DRIVER_RUNNING) {
        atomic_store(&drv->state, OWSK_DRIVER_UNLOADING);
        drv->unload_started = true;
        drv->unload_done = false;
        pthread_mutex_unlock(&lock);
        if (run_on_thread(drv, "unload", unload_thread, &drv->unload_thread) != 0) {
            io_set_last_error("%s: cannot start the DriverUnload thread", drv->owner.name);
            pthread_mutex_lock(&lock);
            atomic_store(&drv->state, OWSK_DRIVER_RUNNING);
            drv->unload_started = false;
            pthread_mutex_unlock(&lock);
            return -EAGAIN;
        }
        pthread_mutex_lock(&lock);
    } else if (atomic_load(&drv->state) != OWSK_DRIVER_UNLOADING || !drv->unload_started) {
        pthread_mutex_unlock(&lock);
        return atomic_load(&drv->state) == OWSK_DRIVER_STOPPED ? 0 : -EBUSY;
    }
    while (!drv->unload_done && r == 0)
        r = pthread_cond_timedwait(&unload_cond, &lock, &deadline);
    done = drv->unload_done;
    joiner = done && drv->unload_started;
    if (joiner)
        drv->unload_started = false; /* joined and finished below, by this caller only */
    pthread_mutex_unlock(&lock);

    if (!done) {
        io_set_last_error("%s: DriverUnload did not return within %u ms", drv->owner.name,
                          timeout_ms);
        OWSK_WARN(OWSK_CH_IO, "%s", last_error);
        return -ETIMEDOUT;
    }
    if (!joiner)
        return 0; /* a concurrent call is finishing it */
    pthread_join(drv->unload_thread, NULL);
    /* Work items hold the driver; give them the rest of the deadline to finish. */
    if (atomic_load(&drv->refs) > 0) {
        struct timespec now;
        long left_ms;

        clock_gettime(CLOCK_MONOTONIC, &now);
        left_ms = (long)(deadline.tv_sec - now.tv_sec) * 1000 +
                  (deadline.tv_nsec - now.tv_nsec) / 1000000;
        if (left_ms > 0)
            owsk_ex_work_wait_idle(drv->owner.id, (unsigned)left_ms);
    }
    atomic_store(&drv->state, OWSK_DRIVER_STOPPED);
    release_module(drv);
    OWSK_INFO(OWSK_CH_IO, "%s: unloaded", drv->owner.name);
    return 0;
}

const char *owsk_driver_name(const struct owsk_driver *drv)
{
    return drv->owner.name;
}

const char *owsk_driver_path(const struct owsk_driver *drv)
{
    return drv->path;
}

enum owsk_driver_state owsk_driver_state(const struct owsk_driver *drv)
{
    return (enum owsk_driver_state)atomic_load(&((struct owsk_driver *)drv)->state);
}

unsigned owsk_driver_owner_id(const struct owsk_driver *drv)
{
    return drv->owner.id;
}

/* The list only grows and records are never freed, so walking it after dropping the lock
 * is safe; fn may load or unload drivers. */
void owsk_driver_foreach(int (*fn)(struct owsk_driver *drv, void *ctx), void *ctx)
{
    struct owsk_driver *d;

    pthread_mutex_lock(&lock);
    d = drivers;
    pthread_mutex_unlock(&lock);
    while (d) {
        struct owsk_driver *next;

        if (fn(d, ctx))
            break;
        pthread_mutex_lock(&lock);
        next = d->next;
        pthread_mutex_unlock(&lock);
        d = next;
    }
}

/* The live driver of that service, else the most recently stopped one. */
struct owsk_driver *owsk_driver_find(const char *service)
{
    struct owsk_driver *d, *found = NULL;

    if (!service)
        return NULL;
    pthread_mutex_lock(&lock);
    for (d = drivers; d; d = d->next)
        if (!strcmp(d->owner.name, service)) {
            found = d;
            if (atomic_load(&d->state) != OWSK_DRIVER_STOPPED)
                break;
        }
    pthread_mutex_unlock(&lock);
    return found;
}
