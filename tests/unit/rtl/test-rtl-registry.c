/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The registry as a driver reads it: values the host sets (owsk_registry_set_*), then
 * ZwOpenKey/ZwQueryValueKey/ZwClose and RtlQueryRegistryValues on Services\<svc>\Parameters,
 * with missing values, buffer sizes (BUFFER_TOO_SMALL vs BUFFER_OVERFLOW) and callbacks that
 * re-enter the registry (which would deadlock if a lock were held across them). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <ntddk.h>
#include <openwsk/host.h>

#include "owsk_test.h"
#include "rtl/rtl.h"

static size_t wcslen16(const WCHAR *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

static const WCHAR params_path[] =
    L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\echosrv\\Parameters";

static NTSTATUS open_key(PCWSTR path, HANDLE root, HANDLE *ret)
{
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES oa;

    RtlInitUnicodeString(&name, path);
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, root, NULL);
    return ZwOpenKey(ret, KEY_READ, &oa);
}

static void test_host_api(void)
{
    CHECK_STATUS(owsk_registry_set_dword("echosrv", "Port", 40007), STATUS_SUCCESS);
    CHECK_STATUS(owsk_registry_set_string("echosrv", "Greeting", "h\xc3\xa9llo"), STATUS_SUCCESS);
    CHECK_STATUS(owsk_registry_set_param("echosrv", "Backlog=0x10"), STATUS_SUCCESS);
    CHECK_STATUS(owsk_registry_set_param("echosrv", "Mode=fast"), STATUS_SUCCESS);
    CHECK_STATUS(owsk_registry_set_param("echosrv", "Empty="), STATUS_SUCCESS);
    CHECK_STATUS(owsk_registry_set_param("echosrv", "Count=12"), STATUS_SUCCESS);
    CHECK_STATUS(owsk_registry_set_param("echosrv", "NoEquals"), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(owsk_registry_set_param("echosrv", "=5"), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(owsk_registry_set_param("echosrv", "Big=4294967296"), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(owsk_registry_set_param("echosrv", "Hex=0xZZ"), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(owsk_registry_set_param(NULL, "A=1"), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(owsk_registry_set_param("", "A=1"), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(owsk_registry_set_param("a\\b", "A=1"), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(owsk_registry_set_dword("echosrv", NULL, 1), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(owsk_registry_set_string("echosrv", "X", NULL), STATUS_INVALID_PARAMETER);
}

static void test_zw(void)
{
    HANDLE key = (HANDLE)0xdeadbeef, sub, svc;
    UNICODE_STRING name;
    UCHAR buf[256];
    ULONG len;
    PKEY_VALUE_PARTIAL_INFORMATION part = (PKEY_VALUE_PARTIAL_INFORMATION)buf;
    PKEY_VALUE_BASIC_INFORMATION basic = (PKEY_VALUE_BASIC_INFORMATION)buf;
    PKEY_VALUE_FULL_INFORMATION full = (PKEY_VALUE_FULL_INFORMATION)buf;

    CHECK_STATUS(open_key(params_path, NULL, &key), STATUS_SUCCESS);
    CHECK(owsk_rtl_registry_is_key(key));
    /* case-insensitive path */
    CHECK_STATUS(open_key(L"\\REGISTRY\\machine\\SYSTEM\\currentcontrolset\\services\\ECHOSRV",
                          NULL, &svc),
                 STATUS_SUCCESS);
    CHECK_STATUS(open_key(L"Parameters", svc, &sub), STATUS_SUCCESS);
    CHECK_STATUS(ZwClose(sub), STATUS_SUCCESS);
    sub = (HANDLE)0x1234;
    CHECK_STATUS(open_key(L"NoSuchKey", svc, &sub), STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK(sub == (HANDLE)0x1234);
    CHECK_STATUS(open_key(L"\\Registry\\Machine\\System\\Nope", NULL, &sub),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_STATUS(open_key(L"\\Elsewhere", NULL, &sub), STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_STATUS(open_key(L"Registry\\Machine", NULL, &sub), STATUS_OBJECT_PATH_SYNTAX_BAD);
    CHECK_STATUS(open_key(L"\\Registry\\\\Machine", NULL, &sub), STATUS_OBJECT_NAME_INVALID);
    CHECK_STATUS(open_key(L"Parameters", (HANDLE)buf, &sub), STATUS_INVALID_HANDLE);
    CHECK_STATUS(ZwClose(svc), STATUS_SUCCESS);

    /* partial information for a DWORD */
    RtlInitUnicodeString(&name, L"port");
    t_poison(buf, sizeof(buf));
    CHECK_STATUS(ZwQueryValueKey(key, &name, KeyValuePartialInformation, buf, sizeof(buf), &len),
                 STATUS_SUCCESS);
    CHECK_UINT(len, FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data) + 4);
    CHECK_UINT(part->Type, REG_DWORD);
    CHECK_UINT(part->DataLength, 4);
    CHECK_UINT(*(ULONG *)part->Data, 40007);
    /* the usual two-call pattern: ask for the size first */
    CHECK_STATUS(ZwQueryValueKey(key, &name, KeyValuePartialInformation, NULL, 0, &len),
                 STATUS_BUFFER_TOO_SMALL);
    CHECK_UINT(len, 16);
    t_poison(buf, sizeof(buf));
    CHECK_STATUS(ZwQueryValueKey(key, &name, KeyValuePartialInformation, buf, 12, &len),
                 STATUS_BUFFER_OVERFLOW);
    CHECK_UINT(len, 16);
    CHECK_UINT(part->Type, REG_DWORD);
    CHECK_UINT(part->DataLength, 4);
    CHECK_STATUS(ZwQueryValueKey(key, &name, KeyValuePartialInformation, buf, 11, &len),
                 STATUS_BUFFER_TOO_SMALL);

    /* a string, full and basic information */
    RtlInitUnicodeString(&name, L"Greeting");
    t_poison(buf, sizeof(buf));
    CHECK_STATUS(ZwQueryValueKey(key, &name, KeyValueFullInformation, buf, sizeof(buf), &len),
                 STATUS_SUCCESS);
    CHECK_UINT(full->Type, REG_SZ);
    CHECK_UINT(full->NameLength, 16);
    CHECK_UINT(full->DataLength, 12); /* "héllo" + NUL, UTF-16 */
    CHECK_UINT(full->DataOffset % 4, 0);
    CHECK(full->DataOffset >= FIELD_OFFSET(KEY_VALUE_FULL_INFORMATION, Name) + 16);
    CHECK_UINT(len, full->DataOffset + 12);
    CHECK(memcmp(full->Name, L"Greeting", 16) == 0);
    CHECK(((WCHAR *)(buf + full->DataOffset))[1] == 0xe9);
    t_poison(buf, sizeof(buf));
    CHECK_STATUS(ZwQueryValueKey(key, &name, KeyValueBasicInformation, buf, sizeof(buf), &len),
                 STATUS_SUCCESS);
    CHECK_UINT(len, FIELD_OFFSET(KEY_VALUE_BASIC_INFORMATION, Name) + 16);
    CHECK_UINT(basic->NameLength, 16);
    CHECK_STATUS(ZwQueryValueKey(key, &name, KeyValueBasicInformation, buf, 14, &len),
                 STATUS_BUFFER_OVERFLOW);
    CHECK_UINT(basic->NameLength, 16);
    CHECK(basic->Name[0] == 'G');

    RtlInitUnicodeString(&name, L"Missing");
    CHECK_STATUS(ZwQueryValueKey(key, &name, KeyValuePartialInformation, buf, sizeof(buf), &len),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_STATUS(ZwQueryValueKey((HANDLE)buf, &name, KeyValuePartialInformation, buf, sizeof(buf),
                                 &len),
                 STATUS_INVALID_HANDLE);
    CHECK_STATUS(ZwQueryValueKey(key, &name, (KEY_VALUE_INFORMATION_CLASS)77, buf, sizeof(buf),
                                 &len),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(ZwClose(key), STATUS_SUCCESS);
    CHECK(!owsk_rtl_registry_is_key(key));
}

static int calls;

static NTSTATUS routine(PWSTR ValueName, ULONG ValueType, PVOID ValueData, ULONG ValueLength,
                        PVOID Context, PVOID EntryContext)
{
    HANDLE h;

    calls++;
    CHECK(Context == (PVOID)0x5150);
    /* re-entering the registry from a callback must not deadlock */
    CHECK_STATUS(open_key(params_path, NULL, &h), STATUS_SUCCESS);
    ZwClose(h);
    if (EntryContext) {
        UNICODE_STRING *got = EntryContext;
        got->Buffer = ValueData;
        got->Length = (USHORT)ValueLength;
        got->MaximumLength = (USHORT)ValueType;
    }
    return STATUS_SUCCESS;
}

static void test_query_values(void)
{
    ULONG port = 0, backlog = 0, count = 0, deflt = 0, missing = 0x77;
    ULONG def_value = 99;
    UNICODE_STRING mode = {0}, greeting, seen;
    WCHAR small[3];
    RTL_QUERY_REGISTRY_TABLE t[8];

    memset(t, 0, sizeof(t));
    t[0].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_REQUIRED;
    t[0].Name = L"Port";
    t[0].EntryContext = &port;
    t[1].Flags = RTL_QUERY_REGISTRY_DIRECT;
    t[1].Name = L"Backlog";
    t[1].EntryContext = &backlog;
    t[2].Flags = RTL_QUERY_REGISTRY_DIRECT;
    t[2].Name = L"Mode";
    t[2].EntryContext = &mode; /* Buffer NULL: allocated for us */
    t[3].Flags = RTL_QUERY_REGISTRY_DIRECT;
    t[3].Name = L"NotSet";
    t[3].EntryContext = &deflt;
    t[3].DefaultType = REG_DWORD;
    t[3].DefaultData = &def_value;
    t[3].DefaultLength = sizeof(ULONG);
    t[4].Flags = RTL_QUERY_REGISTRY_DIRECT;
    t[4].Name = L"AlsoNotSet";
    t[4].EntryContext = &missing; /* no default: left alone */
    t[5].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_TYPECHECK;
    t[5].Name = L"Count";
    t[5].EntryContext = &count;
    t[5].DefaultType = REG_DWORD << RTL_QUERY_REGISTRY_TYPECHECK_SHIFT;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"echosrv\\Parameters", t, NULL,
                                        NULL),
                 STATUS_SUCCESS);
    CHECK_UINT(port, 40007);
    CHECK_UINT(backlog, 16);
    CHECK_UINT(count, 12);
    CHECK_UINT(deflt, 99);
    CHECK_UINT(missing, 0x77);
    CHECK_UINT(mode.Length, 8);
    CHECK(mode.Buffer && memcmp(mode.Buffer, L"fast", 8) == 0 && mode.Buffer[4] == 0);
    RtlFreeUnicodeString(&mode);

    /* the same by absolute path */
    port = 0;
    memset(&t[1], 0, sizeof(t[1]));
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, params_path, t, NULL, NULL),
                 STATUS_SUCCESS);
    CHECK_UINT(port, 40007);

    /* REQUIRED and missing; missing key; TYPECHECK mismatch; caller buffer too small */
    memset(t, 0, sizeof(t));
    t[0].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_REQUIRED;
    t[0].Name = L"Absent";
    t[0].EntryContext = &port;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"echosrv\\Parameters", t, NULL,
                                        NULL),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"nosuchsvc\\Parameters", t,
                                        NULL, NULL),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES | RTL_REGISTRY_OPTIONAL,
                                        L"nosuchsvc\\Parameters", t, NULL, NULL),
                 STATUS_SUCCESS);
    t[0].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_TYPECHECK;
    t[0].Name = L"Mode";
    t[0].DefaultType = REG_DWORD << RTL_QUERY_REGISTRY_TYPECHECK_SHIFT;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"echosrv\\Parameters", t, NULL,
                                        NULL),
                 STATUS_OBJECT_TYPE_MISMATCH);
    greeting.Buffer = small;
    greeting.Length = 0;
    greeting.MaximumLength = sizeof(small);
    t[0].Flags = RTL_QUERY_REGISTRY_DIRECT;
    t[0].Name = L"Greeting";
    t[0].EntryContext = &greeting;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"echosrv\\Parameters", t, NULL,
                                        NULL),
                 STATUS_BUFFER_TOO_SMALL);

    /* QueryRoutine for one value, then for all values (Name NULL), with a Context */
    memset(t, 0, sizeof(t));
    memset(&seen, 0, sizeof(seen));
    t[0].QueryRoutine = routine;
    t[0].Name = L"Mode";
    t[0].EntryContext = &seen;
    calls = 0;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"echosrv\\Parameters", t,
                                        (PVOID)0x5150, NULL),
                 STATUS_SUCCESS);
    CHECK_INT(calls, 1);
    CHECK_UINT(seen.MaximumLength, REG_SZ); /* the type the routine saw */
    CHECK_UINT(seen.Length, 10);
    t[0].Name = NULL;
    t[0].EntryContext = NULL;
    calls = 0;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"echosrv\\Parameters", t,
                                        (PVOID)0x5150, NULL),
                 STATUS_SUCCESS);
    CHECK_INT(calls, 6); /* Port Greeting Backlog Mode Empty Count */
}

static ULONG multi_calls;

static NTSTATUS multi_routine(PWSTR ValueName, ULONG ValueType, PVOID ValueData,
                              ULONG ValueLength, PVOID Context, PVOID EntryContext)
{
    static const WCHAR *const want[] = {L"one", L"two"};

    CHECK_UINT(ValueType, REG_SZ);
    if (multi_calls < 2) {
        CHECK(memcmp(ValueData, want[multi_calls], 8) == 0);
        CHECK_UINT(ValueLength, 8);
    }
    multi_calls++;
    return STATUS_SUCCESS;
}

static NTSTATUS failing_routine(PWSTR ValueName, ULONG ValueType, PVOID ValueData,
                                ULONG ValueLength, PVOID Context, PVOID EntryContext)
{
    return STATUS_INSUFFICIENT_RESOURCES;
}

static void test_types_and_keys(void)
{
    static const WCHAR multi[] = L"one\0two\0";
    static const UCHAR blob[6] = {1, 2, 3, 4, 5, 6};
    const WCHAR sub_path[] =
        L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\echosrv\\Parameters\\Sub";
    RTL_QUERY_REGISTRY_TABLE t[4];
    LONG raw[4];
    ULONG hdr[4], inner = 0, outer = 0;
    HANDLE key;
    UNICODE_STRING ms = {0};

    CHECK_STATUS(owsk_rtl_registry_set_value(params_path, wcslen16(params_path), L"Multi", 5,
                                             REG_MULTI_SZ, multi, sizeof(multi)),
                 STATUS_SUCCESS);
    CHECK_STATUS(owsk_rtl_registry_set_value(params_path, wcslen16(params_path), L"Blob", 4,
                                             REG_BINARY, blob, sizeof(blob)),
                 STATUS_SUCCESS);
    CHECK_STATUS(owsk_rtl_registry_set_value(sub_path, wcslen16(sub_path), L"Inner", 5,
                                             REG_DWORD, &(ULONG){5}, 4),
                 STATUS_SUCCESS);

    memset(t, 0, sizeof(t));
    t[0].QueryRoutine = multi_routine;
    t[0].Name = L"Multi";
    multi_calls = 0;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"echosrv\\Parameters", t, NULL,
                                        NULL),
                 STATUS_SUCCESS);
    CHECK_UINT(multi_calls, 2);
    /* NOEXPAND: one call with the whole REG_MULTI_SZ; DIRECT: the whole block */
    t[0].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_NOEXPAND;
    t[0].QueryRoutine = NULL;
    t[0].EntryContext = &ms;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"echosrv\\Parameters", t, NULL,
                                        NULL),
                 STATUS_SUCCESS);
    CHECK_UINT(ms.Length, sizeof(multi));
    RtlFreeUnicodeString(&ms);

    /* binary data larger than a ULONG: negative size = raw copy, positive = header + data */
    memset(raw, 0, sizeof(raw));
    raw[0] = -(LONG)sizeof(raw);
    t[0].Flags = RTL_QUERY_REGISTRY_DIRECT;
    t[0].Name = L"Blob";
    t[0].EntryContext = raw;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"echosrv\\Parameters", t, NULL,
                                        NULL),
                 STATUS_SUCCESS);
    CHECK(memcmp(raw, blob, 6) == 0);
    hdr[0] = sizeof(hdr);
    t[0].EntryContext = hdr;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"echosrv\\Parameters", t, NULL,
                                        NULL),
                 STATUS_SUCCESS);
    CHECK_UINT(hdr[0], 6);
    CHECK_UINT(hdr[1], REG_BINARY);
    CHECK(memcmp(&hdr[2], blob, 6) == 0);
    raw[0] = -4;
    t[0].EntryContext = raw;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"echosrv\\Parameters", t, NULL,
                                        NULL),
                 STATUS_BUFFER_TOO_SMALL);

    /* SUBKEY switches keys for the entries after it, TOPKEY comes back; RTL_REGISTRY_HANDLE */
    memset(t, 0, sizeof(t));
    t[0].Flags = RTL_QUERY_REGISTRY_SUBKEY;
    t[0].Name = L"Sub";
    t[1].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_REQUIRED;
    t[1].Name = L"Inner";
    t[1].EntryContext = &inner;
    t[2].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_TOPKEY |
                 RTL_QUERY_REGISTRY_REQUIRED;
    t[2].Name = L"Port";
    t[2].EntryContext = &outer;
    CHECK_STATUS(open_key(params_path, NULL, &key), STATUS_SUCCESS);
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_HANDLE, (PCWSTR)key, t, NULL, NULL),
                 STATUS_SUCCESS);
    CHECK_UINT(inner, 5);
    CHECK_UINT(outer, 40007);
    /* the caller's handle stays open */
    CHECK(owsk_rtl_registry_is_key(key));
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_HANDLE, (PCWSTR)(HANDLE)raw, t, NULL, NULL),
                 STATUS_INVALID_HANDLE);
    CHECK_STATUS(ZwClose(key), STATUS_SUCCESS);

    /* a failing QueryRoutine's status is returned */
    memset(t, 0, sizeof(t));
    t[0].QueryRoutine = failing_routine;
    t[0].Name = L"Port";
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"echosrv\\Parameters", t, NULL,
                                        NULL),
                 STATUS_INSUFFICIENT_RESOURCES);
}

static void test_io_helper(void)
{
    HANDLE h;
    UNICODE_STRING name;
    UCHAR buf[64];
    ULONG len;

    CHECK_STATUS(owsk_rtl_registry_open_service_parameters("echosrv", &h), STATUS_SUCCESS);
    RtlInitUnicodeString(&name, L"Port");
    CHECK_STATUS(ZwQueryValueKey(h, &name, KeyValuePartialInformation, buf, sizeof(buf), &len),
                 STATUS_SUCCESS);
    CHECK_STATUS(ZwClose(h), STATUS_SUCCESS);
    /* a service nobody configured still gets an (empty) Parameters key */
    CHECK_STATUS(owsk_rtl_registry_open_service_parameters("fresh", &h), STATUS_SUCCESS);
    CHECK_STATUS(ZwQueryValueKey(h, &name, KeyValuePartialInformation, buf, sizeof(buf), &len),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_STATUS(ZwClose(h), STATUS_SUCCESS);
    CHECK_STATUS(owsk_rtl_registry_open_service_parameters(NULL, &h), STATUS_INVALID_PARAMETER);
}

/* Writers and readers on several threads (run under TSan in CI): every read sees a whole
 * value, handles never leak between threads. */
static void *hammer(void *arg)
{
    long id = (long)arg;
    int bad = 0;

    for (int i = 0; i < 300; i++) {
        char assign[32];
        ULONG v = 0;
        HANDLE h;
        UNICODE_STRING name;
        UCHAR buf[64];
        ULONG len;
        RTL_QUERY_REGISTRY_TABLE t[2];

        snprintf(assign, sizeof(assign), "T%ld=%d", id, i);
        if (owsk_registry_set_param("hammer", assign) != STATUS_SUCCESS)
            bad++;
        memset(t, 0, sizeof(t));
        t[0].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_REQUIRED;
        t[0].Name = id ? L"T1" : L"T0";
        t[0].EntryContext = &v;
        if (RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"hammer\\Parameters", t, NULL,
                                   NULL) == STATUS_SUCCESS &&
            v > 300)
            bad++;
        if (owsk_rtl_registry_open_service_parameters("hammer", &h) != STATUS_SUCCESS) {
            bad++;
            continue;
        }
        RtlInitUnicodeString(&name, L"T0");
        if (ZwQueryValueKey(h, &name, KeyValuePartialInformation, buf, sizeof(buf), &len) ==
                STATUS_SUCCESS &&
            len != 16)
            bad++;
        if (ZwClose(h) != STATUS_SUCCESS)
            bad++;
    }
    return (void *)(long)bad;
}

static void test_threads(void)
{
    pthread_t th[4];

    for (long i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, hammer, (void *)(i % 2));
    for (int i = 0; i < 4; i++) {
        void *bad;
        pthread_join(th[i], &bad);
        CHECK_INT((long)bad, 0);
    }
}

int main(void)
{
    test_host_api();
    test_zw();
    test_query_values();
    test_types_and_keys();
    test_io_helper();
    test_threads();
    owsk_rtl_registry_reset();
    return t_done();
}
