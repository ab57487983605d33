/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ob internals: reference-counted objects with a type, and the kernel handle table. Rooms
 * that hand drivers objects which drivers may ObReferenceObject (threads, processes, device
 * or file objects) create or register them here. */
#ifndef OWSK_OB_OB_H
#define OWSK_OB_OB_H

#include <stdbool.h>
#include <stddef.h>

#include <wdm.h>

/* The (opaque in the WDK) object type. */
struct _OBJECT_TYPE {
    const char *name; /* "Thread", "Process", "Event", "File", "Device" */
};

/* Exported type objects; PsThreadType etc. point at pointers to these. */
extern struct _OBJECT_TYPE owsk_ob_thread_type, owsk_ob_process_type, owsk_ob_event_type,
    owsk_ob_file_type, owsk_ob_device_type, owsk_ob_driver_type;

/* Called (without ob locks) when the last reference goes away. */
typedef void (*owsk_ob_release_fn)(void *body, void *ctx);

/* A new object body of size bytes, zero-filled, 16-byte aligned, with one reference.
 * release (may be NULL) runs before the body is freed. NULL if out of memory. */
void *owsk_ob_create(struct _OBJECT_TYPE *type, size_t size, owsk_ob_release_fn release, void *ctx);
/* Makes an object that lives in another room's memory reference-counted (one reference);
 * release is called at zero and the memory stays the caller's. false if out of memory. */
bool owsk_ob_register(void *body, struct _OBJECT_TYPE *type, owsk_ob_release_fn release, void *ctx);
/* The type of an object, or NULL if p is not a live object. */
struct _OBJECT_TYPE *owsk_ob_type_of(const void *p);
/* Current reference count (tests, reports); -1 if p is not an object. */
long owsk_ob_refs(const void *p);

/* ---- Handles (handle.c) ---- */

/* A kernel handle for body (takes its own reference). STATUS_INSUFFICIENT_RESOURCES. */
NTSTATUS owsk_ob_handle_create(void *body, ACCESS_MASK access, HANDLE *ret_handle);
/* The object behind a handle with a new reference, or NULL (no side effects). */
void *owsk_ob_handle_lookup(HANDLE h, struct _OBJECT_TYPE *type, ACCESS_MASK *ret_access,
                            NTSTATUS *ret_status);
/* Closes a handle created above: true if it was one. */
bool owsk_ob_handle_close(HANDLE h);
/* Open handles, for leak reports. */
size_t owsk_ob_handles_open(void);

#endif
