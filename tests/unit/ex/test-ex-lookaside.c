/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lookaside lists: a freed entry is handed out again (LIFO), misses go to the list's
 * Allocate/Free routines (custom ones for LOOKASIDE_LIST_EX), counters, delete returns the
 * cached entries to pool, and invalid LookasideListEx flags are refused. */
#include "owsk_test.h"
#include "ex/ex.h"

#define TAG 'kooL'

static int ex_allocs, ex_frees;
static PLOOKASIDE_LIST_EX seen_list;

static PVOID my_alloc(POOL_TYPE type, SIZE_T size, ULONG tag, PLOOKASIDE_LIST_EX l)
{
    ex_allocs++;
    seen_list = l;
    return ExAllocatePoolWithTag(type, size, tag);
}

static VOID my_free(PVOID p, PLOOKASIDE_LIST_EX l)
{
    ex_frees++;
    ExFreePoolWithTag(p, TAG);
}

int main(void)
{
    NPAGED_LOOKASIDE_LIST np;
    PAGED_LOOKASIDE_LIST pl;
    LOOKASIDE_LIST_EX lx;
    void *a, *b, *c;
    uint64_t n;

    CHECK_UINT(owsk_ex_lookasides_outstanding(0), 0);
    ExInitializeNPagedLookasideList(&np, NULL, NULL, POOL_NX_ALLOCATION, 40, TAG, 0);
    CHECK_UINT(owsk_ex_lookasides_outstanding(0), 1);
    a = ExAllocateFromNPagedLookasideList(&np);
    b = ExAllocateFromNPagedLookasideList(&np);
    CHECK(a && b && a != b);
    CHECK_UINT(np.L.TotalAllocates, 2);
    CHECK_UINT(np.L.AllocateMisses, 2);
    ExFreeToNPagedLookasideList(&np, a);
    ExFreeToNPagedLookasideList(&np, b);
    CHECK_UINT(np.L.TotalFrees, 2);
    CHECK(ExAllocateFromNPagedLookasideList(&np) == b); /* reused, last freed first */
    CHECK(ExAllocateFromNPagedLookasideList(&np) == a);
    CHECK_UINT(np.L.AllocateMisses, 2);
    owsk_ex_pool_outstanding(0, &n, NULL);
    CHECK_UINT(n, 2);
    ExFreeToNPagedLookasideList(&np, a);
    ExFreeToNPagedLookasideList(&np, b);
    ExDeleteNPagedLookasideList(&np);
    CHECK_UINT(owsk_ex_lookasides_outstanding(0), 0);
    owsk_ex_pool_outstanding(0, &n, NULL);
    CHECK_UINT(n, 0); /* delete returned the cached entries */

    /* Entries smaller than an SLIST_ENTRY still work. */
    ExInitializePagedLookasideList(&pl, NULL, NULL, 0, 1, TAG, 0);
    a = ExAllocateFromPagedLookasideList(&pl);
    ExFreeToPagedLookasideList(&pl, a);
    CHECK(ExAllocateFromPagedLookasideList(&pl) == a);
    ExFreeToPagedLookasideList(&pl, a);
    ExDeletePagedLookasideList(&pl);

    CHECK_STATUS(ExInitializeLookasideListEx(&lx, my_alloc, my_free, NonPagedPoolNx,
                                             EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL |
                                                 EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE,
                                             32, TAG, 0),
                 STATUS_INVALID_PARAMETER_5);
    CHECK_STATUS(ExInitializeLookasideListEx(&lx, my_alloc, my_free, NonPagedPoolNx, 0, 32, TAG, 0),
                 STATUS_SUCCESS);
    a = ExAllocateFromLookasideListEx(&lx);
    c = ExAllocateFromLookasideListEx(&lx);
    CHECK_INT(ex_allocs, 2);
    CHECK(seen_list == &lx);
    ExFreeToLookasideListEx(&lx, a);
    CHECK(ExAllocateFromLookasideListEx(&lx) == a);
    CHECK_INT(ex_allocs, 2);
    ExFreeToLookasideListEx(&lx, a);
    ExFreeToLookasideListEx(&lx, c);
    CHECK_INT(ex_frees, 0);
    ExFlushLookasideListEx(&lx);
    CHECK_INT(ex_frees, 2);
    CHECK_UINT(owsk_ex_lookasides_outstanding(0), 1);
    ExDeleteLookasideListEx(&lx);
    CHECK_UINT(owsk_ex_lookasides_outstanding(0), 0);
    owsk_ex_pool_outstanding(0, &n, NULL);
    CHECK_UINT(n, 0);

    return t_done();
}
