/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SLISTs: push returns the previous first entry (ECHO signals its worker only when it was
 * NULL), pop is LIFO, flush returns the whole chain newest first and empties the list, the
 * depth follows; two threads pushing concurrently lose nothing. Also the ExInterlocked
 * LIST_ENTRY helpers. */
#include <pthread.h>
#include <stdlib.h>

#include "owsk_test.h"

#define PER_THREAD 2000

struct item {
    SLIST_ENTRY link; /* first: 16-byte aligned like the WDK's */
    int thread, seq;
};

static SLIST_HEADER head;

static void *pusher(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < PER_THREAD; i++) {
        struct item *it = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*it), 'tsiL');
        it->thread = id;
        it->seq = i;
        InterlockedPushEntrySList(&head, &it->link);
    }
    return NULL;
}

int main(void)
{
    struct item a, b, c;
    PSLIST_ENTRY e;
    pthread_t t1, t2;

    InitializeSListHead(&head);
    CHECK_INT(QueryDepthSList(&head), 0);
    CHECK(InterlockedPopEntrySList(&head) == NULL);
    CHECK(InterlockedPushEntrySList(&head, &a.link) == NULL);
    CHECK(InterlockedPushEntrySList(&head, &b.link) == &a.link);
    CHECK(ExInterlockedPushEntrySList(&head, &c.link, NULL) == &b.link);
    CHECK_INT(QueryDepthSList(&head), 3);
    CHECK(InterlockedPopEntrySList(&head) == &c.link);
    CHECK_INT(ExQueryDepthSList(&head), 2);
    e = InterlockedFlushSList(&head);
    CHECK(e == &b.link && e->Next == &a.link && a.link.Next == NULL);
    CHECK_INT(QueryDepthSList(&head), 0);
    CHECK(InterlockedFlushSList(&head) == NULL);

    /* Two threads: every entry arrives once, and each thread's entries come out of the
     * flushed chain newest first. */
    pthread_create(&t1, NULL, pusher, (void *)1);
    pthread_create(&t2, NULL, pusher, (void *)2);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    CHECK_INT(QueryDepthSList(&head), 2 * PER_THREAD);
    int count = 0, last[3] = {0, PER_THREAD, PER_THREAD}, order_ok = 1;
    e = InterlockedFlushSList(&head);
    while (e) {
        struct item *it = (struct item *)e;
        e = e->Next;
        order_ok &= it->seq == last[it->thread] - 1;
        last[it->thread] = it->seq;
        count++;
        ExFreePool(it);
    }
    CHECK_INT(count, 2 * PER_THREAD);
    CHECK(order_ok);

    /* ExInterlockedInsert/RemoveHeadList return the previous head / the removed entry. */
    LIST_ENTRY lh, x, y;
    KSPIN_LOCK lock;
    InitializeListHead(&lh);
    KeInitializeSpinLock(&lock);
    CHECK(ExInterlockedInsertTailList(&lh, &x, &lock) == NULL);
    CHECK(ExInterlockedInsertHeadList(&lh, &y, &lock) == &x);
    CHECK(ExInterlockedRemoveHeadList(&lh, &lock) == &y);
    CHECK(ExInterlockedRemoveHeadList(&lh, &lock) == &x);
    CHECK(ExInterlockedRemoveHeadList(&lh, &lock) == NULL);
    CHECK_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);

    return t_done();
}
