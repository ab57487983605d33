/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Object references: ObfReferenceObject/ObfDereferenceObject (+WithTag),
 * ObReferenceObjectByPointer and the exported object types. Every object has an entry in a
 * registry keyed by its address, so a reference to something that is not an object bug
 * checks cleanly instead of corrupting memory. Tags are accepted and not tracked; there
 * are no security descriptors or access checks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <wdm.h>

#include "core/core.h"
#include "ke/ke.h"
#include "ob/ob.h"

struct _OBJECT_TYPE owsk_ob_thread_type = {"Thread"};
struct _OBJECT_TYPE owsk_ob_process_type = {"Process"};
struct _OBJECT_TYPE owsk_ob_event_type = {"Event"};
struct _OBJECT_TYPE owsk_ob_file_type = {"File"};
struct _OBJECT_TYPE owsk_ob_device_type = {"Device"};
struct _OBJECT_TYPE owsk_ob_driver_type = {"Driver"};

static POBJECT_TYPE thread_type_ptr = &owsk_ob_thread_type;
static POBJECT_TYPE process_type_ptr = &owsk_ob_process_type;
static POBJECT_TYPE event_type_ptr = &owsk_ob_event_type;
static POBJECT_TYPE file_type_ptr = &owsk_ob_file_type;

POBJECT_TYPE *PsThreadType = &thread_type_ptr;
POBJECT_TYPE *PsProcessType = &process_type_ptr;
POBJECT_TYPE *ExEventObjectType = &event_type_ptr;
POBJECT_TYPE *IoFileObjectType = &file_type_ptr;

struct ob_entry {
    struct ob_entry *hnext; /* registry bucket chain */
    void *body;
    struct _OBJECT_TYPE *type;
    long refs;
    owsk_ob_release_fn release;
    void *ctx;
    bool inline_body; /* body follows the entry in the same allocation */
} __attribute__((aligned(16)));

#define NBUCKETS 1024
/* The registry; guarded by ob_lock. */
static pthread_mutex_t ob_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ob_entry *buckets[NBUCKETS];

static size_t bucket_of(const void *p)
{
    uintptr_t v = (uintptr_t)p;
    return (size_t)((v >> 4) ^ (v >> 14)) % NBUCKETS;
}

/* ob_lock held. */
static struct ob_entry *find(const void *p)
{
    for (struct ob_entry *e = buckets[bucket_of(p)]; e; e = e->hnext)
        if (e->body == p)
            return e;
    return NULL;
}

static void insert(struct ob_entry *e)
{
    size_t b = bucket_of(e->body);
    pthread_mutex_lock(&ob_lock);
    e->hnext = buckets[b];
    buckets[b] = e;
    pthread_mutex_unlock(&ob_lock);
}

/* ob_lock held. */
static void unlink_entry(struct ob_entry *e)
{
    struct ob_entry **pp = &buckets[bucket_of(e->body)];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
}

void *owsk_ob_create(struct _OBJECT_TYPE *type, size_t size, owsk_ob_release_fn release, void *ctx)
{
    struct ob_entry *e = calloc(1, sizeof(*e) + size);
    if (!e)
        return NULL;
    e->body = e + 1;
    e->type = type;
    e->refs = 1;
    e->release = release;
    e->ctx = ctx;
    e->inline_body = true;
    insert(e);
    return e->body;
}

bool owsk_ob_register(void *body, struct _OBJECT_TYPE *type, owsk_ob_release_fn release, void *ctx)
{
    struct ob_entry *e = calloc(1, sizeof(*e));
    if (!e)
        return false;
    e->body = body;
    e->type = type;
    e->refs = 1;
    e->release = release;
    e->ctx = ctx;
    insert(e);
    return true;
}

struct _OBJECT_TYPE *owsk_ob_type_of(const void *p)
{
    struct ob_entry *e;
    struct _OBJECT_TYPE *t;

    pthread_mutex_lock(&ob_lock);
    e = find(p);
    t = e ? e->type : NULL;
    pthread_mutex_unlock(&ob_lock);
    return t;
}

long owsk_ob_refs(const void *p)
{
    struct ob_entry *e;
    long r;

    pthread_mutex_lock(&ob_lock);
    e = find(p);
    r = e ? e->refs : -1;
    pthread_mutex_unlock(&ob_lock);
    return r;
}

static __attribute__((noreturn)) void not_object(PVOID Object, const char *ddi)
{
    owsk_ke_bugcheck(OWSK_BUGCHECK_REFERENCE_BY_POINTER, 0, (ULONG_PTR)Object, 0, 0,
                     "%s(%p): not a referenced object (never created, or already freed)", ddi,
                     Object);
}

/* Locks: takes ob_lock and returns with it held; bug-checks (with it released) when Object
 * is not a live object. */
static struct ob_entry *lock_live(PVOID Object, const char *ddi)
{
    struct ob_entry *e;

    pthread_mutex_lock(&ob_lock);
    e = find(Object);
    if (!e || e->refs <= 0) {
        pthread_mutex_unlock(&ob_lock);
        not_object(Object, ddi);
    }
    return e;
}

static LONG_PTR reference(PVOID Object, const char *ddi)
{
    struct ob_entry *e = lock_live(Object, ddi);
    LONG_PTR r = ++e->refs;

    pthread_mutex_unlock(&ob_lock);
    return r;
}

static LONG_PTR dereference(PVOID Object, const char *ddi)
{
    struct ob_entry *e = lock_live(Object, ddi);
    LONG_PTR r = --e->refs;

    if (r == 0)
        unlink_entry(e);
    pthread_mutex_unlock(&ob_lock);
    if (r == 0) {
        if (e->release)
            e->release(e->body, e->ctx);
        free(e);
    }
    return r;
}

LONG_PTR ObfReferenceObject(PVOID Object)
{
    return reference(Object, "ObReferenceObject");
}

LONG_PTR ObfReferenceObjectWithTag(PVOID Object, ULONG Tag)
{
    return reference(Object, "ObReferenceObjectWithTag");
}

LONG_PTR ObfDereferenceObject(PVOID Object)
{
    return dereference(Object, "ObDereferenceObject");
}

LONG_PTR ObfDereferenceObjectWithTag(PVOID Object, ULONG Tag)
{
    return dereference(Object, "ObDereferenceObjectWithTag");
}

NTSTATUS ObReferenceObjectByPointer(PVOID Object, ACCESS_MASK DesiredAccess,
                                    POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode)
{
    struct ob_entry *e;

    pthread_mutex_lock(&ob_lock);
    e = find(Object);
    if (!e || e->refs <= 0) {
        pthread_mutex_unlock(&ob_lock);
        not_object(Object, "ObReferenceObjectByPointer");
    }
    if (ObjectType && e->type != ObjectType) {
        pthread_mutex_unlock(&ob_lock);
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    e->refs++;
    pthread_mutex_unlock(&ob_lock);
    return STATUS_SUCCESS;
}
