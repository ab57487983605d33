/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntifs.h: the file-system/filter header, accepted so drivers that include it instead of
 * ntddk.h compile. It provides what ntddk.h provides plus RtlDuplicateUnicodeString.
 * Leaves out: file-system structures and DDIs (Fs*, Cc*, Fsrtl*, Se* security). */
#ifndef _OWSK_NTIFS_H_
#define _OWSK_NTIFS_H_

#include <ntddk.h>

#define _NTIFS_

EXTERN_C_START

#define RTL_DUPLICATE_UNICODE_STRING_NULL_TERMINATE 1
#define RTL_DUPLICATE_UNICODE_STRING_ALLOCATE_NULL_STRING 2

NTSYSAPI NTSTATUS NTAPI RtlDuplicateUnicodeString(_In_ ULONG Flags,
                                                  _In_ PCUNICODE_STRING StringIn,
                                                  _Out_ PUNICODE_STRING StringOut);

EXTERN_C_END

#endif /* _OWSK_NTIFS_H_ */
