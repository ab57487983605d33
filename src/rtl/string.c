/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Counted strings: init, copy, compare, append, upcase, free. Case folding covers ASCII,
 * Latin-1, Latin Extended-A, Greek and Cyrillic, not Windows' full NLS upcase table. */
#include <string.h>

#include <ntifs.h>

#include "rtl/rtl.h"

#define MAX_USTR_BYTES 0xFFFCu /* longest Length RtlInitUnicodeString gives (MAXUSHORT & ~1) - 2 */
#define MAX_ASTR_BYTES 0xFFFEu /* longest Length RtlInitAnsiString gives (MAXUSHORT - 1) */

static size_t wlen(PCWSTR s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

WCHAR owsk_rtl_upcase(WCHAR c)
{
    if (c < 'a')
        return c;
    if (c <= 'z')
        return (WCHAR)(c - 0x20);
    if (c < 0xE0)
        return c;
    if (c <= 0xFE)
        return c == 0xF7 ? c : (WCHAR)(c - 0x20); /* Latin-1; U+00F7 is the division sign */
    if (c == 0xFF)
        return 0x178;
    if (c >= 0x100 && c <= 0x137) /* Latin Extended-A, pairs upper/lower */
        return (c & 1) ? (WCHAR)(c - 1) : c;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
        return (c & 1) ? c : (WCHAR)(c - 1);
    if (c >= 0x14A && c <= 0x177)
        return (c & 1) ? (WCHAR)(c - 1) : c;
    if (c >= 0x3B1 && c <= 0x3CB && c != 0x3C2) /* Greek small letters */
        return (WCHAR)(c - 0x20);
    if (c >= 0x430 && c <= 0x44F) /* Cyrillic */
        return (WCHAR)(c - 0x20);
    if (c >= 0x450 && c <= 0x45F)
        return (WCHAR)(c - 0x50);
    return c;
}

static char upcase_ansi(char ch)
{
    unsigned char c = (unsigned char)ch;

    if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7))
        return (char)(c - 0x20);
    return ch;
}

NTSYSAPI VOID NTAPI RtlInitUnicodeString(_Out_ PUNICODE_STRING DestinationString,
                                         _In_opt_z_ PCWSTR SourceString)
{
    size_t n = SourceString ? wlen(SourceString) * sizeof(WCHAR) : 0;

    if (n > MAX_USTR_BYTES)
        n = MAX_USTR_BYTES;
    DestinationString->Buffer = (PWCH)SourceString;
    DestinationString->Length = (USHORT)n;
    DestinationString->MaximumLength = SourceString ? (USHORT)(n + sizeof(WCHAR)) : 0;
}

NTSYSAPI NTSTATUS NTAPI RtlInitUnicodeStringEx(_Out_ PUNICODE_STRING DestinationString,
                                               _In_opt_z_ PCWSTR SourceString)
{
    size_t n = SourceString ? wlen(SourceString) * sizeof(WCHAR) : 0;

    if (n > MAX_USTR_BYTES)
        return STATUS_NAME_TOO_LONG;
    RtlInitUnicodeString(DestinationString, SourceString);
    return STATUS_SUCCESS;
}

NTSYSAPI VOID NTAPI RtlInitString(_Out_ PSTRING DestinationString, _In_opt_z_ PCSZ SourceString)
{
    size_t n = SourceString ? strlen(SourceString) : 0;

    if (n > MAX_ASTR_BYTES)
        n = MAX_ASTR_BYTES;
    DestinationString->Buffer = (PCHAR)SourceString;
    DestinationString->Length = (USHORT)n;
    DestinationString->MaximumLength = SourceString ? (USHORT)(n + 1) : 0;
}

NTSYSAPI VOID NTAPI RtlInitAnsiString(_Out_ PANSI_STRING DestinationString,
                                      _In_opt_z_ PCSZ SourceString)
{
    RtlInitString(DestinationString, SourceString);
}

NTSYSAPI NTSTATUS NTAPI RtlInitAnsiStringEx(_Out_ PANSI_STRING DestinationString,
                                            _In_opt_z_ PCSZ SourceString)
{
    if (SourceString && strlen(SourceString) > MAX_ASTR_BYTES)
        return STATUS_NAME_TOO_LONG;
    RtlInitString(DestinationString, SourceString);
    return STATUS_SUCCESS;
}

/* RtlCopyUnicodeString: copies what fits (truncating silently, as documented) and adds a NUL
 * only when there is room for it. */
NTSYSAPI VOID NTAPI RtlCopyUnicodeString(_Inout_ PUNICODE_STRING DestinationString,
                                         _In_opt_ PCUNICODE_STRING SourceString)
{
    USHORT n;

    if (!SourceString) {
        DestinationString->Length = 0;
        return;
    }
    n = SourceString->Length < DestinationString->MaximumLength ? SourceString->Length
                                                                : DestinationString->MaximumLength;
    n &= (USHORT)~1u;
    memmove(DestinationString->Buffer, SourceString->Buffer, n);
    DestinationString->Length = n;
    if (n + sizeof(WCHAR) <= DestinationString->MaximumLength)
        DestinationString->Buffer[n / sizeof(WCHAR)] = UNICODE_NULL;
}

NTSYSAPI VOID NTAPI RtlCopyString(_Out_ PSTRING DestinationString,
                                  _In_opt_ const STRING *SourceString)
{
    USHORT n;

    if (!SourceString) {
        DestinationString->Length = 0;
        return;
    }
    n = SourceString->Length < DestinationString->MaximumLength ? SourceString->Length
                                                                : DestinationString->MaximumLength;
    memmove(DestinationString->Buffer, SourceString->Buffer, n);
    DestinationString->Length = n;
    if (n < DestinationString->MaximumLength)
        DestinationString->Buffer[n] = ANSI_NULL;
}

NTSYSAPI LONG NTAPI RtlCompareUnicodeString(_In_ PCUNICODE_STRING String1,
                                            _In_ PCUNICODE_STRING String2,
                                            _In_ BOOLEAN CaseInSensitive)
{
    size_t n1 = String1->Length / sizeof(WCHAR), n2 = String2->Length / sizeof(WCHAR);
    size_t n = n1 < n2 ? n1 : n2;

    for (size_t i = 0; i < n; i++) {
        WCHAR a = String1->Buffer[i], b = String2->Buffer[i];
        if (CaseInSensitive) {
            a = owsk_rtl_upcase(a);
            b = owsk_rtl_upcase(b);
        }
        if (a != b)
            return (LONG)a - (LONG)b;
    }
    return (LONG)n1 - (LONG)n2;
}

NTSYSAPI BOOLEAN NTAPI RtlEqualUnicodeString(_In_ PCUNICODE_STRING String1,
                                             _In_ PCUNICODE_STRING String2,
                                             _In_ BOOLEAN CaseInSensitive)
{
    if (String1->Length / sizeof(WCHAR) != String2->Length / sizeof(WCHAR))
        return FALSE;
    return RtlCompareUnicodeString(String1, String2, CaseInSensitive) == 0;
}

NTSYSAPI LONG NTAPI RtlCompareString(_In_ const STRING *String1, _In_ const STRING *String2,
                                     _In_ BOOLEAN CaseInSensitive)
{
    USHORT n = String1->Length < String2->Length ? String1->Length : String2->Length;

    for (USHORT i = 0; i < n; i++) {
        char a = String1->Buffer[i], b = String2->Buffer[i];
        if (CaseInSensitive) {
            a = upcase_ansi(a);
            b = upcase_ansi(b);
        }
        /* Windows compares CHARs, which are signed. */
        if (a != b)
            return (LONG)(signed char)a - (LONG)(signed char)b;
    }
    return (LONG)String1->Length - (LONG)String2->Length;
}

NTSYSAPI BOOLEAN NTAPI RtlEqualString(_In_ const STRING *String1, _In_ const STRING *String2,
                                      _In_ BOOLEAN CaseInSensitive)
{
    if (String1->Length != String2->Length)
        return FALSE;
    return RtlCompareString(String1, String2, CaseInSensitive) == 0;
}

NTSYSAPI BOOLEAN NTAPI RtlPrefixUnicodeString(_In_ PCUNICODE_STRING String1,
                                              _In_ PCUNICODE_STRING String2,
                                              _In_ BOOLEAN CaseInSensitive)
{
    size_t n = String1->Length / sizeof(WCHAR);

    if (n > String2->Length / sizeof(WCHAR))
        return FALSE;
    for (size_t i = 0; i < n; i++) {
        WCHAR a = String1->Buffer[i], b = String2->Buffer[i];
        if (CaseInSensitive) {
            a = owsk_rtl_upcase(a);
            b = owsk_rtl_upcase(b);
        }
        if (a != b)
            return FALSE;
    }
    return TRUE;
}

static NTSTATUS append_units(PUNICODE_STRING Destination, const WCHAR *src, size_t bytes)
{
    size_t len = Destination->Length;

    if (len + bytes > Destination->MaximumLength)
        return STATUS_BUFFER_TOO_SMALL;
    memmove((char *)Destination->Buffer + len, src, bytes);
    len += bytes;
    Destination->Length = (USHORT)len;
    if (len + sizeof(WCHAR) <= Destination->MaximumLength)
        Destination->Buffer[len / sizeof(WCHAR)] = UNICODE_NULL;
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlAppendUnicodeStringToString(_Inout_ PUNICODE_STRING Destination,
                                                       _In_ PCUNICODE_STRING Source)
{
    if (!Source->Length)
        return STATUS_SUCCESS;
    return append_units(Destination, Source->Buffer, Source->Length);
}

NTSYSAPI NTSTATUS NTAPI RtlAppendUnicodeToString(_Inout_ PUNICODE_STRING Destination,
                                                 _In_opt_z_ PCWSTR Source)
{
    if (!Source)
        return STATUS_SUCCESS;
    return append_units(Destination, Source, wlen(Source) * sizeof(WCHAR));
}

NTSYSAPI NTSTATUS NTAPI RtlAppendStringToString(_Inout_ PSTRING Destination,
                                                _In_ const STRING *Source)
{
    size_t len = Destination->Length;

    if (!Source->Length)
        return STATUS_SUCCESS;
    if (len + Source->Length > Destination->MaximumLength)
        return STATUS_BUFFER_TOO_SMALL;
    memmove(Destination->Buffer + len, Source->Buffer, Source->Length);
    Destination->Length = (USHORT)(len + Source->Length);
    return STATUS_SUCCESS;
}

NTSYSAPI WCHAR NTAPI RtlUpcaseUnicodeChar(_In_ WCHAR SourceCharacter)
{
    return owsk_rtl_upcase(SourceCharacter);
}

NTSYSAPI CHAR NTAPI RtlUpperChar(_In_ CHAR Character)
{
    return upcase_ansi(Character);
}

NTSYSAPI NTSTATUS NTAPI RtlUpcaseUnicodeString(
    _When_(AllocateDestinationString, _Out_) PUNICODE_STRING DestinationString,
    _In_ PCUNICODE_STRING SourceString, _In_ BOOLEAN AllocateDestinationString)
{
    USHORT len = SourceString->Length & (USHORT)~1u;
    WCHAR *buf;

    if (AllocateDestinationString) {
        buf = owsk_rtl_alloc(len);
        if (!buf)
            return STATUS_NO_MEMORY;
        DestinationString->Buffer = buf;
        DestinationString->MaximumLength = len;
    } else if (len > DestinationString->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (size_t i = 0; i < len / sizeof(WCHAR); i++)
        DestinationString->Buffer[i] = owsk_rtl_upcase(SourceString->Buffer[i]);
    DestinationString->Length = len;
    return STATUS_SUCCESS;
}

NTSYSAPI VOID NTAPI RtlFreeUnicodeString(
    _Inout_ _At_(UnicodeString->Buffer, _Frees_ptr_opt_) PUNICODE_STRING UnicodeString)
{
    if (UnicodeString->Buffer) {
        owsk_rtl_free(UnicodeString->Buffer);
        memset(UnicodeString, 0, sizeof(*UnicodeString));
    }
}

NTSYSAPI VOID NTAPI RtlFreeAnsiString(
    _Inout_ _At_(AnsiString->Buffer, _Frees_ptr_opt_) PANSI_STRING AnsiString)
{
    if (AnsiString->Buffer) {
        owsk_rtl_free(AnsiString->Buffer);
        memset(AnsiString, 0, sizeof(*AnsiString));
    }
}


/* Odd lengths and Length > MaximumLength are STATUS_INVALID_PARAMETER here, as Windows'
 * RtlValidateUnicodeString-based check does. */
NTSYSAPI NTSTATUS NTAPI RtlDuplicateUnicodeString(_In_ ULONG Flags,
                                                  _In_ PCUNICODE_STRING StringIn,
                                                  _Out_ PUNICODE_STRING StringOut)
{
    bool nul = Flags & RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE;
    size_t len, cap;
    WCHAR *buf;

    if (!StringIn || !StringOut || (Flags & ~3u) ||
        (Flags & RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING && !nul))
        return STATUS_INVALID_PARAMETER;
    if ((StringIn->Length & 1) || (StringIn->MaximumLength & 1) ||
        StringIn->Length > StringIn->MaximumLength || (StringIn->Length && !StringIn->Buffer))
        return STATUS_INVALID_PARAMETER;
    len = StringIn->Length;
    if (len == 0 && !(Flags & RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING)) {
        memset(StringOut, 0, sizeof(*StringOut));
        return STATUS_SUCCESS;
    }
    cap = len + (nul ? sizeof(WCHAR) : 0);
    if (cap > 0xFFFE)
        return STATUS_NAME_TOO_LONG;
    buf = owsk_rtl_alloc(cap);
    if (!buf)
        return STATUS_NO_MEMORY;
    memcpy(buf, StringIn->Buffer, len);
    if (nul)
        buf[len / sizeof(WCHAR)] = UNICODE_NULL;
    StringOut->Buffer = buf;
    StringOut->Length = (USHORT)len;
    StringOut->MaximumLength = (USHORT)cap;
    return STATUS_SUCCESS;
}
