/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Object references and handles: a wrong ObjectType gives STATUS_OBJECT_TYPE_MISMATCH, a bad
 * handle STATUS_INVALID_HANDLE (ObReferenceObjectByHandle and ZwClose), the pseudo handle
 * NtCurrentThread() names the caller's thread object, reference counts go up and down and
 * the object is released at zero; referencing something that is not an object bug checks
 * (0x18, in a child). */
#include "owsk_test.h"
#include "../ke/t_child.h"
#include "ob/ob.h"

static int released;
static void on_release(void *body, void *ctx)
{
    released++;
}

static void not_an_object(void)
{
    static int x;
    ObReferenceObject(&x);
}

int main(void)
{
    PVOID obj = (PVOID)0x1234;
    HANDLE h;
    OBJECT_HANDLE_INFORMATION info;
    void *body;

    t_expect_bugcheck(not_an_object, 0x18, "not a referenced object");

    CHECK_STATUS(ObReferenceObjectByHandle((HANDLE)(ULONG_PTR)0xFFFFFFFF80001000ULL, 0, NULL,
                                           KernelMode, &obj, NULL),
                 STATUS_INVALID_HANDLE);
    CHECK(obj == NULL);
    CHECK_STATUS(ObReferenceObjectByHandle(NULL, 0, NULL, KernelMode, &obj, NULL),
                 STATUS_INVALID_HANDLE);
    CHECK_STATUS(ZwClose((HANDLE)(ULONG_PTR)0x1234), STATUS_INVALID_HANDLE);

    /* The caller's own thread through the pseudo handle. */
    CHECK_STATUS(
        ObReferenceObjectByHandle(NtCurrentThread(), 0, *PsThreadType, KernelMode, &obj, NULL),
        STATUS_SUCCESS);
    CHECK(obj == KeGetCurrentThread());
    ObDereferenceObject(obj);
    CHECK_STATUS(
        ObReferenceObjectByHandle(NtCurrentThread(), 0, *PsProcessType, KernelMode, &obj, NULL),
        STATUS_OBJECT_TYPE_MISMATCH);
    CHECK_STATUS(
        ObReferenceObjectByHandle(NtCurrentProcess(), 0, *PsProcessType, KernelMode, &obj, NULL),
        STATUS_SUCCESS);
    CHECK(obj == (PVOID)IoGetCurrentProcess());
    ObDereferenceObject(obj);

    /* A handle to an event-type object. */
    body = owsk_ob_create(*ExEventObjectType, 64, on_release, NULL);
    CHECK(body != NULL);
    CHECK_STATUS(owsk_ob_handle_create(body, EVENT_ALL_ACCESS, &h), STATUS_SUCCESS);
    CHECK_INT(owsk_ob_refs(body), 2);
    CHECK_STATUS(ObReferenceObjectByHandle(h, 0, *PsThreadType, KernelMode, &obj, NULL),
                 STATUS_OBJECT_TYPE_MISMATCH);
    CHECK_STATUS(ObReferenceObjectByHandle(h, 0, *ExEventObjectType, KernelMode, &obj, &info),
                 STATUS_SUCCESS);
    CHECK(obj == body);
    CHECK_UINT(info.GrantedAccess, EVENT_ALL_ACCESS);
    CHECK_INT(ObReferenceObject(obj), 4);
    CHECK_INT(ObReferenceObjectWithTag(obj, 'gaT1'), 5);
    CHECK_INT(ObDereferenceObjectWithTag(obj, 'gaT1'), 4);
    CHECK_STATUS(ObReferenceObjectByPointer(obj, 0, *IoFileObjectType, KernelMode),
                 STATUS_OBJECT_TYPE_MISMATCH);
    CHECK_STATUS(ObReferenceObjectByPointer(obj, 0, NULL, KernelMode), STATUS_SUCCESS);
    CHECK_INT(ObDereferenceObject(obj), 4);
    CHECK_INT(ObDereferenceObject(obj), 3);
    CHECK_INT(ObDereferenceObject(obj), 2);
    size_t open_before = owsk_ob_handles_open();
    CHECK_STATUS(ZwClose(h), STATUS_SUCCESS);
    CHECK_UINT(owsk_ob_handles_open(), open_before - 1);
    CHECK_INT(released, 0);
    CHECK_INT(ObDereferenceObject(body), 0);
    CHECK_INT(released, 1);
    CHECK_STATUS(ObReferenceObjectByHandle(h, 0, NULL, KernelMode, &obj, NULL),
                 STATUS_INVALID_HANDLE);

    return t_done();
}
