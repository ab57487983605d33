/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WskGetAddressInfo / WskFreeAddressInfo / WskGetNameInfo with names that never leave the
 * machine: numeric addresses, "localhost" and the host's own name when /etc/hosts has it
 * (AI_NUMERICHOST/NI_NUMERICHOST elsewhere). Results in Windows numbering and ADDRINFOEXW
 * layout, Information 0, bad input, and cancellation (IoCancelIrp -> STATUS_CANCELLED). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wsk_t.h"

static struct t_irp q;

/* UNICODE_STRING over a static UTF-16 copy of an ASCII string, NUL-terminated. */
static PUNICODE_STRING ustr(UNICODE_STRING *us, WCHAR *buf, size_t cap, const char *s)
{
    size_t n = strlen(s);

    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = (WCHAR)(unsigned char)s[i];
    buf[n] = 0;
    us->Buffer = buf;
    us->Length = (USHORT)(n * sizeof(WCHAR));
    us->MaximumLength = (USHORT)((n + 1) * sizeof(WCHAR));
    return us;
}

static NTSTATUS gai(const char *node, const char *service, PADDRINFOEXW hints,
                    PADDRINFOEXW *ret)
{
    UNICODE_STRING n, sv;
    WCHAR nb[256], sb[64];
    NTSTATUS st;

    *ret = (PADDRINFOEXW)(ULONG_PTR)0xdeadbeefdeadbeefull;
    st = t_npi.Dispatch->WskGetAddressInfo(t_npi.Client,
                                           node ? ustr(&n, nb, 256, node) : NULL,
                                           service ? ustr(&sv, sb, 64, service) : NULL, NS_ALL,
                                           NULL, hints, ret, NULL, NULL, t_irp_arm(&q));
    st = t_irp_wait(&q, T_WAIT);
    /* Information is 0 whatever the outcome (observed Windows, WINE-T). */
    CHECK_UINT(q.irp->IoStatus.Information, 0);
    CHECK_INT(q.done, 1);
    return st;
}

static void wstr_eq(PCWSTR w, const char *s)
{
    char got[256];
    size_t i = 0;

    for (; w && w[i] && i < sizeof(got) - 1; i++)
        got[i] = (char)w[i];
    got[i] = 0;
    CHECK_STR(got, s);
}

static void numeric(void)
{
    PADDRINFOEXW r;
    ADDRINFOEXW hints;

    CHECK_STATUS(gai("127.0.0.1", "80", NULL, &r), STATUS_SUCCESS);
    CHECK(r != NULL);
    for (PADDRINFOEXW a = r; a; a = a->ai_next) {
        CHECK_INT(a->ai_family, AF_INET);
        CHECK_UINT(a->ai_addrlen, sizeof(SOCKADDR_IN));
        CHECK_INT(a->ai_addr->sa_family, AF_INET);
        CHECK_INT(t_port((SOCKADDR_STORAGE *)a->ai_addr), 80);
        CHECK_UINT(((SOCKADDR_IN *)a->ai_addr)->sin_addr.S_un.S_un_b.s_b1, 127);
    }
    t_npi.Dispatch->WskFreeAddressInfo(t_npi.Client, r);

    /* IPv6 in Windows numbering: AF_INET6 is 23, SOCKADDR_IN6 is 28 bytes. */
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_DGRAM;
    CHECK_STATUS(gai("::1", "53", &hints, &r), STATUS_SUCCESS);
    CHECK(r != NULL && r->ai_next == NULL);
    CHECK_INT(r->ai_family, 23);
    CHECK_INT(r->ai_socktype, SOCK_DGRAM);
    CHECK_INT(r->ai_protocol, IPPROTO_UDP);
    CHECK_UINT(r->ai_addrlen, 28);
    CHECK_INT(r->ai_addr->sa_family, 23);
    CHECK(IN6_IS_ADDR_LOOPBACK(&((SOCKADDR_IN6 *)r->ai_addr)->sin6_addr));
    CHECK_INT(t_port((SOCKADDR_STORAGE *)r->ai_addr), 53);
    t_npi.Dispatch->WskFreeAddressInfo(t_npi.Client, r);

    /* A service alone, passive: the wildcard. */
    memset(&hints, 0, sizeof(hints));
    hints.ai_flags = AI_PASSIVE;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    CHECK_STATUS(gai(NULL, "8080", &hints, &r), STATUS_SUCCESS);
    CHECK(r != NULL);
    CHECK_UINT(((SOCKADDR_IN *)r->ai_addr)->sin_addr.S_un.S_addr, 0);
    CHECK_INT(t_port((SOCKADDR_STORAGE *)r->ai_addr), 8080);
    t_npi.Dispatch->WskFreeAddressInfo(t_npi.Client, r);

    /* AI_NUMERICHOST with a name: not found, and nothing is looked up. */
    memset(&hints, 0, sizeof(hints));
    hints.ai_flags = AI_NUMERICHOST;
    r = NULL;
    CHECK_STATUS(gai("localhost", NULL, &hints, &r), STATUS_NOT_FOUND);
    /* An unknown service with AI_NUMERICSERV. */
    hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
    CHECK_STATUS(gai("127.0.0.1", "nosuchservice", &hints, &r), STATUS_NOT_FOUND);
}

/* Names from /etc/hosts ("files" comes before "dns" in nsswitch.conf). */
static void hosts_file(void)
{
    PADDRINFOEXW r;
    ADDRINFOEXW hints;
    char host[256], line[512];
    int own = 0;
    FILE *f;

    memset(&hints, 0, sizeof(hints));
    hints.ai_flags = AI_CANONNAME;
    hints.ai_family = AF_INET;
    CHECK_STATUS(gai("localhost", NULL, &hints, &r), STATUS_SUCCESS);
    CHECK(r != NULL);
    if (r) {
        CHECK_INT(r->ai_family, AF_INET);
        wstr_eq(r->ai_canonname, "localhost");
        for (PADDRINFOEXW a = r->ai_next; a; a = a->ai_next)
            CHECK(a->ai_canonname == NULL);
        t_npi.Dispatch->WskFreeAddressInfo(t_npi.Client, r);
    }
    /* The machine's own name, only if /etc/hosts lists it (never through DNS). */
    if (gethostname(host, sizeof(host)) == 0 && (f = fopen("/etc/hosts", "r"))) {
        while (!own && fgets(line, sizeof(line), f)) {
            char *tok = strtok(line, " \t\n");

            if (!tok || tok[0] == '#' || strcmp(tok, "127.0.0.1") != 0)
                continue;
            while ((tok = strtok(NULL, " \t\n")))
                if (strcmp(tok, host) == 0)
                    own = 1;
        }
        fclose(f);
    }
    if (own) {
        CHECK_STATUS(gai(host, NULL, &hints, &r), STATUS_SUCCESS);
        if (r) {
            CHECK_UINT(((SOCKADDR_IN *)r->ai_addr)->sin_addr.S_un.S_un_b.s_b1, 127);
            t_npi.Dispatch->WskFreeAddressInfo(t_npi.Client, r);
        }
    }
}

static void bad_input(void)
{
    UNICODE_STRING n;
    WCHAR nb[16];
    PADDRINFOEXW r;
    ADDRINFOEXW hints;
    GUID g = {0};
    NTSTATUS st;

    /* No IRP: refused synchronously, no completion. */
    CHECK_STATUS(t_npi.Dispatch->WskGetAddressInfo(t_npi.Client, ustr(&n, nb, 16, "::1"), NULL,
                                                   NS_ALL, NULL, NULL, &r, NULL, NULL, NULL),
                 STATUS_INVALID_PARAMETER);
    /* Neither a node nor a service. */
    st = t_npi.Dispatch->WskGetAddressInfo(t_npi.Client, NULL, NULL, NS_ALL, NULL, NULL, &r,
                                           NULL, NULL, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(st, STATUS_INVALID_PARAMETER);
    /* Not NUL-terminated within MaximumLength. */
    ustr(&n, nb, 16, "::1");
    n.MaximumLength = n.Length;
    st = t_npi.Dispatch->WskGetAddressInfo(t_npi.Client, &n, NULL, NS_ALL, NULL, NULL, &r,
                                           NULL, NULL, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_INVALID_PARAMETER);
    /* Length beyond MaximumLength, odd Length, NULL buffer. */
    ustr(&n, nb, 16, "::1");
    n.Length = 0xfffe;
    st = t_npi.Dispatch->WskGetAddressInfo(t_npi.Client, &n, NULL, NS_ALL, NULL, NULL, &r,
                                           NULL, NULL, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_INVALID_PARAMETER);
    ustr(&n, nb, 16, "::1");
    n.Length = 3;
    st = t_npi.Dispatch->WskGetAddressInfo(t_npi.Client, &n, NULL, NS_ALL, NULL, NULL, &r,
                                           NULL, NULL, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_INVALID_PARAMETER);
    n.Buffer = NULL;
    st = t_npi.Dispatch->WskGetAddressInfo(t_npi.Client, &n, NULL, NS_ALL, NULL, NULL, &r,
                                           NULL, NULL, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_INVALID_PARAMETER);
    /* Name spaces other than NS_ALL / NS_DNS, a provider GUID, no Result pointer. */
    st = t_npi.Dispatch->WskGetAddressInfo(t_npi.Client, ustr(&n, nb, 16, "::1"), NULL,
                                           NS_NLA, NULL, NULL, &r, NULL, NULL, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_INVALID_PARAMETER);
    st = t_npi.Dispatch->WskGetAddressInfo(t_npi.Client, ustr(&n, nb, 16, "::1"), NULL,
                                           NS_DNS, &g, NULL, &r, NULL, NULL, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_INVALID_PARAMETER);
    st = t_npi.Dispatch->WskGetAddressInfo(t_npi.Client, ustr(&n, nb, 16, "::1"), NULL,
                                           NS_DNS, NULL, NULL, NULL, NULL, NULL, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_INVALID_PARAMETER);
    /* NS_DNS itself is fine. */
    st = t_npi.Dispatch->WskGetAddressInfo(t_npi.Client, ustr(&n, nb, 16, "::1"), NULL,
                                           NS_DNS, NULL, NULL, &r, NULL, NULL, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_SUCCESS);
    t_npi.Dispatch->WskFreeAddressInfo(t_npi.Client, r);
    /* An unknown family in the hints. */
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = 99;
    st = t_npi.Dispatch->WskGetAddressInfo(t_npi.Client, ustr(&n, nb, 16, "::1"), NULL,
                                           NS_ALL, NULL, &hints, &r, NULL, NULL, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_NOT_SUPPORTED);
    /* A name longer than any host name. */
    {
        static WCHAR longname[2100];
        UNICODE_STRING ln;

        for (int i = 0; i < 2099; i++)
            longname[i] = 'a';
        ln.Buffer = longname;
        ln.Length = 2099 * sizeof(WCHAR);
        ln.MaximumLength = sizeof(longname);
        st = t_npi.Dispatch->WskGetAddressInfo(t_npi.Client, &ln, NULL, NS_ALL, NULL, NULL, &r,
                                               NULL, NULL, t_irp_arm(&q));
        CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_INVALID_PARAMETER);
    }
    /* Freeing something that is not a result, or twice, is reported, not a crash. */
    {
        ADDRINFOEXW fake;

        memset(&fake, 0, sizeof(fake));
        t_npi.Dispatch->WskFreeAddressInfo(t_npi.Client, &fake);
        CHECK_STATUS(gai("127.0.0.1", NULL, NULL, &r), STATUS_SUCCESS);
        t_npi.Dispatch->WskFreeAddressInfo(t_npi.Client, r);
        t_npi.Dispatch->WskFreeAddressInfo(t_npi.Client, r);
    }
}

static NTSTATUS gni(SOCKADDR_STORAGE *sa, ULONG salen, int want_node, int want_serv,
                    USHORT cap, ULONG flags, WCHAR *node, WCHAR *serv)
{
    UNICODE_STRING n = {0, cap, node}, s = {0, cap, serv};
    NTSTATUS st;

    st = t_npi.Dispatch->WskGetNameInfo(t_npi.Client, (PSOCKADDR)sa, salen,
                                        want_node ? &n : NULL, want_serv ? &s : NULL, flags,
                                        NULL, NULL, t_irp_arm(&q));
    st = t_irp_wait(&q, T_WAIT);
    CHECK_UINT(q.irp->IoStatus.Information, 0);
    if (NT_SUCCESS(st)) {
        /* Length counts the characters without the NUL that follows them. */
        if (want_node)
            CHECK(n.Length > 0 && node[n.Length / sizeof(WCHAR)] == 0);
        if (want_serv)
            CHECK(s.Length > 0 && serv[s.Length / sizeof(WCHAR)] == 0);
    }
    return st;
}

static void name_info(void)
{
    SOCKADDR_STORAGE a;
    WCHAR node[NI_MAXHOST], serv[NI_MAXSERV];

    t_addr(&a, 0, 80);
    CHECK_STATUS(gni(&a, sizeof(SOCKADDR_IN), 1, 1, sizeof(serv),
                     NI_NUMERICHOST | NI_NUMERICSERV, node, serv),
                 STATUS_SUCCESS);
    wstr_eq(node, "127.0.0.1");
    wstr_eq(serv, "80");
    t_addr(&a, 1, 53);
    CHECK_STATUS(gni(&a, sizeof(SOCKADDR_IN6), 1, 1, sizeof(serv),
                     NI_NUMERICHOST | NI_NUMERICSERV | NI_DGRAM, node, serv),
                 STATUS_SUCCESS);
    wstr_eq(node, "::1");
    wstr_eq(serv, "53");
    /* 127.0.0.1 has a name in /etc/hosts; port 80 a name in /etc/services. */
    t_addr(&a, 0, 80);
    CHECK_STATUS(gni(&a, sizeof(SOCKADDR_IN), 1, 1, sizeof(serv), 0, node, serv),
                 STATUS_SUCCESS);
    wstr_eq(node, "localhost");
    wstr_eq(serv, "http");
    /* Only the service. */
    CHECK_STATUS(gni(&a, sizeof(SOCKADDR_IN), 0, 1, sizeof(serv), NI_NUMERICSERV, node, serv),
                 STATUS_SUCCESS);
    wstr_eq(serv, "80");
    /* Room for the text but not its NUL. */
    CHECK_STATUS(gni(&a, sizeof(SOCKADDR_IN), 1, 0, 9 * sizeof(WCHAR), NI_NUMERICHOST, node,
                     serv),
                 STATUS_BUFFER_OVERFLOW);
    /* Neither output, a short SOCKADDR, an unknown family. */
    CHECK_STATUS(gni(&a, sizeof(SOCKADDR_IN), 0, 0, sizeof(serv), 0, node, serv),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(gni(&a, 8, 1, 0, sizeof(serv), 0, node, serv), STATUS_INVALID_PARAMETER);
    a.ss_family = 99;
    CHECK_STATUS(gni(&a, sizeof(a), 1, 0, sizeof(serv), 0, node, serv), STATUS_NOT_SUPPORTED);
    CHECK_STATUS(t_npi.Dispatch->WskGetNameInfo(t_npi.Client, NULL, 16, NULL, NULL, 0, NULL,
                                                NULL, NULL),
                 STATUS_INVALID_PARAMETER);
}

/* IoCancelIrp before the call: completed STATUS_CANCELLED, nothing returned. Then many
 * cancels racing with resolutions: each IRP completes once, CANCELLED or SUCCESS (late
 * results are discarded; under ASan a leaked list would show). */
static void cancel(void)
{
    UNICODE_STRING n;
    WCHAR nb[16];
    PADDRINFOEXW r = NULL;
    NTSTATUS st;
    int cancelled = 0, done = 0;

    IoCancelIrp(t_irp_arm(&q));
    st = t_npi.Dispatch->WskGetAddressInfo(t_npi.Client, ustr(&n, nb, 16, "127.0.0.1"), NULL,
                                           NS_ALL, NULL, NULL, &r, NULL, NULL, q.irp);
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_CANCELLED);
    CHECK(r == NULL);
    CHECK_INT(q.done, 1);
    for (int i = 0; i < 200; i++) {
        r = NULL;
        st = t_npi.Dispatch->WskGetAddressInfo(t_npi.Client, ustr(&n, nb, 16, "127.0.0.1"),
                                               NULL, NS_ALL, NULL, NULL, &r, NULL, NULL,
                                               t_irp_arm(&q));
        IoCancelIrp(q.irp);
        st = t_irp_wait(&q, T_WAIT);
        CHECK_INT(q.done, 1);
        if (st == STATUS_CANCELLED) {
            CHECK(r == NULL);
            cancelled++;
        } else {
            CHECK_STATUS(st, STATUS_SUCCESS);
            CHECK(r != NULL);
            t_npi.Dispatch->WskFreeAddressInfo(t_npi.Client, r);
            done++;
        }
    }
    fprintf(stderr, "cancel race: %d cancelled, %d resolved\n", cancelled, done);
    CHECK(cancelled > 0);
}

int main(void)
{
    t_wsk_start();
    t_irp_init(&q);
    numeric();
    hosts_file();
    bad_input();
    name_info();
    cancel();
    t_irp_free(&q);
    t_wsk_stop();
    return t_done();
}
