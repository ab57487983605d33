/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Name resolution of the WSK client level: WskGetAddressInfo, WskFreeAddressInfo and
 * WskGetNameInfo, run on a small pool of resolver threads (getaddrinfo blocks; a loop thread
 * never does). The IRPs are cancellable; a result that arrives after a cancel is discarded.
 * Name spaces other than NS_ALL/NS_DNS and non-NULL Provider GUIDs are refused. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "io/io.h"
#include "ke/ke.h"
#include "wsk/dgram_lx.h"
#include "wsk/provider.h"

#define POOL_THREADS 4
#define NAME_MAX_CHARS NI_MAXHOST /* longer names cannot be DNS names */
#define RESULT_MAGIC 0x4f57534b41494e46ull /* "OWSKAINF" */

/* ---- UTF-16 <-> UTF-8 (our own: openwsk never uses libc's wide functions) ---- */

/* Appends the UTF-8 form of n UTF-16 units; false on a lone surrogate. out has 3*n+1 bytes. */
static bool utf16_to_utf8(const WCHAR *in, size_t n, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        uint32_t c = (uint16_t)in[i];

        if (c >= 0xd800 && c < 0xdc00) {
            uint32_t lo = i + 1 < n ? (uint16_t)in[i + 1] : 0;

            if (lo < 0xdc00 || lo >= 0xe000)
                return false;
            c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
            i++;
        } else if (c >= 0xdc00 && c < 0xe000) {
            return false;
        }
        if (c < 0x80) {
            out[o++] = (char)c;
        } else if (c < 0x800) {
            out[o++] = (char)(0xc0 | (c >> 6));
            out[o++] = (char)(0x80 | (c & 0x3f));
        } else if (c < 0x10000) {
            out[o++] = (char)(0xe0 | (c >> 12));
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
            out[o++] = (char)(0x80 | (c & 0x3f));
        } else {
            out[o++] = (char)(0xf0 | (c >> 18));
            out[o++] = (char)(0x80 | ((c >> 12) & 0x3f));
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
            out[o++] = (char)(0x80 | (c & 0x3f));
        }
    }
    out[o] = 0;
    return true;
}

/* UTF-16 units of a UTF-8 string (invalid bytes become U+FFFD); writes them if out. */
static size_t utf8_to_utf16(const char *in, WCHAR *out)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t n = 0;

    while (*p) {
        uint32_t c = *p++;
        int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;

        if (c >= 0x80 && c < 0xc0)
            c = 0xfffd;
        else if (more)
            c &= 0x3f >> more;
        for (; more; more--) {
            if ((*p & 0xc0) != 0x80) {
                c = 0xfffd;
                break;
            }
            c = (c << 6) | (*p++ & 0x3f);
        }
        if (c >= 0x10000) {
            if (out) {
                out[n] = (WCHAR)(0xd800 + ((c - 0x10000) >> 10));
                out[n + 1] = (WCHAR)(0xdc00 + ((c - 0x10000) & 0x3ff));
            }
            n += 2;
        } else {
            if (out)
                out[n] = (WCHAR)c;
            n++;
        }
    }
    return n;
}

/* A WSK name: NUL-terminated within MaximumLength (the WSK requirement), Length even and
 * within MaximumLength. NULL stays NULL. */
static NTSTATUS name_in(PUNICODE_STRING us, char **ret)
{
    size_t max, n, nul;

    *ret = NULL;
    if (!us)
        return STATUS_SUCCESS;
    if (!us->Buffer || (us->Length & 1) || us->Length > us->MaximumLength)
        return STATUS_INVALID_PARAMETER;
    max = us->MaximumLength / sizeof(WCHAR);
    for (nul = 0; nul < max && us->Buffer[nul]; nul++)
        ;
    if (nul == max)
        return STATUS_INVALID_PARAMETER; /* not terminated */
    n = us->Length / sizeof(WCHAR);
    if (nul < n)
        n = nul;
    if (n > NAME_MAX_CHARS)
        return STATUS_INVALID_PARAMETER;
    *ret = malloc(3 * n + 1);
    if (!*ret)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (!utf16_to_utf8(us->Buffer, n, *ret)) {
        free(*ret);
        *ret = NULL;
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

static NTSTATUS rs_status(int rs)
{
    switch (rs) {
    case OWSK_RS_OK: return STATUS_SUCCESS;
    case OWSK_RS_NOT_FOUND: return STATUS_NOT_FOUND;
    case OWSK_RS_BAD_FAMILY: return STATUS_NOT_SUPPORTED;
    case OWSK_RS_NO_MEMORY: return STATUS_INSUFFICIENT_RESOURCES;
    case OWSK_RS_BAD_FLAGS:
    case OWSK_RS_BAD_SOCKTYPE: return STATUS_INVALID_PARAMETER;
    default: return STATUS_UNSUCCESSFUL;
    }
}

/* ---- results: one allocation per list, registered so a bad free is caught ---- */

struct result_block {
    uint64_t magic;
    struct result_block *next; /* results_lock */
    ADDRINFOEXW entries[];     /* then the SOCKADDRs, then the canonical name */
};

static pthread_mutex_t results_lock = PTHREAD_MUTEX_INITIALIZER;
static struct result_block *results; /* live lists, results_lock */

static PADDRINFOEXW build_result(const struct owsk_rs_entry *e, size_t n, const char *canon)
{
    size_t head = sizeof(struct result_block) + n * sizeof(ADDRINFOEXW);
    size_t addr_slot = (sizeof(SOCKADDR_IN6) + 7) & ~(size_t)7;
    size_t canon_units = canon ? utf8_to_utf16(canon, NULL) + 1 : 0;
    struct result_block *b = calloc(1, head + n * addr_slot + canon_units * sizeof(WCHAR));
    unsigned char *addrs;
    WCHAR *cn = NULL;

    if (!b)
        return NULL;
    b->magic = RESULT_MAGIC;
    addrs = (unsigned char *)b + head;
    if (canon) {
        cn = (WCHAR *)(void *)(addrs + n * addr_slot);
        utf8_to_utf16(canon, cn);
        cn[canon_units - 1] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        ADDRINFOEXW *ai = &b->entries[i];
        int len = owsk_wsk_addr_to_win(&e[i].addr, addrs + i * addr_slot);

        ai->ai_flags = e[i].win_flags;
        ai->ai_family = e[i].win_family;
        ai->ai_socktype = e[i].socktype;
        ai->ai_protocol = e[i].protocol;
        ai->ai_addrlen = len > 0 ? (size_t)len : 0;
        ai->ai_addr = (struct sockaddr *)(void *)(addrs + i * addr_slot);
        ai->ai_canonname = i == 0 ? cn : NULL; /* the first entry carries it, as on Windows */
        ai->ai_next = i + 1 < n ? &b->entries[i + 1] : NULL;
    }
    pthread_mutex_lock(&results_lock);
    b->next = results;
    results = b;
    pthread_mutex_unlock(&results_lock);
    return b->entries;
}

/* Unregisters a list; false if it is not one of ours (or was freed already). */
static bool result_take(PADDRINFOEXW ai)
{
    struct result_block **pp;
    bool found = false;

    pthread_mutex_lock(&results_lock);
    for (pp = &results; *pp; pp = &(*pp)->next) {
        if ((*pp)->entries == ai) {
            *pp = (*pp)->next;
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&results_lock);
    return found;
}

static void result_free(PADDRINFOEXW ai)
{
    struct result_block *b = CONTAINING_RECORD(ai, struct result_block, entries);

    b->magic = 0;
    free(b);
}

/* ---- jobs and the resolver pool ---- */

struct job {
    struct job *next;            /* pool queue */
    int refs;                    /* atomic: the worker + whoever completes the IRP */
    pthread_mutex_t lock;        /* orders the worker's claim against the cancel routine */
    bool cancelled;              /* lock */
    PIRP irp;
    bool name_info;
    /* WskGetAddressInfo */
    char *node, *service;
    int flags, family, socktype, protocol;
    PADDRINFOEXW *result;
    /* WskGetNameInfo */
    struct owsk_lx_addr addr;
    PUNICODE_STRING node_out, service_out;
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_cond = PTHREAD_COND_INITIALIZER;
static struct job *queue_head, *queue_tail; /* pool_lock */
static unsigned pool_started;               /* pool_lock */

static void job_unref(struct job *j)
{
    if (__atomic_sub_fetch(&j->refs, 1, __ATOMIC_ACQ_REL))
        return;
    pthread_mutex_destroy(&j->lock);
    free(j->node);
    free(j->service);
    free(j);
}

/* Thread: whoever called IoCancelIrp. IRQL: DISPATCH_LEVEL, cancel spin lock held. */
static VOID cancel_routine(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    struct job *j = Irp->Tail.Overlay.DriverContext[0];

    IoReleaseCancelSpinLock(Irp->CancelIrql);
    pthread_mutex_lock(&j->lock);
    j->cancelled = true;
    pthread_mutex_unlock(&j->lock);
    owsk_io_complete_irp(Irp, STATUS_CANCELLED, 0);
    job_unref(j);
}

/* Worker: takes the IRP back from cancellation. false = a cancel owns it (do not touch). */
static bool job_claim(struct job *j)
{
    bool mine = false;

    pthread_mutex_lock(&j->lock);
    if (!j->cancelled)
        mine = IoSetCancelRoutine(j->irp, NULL) != NULL;
    pthread_mutex_unlock(&j->lock);
    return mine;
}

/* Writes a UTF-8 string into a driver's UNICODE_STRING, NUL included. */
static NTSTATUS name_out(PUNICODE_STRING us, const char *s)
{
    size_t units = utf8_to_utf16(s, NULL);

    if ((units + 1) * sizeof(WCHAR) > us->MaximumLength)
        return STATUS_BUFFER_OVERFLOW;
    utf8_to_utf16(s, us->Buffer);
    us->Buffer[units] = 0;
    us->Length = (USHORT)(units * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/* Thread: a resolver thread, PASSIVE_LEVEL. */
static void job_run(struct job *j)
{
    NTSTATUS st;
    PADDRINFOEXW list = NULL;

    if (!j->name_info) {
        struct owsk_rs_entry *e = NULL;
        size_t n = 0;
        char *canon = NULL;
        int rs = owsk_rs_getaddrinfo(j->node, j->service, j->flags, j->family, j->socktype,
                                     j->protocol, &e, &n, &canon);

        st = rs_status(rs);
        if (NT_SUCCESS(st)) {
            list = build_result(e, n, canon);
            if (!list)
                st = STATUS_INSUFFICIENT_RESOURCES;
        }
        free(e);
        free(canon);
        if (!job_claim(j)) {
            /* Cancelled meanwhile: the late result is discarded. */
            if (list && result_take(list))
                result_free(list);
        } else {
            if (list)
                *j->result = list;
            owsk_io_complete_irp(j->irp, st, 0);
            job_unref(j); /* the completer's reference */
        }
    } else {
        char host[NI_MAXHOST], serv[NI_MAXSERV];
        int rs = owsk_rs_getnameinfo(&j->addr, j->flags, j->node_out ? host : NULL,
                                     sizeof(host), j->service_out ? serv : NULL, sizeof(serv));

        st = rs_status(rs);
        if (job_claim(j)) {
            if (NT_SUCCESS(st) && j->node_out)
                st = name_out(j->node_out, host);
            if (NT_SUCCESS(st) && j->service_out)
                st = name_out(j->service_out, serv);
            owsk_io_complete_irp(j->irp, st, 0);
            job_unref(j);
        }
    }
    job_unref(j); /* the worker's reference */
}

static void *pool_main(void *arg)
{
    for (;;) {
        struct job *j;

    owsk_ke_fault_thread_init(); /* a signal stack, so a stack overflow is reported */
        pthread_mutex_lock(&pool_lock);
        while (!queue_head)
            pthread_cond_wait(&pool_cond, &pool_lock);
        j = queue_head;
        queue_head = j->next;
        if (!queue_head)
            queue_tail = NULL;
        pthread_mutex_unlock(&pool_lock);
        job_run(j);
    }
    return arg;
}

/* Pending from here on: registers the IRP, arms cancellation and queues the job. */
static NTSTATUS job_start(struct job *j)
{
    PIRP irp = j->irp;
    pthread_t t;

    j->refs = 2;
    pthread_mutex_init(&j->lock, NULL);
    owsk_io_irp_begin(irp, NULL, j->name_info ? "WskGetNameInfo" : "WskGetAddressInfo", NULL);
    irp->Tail.Overlay.DriverContext[0] = j;
    IoSetCancelRoutine(irp, cancel_routine);
    if (__atomic_load_n(&irp->Cancel, __ATOMIC_SEQ_CST) && IoSetCancelRoutine(irp, NULL)) {
        owsk_io_complete_irp(irp, STATUS_CANCELLED, 0);
        j->refs = 1;
        job_unref(j);
        return STATUS_PENDING;
    }
    pthread_mutex_lock(&pool_lock);
    /* The pool grows to POOL_THREADS on demand; its threads live as long as the process. */
    if (pool_started < POOL_THREADS && (queue_head || pool_started == 0) &&
        pthread_create(&t, NULL, pool_main, NULL) == 0) {
        pthread_detach(t);
        pool_started++;
    }
    j->next = NULL;
    if (queue_tail)
        queue_tail->next = j;
    else
        queue_head = j;
    queue_tail = j;
    pthread_cond_signal(&pool_cond);
    pthread_mutex_unlock(&pool_lock);
    return STATUS_PENDING;
}

/* ---- the DDIs ---- */

NTSTATUS WSKAPI owsk_wsk_get_address_info(PWSK_CLIENT Client, PUNICODE_STRING NodeName,
                                          PUNICODE_STRING ServiceName, ULONG NameSpace,
                                          GUID *Provider, PADDRINFOEXW Hints,
                                          PADDRINFOEXW *Result, PEPROCESS OwningProcess,
                                          PETHREAD OwningThread, PIRP Irp)
{
    struct job *j;
    NTSTATUS st;

    OWSK_TRACE(OWSK_CH_WSK, "client %p, node %p, service %p, namespace %u, irp %p", Client,
               (void *)NodeName, (void *)ServiceName, (unsigned)NameSpace, (void *)Irp);
    OWSK_ASSERT_IRQL_LE(PASSIVE_LEVEL, Client);
    if (!Irp || !owsk_io_irp_usable(Irp))
        return STATUS_INVALID_PARAMETER;
    if (!owsk_wsk_client_from(Client))
        return owsk_wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
    if ((!NodeName && !ServiceName) || !Result || Provider ||
        (NameSpace != NS_ALL && NameSpace != NS_DNS))
        return owsk_wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
    j = calloc(1, sizeof(*j));
    if (!j)
        return owsk_wsk_irp_fail(Irp, STATUS_INSUFFICIENT_RESOURCES);
    st = name_in(NodeName, &j->node);
    if (NT_SUCCESS(st))
        st = name_in(ServiceName, &j->service);
    if (NT_SUCCESS(st) && Hints) {
        /* Only the first four members of the hints mean anything (GetAddrInfoExW). */
        j->flags = Hints->ai_flags;
        j->family = Hints->ai_family;
        j->socktype = Hints->ai_socktype;
        j->protocol = Hints->ai_protocol;
        if (j->family != AF_UNSPEC && j->family != AF_INET && j->family != AF_INET6)
            st = STATUS_NOT_SUPPORTED;
    }
    if (!NT_SUCCESS(st)) {
        free(j->node);
        free(j->service);
        free(j);
        return owsk_wsk_irp_fail(Irp, st);
    }
    j->irp = Irp;
    j->result = Result;
    return job_start(j);
}

/* WskFreeAddressInfo: a list that is not one WskGetAddressInfo returned (or was already
 * freed) is reported and left alone rather than corrupting the heap. */
VOID WSKAPI owsk_wsk_free_address_info(PWSK_CLIENT Client, PADDRINFOEXW AddrInfo)
{
    OWSK_ASSERT_IRQL_LE(PASSIVE_LEVEL, Client);
    if (!AddrInfo)
        return;
    if (!result_take(AddrInfo)) {
        OWSK_WARN(OWSK_CH_WSK, "WskFreeAddressInfo: %p is not a live address list",
                  (void *)AddrInfo);
        return;
    }
    result_free(AddrInfo);
}

static bool out_ok(PUNICODE_STRING us)
{
    return !us || (us->Buffer && us->MaximumLength >= sizeof(WCHAR));
}

NTSTATUS WSKAPI owsk_wsk_get_name_info(PWSK_CLIENT Client, PSOCKADDR SockAddr,
                                       ULONG SockAddrLength, PUNICODE_STRING NodeName,
                                       PUNICODE_STRING ServiceName, ULONG Flags,
                                       PEPROCESS OwningProcess, PETHREAD OwningThread,
                                       PIRP Irp)
{
    struct job *j;
    size_t need;

    OWSK_ASSERT_IRQL_LE(PASSIVE_LEVEL, Client);
    if (!Irp || !owsk_io_irp_usable(Irp))
        return STATUS_INVALID_PARAMETER;
    if (!owsk_wsk_client_from(Client))
        return owsk_wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
    if (!SockAddr || (!NodeName && !ServiceName) || !out_ok(NodeName) || !out_ok(ServiceName))
        return owsk_wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
    if (SockAddrLength < sizeof(USHORT))
        return owsk_wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
    need = owsk_wsk_addr_win_len(SockAddr->sa_family);
    if (!need)
        return owsk_wsk_irp_fail(Irp, STATUS_NOT_SUPPORTED);
    if (SockAddrLength < need)
        return owsk_wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
    j = calloc(1, sizeof(*j));
    if (!j)
        return owsk_wsk_irp_fail(Irp, STATUS_INSUFFICIENT_RESOURCES);
    if (owsk_wsk_addr_from_win(SockAddr, false, &j->addr) < 0) {
        free(j);
        return owsk_wsk_irp_fail(Irp, STATUS_NOT_SUPPORTED);
    }
    j->name_info = true;
    j->irp = Irp;
    j->flags = (int)Flags;
    j->node_out = NodeName;
    j->service_out = ServiceName;
    return job_start(j);
}
