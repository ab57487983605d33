// SPDX-License-Identifier: LGPL-2.1-or-later
//
// stuckunload: a test driver whose DriverUnload overruns any short deadline. It waits on an
// event nothing ever sets, bounded at 30 s so a host that does not enforce its deadline is
// slow, not hung. test-unload-order.c runs it under wskhost --unload-timeout 1.
//
#include <ntddk.h>

#define STUCK_WAIT_SECONDS 30

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD StuckUnload;

static KEVENT NeverSet;

static VOID
StuckUnload(
    _In_ PDRIVER_OBJECT DriverObject)
{
    LARGE_INTEGER timeout;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(DriverObject);

    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
               "unloading: waiting up to %d s on an event nobody sets\n", STUCK_WAIT_SECONDS);
    timeout.QuadPart = -10000000LL * STUCK_WAIT_SECONDS; // relative, 100 ns units
    status = KeWaitForSingleObject(&NeverSet, Executive, KernelMode, FALSE, &timeout);
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "unload wait ended: 0x%08X\n", status);
}

NTSTATUS
DriverEntry(
    _In_ PDRIVER_OBJECT DriverObject,
    _In_ PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);

    KeInitializeEvent(&NeverSet, NotificationEvent, FALSE);
    DriverObject->DriverUnload = StuckUnload;
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "started\n");
    return STATUS_SUCCESS;
}
