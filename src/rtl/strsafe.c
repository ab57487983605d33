/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntstrsafe.h: RtlStringCb/Cch Copy/CopyN/Cat/CatN/Printf/VPrintf/Length (A and W, plain and
 * Ex with the STRSAFE_* flags) and the RtlUnicodeString* forms, with the WDK's status results;
 * Printf uses the MSVC-dialect formatter. One generic worker per operation serves both widths
 * (csz = 1 or 2 bytes per character); the exported functions below are thin wrappers. */
#include <string.h>

#include <ntstrsafe.h>

#include "rtl/rtl.h"

enum op { OP_COPY, OP_CAT, OP_PRINTF };

static uint32_t get(const void *s, size_t csz, size_t i)
{
    return csz == 1 ? (unsigned char)((const char *)s)[i] : ((const WCHAR *)s)[i];
}

static void put(void *s, size_t csz, size_t i, uint32_t c)
{
    if (csz == 1)
        ((char *)s)[i] = (char)c;
    else
        ((WCHAR *)s)[i] = (WCHAR)c;
}

static void *at(const void *s, size_t csz, size_t i)
{
    return (char *)s + i * csz;
}

/* Length up to max characters; *ret_len = max when there is no NUL within them. */
static size_t bounded_len(const void *s, size_t csz, size_t max)
{
    size_t n = 0;

    while (n < max && get(s, csz, n))
        n++;
    return n;
}

/* Everything except the validation: writes at most cch - 1 characters after `start` (which is
 * < cch) and a NUL; *ret_end = the NUL's index. */
static NTSTATUS work(enum op op, void *dst, size_t cch, size_t start, const void *src,
                     size_t max_src, bool wide_fmt, va_list *ap, size_t csz, size_t *ret_end)
{
    if (op == OP_PRINTF) {
        struct owsk_fmt_out o = {.wide = csz == 2, .buf = at(dst, csz, start),
                                 .cap = cch - 1 - start};
        owsk_rtl_vformat(&o, src, wide_fmt, *ap);
        put(dst, csz, start + o.len, 0);
        *ret_end = start + o.len;
        return o.need > o.cap ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
    }
    {
        size_t i = 0, room = cch - 1 - start;
        while (i < room && i < max_src && get(src, csz, i)) {
            put(dst, csz, start + i, get(src, csz, i));
            i++;
        }
        put(dst, csz, start + i, 0);
        *ret_end = start + i;
        return (i == room && i < max_src && get(src, csz, i)) ? STATUS_BUFFER_OVERFLOW
                                                               : STATUS_SUCCESS;
    }
}

/* The whole contract of the Ex functions; the plain ones are Ex with no flags and no outputs.
 * limited: the N forms, which use at most max_src characters of src. */
static NTSTATUS core(enum op op, void *dst, size_t cch, const void *src, bool limited,
                     size_t max_src, va_list *ap, size_t csz, void **ret_end, size_t *ret_rem,
                     DWORD flags)
{
    static const WCHAR empty[1] = {0};
    size_t start = 0, end = 0, rem = 0;
    NTSTATUS status = STATUS_SUCCESS;
    void *end_ptr = dst;

    if (flags & ~(DWORD)STRSAFE_VALID_FLAGS)
        status = STATUS_INVALID_PARAMETER;
    else if (cch > NTSTRSAFE_MAX_CCH || (limited && max_src > NTSTRSAFE_MAX_LENGTH))
        status = STATUS_INVALID_PARAMETER;
    else if (flags & STRSAFE_IGNORE_NULLS) {
        if (!dst && cch)
            status = STATUS_INVALID_PARAMETER;
        if (!src)
            src = empty;
    } else if (!dst || cch == 0 || !src) {
        status = STATUS_INVALID_PARAMETER;
    }
    if (!limited)
        max_src = (size_t)-1;
    if (NT_SUCCESS(status) && op == OP_CAT) {
        start = bounded_len(dst, csz, cch);
        if (start == cch)
            status = STATUS_INVALID_PARAMETER; /* the destination is not terminated */
    }
    if (NT_SUCCESS(status)) {
        if (cch == 0) {
            /* only reachable with STRSAFE_IGNORE_NULLS */
            if (op == OP_PRINTF ? get(src, csz, 0) != 0 : (max_src && get(src, csz, 0)))
                status = dst ? STATUS_BUFFER_OVERFLOW : STATUS_INVALID_PARAMETER;
        } else {
            status = work(op, dst, cch, start, src, max_src, csz == 2, ap, csz, &end);
            end_ptr = at(dst, csz, end);
            rem = cch - end;
            if (NT_SUCCESS(status) && (flags & STRSAFE_FILL_BEHIND_NULL) && rem > 1)
                memset(at(dst, csz, end + 1), STRSAFE_GET_FILL_PATTERN(flags), (rem - 1) * csz);
        }
    }
    if (!NT_SUCCESS(status) && dst && cch && cch <= NTSTRSAFE_MAX_CCH) {
        if (flags & STRSAFE_FILL_ON_FAILURE) {
            memset(dst, STRSAFE_GET_FILL_PATTERN(flags), cch * csz);
            if (STRSAFE_GET_FILL_PATTERN(flags) == 0) {
                end_ptr = dst;
                rem = cch;
            } else {
                end_ptr = at(dst, csz, cch - 1);
                rem = 1;
                put(dst, csz, cch - 1, 0);
            }
        }
        if (flags & (STRSAFE_NULL_ON_FAILURE | STRSAFE_NO_TRUNCATION)) {
            /* Cat with NO_TRUNCATION keeps what was there; everything else empties */
            size_t keep = (op == OP_CAT && !(flags & STRSAFE_NULL_ON_FAILURE) &&
                           status == STATUS_BUFFER_OVERFLOW)
                              ? start
                              : 0;
            end_ptr = at(dst, csz, keep);
            rem = cch - keep;
            put(dst, csz, keep, 0);
        }
        if (!(flags & (STRSAFE_FILL_ON_FAILURE | STRSAFE_NULL_ON_FAILURE |
                       STRSAFE_NO_TRUNCATION)) &&
            status == STATUS_INVALID_PARAMETER && op != OP_CAT)
            put(dst, csz, 0, 0); /* the plain functions leave an empty string behind */
    }
    if (NT_SUCCESS(status) || status == STATUS_BUFFER_OVERFLOW) {
        if (ret_end)
            *ret_end = end_ptr;
        if (ret_rem)
            *ret_rem = rem;
    }
    return status;
}

static NTSTATUS length(const void *s, size_t cch_max, size_t csz, size_t *ret)
{
    size_t n;

    if (!s || cch_max > NTSTRSAFE_MAX_CCH) {
        if (ret)
            *ret = 0;
        return STATUS_INVALID_PARAMETER;
    }
    n = bounded_len(s, csz, cch_max);
    if (n == cch_max) {
        if (ret)
            *ret = 0;
        return STATUS_INVALID_PARAMETER;
    }
    if (ret)
        *ret = n;
    return STATUS_SUCCESS;
}

/* Cb forms: bytes <-> characters; a W buffer's odd byte is unusable but counted in
 * *pcbRemaining, as ntstrsafe does. */
static size_t cb_rem(size_t rem, size_t cb, size_t csz)
{
    return rem * csz + cb % csz;
}

/* ---- generated wrappers: one set per width ---- */

#define STRSAFE_SET(X, CH, CSZ)                                                                \
    NTSTRSAFEDDI RtlStringCchCopy##X(CH *pszDest, size_t cchDest, const CH *pszSrc)            \
    {                                                                                          \
        return core(OP_COPY, pszDest, cchDest, pszSrc, false, 0, NULL, CSZ, NULL, NULL, 0);       \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCchCopyEx##X(CH *pszDest, size_t cchDest, const CH *pszSrc,          \
                                       CH **ppszDestEnd, size_t *pcchRemaining, DWORD dwFlags) \
    {                                                                                          \
        return core(OP_COPY, pszDest, cchDest, pszSrc, false, 0, NULL, CSZ, (void **)ppszDestEnd, \
                    pcchRemaining, dwFlags);                                                   \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCchCopyN##X(CH *pszDest, size_t cchDest, const CH *pszSrc,           \
                                      size_t cchToCopy)                                        \
    {                                                                                          \
        return core(OP_COPY, pszDest, cchDest, pszSrc, true, cchToCopy, NULL, CSZ, NULL, NULL, \
                    0);                                                                        \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCchCopyNEx##X(CH *pszDest, size_t cchDest, const CH *pszSrc,         \
                                        size_t cchToCopy, CH **ppszDestEnd,                    \
                                        size_t *pcchRemaining, DWORD dwFlags)                  \
    {                                                                                          \
        return core(OP_COPY, pszDest, cchDest, pszSrc, true, cchToCopy, NULL, CSZ,             \
                    (void **)ppszDestEnd, pcchRemaining, dwFlags);                             \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCchCat##X(CH *pszDest, size_t cchDest, const CH *pszSrc)             \
    {                                                                                          \
        return core(OP_CAT, pszDest, cchDest, pszSrc, false, 0, NULL, CSZ, NULL, NULL, 0);        \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCchCatEx##X(CH *pszDest, size_t cchDest, const CH *pszSrc,           \
                                      CH **ppszDestEnd, size_t *pcchRemaining, DWORD dwFlags)  \
    {                                                                                          \
        return core(OP_CAT, pszDest, cchDest, pszSrc, false, 0, NULL, CSZ, (void **)ppszDestEnd,  \
                    pcchRemaining, dwFlags);                                                   \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCchCatN##X(CH *pszDest, size_t cchDest, const CH *pszSrc,            \
                                     size_t cchToAppend)                                       \
    {                                                                                          \
        return core(OP_CAT, pszDest, cchDest, pszSrc, true, cchToAppend, NULL, CSZ, NULL,      \
                    NULL, 0);                                                                  \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCchCatNEx##X(CH *pszDest, size_t cchDest, const CH *pszSrc,          \
                                       size_t cchToAppend, CH **ppszDestEnd,                   \
                                       size_t *pcchRemaining, DWORD dwFlags)                   \
    {                                                                                          \
        return core(OP_CAT, pszDest, cchDest, pszSrc, true, cchToAppend, NULL, CSZ,            \
                    (void **)ppszDestEnd, pcchRemaining, dwFlags);                             \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCchVPrintf##X(CH *pszDest, size_t cchDest, const CH *pszFormat,      \
                                        va_list argList)                                       \
    {                                                                                          \
        va_list ap;                                                                            \
        NTSTATUS s;                                                                            \
        va_copy(ap, argList);                                                                  \
        s = core(OP_PRINTF, pszDest, cchDest, pszFormat, false, 0, &ap, CSZ, NULL, NULL, 0);      \
        va_end(ap);                                                                            \
        return s;                                                                              \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCchVPrintfEx##X(CH *pszDest, size_t cchDest, CH **ppszDestEnd,       \
                                          size_t *pcchRemaining, DWORD dwFlags,                \
                                          const CH *pszFormat, va_list argList)                \
    {                                                                                          \
        va_list ap;                                                                            \
        NTSTATUS s;                                                                            \
        va_copy(ap, argList);                                                                  \
        s = core(OP_PRINTF, pszDest, cchDest, pszFormat, false, 0, &ap, CSZ,                      \
                 (void **)ppszDestEnd, pcchRemaining, dwFlags);                                \
        va_end(ap);                                                                            \
        return s;                                                                              \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCchPrintf##X(CH *pszDest, size_t cchDest, const CH *pszFormat, ...)  \
    {                                                                                          \
        va_list ap;                                                                            \
        NTSTATUS s;                                                                            \
        va_start(ap, pszFormat);                                                               \
        s = core(OP_PRINTF, pszDest, cchDest, pszFormat, false, 0, &ap, CSZ, NULL, NULL, 0);      \
        va_end(ap);                                                                            \
        return s;                                                                              \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCchPrintfEx##X(CH *pszDest, size_t cchDest, CH **ppszDestEnd,        \
                                         size_t *pcchRemaining, DWORD dwFlags,                 \
                                         const CH *pszFormat, ...)                             \
    {                                                                                          \
        va_list ap;                                                                            \
        NTSTATUS s;                                                                            \
        va_start(ap, pszFormat);                                                               \
        s = core(OP_PRINTF, pszDest, cchDest, pszFormat, false, 0, &ap, CSZ,                      \
                 (void **)ppszDestEnd, pcchRemaining, dwFlags);                                \
        va_end(ap);                                                                            \
        return s;                                                                              \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCchLength##X(const CH *psz, size_t cchMax, size_t *pcchLength)       \
    {                                                                                          \
        return length(psz, cchMax, CSZ, pcchLength);                                           \
    }                                                                                          \
    /* Cb forms */                                                                             \
    NTSTRSAFEDDI RtlStringCbCopy##X(CH *pszDest, size_t cbDest, const CH *pszSrc)              \
    {                                                                                          \
        return RtlStringCchCopy##X(pszDest, cbDest / CSZ, pszSrc);                             \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCbCopyEx##X(CH *pszDest, size_t cbDest, const CH *pszSrc,            \
                                      CH **ppszDestEnd, size_t *pcbRemaining, DWORD dwFlags)   \
    {                                                                                          \
        size_t rem;                                                                            \
        NTSTATUS s = RtlStringCchCopyEx##X(pszDest, cbDest / CSZ, pszSrc, ppszDestEnd, &rem,   \
                                           dwFlags);                                           \
        if ((NT_SUCCESS(s) || s == STATUS_BUFFER_OVERFLOW) && pcbRemaining)                    \
            *pcbRemaining = cb_rem(rem, cbDest, CSZ);                                          \
        return s;                                                                              \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCbCopyN##X(CH *pszDest, size_t cbDest, const CH *pszSrc,             \
                                     size_t cbToCopy)                                          \
    {                                                                                          \
        return RtlStringCchCopyN##X(pszDest, cbDest / CSZ, pszSrc, cbToCopy / CSZ);            \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCbCopyNEx##X(CH *pszDest, size_t cbDest, const CH *pszSrc,           \
                                       size_t cbToCopy, CH **ppszDestEnd,                      \
                                       size_t *pcbRemaining, DWORD dwFlags)                    \
    {                                                                                          \
        size_t rem;                                                                            \
        NTSTATUS s = RtlStringCchCopyNEx##X(pszDest, cbDest / CSZ, pszSrc, cbToCopy / CSZ,     \
                                            ppszDestEnd, &rem, dwFlags);                       \
        if ((NT_SUCCESS(s) || s == STATUS_BUFFER_OVERFLOW) && pcbRemaining)                    \
            *pcbRemaining = cb_rem(rem, cbDest, CSZ);                                          \
        return s;                                                                              \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCbCat##X(CH *pszDest, size_t cbDest, const CH *pszSrc)               \
    {                                                                                          \
        return RtlStringCchCat##X(pszDest, cbDest / CSZ, pszSrc);                              \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCbCatEx##X(CH *pszDest, size_t cbDest, const CH *pszSrc,             \
                                     CH **ppszDestEnd, size_t *pcbRemaining, DWORD dwFlags)    \
    {                                                                                          \
        size_t rem;                                                                            \
        NTSTATUS s = RtlStringCchCatEx##X(pszDest, cbDest / CSZ, pszSrc, ppszDestEnd, &rem,    \
                                          dwFlags);                                            \
        if ((NT_SUCCESS(s) || s == STATUS_BUFFER_OVERFLOW) && pcbRemaining)                    \
            *pcbRemaining = cb_rem(rem, cbDest, CSZ);                                          \
        return s;                                                                              \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCbCatN##X(CH *pszDest, size_t cbDest, const CH *pszSrc,              \
                                    size_t cbToAppend)                                         \
    {                                                                                          \
        return RtlStringCchCatN##X(pszDest, cbDest / CSZ, pszSrc, cbToAppend / CSZ);           \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCbCatNEx##X(CH *pszDest, size_t cbDest, const CH *pszSrc,            \
                                      size_t cbToAppend, CH **ppszDestEnd,                     \
                                      size_t *pcbRemaining, DWORD dwFlags)                     \
    {                                                                                          \
        size_t rem;                                                                            \
        NTSTATUS s = RtlStringCchCatNEx##X(pszDest, cbDest / CSZ, pszSrc, cbToAppend / CSZ,    \
                                           ppszDestEnd, &rem, dwFlags);                        \
        if ((NT_SUCCESS(s) || s == STATUS_BUFFER_OVERFLOW) && pcbRemaining)                    \
            *pcbRemaining = cb_rem(rem, cbDest, CSZ);                                          \
        return s;                                                                              \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCbVPrintf##X(CH *pszDest, size_t cbDest, const CH *pszFormat,        \
                                       va_list argList)                                        \
    {                                                                                          \
        return RtlStringCchVPrintf##X(pszDest, cbDest / CSZ, pszFormat, argList);              \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCbVPrintfEx##X(CH *pszDest, size_t cbDest, CH **ppszDestEnd,         \
                                         size_t *pcbRemaining, DWORD dwFlags,                  \
                                         const CH *pszFormat, va_list argList)                 \
    {                                                                                          \
        size_t rem;                                                                            \
        NTSTATUS s = RtlStringCchVPrintfEx##X(pszDest, cbDest / CSZ, ppszDestEnd, &rem,        \
                                              dwFlags, pszFormat, argList);                    \
        if ((NT_SUCCESS(s) || s == STATUS_BUFFER_OVERFLOW) && pcbRemaining)                    \
            *pcbRemaining = cb_rem(rem, cbDest, CSZ);                                          \
        return s;                                                                              \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCbPrintf##X(CH *pszDest, size_t cbDest, const CH *pszFormat, ...)    \
    {                                                                                          \
        va_list ap;                                                                            \
        NTSTATUS s;                                                                            \
        va_start(ap, pszFormat);                                                               \
        s = RtlStringCchVPrintf##X(pszDest, cbDest / CSZ, pszFormat, ap);                      \
        va_end(ap);                                                                            \
        return s;                                                                              \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCbPrintfEx##X(CH *pszDest, size_t cbDest, CH **ppszDestEnd,          \
                                        size_t *pcbRemaining, DWORD dwFlags,                   \
                                        const CH *pszFormat, ...)                              \
    {                                                                                          \
        va_list ap;                                                                            \
        NTSTATUS s;                                                                            \
        va_start(ap, pszFormat);                                                               \
        s = RtlStringCbVPrintfEx##X(pszDest, cbDest, ppszDestEnd, pcbRemaining, dwFlags,       \
                                    pszFormat, ap);                                            \
        va_end(ap);                                                                            \
        return s;                                                                              \
    }                                                                                          \
    NTSTRSAFEDDI RtlStringCbLength##X(const CH *psz, size_t cbMax, size_t *pcbLength)          \
    {                                                                                          \
        size_t n;                                                                              \
        NTSTATUS s = length(psz, cbMax / CSZ, CSZ, &n);                                        \
        if (pcbLength)                                                                         \
            *pcbLength = n * CSZ;                                                              \
        return s;                                                                              \
    }

STRSAFE_SET(A, char, 1)
STRSAFE_SET(W, WCHAR, 2)

/* ---- UNICODE_STRING forms: counted, not NUL-terminated, at most 32767 characters ---- */

#define US_MAX_BYTES (NTSTRSAFE_UNICODE_STRING_MAX_CCH * sizeof(WCHAR))

static bool us_valid(PCUNICODE_STRING s)
{
    return s && !(s->Length & 1) && !(s->MaximumLength & 1) && s->Length <= s->MaximumLength &&
           s->MaximumLength <= US_MAX_BYTES && (s->Buffer || (!s->Length && !s->MaximumLength));
}

NTSTRSAFEDDI RtlUnicodeStringValidate(PCUNICODE_STRING SourceString)
{
    return us_valid(SourceString) ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

NTSTRSAFEDDI RtlUnicodeStringInit(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc)
{
    size_t n = 0;

    if (!DestinationString)
        return STATUS_INVALID_PARAMETER;
    if (pszSrc) {
        n = bounded_len(pszSrc, 2, NTSTRSAFE_UNICODE_STRING_MAX_CCH);
        if (n == NTSTRSAFE_UNICODE_STRING_MAX_CCH) {
            DestinationString->Buffer = NULL;
            DestinationString->Length = DestinationString->MaximumLength = 0;
            return STATUS_INVALID_PARAMETER;
        }
    }
    DestinationString->Buffer = (PWCH)pszSrc;
    DestinationString->Length = (USHORT)(n * sizeof(WCHAR));
    DestinationString->MaximumLength = pszSrc ? (USHORT)((n + 1) * sizeof(WCHAR)) : 0;
    return STATUS_SUCCESS;
}

/* Appends n characters after `start` bytes of Dest, as many as fit. */
static NTSTATUS us_put(PUNICODE_STRING Dest, size_t start, const WCHAR *src, size_t n)
{
    size_t room = (Dest->MaximumLength - start) / sizeof(WCHAR);
    NTSTATUS status = STATUS_SUCCESS;

    if (n > room) {
        n = room;
        status = STATUS_BUFFER_OVERFLOW;
    }
    memmove((char *)Dest->Buffer + start, src, n * sizeof(WCHAR));
    Dest->Length = (USHORT)(start + n * sizeof(WCHAR));
    return status;
}

NTSTRSAFEDDI RtlUnicodeStringCopy(PUNICODE_STRING DestinationString,
                                  PCUNICODE_STRING SourceString)
{
    if (!us_valid(DestinationString) || !us_valid(SourceString))
        return STATUS_INVALID_PARAMETER;
    return us_put(DestinationString, 0, SourceString->Buffer, SourceString->Length / 2);
}

NTSTRSAFEDDI RtlUnicodeStringCopyString(PUNICODE_STRING DestinationString,
                                        NTSTRSAFE_PCWSTR pszSrc)
{
    size_t n;

    if (!us_valid(DestinationString) || !pszSrc)
        return STATUS_INVALID_PARAMETER;
    n = bounded_len(pszSrc, 2, NTSTRSAFE_UNICODE_STRING_MAX_CCH + 1);
    return us_put(DestinationString, 0, pszSrc, n);
}

NTSTRSAFEDDI RtlUnicodeStringCat(PUNICODE_STRING DestinationString,
                                 PCUNICODE_STRING SourceString)
{
    if (!us_valid(DestinationString) || !us_valid(SourceString))
        return STATUS_INVALID_PARAMETER;
    return us_put(DestinationString, DestinationString->Length, SourceString->Buffer,
                  SourceString->Length / 2);
}

NTSTRSAFEDDI RtlUnicodeStringCatString(PUNICODE_STRING DestinationString,
                                       NTSTRSAFE_PCWSTR pszSrc)
{
    size_t n;

    if (!us_valid(DestinationString) || !pszSrc)
        return STATUS_INVALID_PARAMETER;
    n = bounded_len(pszSrc, 2, NTSTRSAFE_UNICODE_STRING_MAX_CCH + 1);
    return us_put(DestinationString, DestinationString->Length, pszSrc, n);
}

NTSTRSAFEDDI RtlUnicodeStringVPrintf(PUNICODE_STRING DestinationString,
                                     NTSTRSAFE_PCWSTR pszFormat, va_list argList)
{
    struct owsk_fmt_out o = {.wide = true};
    va_list ap;

    if (!us_valid(DestinationString) || !pszFormat)
        return STATUS_INVALID_PARAMETER;
    o.buf = DestinationString->Buffer;
    o.cap = DestinationString->MaximumLength / sizeof(WCHAR);
    va_copy(ap, argList);
    owsk_rtl_vformat(&o, pszFormat, true, ap);
    va_end(ap);
    DestinationString->Length = (USHORT)(o.len * sizeof(WCHAR));
    return o.need > o.cap ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

NTSTRSAFEDDI RtlUnicodeStringPrintf(PUNICODE_STRING DestinationString,
                                    NTSTRSAFE_PCWSTR pszFormat, ...)
{
    va_list ap;
    NTSTATUS s;

    va_start(ap, pszFormat);
    s = RtlUnicodeStringVPrintf(DestinationString, pszFormat, ap);
    va_end(ap);
    return s;
}
