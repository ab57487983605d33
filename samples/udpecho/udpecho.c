// SPDX-License-Identifier: LGPL-2.1-or-later
//
// udpecho: a Winsock Kernel UDP echo driver, written against the documented WDK DDIs only.
//
// One dual-stack datagram socket (AF_INET6 with IPV6_V6ONLY cleared, so IPv4 peers arrive as
// v4-mapped addresses) is bound to [::]:Port, where Port comes from the Parameters key of the
// driver's registry path (REG_DWORD, default 40007, 0 = let the transport pick one).
//
// Datagrams arrive through WskReceiveFromEvent. Each one is sent straight back to its sender
// with WskSendTo, using the provider's own buffer: no copy. While a send is in flight the
// driver keeps the indication (the callback returns STATUS_PENDING) and hands it back with
// WskRelease once every send of that indication list has completed.
//
// Unload disables the callback, waits for the sends still in flight, then closes the socket
// and deregisters, so nothing is left behind.
//
// UDP may drop, but this driver never drops quietly: a datagram it cannot echo (no memory, no
// IRP, or a WskSendTo that fails) is counted in Dropped and the first such drop is logged
// with its cause. Only the transport's own buffer overflows go unseen here.
//
#include <ntddk.h>
#include <wsk.h>

#define UDPECHO_DEFAULT_PORT 40007
#define UDPECHO_TAG 'ohEU'              // shows as "UEho" in pool dumps
#define UDPECHO_CAPTURE_WAIT_MS 10000   // bounded: DriverEntry must not wait forever
#define UDPECHO_RECEIVE_BUFFER (1024 * 1024) // room for bursts from many clients at once

// One indication list handed to us by WskReceiveFromEvent, kept until its sends are done.
typedef struct _UDPECHO_LIST {
    PWSK_DATAGRAM_INDICATION Head;
    volatile LONG Pending;              // sends in flight + 1 while the callback runs
} UDPECHO_LIST, *PUDPECHO_LIST;

// One WskSendTo in flight: the echo of one datagram.
typedef struct _UDPECHO_SEND {
    PIRP Irp;
    WSK_BUF Buffer;                     // the provider's buffer, sent as it was received
    PUDPECHO_LIST List;
} UDPECHO_SEND, *PUDPECHO_SEND;

typedef struct _UDPECHO_SYNC_IRP {
    PIRP Irp;
    KEVENT Event;
} UDPECHO_SYNC_IRP, *PUDPECHO_SYNC_IRP;

// Driver-wide state. Set up by DriverEntry; the counters are updated with interlocked calls.
typedef struct _UDPECHO_GLOBALS {
    WSK_REGISTRATION Registration;
    WSK_PROVIDER_NPI ProviderNpi;
    BOOLEAN Registered;
    BOOLEAN NpiCaptured;
    PWSK_SOCKET Socket;
    UDPECHO_SYNC_IRP ControlIrp;        // set-up and teardown calls, PASSIVE_LEVEL only
    ULONG Port;
    ULONG BoundPort;
    volatile LONG InFlight;             // sends not yet completed
    volatile LONG Stopping;
    KEVENT IdleEvent;                   // set when Stopping and InFlight drops to 0
    volatile LONG64 Echoed;
    volatile LONG64 Dropped;            // could not be echoed (see UdpEchoDrop)
    volatile LONG64 Ignored;            // arrived while stopping
    volatile LONG DropLogged;           // the first drop has been logged
} UDPECHO_GLOBALS;

static UDPECHO_GLOBALS UdpEcho;

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD UdpEchoUnload;
static IO_COMPLETION_ROUTINE UdpEchoSyncCompletion;
static IO_COMPLETION_ROUTINE UdpEchoSendCompletion;

_Must_inspect_result_
static NTSTATUS WSKAPI UdpEchoReceiveFromEvent(
    _In_opt_ PVOID SocketContext,
    _In_ ULONG Flags,
    _In_opt_ PWSK_DATAGRAM_INDICATION DataIndication);

static const WSK_CLIENT_DISPATCH UdpEchoClientDispatch = {
    MAKE_WSK_VERSION(1, 0),
    0,
    NULL
};

static const WSK_CLIENT_DATAGRAM_DISPATCH UdpEchoDatagramDispatch = {
    UdpEchoReceiveFromEvent
};

//
// Registry parameters
//

// Reads <RegistryPath>\Parameters\Port. Anything missing or malformed means the default.
static VOID
UdpEchoReadParameters(
    _In_ PUNICODE_STRING RegistryPath)
{
    static const WCHAR suffix[] = L"\\Parameters";
    ULONG buffer[(sizeof(KEY_VALUE_PARTIAL_INFORMATION) + sizeof(ULONG)) / sizeof(ULONG) + 1];
    PKEY_VALUE_PARTIAL_INFORMATION info = (PKEY_VALUE_PARTIAL_INFORMATION)buffer;
    UNICODE_STRING path;
    UNICODE_STRING valueName;
    OBJECT_ATTRIBUTES attributes;
    HANDLE key;
    ULONG resultLength;
    ULONG value;
    NTSTATUS status;

    UdpEcho.Port = UDPECHO_DEFAULT_PORT;
    path.Length = 0;
    path.MaximumLength = (USHORT)(RegistryPath->Length + sizeof(suffix));
    path.Buffer = (PWCH)ExAllocatePool2(POOL_FLAG_PAGED, path.MaximumLength, UDPECHO_TAG);
    if (path.Buffer == NULL) {
        return;
    }
    RtlCopyUnicodeString(&path, RegistryPath);
    status = RtlAppendUnicodeToString(&path, suffix);
    if (NT_SUCCESS(status)) {
        InitializeObjectAttributes(&attributes, &path, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE,
                                   NULL, NULL);
        status = ZwOpenKey(&key, KEY_READ, &attributes);
        if (NT_SUCCESS(status)) {
            RtlInitUnicodeString(&valueName, L"Port");
            status = ZwQueryValueKey(key, &valueName, KeyValuePartialInformation, info,
                                     sizeof(buffer), &resultLength);
            if (NT_SUCCESS(status) && info->Type == REG_DWORD &&
                info->DataLength == sizeof(ULONG)) {
                RtlCopyMemory(&value, info->Data, sizeof(value));
                if (value <= 65535) {
                    UdpEcho.Port = value;
                }
            }
            ZwClose(key);
        }
    }
    ExFreePoolWithTag(path.Buffer, UDPECHO_TAG);
}

//
// Synchronous calls for set-up and teardown (PASSIVE_LEVEL)
//

static NTSTATUS
UdpEchoSyncCompletion(
    _In_ PDEVICE_OBJECT Reserved,
    _In_ PIRP Irp,
    _In_reads_opt_(_Inexpressible_("varies")) PVOID Context)
{
    UNREFERENCED_PARAMETER(Reserved);
    UNREFERENCED_PARAMETER(Irp);

    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    // The IRP belongs to this driver: stop the I/O manager from touching it further.
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static PIRP
UdpEchoSyncIrpArm(
    _Inout_ PUDPECHO_SYNC_IRP Sync)
{
    IoReuseIrp(Sync->Irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(Sync->Irp, UdpEchoSyncCompletion, &Sync->Event, TRUE, TRUE, TRUE);
    return Sync->Irp;
}

// WSK completes the IRP in every case; STATUS_PENDING means "later", so wait for it then.
static NTSTATUS
UdpEchoSyncIrpWait(
    _Inout_ PUDPECHO_SYNC_IRP Sync,
    _In_ NTSTATUS Status)
{
    if (Status == STATUS_PENDING) {
        KeWaitForSingleObject(&Sync->Event, Executive, KernelMode, FALSE, NULL);
        return Sync->Irp->IoStatus.Status;
    }
    KeClearEvent(&Sync->Event);
    return Status;
}

//
// The data path (provider thread, DISPATCH_LEVEL)
//

// Counts a datagram we could not echo. The first one is logged with its cause, the rest
// only counted: a failing send path would otherwise flood the log at line rate.
static VOID
UdpEchoDrop(
    _In_z_ const CHAR *Cause,
    _In_ NTSTATUS Status)
{
    InterlockedIncrement64(&UdpEcho.Dropped);
    if (InterlockedCompareExchange(&UdpEcho.DropLogged, 1, 0) == 0) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "dropped a datagram: %s (0x%08X); further drops are only counted\n",
                   Cause, Status);
    }
}

// Drops one reference on an indication list; the last one returns it to the provider.
static VOID
UdpEchoListRelease(
    _In_ PUDPECHO_LIST List)
{
    if (InterlockedDecrement(&List->Pending) == 0) {
        PWSK_PROVIDER_DATAGRAM_DISPATCH dispatch =
            (PWSK_PROVIDER_DATAGRAM_DISPATCH)UdpEcho.Socket->Dispatch;

        dispatch->WskRelease(UdpEcho.Socket, List->Head);
        ExFreePoolWithTag(List, UDPECHO_TAG);
    }
}

static VOID
UdpEchoSendDone(VOID)
{
    // Unload waits for the last send before it closes the socket. Both sides use full
    // barriers (interlocked calls): Stop sets Stopping then reads InFlight, we decrement
    // InFlight then read Stopping, so at least one of us sees the other and no wake-up is lost.
    if (InterlockedDecrement(&UdpEcho.InFlight) == 0 &&
        InterlockedCompareExchange(&UdpEcho.Stopping, 0, 0) != 0) {
        KeSetEvent(&UdpEcho.IdleEvent, IO_NO_INCREMENT, FALSE);
    }
}

static NTSTATUS
UdpEchoSendCompletion(
    _In_ PDEVICE_OBJECT Reserved,
    _In_ PIRP Irp,
    _In_reads_opt_(_Inexpressible_("varies")) PVOID Context)
{
    PUDPECHO_SEND send = (PUDPECHO_SEND)Context;

    UNREFERENCED_PARAMETER(Reserved);

    if (NT_SUCCESS(Irp->IoStatus.Status)) {
        InterlockedIncrement64(&UdpEcho.Echoed);
    } else {
        UdpEchoDrop("WskSendTo failed", Irp->IoStatus.Status);
    }
    UdpEchoListRelease(send->List);
    IoFreeIrp(Irp);
    ExFreePoolWithTag(send, UDPECHO_TAG);
    UdpEchoSendDone();
    return STATUS_MORE_PROCESSING_REQUIRED;
}

// Sends one datagram back where it came from. FALSE (and counted as dropped) if it could not
// even be started.
static BOOLEAN
UdpEchoStartSend(
    _In_ PUDPECHO_LIST List,
    _In_ PWSK_DATAGRAM_INDICATION Datagram)
{
    PWSK_PROVIDER_DATAGRAM_DISPATCH dispatch =
        (PWSK_PROVIDER_DATAGRAM_DISPATCH)UdpEcho.Socket->Dispatch;
    PUDPECHO_SEND send;

    send = (PUDPECHO_SEND)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*send), UDPECHO_TAG);
    if (send == NULL) {
        UdpEchoDrop("no memory for the send context", STATUS_INSUFFICIENT_RESOURCES);
        return FALSE;
    }
    send->Irp = IoAllocateIrp(1, FALSE);
    if (send->Irp == NULL) {
        ExFreePoolWithTag(send, UDPECHO_TAG);
        UdpEchoDrop("no IRP for the send", STATUS_INSUFFICIENT_RESOURCES);
        return FALSE;
    }
    send->Buffer = Datagram->Buffer;
    send->List = List;
    InterlockedIncrement(&List->Pending);
    InterlockedIncrement(&UdpEcho.InFlight);
    IoSetCompletionRoutine(send->Irp, UdpEchoSendCompletion, send, TRUE, TRUE, TRUE);
    // The completion routine runs whatever the outcome, possibly before this call returns.
    (VOID)dispatch->WskSendTo(UdpEcho.Socket, &send->Buffer, 0, Datagram->RemoteAddress, 0,
                              NULL, send->Irp);
    return TRUE;
}

// Called by the provider, at up to DISPATCH_LEVEL, with one or more received datagrams.
_Must_inspect_result_
static NTSTATUS WSKAPI
UdpEchoReceiveFromEvent(
    _In_opt_ PVOID SocketContext,
    _In_ ULONG Flags,
    _In_opt_ PWSK_DATAGRAM_INDICATION DataIndication)
{
    PWSK_DATAGRAM_INDICATION datagram;
    PUDPECHO_LIST list;

    UNREFERENCED_PARAMETER(SocketContext);
    UNREFERENCED_PARAMETER(Flags);

    // NULL: the socket is no longer functional. Unload closes it; nothing to keep here.
    if (DataIndication == NULL) {
        return STATUS_SUCCESS;
    }
    // Unloading: not echoed, but counted (the stop line reports them).
    if (ReadNoFence(&UdpEcho.Stopping)) {
        for (datagram = DataIndication; datagram != NULL; datagram = datagram->Next) {
            InterlockedIncrement64(&UdpEcho.Ignored);
        }
        return STATUS_SUCCESS;
    }
    list = (PUDPECHO_LIST)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*list), UDPECHO_TAG);
    if (list == NULL) {
        // UDP may drop; the provider takes the buffers back. Every datagram of the list counts.
        for (datagram = DataIndication; datagram != NULL; datagram = datagram->Next) {
            UdpEchoDrop("no memory for the indication list", STATUS_INSUFFICIENT_RESOURCES);
        }
        return STATUS_SUCCESS;
    }
    list->Head = DataIndication;
    list->Pending = 1;                  // our own reference while we are still in here

    for (datagram = DataIndication; datagram != NULL; datagram = datagram->Next) {
        (VOID)UdpEchoStartSend(list, datagram);
    }

    // Every send already completed (the usual case on an idle link): nothing to retain.
    if (InterlockedDecrement(&list->Pending) == 0) {
        ExFreePoolWithTag(list, UDPECHO_TAG);
        return STATUS_SUCCESS;
    }
    // Some sends still use the provider's buffers: keep them until the last one completes,
    // which calls WskRelease. (The provider runs this socket's completions on the same
    // thread as this callback, so none of them can release the list before we return.)
    return STATUS_PENDING;
}

//
// Set-up and teardown (PASSIVE_LEVEL)
//

static NTSTATUS
UdpEchoSetOption(
    _In_ ULONG Level,
    _In_ ULONG Option,
    _In_ ULONG Value)
{
    PWSK_PROVIDER_DATAGRAM_DISPATCH dispatch =
        (PWSK_PROVIDER_DATAGRAM_DISPATCH)UdpEcho.Socket->Dispatch;
    NTSTATUS status;

    status = dispatch->WskControlSocket(UdpEcho.Socket, WskSetOption, Option, Level,
                                        sizeof(Value), &Value, 0, NULL, NULL,
                                        UdpEchoSyncIrpArm(&UdpEcho.ControlIrp));
    return UdpEchoSyncIrpWait(&UdpEcho.ControlIrp, status);
}

static NTSTATUS
UdpEchoStart(VOID)
{
    PWSK_PROVIDER_DATAGRAM_DISPATCH dispatch;
    WSK_EVENT_CALLBACK_CONTROL callbacks;
    SOCKADDR_IN6 address;
    NTSTATUS status;

    status = WskCaptureProviderNPI(&UdpEcho.Registration, UDPECHO_CAPTURE_WAIT_MS,
                                   &UdpEcho.ProviderNpi);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "WskCaptureProviderNPI failed with 0x%08X\n", status);
        return status;
    }
    UdpEcho.NpiCaptured = TRUE;

    status = UdpEcho.ProviderNpi.Dispatch->WskSocket(
        UdpEcho.ProviderNpi.Client, AF_INET6, SOCK_DGRAM, IPPROTO_UDP,
        WSK_FLAG_DATAGRAM_SOCKET, NULL, &UdpEchoDatagramDispatch, NULL, NULL, NULL,
        UdpEchoSyncIrpArm(&UdpEcho.ControlIrp));
    status = UdpEchoSyncIrpWait(&UdpEcho.ControlIrp, status);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "WskSocket failed with 0x%08X\n", status);
        return status;
    }
    UdpEcho.Socket = (PWSK_SOCKET)UdpEcho.ControlIrp.Irp->IoStatus.Information;
    dispatch = (PWSK_PROVIDER_DATAGRAM_DISPATCH)UdpEcho.Socket->Dispatch;

    // Windows sockets default to IPv6 only; clearing it before bind serves IPv4 as well.
    status = UdpEchoSetOption(IPPROTO_IPV6, IPV6_V6ONLY, 0);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "clearing IPV6_V6ONLY failed with 0x%08X\n", status);
        return status;
    }

    // UDP drops what does not fit in the receive buffer: give bursts room. Not fatal.
    status = UdpEchoSetOption(SOL_SOCKET, SO_RCVBUF, UDPECHO_RECEIVE_BUFFER);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_WARNING_LEVEL,
                   "setting SO_RCVBUF failed with 0x%08X\n", status);
    }

    RtlZeroMemory(&address, sizeof(address));
    address.sin6_family = AF_INET6;
    address.sin6_port = RtlUshortByteSwap((USHORT)UdpEcho.Port);
    status = dispatch->WskBind(UdpEcho.Socket, (PSOCKADDR)&address, 0,
                               UdpEchoSyncIrpArm(&UdpEcho.ControlIrp));
    status = UdpEchoSyncIrpWait(&UdpEcho.ControlIrp, status);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "binding UDP port %u failed with 0x%08X\n", UdpEcho.Port, status);
        return status;
    }

    // With Port = 0 the transport picked the port: read it back for the start line.
    RtlZeroMemory(&address, sizeof(address));
    status = dispatch->WskGetLocalAddress(UdpEcho.Socket, (PSOCKADDR)&address,
                                          UdpEchoSyncIrpArm(&UdpEcho.ControlIrp));
    status = UdpEchoSyncIrpWait(&UdpEcho.ControlIrp, status);
    UdpEcho.BoundPort = NT_SUCCESS(status) ? RtlUshortByteSwap(address.sin6_port)
                                           : UdpEcho.Port;

    // Datagram callbacks are enabled after bind; enabling takes no IRP.
    callbacks.NpiId = (PNPIID)&NPI_WSK_INTERFACE_ID;
    callbacks.EventMask = WSK_EVENT_RECEIVE_FROM;
    status = dispatch->WskControlSocket(UdpEcho.Socket, WskSetOption, SO_WSK_EVENT_CALLBACK,
                                        SOL_SOCKET, sizeof(callbacks), &callbacks, 0, NULL,
                                        NULL, NULL);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "enabling WskReceiveFromEvent failed with 0x%08X\n", status);
        return status;
    }

    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
               "listening on udp [::]:%u (IPv4 and IPv6)\n", UdpEcho.BoundPort);
    return STATUS_SUCCESS;
}

// Undoes whatever UdpEchoStart got done, in reverse order.
static VOID
UdpEchoStop(VOID)
{
    PWSK_PROVIDER_DATAGRAM_DISPATCH dispatch;
    WSK_EVENT_CALLBACK_CONTROL callbacks;
    LARGE_INTEGER timeout;
    NTSTATUS status;

    InterlockedExchange(&UdpEcho.Stopping, 1);
    if (UdpEcho.Socket != NULL) {
        dispatch = (PWSK_PROVIDER_DATAGRAM_DISPATCH)UdpEcho.Socket->Dispatch;

        // No new datagrams. With an IRP the disable completes once a running callback
        // has returned.
        callbacks.NpiId = (PNPIID)&NPI_WSK_INTERFACE_ID;
        callbacks.EventMask = WSK_EVENT_RECEIVE_FROM | WSK_EVENT_DISABLE;
        status = dispatch->WskControlSocket(UdpEcho.Socket, WskSetOption,
                                            SO_WSK_EVENT_CALLBACK, SOL_SOCKET,
                                            sizeof(callbacks), &callbacks, 0, NULL, NULL,
                                            UdpEchoSyncIrpArm(&UdpEcho.ControlIrp));
        (VOID)UdpEchoSyncIrpWait(&UdpEcho.ControlIrp, status);

        // Sends still in flight hold indications that must be released before the close.
        if (InterlockedCompareExchange(&UdpEcho.InFlight, 0, 0) != 0) {
            timeout.QuadPart = -10LL * 1000 * 1000 * 10;    // 10 s, relative
            (VOID)KeWaitForSingleObject(&UdpEcho.IdleEvent, Executive, KernelMode, FALSE,
                                        &timeout);
        }

        status = dispatch->WskCloseSocket(UdpEcho.Socket,
                                          UdpEchoSyncIrpArm(&UdpEcho.ControlIrp));
        (VOID)UdpEchoSyncIrpWait(&UdpEcho.ControlIrp, status);
        UdpEcho.Socket = NULL;
    }
    if (UdpEcho.NpiCaptured) {
        WskReleaseProviderNPI(&UdpEcho.Registration);
        UdpEcho.NpiCaptured = FALSE;
    }
    if (UdpEcho.Registered) {
        WskDeregister(&UdpEcho.Registration);
        UdpEcho.Registered = FALSE;
    }
    if (UdpEcho.ControlIrp.Irp != NULL) {
        IoFreeIrp(UdpEcho.ControlIrp.Irp);
        UdpEcho.ControlIrp.Irp = NULL;
    }
}

static VOID
UdpEchoUnload(
    _In_ PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);

    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "stopping\n");
    UdpEchoStop();
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
               "stopped (%lld datagrams echoed, %lld dropped, %lld ignored while stopping)\n",
               (long long)ReadNoFence64(&UdpEcho.Echoed),
               (long long)ReadNoFence64(&UdpEcho.Dropped),
               (long long)ReadNoFence64(&UdpEcho.Ignored));
}

NTSTATUS
DriverEntry(
    _In_ PDRIVER_OBJECT DriverObject,
    _In_ PUNICODE_STRING RegistryPath)
{
    WSK_CLIENT_NPI clientNpi;
    NTSTATUS status;

    RtlZeroMemory(&UdpEcho, sizeof(UdpEcho));
    KeInitializeEvent(&UdpEcho.ControlIrp.Event, SynchronizationEvent, FALSE);
    KeInitializeEvent(&UdpEcho.IdleEvent, NotificationEvent, FALSE);
    UdpEchoReadParameters(RegistryPath);

    UdpEcho.ControlIrp.Irp = IoAllocateIrp(1, FALSE);
    if (UdpEcho.ControlIrp.Irp == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    clientNpi.ClientContext = NULL;
    clientNpi.Dispatch = &UdpEchoClientDispatch;
    status = WskRegister(&clientNpi, &UdpEcho.Registration);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "WskRegister failed with 0x%08X\n", status);
        UdpEchoStop();
        return status;
    }
    UdpEcho.Registered = TRUE;

    status = UdpEchoStart();
    if (!NT_SUCCESS(status)) {
        UdpEchoStop();
        return status;
    }

    DriverObject->DriverUnload = UdpEchoUnload;
    return STATUS_SUCCESS;
}
