/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SLISTs: InterlockedPush/Pop/FlushSList (the Exp* exports) and ExQueryDepthSList, in the x64
 * SLIST_HEADER format (Depth and Sequence in the first word, the first entry in the second).
 * Not lock-free: each operation takes one of 64 mutexes picked by the header's address.
 * Also ExInterlockedInsertHead/TailList and ExInterlockedRemoveHeadList. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <wdm.h>

#include "core/core.h"
#include "ex/ex.h"

#define NLOCKS 64
static pthread_mutex_t locks[NLOCKS] = {[0 ... NLOCKS - 1] = PTHREAD_MUTEX_INITIALIZER};

static pthread_mutex_t *lock_of(const void *h)
{
    uintptr_t v = (uintptr_t)h;
    return &locks[((v >> 4) ^ (v >> 12)) % NLOCKS];
}

#define DEPTH_MASK 0xffffULL

/* The first entry lives in bits 4..63 of Region (entries are 16-byte aligned); the header
 * words are only touched with the stripe lock held. */
static PSLIST_ENTRY first_of(PSLIST_HEADER h)
{
    return (PSLIST_ENTRY)(uintptr_t)h->Region;
}

static void set_state(PSLIST_HEADER h, PSLIST_ENTRY first, ULONGLONG depth, bool bump)
{
    ULONGLONG seq = h->Alignment >> 16;
    if (bump)
        seq = (seq + 1) & 0xffffffffffffULL;
    h->Alignment = (depth & DEPTH_MASK) | (seq << 16);
    h->Region = (ULONGLONG)(uintptr_t)first;
}

PSLIST_ENTRY ExpInterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY ListEntry)
{
    pthread_mutex_t *m = lock_of(ListHead);
    PSLIST_ENTRY first;

    pthread_mutex_lock(m);
    first = first_of(ListHead);
    ListEntry->Next = first;
    set_state(ListHead, ListEntry, (ListHead->Alignment & DEPTH_MASK) + 1, true);
    pthread_mutex_unlock(m);
    return first;
}

PSLIST_ENTRY ExpInterlockedPopEntrySList(PSLIST_HEADER ListHead)
{
    pthread_mutex_t *m = lock_of(ListHead);
    PSLIST_ENTRY first;

    pthread_mutex_lock(m);
    first = first_of(ListHead);
    if (first)
        set_state(ListHead, first->Next, (ListHead->Alignment & DEPTH_MASK) - 1, true);
    pthread_mutex_unlock(m);
    return first;
}

PSLIST_ENTRY ExpInterlockedFlushSList(PSLIST_HEADER ListHead)
{
    pthread_mutex_t *m = lock_of(ListHead);
    PSLIST_ENTRY first;

    pthread_mutex_lock(m);
    first = first_of(ListHead);
    if (first)
        set_state(ListHead, NULL, 0, false);
    pthread_mutex_unlock(m);
    return first;
}

USHORT ExQueryDepthSList(PSLIST_HEADER SListHead)
{
    pthread_mutex_t *m = lock_of(SListHead);
    USHORT d;

    pthread_mutex_lock(m);
    d = (USHORT)(SListHead->Alignment & DEPTH_MASK);
    pthread_mutex_unlock(m);
    return d;
}

/* ---- ExInterlocked*List: LIST_ENTRY operations under the caller's spin lock ---- */

static PLIST_ENTRY locked_insert(PLIST_ENTRY head, PLIST_ENTRY entry, PKSPIN_LOCK lock,
                                 bool at_head)
{
    KIRQL old;
    PLIST_ENTRY first;

    KeAcquireSpinLock(lock, &old);
    first = IsListEmpty(head) ? NULL : head->Flink;
    if (at_head)
        InsertHeadList(head, entry);
    else
        InsertTailList(head, entry);
    KeReleaseSpinLock(lock, old);
    return first;
}

/* Both return the previous first entry (NULL if the list was empty), as documented. */
PLIST_ENTRY ExInterlockedInsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry,
                                        PKSPIN_LOCK Lock)
{
    return locked_insert(ListHead, ListEntry, Lock, true);
}

PLIST_ENTRY ExInterlockedInsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry,
                                        PKSPIN_LOCK Lock)
{
    return locked_insert(ListHead, ListEntry, Lock, false);
}

PLIST_ENTRY ExInterlockedRemoveHeadList(PLIST_ENTRY ListHead, PKSPIN_LOCK Lock)
{
    KIRQL old;
    PLIST_ENTRY e = NULL;

    KeAcquireSpinLock(Lock, &old);
    if (!IsListEmpty(ListHead))
        e = RemoveHeadList(ListHead);
    KeReleaseSpinLock(Lock, old);
    return e;
}
