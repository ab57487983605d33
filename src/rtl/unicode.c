/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ANSI <-> Unicode string conversions and their size helpers, plus UTF-8 <-> UTF-16 for the
 * host side. The "ANSI code page" here is Latin-1 (one byte per character, '?' for anything
 * else); Windows uses the system ACP (usually 1252), which differs only in 0x80-0x9F. */
#include <string.h>

#include <wdm.h>

#include "rtl/rtl.h"

NTSYSAPI ULONG NTAPI RtlxAnsiStringToUnicodeSize(_In_ PCANSI_STRING AnsiString)
{
    return ((ULONG)AnsiString->Length + 1) * sizeof(WCHAR);
}

NTSYSAPI ULONG NTAPI RtlxUnicodeStringToAnsiSize(_In_ PCUNICODE_STRING UnicodeString)
{
    return ((ULONG)UnicodeString->Length + sizeof(WCHAR)) / sizeof(WCHAR);
}

/* The result keeps a NUL; with a caller buffer, a result that leaves no room for it is
 * STATUS_BUFFER_OVERFLOW and nothing is written. */
NTSYSAPI NTSTATUS NTAPI RtlAnsiStringToUnicodeString(
    _When_(AllocateDestinationString, _Out_) PUNICODE_STRING DestinationString,
    _In_ PCANSI_STRING SourceString, _In_ BOOLEAN AllocateDestinationString)
{
    ULONG size = RtlxAnsiStringToUnicodeSize(SourceString);
    USHORT len;
    WCHAR *buf;

    if (size > 0xFFFF)
        return STATUS_INVALID_PARAMETER_2;
    len = (USHORT)(size - sizeof(WCHAR));
    if (AllocateDestinationString) {
        buf = owsk_rtl_alloc(size);
        if (!buf)
            return STATUS_NO_MEMORY;
        DestinationString->Buffer = buf;
        DestinationString->MaximumLength = (USHORT)size;
    } else if (len >= DestinationString->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (USHORT i = 0; i < SourceString->Length; i++)
        DestinationString->Buffer[i] =
            owsk_rtl_ansi_to_wchar((unsigned char)SourceString->Buffer[i]);
    DestinationString->Buffer[len / sizeof(WCHAR)] = UNICODE_NULL;
    DestinationString->Length = len;
    return STATUS_SUCCESS;
}

/* With a caller buffer too small, Windows converts what fits (MaximumLength - 1 characters),
 * NUL-terminates and returns STATUS_BUFFER_OVERFLOW; so do we. */
NTSYSAPI NTSTATUS NTAPI RtlUnicodeStringToAnsiString(
    _When_(AllocateDestinationString, _Out_) PANSI_STRING DestinationString,
    _In_ PCUNICODE_STRING SourceString, _In_ BOOLEAN AllocateDestinationString)
{
    ULONG size = RtlxUnicodeStringToAnsiSize(SourceString);
    NTSTATUS status = STATUS_SUCCESS;
    USHORT len;
    char *buf;

    if (size > 0xFFFF)
        return STATUS_INVALID_PARAMETER_2;
    len = (USHORT)(size - 1);
    if (AllocateDestinationString) {
        buf = owsk_rtl_alloc(size);
        if (!buf)
            return STATUS_NO_MEMORY;
        DestinationString->Buffer = buf;
        DestinationString->MaximumLength = (USHORT)size;
    } else if (len >= DestinationString->MaximumLength) {
        if (!DestinationString->MaximumLength)
            return STATUS_BUFFER_OVERFLOW;
        status = STATUS_BUFFER_OVERFLOW;
        len = DestinationString->MaximumLength - 1;
    }
    for (USHORT i = 0; i < len; i++)
        DestinationString->Buffer[i] = owsk_rtl_wchar_to_ansi(SourceString->Buffer[i]);
    DestinationString->Buffer[len] = ANSI_NULL;
    DestinationString->Length = len;
    return status;
}

/* ---- UTF-8 <-> UTF-16 (host API strings, the formatter) ---- */

/* Decodes one code point; invalid or truncated sequences yield the lead byte as Latin-1. */
static uint32_t utf8_next(const unsigned char *s, size_t len, size_t *i)
{
    unsigned char c = s[*i];
    uint32_t cp;
    int n;

    if (c < 0x80) {
        (*i)++;
        return c;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 1;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3;
        cp = c & 0x07;
    } else {
        (*i)++;
        return c;
    }
    if (*i + (size_t)n >= len) {
        (*i)++;
        return c;
    }
    for (int k = 1; k <= n; k++) {
        if ((s[*i + k] & 0xC0) != 0x80) {
            (*i)++;
            return c;
        }
        cp = (cp << 6) | (s[*i + k] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
        (*i)++;
        return c;
    }
    *i += (size_t)n + 1;
    return cp;
}

size_t owsk_rtl_utf8_to_utf16(const char *s, size_t len, WCHAR *out, size_t cap)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, n = 0, w = 0; /* n: units needed, w: units written */

    while (i < len) {
        uint32_t cp = utf8_next(u, len, &i);
        if (cp >= 0x10000) {
            if (w == n && n + 2 < cap) {
                out[n] = (WCHAR)(0xD800 + ((cp - 0x10000) >> 10));
                out[n + 1] = (WCHAR)(0xDC00 + ((cp - 0x10000) & 0x3FF));
                w += 2;
            }
            n += 2;
        } else {
            if (w == n && n + 1 < cap) {
                out[n] = (WCHAR)cp;
                w++;
            }
            n++;
        }
    }
    if (cap)
        out[w] = 0;
    return n;
}

/* Lone surrogates become U+FFFD. */
size_t owsk_rtl_utf16_to_utf8(const WCHAR *s, size_t len, char *out, size_t cap)
{
    size_t n = 0, w = 0; /* n: bytes needed, w: bytes written (whole sequences only) */

    for (size_t i = 0; i < len; i++) {
        uint32_t cp = s[i];
        unsigned char b[4];
        int k;

        if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < len && s[i + 1] >= 0xDC00 &&
            s[i + 1] <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (s[i + 1] - 0xDC00u);
            i++;
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD;
        }
        if (cp < 0x80) {
            b[0] = (unsigned char)cp;
            k = 1;
        } else if (cp < 0x800) {
            b[0] = (unsigned char)(0xC0 | (cp >> 6));
            b[1] = (unsigned char)(0x80 | (cp & 0x3F));
            k = 2;
        } else if (cp < 0x10000) {
            b[0] = (unsigned char)(0xE0 | (cp >> 12));
            b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            b[2] = (unsigned char)(0x80 | (cp & 0x3F));
            k = 3;
        } else {
            b[0] = (unsigned char)(0xF0 | (cp >> 18));
            b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
            b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            b[3] = (unsigned char)(0x80 | (cp & 0x3F));
            k = 4;
        }
        if (w == n && n + (size_t)k < cap) {
            memcpy(out + n, b, (size_t)k);
            w += (size_t)k;
        }
        n += (size_t)k;
    }
    if (cap)
        out[w] = 0;
    return n;
}
