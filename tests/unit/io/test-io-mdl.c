/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* MDLs as a WSK driver builds them: IoAllocateMdl over a buffer crossing pages (offsets, byte
 * counts, Size for the page span, PFN array), chains through an IRP's MdlAddress,
 * IoBuildPartialMdl, MmBuildMdlForNonPagedPool + MmGetSystemAddressForMdlSafe,
 * MmProbeAndLockPages/MmUnlockPages, MmGetSystemRoutineAddress, and the WSK_BUF -> iovec walk
 * a provider does, including offsets and lengths that lie (-EINVAL). Expected values: the
 * IoAllocateMdl, MmInitializeMdl and MmBuildMdlForNonPagedPool DDI pages. */
#include <errno.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "io/io.h"
#include "owsk_test.h"

static unsigned char *pages; /* 4 pages, page-aligned */

static void allocate_crossing_pages(void)
{
    unsigned char *va = pages + 4000;
    PMDL mdl = IoAllocateMdl(va, 9000, FALSE, FALSE, NULL);
    PPFN_NUMBER pfn;

    CHECK(mdl != NULL);
    if (!mdl)
        return;
    /* 4000 + 9000 = 13000 bytes from the first page start: pages 0..3 (4 pages). */
    CHECK(MmGetMdlBaseVa(mdl) == pages);
    CHECK_UINT(MmGetMdlByteOffset(mdl), 4000);
    CHECK_UINT(MmGetMdlByteCount(mdl), 9000);
    CHECK(MmGetMdlVirtualAddress(mdl) == va);
    CHECK(mdl->Next == NULL);
    CHECK_UINT(ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, 9000), 4);
    CHECK_UINT(mdl->Size, sizeof(MDL) + 4 * sizeof(PFN_NUMBER));
    CHECK_UINT(MmSizeOfMdl(va, 9000), sizeof(MDL) + 4 * sizeof(PFN_NUMBER));
    CHECK_UINT(MmSizeOfMdl(pages, PAGE_SIZE), sizeof(MDL) + sizeof(PFN_NUMBER));
    CHECK_UINT(MmSizeOfMdl(pages + 1, PAGE_SIZE), sizeof(MDL) + 2 * sizeof(PFN_NUMBER));
    CHECK_INT(mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA), 0);

    MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    CHECK(mdl->MdlFlags & MDL_PAGES_LOCKED);
    pfn = MmGetMdlPfnArray(mdl);
    for (int i = 1; i < 4; i++)
        CHECK_UINT(pfn[i], pfn[0] + (PFN_NUMBER)i); /* consecutive pages, consecutive PFNs */
    CHECK(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) == va);
    CHECK(mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA);
    MmUnlockPages(mdl);
    CHECK_INT(mdl->MdlFlags & MDL_PAGES_LOCKED, 0);
    IoFreeMdl(mdl);

    CHECK(IoAllocateMdl(va, 0xFFFFF001u, FALSE, FALSE, NULL) == NULL); /* 4 GB - PAGE_SIZE */
}

static void chain_through_irp(void)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    PMDL a, b, c;

    a = IoAllocateMdl(pages, 100, FALSE, FALSE, irp);
    CHECK(irp->MdlAddress == a);
    b = IoAllocateMdl(pages + 5000, 200, TRUE, FALSE, irp);
    c = IoAllocateMdl(pages + 9000, 300, TRUE, FALSE, irp);
    CHECK(irp->MdlAddress == a && a->Next == b && b->Next == c && c->Next == NULL);
    CHECK_UINT(b->ByteOffset, 5000 - PAGE_SIZE);
    CHECK(b->StartVa == pages + PAGE_SIZE);
    IoFreeMdl(c);
    IoFreeMdl(b);
    IoFreeMdl(a);
    irp->MdlAddress = NULL;
    IoFreeIrp(irp);
}

static void nonpaged_and_partial(void)
{
    unsigned char *buf = ExAllocatePool2(POOL_FLAG_NON_PAGED, 6000, 'tMoI');
    PMDL src, part;

    CHECK(buf != NULL);
    if (!buf)
        return;
    src = IoAllocateMdl(buf, 6000, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(src);
    CHECK(src->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL);
    CHECK(src->MappedSystemVa == buf);
    CHECK(MmGetSystemAddressForMdlSafe(src, NormalPagePriority) == buf);
    CHECK_UINT(MmGetMdlPfnArray(src)[0], (ULONG_PTR)PAGE_ALIGN(buf) >> PAGE_SHIFT);

    part = IoAllocateMdl(buf, 6000, FALSE, FALSE, NULL);
    IoBuildPartialMdl(src, part, buf + 4500, 1000);
    CHECK(part->MdlFlags & MDL_PARTIAL);
    CHECK(part->MdlFlags & MDL_PARTIAL_HAS_BEEN_MAPPED);
    CHECK(MmGetMdlVirtualAddress(part) == buf + 4500);
    CHECK_UINT(part->ByteCount, 1000);
    CHECK(MmGetSystemAddressForMdlSafe(part, NormalPagePriority) == buf + 4500);
    IoBuildPartialMdl(src, part, buf + 10, 0); /* 0 = to the end of the source */
    CHECK_UINT(part->ByteCount, 5990);
    IoFreeMdl(part);
    IoFreeMdl(src);
    ExFreePoolWithTag(buf, 'tMoI');
}

static void iovec_walk(void)
{
    PMDL a = IoAllocateMdl(pages + 4000, 9000, FALSE, FALSE, NULL);
    PMDL empty = IoAllocateMdl(pages + 100, 0, FALSE, FALSE, NULL);
    PMDL b = IoAllocateMdl(pages + 16000, 300, FALSE, FALSE, NULL);
    struct iovec iov[4];
    int n = -1;

    a->Next = empty;
    empty->Next = b;
    /* Offset 100 into the first MDL, across the empty one into the second. */
    CHECK_INT(owsk_io_wsk_buf_to_iovec(a, 100, 8900 + 50, iov, 4, &n), 0);
    CHECK_INT(n, 2);
    CHECK(iov[0].iov_base == pages + 4100);
    CHECK_UINT(iov[0].iov_len, 8900);
    CHECK(iov[1].iov_base == pages + 16000);
    CHECK_UINT(iov[1].iov_len, 50);
    /* The whole chain exactly. */
    CHECK_INT(owsk_io_wsk_buf_to_iovec(a, 0, 9300, iov, 4, &n), 0);
    CHECK_INT(n, 2);
    /* Shorter than it claims, offset outside the first MDL, NULL MDL: lies. */
    n = -1;
    CHECK_INT(owsk_io_wsk_buf_to_iovec(a, 0, 9301, iov, 4, &n), -EINVAL);
    CHECK_INT(owsk_io_wsk_buf_to_iovec(a, 9000, 1, iov, 4, &n), -EINVAL);
    CHECK_INT(owsk_io_wsk_buf_to_iovec(NULL, 0, 1, iov, 4, &n), -EINVAL);
    CHECK_INT(n, -1); /* not written on failure */
    /* Too many pieces for the array. */
    CHECK_INT(owsk_io_wsk_buf_to_iovec(a, 0, 9300, iov, 1, &n), -E2BIG);
    /* Length 0: nothing, even with no MDL. */
    CHECK_INT(owsk_io_wsk_buf_to_iovec(NULL, 0, 0, iov, 4, &n), 0);
    CHECK_INT(n, 0);
    IoFreeMdl(b);
    IoFreeMdl(empty);
    IoFreeMdl(a);
}

static void system_routine_address(void)
{
    UNICODE_STRING name;

    RtlInitUnicodeString(&name, L"IoAllocateMdl");
    /* The test program exports its DDIs only if linked with -rdynamic: either the real one
     * or NULL, never something else. */
    PVOID p = MmGetSystemRoutineAddress(&name);
    CHECK(p == NULL || p == (PVOID)IoAllocateMdl);
    RtlInitUnicodeString(&name, L"malloc");
    CHECK(MmGetSystemRoutineAddress(&name) == NULL); /* libc is not the kernel */
    RtlInitUnicodeString(&name, L"NoSuchRoutine");
    CHECK(MmGetSystemRoutineAddress(&name) == NULL);
}

int main(void)
{
    pages = mmap(NULL, 5 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                 0);
    if (pages == MAP_FAILED)
        return T_SKIP;
    allocate_crossing_pages();
    chain_through_irp();
    nonpaged_and_partial();
    iovec_walk();
    system_routine_address();
    munmap(pages, 5 * PAGE_SIZE);
    return t_done();
}
