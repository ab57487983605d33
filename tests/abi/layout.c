/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pins the Windows x86-64 (LLP64) widths and structure layouts of the kernel headers: sizes
 * and member offsets drivers and the runtime rely on. Compile-time checks; the runtime part
 * re-checks a few through the harness so the test reports real checks. layout_cxx.cpp
 * compiles this same file as C++, so both languages see the same layouts. */
#include <ntddk.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef __cplusplus
extern "C" {
#endif
#include "owsk_test.h"
#ifdef __cplusplus
}
#define ALIGNOF(T) alignof(T)
#else
#define ALIGNOF(T) _Alignof(T)
#endif

#define SIZE(T, n) C_ASSERT(sizeof(T) == (n))
#define OFF(T, f, n) C_ASSERT(offsetof(T, f) == (n))
#define ALIGN(T, n) C_ASSERT(ALIGNOF(T) == (n))

/* Scalar widths: LLP64. */
SIZE(CHAR, 1);
SIZE(UCHAR, 1);
SIZE(BOOLEAN, 1);
SIZE(SHORT, 2);
SIZE(USHORT, 2);
SIZE(CSHORT, 2);
SIZE(WCHAR, 2);
SIZE(LONG, 4);
SIZE(ULONG, 4);
SIZE(INT, 4);
SIZE(UINT, 4);
SIZE(BOOL, 4);
SIZE(DWORD, 4);
SIZE(NTSTATUS, 4);
SIZE(LONGLONG, 8);
SIZE(ULONGLONG, 8);
SIZE(LONG64, 8);
SIZE(ULONG64, 8);
SIZE(SIZE_T, 8);
SIZE(SSIZE_T, 8);
SIZE(ULONG_PTR, 8);
SIZE(LONG_PTR, 8);
SIZE(PVOID, 8);
SIZE(HANDLE, 8);
SIZE(KSPIN_LOCK, 8);
SIZE(KIRQL, 1);
SIZE(KPROCESSOR_MODE, 1);
SIZE(ACCESS_MASK, 4);
SIZE(POOL_FLAGS, 8);
SIZE(PFN_NUMBER, 8);

/* ntdef.h structures */
SIZE(LARGE_INTEGER, 8);
OFF(LARGE_INTEGER, HighPart, 4);
OFF(LARGE_INTEGER, u.HighPart, 4);
SIZE(ULARGE_INTEGER, 8);
SIZE(LUID, 8);
SIZE(GUID, 16);
OFF(GUID, Data2, 4);
OFF(GUID, Data3, 6);
OFF(GUID, Data4, 8);
SIZE(LIST_ENTRY, 16);
SIZE(SINGLE_LIST_ENTRY, 8);
SIZE(UNICODE_STRING, 16);
OFF(UNICODE_STRING, MaximumLength, 2);
OFF(UNICODE_STRING, Buffer, 8);
SIZE(ANSI_STRING, 16);
SIZE(OBJECT_ATTRIBUTES, 48);
OFF(OBJECT_ATTRIBUTES, RootDirectory, 8);
OFF(OBJECT_ATTRIBUTES, ObjectName, 16);
OFF(OBJECT_ATTRIBUTES, Attributes, 24);
OFF(OBJECT_ATTRIBUTES, SecurityDescriptor, 32);
OFF(OBJECT_ATTRIBUTES, SecurityQualityOfService, 40);
SIZE(CLIENT_ID, 16);
SIZE(PROCESSOR_NUMBER, 4);

/* Dispatcher objects */
SIZE(DISPATCHER_HEADER, 24);
OFF(DISPATCHER_HEADER, Type, 0);
OFF(DISPATCHER_HEADER, Absolute, 1);
OFF(DISPATCHER_HEADER, Size, 2);
OFF(DISPATCHER_HEADER, Inserted, 3);
OFF(DISPATCHER_HEADER, Lock, 0);
OFF(DISPATCHER_HEADER, SignalState, 4);
OFF(DISPATCHER_HEADER, WaitListHead, 8);
SIZE(KEVENT, 24);
SIZE(KSEMAPHORE, 32);
OFF(KSEMAPHORE, Limit, 24);
SIZE(KMUTEX, 56);
OFF(KMUTANT, MutantListEntry, 24);
OFF(KMUTANT, OwnerThread, 40);
OFF(KMUTANT, MutantFlags, 48);
OFF(KMUTANT, ApcDisable, 49);
SIZE(KTIMER, 64);
OFF(KTIMER, DueTime, 24);
OFF(KTIMER, TimerListEntry, 32);
OFF(KTIMER, Dpc, 48);
OFF(KTIMER, Processor, 56);
OFF(KTIMER, Period, 60);
SIZE(KDPC, 64);
OFF(KDPC, Type, 0);
OFF(KDPC, Importance, 1);
OFF(KDPC, Number, 2);
OFF(KDPC, DpcListEntry, 8);
OFF(KDPC, ProcessorHistory, 16);
OFF(KDPC, DeferredRoutine, 24);
OFF(KDPC, DeferredContext, 32);
OFF(KDPC, SystemArgument1, 40);
OFF(KDPC, SystemArgument2, 48);
OFF(KDPC, DpcData, 56);
SIZE(KWAIT_BLOCK, 48);
OFF(KWAIT_BLOCK, Thread, 24);
OFF(KWAIT_BLOCK, Object, 32);
SIZE(KAPC, 88);
SIZE(KDEVICE_QUEUE_ENTRY, 24);
SIZE(KDEVICE_QUEUE, 40);
SIZE(KSPIN_LOCK_QUEUE, 16);
SIZE(KLOCK_QUEUE_HANDLE, 24);
OFF(KLOCK_QUEUE_HANDLE, OldIrql, 16);
SIZE(FAST_MUTEX, 56);
OFF(FAST_MUTEX, Owner, 8);
OFF(FAST_MUTEX, Contention, 16);
OFF(FAST_MUTEX, Event, 24);
OFF(FAST_MUTEX, OldIrql, 48);
SIZE(OWNER_ENTRY, 16);
SIZE(ERESOURCE, 104);
OFF(ERESOURCE, OwnerEntry, 48);
OFF(ERESOURCE, SpinLock, 96);

/* SLIST */
SIZE(SLIST_HEADER, 16);
ALIGN(SLIST_HEADER, 16);
SIZE(SLIST_ENTRY, 16);
ALIGN(SLIST_ENTRY, 16);

/* Pool and lookaside lists */
SIZE(POOL_EXTENDED_PARAMETER, 16);
SIZE(GENERAL_LOOKASIDE_POOL, 96);
OFF(GENERAL_LOOKASIDE_POOL, Depth, 16);
OFF(GENERAL_LOOKASIDE_POOL, TotalAllocates, 20);
OFF(GENERAL_LOOKASIDE_POOL, Type, 36);
OFF(GENERAL_LOOKASIDE_POOL, Tag, 40);
OFF(GENERAL_LOOKASIDE_POOL, Size, 44);
OFF(GENERAL_LOOKASIDE_POOL, Allocate, 48);
OFF(GENERAL_LOOKASIDE_POOL, Free, 56);
OFF(GENERAL_LOOKASIDE_POOL, ListEntry, 64);
OFF(GENERAL_LOOKASIDE_POOL, Future, 88);
SIZE(GENERAL_LOOKASIDE, 128);
SIZE(NPAGED_LOOKASIDE_LIST, 128);
ALIGN(NPAGED_LOOKASIDE_LIST, 64);
SIZE(PAGED_LOOKASIDE_LIST, 128);
SIZE(LOOKASIDE_LIST_EX, 96);

/* I/O */
SIZE(IO_STATUS_BLOCK, 16);
OFF(IO_STATUS_BLOCK, Information, 8);
SIZE(MDL, 48);
OFF(MDL, Size, 8);
OFF(MDL, MdlFlags, 10);
OFF(MDL, Process, 16);
OFF(MDL, MappedSystemVa, 24);
OFF(MDL, StartVa, 32);
OFF(MDL, ByteCount, 40);
OFF(MDL, ByteOffset, 44);
SIZE(IO_STACK_LOCATION, 72);
OFF(IO_STACK_LOCATION, MinorFunction, 1);
OFF(IO_STACK_LOCATION, Flags, 2);
OFF(IO_STACK_LOCATION, Control, 3);
OFF(IO_STACK_LOCATION, Parameters, 8);
OFF(IO_STACK_LOCATION, Parameters.Create.Options, 16);
OFF(IO_STACK_LOCATION, Parameters.Create.FileAttributes, 24);
OFF(IO_STACK_LOCATION, Parameters.Create.EaLength, 32);
OFF(IO_STACK_LOCATION, Parameters.Read.Key, 16);
OFF(IO_STACK_LOCATION, Parameters.Read.ByteOffset, 24);
OFF(IO_STACK_LOCATION, Parameters.DeviceIoControl.InputBufferLength, 16);
OFF(IO_STACK_LOCATION, Parameters.DeviceIoControl.IoControlCode, 24);
OFF(IO_STACK_LOCATION, Parameters.DeviceIoControl.Type3InputBuffer, 32);
OFF(IO_STACK_LOCATION, Parameters.Others.Argument4, 32);
OFF(IO_STACK_LOCATION, DeviceObject, 40);
OFF(IO_STACK_LOCATION, FileObject, 48);
OFF(IO_STACK_LOCATION, CompletionRoutine, 56);
OFF(IO_STACK_LOCATION, Context, 64);
SIZE(IRP, 208);
ALIGN(IRP, 16);
OFF(IRP, Size, 2);
OFF(IRP, MdlAddress, 8);
OFF(IRP, Flags, 16);
OFF(IRP, AssociatedIrp, 24);
OFF(IRP, ThreadListEntry, 32);
OFF(IRP, IoStatus, 48);
OFF(IRP, RequestorMode, 64);
OFF(IRP, PendingReturned, 65);
OFF(IRP, StackCount, 66);
OFF(IRP, CurrentLocation, 67);
OFF(IRP, Cancel, 68);
OFF(IRP, CancelIrql, 69);
OFF(IRP, ApcEnvironment, 70);
OFF(IRP, AllocationFlags, 71);
OFF(IRP, UserIosb, 72);
OFF(IRP, UserEvent, 80);
OFF(IRP, Overlay, 88);
OFF(IRP, CancelRoutine, 104);
OFF(IRP, UserBuffer, 112);
OFF(IRP, Tail, 120);
OFF(IRP, Tail.Overlay.DeviceQueueEntry, 120);
OFF(IRP, Tail.Overlay.DriverContext, 120);
OFF(IRP, Tail.Overlay.Thread, 152);
OFF(IRP, Tail.Overlay.AuxiliaryBuffer, 160);
OFF(IRP, Tail.Overlay.ListEntry, 168);
OFF(IRP, Tail.Overlay.CurrentStackLocation, 184);
OFF(IRP, Tail.Overlay.PacketType, 184);
OFF(IRP, Tail.Overlay.OriginalFileObject, 192);
OFF(IRP, Tail.Apc, 120);
OFF(IRP, Tail.CompletionKey, 120);
SIZE(WAIT_CONTEXT_BLOCK, 72);
SIZE(DEVICE_OBJECT, 0x150);
OFF(DEVICE_OBJECT, ReferenceCount, 4);
OFF(DEVICE_OBJECT, DriverObject, 8);
OFF(DEVICE_OBJECT, NextDevice, 16);
OFF(DEVICE_OBJECT, AttachedDevice, 24);
OFF(DEVICE_OBJECT, CurrentIrp, 32);
OFF(DEVICE_OBJECT, Timer, 40);
OFF(DEVICE_OBJECT, Flags, 48);
OFF(DEVICE_OBJECT, Characteristics, 52);
OFF(DEVICE_OBJECT, Vpb, 56);
OFF(DEVICE_OBJECT, DeviceExtension, 64);
OFF(DEVICE_OBJECT, DeviceType, 72);
OFF(DEVICE_OBJECT, StackSize, 76);
OFF(DEVICE_OBJECT, Queue, 80);
OFF(DEVICE_OBJECT, AlignmentRequirement, 152);
OFF(DEVICE_OBJECT, DeviceQueue, 160);
OFF(DEVICE_OBJECT, Dpc, 200);
OFF(DEVICE_OBJECT, ActiveThreadCount, 264);
OFF(DEVICE_OBJECT, SecurityDescriptor, 272);
OFF(DEVICE_OBJECT, DeviceLock, 280);
OFF(DEVICE_OBJECT, SectorSize, 304);
OFF(DEVICE_OBJECT, DeviceObjectExtension, 312);
OFF(DEVICE_OBJECT, Reserved, 320);
SIZE(DRIVER_OBJECT, 0x150);
OFF(DRIVER_OBJECT, DeviceObject, 8);
OFF(DRIVER_OBJECT, Flags, 16);
OFF(DRIVER_OBJECT, DriverStart, 24);
OFF(DRIVER_OBJECT, DriverSize, 32);
OFF(DRIVER_OBJECT, DriverSection, 40);
OFF(DRIVER_OBJECT, DriverExtension, 48);
OFF(DRIVER_OBJECT, DriverName, 56);
OFF(DRIVER_OBJECT, HardwareDatabase, 72);
OFF(DRIVER_OBJECT, FastIoDispatch, 80);
OFF(DRIVER_OBJECT, DriverInit, 88);
OFF(DRIVER_OBJECT, DriverStartIo, 96);
OFF(DRIVER_OBJECT, DriverUnload, 104);
OFF(DRIVER_OBJECT, MajorFunction, 112);
SIZE(FILE_OBJECT, 0xD8);
OFF(FILE_OBJECT, FinalStatus, 56);
OFF(FILE_OBJECT, Flags, 80);
OFF(FILE_OBJECT, FileName, 88);
OFF(FILE_OBJECT, Lock, 128);
OFF(FILE_OBJECT, Event, 152);
OFF(FILE_OBJECT, IrpList, 192);
SIZE(WORK_QUEUE_ITEM, 32);
OFF(WORK_QUEUE_ITEM, WorkerRoutine, 16);
OFF(WORK_QUEUE_ITEM, Parameter, 24);

/* Rtl and registry */
SIZE(RTL_OSVERSIONINFOW, 276);
SIZE(RTL_OSVERSIONINFOEXW, 284);
OFF(RTL_OSVERSIONINFOEXW, wProductType, 282);
SIZE(RTL_QUERY_REGISTRY_TABLE, 56);
OFF(RTL_QUERY_REGISTRY_TABLE, Flags, 8);
OFF(RTL_QUERY_REGISTRY_TABLE, Name, 16);
OFF(RTL_QUERY_REGISTRY_TABLE, EntryContext, 24);
OFF(RTL_QUERY_REGISTRY_TABLE, DefaultType, 32);
OFF(RTL_QUERY_REGISTRY_TABLE, DefaultData, 40);
OFF(RTL_QUERY_REGISTRY_TABLE, DefaultLength, 48);
SIZE(KEY_VALUE_PARTIAL_INFORMATION, 16);
OFF(KEY_VALUE_PARTIAL_INFORMATION, Data, 12);
OFF(KEY_VALUE_BASIC_INFORMATION, Name, 12);
OFF(KEY_VALUE_FULL_INFORMATION, Name, 20);

/* Constant values a driver may persist or compare. */
C_ASSERT(STATUS_PENDING == 0x103);
C_ASSERT((ULONG)STATUS_MORE_PROCESSING_REQUIRED == 0xC0000016u);
C_ASSERT(IRP_MJ_MAXIMUM_FUNCTION == 0x1b);
C_ASSERT(CTL_CODE(FILE_DEVICE_NETWORK, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS) ==
                   0x00122000);
C_ASSERT(NonPagedPoolNx == 512 && NonPagedPoolNxCacheAligned == 516);
C_ASSERT(DPFLTR_IHVDRIVER_ID == 77 && DPFLTR_DEFAULT_ID == 101);
C_ASSERT(WrExecutive == 7 && UserRequest == 6);

int main(void)
{
    UNICODE_STRING s = RTL_CONSTANT_STRING(L"abc");
    LARGE_INTEGER li;

    CHECK_INT(sizeof(IRP), 208);
    CHECK_INT(IoSizeOfIrp(2), 208 + 2 * 72);
    CHECK_INT(s.Length, 6);
    CHECK_INT(s.MaximumLength, 8);
    CHECK(s.Buffer[2] == L'c');
    li.QuadPart = 0x1122334455667788LL;
    CHECK_UINT(li.LowPart, 0x55667788u);
    CHECK_INT(li.HighPart, 0x11223344);
    CHECK_UINT(RtlUlongByteSwap(0x11223344u), 0x44332211u);
    CHECK_UINT(RtlUshortByteSwap(0x1122), 0x2211);
    CHECK_INT(NT_SUCCESS(STATUS_PENDING), 1);
    CHECK_INT(NT_ERROR(STATUS_INVALID_PARAMETER), 1);
    CHECK_INT(NT_WARNING(STATUS_BUFFER_OVERFLOW), 1);
    CHECK_INT(ADDRESS_AND_SIZE_TO_SPAN_PAGES((PVOID)0x1ff0, 0x20), 2);
    CHECK_INT(BYTE_OFFSET((PVOID)0x1ff0), 0xff0);
    return t_done();
}
