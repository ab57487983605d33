/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lookaside lists (NPaged, Paged, LookasideListEx) kept inside their Windows structures: free
 * entries on L.ListHead (an SLIST), the driver's Allocate/Free routines (or pool) behind it,
 * and the hit/miss counters. The depth is fixed at EX_MAXIMUM_LOOKASIDE_DEPTH_BASE (Windows
 * tunes it between 4 and 256 over time; the Depth argument is reserved there too). */
#include <wdm.h>

#include "core/core.h"
#include "ex/ex.h"
#include "ke/ke.h"

#define FIXED_DEPTH EX_MAXIMUM_LOOKASIDE_DEPTH_BASE

/* Every initialised list, linked through L.ListEntry as Windows does; L.Future[1] holds the
 * initialising driver's id. Guarded by lists_lock. */
static pthread_mutex_t lists_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_ENTRY lists = {&lists, &lists};

/* lists_lock held. Unlinks e if it is on the list. Membership is found by walking: before
 * the first initialisation (or after a delete) ListEntry holds garbage. */
static void unlink_tracked(PLIST_ENTRY e)
{
    for (PLIST_ENTRY x = lists.Flink; x != &lists; x = x->Flink) {
        if (x == e) {
            RemoveEntryList(e);
            return;
        }
    }
}

/* Links a list (unlinking it first if a driver re-initialises a live one). */
static void track(PLIST_ENTRY e, ULONG *owner_slot)
{
    struct owsk_owner *o = owsk_current_owner;

    pthread_mutex_lock(&lists_lock);
    unlink_tracked(e);
    *owner_slot = o ? o->id : 0;
    InsertTailList(&lists, e);
    pthread_mutex_unlock(&lists_lock);
}

static void untrack(PLIST_ENTRY e)
{
    pthread_mutex_lock(&lists_lock);
    unlink_tracked(e);
    pthread_mutex_unlock(&lists_lock);
}

uint64_t owsk_ex_lookasides_outstanding(unsigned owner_id)
{
    uint64_t n = 0;

    pthread_mutex_lock(&lists_lock);
    for (PLIST_ENTRY x = lists.Flink; x != &lists; x = x->Flink)
        n += CONTAINING_RECORD(x, GENERAL_LOOKASIDE_POOL, ListEntry)->Future[1] == owner_id;
    pthread_mutex_unlock(&lists_lock);
    return n;
}

static PVOID default_alloc(POOL_TYPE type, SIZE_T size, ULONG tag)
{
    return ExAllocatePoolWithTag(type, size, tag);
}

static void default_free(PVOID p)
{
    ExFreePool(p);
}

static PVOID default_alloc_ex(POOL_TYPE type, SIZE_T size, ULONG tag, PLOOKASIDE_LIST_EX l)
{
    return ExAllocatePoolWithTag(type, size, tag);
}

static void default_free_ex(PVOID p, PLOOKASIDE_LIST_EX l)
{
    ExFreePool(p);
}

/* Entries hold an SLIST_ENTRY while on the list, so they are at least that big. */
static ULONG entry_size(SIZE_T size)
{
    return (ULONG)(size < sizeof(SLIST_ENTRY) ? sizeof(SLIST_ENTRY) : size);
}

#define INIT_COMMON(l, type, size, tag)                                                            \
    do {                                                                                           \
        InitializeSListHead(&(l)->ListHead);                                                       \
        (l)->Depth = FIXED_DEPTH;                                                                  \
        (l)->MaximumDepth = FIXED_DEPTH;                                                           \
        (l)->TotalAllocates = 0;                                                                   \
        (l)->AllocateMisses = 0;                                                                   \
        (l)->TotalFrees = 0;                                                                       \
        (l)->FreeMisses = 0;                                                                       \
        (l)->Type = (type);                                                                        \
        (l)->Tag = (tag);                                                                          \
        (l)->Size = entry_size(size);                                                              \
        track(&(l)->ListEntry, &(l)->Future[1]);                                                   \
        (l)->LastTotalAllocates = 0;                                                               \
        (l)->LastAllocateMisses = 0;                                                               \
    } while (0)

static void count(ULONG *c)
{
    __atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

/* ---- NPAGED_LOOKASIDE_LIST / PAGED_LOOKASIDE_LIST ---- */

static void init_classic(PGENERAL_LOOKASIDE l, POOL_TYPE type, PALLOCATE_FUNCTION Allocate,
                         PFREE_FUNCTION Free, SIZE_T Size, ULONG Tag)
{
    INIT_COMMON(l, type, Size, Tag);
    l->Allocate = Allocate ? Allocate : default_alloc;
    l->Free = Free ? Free : default_free;
}

static PVOID alloc_classic(PGENERAL_LOOKASIDE l)
{
    PVOID p;

    count(&l->TotalAllocates);
    p = InterlockedPopEntrySList(&l->ListHead);
    if (p)
        return p;
    count(&l->AllocateMisses);
    return l->Allocate(l->Type, l->Size, l->Tag);
}

static void free_classic(PGENERAL_LOOKASIDE l, PVOID entry)
{
    count(&l->TotalFrees);
    if (ExQueryDepthSList(&l->ListHead) >= l->Depth) {
        count(&l->FreeMisses);
        l->Free(entry);
        return;
    }
    InterlockedPushEntrySList(&l->ListHead, (PSLIST_ENTRY)entry);
}

static void delete_classic(PGENERAL_LOOKASIDE l)
{
    PSLIST_ENTRY e = InterlockedFlushSList(&l->ListHead);

    untrack(&l->ListEntry);
    while (e) {
        PSLIST_ENTRY next = e->Next;
        l->Free(e);
        e = next;
    }
}

/* Flags: POOL_NX_ALLOCATION and friends are accepted; Depth is reserved (ignored). */
VOID ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                     PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag,
                                     USHORT Depth)
{
    init_classic(&Lookaside->L, (POOL_TYPE)(NonPagedPool | (Flags & POOL_NX_ALLOCATION)), Allocate,
                 Free, Size, Tag);
}

VOID ExDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside)
{
    delete_classic(&Lookaside->L);
}

PVOID ExAllocateFromNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside)
{
    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, Lookaside);
    return alloc_classic(&Lookaside->L);
}

VOID ExFreeToNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry)
{
    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, Lookaside);
    free_classic(&Lookaside->L, Entry);
}

VOID ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                    PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag,
                                    USHORT Depth)
{
    OWSK_ASSERT_IRQL_LE(APC_LEVEL, Lookaside);
    init_classic(&Lookaside->L, PagedPool, Allocate, Free, Size, Tag);
}

VOID ExDeletePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside)
{
    delete_classic(&Lookaside->L);
}

PVOID ExAllocateFromPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside)
{
    OWSK_ASSERT_IRQL_LE(APC_LEVEL, Lookaside);
    return alloc_classic(&Lookaside->L);
}

VOID ExFreeToPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry)
{
    OWSK_ASSERT_IRQL_LE(APC_LEVEL, Lookaside);
    free_classic(&Lookaside->L, Entry);
}

/* ---- LOOKASIDE_LIST_EX ---- */

#define LOOKASIDE_EX_VALID_FLAGS                                                                   \
    (EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL | EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE)

NTSTATUS ExInitializeLookasideListEx(PLOOKASIDE_LIST_EX Lookaside, PALLOCATE_FUNCTION_EX Allocate,
                                     PFREE_FUNCTION_EX Free, POOL_TYPE PoolType, ULONG Flags,
                                     SIZE_T Size, ULONG Tag, USHORT Depth)
{
    PGENERAL_LOOKASIDE_POOL l = &Lookaside->L;

    /* The two flags are exclusive; both or unknown bits are invalid (documented). */
    if ((Flags & ~LOOKASIDE_EX_VALID_FLAGS) || Flags == LOOKASIDE_EX_VALID_FLAGS)
        return STATUS_INVALID_PARAMETER_5;
    INIT_COMMON(l, PoolType, Size, Tag);
    l->AllocateEx = Allocate ? Allocate : default_alloc_ex;
    l->FreeEx = Free ? Free : default_free_ex;
    /* Future[0] keeps the flags for the allocate path. */
    l->Future[0] = Flags;
    return STATUS_SUCCESS;
}

VOID ExDeleteLookasideListEx(PLOOKASIDE_LIST_EX Lookaside)
{
    ExFlushLookasideListEx(Lookaside);
    untrack(&Lookaside->L.ListEntry);
}

VOID ExFlushLookasideListEx(PLOOKASIDE_LIST_EX Lookaside)
{
    PGENERAL_LOOKASIDE_POOL l = &Lookaside->L;
    PSLIST_ENTRY e = InterlockedFlushSList(&l->ListHead);

    while (e) {
        PSLIST_ENTRY next = e->Next;
        l->FreeEx(e, Lookaside);
        e = next;
    }
}

PVOID ExAllocateFromLookasideListEx(PLOOKASIDE_LIST_EX Lookaside)
{
    PGENERAL_LOOKASIDE_POOL l = &Lookaside->L;
    PVOID p;

    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, Lookaside);
    count(&l->TotalAllocates);
    p = InterlockedPopEntrySList(&l->ListHead);
    if (p)
        return p;
    count(&l->AllocateMisses);
    p = l->AllocateEx(l->Type, l->Size, l->Tag, Lookaside);
    if (!p && (l->Future[0] & EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL))
        owsk_ke_bugcheck(OWSK_BUGCHECK_KMODE_EXCEPTION_NOT_HANDLED,
                         (ULONG_PTR)(ULONG)STATUS_INSUFFICIENT_RESOURCES, (ULONG_PTR)Lookaside,
                         l->Size, 0,
                         "ExAllocateFromLookasideListEx(%p) failed with "
                         "EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL",
                         (void *)Lookaside);
    return p;
}

VOID ExFreeToLookasideListEx(PLOOKASIDE_LIST_EX Lookaside, PVOID Entry)
{
    PGENERAL_LOOKASIDE_POOL l = &Lookaside->L;

    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, Lookaside);
    count(&l->TotalFrees);
    if (ExQueryDepthSList(&l->ListHead) >= l->Depth) {
        count(&l->FreeMisses);
        l->FreeEx(Entry, Lookaside);
        return;
    }
    InterlockedPushEntrySList(&l->ListHead, (PSLIST_ENTRY)Entry);
}
