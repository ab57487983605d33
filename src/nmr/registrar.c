/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Network Module Registrar: client/provider registration, matching by NPI id, attach
 * through NmrClientAttachProvider, detach with pending completions, cleanup and the
 * deregistration waits. Leaves out: Number/ModuleId-based matching (callbacks filter). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <netioddk.h>
#include <ntstatus.h>
#include <wdm.h>

#include "core/core.h"
#include "ke/ke.h"
#include "nmr/nmr.h"

/* Every list and every field below marked "lock" is guarded by reg_lock. Callbacks into
 * modules are never made with reg_lock held. */

/* A registered client or provider; its address is the NmrClientHandle/NmrProviderHandle. */
struct module {
    LIST_ENTRY link; /* lock: in modules */
    bool is_client;
    PNPI_CLIENT_CHARACTERISTICS client;
    PNPI_PROVIDER_CHARACTERISTICS provider;
    const NPI_REGISTRATION_INSTANCE *reg;
    PVOID context;
    struct owsk_owner *owner; /* the driver callbacks run for */
    /* lock: bindings of this module not yet cleaned up, attaching ones included */
    unsigned bindings;
    bool deregistering; /* lock */
    bool waited;        /* lock: a NmrWaitFor*DeregisterComplete is in progress */
};

/* One side's detach: the callback, then possibly a pending completion. The completion may
 * come before the callback returns STATUS_PENDING (from the callback itself or a thread it
 * started), so "completed early" is remembered. */
enum side_state { SIDE_IDLE, SIDE_CALLING, SIDE_PENDING, SIDE_DONE };

enum binding_state {
    B_NEW,       /* created, ClientAttachProvider not yet returned */
    B_ATTACHING, /* inside NmrClientAttachProvider, ProviderAttachClient running */
    B_ATTACHED,
    B_DETACHING,
};

/* A client-provider pair; its address is the NmrBindingHandle both sides see. */
struct binding {
    LIST_ENTRY link;           /* lock: in bindings (for handle validation) */
    struct module *client, *provider;
    enum binding_state state;  /* lock */
    bool offering;             /* lock: the client's attach callback has not returned */
    bool client_bound;         /* the client holds a binding context (see attach_one) */
    PVOID client_ctx, provider_ctx;
    enum side_state side[2];   /* lock: [0] client, [1] provider */
    bool early[2];             /* lock */
    bool cleaning;             /* lock */
};

enum { CLIENT = 0, PROVIDER = 1 };

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
/* Broadcast when a deregistering module's last binding is cleaned up. */
static pthread_cond_t reg_cond = PTHREAD_COND_INITIALIZER;
static LIST_ENTRY modules = {&modules, &modules};
static LIST_ENTRY bindings = {&bindings, &bindings};
static unsigned nmodules, nbindings; /* lock */

static bool same_npi(const struct module *a, const struct module *b)
{
    return memcmp(a->reg->NpiId, b->reg->NpiId, sizeof(NPIID)) == 0;
}

/* Lock held. Handles are our pointers; check they are live before touching them. */
static struct module *find_module(HANDLE h, bool is_client)
{
    for (PLIST_ENTRY l = modules.Flink; l != &modules; l = l->Flink) {
        struct module *m = CONTAINING_RECORD(l, struct module, link);
        if ((HANDLE)m == h)
            return m->is_client == is_client ? m : NULL;
    }
    return NULL;
}

static struct binding *find_binding(HANDLE h)
{
    for (PLIST_ENTRY l = bindings.Flink; l != &bindings; l = l->Flink)
        if ((HANDLE)CONTAINING_RECORD(l, struct binding, link) == h)
            return CONTAINING_RECORD(l, struct binding, link);
    return NULL;
}

/* ---- cleanup and detach ---- */

/* Lock held. A binding is gone: drop it from its modules and wake deregistration waits. */
static void binding_unlink_locked(struct binding *b)
{
    RemoveEntryList(&b->link);
    nbindings--;
    if (--b->client->bindings == 0 && b->client->deregistering)
        pthread_cond_broadcast(&reg_cond);
    if (--b->provider->bindings == 0 && b->provider->deregistering)
        pthread_cond_broadcast(&reg_cond);
}

/* Lock not held. Both sides have detached: cleanup callbacks, then the binding goes. */
static void binding_cleanup(struct binding *b)
{
    PNPI_CLIENT_CLEANUP_BINDING_CONTEXT_FN ccleanup =
        b->client->client->ClientCleanupBindingContext;
    PNPI_PROVIDER_CLEANUP_BINDING_CONTEXT_FN pcleanup =
        b->provider->provider->ProviderCleanupBindingContext;
    struct owsk_owner *prev;

    if (ccleanup && b->client_bound) {
        prev = owsk_owner_enter(b->client->owner);
        ccleanup(b->client_ctx);
        owsk_owner_leave(prev);
    }
    if (pcleanup) {
        prev = owsk_owner_enter(b->provider->owner);
        pcleanup(b->provider_ctx);
        owsk_owner_leave(prev);
    }
    pthread_mutex_lock(&reg_lock);
    binding_unlink_locked(b);
    pthread_mutex_unlock(&reg_lock);
    free(b);
}

/* Lock held. True when this call made the binding ready for cleanup (the caller runs it). */
static bool side_done_locked(struct binding *b, int side)
{
    b->side[side] = SIDE_DONE;
    if (b->side[CLIENT] != SIDE_DONE || b->side[PROVIDER] != SIDE_DONE || b->cleaning)
        return false;
    b->cleaning = true;
    return true;
}

/* Lock not held. Calls one side's detach callback and records how it returned. */
static bool detach_side(struct binding *b, int side)
{
    NTSTATUS st;
    struct owsk_owner *prev;
    bool cleanup;

    if (side == CLIENT) {
        prev = owsk_owner_enter(b->client->owner);
        st = b->client->client->ClientDetachProvider(b->client_ctx);
    } else {
        prev = owsk_owner_enter(b->provider->owner);
        st = b->provider->provider->ProviderDetachClient(b->provider_ctx);
    }
    owsk_owner_leave(prev);

    pthread_mutex_lock(&reg_lock);
    if (st == STATUS_PENDING && !b->early[side]) {
        b->side[side] = SIDE_PENDING;
        cleanup = false;
    } else {
        if (st != STATUS_PENDING && st != STATUS_SUCCESS)
            OWSK_WARN(OWSK_CH_NMR, "binding %p: %s detach returned %s, taken as success",
                      (void *)b, side == CLIENT ? "client" : "provider", owsk_status_name(st));
        cleanup = side_done_locked(b, side);
    }
    pthread_mutex_unlock(&reg_lock);
    return cleanup;
}

/* Lock not held; b->state was set to B_DETACHING (and the sides to CALLING) by the caller
 * under the lock, so each detach callback runs exactly once. */
static void binding_detach(struct binding *b)
{
    bool cleanup = false;

    /* A client that returned failure from its attach callback after a successful
     * NmrClientAttachProvider has no binding context left: only the provider detaches. */
    if (b->client_bound)
        cleanup = detach_side(b, CLIENT);
    if (detach_side(b, PROVIDER))
        cleanup = true;
    if (cleanup)
        binding_cleanup(b);
}

/* Lock held. Marks an attached binding detaching; returns true if the caller must run
 * binding_detach() for it (after dropping the lock). */
static bool start_detach_locked(struct binding *b)
{
    /* Never detach under a running attach callback: attach_one checks again after it. */
    if (b->state != B_ATTACHED || b->offering)
        return false;
    b->state = B_DETACHING;
    b->side[CLIENT] = b->client_bound ? SIDE_CALLING : SIDE_DONE;
    b->side[PROVIDER] = SIDE_CALLING;
    return true;
}

/* ---- attach ---- */

/* Lock not held. Offers provider to client through the client's attach callback. */
static void attach_one(struct binding *b)
{
    struct module *c = b->client, *p = b->provider;
    struct owsk_owner *prev = owsk_owner_enter(c->owner);
    NTSTATUS st = c->client->ClientAttachProvider((HANDLE)b, c->context, p->reg);
    bool detach = false;

    owsk_owner_leave(prev);
    pthread_mutex_lock(&reg_lock);
    b->offering = false;
    if (b->state != B_ATTACHED) {
        /* STATUS_NOINTERFACE (or the client never called NmrClientAttachProvider, or the
         * provider refused): there never was a binding. */
        binding_unlink_locked(b);
        pthread_mutex_unlock(&reg_lock);
        free(b);
        return;
    }
    if (!NT_SUCCESS(st)) {
        OWSK_WARN(OWSK_CH_NMR, "client attach callback returned %s after attaching binding %p",
                  owsk_status_name(st), (void *)b);
        b->client_bound = false;
    }
    /* A deregistration that began while the attach ran skipped this binding: detach now. */
    if (c->deregistering || p->deregistering)
        detach = start_detach_locked(b);
    pthread_mutex_unlock(&reg_lock);
    if (detach)
        binding_detach(b);
}

/* Lock held. Creates the bindings m forms with the registered modules of the other kind
 * and returns them as an array to offer, in registration order. */
static NTSTATUS match_locked(struct module *m, struct binding ***ret_list, unsigned *ret_n)
{
    struct binding **list = NULL;
    unsigned n = 0, cap = 0;

    for (PLIST_ENTRY l = modules.Flink; l != &modules; l = l->Flink) {
        struct module *o = CONTAINING_RECORD(l, struct module, link);
        struct binding *b;
        if (o == m || o->is_client == m->is_client || o->deregistering || !same_npi(m, o))
            continue;
        if (n == cap) {
            struct binding **nl;
            cap = cap ? cap * 2 : 8;
            nl = realloc(list, cap * sizeof(*nl));
            if (!nl)
                goto oom;
            list = nl;
        }
        b = calloc(1, sizeof(*b));
        if (!b)
            goto oom;
        b->client = m->is_client ? m : o;
        b->provider = m->is_client ? o : m;
        b->state = B_NEW;
        b->offering = true;
        InsertTailList(&bindings, &b->link);
        nbindings++;
        b->client->bindings++;
        b->provider->bindings++;
        list[n++] = b;
    }
    *ret_list = list;
    *ret_n = n;
    return STATUS_SUCCESS;
oom:
    while (n) {
        n--;
        binding_unlink_locked(list[n]);
        free(list[n]);
    }
    free(list);
    return STATUS_INSUFFICIENT_RESOURCES;
}

static NTSTATUS register_module(struct module *m, PHANDLE ret_handle)
{
    struct binding **list;
    unsigned n;
    NTSTATUS st;

    m->owner = owsk_current_owner;
    pthread_mutex_lock(&reg_lock);
    st = match_locked(m, &list, &n);
    if (NT_SUCCESS(st)) {
        InsertTailList(&modules, &m->link);
        nmodules++;
    }
    pthread_mutex_unlock(&reg_lock);
    if (!NT_SUCCESS(st)) {
        free(m);
        return st;
    }
    /* The handle is valid before any attach callback runs: a provider's attach may be
     * called here and it may look at its own handle. */
    *ret_handle = (HANDLE)m;
    for (unsigned i = 0; i < n; i++)
        attach_one(list[i]);
    free(list);
    return STATUS_SUCCESS;
}

static bool valid_instance(const NPI_REGISTRATION_INSTANCE *r)
{
    return r->Size >= sizeof(*r) && r->NpiId != NULL;
}

NTSTATUS NTAPI NmrRegisterProvider(PNPI_PROVIDER_CHARACTERISTICS ProviderCharacteristics,
                                   PVOID ProviderContext, PHANDLE NmrProviderHandle)
{
    struct module *m;

    OWSK_ASSERT_IRQL_LE(PASSIVE_LEVEL, ProviderCharacteristics);
    if (!ProviderCharacteristics || !NmrProviderHandle ||
        ProviderCharacteristics->Length < sizeof(*ProviderCharacteristics) ||
        !ProviderCharacteristics->ProviderAttachClient ||
        !ProviderCharacteristics->ProviderDetachClient ||
        !valid_instance(&ProviderCharacteristics->ProviderRegistrationInstance))
        return STATUS_INVALID_PARAMETER;
    m = calloc(1, sizeof(*m));
    if (!m)
        return STATUS_INSUFFICIENT_RESOURCES;
    m->provider = ProviderCharacteristics;
    m->reg = &ProviderCharacteristics->ProviderRegistrationInstance;
    m->context = ProviderContext;
    OWSK_TRACE(OWSK_CH_NMR, "characteristics %p, context %p, handle %p -> %p",
               (void *)ProviderCharacteristics, ProviderContext, (void *)NmrProviderHandle,
               (void *)m);
    return register_module(m, NmrProviderHandle);
}

NTSTATUS NTAPI NmrRegisterClient(PNPI_CLIENT_CHARACTERISTICS ClientCharacteristics,
                                 PVOID ClientContext, PHANDLE NmrClientHandle)
{
    struct module *m;

    OWSK_ASSERT_IRQL_LE(PASSIVE_LEVEL, ClientCharacteristics);
    if (!ClientCharacteristics || !NmrClientHandle ||
        ClientCharacteristics->Length < sizeof(*ClientCharacteristics) ||
        !ClientCharacteristics->ClientAttachProvider ||
        !ClientCharacteristics->ClientDetachProvider ||
        !valid_instance(&ClientCharacteristics->ClientRegistrationInstance))
        return STATUS_INVALID_PARAMETER;
    m = calloc(1, sizeof(*m));
    if (!m)
        return STATUS_INSUFFICIENT_RESOURCES;
    m->is_client = true;
    m->client = ClientCharacteristics;
    m->reg = &ClientCharacteristics->ClientRegistrationInstance;
    m->context = ClientContext;
    OWSK_TRACE(OWSK_CH_NMR, "characteristics %p, context %p, handle %p -> %p",
               (void *)ClientCharacteristics, ClientContext, (void *)NmrClientHandle,
               (void *)m);
    return register_module(m, NmrClientHandle);
}

NTSTATUS NTAPI NmrClientAttachProvider(HANDLE NmrBindingHandle, PVOID ClientBindingContext,
                                       const VOID *ClientDispatch,
                                       PVOID *ProviderBindingContext,
                                       const VOID **ProviderDispatch)
{
    struct binding *b;
    struct module *c, *p;
    PVOID pctx = NULL;
    const VOID *pdisp = NULL;
    struct owsk_owner *prev;
    NTSTATUS st;

    OWSK_ASSERT_IRQL_LE(PASSIVE_LEVEL, NmrBindingHandle);
    OWSK_TRACE(OWSK_CH_NMR, "binding %p, client context %p, client dispatch %p",
               NmrBindingHandle, ClientBindingContext, ClientDispatch);
    if (!ProviderBindingContext || !ProviderDispatch)
        return STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&reg_lock);
    b = find_binding(NmrBindingHandle);
    /* Only valid inside the client's attach callback, once per offer. */
    if (!b || b->state != B_NEW) {
        pthread_mutex_unlock(&reg_lock);
        return STATUS_INVALID_PARAMETER;
    }
    c = b->client;
    p = b->provider;
    if (c->deregistering || p->deregistering) {
        pthread_mutex_unlock(&reg_lock);
        return STATUS_NOINTERFACE;
    }
    b->state = B_ATTACHING;
    pthread_mutex_unlock(&reg_lock);

    prev = owsk_owner_enter(p->owner);
    st = p->provider->ProviderAttachClient(NmrBindingHandle, p->context, c->reg,
                                           ClientBindingContext, ClientDispatch, &pctx,
                                           &pdisp);
    owsk_owner_leave(prev);

    pthread_mutex_lock(&reg_lock);
    if (NT_SUCCESS(st)) {
        b->state = B_ATTACHED;
        b->client_bound = true;
        b->client_ctx = ClientBindingContext;
        b->provider_ctx = pctx;
    } else {
        b->state = B_NEW; /* the client may offer another dispatch version */
    }
    pthread_mutex_unlock(&reg_lock);
    if (NT_SUCCESS(st)) {
        *ProviderBindingContext = pctx;
        *ProviderDispatch = pdisp;
    }
    return st;
}

/* ---- deregistration ---- */

static NTSTATUS deregister_module(HANDLE h, bool is_client)
{
    struct module *m;
    struct binding **list = NULL;
    unsigned n = 0;

    pthread_mutex_lock(&reg_lock);
    m = find_module(h, is_client);
    if (!m || m->deregistering) {
        pthread_mutex_unlock(&reg_lock);
        return STATUS_INVALID_PARAMETER;
    }
    m->deregistering = true;
    if (m->bindings) {
        list = malloc(m->bindings * sizeof(*list));
        if (!list) {
            /* Without memory for the list we cannot call out after unlocking: the bindings
             * still detach, one lock round-trip each. */
            for (;;) {
                struct binding *b = NULL;
                for (PLIST_ENTRY l = bindings.Flink; l != &bindings; l = l->Flink) {
                    struct binding *x = CONTAINING_RECORD(l, struct binding, link);
                    if ((x->client == m || x->provider == m) && start_detach_locked(x)) {
                        b = x;
                        break;
                    }
                }
                if (!b)
                    break;
                pthread_mutex_unlock(&reg_lock);
                binding_detach(b);
                pthread_mutex_lock(&reg_lock);
            }
        } else {
            for (PLIST_ENTRY l = bindings.Flink; l != &bindings; l = l->Flink) {
                struct binding *x = CONTAINING_RECORD(l, struct binding, link);
                if ((x->client == m || x->provider == m) && start_detach_locked(x))
                    list[n++] = x;
            }
        }
    }
    pthread_mutex_unlock(&reg_lock);
    for (unsigned i = 0; i < n; i++)
        binding_detach(list[i]);
    free(list);
    /* Windows returns STATUS_PENDING even with nothing to detach; the wait then returns at
     * once. */
    return STATUS_PENDING;
}

NTSTATUS NTAPI NmrDeregisterProvider(HANDLE NmrProviderHandle)
{
    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, NmrProviderHandle);
    OWSK_TRACE(OWSK_CH_NMR, "handle %p", NmrProviderHandle);
    return deregister_module(NmrProviderHandle, false);
}

NTSTATUS NTAPI NmrDeregisterClient(HANDLE NmrClientHandle)
{
    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, NmrClientHandle);
    OWSK_TRACE(OWSK_CH_NMR, "handle %p", NmrClientHandle);
    return deregister_module(NmrClientHandle, true);
}

/* After a successful wait the handle is gone: a second wait gets STATUS_INVALID_PARAMETER. */
static NTSTATUS wait_deregister(HANDLE h, bool is_client)
{
    struct module *m;

    pthread_mutex_lock(&reg_lock);
    m = find_module(h, is_client);
    if (!m || !m->deregistering || m->waited) {
        pthread_mutex_unlock(&reg_lock);
        return STATUS_INVALID_PARAMETER;
    }
    m->waited = true;
    while (m->bindings)
        pthread_cond_wait(&reg_cond, &reg_lock);
    RemoveEntryList(&m->link);
    nmodules--;
    pthread_mutex_unlock(&reg_lock);
    free(m);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI NmrWaitForProviderDeregisterComplete(HANDLE NmrProviderHandle)
{
    OWSK_ASSERT_IRQL_LE(APC_LEVEL, NmrProviderHandle);
    OWSK_TRACE(OWSK_CH_NMR, "handle %p", NmrProviderHandle);
    return wait_deregister(NmrProviderHandle, false);
}

NTSTATUS NTAPI NmrWaitForClientDeregisterComplete(HANDLE NmrClientHandle)
{
    OWSK_ASSERT_IRQL_LE(APC_LEVEL, NmrClientHandle);
    OWSK_TRACE(OWSK_CH_NMR, "handle %p", NmrClientHandle);
    return wait_deregister(NmrClientHandle, true);
}

/* Either side's pending detach finished. A completion for a binding that is not waiting
 * for one is a driver bug; Windows would corrupt its state, we report and ignore it. */
static void detach_complete(HANDLE h, int side)
{
    struct binding *b;
    bool cleanup = false;

    pthread_mutex_lock(&reg_lock);
    b = find_binding(h);
    if (b && b->state == B_DETACHING && b->side[side] == SIDE_PENDING) {
        cleanup = side_done_locked(b, side);
    } else if (b && b->state == B_DETACHING && b->side[side] == SIDE_CALLING &&
               !b->early[side]) {
        b->early[side] = true; /* completed inside or alongside its own detach callback */
    } else {
        pthread_mutex_unlock(&reg_lock);
        OWSK_ERR(OWSK_CH_NMR, "%s detach completion for binding %p, which is not detaching",
                 side == CLIENT ? "client" : "provider", h);
        return;
    }
    pthread_mutex_unlock(&reg_lock);
    if (cleanup)
        binding_cleanup(b);
}

VOID NTAPI NmrProviderDetachClientComplete(HANDLE NmrBindingHandle)
{
    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, NmrBindingHandle);
    OWSK_TRACE(OWSK_CH_NMR, "binding %p", NmrBindingHandle);
    detach_complete(NmrBindingHandle, PROVIDER);
}

VOID NTAPI NmrClientDetachProviderComplete(HANDLE NmrBindingHandle)
{
    OWSK_ASSERT_IRQL_LE(DISPATCH_LEVEL, NmrBindingHandle);
    OWSK_TRACE(OWSK_CH_NMR, "binding %p", NmrBindingHandle);
    detach_complete(NmrBindingHandle, CLIENT);
}

unsigned owsk_nmr_modules_outstanding(void)
{
    unsigned n;

    pthread_mutex_lock(&reg_lock);
    n = nmodules;
    pthread_mutex_unlock(&reg_lock);
    return n;
}

unsigned owsk_nmr_bindings_outstanding(void)
{
    unsigned n;

    pthread_mutex_lock(&reg_lock);
    n = nbindings;
    pthread_mutex_unlock(&reg_lock);
    return n;
}
