/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client level of WSK: the provider registered with NMR under NPI_WSK_INTERFACE_ID, and
 * WskRegister/WskCaptureProviderNPI/WskReleaseProviderNPI/WskDeregister built on an NMR
 * client per registration, as netio does; WskControlClient; the provider dispatch. Name
 * resolution (WskGetAddressInfo, WskGetNameInfo) lives in resolve.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/io.h"
#include "ke/ke.h"
#include "wsk/provider.h"
#include "wsk/wsk.h"

/* {2227E803-8D8B-11D4-ABAD-009027719E09} (wsk-reference 2.4). */
OWSK_EXPORT const NPIID NPI_WSK_INTERFACE_ID = {
    0x2227E803, 0x8D8B, 0x11D4, {0xAB, 0xAD, 0x00, 0x90, 0x27, 0x71, 0x9E, 0x09}};

/* Provider lock: the client list, every client's fields, provider state. Never held while
 * calling NMR, a driver or completing an IRP. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond; /* CLOCK_MONOTONIC; broadcast on every state change */
static pthread_once_t cond_once = PTHREAD_ONCE_INIT;
static struct owsk_wsk_client *clients;

/* The NMR side of a client, embedded so it lives exactly as long as the client. */
struct client_nmr {
    struct owsk_wsk_client c;
    NPI_MODULEID module_id;
    NPI_CLIENT_CHARACTERISTICS chars;
    HANDLE handle;
    HANDLE binding;           /* lock: set while attached */
    bool attached;            /* lock */
    bool detach_pending;      /* lock: ClientDetachProvider returned STATUS_PENDING */
    bool prov_detach_pending; /* lock: ProviderDetachClient returned STATUS_PENDING */
    unsigned waiters;         /* lock: threads blocked in WskCaptureProviderNPI */
};

/* A WSK_CACHE_SD token; descriptors are not enforced, so it only records the pointer. */
struct owsk_wsk_cached_sd {
    struct owsk_wsk_cached_sd *next;
    PSECURITY_DESCRIPTOR sd;
};

/* Lock held. Cached descriptors the driver never released. */
static void free_cached_sds(struct owsk_wsk_client *c)
{
    while (c->cached_sds) {
        struct owsk_wsk_cached_sd *sd = c->cached_sds;

        c->cached_sds = sd->next;
        free(sd);
    }
}

static const WSK_PROVIDER_CHARACTERISTICS provider_chars = {
    .HighestVersion = MAKE_WSK_VERSION(1, 0),
    .LowestVersion = MAKE_WSK_VERSION(1, 0),
};

static void cond_init(void)
{
    pthread_condattr_t a;

    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&cond, &a);
    pthread_condattr_destroy(&a);
}

void owsk_wsk_provider_lock(void)
{
    pthread_mutex_lock(&lock);
}

void owsk_wsk_provider_unlock(void)
{
    pthread_mutex_unlock(&lock);
}

void owsk_wsk_provider_wake(void)
{
    pthread_cond_broadcast(&cond);
}

static struct client_nmr *cn_of(struct owsk_wsk_client *c)
{
    return CONTAINING_RECORD(c, struct client_nmr, c);
}

/* Lock held. */
static bool client_live(struct owsk_wsk_client *c)
{
    for (struct owsk_wsk_client *i = clients; i; i = i->next)
        if (i == c)
            return true;
    return false;
}

struct owsk_wsk_client *owsk_wsk_client_from(PWSK_CLIENT client)
{
    struct owsk_wsk_client *c = client;
    bool ok;

    if (!c)
        return NULL;
    pthread_mutex_lock(&lock);
    ok = client_live(c);
    pthread_mutex_unlock(&lock);
    return ok ? c : NULL;
}

static struct owsk_wsk_client *client_of_registration(PWSK_REGISTRATION reg)
{
    if (!reg)
        return NULL;
    return owsk_wsk_client_from(reg->ReservedRegistrationContext);
}

NTSTATUS owsk_wsk_client_socket_add(struct owsk_wsk_client *c)
{
    NTSTATUS st = STATUS_SUCCESS;

    pthread_mutex_lock(&lock);
    if (c->deregistering) {
        st = STATUS_DEVICE_NOT_READY;
    } else {
        c->sockets++;
        c->socket_created = true;
    }
    pthread_mutex_unlock(&lock);
    return st;
}

void owsk_wsk_client_socket_drop(struct owsk_wsk_client *c)
{
    struct client_nmr *cn = cn_of(c);
    HANDLE complete = NULL;

    pthread_mutex_lock(&lock);
    if (!c->sockets) {
        /* One drop too many (a socket retired twice): going below 0 would make
         * WskDeregister wait forever. */
        pthread_mutex_unlock(&lock);
        OWSK_ERR(OWSK_CH_WSK, "client %p: socket count would go below zero", (void *)c);
        return;
    }
    c->sockets--;
    if (!c->sockets && cn->prov_detach_pending) {
        cn->prov_detach_pending = false;
        complete = cn->binding;
    }
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    if (complete)
        NmrProviderDetachClientComplete(complete);
}

ULONG owsk_wsk_client_static_events(struct owsk_wsk_client *c)
{
    ULONG v;

    pthread_mutex_lock(&lock);
    v = c->static_events;
    pthread_mutex_unlock(&lock);
    return v;
}

/* ---- the provider side of NMR ---- */

static HANDLE provider_handle;
static bool provider_started; /* lock */
static NPI_MODULEID provider_module = {
    .Length = sizeof(NPI_MODULEID),
    .Type = MIT_GUID,
    /* openwsk's own module id for its WSK provider */
    .Guid = {0x6f77736b, 0x7773, 0x4b70, {0x72, 0x6f, 0x76, 0x69, 0x64, 0x65, 0x72, 0x31}},
};

static NTSTATUS NTAPI provider_attach_client(HANDLE NmrBindingHandle, PVOID ProviderContext,
                                             PNPI_REGISTRATION_INSTANCE ClientRegistrationInstance,
                                             PVOID ClientBindingContext, const VOID *ClientDispatch,
                                             PVOID *ProviderBindingContext,
                                             const VOID **ProviderDispatch)
{
    const WSK_CLIENT_DISPATCH *cd = ClientDispatch;

    /* WSK 1.x only: a client asking for another major version gets STATUS_NOINTERFACE. */
    if (!cd || WSK_MAJOR_VERSION(cd->Version) != 1)
        return STATUS_NOINTERFACE;
    /* The client binding context is our client object; it is also the PWSK_CLIENT. */
    *ProviderBindingContext = ClientBindingContext;
    *ProviderDispatch = &owsk_wsk_provider_dispatch;
    return STATUS_SUCCESS;
}

static NTSTATUS NTAPI provider_detach_client(PVOID ProviderBindingContext)
{
    struct owsk_wsk_client *c = ProviderBindingContext;
    struct client_nmr *cn = cn_of(c);
    NTSTATUS st = STATUS_SUCCESS;

    /* The subsystem's side of a detach finishes only when every socket is closed. */
    pthread_mutex_lock(&lock);
    if (c->sockets) {
        cn->prov_detach_pending = true;
        st = STATUS_PENDING;
    }
    pthread_mutex_unlock(&lock);
    return st;
}

static const NPI_PROVIDER_CHARACTERISTICS provider_nmr_chars = {
    .Version = 0,
    .Length = sizeof(NPI_PROVIDER_CHARACTERISTICS),
    .ProviderAttachClient = provider_attach_client,
    .ProviderDetachClient = provider_detach_client,
    .ProviderCleanupBindingContext = NULL,
    .ProviderRegistrationInstance =
        {
            .Version = 0,
            .Size = sizeof(NPI_REGISTRATION_INSTANCE),
            .NpiId = &NPI_WSK_INTERFACE_ID,
            .ModuleId = &provider_module,
            .Number = 0,
            .NpiSpecificCharacteristics = &provider_chars,
        },
};

int owsk_wsk_provider_start(void)
{
    NTSTATUS st;
    HANDLE h = NULL;

    pthread_once(&cond_once, cond_init);
    pthread_mutex_lock(&lock);
    if (provider_started) {
        pthread_mutex_unlock(&lock);
        return 0;
    }
    provider_started = true;
    pthread_mutex_unlock(&lock);
    /* Clients already registered attach from inside this call. */
    st = NmrRegisterProvider(&provider_nmr_chars, NULL, &h);
    if (!NT_SUCCESS(st)) {
        pthread_mutex_lock(&lock);
        provider_started = false;
        pthread_mutex_unlock(&lock);
        return -ENOMEM;
    }
    pthread_mutex_lock(&lock);
    provider_handle = h;
    pthread_mutex_unlock(&lock);
    return 0;
}

void owsk_wsk_provider_stop(void)
{
    HANDLE h;

    pthread_mutex_lock(&lock);
    h = provider_handle;
    provider_handle = NULL;
    provider_started = false;
    pthread_mutex_unlock(&lock);
    if (!h)
        return;
    if (NmrDeregisterProvider(h) == STATUS_PENDING)
        NmrWaitForProviderDeregisterComplete(h);
}

/* ---- the client side: WskRegister and friends ---- */

static NTSTATUS NTAPI
client_attach_provider(HANDLE NmrBindingHandle, PVOID ClientContext,
                       PNPI_REGISTRATION_INSTANCE ProviderRegistrationInstance)
{
    struct owsk_wsk_client *c = ClientContext;
    struct client_nmr *cn = cn_of(c);
    const WSK_PROVIDER_CHARACTERISTICS *pc =
        ProviderRegistrationInstance->NpiSpecificCharacteristics;
    PVOID pctx = NULL;
    const VOID *pdisp = NULL;
    NTSTATUS st;

    if (pc &&
        (WSK_MAJOR_VERSION(c->client_dispatch->Version) < WSK_MAJOR_VERSION(pc->LowestVersion) ||
         WSK_MAJOR_VERSION(c->client_dispatch->Version) > WSK_MAJOR_VERSION(pc->HighestVersion)))
        return STATUS_NOINTERFACE;
    st = NmrClientAttachProvider(NmrBindingHandle, c, c->client_dispatch, &pctx, &pdisp);
    if (!NT_SUCCESS(st))
        return st;
    pthread_mutex_lock(&lock);
    cn->binding = NmrBindingHandle;
    cn->attached = true;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    return STATUS_SUCCESS;
}

static NTSTATUS NTAPI client_detach_provider(PVOID ClientBindingContext)
{
    struct owsk_wsk_client *c = ClientBindingContext;
    struct client_nmr *cn = cn_of(c);
    NTSTATUS st = STATUS_SUCCESS;

    /* No more captures; the ones outstanding must be released before detach completes. */
    pthread_mutex_lock(&lock);
    cn->attached = false;
    if (c->captures) {
        cn->detach_pending = true;
        st = STATUS_PENDING;
    }
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    return st;
}

_Must_inspect_result_ NTSTATUS WSKAPI WskRegister(PWSK_CLIENT_NPI WskClientNpi,
                                                  PWSK_REGISTRATION WskRegistration)
{
    struct client_nmr *cn;
    NTSTATUS st;
    HANDLE h = NULL;

    OWSK_ASSERT_IRQL_LE(PASSIVE_LEVEL, WskRegistration);
    if (!WskClientNpi || !WskClientNpi->Dispatch || !WskRegistration)
        return STATUS_INVALID_PARAMETER;
    pthread_once(&cond_once, cond_init);
    cn = calloc(1, sizeof(*cn));
    if (!cn)
        return STATUS_INSUFFICIENT_RESOURCES;
    cn->c.registration = WskRegistration;
    cn->c.client_context = WskClientNpi->ClientContext;
    cn->c.client_dispatch = WskClientNpi->Dispatch;
    cn->c.owner = owsk_current_owner;
    cn->module_id.Length = sizeof(NPI_MODULEID);
    cn->module_id.Type = MIT_GUID;
    memcpy(&cn->module_id.Guid, &cn, sizeof(cn)); /* unique per registration */
    cn->chars.Version = 0;
    cn->chars.Length = sizeof(NPI_CLIENT_CHARACTERISTICS);
    cn->chars.ClientAttachProvider = client_attach_provider;
    cn->chars.ClientDetachProvider = client_detach_provider;
    cn->chars.ClientRegistrationInstance.Version = 0;
    cn->chars.ClientRegistrationInstance.Size = sizeof(NPI_REGISTRATION_INSTANCE);
    cn->chars.ClientRegistrationInstance.NpiId = &NPI_WSK_INTERFACE_ID;
    cn->chars.ClientRegistrationInstance.ModuleId = &cn->module_id;
    memset(WskRegistration, 0, sizeof(*WskRegistration));
    WskRegistration->ReservedRegistrationContext = &cn->c;
    pthread_mutex_lock(&lock);
    cn->c.next = clients;
    clients = &cn->c;
    pthread_mutex_unlock(&lock);
    /* Attaches to the provider now if it is running, else when it starts. */
    st = NmrRegisterClient(&cn->chars, &cn->c, &h);
    if (!NT_SUCCESS(st)) {
        struct owsk_wsk_client **pp;

        pthread_mutex_lock(&lock);
        for (pp = &clients; *pp; pp = &(*pp)->next)
            if (*pp == &cn->c) {
                *pp = cn->c.next;
                break;
            }
        pthread_mutex_unlock(&lock);
        WskRegistration->ReservedRegistrationContext = NULL;
        free(cn);
        return st;
    }
    pthread_mutex_lock(&lock);
    cn->handle = h;
    pthread_mutex_unlock(&lock);
    OWSK_TRACE(OWSK_CH_WSK, "registration %p, client %p", (void *)WskRegistration, (void *)cn);
    return STATUS_SUCCESS;
}

_Must_inspect_result_ NTSTATUS WSKAPI WskCaptureProviderNPI(PWSK_REGISTRATION WskRegistration,
                                                            ULONG WaitTimeout,
                                                            PWSK_PROVIDER_NPI WskProviderNpi)
{
    struct owsk_wsk_client *c = client_of_registration(WskRegistration);
    struct client_nmr *cn;
    struct timespec deadline;
    NTSTATUS st;

    if (!c || !WskProviderNpi)
        return STATUS_INVALID_PARAMETER;
    if (WaitTimeout != WSK_NO_WAIT)
        OWSK_ASSERT_IRQL_LE(PASSIVE_LEVEL, WskRegistration);
    cn = cn_of(c);
    if (WaitTimeout != WSK_NO_WAIT && WaitTimeout != WSK_INFINITE_WAIT) {
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += WaitTimeout / 1000;
        deadline.tv_nsec += (long)(WaitTimeout % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&lock);
    for (;;) {
        if (c->deregistering) {
            st = STATUS_DEVICE_NOT_READY; /* also wakes capturers blocked below */
            break;
        }
        if (cn->attached) {
            c->captures++;
            WskProviderNpi->Client = c;
            WskProviderNpi->Dispatch = &owsk_wsk_provider_dispatch;
            st = STATUS_SUCCESS;
            break;
        }
        if (WaitTimeout == WSK_NO_WAIT) {
            st = STATUS_DEVICE_NOT_READY;
            break;
        }
        /* Counted so that WskDeregister does not free the client under a waiter. */
        cn->waiters++;
        if (WaitTimeout == WSK_INFINITE_WAIT) {
            pthread_cond_wait(&cond, &lock);
        } else if (pthread_cond_timedwait(&cond, &lock, &deadline) == ETIMEDOUT && !cn->attached &&
                   !c->deregistering) {
            cn->waiters--;
            st = STATUS_DEVICE_NOT_READY;
            break;
        }
        cn->waiters--;
    }
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    return st;
}

VOID WSKAPI WskReleaseProviderNPI(PWSK_REGISTRATION WskRegistration)
{
    struct owsk_wsk_client *c = client_of_registration(WskRegistration);
    struct client_nmr *cn;
    HANDLE complete = NULL;

    if (!c)
        return;
    cn = cn_of(c);
    pthread_mutex_lock(&lock);
    if (c->captures) {
        c->captures--;
        if (!c->captures && cn->detach_pending) {
            cn->detach_pending = false;
            complete = cn->binding;
        }
    } else {
        OWSK_WARN(OWSK_CH_WSK, "registration %p: release without a capture",
                  (void *)WskRegistration);
    }
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    if (complete)
        NmrClientDetachProviderComplete(complete);
}

_Must_inspect_result_ NTSTATUS WSKAPI WskQueryProviderCharacteristics(
    PWSK_REGISTRATION WskRegistration, PWSK_PROVIDER_CHARACTERISTICS WskProviderCharacteristics)
{
    if (!client_of_registration(WskRegistration) || !WskProviderCharacteristics)
        return STATUS_INVALID_PARAMETER;
    *WskProviderCharacteristics = provider_chars;
    return STATUS_SUCCESS;
}

VOID WSKAPI WskDeregister(PWSK_REGISTRATION WskRegistration)
{
    struct owsk_wsk_client *c = client_of_registration(WskRegistration);
    struct owsk_wsk_client **pp;
    struct client_nmr *cn;
    struct owsk_wsk_queue changes;
    struct owsk_wsk_req *r, *next;
    HANDLE h;

    OWSK_ASSERT_IRQL_LE(PASSIVE_LEVEL, WskRegistration);
    if (!c)
        return;
    cn = cn_of(c);
    pthread_mutex_lock(&lock);
    if (c->deregistering) {
        pthread_mutex_unlock(&lock);
        return;
    }
    c->deregistering = true;
    pthread_cond_broadcast(&cond); /* blocked capturers get STATUS_DEVICE_NOT_READY */
    /* WSK_TRANSPORT_LIST_CHANGE requests are cancelled by WskDeregister. Ones whose cancel
     * routine already fired are left to it (it removes them under this lock). */
    memset(&changes, 0, sizeof(changes));
    for (r = c->list_change.head; r; r = next) {
        next = r->next;
        if (owsk_wsk_req_claim(r)) {
            owsk_wsk_queue_remove(r);
            r->next = changes.head;
            changes.head = r;
        }
    }
    h = cn->handle;
    pthread_mutex_unlock(&lock);
    while ((r = changes.head)) {
        changes.head = r->next;
        owsk_wsk_req_complete(r, STATUS_CANCELLED, 0);
    }
    /* Detach: waits for every capture to be released and every socket to be freed. */
    if (h && NmrDeregisterClient(h) == STATUS_PENDING)
        NmrWaitForClientDeregisterComplete(h);
    pthread_mutex_lock(&lock);
    while (c->sockets || c->captures || c->list_change.count || cn->waiters)
        pthread_cond_wait(&cond, &lock);
    for (pp = &clients; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    free_cached_sds(c);
    pthread_mutex_unlock(&lock);
    WskRegistration->ReservedRegistrationContext = NULL;
    free(cn);
}

/* ---- WskControlClient ---- */

static NTSTATUS transport_list(SIZE_T out_size, PVOID out_buf, SIZE_T *out_returned)
{
    /* The transports a socket can be created on: TCP and UDP over IPv4 and IPv6. */
    static const struct {
        ADDRESS_FAMILY af;
        USHORT type;
        ULONG protocol;
    } kinds[] = {{AF_INET, SOCK_STREAM, IPPROTO_TCP}, {AF_INET6, SOCK_STREAM, IPPROTO_TCP},
                 {AF_INET, SOCK_DGRAM, IPPROTO_UDP}, {AF_INET6, SOCK_DGRAM, IPPROTO_UDP}};
    WSK_TRANSPORT t[ARRAYSIZE(kinds)];
    SIZE_T need = sizeof(t);

    if (out_returned)
        *out_returned = need;
    if (!out_buf || out_size < need)
        return STATUS_BUFFER_OVERFLOW;
    memset(t, 0, sizeof(t));
    for (size_t i = 0; i < ARRAYSIZE(kinds); i++) {
        t[i].Version = MAKE_WSK_VERSION(1, 0);
        t[i].SocketType = kinds[i].type;
        t[i].Protocol = kinds[i].protocol;
        t[i].AddressFamily = kinds[i].af;
    }
    memcpy(out_buf, t, need);
    return STATUS_SUCCESS;
}

static NTSTATUS WSKAPI wsk_control_client(PWSK_CLIENT Client, ULONG ControlCode, SIZE_T InputSize,
                                          PVOID InputBuffer, SIZE_T OutputSize, PVOID OutputBuffer,
                                          SIZE_T *OutputSizeReturned, PIRP Irp)
{
    struct owsk_wsk_client *c;
    NTSTATUS st;

    OWSK_TRACE(OWSK_CH_WSK, "client %p, code %u, irp %p", Client, (unsigned)ControlCode,
               (void *)Irp);
    if (Irp && !owsk_io_irp_usable(Irp))
        return STATUS_INVALID_PARAMETER;
    c = owsk_wsk_client_from(Client);
    if (!c)
        return Irp ? owsk_wsk_irp_fail(Irp, STATUS_INVALID_HANDLE) : STATUS_INVALID_HANDLE;
    if (ControlCode == WSK_TRANSPORT_LIST_CHANGE) {
        struct owsk_wsk_req *r;

        if (!Irp)
            return STATUS_INVALID_PARAMETER;
        r = calloc(1, sizeof(*r));
        if (!r)
            return owsk_wsk_irp_fail(Irp, STATUS_INSUFFICIENT_RESOURCES);
        r->irp = Irp;
        r->op = OP_LIST_CHANGE;
        r->client = c;
        /* Transports never change here: it pends until cancelled or WskDeregister. */
        pthread_mutex_lock(&lock);
        if (c->deregistering) {
            pthread_mutex_unlock(&lock);
            free(r);
            return owsk_wsk_irp_fail(Irp, STATUS_CANCELLED);
        }
        if (!owsk_wsk_req_queue_locked(&c->list_change, r)) {
            pthread_mutex_unlock(&lock);
            return owsk_wsk_req_complete(r, STATUS_CANCELLED, 0);
        }
        pthread_mutex_unlock(&lock);
        return STATUS_PENDING;
    }
    /* Every other code completes inline and takes no IRP. */
    if (Irp)
        return owsk_wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
    switch (ControlCode) {
    case WSK_TRANSPORT_LIST_QUERY:
        return transport_list(OutputSize, OutputBuffer, OutputSizeReturned);
    case WSK_SET_STATIC_EVENT_CALLBACKS: {
        const WSK_EVENT_CALLBACK_CONTROL *ctl = InputBuffer;
        const ULONG known = WSK_EVENT_SEND_BACKLOG | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT |
                            WSK_EVENT_RECEIVE_FROM | WSK_EVENT_ACCEPT;

        if (!ctl || InputSize < sizeof(*ctl) || !ctl->NpiId ||
            memcmp(ctl->NpiId, &NPI_WSK_INTERFACE_ID, sizeof(GUID)) != 0 || !ctl->EventMask ||
            (ctl->EventMask & ~known))
            return STATUS_INVALID_PARAMETER;
        pthread_mutex_lock(&lock);
        /* Only before the first socket (NET:wsk-set-static-event-callbacks). */
        if (c->socket_created) {
            st = STATUS_INVALID_DEVICE_STATE;
        } else {
            c->static_events = ctl->EventMask;
            st = STATUS_SUCCESS;
        }
        pthread_mutex_unlock(&lock);
        return st;
    }
    case WSK_TDI_BEHAVIOR:
        if (!InputBuffer || InputSize < sizeof(ULONG))
            return STATUS_INVALID_PARAMETER;
        return STATUS_SUCCESS; /* there is no TDI to bypass */
    case WSK_TDI_DEVICENAME_MAPPING:
        if (!InputBuffer || InputSize < sizeof(WSK_TDI_MAP_INFO))
            return STATUS_INVALID_PARAMETER;
        return STATUS_SUCCESS; /* no TDI transports exist to map */
    case WSK_CACHE_SD: {
        struct owsk_wsk_cached_sd *sd;

        if (!InputBuffer || InputSize < sizeof(PSECURITY_DESCRIPTOR) || !OutputBuffer ||
            OutputSize < sizeof(PSECURITY_DESCRIPTOR))
            return STATUS_INVALID_PARAMETER;
        sd = calloc(1, sizeof(*sd));
        if (!sd)
            return STATUS_INSUFFICIENT_RESOURCES;
        memcpy(&sd->sd, InputBuffer, sizeof(PSECURITY_DESCRIPTOR));
        pthread_mutex_lock(&lock);
        sd->next = c->cached_sds;
        c->cached_sds = sd;
        pthread_mutex_unlock(&lock);
        memcpy(OutputBuffer, &sd, sizeof(PSECURITY_DESCRIPTOR));
        if (OutputSizeReturned)
            *OutputSizeReturned = sizeof(PSECURITY_DESCRIPTOR);
        return STATUS_SUCCESS;
    }
    case WSK_RELEASE_SD: {
        struct owsk_wsk_cached_sd **pp, *want;

        if (!InputBuffer || InputSize < sizeof(PSECURITY_DESCRIPTOR))
            return STATUS_INVALID_PARAMETER;
        memcpy(&want, InputBuffer, sizeof(want));
        st = STATUS_INVALID_PARAMETER;
        pthread_mutex_lock(&lock);
        for (pp = &c->cached_sds; *pp; pp = &(*pp)->next)
            if (*pp == want) {
                *pp = want->next;
                free(want);
                st = STATUS_SUCCESS;
                break;
            }
        pthread_mutex_unlock(&lock);
        return st;
    }
    default:
        return STATUS_INVALID_PARAMETER;
    }
}

const WSK_PROVIDER_DISPATCH owsk_wsk_provider_dispatch = {
    .Version = MAKE_WSK_VERSION(1, 0),
    .Reserved = 0,
    .WskSocket = owsk_wsk_ddi_socket,
    .WskSocketConnect = owsk_wsk_ddi_socket_connect,
    .WskControlClient = wsk_control_client,
    .WskGetAddressInfo = owsk_wsk_get_address_info, /* resolve.c */
    .WskFreeAddressInfo = owsk_wsk_free_address_info,
    .WskGetNameInfo = owsk_wsk_get_name_info,
};
