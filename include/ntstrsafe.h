/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntstrsafe.h: bounded string copy, concatenate, format and length functions
 * (RtlStringCbXxx and RtlStringCchXxx, A and W) and the UNICODE_STRING forms. In the WDK these
 * are inline; here they are exported functions implemented in src/rtl, and the Printf forms
 * follow the MSVC format dialect (%I64d, %Iu, %ws, %wZ, %l = 32-bit) like DbgPrint.
 * Leaves out: the Gets (console) functions and the deprecated non-Rtl names. */
#ifndef _OWSK_NTSTRSAFE_H_
#define _OWSK_NTSTRSAFE_H_

#include <stdarg.h>
#include <stddef.h>

#include <ntdef.h>
#include <ntstatus.h>

#define NTSTRSAFE_MAX_CCH 2147483647
#define NTSTRSAFE_UNICODE_STRING_MAX_CCH 32767
#define NTSTRSAFE_MAX_LENGTH (NTSTRSAFE_MAX_CCH - 1)

#define STRSAFE_IGNORE_NULLS 0x00000100
#define STRSAFE_FILL_BEHIND_NULL 0x00000200
#define STRSAFE_FILL_ON_FAILURE 0x00000400
#define STRSAFE_NULL_ON_FAILURE 0x00000800
#define STRSAFE_NO_TRUNCATION 0x00001000
#define STRSAFE_IGNORE_NULL_UNICODE_STRINGS 0x00010000
#define STRSAFE_UNICODE_STRING_DEST_NULL_TERMINATED 0x00020000
#define STRSAFE_VALID_FLAGS                                                                        \
    (0x000000FF | STRSAFE_IGNORE_NULLS | STRSAFE_FILL_BEHIND_NULL | STRSAFE_FILL_ON_FAILURE |      \
     STRSAFE_NULL_ON_FAILURE | STRSAFE_NO_TRUNCATION)
#define STRSAFE_UNICODE_STRING_VALID_FLAGS                                                         \
    (STRSAFE_VALID_FLAGS | STRSAFE_IGNORE_NULL_UNICODE_STRINGS |                                   \
     STRSAFE_UNICODE_STRING_DEST_NULL_TERMINATED)
#define STRSAFE_FILL_BYTE(x) ((DWORD)(((x)&0x000000FF) | STRSAFE_FILL_BEHIND_NULL))
#define STRSAFE_FAILURE_BYTE(x) ((DWORD)(((x)&0x000000FF) | STRSAFE_FILL_ON_FAILURE))
#define STRSAFE_GET_FILL_PATTERN(dwFlags) ((int)((dwFlags)&0x000000FF))

typedef char *NTSTRSAFE_PSTR;
typedef const char *NTSTRSAFE_PCSTR;
typedef WCHAR *NTSTRSAFE_PWSTR;
typedef const WCHAR *NTSTRSAFE_PCWSTR;
typedef const WCHAR *NTSTRSAFE_PCUWSTR;
typedef const char *STRSAFE_PCNZCH;
typedef const WCHAR *STRSAFE_PCNZWCH;
typedef const WCHAR *STRSAFE_PCUNZWCH;
typedef char *STRSAFE_LPSTR;
typedef const char *STRSAFE_LPCSTR;
typedef WCHAR *STRSAFE_LPWSTR;
typedef const WCHAR *STRSAFE_LPCWSTR;

#define NTSTRSAFEDDI NTSYSAPI NTSTATUS NTAPI

EXTERN_C_START

/* ---- char ---- */
NTSTRSAFEDDI RtlStringCbCopyA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc);
NTSTRSAFEDDI RtlStringCbCopyExA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc,
                                NTSTRSAFE_PSTR *ppszDestEnd, size_t *pcbRemaining, DWORD dwFlags);
NTSTRSAFEDDI RtlStringCbCopyNA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc,
                               size_t cbToCopy);
NTSTRSAFEDDI RtlStringCbCopyNExA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc,
                                 size_t cbToCopy, NTSTRSAFE_PSTR *ppszDestEnd, size_t *pcbRemaining,
                                 DWORD dwFlags);
NTSTRSAFEDDI RtlStringCbCatA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc);
NTSTRSAFEDDI RtlStringCbCatExA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc,
                               NTSTRSAFE_PSTR *ppszDestEnd, size_t *pcbRemaining, DWORD dwFlags);
NTSTRSAFEDDI RtlStringCbCatNA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc,
                              size_t cbToAppend);
NTSTRSAFEDDI RtlStringCbCatNExA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc,
                                size_t cbToAppend, NTSTRSAFE_PSTR *ppszDestEnd,
                                size_t *pcbRemaining, DWORD dwFlags);
NTSTRSAFEDDI RtlStringCbPrintfA(NTSTRSAFE_PSTR pszDest, size_t cbDest,
                                _Printf_format_string_ NTSTRSAFE_PCSTR pszFormat, ...);
NTSTRSAFEDDI RtlStringCbPrintfExA(NTSTRSAFE_PSTR pszDest, size_t cbDest,
                                  NTSTRSAFE_PSTR *ppszDestEnd, size_t *pcbRemaining, DWORD dwFlags,
                                  _Printf_format_string_ NTSTRSAFE_PCSTR pszFormat, ...);
NTSTRSAFEDDI RtlStringCbVPrintfA(NTSTRSAFE_PSTR pszDest, size_t cbDest,
                                 _Printf_format_string_ NTSTRSAFE_PCSTR pszFormat, va_list argList);
NTSTRSAFEDDI RtlStringCbVPrintfExA(NTSTRSAFE_PSTR pszDest, size_t cbDest,
                                   NTSTRSAFE_PSTR *ppszDestEnd, size_t *pcbRemaining, DWORD dwFlags,
                                   _Printf_format_string_ NTSTRSAFE_PCSTR pszFormat,
                                   va_list argList);
NTSTRSAFEDDI RtlStringCbLengthA(STRSAFE_PCNZCH psz, size_t cbMax, size_t *pcbLength);

NTSTRSAFEDDI RtlStringCchCopyA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc);
NTSTRSAFEDDI RtlStringCchCopyExA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc,
                                 NTSTRSAFE_PSTR *ppszDestEnd, size_t *pcchRemaining, DWORD dwFlags);
NTSTRSAFEDDI RtlStringCchCopyNA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc,
                                size_t cchToCopy);
NTSTRSAFEDDI RtlStringCchCopyNExA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc,
                                  size_t cchToCopy, NTSTRSAFE_PSTR *ppszDestEnd,
                                  size_t *pcchRemaining, DWORD dwFlags);
NTSTRSAFEDDI RtlStringCchCatA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc);
NTSTRSAFEDDI RtlStringCchCatExA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc,
                                NTSTRSAFE_PSTR *ppszDestEnd, size_t *pcchRemaining, DWORD dwFlags);
NTSTRSAFEDDI RtlStringCchCatNA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc,
                               size_t cchToAppend);
NTSTRSAFEDDI RtlStringCchCatNExA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc,
                                 size_t cchToAppend, NTSTRSAFE_PSTR *ppszDestEnd,
                                 size_t *pcchRemaining, DWORD dwFlags);
NTSTRSAFEDDI RtlStringCchPrintfA(NTSTRSAFE_PSTR pszDest, size_t cchDest,
                                 _Printf_format_string_ NTSTRSAFE_PCSTR pszFormat, ...);
NTSTRSAFEDDI RtlStringCchPrintfExA(NTSTRSAFE_PSTR pszDest, size_t cchDest,
                                   NTSTRSAFE_PSTR *ppszDestEnd, size_t *pcchRemaining,
                                   DWORD dwFlags, _Printf_format_string_ NTSTRSAFE_PCSTR pszFormat,
                                   ...);
NTSTRSAFEDDI RtlStringCchVPrintfA(NTSTRSAFE_PSTR pszDest, size_t cchDest,
                                  _Printf_format_string_ NTSTRSAFE_PCSTR pszFormat,
                                  va_list argList);
NTSTRSAFEDDI RtlStringCchVPrintfExA(NTSTRSAFE_PSTR pszDest, size_t cchDest,
                                    NTSTRSAFE_PSTR *ppszDestEnd, size_t *pcchRemaining,
                                    DWORD dwFlags, _Printf_format_string_ NTSTRSAFE_PCSTR pszFormat,
                                    va_list argList);
NTSTRSAFEDDI RtlStringCchLengthA(STRSAFE_PCNZCH psz, size_t cchMax, size_t *pcchLength);

/* ---- WCHAR ---- */
NTSTRSAFEDDI RtlStringCbCopyW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc);
NTSTRSAFEDDI RtlStringCbCopyExW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc,
                                NTSTRSAFE_PWSTR *ppszDestEnd, size_t *pcbRemaining, DWORD dwFlags);
NTSTRSAFEDDI RtlStringCbCopyNW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc,
                               size_t cbToCopy);
NTSTRSAFEDDI RtlStringCbCopyNExW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc,
                                 size_t cbToCopy, NTSTRSAFE_PWSTR *ppszDestEnd,
                                 size_t *pcbRemaining, DWORD dwFlags);
NTSTRSAFEDDI RtlStringCbCatW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc);
NTSTRSAFEDDI RtlStringCbCatExW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc,
                               NTSTRSAFE_PWSTR *ppszDestEnd, size_t *pcbRemaining, DWORD dwFlags);
NTSTRSAFEDDI RtlStringCbCatNW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc,
                              size_t cbToAppend);
NTSTRSAFEDDI RtlStringCbCatNExW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc,
                                size_t cbToAppend, NTSTRSAFE_PWSTR *ppszDestEnd,
                                size_t *pcbRemaining, DWORD dwFlags);
NTSTRSAFEDDI RtlStringCbPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cbDest,
                                _Printf_format_string_ NTSTRSAFE_PCWSTR pszFormat, ...);
NTSTRSAFEDDI RtlStringCbPrintfExW(NTSTRSAFE_PWSTR pszDest, size_t cbDest,
                                  NTSTRSAFE_PWSTR *ppszDestEnd, size_t *pcbRemaining, DWORD dwFlags,
                                  _Printf_format_string_ NTSTRSAFE_PCWSTR pszFormat, ...);
NTSTRSAFEDDI RtlStringCbVPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cbDest,
                                 _Printf_format_string_ NTSTRSAFE_PCWSTR pszFormat,
                                 va_list argList);
NTSTRSAFEDDI RtlStringCbVPrintfExW(NTSTRSAFE_PWSTR pszDest, size_t cbDest,
                                   NTSTRSAFE_PWSTR *ppszDestEnd, size_t *pcbRemaining,
                                   DWORD dwFlags, _Printf_format_string_ NTSTRSAFE_PCWSTR pszFormat,
                                   va_list argList);
NTSTRSAFEDDI RtlStringCbLengthW(STRSAFE_PCNZWCH psz, size_t cbMax, size_t *pcbLength);

NTSTRSAFEDDI RtlStringCchCopyW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc);
NTSTRSAFEDDI RtlStringCchCopyExW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc,
                                 NTSTRSAFE_PWSTR *ppszDestEnd, size_t *pcchRemaining,
                                 DWORD dwFlags);
NTSTRSAFEDDI RtlStringCchCopyNW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc,
                                size_t cchToCopy);
NTSTRSAFEDDI RtlStringCchCopyNExW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc,
                                  size_t cchToCopy, NTSTRSAFE_PWSTR *ppszDestEnd,
                                  size_t *pcchRemaining, DWORD dwFlags);
NTSTRSAFEDDI RtlStringCchCatW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc);
NTSTRSAFEDDI RtlStringCchCatExW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc,
                                NTSTRSAFE_PWSTR *ppszDestEnd, size_t *pcchRemaining, DWORD dwFlags);
NTSTRSAFEDDI RtlStringCchCatNW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc,
                               size_t cchToAppend);
NTSTRSAFEDDI RtlStringCchCatNExW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc,
                                 size_t cchToAppend, NTSTRSAFE_PWSTR *ppszDestEnd,
                                 size_t *pcchRemaining, DWORD dwFlags);
NTSTRSAFEDDI RtlStringCchPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cchDest,
                                 _Printf_format_string_ NTSTRSAFE_PCWSTR pszFormat, ...);
NTSTRSAFEDDI RtlStringCchPrintfExW(NTSTRSAFE_PWSTR pszDest, size_t cchDest,
                                   NTSTRSAFE_PWSTR *ppszDestEnd, size_t *pcchRemaining,
                                   DWORD dwFlags, _Printf_format_string_ NTSTRSAFE_PCWSTR pszFormat,
                                   ...);
NTSTRSAFEDDI RtlStringCchVPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cchDest,
                                  _Printf_format_string_ NTSTRSAFE_PCWSTR pszFormat,
                                  va_list argList);
NTSTRSAFEDDI RtlStringCchVPrintfExW(NTSTRSAFE_PWSTR pszDest, size_t cchDest,
                                    NTSTRSAFE_PWSTR *ppszDestEnd, size_t *pcchRemaining,
                                    DWORD dwFlags,
                                    _Printf_format_string_ NTSTRSAFE_PCWSTR pszFormat,
                                    va_list argList);
NTSTRSAFEDDI RtlStringCchLengthW(STRSAFE_PCNZWCH psz, size_t cchMax, size_t *pcchLength);

/* ---- UNICODE_STRING ---- */
NTSTRSAFEDDI RtlUnicodeStringInit(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc);
NTSTRSAFEDDI RtlUnicodeStringValidate(PCUNICODE_STRING SourceString);
NTSTRSAFEDDI RtlUnicodeStringCopy(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString);
NTSTRSAFEDDI RtlUnicodeStringCopyString(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc);
NTSTRSAFEDDI RtlUnicodeStringCat(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString);
NTSTRSAFEDDI RtlUnicodeStringCatString(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc);
NTSTRSAFEDDI RtlUnicodeStringPrintf(PUNICODE_STRING DestinationString,
                                    _Printf_format_string_ NTSTRSAFE_PCWSTR pszFormat, ...);
NTSTRSAFEDDI RtlUnicodeStringVPrintf(PUNICODE_STRING DestinationString,
                                     _Printf_format_string_ NTSTRSAFE_PCWSTR pszFormat,
                                     va_list argList);

EXTERN_C_END

#endif /* _OWSK_NTSTRSAFE_H_ */
