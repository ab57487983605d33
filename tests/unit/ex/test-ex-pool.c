/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pool: ExAllocatePool2 flag rules (documented: zero tag or invalid flags fail; zero-filled
 * unless POOL_FLAG_UNINITIALIZED), alignment (16, CACHE_ALIGNED 64), accounting per driver
 * and tag (allocs, frees, bytes, the leak walk and report, owsk_pool_foreach), and the bug
 * checks for bad frees (tag mismatch 0xC2/0xA, double free 0xC2/0x7, foreign pointer,
 * freeing a queued timer or DPC or a live ERESOURCE), each in a forked child; the verifier's
 * allocator and fault-injection hooks. */
#include <stdint.h>
#include <stdlib.h>

#include "owsk_test.h"
#include "../ke/t_child.h"
#include "core/core.h"
#include "ex/ex.h"
#include "openwsk/host.h"

#define TAG 'tseT' /* "Test" in memory */

static void tag_mismatch(void)
{
    void *p = ExAllocatePoolWithTag(NonPagedPoolNx, 32, TAG);
    ExFreePoolWithTag(p, 'gnrW');
}

static void double_free(void)
{
    void *p = ExAllocatePoolWithTag(NonPagedPoolNx, 32, TAG);
    ExFreePool(p);
    ExFreePool(p);
}

static void foreign_free(void)
{
    void *p = malloc(64);
    ExFreePool((char *)p + 32);
}

static void free_live_timer(void)
{
    PKTIMER t = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(KTIMER), TAG);
    LARGE_INTEGER due = {.QuadPart = -100000000LL};
    KeInitializeTimer(t);
    KeSetTimer(t, due, NULL);
    ExFreePoolWithTag(t, TAG);
}

static void paged_at_dispatch(void)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    ExAllocatePool2(POOL_FLAG_PAGED, 8, TAG);
}

static volatile int spin_forever = 1;
static VOID hog(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    /* Keeps the DPC thread busy so the next DPC stays queued (the child ends by bug check). */
    while (__atomic_load_n(&spin_forever, __ATOMIC_RELAXED))
        KeStallExecutionProcessor(100);
}
static VOID never_runs(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
}

static void free_queued_dpc(void)
{
    static KDPC first;
    PKDPC d = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(KDPC), TAG);
    KeInitializeDpc(&first, hog, NULL);
    KeInitializeDpc(d, never_runs, NULL);
    KeInsertQueueDpc(&first, NULL, NULL);
    KeInsertQueueDpc(d, NULL, NULL);
    ExFreePoolWithTag(d, TAG);
}

static void free_live_resource(void)
{
    PERESOURCE r = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(ERESOURCE), TAG);
    ExInitializeResourceLite(r);
    ExFreePoolWithTag(r, TAG);
}

/* A verifier-style allocator: counts, and fails tag 'liaF'. */
static int hook_allocs, hook_frees;
static void *hook_alloc(size_t total, uint32_t tag, unsigned owner_id, void *ctx)
{
    hook_allocs++;
    return aligned_alloc(16, (total + 15) & ~(size_t)15);
}
static void hook_free(void *raw, size_t total, void *ctx)
{
    hook_frees++;
    free(raw);
}
static bool hook_fail(size_t size, uint32_t tag, unsigned owner_id, const void *caller, void *ctx)
{
    return tag == 'liaF';
}
static const struct owsk_ex_pool_hooks test_hooks = {hook_alloc, hook_free, hook_fail, NULL};

static void raise_on_failure(void)
{
    ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_RAISE_ON_FAILURE, 8, 0);
}

struct walk {
    int blocks;
    size_t bytes;
    int tagged;
};

static int walk_block(const struct owsk_pool_block *b, void *ctx)
{
    struct walk *w = ctx;
    w->blocks++;
    w->bytes += b->size;
    w->tagged += b->tag == TAG;
    return 0;
}

static int find_row(const struct owsk_pool_row *row, void *ctx)
{
    struct owsk_pool_row *want = ctx;
    if (row->owner_id == want->owner_id && row->tag == want->tag && row->paged == want->paged) {
        *want = *row;
        return 1;
    }
    return 0;
}

static int report_lines;
static void count_line(const char *text, void *ctx)
{
    report_lines++;
    if (strstr(text, "'Test'"))
        (*(int *)ctx)++;
}

int main(void)
{
    struct owsk_owner drv = {"pooldrv", 77};
    struct owsk_owner *prev;
    unsigned char *p, *q, *r;
    uint64_t n, bytes;

    t_expect_bugcheck(tag_mismatch, BAD_POOL_CALLER, "allocated with tag 'Test'");
    t_expect_bugcheck(double_free, BAD_POOL_CALLER, "double free");
    t_expect_bugcheck(foreign_free, DRIVER_VERIFIER_DETECTED_VIOLATION, "not an address");
    t_expect_bugcheck(free_live_timer, DRIVER_VERIFIER_DETECTED_VIOLATION, "queued KTIMER");
    t_expect_bugcheck(free_queued_dpc, TIMER_OR_DPC_INVALID, "queued KDPC");
    t_expect_bugcheck(free_live_resource, DRIVER_VERIFIER_DETECTED_VIOLATION, "ERESOURCE");
    t_expect_bugcheck(paged_at_dispatch, DRIVER_VERIFIER_DETECTED_VIOLATION, "paged pool");
    t_expect_bugcheck(raise_on_failure, KMODE_EXCEPTION_NOT_HANDLED, "ExAllocatePool2");

    /* ExAllocatePool2: documented failures return NULL. */
    CHECK(ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, 0) == NULL);                     /* tag 0 */
    CHECK(ExAllocatePool2(0, 16, TAG) == NULL);                                     /* no pool */
    CHECK(ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_PAGED, 16, TAG) == NULL); /* two */
    CHECK(ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_RESERVED2, 16, TAG) == NULL);
    /* Unknown optional flags are ignored. */
    p = ExAllocatePool2(POOL_FLAG_NON_PAGED | 0x200000000ULL, 16, TAG);
    CHECK(p != NULL);
    ExFreePoolWithTag(p, TAG);

    /* Zero-filled by default, aligned to MEMORY_ALLOCATION_ALIGNMENT. */
    p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 100, TAG);
    CHECK(p != NULL);
    CHECK_UINT((uintptr_t)p % MEMORY_ALLOCATION_ALIGNMENT, 0);
    int nonzero = 0;
    for (int i = 0; i < 100; i++)
        nonzero |= p[i];
    CHECK_INT(nonzero, 0);
    memset(p, 0xab, 100);
    ExFreePoolWithTag(p, TAG);
    q = ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_CACHE_ALIGNED, 10, TAG);
    CHECK_UINT((uintptr_t)q % 64, 0);
    ExFreePool(q);
    q = ExAllocatePoolWithTag(NonPagedPoolCacheAligned, 10, TAG);
    CHECK_UINT((uintptr_t)q % 64, 0);
    ExFreePoolWithTag(q, TAG);
    q = ExAllocatePoolZero(NonPagedPoolNx, 64, TAG);
    CHECK(q && q[0] == 0 && q[63] == 0);
    ExFreePoolWithTag(q, TAG);
    q = ExAllocatePool3(POOL_FLAG_NON_PAGED, 8, TAG, NULL, 0);
    CHECK(q != NULL);
    ExFreePoolWithTag(q, TAG);

    /* Accounting per driver and tag. */
    prev = owsk_owner_enter(&drv);
    p = ExAllocatePoolWithTag(NonPagedPoolNx, 100, TAG);
    q = ExAllocatePool2(POOL_FLAG_NON_PAGED, 50, TAG);
    r = ExAllocatePoolWithTag(PagedPool, 7, 'rhtO');
    owsk_owner_leave(prev);
    owsk_ex_pool_outstanding(77, &n, &bytes);
    CHECK_UINT(n, 3);
    CHECK_UINT(bytes, 157);
    struct walk w = {0};
    CHECK_UINT(owsk_ex_pool_foreach_block(77, walk_block, &w), 3);
    CHECK_INT(w.blocks, 3);
    CHECK_UINT(w.bytes, 157);
    CHECK_INT(w.tagged, 2);
    struct owsk_pool_row row = {.owner_id = 77, .tag = TAG, .paged = 0};
    owsk_pool_foreach(find_row, &row);
    CHECK_UINT(row.allocs, 2);
    CHECK_UINT(row.frees, 0);
    CHECK_UINT(row.bytes, 150);
    int test_lines = 0;
    CHECK_UINT(owsk_ex_pool_report(77, count_line, &test_lines), 3);
    CHECK_INT(report_lines, 3); /* summary + two tags */
    CHECK_INT(test_lines, 1);

    /* Finding the block an address belongs to (or just overran). */
    {
        struct owsk_pool_block fb;
        unsigned fo = 0;
        CHECK(owsk_ex_pool_find(p + 10, &fb, &fo));
        CHECK(fb.address == p && fb.size == 100 && fb.tag == TAG);
        CHECK_UINT(fo, 77);
        CHECK(owsk_ex_pool_find(r + 7, &fb, NULL)); /* one past the end of r */
        CHECK(fb.address == r);
    }

    /* Frees are charged to the allocating driver whoever frees. */
    ExFreePoolWithTag(p, TAG);
    ExFreePool(q);
    ExFreePoolWithTag(r, 'rhtO');
    owsk_ex_pool_outstanding(77, &n, &bytes);
    CHECK_UINT(n, 0);
    CHECK_UINT(bytes, 0);
    row = (struct owsk_pool_row){.owner_id = 77, .tag = TAG, .paged = 0};
    owsk_pool_foreach(find_row, &row);
    CHECK_UINT(row.allocs, 2);
    CHECK_UINT(row.frees, 2);
    CHECK_UINT(row.bytes, 0);
    CHECK_UINT(owsk_ex_pool_foreach_block(77, NULL, NULL), 0);
    /* Hooks: blocks come from the hook's allocator and go back to it, even after the hooks
     * are removed; fail makes allocations fail. */
    owsk_ex_set_pool_hooks(&test_hooks);
    p = ExAllocatePoolWithTag(NonPagedPoolNx, 24, TAG);
    CHECK(p != NULL);
    CHECK_INT(hook_allocs, 1);
    CHECK(ExAllocatePoolWithTag(NonPagedPoolNx, 24, 'liaF') == NULL);
    CHECK(ExAllocatePool2(POOL_FLAG_NON_PAGED, 24, 'liaF') == NULL);
    owsk_ex_set_pool_hooks(NULL);
    q = ExAllocatePoolWithTag(NonPagedPoolNx, 24, 'liaF');
    CHECK(q != NULL);
    CHECK_INT(hook_allocs, 1);
    ExFreePool(q);
    ExFreePoolWithTag(p, TAG);
    CHECK_INT(hook_frees, 1);
    char t5[5];
    CHECK_STR(owsk_ex_tag_string(TAG, t5), "Test");

    return t_done();
}
