/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Name resolution failures, inside a network namespace this test creates first (where no
 * DNS server is reachable, so nothing leaves the machine): an unresolvable name is
 * STATUS_NOT_FOUND with Information 0, NI_NAMEREQD without a name is STATUS_NOT_FOUND, and
 * without it the numeric form comes back. Skips (77) when no namespace can be created. */
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "wsk_t.h"

static struct t_irp q;

static PUNICODE_STRING ustr(UNICODE_STRING *us, WCHAR *buf, size_t cap, const char *s)
{
    size_t n = strlen(s);

    for (size_t i = 0; i < n && i < cap - 1; i++)
        buf[i] = (WCHAR)(unsigned char)s[i];
    buf[n < cap - 1 ? n : cap - 1] = 0;
    us->Buffer = buf;
    us->Length = (USHORT)((n < cap - 1 ? n : cap - 1) * sizeof(WCHAR));
    us->MaximumLength = (USHORT)(cap * sizeof(WCHAR));
    return us;
}

static NTSTATUS lookup(const char *name)
{
    UNICODE_STRING n;
    WCHAR nb[128];
    PADDRINFOEXW r = (PADDRINFOEXW)(ULONG_PTR)0x1234;
    NTSTATUS st;

    st = t_npi.Dispatch->WskGetAddressInfo(t_npi.Client, ustr(&n, nb, 128, name), NULL, NS_ALL,
                                           NULL, NULL, &r, NULL, NULL, t_irp_arm(&q));
    st = t_irp_wait(&q, 30000);
    CHECK_UINT(q.irp->IoStatus.Information, 0);
    if (NT_SUCCESS(st))
        t_npi.Dispatch->WskFreeAddressInfo(t_npi.Client, r);
    return st;
}

static NTSTATUS name_of(int v6, const unsigned char *addr, ULONG flags, char *out, size_t cap)
{
    SOCKADDR_STORAGE a;
    WCHAR node[NI_MAXHOST];
    UNICODE_STRING n = {0, sizeof(node), node};
    NTSTATUS st;

    memset(&a, 0, sizeof(a));
    if (v6) {
        a.ss_family = AF_INET6;
        memcpy(&((SOCKADDR_IN6 *)&a)->sin6_addr, addr, 16);
    } else {
        a.ss_family = AF_INET;
        memcpy(&((SOCKADDR_IN *)&a)->sin_addr, addr, 4);
    }
    st = t_npi.Dispatch->WskGetNameInfo(t_npi.Client, (PSOCKADDR)&a, sizeof(a), &n, NULL,
                                        flags, NULL, NULL, t_irp_arm(&q));
    st = t_irp_wait(&q, 30000);
    CHECK_UINT(q.irp->IoStatus.Information, 0);
    out[0] = 0;
    if (NT_SUCCESS(st)) {
        size_t i = 0;

        for (; i < n.Length / sizeof(WCHAR) && i < cap - 1; i++)
            out[i] = (char)node[i];
        out[i] = 0;
    }
    return st;
}

int main(void)
{
    static const unsigned char doc4[4] = {192, 0, 2, 1}; /* TEST-NET-1 */
    static const unsigned char lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    char name[128];

    /* Before any thread exists: every thread the runtime starts inherits the namespace. */
    if (unshare(CLONE_NEWNET) != 0 && unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) {
        fprintf(stderr, "cannot create a network namespace: skipped\n");
        return T_SKIP;
    }
    t_wsk_start();
    t_irp_init(&q);
    CHECK_STATUS(lookup("nonexistent.invalid"), STATUS_NOT_FOUND);
    CHECK_STATUS(lookup("openwsk-no-such-host"), STATUS_NOT_FOUND);
    /* /etc/hosts still answers. */
    CHECK_STATUS(lookup("localhost"), STATUS_SUCCESS);
    CHECK_STATUS(name_of(0, doc4, NI_NAMEREQD, name, sizeof(name)), STATUS_NOT_FOUND);
    CHECK_STATUS(name_of(1, lo6, NI_NAMEREQD, name, sizeof(name)), STATUS_NOT_FOUND);
    CHECK_STATUS(name_of(0, doc4, 0, name, sizeof(name)), STATUS_SUCCESS);
    CHECK_STR(name, "192.0.2.1");
    t_irp_free(&q);
    t_wsk_stop();
    return t_done();
}
