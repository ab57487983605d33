/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ex internals: pool accounting per driver (for leak reports and wskctl), the system worker
 * pool other rooms queue work to (IoQueueWorkItem), and per-driver work counts. */
#ifndef OWSK_EX_EX_H
#define OWSK_EX_EX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wdm.h>

struct owsk_owner;

/* ---- Pool (pool.c) ---- */

/* Outstanding pool of one driver (owner id; 0 = the host): allocations and bytes. */
void owsk_ex_pool_outstanding(unsigned owner_id, uint64_t *ret_allocs, uint64_t *ret_bytes);

/* One live block, as the leak walker reports it. */
struct owsk_pool_block {
    const void *address; /* what the driver got */
    size_t size;
    uint32_t tag;
    int paged;
    const void *caller; /* return address of the allocating call */
};
/* Calls fn for each live block of owner_id (under the pool lock: fn must not allocate or
 * free pool); stops when fn returns non-zero. Returns the number of blocks visited. */
uint64_t owsk_ex_pool_foreach_block(unsigned owner_id,
                                    int (*fn)(const struct owsk_pool_block *b, void *ctx),
                                    void *ctx);
/* The live block containing addr (or, failing that, the one addr is closest past the end of,
 * within 64 bytes): for reports on bad accesses. Not for hot paths: walks every live block.
 * Takes the pool lock; not async-signal-safe. false if none. */
bool owsk_ex_pool_find(const void *addr, struct owsk_pool_block *ret_block, unsigned *ret_owner_id);
/* Writes "pool: N allocations, B bytes outstanding" and one line per tag through line;
 * returns the number of outstanding allocations. */
uint64_t owsk_ex_pool_report(unsigned owner_id, void (*line)(const char *text, void *ctx),
                             void *ctx);
/* "sksw" for 'wsks' as a driver writes it (the tag's bytes in memory order), non-printable
 * bytes as '.'; buf must hold 5 bytes. */
const char *owsk_ex_tag_string(uint32_t tag, char buf[5]);

/* Allocation with an explicit owner, for rooms that allocate on a driver's behalf (IRPs,
 * MDLs) so leaks are charged to that driver. Same rules as ExAllocatePoolWithTag. */
void *owsk_ex_alloc(POOL_TYPE type, size_t size, uint32_t tag, struct owsk_owner *owner,
                    const void *caller);

/* Hooks the verifier installs (special pool, fault injection); NULL members keep the default.
 * alloc returns at least total bytes, 16-byte aligned (the driver's block ends within the
 * last 16 bytes of it); free gets back what alloc returned; fail returning true makes the
 * allocation fail (NULL, or the documented raise). Called without pool locks held. The
 * struct must stay valid (and its free usable) for as long as blocks it allocated live,
 * even after other hooks are installed. */
struct owsk_ex_pool_hooks {
    void *(*alloc)(size_t total, uint32_t tag, unsigned owner_id, void *ctx);
    void (*free)(void *raw, size_t total, void *ctx);
    bool (*fail)(size_t size, uint32_t tag, unsigned owner_id, const void *caller, void *ctx);
    void *ctx;
};
void owsk_ex_set_pool_hooks(const struct owsk_ex_pool_hooks *hooks);

/* ---- Resources and lookaside lists (resource.c, lookaside.c) ---- */

/* Bug checks 0xC4/0x17 if [p, p + len) holds an ERESOURCE not yet deleted. */
void owsk_ex_resource_check_free(const void *p, size_t len, ULONG pool_type);
/* Lookaside lists a driver initialised and has not deleted (unload checks). */
uint64_t owsk_ex_lookasides_outstanding(unsigned owner_id);

/* ---- Work items (workitem.c) ---- */

/* Runs fn(ctx) on a system worker thread at PASSIVE_LEVEL with owner as the current owner,
 * FIFO with other delayed work. false if out of memory. */
bool owsk_ex_queue_work(void (*fn)(void *ctx), void *ctx, struct owsk_owner *owner);
/* Work queued or running for owner_id. */
uint64_t owsk_ex_work_outstanding(unsigned owner_id);
/* Waits up to timeout_ms for owner_id's work to drain; true if it did. */
bool owsk_ex_work_wait_idle(unsigned owner_id, unsigned timeout_ms);

#endif
