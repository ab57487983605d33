/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* echosrv: a Winsock Kernel TCP echo server driver in WDK style (our own code, modelled on the
 * behaviour of the WDK's WSK echo sample). One dual-stack listening socket, IRP-based echo with
 * two receives in flight per connection, one worker thread per CPU, limits from the registry.
 * Left out: WPP tracing, conditional accept, re-creating a listener the transport dropped. */

//
// How it fits together
//
// DriverEntry reads the Parameters key, registers with WSK and starts one worker thread per
// active processor. Worker 0 first captures the provider NPI and creates the listener, then
// tells DriverEntry how that went, so a port that is already taken fails the load.
//
// WskAcceptEvent (called by the provider at DISPATCH_LEVEL) only allocates the connection
// context and hands it to a worker. From then on everything a connection does happens on its
// worker: completion routines never call WSK themselves, they push a work entry on the
// worker's SLIST and return STATUS_MORE_PROCESSING_REQUIRED, so the IRP stays ours to reuse.
//
// Each connection owns ECHO_OPS_PER_CONNECTION operations. An operation loops
// receive -> send -> receive on its own buffer. The provider completes receives in the order
// they were posted and the worker issues sends in the order it sees receive completions, which
// keeps the echoed byte stream in order even with two receives outstanding.
//

#include <ntddk.h>
#include <wsk.h>

#define ECHO_TAG_GLOBAL     ((ULONG)'vsce')  // shows as "ecsv" in pool listings
#define ECHO_TAG_CONNECTION ((ULONG)'nCce')  // "ecCn"
#define ECHO_TAG_BUFFER     ((ULONG)'fBce')  // "ecBf"

#define ECHO_DEFAULT_PORT           40007
#define ECHO_DEFAULT_MAX_CONNECTIONS 1024
#define ECHO_DEFAULT_BUFFER_SIZE    4096
#define ECHO_MIN_BUFFER_SIZE        1
#define ECHO_MAX_BUFFER_SIZE        (1024 * 1024)
#define ECHO_OPS_PER_CONNECTION     2
#define ECHO_MAX_WORKERS            64

// How long worker 0 waits for the WSK subsystem to become ready. The documentation advises
// against an infinite wait from DriverEntry, and DriverEntry waits for worker 0.
#define ECHO_CAPTURE_TIMEOUT_MS     10000

// Relative timeouts for KeWaitForSingleObject are negative, in 100 ns units.
#define ECHO_100NS_PER_MS           10000LL
#define ECHO_100NS_PER_SECOND       10000000LL

typedef struct _ECHO_WORKER ECHO_WORKER, *PECHO_WORKER;
typedef struct _ECHO_CONNECTION ECHO_CONNECTION, *PECHO_CONNECTION;

typedef enum _ECHO_WORK_TYPE {
    EchoWorkNewConnection,
    EchoWorkOperationDone,
    EchoWorkDisconnectDone,
    EchoWorkCloseDone
} ECHO_WORK_TYPE;

//
// One entry on a worker's queue. The SLIST_ENTRY comes first: SLIST entries must be aligned
// to MEMORY_ALLOCATION_ALIGNMENT, which pool allocations are.
//
typedef struct _ECHO_WORK {
    SLIST_ENTRY Entry;
    ECHO_WORK_TYPE Type;
    PECHO_WORKER Worker;
    PVOID Context;
} ECHO_WORK, *PECHO_WORK;

typedef enum _ECHO_OP_STATE {
    EchoOpIdle,
    EchoOpReceiving,
    EchoOpSending
} ECHO_OP_STATE;

//
// One echo operation: a buffer described by an MDL and an IRP to move it. The same IRP and
// MDL are reused for every receive and send of the operation (IoReuseIrp), so the data path
// allocates nothing.
//
typedef struct _ECHO_OP {
    ECHO_WORK Work;
    PECHO_CONNECTION Connection;
    PIRP Irp;
    PMDL Mdl;
    PUCHAR Buffer;
    ECHO_OP_STATE State;
} ECHO_OP, *PECHO_OP;

//
// A connection accepted by the listener. Everything in it, except the work entries the
// completion routines push, is touched only by its worker thread, so it needs no lock.
//
struct _ECHO_CONNECTION {
    ECHO_WORK NewWork;
    ECHO_WORK DisconnectWork;
    ECHO_WORK CloseWork;
    ECHO_OP Ops[ECHO_OPS_PER_CONNECTION];
    LIST_ENTRY Link;            // on Worker->Connections; only the worker touches it
    PECHO_WORKER Worker;
    PWSK_SOCKET Socket;
    PIRP DisconnectIrp;
    PIRP CloseIrp;
    ULONGLONG LastActivity;     // KeQueryInterruptTime() of the last data received
    ULONG PendingIrps;          // IRPs handed to WSK whose work entry is not processed yet
    BOOLEAN Disconnecting;
    BOOLEAN Closing;
};

//
// A worker thread and its queue. Completion routines and the accept callback push entries from
// the provider's threads; only the worker pops them. SLISTs are lock-free on Windows and safe
// to use at DISPATCH_LEVEL, which is where completion routines may run.
//
struct _ECHO_WORKER {
    SLIST_HEADER Queue;         // filled by completion routines and WskAcceptEvent
    KEVENT WakeEvent;           // SynchronizationEvent: set when Queue goes non-empty
    LIST_ENTRY Connections;     // this worker's connections; worker thread only
    PETHREAD Thread;
    ULONG Index;
    volatile LONG ConnectionCount; // accepted and not yet freed, including ones still queued
    volatile LONG StopRequested;
    BOOLEAN StopHandled;
};

// An IRP plus the event its completion routine sets: how PASSIVE_LEVEL code waits for a WSK
// call to finish.
typedef struct _ECHO_SYNC_IRP {
    PIRP Irp;
    KEVENT Event;
} ECHO_SYNC_IRP, *PECHO_SYNC_IRP;

//
// Driver-wide state. Written by DriverEntry and worker 0 before the listener exists, read-only
// afterwards except for the interlocked counters.
//
typedef struct _ECHO_GLOBALS {
    WSK_REGISTRATION Registration;
    WSK_PROVIDER_NPI ProviderNpi;
    BOOLEAN Registered;
    BOOLEAN NpiCaptured;
    PWSK_SOCKET ListenSocket;
    ECHO_SYNC_IRP ControlIrp;   // listener set-up and close; PASSIVE_LEVEL callers only

    ULONG Port;
    ULONG BoundPort;
    ULONG MaxConnections;
    ULONG IdleTimeoutSeconds;
    ULONG BufferSize;

    ULONG WorkerCount;
    PECHO_WORKER Workers;
    volatile LONG NextWorker;
    volatile LONG Connections;
    volatile LONG Stopping;
    volatile LONG64 Served;
    volatile LONG64 Rejected;

    KEVENT StartedEvent;
    NTSTATUS StartStatus;
} ECHO_GLOBALS;

static ECHO_GLOBALS Echo;

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD EchoUnload;
static KSTART_ROUTINE EchoWorkerThread;
static IO_COMPLETION_ROUTINE EchoIoCompletion;
static IO_COMPLETION_ROUTINE EchoSyncCompletion;

_Must_inspect_result_
static NTSTATUS WSKAPI EchoAcceptEvent(
    _In_opt_ PVOID SocketContext,
    _In_ ULONG Flags,
    _In_ PSOCKADDR LocalAddress,
    _In_ PSOCKADDR RemoteAddress,
    _In_opt_ PWSK_SOCKET AcceptSocket,
    _Outptr_result_maybenull_ PVOID *AcceptSocketContext,
    _Outptr_result_maybenull_ CONST WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch);

// The client side of the WSK registration: no client-level events are used.
static const WSK_CLIENT_DISPATCH EchoClientDispatch = {
    MAKE_WSK_VERSION(1, 0),
    0,
    NULL
};

// Only WskAcceptEvent is enabled on the listener; accepted sockets use IRPs only.
static const WSK_CLIENT_LISTEN_DISPATCH EchoListenDispatch = {
    EchoAcceptEvent,
    NULL,
    NULL
};

//
// Registry parameters
//

// Returns the REG_DWORD value Name under Key, or Default when it is absent, of another type
// or outside [Minimum, Maximum].
// Values are read once, in DriverEntry; like most drivers, echosrv does not watch its key for
// changes. An INF would provision them with AddReg lines such as
//     HKR,Parameters,Port,0x00010001,40007
// and on openwsk, wskhost --param echosrv:Port=40007 does the same.

static ULONG
EchoQueryDword(
    _In_ HANDLE Key,
    _In_ PCWSTR Name,
    _In_ ULONG Default,
    _In_ ULONG Minimum,
    _In_ ULONG Maximum)
{
    UNICODE_STRING valueName;
    ULONG buffer[(sizeof(KEY_VALUE_PARTIAL_INFORMATION) + sizeof(ULONG)) / sizeof(ULONG) + 1];
    PKEY_VALUE_PARTIAL_INFORMATION info = (PKEY_VALUE_PARTIAL_INFORMATION)buffer;
    ULONG resultLength = 0;
    ULONG value;
    NTSTATUS status;

    RtlInitUnicodeString(&valueName, Name);
    status = ZwQueryValueKey(Key, &valueName, KeyValuePartialInformation, info,
                             sizeof(buffer), &resultLength);
    if (!NT_SUCCESS(status)) {
        return Default;
    }
    if (info->Type != REG_DWORD || info->DataLength != sizeof(ULONG)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "Parameters\\%ws is not a REG_DWORD, using %u\n", Name, Default);
        return Default;
    }
    RtlCopyMemory(&value, info->Data, sizeof(value));
    if (value < Minimum || value > Maximum) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "Parameters\\%ws = %u is outside %u..%u, using %u\n",
                   Name, value, Minimum, Maximum, Default);
        return Default;
    }
    return value;
}

// Reads <RegistryPath>\Parameters. A missing key just means "all defaults".
static VOID
EchoReadParameters(
    _In_ PUNICODE_STRING RegistryPath)
{
    static const WCHAR suffix[] = L"\\Parameters";
    UNICODE_STRING path;
    OBJECT_ATTRIBUTES attributes;
    HANDLE key;
    NTSTATUS status;

    Echo.Port = ECHO_DEFAULT_PORT;
    Echo.MaxConnections = ECHO_DEFAULT_MAX_CONNECTIONS;
    Echo.IdleTimeoutSeconds = 0;
    Echo.BufferSize = ECHO_DEFAULT_BUFFER_SIZE;

    path.Length = 0;
    path.MaximumLength = (USHORT)(RegistryPath->Length + sizeof(suffix));
    path.Buffer = (PWCH)ExAllocatePool2(POOL_FLAG_PAGED, path.MaximumLength, ECHO_TAG_GLOBAL);
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
            // Port 0 asks the transport for an ephemeral port; the start line reports it.
            Echo.Port = EchoQueryDword(key, L"Port", ECHO_DEFAULT_PORT, 0, 65535);
            Echo.MaxConnections = EchoQueryDword(key, L"MaxConnections",
                                                 ECHO_DEFAULT_MAX_CONNECTIONS, 1, 0x7fffffff);
            Echo.IdleTimeoutSeconds = EchoQueryDword(key, L"IdleTimeoutSeconds", 0, 0, 86400);
            Echo.BufferSize = EchoQueryDword(key, L"BufferSize", ECHO_DEFAULT_BUFFER_SIZE,
                                             ECHO_MIN_BUFFER_SIZE, ECHO_MAX_BUFFER_SIZE);
            ZwClose(key);
        }
    }
    ExFreePoolWithTag(path.Buffer, ECHO_TAG_GLOBAL);
}

//
// Synchronous WSK calls (PASSIVE_LEVEL only): the completion routine signals an event and keeps
// the IRP, so the same IRP serves every set-up step.
//

static NTSTATUS
EchoSyncCompletion(
    _In_ PDEVICE_OBJECT DeviceObject,
    _In_ PIRP Irp,
    _In_reads_opt_(_Inexpressible_("varies")) PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);

    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

// Prepares the IRP for another call. IoReuseIrp resets the stack locations and IoStatus;
// IoSetCompletionRoutine fills the next stack location, which the WSK provider will use.
static PIRP
EchoSyncIrpArm(
    _Inout_ PECHO_SYNC_IRP Sync)
{
    IoReuseIrp(Sync->Irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(Sync->Irp, EchoSyncCompletion, &Sync->Event, TRUE, TRUE, TRUE);
    return Sync->Irp;
}

// Turns the return value of a WSK call made with EchoSyncIrpArm() into its final status.
// The provider always completes the IRP, inline (the call returns the final status) or later
// (the call returns STATUS_PENDING).
static NTSTATUS
EchoSyncIrpWait(
    _Inout_ PECHO_SYNC_IRP Sync,
    _In_ NTSTATUS Status)
{
    if (Status == STATUS_PENDING) {
        KeWaitForSingleObject(&Sync->Event, Executive, KernelMode, FALSE, NULL);
        return Sync->Irp->IoStatus.Status;
    }
    // Completed inline: consume the signal so the next call starts unsignalled.
    KeClearEvent(&Sync->Event);
    return Status;
}

//
// The per-connection data path (worker thread, PASSIVE_LEVEL)
//

// Completion routine of every data-path IRP. Runs on the provider's thread at up to
// DISPATCH_LEVEL, so it only queues the work entry for the connection's worker.
static NTSTATUS
EchoIoCompletion(
    _In_ PDEVICE_OBJECT DeviceObject,
    _In_ PIRP Irp,
    _In_reads_opt_(_Inexpressible_("varies")) PVOID Context)
{
    PECHO_WORK work = (PECHO_WORK)Context;

    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);

    // Wake the worker only when the queue was empty: if it was not, an earlier push already
    // signalled the event and the worker has not flushed the queue yet.
    if (InterlockedPushEntrySList(&work->Worker->Queue, &work->Entry) == NULL) {
        KeSetEvent(&work->Worker->WakeEvent, IO_NO_INCREMENT, FALSE);
    }
    return STATUS_MORE_PROCESSING_REQUIRED;
}

// Same as EchoSyncIrpArm for the data path: the completion routine gets the work entry that
// will carry the result to the worker. TRUE, TRUE, TRUE: call it on success, error and cancel.
static VOID
EchoArmIrp(
    _In_ PIRP Irp,
    _In_ PECHO_WORK Work)
{
    IoReuseIrp(Irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(Irp, EchoIoCompletion, Work, TRUE, TRUE, TRUE);
}

// A WSK_SOCKET's Dispatch member points to the provider's function table for the socket's
// category. Accepted sockets are connection-oriented sockets.
static PWSK_PROVIDER_CONNECTION_DISPATCH
EchoConnectionDispatch(
    _In_ PECHO_CONNECTION Connection)
{
    return (PWSK_PROVIDER_CONNECTION_DISPATCH)Connection->Socket->Dispatch;
}

// Posts a receive for up to BufferSize bytes. Without WSK_FLAG_WAITALL the IRP completes as
// soon as any data arrived, with IoStatus.Information = the byte count; a successful
// zero-byte completion means the peer closed its side.
static VOID
EchoPostReceive(
    _Inout_ PECHO_OP Op)
{
    PECHO_CONNECTION connection = Op->Connection;
    WSK_BUF buffer;

    buffer.Mdl = Op->Mdl;
    buffer.Offset = 0;
    buffer.Length = Echo.BufferSize;

    Op->State = EchoOpReceiving;
    connection->PendingIrps++;
    EchoArmIrp(Op->Irp, &Op->Work);
    // The result also arrives through the completion routine, so the return value adds
    // nothing here.
    (VOID)EchoConnectionDispatch(connection)->WskReceive(connection->Socket, &buffer, 0,
                                                         Op->Irp);
}

// Sends back what the receive got. WskSend completes only when every byte was handed to the
// transport, so when this IRP completes the buffer is free for the next receive.
static VOID
EchoPostSend(
    _Inout_ PECHO_OP Op,
    _In_ SIZE_T Length)
{
    PECHO_CONNECTION connection = Op->Connection;
    WSK_BUF buffer;

    buffer.Mdl = Op->Mdl;
    buffer.Offset = 0;
    buffer.Length = Length;

    Op->State = EchoOpSending;
    connection->PendingIrps++;
    EchoArmIrp(Op->Irp, &Op->Work);
    (VOID)EchoConnectionDispatch(connection)->WskSend(connection->Socket, &buffer, 0, Op->Irp);
}

// Closes the socket. A connection that has not been disconnected gracefully in both
// directions is reset by the transport, which is what an error or a timeout calls for. The
// provider completes every pending IRP of the socket before it completes the close IRP.
static VOID
EchoCloseConnection(
    _Inout_ PECHO_CONNECTION Connection)
{
    if (Connection->Closing) {
        return;
    }
    Connection->Closing = TRUE;
    EchoArmIrp(Connection->CloseIrp, &Connection->CloseWork);
    (VOID)EchoConnectionDispatch(Connection)->WskCloseSocket(Connection->Socket,
                                                             Connection->CloseIrp);
}

// The peer finished sending: send our FIN after every queued send, then close.
static VOID
EchoStartDisconnect(
    _Inout_ PECHO_CONNECTION Connection)
{
    if (Connection->Disconnecting || Connection->Closing) {
        return;
    }
    Connection->Disconnecting = TRUE;
    Connection->PendingIrps++;
    EchoArmIrp(Connection->DisconnectIrp, &Connection->DisconnectWork);
    (VOID)EchoConnectionDispatch(Connection)->WskDisconnect(Connection->Socket, NULL, 0,
                                                            Connection->DisconnectIrp);
}

// Frees a connection and everything it allocated. Only called once no IRP of the connection
// can complete any more: after its close completed, or before it was ever used.
static VOID
EchoFreeConnection(
    _In_ __drv_freesMem(Mem) PECHO_CONNECTION Connection)
{
    ULONG i;

    for (i = 0; i < ECHO_OPS_PER_CONNECTION; i++) {
        PECHO_OP op = &Connection->Ops[i];

        if (op->Mdl != NULL) {
            IoFreeMdl(op->Mdl);
        }
        if (op->Buffer != NULL) {
            ExFreePoolWithTag(op->Buffer, ECHO_TAG_BUFFER);
        }
        if (op->Irp != NULL) {
            IoFreeIrp(op->Irp);
        }
    }
    if (Connection->DisconnectIrp != NULL) {
        IoFreeIrp(Connection->DisconnectIrp);
    }
    if (Connection->CloseIrp != NULL) {
        IoFreeIrp(Connection->CloseIrp);
    }
    ExFreePoolWithTag(Connection, ECHO_TAG_CONNECTION);
}

// Allocates a connection with everything its data path needs, so that nothing on the data
// path can fail for lack of memory. Callable at DISPATCH_LEVEL.
static PECHO_CONNECTION
EchoAllocateConnection(
    _In_ PECHO_WORKER Worker)
{
    PECHO_CONNECTION connection;
    ULONG i;

    connection = (PECHO_CONNECTION)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*connection),
                                                   ECHO_TAG_CONNECTION);
    if (connection == NULL) {
        return NULL;
    }
    connection->Worker = Worker;
    connection->NewWork.Type = EchoWorkNewConnection;
    connection->DisconnectWork.Type = EchoWorkDisconnectDone;
    connection->CloseWork.Type = EchoWorkCloseDone;
    connection->NewWork.Worker = connection->DisconnectWork.Worker =
        connection->CloseWork.Worker = Worker;
    connection->NewWork.Context = connection->DisconnectWork.Context =
        connection->CloseWork.Context = connection;

    // One stack location is all the WSK provider needs; FALSE: no quota charge.
    connection->DisconnectIrp = IoAllocateIrp(1, FALSE);
    connection->CloseIrp = IoAllocateIrp(1, FALSE);
    if (connection->DisconnectIrp == NULL || connection->CloseIrp == NULL) {
        goto fail;
    }
    for (i = 0; i < ECHO_OPS_PER_CONNECTION; i++) {
        PECHO_OP op = &connection->Ops[i];

        op->Connection = connection;
        op->Work.Type = EchoWorkOperationDone;
        op->Work.Worker = Worker;
        op->Work.Context = op;
        op->Irp = IoAllocateIrp(1, FALSE);
        op->Buffer = (PUCHAR)ExAllocatePool2(POOL_FLAG_NON_PAGED, Echo.BufferSize,
                                             ECHO_TAG_BUFFER);
        if (op->Irp == NULL || op->Buffer == NULL) {
            goto fail;
        }
        op->Mdl = IoAllocateMdl(op->Buffer, Echo.BufferSize, FALSE, FALSE, NULL);
        if (op->Mdl == NULL) {
            goto fail;
        }
        // Nonpaged pool is always resident: describe its pages without probing and locking.
        MmBuildMdlForNonPagedPool(op->Mdl);
    }
    return connection;

fail:
    EchoFreeConnection(connection);
    return NULL;
}

// The counters go down only when the memory is gone, so unload waits for the last free.
static VOID
EchoConnectionGone(
    _In_ PECHO_WORKER Worker)
{
    InterlockedDecrement(&Worker->ConnectionCount);
    InterlockedDecrement(&Echo.Connections);
}

// An operation's IRP completed: look at the result and start the next step. The IRP is still
// ours (the completion routine returned STATUS_MORE_PROCESSING_REQUIRED), so reading its
// IoStatus here is safe.
static VOID
EchoProcessOperation(
    _Inout_ PECHO_OP Op)
{
    PECHO_CONNECTION connection = Op->Connection;
    NTSTATUS status = Op->Irp->IoStatus.Status;
    SIZE_T bytes = Op->Irp->IoStatus.Information;
    ECHO_OP_STATE finished = Op->State;

    connection->PendingIrps--;
    Op->State = EchoOpIdle;
    if (connection->Closing) {
        return;
    }

    if (!NT_SUCCESS(status)) {
        // Resets and cancellations are ordinary for a server; only the trace level shows them.
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_TRACE_LEVEL,
                   "%s failed with 0x%08X, closing the connection\n",
                   finished == EchoOpReceiving ? "WskReceive" : "WskSend", status);
        EchoCloseConnection(connection);
        return;
    }

    if (finished == EchoOpReceiving) {
        if (bytes == 0) {
            // A successful zero-byte receive is the peer's graceful disconnect. With two
            // receives posted both complete this way; the second one finds Disconnecting set.
            EchoStartDisconnect(connection);
            return;
        }
        connection->LastActivity = KeQueryInterruptTime();
        EchoPostSend(Op, bytes);
    } else if (finished == EchoOpSending) {
        if (!connection->Disconnecting) {
            EchoPostReceive(Op);
        }
    }
}

// One queued work entry, on the worker thread at PASSIVE_LEVEL.
static VOID
EchoProcessWork(
    _In_ PECHO_WORKER Worker,
    _In_ PECHO_WORK Work)
{
    PECHO_CONNECTION connection;
    ULONG i;

    switch (Work->Type) {
    case EchoWorkNewConnection:
        connection = (PECHO_CONNECTION)Work->Context;
        InsertTailList(&Worker->Connections, &connection->Link);
        connection->LastActivity = KeQueryInterruptTime();
        if (Worker->StopRequested) {
            EchoCloseConnection(connection);
            break;
        }
        for (i = 0; i < ECHO_OPS_PER_CONNECTION; i++) {
            EchoPostReceive(&connection->Ops[i]);
        }
        break;

    case EchoWorkOperationDone:
        EchoProcessOperation((PECHO_OP)Work->Context);
        break;

    case EchoWorkDisconnectDone:
        connection = (PECHO_CONNECTION)Work->Context;
        connection->PendingIrps--;
        // Whatever the outcome, the connection is finished.
        EchoCloseConnection(connection);
        break;

    case EchoWorkCloseDone:
        connection = (PECHO_CONNECTION)Work->Context;
        RemoveEntryList(&connection->Link);
        if (connection->PendingIrps != 0) {
            // The close contract says every IRP completed before the close did. Keep the
            // memory rather than free it under an IRP the provider may still complete.
            DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                       "close completed with %u IRPs outstanding; leaking the "
                       "connection\n", connection->PendingIrps);
        } else {
            EchoFreeConnection(connection);
        }
        EchoConnectionGone(Worker);
        break;
    }
}

// Runs every queued work entry in the order it was queued. The SLIST is LIFO, so the flushed
// chain is reversed first: completion order is what keeps the echoed bytes in order.
static VOID
EchoDrainQueue(
    _In_ PECHO_WORKER Worker)
{
    PSLIST_ENTRY entry = InterlockedFlushSList(&Worker->Queue);
    PSLIST_ENTRY fifo = NULL;

    while (entry != NULL) {
        PSLIST_ENTRY next = entry->Next;

        entry->Next = fifo;
        fifo = entry;
        entry = next;
    }
    while (fifo != NULL) {
        PSLIST_ENTRY next = fifo->Next;

        EchoProcessWork(Worker, CONTAINING_RECORD(fifo, ECHO_WORK, Entry));
        fifo = next;
    }
}

// Abortively closes connections that received nothing for IdleTimeoutSeconds.
static VOID
EchoCloseIdleConnections(
    _In_ PECHO_WORKER Worker)
{
    ULONGLONG now = KeQueryInterruptTime();
    ULONGLONG limit = (ULONGLONG)Echo.IdleTimeoutSeconds * ECHO_100NS_PER_SECOND;
    PLIST_ENTRY link;

    for (link = Worker->Connections.Flink; link != &Worker->Connections; link = link->Flink) {
        PECHO_CONNECTION connection = CONTAINING_RECORD(link, ECHO_CONNECTION, Link);

        if (!connection->Closing && now - connection->LastActivity >= limit) {
            DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL,
                       "closing a connection idle for %u s\n",
                       Echo.IdleTimeoutSeconds);
            // Closing does not unlink the connection: that waits for the close completion.
            EchoCloseConnection(connection);
        }
    }
}

//
// Listener set-up (worker 0) and the accept callback
//

// WskControlSocket with WskSetOption: Level and option number are the Windows values
// (IPPROTO_IPV6, IPV6_V6ONLY), whatever the underlying stack uses.
static NTSTATUS
EchoSetOption(
    _In_ PWSK_SOCKET Socket,
    _In_ ULONG Level,
    _In_ ULONG Option,
    _In_ ULONG Value)
{
    PWSK_PROVIDER_LISTEN_DISPATCH dispatch = (PWSK_PROVIDER_LISTEN_DISPATCH)Socket->Dispatch;
    NTSTATUS status;

    status = dispatch->WskControlSocket(Socket, WskSetOption, Option, Level, sizeof(Value),
                                        &Value, 0, NULL, NULL, EchoSyncIrpArm(&Echo.ControlIrp));
    return EchoSyncIrpWait(&Echo.ControlIrp, status);
}

// Worker 0, once, at PASSIVE_LEVEL: capture the provider NPI, then create, configure and bind
// the listening socket. Every step is a synchronous IRP-based call on Echo.ControlIrp.
static NTSTATUS
EchoStartListening(VOID)
{
    WSK_EVENT_CALLBACK_CONTROL callbacks;
    BOOLEAN staticCallbacks;
    PWSK_PROVIDER_LISTEN_DISPATCH dispatch;
    SOCKADDR_IN6 address;
    NTSTATUS status;

    status = WskCaptureProviderNPI(&Echo.Registration, ECHO_CAPTURE_TIMEOUT_MS,
                                   &Echo.ProviderNpi);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "WskCaptureProviderNPI failed with 0x%08X\n", status);
        return status;
    }
    Echo.NpiCaptured = TRUE;

    // Static event callbacks must be set before the first socket exists. Every listening
    // socket then gets WskAcceptEvent enabled as soon as it is bound. If the provider
    // refuses, fall back to enabling the callback on the socket after the bind.
    callbacks.NpiId = &NPI_WSK_INTERFACE_ID;
    callbacks.EventMask = WSK_EVENT_ACCEPT;
    status = Echo.ProviderNpi.Dispatch->WskControlClient(Echo.ProviderNpi.Client,
                                                         WSK_SET_STATIC_EVENT_CALLBACKS,
                                                         sizeof(callbacks), &callbacks,
                                                         0, NULL, NULL, NULL);
    staticCallbacks = NT_SUCCESS(status);

    status = Echo.ProviderNpi.Dispatch->WskSocket(Echo.ProviderNpi.Client, AF_INET6,
                                                  SOCK_STREAM, IPPROTO_TCP,
                                                  WSK_FLAG_LISTEN_SOCKET, &Echo,
                                                  &EchoListenDispatch, NULL, NULL, NULL,
                                                  EchoSyncIrpArm(&Echo.ControlIrp));
    status = EchoSyncIrpWait(&Echo.ControlIrp, status);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "WskSocket failed with 0x%08X\n", status);
        return status;
    }
    // A successful WskSocket returns the new socket in IoStatus.Information.
    Echo.ListenSocket = (PWSK_SOCKET)Echo.ControlIrp.Irp->IoStatus.Information;
    dispatch = (PWSK_PROVIDER_LISTEN_DISPATCH)Echo.ListenSocket->Dispatch;

    // One socket for both families: IPv4 clients arrive as v4-mapped IPv6 addresses.
    status = EchoSetOption(Echo.ListenSocket, IPPROTO_IPV6, IPV6_V6ONLY, 0);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "clearing IPV6_V6ONLY failed with 0x%08X\n", status);
        return status;
    }

    // WSK takes the port in network byte order, as sockets do everywhere.
    RtlZeroMemory(&address, sizeof(address));   // in6addr_any, scope 0
    address.sin6_family = AF_INET6;
    address.sin6_port = RtlUshortByteSwap((USHORT)Echo.Port);
    status = dispatch->WskBind(Echo.ListenSocket, (PSOCKADDR)&address, 0,
                               EchoSyncIrpArm(&Echo.ControlIrp));
    status = EchoSyncIrpWait(&Echo.ControlIrp, status);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "cannot listen on [::]:%u: WskBind failed with 0x%08X\n",
                   Echo.Port, status);
        return status;
    }

    if (!staticCallbacks) {
        status = dispatch->WskControlSocket(Echo.ListenSocket, WskSetOption,
                                            SO_WSK_EVENT_CALLBACK, SOL_SOCKET,
                                            sizeof(callbacks), &callbacks, 0, NULL, NULL,
                                            NULL);
        if (!NT_SUCCESS(status)) {
            DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                       "enabling WskAcceptEvent failed with 0x%08X\n", status);
            return status;
        }
    }

    // Read the port back: with Port = 0 the transport picked one.
    RtlZeroMemory(&address, sizeof(address));
    status = dispatch->WskGetLocalAddress(Echo.ListenSocket, (PSOCKADDR)&address,
                                          EchoSyncIrpArm(&Echo.ControlIrp));
    status = EchoSyncIrpWait(&Echo.ControlIrp, status);
    Echo.BoundPort = NT_SUCCESS(status) ? RtlUshortByteSwap(address.sin6_port) : Echo.Port;

    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
               "listening on [::]:%u (IPv4 and IPv6; MaxConnections %u, "
               "IdleTimeoutSeconds %u, BufferSize %u, %u workers)\n",
               Echo.BoundPort, Echo.MaxConnections, Echo.IdleTimeoutSeconds, Echo.BufferSize,
               Echo.WorkerCount);
    return STATUS_SUCCESS;
}

// Called by the provider at up to DISPATCH_LEVEL for each connection the listener accepted.
_Must_inspect_result_
static NTSTATUS WSKAPI
EchoAcceptEvent(
    _In_opt_ PVOID SocketContext,
    _In_ ULONG Flags,
    _In_ PSOCKADDR LocalAddress,
    _In_ PSOCKADDR RemoteAddress,
    _In_opt_ PWSK_SOCKET AcceptSocket,
    _Outptr_result_maybenull_ PVOID *AcceptSocketContext,
    _Outptr_result_maybenull_ CONST WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch)
{
    PECHO_WORKER worker;
    PECHO_CONNECTION connection;
    ULONG index;

    UNREFERENCED_PARAMETER(SocketContext);
    UNREFERENCED_PARAMETER(Flags);
    UNREFERENCED_PARAMETER(LocalAddress);
    UNREFERENCED_PARAMETER(RemoteAddress);

    *AcceptSocketContext = NULL;
    *AcceptSocketDispatch = NULL;

    if (AcceptSocket == NULL) {
        // The listener is no longer functional. The WDK sample re-creates it; we report it
        // and keep serving the connections we have.
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "the listening socket stopped working\n");
        return STATUS_REQUEST_NOT_ACCEPTED;
    }
    if (Echo.Stopping) {
        return STATUS_REQUEST_NOT_ACCEPTED;
    }
    // Returning STATUS_REQUEST_NOT_ACCEPTED makes the provider close the new socket.
    if (InterlockedIncrement(&Echo.Connections) > (LONG)Echo.MaxConnections) {
        InterlockedDecrement(&Echo.Connections);
        if (InterlockedIncrement64(&Echo.Rejected) == 1) {
            DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                       "MaxConnections (%u) reached, rejecting new connections\n",
                       Echo.MaxConnections);
        }
        return STATUS_REQUEST_NOT_ACCEPTED;
    }

    // Round-robin; the connection stays on this worker for its whole life.
    index = (ULONG)InterlockedIncrement(&Echo.NextWorker) % Echo.WorkerCount;
    worker = &Echo.Workers[index];
    connection = EchoAllocateConnection(worker);
    if (connection == NULL) {
        InterlockedDecrement(&Echo.Connections);
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "out of memory, rejecting a connection\n");
        return STATUS_REQUEST_NOT_ACCEPTED;
    }
    connection->Socket = AcceptSocket;
    InterlockedIncrement(&worker->ConnectionCount);
    InterlockedIncrement64(&Echo.Served);

    if (InterlockedPushEntrySList(&worker->Queue, &connection->NewWork.Entry) == NULL) {
        KeSetEvent(&worker->WakeEvent, IO_NO_INCREMENT, FALSE);
    }
    // No callbacks on accepted sockets: the connection uses IRPs only.
    *AcceptSocketContext = connection;
    return STATUS_SUCCESS;
}

//
// Workers
//

// The worker loop: wait for work (or the idle-scan period), run the queue in FIFO order, and
// on unload close what is left and leave once the last connection is freed.
static VOID
EchoWorkerThread(
    _In_ PVOID StartContext)
{
    PECHO_WORKER worker = (PECHO_WORKER)StartContext;
    LARGE_INTEGER interval;
    PLARGE_INTEGER timeout = NULL;
    PLIST_ENTRY link;

    if (worker->Index == 0) {
        Echo.StartStatus = EchoStartListening();
        KeSetEvent(&Echo.StartedEvent, IO_NO_INCREMENT, FALSE);
    }

    // With an idle timeout the worker wakes up regularly to look for idle connections:
    // every second, or four times per period for timeouts under four seconds.
    if (Echo.IdleTimeoutSeconds != 0) {
        interval.QuadPart = Echo.IdleTimeoutSeconds >= 4
                                ? -ECHO_100NS_PER_SECOND
                                : -(LONGLONG)Echo.IdleTimeoutSeconds * 250 * ECHO_100NS_PER_MS;
        timeout = &interval;
    }

    for (;;) {
        KeWaitForSingleObject(&worker->WakeEvent, Executive, KernelMode, FALSE, timeout);
        EchoDrainQueue(worker);
        if (timeout != NULL) {
            EchoCloseIdleConnections(worker);
        }
        if (worker->StopRequested) {
            // Unload does not wait for peers: close what is left, then wait for the closes.
            if (!worker->StopHandled) {
                worker->StopHandled = TRUE;
                for (link = worker->Connections.Flink; link != &worker->Connections;
                     link = link->Flink) {
                    EchoCloseConnection(CONTAINING_RECORD(link, ECHO_CONNECTION, Link));
                }
            }
            if (worker->ConnectionCount == 0) {
                break;
            }
        }
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

// One worker per active processor, as the WDK sample does: each connection stays on one
// worker, so connections spread over the CPUs and a connection needs no locking.
static NTSTATUS
EchoStartWorkers(VOID)
{
    ULONG i;
    NTSTATUS status;

    Echo.WorkerCount = KeQueryActiveProcessorCount(NULL);
    if (Echo.WorkerCount == 0) {
        Echo.WorkerCount = 1;
    }
    if (Echo.WorkerCount > ECHO_MAX_WORKERS) {
        Echo.WorkerCount = ECHO_MAX_WORKERS;
    }
    Echo.Workers = (PECHO_WORKER)ExAllocatePool2(POOL_FLAG_NON_PAGED,
                                                 sizeof(ECHO_WORKER) * Echo.WorkerCount,
                                                 ECHO_TAG_GLOBAL);
    if (Echo.Workers == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    for (i = 0; i < Echo.WorkerCount; i++) {
        PECHO_WORKER worker = &Echo.Workers[i];

        worker->Index = i;
        InitializeSListHead(&worker->Queue);
        KeInitializeEvent(&worker->WakeEvent, SynchronizationEvent, FALSE);
        InitializeListHead(&worker->Connections);
    }
    for (i = 0; i < Echo.WorkerCount; i++) {
        PECHO_WORKER worker = &Echo.Workers[i];
        HANDLE handle;

        status = PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, NULL, NULL, NULL,
                                      EchoWorkerThread, worker);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        // Keep a reference to the thread object: unload waits on it.
        status = ObReferenceObjectByHandle(handle, THREAD_ALL_ACCESS, NULL, KernelMode,
                                           (PVOID *)&worker->Thread, NULL);
        ZwClose(handle);
        if (!NT_SUCCESS(status)) {
            return status;
        }
    }
    return STATUS_SUCCESS;
}

//
// Start and stop
//

// Undoes whatever DriverEntry got done, in reverse: listener, connections and workers, then
// the NPI and the registration. PASSIVE_LEVEL.
static VOID
EchoStop(VOID)
{
    ULONG i;
    NTSTATUS status;

    InterlockedExchange(&Echo.Stopping, 1);

    // Closing the listener waits for a WskAcceptEvent in progress, so no connection is
    // queued to a worker after this.
    if (Echo.ListenSocket != NULL) {
        PWSK_PROVIDER_LISTEN_DISPATCH dispatch =
            (PWSK_PROVIDER_LISTEN_DISPATCH)Echo.ListenSocket->Dispatch;

        status = dispatch->WskCloseSocket(Echo.ListenSocket, EchoSyncIrpArm(&Echo.ControlIrp));
        (VOID)EchoSyncIrpWait(&Echo.ControlIrp, status);
        Echo.ListenSocket = NULL;
    }

    if (Echo.Workers != NULL) {
        for (i = 0; i < Echo.WorkerCount; i++) {
            InterlockedExchange(&Echo.Workers[i].StopRequested, 1);
            KeSetEvent(&Echo.Workers[i].WakeEvent, IO_NO_INCREMENT, FALSE);
        }
        for (i = 0; i < Echo.WorkerCount; i++) {
            if (Echo.Workers[i].Thread != NULL) {
                KeWaitForSingleObject(Echo.Workers[i].Thread, Executive, KernelMode, FALSE,
                                      NULL);
                ObDereferenceObject(Echo.Workers[i].Thread);
            }
        }
        ExFreePoolWithTag(Echo.Workers, ECHO_TAG_GLOBAL);
        Echo.Workers = NULL;
    }

    if (Echo.ControlIrp.Irp != NULL) {
        IoFreeIrp(Echo.ControlIrp.Irp);
        Echo.ControlIrp.Irp = NULL;
    }
    if (Echo.NpiCaptured) {
        WskReleaseProviderNPI(&Echo.Registration);
        Echo.NpiCaptured = FALSE;
    }
    // Waits until every socket of this client is closed; ours all are by now.
    if (Echo.Registered) {
        WskDeregister(&Echo.Registration);
        Echo.Registered = FALSE;
    }
}

// DriverUnload. Unlike the WDK sample, which waits for its peers to disconnect, echosrv
// closes its connections itself (abortively), so an unload never waits on the network.
static VOID
EchoUnload(
    _In_ PDRIVER_OBJECT DriverObject)
{
    LONG open = Echo.Connections;

    UNREFERENCED_PARAMETER(DriverObject);

    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
               "stopping (%d open connections)\n", open);
    EchoStop();
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
               "stopped (%lld connections served, %lld rejected)\n",
               (long long)Echo.Served, (long long)Echo.Rejected);
}

// DriverEntry: parameters, WSK registration, workers; then wait for worker 0 to report whether
// the listener is up, so a failure (such as STATUS_ADDRESS_ALREADY_ASSOCIATED for a port in
// use) fails the load instead of leaving a driver that listens on nothing.
NTSTATUS
DriverEntry(
    _In_ PDRIVER_OBJECT DriverObject,
    _In_ PUNICODE_STRING RegistryPath)
{
    WSK_CLIENT_NPI clientNpi;
    NTSTATUS status;

    RtlZeroMemory(&Echo, sizeof(Echo));
    KeInitializeEvent(&Echo.StartedEvent, NotificationEvent, FALSE);
    KeInitializeEvent(&Echo.ControlIrp.Event, SynchronizationEvent, FALSE);
    EchoReadParameters(RegistryPath);

    Echo.ControlIrp.Irp = IoAllocateIrp(1, FALSE);
    if (Echo.ControlIrp.Irp == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    // The registration block must stay valid until WskDeregister returns: it lives in Echo.
    clientNpi.ClientContext = NULL;
    clientNpi.Dispatch = &EchoClientDispatch;
    status = WskRegister(&clientNpi, &Echo.Registration);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "WskRegister failed with 0x%08X\n", status);
        EchoStop();
        return status;
    }
    Echo.Registered = TRUE;

    status = EchoStartWorkers();
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "starting the worker threads failed with 0x%08X\n", status);
    }
    // Worker 0 sets the listener up; its capture wait is bounded, so this wait is too. Wait
    // even if a later worker failed to start, so EchoStop never races with the set-up.
    if (Echo.Workers != NULL && Echo.Workers[0].Thread != NULL) {
        KeWaitForSingleObject(&Echo.StartedEvent, Executive, KernelMode, FALSE, NULL);
        if (NT_SUCCESS(status)) {
            status = Echo.StartStatus;
        }
    }
    if (!NT_SUCCESS(status)) {
        EchoStop();
        return status;
    }

    DriverObject->DriverUnload = EchoUnload;
    return STATUS_SUCCESS;
}
