/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internals of the Rtl room other rooms use: string buffers that Rtl*Free* releases, the
 * MSVC-dialect formatter behind DbgPrint and ntstrsafe, and the in-memory registry. */
#ifndef OWSK_RTL_H
#define OWSK_RTL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ntdef.h>

/* ---- memory.c: buffers handed to drivers by Rtl (freed by RtlFree*String) ----
 * Pool tag 'rtsU' ("Ustr" as a little-endian multi-character constant reads back). */
#define OWSK_RTL_STRING_TAG 'rtsU'
void *owsk_rtl_alloc(size_t size);
void owsk_rtl_free(void *p);

/* ---- string.c ---- */
/* Upcase as RtlUpcaseUnicodeChar: ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic. */
WCHAR owsk_rtl_upcase(WCHAR c);
/* The ANSI code page of this host is Latin-1: byte b <-> U+00bb; others become '?'. */
static inline WCHAR owsk_rtl_ansi_to_wchar(unsigned char c)
{
    return (WCHAR)c;
}
static inline char owsk_rtl_wchar_to_ansi(WCHAR c)
{
    return c < 0x100 ? (char)c : '?';
}
/* UTF-8 <-> UTF-16 for the registry and host APIs. Returns units written (excluding the
 * NUL, always written when cap > 0) or the units needed if cap is too small (> cap - 1). */
size_t owsk_rtl_utf8_to_utf16(const char *s, size_t len, WCHAR *out, size_t cap);
size_t owsk_rtl_utf16_to_utf8(const WCHAR *s, size_t len, char *out, size_t cap);

/* ---- format.c: the MSVC printf dialect ----
 * %d %i %u %x %X %o %c %C %s %S %Z %wZ %p %% and e/f/g/a, flags, width, precision and '*';
 * sizes hh h l (32-bit) ll I64 I32 I z t j w L. Narrow output is UTF-8 (wide strings are
 * converted); wide output is UTF-16 (narrow strings are decoded as UTF-8, bytes that are not
 * UTF-8 as Latin-1). */
struct owsk_fmt_out {
    bool wide;   /* output units are WCHAR, else char */
    void *buf;   /* may be NULL when cap == 0 */
    size_t cap;  /* units available, excluding the terminating NUL's unit */
    size_t len;  /* units written so far (<= cap) */
    size_t need; /* units the whole output needs (may exceed cap) */
    bool full;   /* something did not fit */
};
/* Formats into out (nothing written past cap; NOT NUL-terminated). fmt is a char string when
 * wide_fmt is false, a WCHAR string otherwise: in a wide format, %s/%c are wide and %S/%C
 * narrow (MSVC swprintf rules); in a narrow one the other way round. */
void owsk_rtl_vformat(struct owsk_fmt_out *out, const void *fmt, bool wide_fmt, va_list ap);
/* vsnprintf-like convenience over the narrow dialect: returns the length needed. */
size_t owsk_rtl_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
size_t owsk_rtl_snprintf(char *buf, size_t size, const char *fmt, ...);

/* ---- debug.c ---- */
/* Raises DbgPrintEx's mask for one DPFLTR_*_ID (what "ed nt!Kd_IHVDRIVER_Mask 0xf" does). */
void owsk_rtl_debug_set_component_mask(ULONG component_id, ULONG mask);

/* ---- registry.c: the in-memory registry ----
 * Key handles are pointers to registry-owned key-handle records; every record begins with a
 * magic word and lives in a registry-owned list, so owsk_rtl_registry_close() can tell a key
 * handle from any other HANDLE without dereferencing foreign memory: a HANDLE is a key
 * handle exactly when it is found in that list. */
/* Closes h if it is a key handle (returns true); false leaves h alone. ob's ZwClose calls
 * this first. */
bool owsk_rtl_registry_close(HANDLE h);
bool owsk_rtl_registry_is_key(HANDLE h);
/* Opens (creating it if needed) Services\<service>\Parameters; for IoOpenDriverRegistryKey.
 * The handle is closed with ZwClose. */
NTSTATUS owsk_rtl_registry_open_service_parameters(const char *service, HANDLE *ret);
/* Removes every key and value (tests). */
void owsk_rtl_registry_reset(void);
/* Sets a value of any type under an absolute path (creating keys). data is copied. */
NTSTATUS owsk_rtl_registry_set_value(const WCHAR *key_path, size_t key_path_chars,
                                     const WCHAR *name, size_t name_chars, ULONG type,
                                     const void *data, ULONG data_size);

#endif
