/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A WDK-style driver source that uses every MSVC-ism and WDK idiom openwsk's headers accept:
 * pragmas, SAL, role typedefs, pool tags, SEH shims, nameless unions, L"" strings. It is only
 * compiled (with the pkg-config cflags and -Wall -Wextra -Werror), never linked or run. */

#pragma warning(push)
#pragma warning(disable : 4201) // nameless struct/union
#pragma warning(disable : 4214) // bit field types other than int
#include <ntddk.h>
#include <ntstrsafe.h>
#pragma warning(pop)

#pragma comment(lib, "Netio.lib")

#define KS_POOL_TAG 'kSsK'
#define KS_POOL_TAG_2 ' KSW'

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD KsUnload;
KSTART_ROUTINE KsWorkerThread;
IO_COMPLETION_ROUTINE KsCompletion;
DRIVER_DISPATCH KsDispatchCreateClose;
KDEFERRED_ROUTINE KsDpcRoutine;
IO_WORKITEM_ROUTINE KsWorkItem;

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, KsUnload)
#pragma alloc_text(PAGE, KsWorkerThread)
#endif

typedef struct _KS_CONTEXT {
    LIST_ENTRY Link;
    union {
        ULONG Flags;
        struct {
            ULONG Started : 1;
            ULONG Stopping : 1;
            ULONG Reserved : 30;
        } DUMMYSTRUCTNAME;
    } DUMMYUNIONNAME;
    KEVENT CompletionEvent;
    SLIST_ENTRY WorkEntry;
    PETHREAD Thread;
    volatile LONG Refs;
} KS_CONTEXT, *PKS_CONTEXT;

C_ASSERT(FIELD_OFFSET(KS_CONTEXT, Link) == 0);
C_ASSERT(sizeof(KS_POOL_TAG) == sizeof(int));

static SLIST_HEADER g_WorkList;
static KSPIN_LOCK g_Lock;
static PDEVICE_OBJECT g_Device;
static UNICODE_STRING g_DeviceName = RTL_CONSTANT_STRING(L"\\Device\\KitchenSink");
static UNICODE_STRING g_LinkName = RTL_CONSTANT_STRING(L"\\DosDevices\\KitchenSink");
static ANSI_STRING g_AnsiName = RTL_CONSTANT_STRING("kitchen-sink");

FORCEINLINE
PKS_CONTEXT
KsContextFromWorkEntry(_In_ PSLIST_ENTRY Entry)
{
    return CONTAINING_RECORD(Entry, KS_CONTEXT, WorkEntry);
}

_Use_decl_annotations_
NTSTATUS
KsCompletion(PDEVICE_OBJECT Reserved, PIRP Irp, PVOID Context)
{
    PKEVENT event = (PKEVENT)Context;

    UNREFERENCED_PARAMETER(Reserved);
    if (Irp->PendingReturned && Irp->Tail.Overlay.CurrentStackLocation != NULL) {
        KdPrint(("KitchenSink: pending IRP %p\n", Irp));
    }
    KeSetEvent(event, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

_Use_decl_annotations_
VOID
KsDpcRoutine(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    InterlockedIncrement(&((PKS_CONTEXT)DeferredContext)->Refs);
}

_Use_decl_annotations_
VOID
KsWorkItem(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    InterlockedDecrement(&((PKS_CONTEXT)Context)->Refs);
}

_Use_decl_annotations_
VOID
KsWorkerThread(PVOID StartContext)
{
    PSLIST_ENTRY entry;
    LARGE_INTEGER timeout;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(StartContext);

    timeout.QuadPart = -10 * 1000 * 10; // 10 ms, relative
    while ((entry = InterlockedFlushSList(&g_WorkList)) != NULL) {
        PKS_CONTEXT ctx = KsContextFromWorkEntry(entry);
        ctx->Stopping = 1;
        (VOID)KeWaitForSingleObject(&ctx->CompletionEvent, Executive, KernelMode, FALSE,
                                    &timeout);
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

_Use_decl_annotations_
NTSTATUS
KsDispatchCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);

    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = stack->MajorFunction == IRP_MJ_CREATE ? STATUS_SUCCESS
                                                                 : STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static NTSTATUS
KsProbeBuffer(_In_reads_bytes_(Length) PVOID Buffer, _In_ ULONG Length, _Outptr_ PMDL *Mdl)
{
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);

    *Mdl = NULL;
    if (mdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    if (!NT_SUCCESS(status)) {
        IoFreeMdl(mdl);
        return status;
    }
    *Mdl = mdl;
    return STATUS_SUCCESS;
}

static NTSTATUS
KsSendIrp(_In_ PKS_CONTEXT Ctx, _In_ PMDL Mdl)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    PVOID va;
    NTSTATUS status;

    if (irp == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    va = MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority | MdlMappingNoExecute);
    if (va == NULL) {
        IoFreeIrp(irp);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    KeInitializeEvent(&Ctx->CompletionEvent, NotificationEvent, FALSE);
    IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(irp, KsCompletion, &Ctx->CompletionEvent, TRUE, TRUE, TRUE);
    irp->MdlAddress = Mdl;
    status = irp->IoStatus.Status;
    __try {
        if (MmGetMdlByteCount(Mdl) == 0) {
            __leave;
        }
        status = STATUS_PENDING;
    } __finally {
        IoFreeIrp(irp);
    }
    return status;
}

_Use_decl_annotations_
VOID
KsUnload(PDRIVER_OBJECT DriverObject)
{
    PAGED_CODE();
    UNREFERENCED_PARAMETER(DriverObject);
    IoDeleteSymbolicLink(&g_LinkName);
    if (g_Device != NULL) {
        IoDeleteDevice(g_Device);
    }
}

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NTSTATUS status;
    PKS_CONTEXT ctx;
    HANDLE thread;
    KIRQL oldIrql;
    KLOCK_QUEUE_HANDLE lockHandle;
    PMDL mdl = NULL;
    CHAR text[64];
    size_t length = 0;
    RTL_OSVERSIONINFOW version = {0};
    UCHAR buffer[32];
    OBJECT_ATTRIBUTES attributes;
    PVOID threadObject = NULL;

    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeDriverRuntime(DrvRtPoolNxOptIn);

    version.dwOSVersionInfoSize = sizeof(version);
    status = RtlGetVersion(&version);
    if (!NT_SUCCESS(status) || version.dwMajorVersion < 10) {
        return STATUS_NOT_SUPPORTED;
    }

    DriverObject->DriverUnload = KsUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = KsDispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = KsDispatchCreateClose;

    status = IoCreateDevice(DriverObject, 0, &g_DeviceName, FILE_DEVICE_NETWORK,
                            FILE_DEVICE_SECURE_OPEN, FALSE, &g_Device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    ClearFlag(g_Device->Flags, DO_DEVICE_INITIALIZING);
    status = IoCreateSymbolicLink(&g_LinkName, &g_DeviceName);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(g_Device);
        return status;
    }

    ctx = (PKS_CONTEXT)ExAllocatePoolZero(NonPagedPoolNx, sizeof(*ctx), KS_POOL_TAG);
    if (ctx == NULL) {
        KsUnload(DriverObject);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    InitializeListHead(&ctx->Link);
    ctx->Started = 1;
    InitializeSListHead(&g_WorkList);
    KeInitializeSpinLock(&g_Lock);

    KeAcquireSpinLock(&g_Lock, &oldIrql);
    (VOID)InterlockedPushEntrySList(&g_WorkList, &ctx->WorkEntry);
    KeReleaseSpinLock(&g_Lock, oldIrql);
    KeAcquireInStackQueuedSpinLock(&g_Lock, &lockHandle);
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    RtlZeroMemory(buffer, sizeof(buffer));
    status = KsProbeBuffer(buffer, sizeof(buffer), &mdl);
    if (NT_SUCCESS(status)) {
        status = KsSendIrp(ctx, mdl);
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
    }

    status = RtlStringCbPrintfA(text, sizeof(text), "%s: %I64d %Z", "ks", (LONGLONG)1,
                                &g_AnsiName);
    if (NT_SUCCESS(status)) {
        status = RtlStringCbLengthA(text, sizeof(text), &length);
    }
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "KitchenSink: %s (%Iu)\n", text, length);

    InitializeObjectAttributes(&attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    status = PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, &attributes, NULL, NULL,
                                  KsWorkerThread, ctx);
    if (NT_SUCCESS(status)) {
        status = ObReferenceObjectByHandle(thread, THREAD_ALL_ACCESS, *PsThreadType, KernelMode,
                                           &threadObject, NULL);
        ZwClose(thread);
        if (NT_SUCCESS(status)) {
            ctx->Thread = (PETHREAD)threadObject;
            KeWaitForSingleObject(ctx->Thread, Executive, KernelMode, FALSE, NULL);
            ObDereferenceObject(ctx->Thread);
        }
    }

    ExFreePoolWithTag(ctx, KS_POOL_TAG);
    NT_ASSERT(KeGetCurrentIrql() == PASSIVE_LEVEL);
    return STATUS_SUCCESS;
}

// A second tag spelled with a leading space, as WSK samples do, used once so it is checked.
ULONG KsSecondTag(VOID);
ULONG
KsSecondTag(VOID)
{
    return (ULONG)KS_POOL_TAG_2;
}
