/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runtime behaviour of the header-only pieces WDK sources rely on: the SEH shims (__try body
 * runs, __leave leaves it, __finally runs, __except never does), multi-character tags with the
 * MSVC value, the Interlocked, list, IRP-stack and MDL inlines, and the ntdef.h helpers. */
#pragma warning(disable : 4127)
#include <ntddk.h>

#include "owsk_test.h"

typedef struct _ITEM {
    ULONG Value;
    LIST_ENTRY Link;
    SINGLE_LIST_ENTRY Next;
} ITEM;

static int seh_steps(int leave_early)
{
    volatile int steps = 0;

    __try {
        steps += 1;
        if (leave_early)
            __leave;
        steps += 10;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        steps += 100;
    }
    return steps;
}

static int seh_finally(void)
{
    volatile int steps = 0;

    __try {
        steps += 1;
        __leave;
    } __finally {
        steps += 1000;
    }
    return steps;
}

static void test_seh(void)
{
    CHECK_INT(seh_steps(0), 11);
    CHECK_INT(seh_steps(1), 1);
    CHECK_INT(seh_finally(), 1001);
    CHECK_INT(EXCEPTION_EXECUTE_HANDLER, 1);
    CHECK_INT(EXCEPTION_CONTINUE_SEARCH, 0);
    CHECK_INT(EXCEPTION_CONTINUE_EXECUTION, -1);
}

static void test_tags_and_strings(void)
{
    UNICODE_STRING u = RTL_CONSTANT_STRING(L"\\Device\\X");
    ANSI_STRING a = RTL_CONSTANT_STRING("abc");
    DECLARE_CONST_UNICODE_STRING(cu, L"ab");
    DECLARE_UNICODE_STRING_SIZE(du, 16);

    /* MSVC puts the first character in the most significant byte; so do GCC and Clang. */
    CHECK_UINT((ULONG)'kSsK', 0x6b53734bu);
    CHECK_UINT((ULONG)' KSW', 0x204b5357u);
    CHECK_INT(u.Length, 9 * sizeof(WCHAR));
    CHECK_INT(u.MaximumLength, 10 * sizeof(WCHAR));
    CHECK(u.Buffer[0] == L'\\' && u.Buffer[8] == L'X');
    CHECK_INT(a.Length, 3);
    CHECK_INT(a.MaximumLength, 4);
    CHECK_INT(cu.Length, 4);
    CHECK_INT(du.Length, 0);
    CHECK_INT(du.MaximumLength, 32);
    CHECK(du.Buffer == du_buffer);
}

static void test_macros(void)
{
    ITEM item;
    UCHAR bytes[4] = {1, 2, 3, 4};
    UCHAR other[4] = {1, 2, 3, 4};

    CHECK(CONTAINING_RECORD(&item.Link, ITEM, Link) == &item);
    CHECK_INT(FIELD_OFFSET(ITEM, Link), 8);
    CHECK_INT(RTL_FIELD_SIZE(ITEM, Link), 16);
    CHECK_INT(RTL_NUMBER_OF(bytes), 4);
    CHECK_INT(ARRAYSIZE(other), 4);
    CHECK_INT(Int32x32To64(-2, 3), -6);
    CHECK_UINT(UInt32x32To64(0xffffffffu, 2), 0x1fffffffeULL);
    CHECK_INT(min(3, 4), 3);
    CHECK_INT(max(3, 4), 4);
    CHECK(RtlEqualMemory(bytes, other, sizeof(bytes)));
    RtlFillMemory(other, sizeof(other), 0xab);
    CHECK_UINT(other[3], 0xab);
    RtlSecureZeroMemory(other, sizeof(other));
    CHECK_UINT(other[0] | other[3], 0);
    CHECK_UINT(RtlUlonglongByteSwap(0x0102030405060708ULL), 0x0807060504030201ULL);
    CHECK_INT(NT_SUCCESS(STATUS_TIMEOUT), 1);
    CHECK_INT(NT_INFORMATION(STATUS_EVENT_PENDING), 1);
    CHECK_INT(NT_ERROR(STATUS_CANCELLED), 1);
    CHECK_UINT(FlagOn(0x30u, 0x10u), 0x10u);
    CHECK_INT(BooleanFlagOn(0x30u, 0x40u), FALSE);
}

static void test_interlocked(void)
{
    volatile LONG l = 5;
    volatile LONG64 l64 = 1;
    volatile SHORT s = 7;
    PVOID volatile p = NULL;
    int target = 0;

    CHECK_INT(InterlockedIncrement(&l), 6);
    CHECK_INT(InterlockedDecrement(&l), 5);
    CHECK_INT(InterlockedExchangeAdd(&l, 3), 5);
    CHECK_INT(InterlockedCompareExchange(&l, 1, 7), 8); /* no swap: returns current */
    CHECK_INT(InterlockedCompareExchange(&l, 1, 8), 8); /* swap */
    CHECK_INT(l, 1);
    CHECK_INT(InterlockedOr(&l, 6), 1);
    CHECK_INT(InterlockedAnd(&l, 3), 7);
    CHECK_INT(InterlockedExchange(&l, -1), 3);
    CHECK_INT(InterlockedIncrement64(&l64), 2);
    CHECK_INT(InterlockedCompareExchange16(&s, 9, 7), 7);
    CHECK_INT(s, 9);
    CHECK(InterlockedExchangePointer(&p, &target) == NULL);
    CHECK(InterlockedCompareExchangePointer(&p, NULL, &target) == &target);
    CHECK(p == NULL);
    l = 0;
    CHECK_INT(InterlockedBitTestAndSet(&l, 3), 0);
    CHECK_INT(InterlockedBitTestAndSet(&l, 3), 1);
    CHECK_INT(l, 8);
    CHECK_INT(InterlockedBitTestAndReset(&l, 3), 1);
    CHECK_INT(l, 0);
}

static void test_lists(void)
{
    LIST_ENTRY head;
    SINGLE_LIST_ENTRY shead = {NULL};
    SLIST_HEADER sl;
    ITEM items[2];

    InitializeListHead(&head);
    CHECK(IsListEmpty(&head));
    CHECK(head.Flink == &head && head.Blink == &head);
    PushEntryList(&shead, &items[0].Next);
    PushEntryList(&shead, &items[1].Next);
    CHECK(PopEntryList(&shead) == &items[1].Next);
    CHECK(PopEntryList(&shead) == &items[0].Next);
    CHECK(PopEntryList(&shead) == NULL);
    memset(&sl, 0xee, sizeof(sl));
    InitializeSListHead(&sl);
    CHECK_UINT(sl.Alignment | sl.Region, 0);
}

static NTSTATUS dummy_completion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    UNREFERENCED_PARAMETER(Context);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static VOID dummy_cancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
}

/* The IRP inlines on a hand-built two-location IRP, laid out as IoInitializeIrp does. */
static void test_irp_inlines(void)
{
    static struct {
        IRP irp;
        IO_STACK_LOCATION stack[2];
    } m;
    PIRP irp = &m.irp;
    int ctx = 0;

    irp->StackCount = 2;
    irp->CurrentLocation = 3;
    irp->Tail.Overlay.CurrentStackLocation = &m.stack[0] + 2; /* one past the last location */
    CHECK((PCHAR)(irp + 1) == (PCHAR)&m.stack[0]);

    IoSetCompletionRoutine(irp, dummy_completion, &ctx, TRUE, FALSE, TRUE);
    CHECK(m.stack[1].CompletionRoutine == dummy_completion);
    CHECK(m.stack[1].Context == &ctx);
    CHECK_UINT(m.stack[1].Control, SL_INVOKE_ON_SUCCESS | SL_INVOKE_ON_CANCEL);

    IoSetNextIrpStackLocation(irp);
    CHECK_INT(irp->CurrentLocation, 2);
    CHECK(IoGetCurrentIrpStackLocation(irp) == &m.stack[1]);
    IoMarkIrpPending(irp);
    CHECK_UINT(m.stack[1].Control & SL_PENDING_RETURNED, SL_PENDING_RETURNED);

    m.stack[1].MajorFunction = IRP_MJ_DEVICE_CONTROL;
    m.stack[1].Parameters.DeviceIoControl.IoControlCode = 0x12345678;
    m.stack[0].Control = 0xff;
    IoCopyCurrentIrpStackLocationToNext(irp);
    CHECK_UINT(m.stack[0].MajorFunction, IRP_MJ_DEVICE_CONTROL);
    CHECK_UINT(m.stack[0].Parameters.DeviceIoControl.IoControlCode, 0x12345678);
    CHECK_UINT(m.stack[0].Control, 0);
    CHECK(m.stack[0].CompletionRoutine == NULL);

    IoSkipCurrentIrpStackLocation(irp);
    CHECK_INT(irp->CurrentLocation, 3);
    CHECK(IoGetNextIrpStackLocation(irp) == &m.stack[1]);

    CHECK(IoSetCancelRoutine(irp, dummy_cancel) == NULL);
    CHECK(IoSetCancelRoutine(irp, NULL) == dummy_cancel);
    CHECK(irp->CancelRoutine == NULL);
}

static void test_mdl_macros(void)
{
    static struct {
        MDL mdl;
        PFN_NUMBER pfn[3];
    } m;
    PCHAR va = (PCHAR)0x10000ff0;

    MmInitializeMdl(&m.mdl, va, 0x20);
    CHECK_INT(m.mdl.Size, sizeof(MDL) + 2 * sizeof(PFN_NUMBER));
    CHECK(m.mdl.StartVa == (PVOID)0x10000000);
    CHECK_UINT(MmGetMdlByteOffset(&m.mdl), 0xff0);
    CHECK_UINT(MmGetMdlByteCount(&m.mdl), 0x20);
    CHECK(MmGetMdlVirtualAddress(&m.mdl) == va);
    CHECK(MmGetMdlPfnArray(&m.mdl) == &m.pfn[0]);
    /* Already-mapped MDLs are answered inline, without a call into the runtime. */
    m.mdl.MdlFlags = MDL_SOURCE_IS_NONPAGED_POOL;
    m.mdl.MappedSystemVa = va;
    CHECK(MmGetSystemAddressForMdlSafe(&m.mdl, NormalPagePriority) == va);
}

int main(void)
{
    test_seh();
    test_tags_and_strings();
    test_macros();
    test_interlocked();
    test_lists();
    test_irp_inlines();
    test_mdl_macros();
    return t_done();
}
