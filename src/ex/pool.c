/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pool: ExAllocatePool2/3, ExAllocatePoolWithTag and friends, ExFreePool(WithTag), with
 * accounting per (driver, tag, paged) and a registry of live blocks for leak reports and for
 * catching bad frees (tag mismatch, double free, foreign pointers, live timers inside).
 * All pools are the C heap (paged and nonpaged alike); pool priorities, quotas, sessions and
 * ExAllocatePool3's extended parameters are accepted and ignored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wdm.h>

#include "core/core.h"
#include "ex/ex.h"
#include "ke/ke.h"
#include "openwsk/host.h"

#define MAGIC_LIVE 0x4c4f4f504b53574fULL /* "OWSKPOOL" */

struct pool_row {
    struct owsk_pool_row pub;
    struct pool_row *next;     /* bucket chain */
    struct pool_row *all_next; /* every row, for walks */
};

struct pool_hdr {
    uint64_t magic;
    struct pool_hdr *prev, *next; /* all live blocks */
    struct pool_hdr *hnext;       /* registry bucket chain */
    void *raw;                    /* what malloc returned */
    size_t size;
    uint32_t tag;
    uint32_t pool_type;
    int paged;
    unsigned owner_id;
    const void *caller;
    struct pool_row *row;
    size_t total; /* bytes obtained for the block (header, alignment slack included) */
    const struct owsk_ex_pool_hooks *hooked; /* whose allocator gave the block, or NULL */
} __attribute__((aligned(16)));

#define NBUCKETS 4096
#define NFREED 1024

/* Everything below is guarded by pool_lock. Never held while calling out. */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pool_hdr live = {.prev = &live, .next = &live};
static struct pool_hdr *buckets[NBUCKETS];
static struct pool_row *rows;
static struct pool_row *row_buckets[256];
/* Recently freed addresses, to tell a double free from a pointer never allocated. */
static const void *freed[NFREED];
static size_t freed_pos;
/* Set before drivers load (by the pool tests; by a verifier, once there is one); read
 * atomically. */
static const struct owsk_ex_pool_hooks *hooks;

void owsk_ex_set_pool_hooks(const struct owsk_ex_pool_hooks *h)
{
    __atomic_store_n(&hooks, h, __ATOMIC_RELEASE);
}

static size_t bucket_of(const void *p)
{
    uintptr_t v = (uintptr_t)p;
    return (size_t)((v >> 4) ^ (v >> 16)) % NBUCKETS;
}

static struct pool_hdr *hdr_of(const void *p)
{
    return (struct pool_hdr *)((char *)p - sizeof(struct pool_hdr));
}

/* pool_lock held. */
static struct pool_hdr *find(const void *p)
{
    for (struct pool_hdr *h = buckets[bucket_of(p)]; h; h = h->hnext)
        if ((const void *)(h + 1) == p)
            return h;
    return NULL;
}

/* pool_lock held. */
static struct pool_row *row_for(unsigned owner_id, uint32_t tag, int paged)
{
    size_t b = (owner_id * 31u + tag * 7u + (unsigned)paged) % 256;
    struct pool_row *r;

    for (r = row_buckets[b]; r; r = r->next)
        if (r->pub.owner_id == owner_id && r->pub.tag == tag && r->pub.paged == paged)
            return r;
    r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->pub.owner_id = owner_id;
    r->pub.tag = tag;
    r->pub.paged = paged;
    r->next = row_buckets[b];
    row_buckets[b] = r;
    r->all_next = rows;
    rows = r;
    return r;
}

const char *owsk_ex_tag_string(uint32_t tag, char buf[5])
{
    for (int i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)(tag >> (8 * i));
        buf[i] = c >= 0x20 && c < 0x7f ? (char)c : '.';
    }
    buf[4] = 0;
    return buf;
}

static bool is_paged(POOL_TYPE type)
{
    return ((unsigned)type & 1) != 0; /* PagedPool, PagedPoolCacheAligned, PagedPoolSession */
}

static void check_alloc_irql(int paged, ULONG type, size_t size)
{
    KIRQL irql = owsk_ke_irql_get();

    if (paged && irql > APC_LEVEL)
        owsk_ke_bugcheck(OWSK_BUGCHECK_DRIVER_VERIFIER_DETECTED_VIOLATION, 0x01, irql, type, size,
                         "paged pool allocation of %zu bytes at IRQL %u (maximum "
                         "APC_LEVEL)",
                         size, irql);
    if (irql > DISPATCH_LEVEL)
        owsk_ke_bugcheck(OWSK_BUGCHECK_DRIVER_VERIFIER_DETECTED_VIOLATION, 0x02, irql, type, size,
                         "nonpaged pool allocation of %zu bytes at IRQL %u (maximum "
                         "DISPATCH_LEVEL)",
                         size, irql);
}

/* The allocator under every DDI. align is 16 or 64. NULL if out of memory. */
static void *pool_alloc(ULONG pool_type, int paged, size_t size, size_t align, uint32_t tag,
                        bool zero, struct owsk_owner *owner, const void *caller)
{
    size_t hsz = sizeof(struct pool_hdr), total;
    char *raw, *user;
    struct pool_hdr *h;

    check_alloc_irql(paged, pool_type, size);
    if (size > SIZE_MAX - hsz - align - 16)
        return NULL;
    /* The block is rounded to 16 so an allocator hook can end-align it on a guard page. */
    total = hsz + ((size + 15) & ~(size_t)15) + (align > 16 ? align : 0);
    if (!size)
        total += 16;
    const struct owsk_ex_pool_hooks *hk = __atomic_load_n(&hooks, __ATOMIC_ACQUIRE);
    unsigned owner_id = owner ? owner->id : 0;
    if (hk && hk->fail && hk->fail(size, tag, owner_id, caller, hk->ctx))
        return NULL;
    raw = hk && hk->alloc ? hk->alloc(total, tag, owner_id, hk->ctx) : malloc(total);
    if (!raw)
        return NULL;
    user = raw + hsz;
    if (align > 16)
        user = (char *)(((uintptr_t)user + align - 1) & ~(uintptr_t)(align - 1));
    if (zero)
        memset(user, 0, size);
    h = hdr_of(user);
    h->magic = MAGIC_LIVE;
    h->raw = raw;
    h->size = size;
    h->tag = tag;
    h->pool_type = pool_type;
    h->paged = paged;
    h->owner_id = owner_id;
    h->caller = caller;
    h->total = total;
    h->hooked = hk && hk->alloc ? hk : NULL;

    pthread_mutex_lock(&pool_lock);
    h->row = row_for(h->owner_id, tag, paged);
    if (h->row) {
        h->row->pub.allocs++;
        h->row->pub.bytes += size;
    }
    h->next = &live;
    h->prev = live.prev;
    live.prev->next = h;
    live.prev = h;
    size_t b = bucket_of(user);
    h->hnext = buckets[b];
    buckets[b] = h;
    pthread_mutex_unlock(&pool_lock);
    return user;
}

static void pool_free(void *p, bool check_tag, ULONG tag, const char *ddi)
{
    struct pool_hdr *h, **pp;
    bool was_freed = false;

    pthread_mutex_lock(&pool_lock);
    h = p ? find(p) : NULL;
    if (!h) {
        for (size_t i = 0; p && i < NFREED; i++)
            was_freed |= freed[i] == p;
        pthread_mutex_unlock(&pool_lock);
        if (was_freed)
            owsk_ke_bugcheck(OWSK_BUGCHECK_BAD_POOL_CALLER, 0x07, 0, 0, (ULONG_PTR)p,
                             "%s(%p): the block was already freed (double free)", ddi, p);
        owsk_ke_bugcheck(OWSK_BUGCHECK_DRIVER_VERIFIER_DETECTED_VIOLATION, 0x10, (ULONG_PTR)p, 0, 0,
                         "%s(%p): not an address returned by a pool allocation", ddi, p);
    }
    if (h->magic != MAGIC_LIVE) {
        pthread_mutex_unlock(&pool_lock);
        owsk_ke_bugcheck(BAD_POOL_HEADER, 0x20, (ULONG_PTR)h, h->magic, 0,
                         "%s(%p): the pool header before the block was overwritten "
                         "(buffer underrun)",
                         ddi, p);
    }
    if (check_tag && (tag & 0x7fffffff) != (h->tag & 0x7fffffff)) {
        char a[5], b[5];
        uint32_t t = h->tag;
        pthread_mutex_unlock(&pool_lock);
        owsk_ke_bugcheck(OWSK_BUGCHECK_BAD_POOL_CALLER, 0x0A, (ULONG_PTR)p, t, tag,
                         "%s(%p, '%s'): the block was allocated with tag '%s'", ddi, p,
                         owsk_ex_tag_string(tag, a), owsk_ex_tag_string(t, b));
    }
    KIRQL irql = owsk_ke_irql_get();
    if (irql > (h->paged ? APC_LEVEL : DISPATCH_LEVEL)) {
        ULONG type = h->pool_type;
        int paged = h->paged;
        pthread_mutex_unlock(&pool_lock);
        owsk_ke_bugcheck(OWSK_BUGCHECK_DRIVER_VERIFIER_DETECTED_VIOLATION, paged ? 0x11 : 0x12,
                         irql, type, (ULONG_PTR)p, "%s(%p): %s pool freed at IRQL %u", ddi, p,
                         paged ? "paged" : "nonpaged", irql);
    }
    size_t size = h->size;
    ULONG type = h->pool_type;
    pthread_mutex_unlock(&pool_lock);

    /* A queued KTIMER or KDPC, or a live ERESOURCE, inside the block would be a use after
     * free later. */
    owsk_ke_check_free(p, size, type);
    owsk_ex_resource_check_free(p, size, type);

    pthread_mutex_lock(&pool_lock);
    if (find(p) != h) {
        pthread_mutex_unlock(&pool_lock);
        owsk_ke_bugcheck(OWSK_BUGCHECK_BAD_POOL_CALLER, 0x07, 0, 0, (ULONG_PTR)p,
                         "%s(%p): the block was freed twice concurrently", ddi, p);
    }
    for (pp = &buckets[bucket_of(p)]; *pp != h; pp = &(*pp)->hnext)
        ;
    *pp = h->hnext;
    h->prev->next = h->next;
    h->next->prev = h->prev;
    if (h->row) {
        h->row->pub.frees++;
        h->row->pub.bytes -= h->size;
    }
    h->magic = 0;
    freed[freed_pos] = p;
    freed_pos = (freed_pos + 1) % NFREED;
    void *raw = h->raw;
    size_t total = h->total;
    const struct owsk_ex_pool_hooks *hooked = h->hooked;
    pthread_mutex_unlock(&pool_lock);
    if (hooked) {
        hooked->free(raw, total, hooked->ctx);
    } else {
        free(raw);
    }
}

/* Raising an exception on failure cannot be caught here: it is the unhandled-exception bug
 * check (POOL_FLAG_RAISE_ON_FAILURE, POOL_RAISE_IF_ALLOCATION_FAILURE, must-succeed pools). */
static __attribute__((noreturn)) void raise_failure(size_t size, uint32_t tag, const char *ddi)
{
    char b[5];
    owsk_ke_bugcheck(OWSK_BUGCHECK_KMODE_EXCEPTION_NOT_HANDLED,
                     (ULONG_PTR)(ULONG)STATUS_INSUFFICIENT_RESOURCES, size, tag, 0,
                     "%s(%zu bytes, tag '%s') failed and the caller asked for an exception", ddi,
                     size, owsk_ex_tag_string(tag, b));
}

void *owsk_ex_alloc(POOL_TYPE type, size_t size, uint32_t tag, struct owsk_owner *owner,
                    const void *caller)
{
    ULONG t = (ULONG)type;
    return pool_alloc(t, is_paged(type), size, (t & 4) ? 64 : 16, tag,
                      (t & POOL_ZERO_ALLOCATION) != 0, owner, caller);
}

static void *alloc_with_type(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag,
                             const void *caller, const char *ddi)
{
    ULONG t = (ULONG)PoolType;
    void *p = owsk_ex_alloc(PoolType, NumberOfBytes, Tag, owsk_current_owner, caller);

    /* NonPagedPoolMustSucceed (2) and its cache-aligned form (6) never return NULL. */
    if (!p && ((t & POOL_RAISE_IF_ALLOCATION_FAILURE) || (t & 7) == 2 || (t & 7) == 6))
        raise_failure(NumberOfBytes, Tag, ddi);
    return p;
}

PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return alloc_with_type(PoolType, NumberOfBytes, Tag, __builtin_return_address(0),
                           "ExAllocatePoolWithTag");
}

/* ExAllocatePool: the untagged form; Windows charges it to the tag 'None'. */
PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    return alloc_with_type(PoolType, NumberOfBytes, 'enoN', __builtin_return_address(0),
                           "ExAllocatePool");
}

PVOID ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    /* Quota allocations raise on failure unless POOL_QUOTA_FAIL_INSTEAD_OF_RAISE (8). */
    ULONG t = (ULONG)PoolType;
    void *p = owsk_ex_alloc((POOL_TYPE)(t & ~8u), NumberOfBytes, Tag, owsk_current_owner,
                            __builtin_return_address(0));
    if (!p && !(t & 8))
        raise_failure(NumberOfBytes, Tag, "ExAllocatePoolWithQuotaTag");
    return p;
}

PVOID ExAllocatePoolWithTagPriority(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag,
                                    EX_POOL_PRIORITY Priority)
{
    return alloc_with_type(PoolType, NumberOfBytes, Tag, __builtin_return_address(0),
                           "ExAllocatePoolWithTagPriority");
}

#define REQUIRED_MASK 0xFFFFFFFFULL
#define KNOWN_REQUIRED                                                                             \
    (POOL_FLAG_USE_QUOTA | POOL_FLAG_UNINITIALIZED | POOL_FLAG_SESSION | POOL_FLAG_CACHE_ALIGNED | \
     POOL_FLAG_RAISE_ON_FAILURE | POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE |              \
     POOL_FLAG_PAGED)

static void *alloc_flags(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag, const void *caller,
                         const char *ddi)
{
    POOL_FLAGS kind = Flags & (POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED);
    bool raise = (Flags & POOL_FLAG_RAISE_ON_FAILURE) != 0;
    void *p = NULL;

    /* Documented: a zero tag or invalid POOL_FLAGS fail (NULL, or raise). Unknown required
     * flags are invalid; unknown optional flags (the upper 32 bits) are ignored. Exactly one
     * pool kind is required. */
    if (Tag != 0 && !((Flags & REQUIRED_MASK) & ~(POOL_FLAGS)KNOWN_REQUIRED) &&
        (kind == POOL_FLAG_NON_PAGED || kind == POOL_FLAG_NON_PAGED_EXECUTE ||
         kind == POOL_FLAG_PAGED)) {
        int paged = kind == POOL_FLAG_PAGED;
        ULONG type = paged ? PagedPool : NonPagedPoolNx;
        p = pool_alloc(type, paged, NumberOfBytes, (Flags & POOL_FLAG_CACHE_ALIGNED) ? 64 : 16, Tag,
                       !(Flags & POOL_FLAG_UNINITIALIZED), owsk_current_owner, caller);
    }
    if (!p && raise)
        raise_failure(NumberOfBytes, Tag, ddi);
    return p;
}

PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
    return alloc_flags(Flags, NumberOfBytes, Tag, __builtin_return_address(0), "ExAllocatePool2");
}

/* ExAllocatePool3: extended parameters (priority, secure pool) are ignored. */
PVOID ExAllocatePool3(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag,
                      PCPOOL_EXTENDED_PARAMETER ExtendedParameters, ULONG ExtendedParametersCount)
{
    return alloc_flags(Flags, NumberOfBytes, Tag, __builtin_return_address(0), "ExAllocatePool3");
}

VOID ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    pool_free(P, true, Tag, "ExFreePoolWithTag");
}

VOID ExFreePool(PVOID P)
{
    pool_free(P, false, 0, "ExFreePool");
}

void owsk_ex_pool_outstanding(unsigned owner_id, uint64_t *ret_allocs, uint64_t *ret_bytes)
{
    uint64_t n = 0, bytes = 0;

    pthread_mutex_lock(&pool_lock);
    for (struct pool_row *r = rows; r; r = r->all_next) {
        if (r->pub.owner_id != owner_id)
            continue;
        n += r->pub.allocs - r->pub.frees;
        bytes += r->pub.bytes;
    }
    pthread_mutex_unlock(&pool_lock);
    if (ret_allocs)
        *ret_allocs = n;
    if (ret_bytes)
        *ret_bytes = bytes;
}

uint64_t owsk_ex_pool_foreach_block(unsigned owner_id,
                                    int (*fn)(const struct owsk_pool_block *b, void *ctx),
                                    void *ctx)
{
    uint64_t n = 0;

    pthread_mutex_lock(&pool_lock);
    for (struct pool_hdr *h = live.next; h != &live; h = h->next) {
        if (h->owner_id != owner_id)
            continue;
        struct owsk_pool_block b = {h + 1, h->size, h->tag, h->paged, h->caller};
        n++;
        if (fn && fn(&b, ctx))
            break;
    }
    pthread_mutex_unlock(&pool_lock);
    return n;
}

bool owsk_ex_pool_find(const void *addr, struct owsk_pool_block *ret_block, unsigned *ret_owner_id)
{
    const char *a = addr;
    struct pool_hdr *best = NULL;
    size_t best_dist = 65;

    pthread_mutex_lock(&pool_lock);
    for (struct pool_hdr *h = live.next; h != &live; h = h->next) {
        const char *lo = (const char *)(h + 1), *hi = lo + h->size;
        if (a >= lo && a < hi) {
            best = h;
            break;
        }
        if (a >= hi && (size_t)(a - hi) < best_dist) {
            best = h;
            best_dist = (size_t)(a - hi);
        }
    }
    if (best) {
        *ret_block =
            (struct owsk_pool_block){best + 1, best->size, best->tag, best->paged, best->caller};
        if (ret_owner_id)
            *ret_owner_id = best->owner_id;
    }
    pthread_mutex_unlock(&pool_lock);
    return best != NULL;
}

/* Copies the rows so callbacks run without the pool lock. */
static struct owsk_pool_row *snapshot(size_t *ret_n)
{
    size_t n = 0, i = 0;
    struct owsk_pool_row *v;

    pthread_mutex_lock(&pool_lock);
    for (struct pool_row *r = rows; r; r = r->all_next)
        n++;
    v = malloc((n ? n : 1) * sizeof(*v));
    if (v)
        for (struct pool_row *r = rows; r; r = r->all_next)
            v[i++] = r->pub;
    pthread_mutex_unlock(&pool_lock);
    *ret_n = v ? n : 0;
    return v;
}

void owsk_pool_foreach(int (*fn)(const struct owsk_pool_row *row, void *ctx), void *ctx)
{
    size_t n;
    struct owsk_pool_row *v = snapshot(&n);

    for (size_t i = 0; i < n; i++)
        if (fn(&v[i], ctx))
            break;
    free(v);
}

uint64_t owsk_ex_pool_report(unsigned owner_id, void (*line)(const char *text, void *ctx),
                             void *ctx)
{
    size_t n;
    struct owsk_pool_row *v = snapshot(&n);
    uint64_t allocs = 0, bytes = 0;
    char buf[160], t[5];

    for (size_t i = 0; i < n; i++) {
        if (v[i].owner_id != owner_id)
            continue;
        allocs += v[i].allocs - v[i].frees;
        bytes += v[i].bytes;
    }
    snprintf(buf, sizeof(buf), "pool: %llu allocations, %llu bytes outstanding",
             (unsigned long long)allocs, (unsigned long long)bytes);
    line(buf, ctx);
    for (size_t i = 0; i < n; i++) {
        if (v[i].owner_id != owner_id || v[i].allocs == v[i].frees)
            continue;
        snprintf(buf, sizeof(buf),
                 "  tag '%s' %s: %llu allocations, %llu bytes (%llu allocs, "
                 "%llu frees in all)",
                 owsk_ex_tag_string(v[i].tag, t), v[i].paged ? "paged" : "nonpaged",
                 (unsigned long long)(v[i].allocs - v[i].frees), (unsigned long long)v[i].bytes,
                 (unsigned long long)v[i].allocs, (unsigned long long)v[i].frees);
        line(buf, ctx);
    }
    free(v);
    return allocs;
}
