/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Integer <-> text: RtlIntegerToUnicodeString, RtlUnicodeStringToInteger, RtlCharToInteger,
 * with Windows' rules (bases 2/8/10/16, 0b/0o/0x prefixes when Base is 0, leading white space
 * and sign, parsing stops at the first character that is not a digit of the base). */
#include <string.h>

#include <wdm.h>

#include "rtl/rtl.h"

static int digit_value(WCHAR c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* Shared by the char and WCHAR forms: s[0..n) is the text (n = SIZE_MAX: NUL-terminated). */
static NTSTATUS to_integer(const void *s, bool wide, size_t n, ULONG Base, PULONG Value)
{
    size_t i = 0;
    bool neg = false;
    ULONG v = 0;
#define AT(k) (wide ? ((const WCHAR *)s)[k] : (WCHAR)(unsigned char)((const char *)s)[k])
#define MORE(k) ((k) < n && AT(k) != 0)

    if (Base != 0 && Base != 2 && Base != 8 && Base != 10 && Base != 16)
        return STATUS_INVALID_PARAMETER;
    if (!Value)
        return STATUS_ACCESS_VIOLATION;
    while (MORE(i) && AT(i) <= ' ')
        i++;
    if (MORE(i) && (AT(i) == '+' || AT(i) == '-')) {
        neg = AT(i) == '-';
        i++;
    }
    if (Base == 0) {
        Base = 10;
        if (MORE(i) && AT(i) == '0' && MORE(i + 1)) {
            WCHAR p = AT(i + 1);
            if (p == 'x' || p == 'X')
                Base = 16;
            else if (p == 'o' || p == 'O')
                Base = 8;
            else if (p == 'b' || p == 'B')
                Base = 2;
            if (Base != 10)
                i += 2;
        }
    }
    /* No digits at all is 0 and success, as on Windows; overflow wraps as Windows' does. */
    while (MORE(i) && digit_value(AT(i)) < (int)Base) {
        v = v * Base + (ULONG)digit_value(AT(i));
        i++;
    }
#undef AT
#undef MORE
    *Value = neg ? (ULONG)(0u - v) : v;
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlUnicodeStringToInteger(_In_ PCUNICODE_STRING String,
                                                  _In_opt_ ULONG Base, _Out_ PULONG Value)
{
    return to_integer(String->Buffer, true, String->Length / sizeof(WCHAR), Base, Value);
}

NTSYSAPI NTSTATUS NTAPI RtlCharToInteger(_In_z_ PCSZ String, _In_opt_ ULONG Base,
                                         _Out_ PULONG Value)
{
    return to_integer(String, false, (size_t)-1, Base, Value);
}

/* Uppercase digits ("FF"), no prefix; the result must fit with its NUL, else
 * STATUS_BUFFER_OVERFLOW and the string is left unchanged. */
NTSYSAPI NTSTATUS NTAPI RtlIntegerToUnicodeString(_In_ ULONG Value, _In_opt_ ULONG Base,
                                                  _Inout_ PUNICODE_STRING String)
{
    char tmp[33];
    int n = 0;

    if (Base == 0)
        Base = 10;
    if (Base != 2 && Base != 8 && Base != 10 && Base != 16)
        return STATUS_INVALID_PARAMETER;
    do {
        tmp[sizeof(tmp) - 1 - n++] = "0123456789ABCDEF"[Value % Base];
        Value /= Base;
    } while (Value);
    if ((size_t)n * sizeof(WCHAR) >= String->MaximumLength)
        return STATUS_BUFFER_OVERFLOW;
    for (int i = 0; i < n; i++)
        String->Buffer[i] = (WCHAR)tmp[sizeof(tmp) - n + i];
    String->Buffer[n] = 0;
    String->Length = (USHORT)(n * sizeof(WCHAR));
    return STATUS_SUCCESS;
}
