/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RtlCompareMemory, RtlRandom(Ex), and the buffers Rtl hands to drivers.
 * RtlRandom(Ex) give a uniform sequence in [0, MAXLONG - 1], not Windows' exact numbers.
 * The byte swaps are wdm.h macros over compiler builtins. */
#include <stdlib.h>
#include <string.h>

#include <wdm.h>

#include "rtl/rtl.h"

/* Buffers RtlAnsiStringToUnicodeString(..., TRUE) and friends return: pool memory charged to
 * the calling driver under 'rtsU', so RtlFreeUnicodeString and ExFreePool both release it and
 * a leaked string shows up in the driver's leak report. */
void *owsk_rtl_alloc(size_t size)
{
    return ExAllocatePoolWithTag(NonPagedPool, size ? size : 1, OWSK_RTL_STRING_TAG);
}

void owsk_rtl_free(void *p)
{
    if (p)
        ExFreePoolWithTag(p, OWSK_RTL_STRING_TAG);
}

NTSYSAPI SIZE_T NTAPI RtlCompareMemory(_In_ const VOID *Source1, _In_ const VOID *Source2,
                                       _In_ SIZE_T Length)
{
    const unsigned char *a = Source1, *b = Source2;
    SIZE_T i = 0;

    while (i < Length && a[i] == b[i])
        i++;
    return i;
}

/* A Lehmer step modulo 2^31 - 1: every result is in [0, MAXLONG - 1] as documented. */
static ULONG uniform_step(ULONG seed)
{
    return (ULONG)(((uint64_t)seed * 0x7fffffedu + 0x7fffffc3u) % 0x7fffffffu);
}

/* RtlRandomEx: the seed alone drives the sequence (no process-wide shuffle table). */
NTSYSAPI ULONG NTAPI RtlRandomEx(_Inout_ PULONG Seed)
{
    *Seed = uniform_step(*Seed);
    return *Seed;
}

NTSYSAPI ULONG NTAPI RtlRandom(_Inout_ PULONG Seed)
{
    return RtlRandomEx(Seed);
}
