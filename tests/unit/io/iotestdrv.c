/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A tiny driver module for test-io-loader, written as a WDK driver is. What it does depends
 * on its service name (the last part of its registry path): "...fail" fails DriverEntry with
 * STATUS_INSUFFICIENT_RESOURCES, "...slow" takes a second to unload; otherwise it leaks one
 * pool block tagged 'kaeL' (poolmon shows "Leak"). It reports to the test program through
 * io_test_note(), which the program exports. It also defines its own send() and bind(), as
 * some WSK libraries do: its calls must reach these, not libc's. */
#include <ntddk.h>

void io_test_note(const char *what, LONGLONG value);

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD IoTestUnload;

static PVOID Leaked;
static BOOLEAN SlowUnload;

int send(int s, const void *buf, int len, int flags)
{
    UNREFERENCED_PARAMETER(s);
    UNREFERENCED_PARAMETER(buf);
    UNREFERENCED_PARAMETER(len);
    UNREFERENCED_PARAMETER(flags);
    return 1234;
}

int bind(int s, const void *name, int namelen)
{
    UNREFERENCED_PARAMETER(s);
    UNREFERENCED_PARAMETER(name);
    UNREFERENCED_PARAMETER(namelen);
    return 5678;
}

static BOOLEAN EndsWith(PCUNICODE_STRING s, PCWSTR suffix, USHORT n)
{
    USHORT len = s->Length / sizeof(WCHAR);
    USHORT i;

    if (len < n)
        return FALSE;
    for (i = 0; i < n; i++)
        if (s->Buffer[len - n + i] != suffix[i])
            return FALSE;
    return TRUE;
}

VOID IoTestUnload(PDRIVER_OBJECT DriverObject)
{
    LARGE_INTEGER second;

    UNREFERENCED_PARAMETER(DriverObject);
    if (SlowUnload) {
        second.QuadPart = -10LL * 1000 * 1000;
        KeDelayExecutionThread(KernelMode, FALSE, &second);
    }
    io_test_note("unload", KeGetCurrentIrql());
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    char path[160];
    USHORT i, n = RegistryPath->Length / sizeof(WCHAR);
    UNICODE_STRING mode = RTL_CONSTANT_STRING(L"Mode");
    UCHAR info[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + sizeof(ULONG)];
    PKEY_VALUE_PARTIAL_INFORMATION value = (PKEY_VALUE_PARTIAL_INFORMATION)info;
    ULONG got;
    HANDLE key;

    io_test_note("entry-irql", KeGetCurrentIrql());
    for (i = 0; i < n && (SIZE_T)i + 1 < sizeof(path); i++)
        path[i] = (char)RegistryPath->Buffer[i];
    path[i] = 0;
    io_test_note(path, n);

    if (send(0, NULL, 0, 0) != 1234 || bind(0, NULL, 0) != 5678) {
        io_test_note("libc-send", 0);
        return STATUS_DRIVER_INTERNAL_ERROR;
    }
    io_test_note("own-send", 1);

    /* Probing for DDIs the way drivers that support several Windows versions do. */
    {
        UNICODE_STRING pool2 = RTL_CONSTANT_STRING(L"ExAllocatePool2");
        UNICODE_STRING none = RTL_CONSTANT_STRING(L"ExAllocatePool9");
        UNICODE_STRING crt = RTL_CONSTANT_STRING(L"malloc");

        io_test_note("sysroutine-found",
                     MmGetSystemRoutineAddress(&pool2) == (PVOID)ExAllocatePool2);
        io_test_note("sysroutine-absent", MmGetSystemRoutineAddress(&none) == NULL &&
                                              MmGetSystemRoutineAddress(&crt) == NULL);
    }

    if (NT_SUCCESS(IoOpenDriverRegistryKey(DriverObject, DriverRegKeyParameters, KEY_READ, 0,
                                           &key))) {
        if (NT_SUCCESS(ZwQueryValueKey(key, &mode, KeyValuePartialInformation, value,
                                       sizeof(info), &got)) &&
            value->Type == REG_DWORD)
            io_test_note("Mode", *(ULONG *)value->Data);
        ZwClose(key);
    }

    DriverObject->DriverUnload = IoTestUnload;
    if (EndsWith(RegistryPath, L"fail", 4))
        return STATUS_INSUFFICIENT_RESOURCES; /* Windows will not call IoTestUnload */
    SlowUnload = EndsWith(RegistryPath, L"slow", 4);
    Leaked = ExAllocatePool2(POOL_FLAG_NON_PAGED, 100, 'kaeL');
    return Leaked ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}
