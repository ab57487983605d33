/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* MDLs over the one flat address space: IoAllocateMdl/IoFreeMdl/IoBuildPartialMdl,
 * MmSizeOfMdl, MmBuildMdlForNonPagedPool, MmProbeAndLockPages/MmUnlockPages,
 * MmMapLockedPagesSpecifyCache/MmUnmapLockedPages, and WSK_BUF -> iovec. Page frame numbers
 * are the virtual page numbers (fake but consistent); nothing is pinned or remapped, and
 * user-mode mappings (AccessMode UserMode, MmMapLockedPages to user space) are left out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "io/io_private.h"
#include "ke/ke.h"

/* IoAllocateMdl limit since Windows 7 (DDI page remarks): 4 GB - PAGE_SIZE. */
#define OWSK_BUGCHECK_DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS 0xCB
/* 0xC4 parameter-1 values of openwsk's own MDL rules (not Microsoft codes; see
 * docs/compatibility.md, "I/O manager"). */
#define OWSK_DV_MDL_PARTIAL_OUTSIDE 0xA0100
#define OWSK_DV_MDL_PROBE_BAD_FLAGS 0xA0101
#define OWSK_DV_MDL_UNLOCK_NOT_LOCKED 0xA0102
#define MAX_MDL_LENGTH 0xFFFFF000u

/* In front of every IoAllocateMdl'd MDL; MDL_ALLOCATED_FIXED_SIZE marks such MDLs (Windows
 * sets it for its lookaside MDLs, MmInitializeMdl clears it, IoBuildPartialMdl keeps it). */
struct mdl_header {
    uint64_t magic;
    struct owsk_owner *owner;
} __attribute__((aligned(16)));

#define OWSK_MDL_MAGIC 0x4c444d4b53574f21ull /* "!OWSKMDL" */

static struct mdl_header *mdl_header_of(PMDL mdl)
{
    struct mdl_header *h;

    if (!(mdl->MdlFlags & MDL_ALLOCATED_FIXED_SIZE))
        return NULL;
    h = (struct mdl_header *)mdl - 1;
    return h->magic == OWSK_MDL_MAGIC ? h : NULL;
}

static ULONG span_pages(PVOID va, SIZE_T length)
{
    return (ULONG)ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, length);
}

SIZE_T MmSizeOfMdl(PVOID Base, SIZE_T Length)
{
    return sizeof(MDL) + (SIZE_T)span_pages(Base, Length) * sizeof(PFN_NUMBER);
}

/* Fills the PFN array with the virtual page numbers of the range. */
static void fill_pfns(PMDL mdl)
{
    PPFN_NUMBER pfn = MmGetMdlPfnArray(mdl);
    ULONG_PTR page = (ULONG_PTR)mdl->StartVa >> PAGE_SHIFT;
    ULONG n = span_pages(MmGetMdlVirtualAddress(mdl), mdl->ByteCount);

    for (ULONG i = 0; i < n; i++)
        pfn[i] = page + i;
}

/* IoAllocateMdl: ChargeQuota is ignored. */
PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer,
                   BOOLEAN ChargeQuota, PIRP Irp)
{
    struct mdl_header *h;
    SIZE_T size;
    PMDL mdl;

    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, VirtualAddress);
    if (Length > MAX_MDL_LENGTH)
        return NULL;
    size = MmSizeOfMdl(VirtualAddress, Length);
    h = calloc(1, sizeof(*h) + size);
    if (!h)
        return NULL;
    h->magic = OWSK_MDL_MAGIC;
    h->owner = owsk_current_owner;
    mdl = (PMDL)(h + 1);
    MmInitializeMdl(mdl, VirtualAddress, Length);
    mdl->MdlFlags |= MDL_ALLOCATED_FIXED_SIZE;
    if (Irp) {
        if (SecondaryBuffer && Irp->MdlAddress) {
            PMDL tail = Irp->MdlAddress;

            while (tail->Next)
                tail = tail->Next;
            tail->Next = mdl;
        } else {
            Irp->MdlAddress = mdl;
        }
    }
    io_count_add(h->owner, IO_COUNT_MDLS, 1);
    OWSK_TRACE(OWSK_CH_IO, "va %p, length %u, secondary %d, irp %p -> mdl %p", VirtualAddress,
               Length, SecondaryBuffer, (void *)Irp, (void *)mdl);
    return mdl;
}

VOID IoFreeMdl(PMDL Mdl)
{
    struct mdl_header *h;

    if (!Mdl)
        return;
    h = mdl_header_of(Mdl);
    if (!h) {
        /* Windows would free it to pool and corrupt it; refuse and say why. */
        OWSK_ERR(OWSK_CH_IO, "IoFreeMdl(%p): not an MDL from IoAllocateMdl; not freed",
                 (void *)Mdl);
        return;
    }
    if (Mdl->MdlFlags & MDL_PAGES_LOCKED)
        owsk_ke_bugcheck(OWSK_BUGCHECK_DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS, 0, 0, (ULONG_PTR)Mdl,
                         span_pages(MmGetMdlVirtualAddress(Mdl), Mdl->ByteCount),
                         "IoFreeMdl(%p): its pages are still locked (MmUnlockPages missing)",
                         (void *)Mdl);
    io_count_add(h->owner, IO_COUNT_MDLS, -1);
    h->magic = 0;
    Mdl->MdlFlags = 0;
    free(h);
}

VOID IoBuildPartialMdl(PMDL SourceMdl, PMDL TargetMdl, PVOID VirtualAddress, ULONG Length)
{
    PUCHAR src = MmGetMdlVirtualAddress(SourceMdl);
    PUCHAR va = VirtualAddress;
    ULONG offset;

    if (va < src || (ULONG_PTR)(va - src) > SourceMdl->ByteCount)
        owsk_ke_bugcheck(OWSK_BUGCHECK_DRIVER_VERIFIER_DETECTED_VIOLATION,
                         OWSK_DV_MDL_PARTIAL_OUTSIDE, (ULONG_PTR)SourceMdl,
                         (ULONG_PTR)VirtualAddress, 0,
                         "IoBuildPartialMdl: %p is outside the source MDL %p", VirtualAddress,
                         (void *)SourceMdl);
    offset = (ULONG)(va - src);
    if (Length == 0)
        Length = SourceMdl->ByteCount - offset; /* documented: 0 = the rest of the source */
    if ((ULONGLONG)offset + Length > SourceMdl->ByteCount)
        owsk_ke_bugcheck(OWSK_BUGCHECK_DRIVER_VERIFIER_DETECTED_VIOLATION,
                         OWSK_DV_MDL_PARTIAL_OUTSIDE, (ULONG_PTR)SourceMdl,
                         (ULONG_PTR)VirtualAddress, Length,
                         "IoBuildPartialMdl: %u bytes at %p run past the source MDL %p", Length,
                         VirtualAddress, (void *)SourceMdl);
    TargetMdl->StartVa = PAGE_ALIGN(va);
    TargetMdl->ByteOffset = BYTE_OFFSET(va);
    TargetMdl->ByteCount = Length;
    TargetMdl->MdlFlags &= (MDL_ALLOCATED_FIXED_SIZE | MDL_ALLOCATED_MUST_SUCCEED);
    TargetMdl->MdlFlags |= MDL_PARTIAL;
    if (SourceMdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL)) {
        TargetMdl->MdlFlags |= MDL_PARTIAL_HAS_BEEN_MAPPED;
        TargetMdl->MappedSystemVa = (PUCHAR)MmGetSystemAddressForMdlSafe(SourceMdl,
                                                                        NormalPagePriority) +
                                    offset;
    }
    TargetMdl->Process = SourceMdl->Process;
    fill_pfns(TargetMdl);
}

VOID MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList)
{
    PMDL mdl = MemoryDescriptorList;

    mdl->MappedSystemVa = (PUCHAR)mdl->StartVa + mdl->ByteOffset;
    mdl->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
    fill_pfns(mdl);
}

/* Reads one byte of every page of [va, va + len) through the kernel, and for write access
 * writes the same bytes back (ProbeForWrite's classic read-and-rewrite). Returns 0, or the
 * first address that faulted in *ret_bad. */
static int probe_range(PUCHAR va, SIZE_T len, bool write, PUCHAR *ret_bad)
{
    enum { BATCH = 64 };
    struct iovec local[BATCH], remote[BATCH];
    unsigned char bytes[BATCH];
    PUCHAR p = va, end = va + len;

    while (p < end) {
        int n = 0;
        ssize_t r;

        for (; p < end && n < BATCH; n++) {
            local[n] = (struct iovec){&bytes[n], 1};
            remote[n] = (struct iovec){p, 1};
            p = (PUCHAR)PAGE_ALIGN(p) + PAGE_SIZE;
        }
        r = process_vm_readv(getpid(), local, n, remote, n, 0);
        if (r < 0 && (errno == ENOSYS || errno == EPERM)) {
            OWSK_FIXME(OWSK_CH_IO, "process_vm_readv unavailable (%d): pages not probed", errno);
            return 0;
        }
        if (r < n) {
            *ret_bad = remote[r < 0 ? 0 : r].iov_base;
            return -EFAULT;
        }
        if (write) {
            r = process_vm_writev(getpid(), local, n, remote, n, 0);
            if (r < n) {
                *ret_bad = remote[r < 0 ? 0 : r].iov_base;
                return -EFAULT;
            }
        }
    }
    return 0;
}

/* MmProbeAndLockPages: nothing is pinned (memory does not page out from under a process the
 * way it matters here). A range that is not accessible raises STATUS_ACCESS_VIOLATION on
 * Windows; our __try cannot catch, so it bug-checks 0x1E KMODE_EXCEPTION_NOT_HANDLED. */
VOID MmProbeAndLockPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                         LOCK_OPERATION Operation)
{
    PMDL mdl = MemoryDescriptorList;
    struct mdl_header *h;
    PUCHAR bad = NULL;

    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, mdl);
    if (mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL | MDL_PARTIAL))
        owsk_ke_bugcheck(OWSK_BUGCHECK_DRIVER_VERIFIER_DETECTED_VIOLATION,
                         OWSK_DV_MDL_PROBE_BAD_FLAGS,
                         (ULONG_PTR)mdl, mdl->MdlFlags, 0,
                         "MmProbeAndLockPages(%p): the MDL is already locked, describes "
                         "nonpaged pool or is partial (flags %#x)", (void *)mdl, mdl->MdlFlags);
    if (probe_range(MmGetMdlVirtualAddress(mdl), mdl->ByteCount, Operation != IoReadAccess,
                    &bad) < 0)
        owsk_ke_bugcheck(OWSK_BUGCHECK_KMODE_EXCEPTION_NOT_HANDLED,
                         (ULONG_PTR)STATUS_ACCESS_VIOLATION, (ULONG_PTR)MmProbeAndLockPages,
                         Operation != IoReadAccess, (ULONG_PTR)bad,
                         "MmProbeAndLockPages(%p): %p is not %s (a __try/__except around it "
                         "cannot catch this here)", (void *)mdl, (void *)bad,
                         Operation != IoReadAccess ? "writable" : "readable");
    fill_pfns(mdl);
    mdl->MdlFlags |= MDL_PAGES_LOCKED;
    if (Operation != IoReadAccess)
        mdl->MdlFlags |= MDL_WRITE_OPERATION;
    h = mdl_header_of(mdl);
    io_count_add(h ? h->owner : owsk_current_owner, IO_COUNT_LOCKED_MDLS, 1);
}

VOID MmUnlockPages(PMDL MemoryDescriptorList)
{
    PMDL mdl = MemoryDescriptorList;
    struct mdl_header *h;

    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, mdl);
    if (!(mdl->MdlFlags & MDL_PAGES_LOCKED))
        owsk_ke_bugcheck(OWSK_BUGCHECK_DRIVER_VERIFIER_DETECTED_VIOLATION,
                         OWSK_DV_MDL_UNLOCK_NOT_LOCKED,
                         (ULONG_PTR)mdl, mdl->MdlFlags, 0,
                         "MmUnlockPages(%p): the MDL's pages are not locked", (void *)mdl);
    mdl->MdlFlags &= ~(MDL_PAGES_LOCKED | MDL_WRITE_OPERATION | MDL_MAPPED_TO_SYSTEM_VA);
    h = mdl_header_of(mdl);
    io_count_add(h ? h->owner : owsk_current_owner, IO_COUNT_LOCKED_MDLS, -1);
}

/* MmMapLockedPagesSpecifyCache: kernel mappings only; the memory is already mapped, so the
 * "mapping" is the buffer's own address. CacheType, RequestedAddress and Priority are
 * ignored; AccessMode UserMode returns NULL (there is no separate user space). */
PVOID MmMapLockedPagesSpecifyCache(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                                   MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress,
                                   ULONG BugCheckOnFailure, ULONG Priority)
{
    PMDL mdl = MemoryDescriptorList;

    if (AccessMode != KernelMode) {
        OWSK_FIXME(OWSK_CH_IO, "user-mode mappings of MDLs are not supported");
        return NULL;
    }
    if (mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL |
                         MDL_PARTIAL_HAS_BEEN_MAPPED))
        return mdl->MappedSystemVa;
    mdl->MappedSystemVa = (PUCHAR)mdl->StartVa + mdl->ByteOffset;
    mdl->MdlFlags |= MDL_MAPPED_TO_SYSTEM_VA;
    return mdl->MappedSystemVa;
}

VOID MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList)
{
    MemoryDescriptorList->MdlFlags &= ~MDL_MAPPED_TO_SYSTEM_VA;
}

static void *mdl_system_address(PMDL mdl)
{
    if (mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL |
                         MDL_PARTIAL_HAS_BEEN_MAPPED))
        return mdl->MappedSystemVa;
    return (PUCHAR)mdl->StartVa + mdl->ByteOffset;
}

int owsk_io_wsk_buf_to_iovec(PMDL mdl, ULONG offset, SIZE_T length, struct iovec *iov, int max,
                             int *ret_count)
{
    int n = 0;

    if (length == 0) {
        *ret_count = 0;
        return 0;
    }
    if (!mdl || offset >= mdl->ByteCount)
        return -EINVAL;
    for (; mdl && length > 0; mdl = mdl->Next, offset = 0) {
        SIZE_T chunk = mdl->ByteCount - offset;

        if (chunk == 0)
            continue;
        if (chunk > length)
            chunk = length;
        if (n == max)
            return -E2BIG;
        iov[n].iov_base = (PUCHAR)mdl_system_address(mdl) + offset;
        iov[n].iov_len = chunk;
        n++;
        length -= chunk;
    }
    if (length > 0)
        return -EINVAL; /* the chain is shorter than Offset + Length */
    *ret_count = n;
    return 0;
}
