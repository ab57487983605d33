/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel handle table: ObReferenceObjectByHandle(WithTag) and ZwClose. Handles look like
 * Windows kernel handles (multiples of 4 with the kernel bit: 0xFFFFFFFF8000xxxx); the
 * pseudo handles NtCurrentThread()/NtCurrentProcess() are understood. There is one table
 * (no per-process tables), no inheritance and no access checks beyond recording the
 * granted access. */
#include <stdint.h>
#include <stdlib.h>

#include <wdm.h>

#include "core/core.h"
#include "ke/ke.h"
#include "ob/ob.h"
#include "ps/ps.h"
#include "rtl/rtl.h"

#define KERNEL_HANDLE_BIT 0xFFFFFFFF80000000ULL
/* Indices start here so our values never look like small user-mode or pseudo handles. */
#define FIRST_INDEX 1

struct slot {
    void *body; /* NULL = free */
    ACCESS_MASK access;
    size_t next_free;
};

/* Guarded by table_lock. Never held while an object is released. Lock order: table_lock,
 * then object.c's ob_lock (a lookup takes its reference under table_lock). */
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot *slots;
static size_t nslots, free_head = SIZE_MAX, open_count;

static HANDLE to_handle(size_t i)
{
    return (HANDLE)(uintptr_t)(KERNEL_HANDLE_BIT | ((uint64_t)(i + FIRST_INDEX) << 2));
}

static bool to_index(HANDLE h, size_t *ret_i)
{
    uint64_t v = (uint64_t)(uintptr_t)h;
    uint64_t idx;

    if ((v & KERNEL_HANDLE_BIT) != KERNEL_HANDLE_BIT || (v & 3))
        return false;
    idx = ((v & ~KERNEL_HANDLE_BIT) >> 2);
    if (idx < FIRST_INDEX || idx - FIRST_INDEX >= nslots)
        return false;
    *ret_i = (size_t)(idx - FIRST_INDEX);
    return true;
}

NTSTATUS owsk_ob_handle_create(void *body, ACCESS_MASK access, HANDLE *ret_handle)
{
    size_t i;

    ObfReferenceObject(body);
    pthread_mutex_lock(&table_lock);
    if (free_head == SIZE_MAX) {
        size_t n = nslots ? nslots * 2 : 64;
        struct slot *s = realloc(slots, n * sizeof(*s));
        if (!s) {
            pthread_mutex_unlock(&table_lock);
            ObfDereferenceObject(body);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        for (size_t k = n; k-- > nslots;) {
            s[k].body = NULL;
            s[k].next_free = free_head;
            free_head = k;
        }
        slots = s;
        nslots = n;
    }
    i = free_head;
    free_head = slots[i].next_free;
    slots[i].body = body;
    slots[i].access = access;
    open_count++;
    pthread_mutex_unlock(&table_lock);
    *ret_handle = to_handle(i);
    return STATUS_SUCCESS;
}

static void *pseudo_handle(HANDLE h)
{
    if (h == NtCurrentThread())
        return owsk_ps_current_thread_object();
    if (h == NtCurrentProcess())
        return owsk_ps_process_object();
    return NULL;
}

void *owsk_ob_handle_lookup(HANDLE h, struct _OBJECT_TYPE *type, ACCESS_MASK *ret_access,
                            NTSTATUS *ret_status)
{
    void *body = pseudo_handle(h);
    ACCESS_MASK access = 0x1FFFFF; /* pseudo handles have full access */
    size_t i;

    if (!body) {
        pthread_mutex_lock(&table_lock);
        if (!to_index(h, &i) || !slots[i].body) {
            pthread_mutex_unlock(&table_lock);
            *ret_status = STATUS_INVALID_HANDLE;
            return NULL;
        }
        body = slots[i].body;
        access = slots[i].access;
        /* The handle's own reference keeps body alive while we take ours. */
        if (type && owsk_ob_type_of(body) != type) {
            pthread_mutex_unlock(&table_lock);
            *ret_status = STATUS_OBJECT_TYPE_MISMATCH;
            return NULL;
        }
        ObfReferenceObject(body);
        pthread_mutex_unlock(&table_lock);
    } else {
        if (type && owsk_ob_type_of(body) != type) {
            *ret_status = STATUS_OBJECT_TYPE_MISMATCH;
            return NULL;
        }
        ObfReferenceObject(body);
    }
    if (ret_access)
        *ret_access = access;
    *ret_status = STATUS_SUCCESS;
    return body;
}

bool owsk_ob_handle_close(HANDLE h)
{
    void *body;
    size_t i;

    pthread_mutex_lock(&table_lock);
    if (!to_index(h, &i) || !slots[i].body) {
        pthread_mutex_unlock(&table_lock);
        return false;
    }
    body = slots[i].body;
    slots[i].body = NULL;
    slots[i].next_free = free_head;
    free_head = i;
    open_count--;
    pthread_mutex_unlock(&table_lock);
    ObfDereferenceObject(body);
    return true;
}

size_t owsk_ob_handles_open(void)
{
    size_t n;

    pthread_mutex_lock(&table_lock);
    n = open_count;
    pthread_mutex_unlock(&table_lock);
    return n;
}

/* ObReferenceObjectByHandle: AccessMode and DesiredAccess are not checked (every handle here
 * is a kernel handle opened by kernel code). */
NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess,
                                   POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                                   PVOID *Object, POBJECT_HANDLE_INFORMATION HandleInformation)
{
    NTSTATUS status;
    ACCESS_MASK granted = 0;
    void *body;

    OWSK_ASSERT_IRQL_LE(PASSIVE_LEVEL, Handle);
    body = owsk_ob_handle_lookup(Handle, ObjectType, &granted, &status);
    *Object = body;
    if (body && HandleInformation) {
        HandleInformation->HandleAttributes = 0;
        HandleInformation->GrantedAccess = granted;
    }
    return status;
}

NTSTATUS ObReferenceObjectByHandleWithTag(HANDLE Handle, ACCESS_MASK DesiredAccess,
                                          POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                                          ULONG Tag, PVOID *Object,
                                          POBJECT_HANDLE_INFORMATION HandleInformation)
{
    return ObReferenceObjectByHandle(Handle, DesiredAccess, ObjectType, AccessMode, Object,
                                     HandleInformation);
}

/* ZwClose: registry key handles belong to rtl; everything else to this table. A bad handle
 * gives STATUS_INVALID_HANDLE (Windows can also bug check 0x93 for protected or bad kernel
 * handles under the verifier). */
NTSTATUS ZwClose(HANDLE Handle)
{
    OWSK_ASSERT_IRQL_LE(PASSIVE_LEVEL, Handle);
    if (owsk_rtl_registry_close(Handle))
        return STATUS_SUCCESS;
    return owsk_ob_handle_close(Handle) ? STATUS_SUCCESS : STATUS_INVALID_HANDLE;
}
