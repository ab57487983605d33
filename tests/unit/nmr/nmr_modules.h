/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A test NPI with one provider and up to three clients, written the way a WDK driver writes
 * its NMR code (structures initialised positionally, as in the NMR guide's example), plus
 * counters the tests read. Shared by test-nmr-attach.c and test-nmr-detach.c. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include <ntddk.h>
#include <netioddk.h>

#include "owsk_test.h"
#include "nmr/nmr.h"

/* ---------------- driver side (WDK style) ---------------- */

// {5f0b1a53-6a3e-4c9e-9d52-2b8c0e7f4a11}: the NPI our test modules speak.
static const NPIID TEST_NPI_ID = {
    0x5f0b1a53, 0x6a3e, 0x4c9e, {0x9d, 0x52, 0x2b, 0x8c, 0x0e, 0x7f, 0x4a, 0x11}};
// {5f0b1a54-...}: another NPI nobody provides.
static const NPIID OTHER_NPI_ID = {
    0x5f0b1a54, 0x6a3e, 0x4c9e, {0x9d, 0x52, 0x2b, 0x8c, 0x0e, 0x7f, 0x4a, 0x11}};

static const NPI_MODULEID ProviderModuleId = {
    sizeof(NPI_MODULEID), MIT_GUID,
    {{0x1c3a4f20, 0x1111, 0x4a4a, {0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07}}}};
static const NPI_MODULEID ClientModuleId = {
    sizeof(NPI_MODULEID), MIT_GUID,
    {{0x1c3a4f21, 0x2222, 0x4a4a, {0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07}}}};

// What the provider tells clients about itself, and what a client tells the provider.
typedef struct _TEST_PROVIDER_CHARACTERISTICS {
    USHORT HighestVersion;
} TEST_PROVIDER_CHARACTERISTICS;

typedef struct _TEST_CLIENT_CHARACTERISTICS {
    BOOLEAN Refuse;  // the provider answers STATUS_NOINTERFACE
} TEST_CLIENT_CHARACTERISTICS;

// The provider's dispatch table, one per interface version.
typedef struct _TEST_PROVIDER_DISPATCH {
    USHORT Version;
    ULONG (*Ping)(PVOID ProviderBindingContext, ULONG Value);
} TEST_PROVIDER_DISPATCH;

typedef struct _TEST_CLIENT_DISPATCH {
    USHORT Version;
} TEST_CLIENT_DISPATCH;

// Knobs the tests turn before an attach/detach.
static volatile NTSTATUS ProviderDetachResult = STATUS_SUCCESS;
static volatile NTSTATUS ClientDetachResult = STATUS_SUCCESS;
static volatile BOOLEAN ClientCompletesInsideDetach;
static volatile BOOLEAN ProviderCompletesInsideDetach;

// ---- provider ----

typedef struct _PROVIDER_BINDING {
    HANDLE NmrBindingHandle;
    PVOID ClientBindingContext;
    const TEST_CLIENT_DISPATCH *ClientDispatch;
    PNPI_REGISTRATION_INSTANCE ClientRegistrationInstance;
    LONG InUse;
    LONG DetachCalls;
    LONG CleanupCalls;
} PROVIDER_BINDING;

typedef struct _PROVIDER_CONTEXT {
    ULONG Magic;
    HANDLE NmrProviderHandle;
    LONG AttachCalls;
    LONG Refused;
    PROVIDER_BINDING Bindings[4];
} PROVIDER_CONTEXT;

static PROVIDER_CONTEXT Provider = {'PROV'};

static ULONG ProviderPing(PVOID ProviderBindingContext, ULONG Value)
{
    PROVIDER_BINDING *b = ProviderBindingContext;
    return b->InUse ? Value + 1 : 0;
}

static const TEST_PROVIDER_DISPATCH ProviderDispatchV1 = {1, ProviderPing};

static NTSTATUS NTAPI ProviderAttachClient(
    HANDLE NmrBindingHandle, PVOID ProviderContext,
    PNPI_REGISTRATION_INSTANCE ClientRegistrationInstance, PVOID ClientBindingContext,
    const VOID *ClientDispatch, PVOID *ProviderBindingContext, const VOID **ProviderDispatch)
{
    PROVIDER_CONTEXT *ctx = ProviderContext;
    const TEST_CLIENT_CHARACTERISTICS *cc = ClientRegistrationInstance->NpiSpecificCharacteristics;
    const TEST_CLIENT_DISPATCH *cd = ClientDispatch;

    InterlockedIncrement(&ctx->AttachCalls);
    if ((cc && cc->Refuse) || cd->Version != 1) {
        InterlockedIncrement(&ctx->Refused);
        return STATUS_NOINTERFACE;
    }
    for (int i = 0; i < 4; i++) {
        PROVIDER_BINDING *b = &ctx->Bindings[i];
        if (InterlockedCompareExchange(&b->InUse, 1, 0) == 0) {
            b->NmrBindingHandle = NmrBindingHandle;
            b->ClientBindingContext = ClientBindingContext;
            b->ClientDispatch = cd;
            b->ClientRegistrationInstance = ClientRegistrationInstance;
            b->DetachCalls = 0;
            b->CleanupCalls = 0;
            *ProviderBindingContext = b;
            *ProviderDispatch = &ProviderDispatchV1;
            return STATUS_SUCCESS;
        }
    }
    return STATUS_INSUFFICIENT_RESOURCES;
}

static NTSTATUS NTAPI ProviderDetachClient(PVOID ProviderBindingContext)
{
    PROVIDER_BINDING *b = ProviderBindingContext;

    InterlockedIncrement(&b->DetachCalls);
    if (ProviderDetachResult == STATUS_PENDING && ProviderCompletesInsideDetach)
        NmrProviderDetachClientComplete(b->NmrBindingHandle);
    return ProviderDetachResult;
}

static VOID NTAPI ProviderCleanupBindingContext(PVOID ProviderBindingContext)
{
    PROVIDER_BINDING *b = ProviderBindingContext;

    InterlockedIncrement(&b->CleanupCalls);
    InterlockedExchange(&b->InUse, 0);
}

static const TEST_PROVIDER_CHARACTERISTICS ProviderNpiCharacteristics = {1};

static const NPI_PROVIDER_CHARACTERISTICS ProviderCharacteristics = {
    0,
    sizeof(NPI_PROVIDER_CHARACTERISTICS),
    ProviderAttachClient,
    ProviderDetachClient,
    ProviderCleanupBindingContext,
    {0, sizeof(NPI_REGISTRATION_INSTANCE), &TEST_NPI_ID, &ProviderModuleId, 0,
     &ProviderNpiCharacteristics}};

// ---- clients ----

typedef struct _CLIENT_BINDING {
    HANDLE NmrBindingHandle;
    PVOID ProviderBindingContext;
    const TEST_PROVIDER_DISPATCH *ProviderDispatch;
    PNPI_REGISTRATION_INSTANCE ProviderRegistrationInstance;
    LONG Attached;
    LONG DetachCalls;
    LONG CleanupCalls;
    NTSTATUS FirstAttachStatus;  // of the v2 attempt
} CLIENT_BINDING;

typedef struct _CLIENT_CONTEXT {
    ULONG Magic;
    HANDLE NmrClientHandle;
    LONG AttachCalls;
    USHORT SupportedVersion;  // refuse providers whose HighestVersion is below
    BOOLEAN TryV2First;       // offer dispatch v2 first, then fall back to v1
    CLIENT_BINDING Binding;
} CLIENT_CONTEXT;

static const TEST_CLIENT_DISPATCH ClientDispatchV1 = {1};
static const TEST_CLIENT_DISPATCH ClientDispatchV2 = {2};

static NTSTATUS NTAPI ClientAttachProvider(HANDLE NmrBindingHandle, PVOID ClientContext,
                                           PNPI_REGISTRATION_INSTANCE ProviderRegistrationInstance)
{
    CLIENT_CONTEXT *ctx = ClientContext;
    const TEST_PROVIDER_CHARACTERISTICS *pc =
        ProviderRegistrationInstance->NpiSpecificCharacteristics;
    CLIENT_BINDING *b = &ctx->Binding;
    PVOID ProviderBindingContext;
    const VOID *ProviderDispatch;
    NTSTATUS Status;

    InterlockedIncrement(&ctx->AttachCalls);
    if (!pc || pc->HighestVersion < ctx->SupportedVersion)
        return STATUS_NOINTERFACE;  // not a provider we can use: no binding

    b->NmrBindingHandle = NmrBindingHandle;
    b->ProviderRegistrationInstance = ProviderRegistrationInstance;
    b->DetachCalls = 0;
    b->CleanupCalls = 0;
    b->FirstAttachStatus = STATUS_SUCCESS;
    if (ctx->TryV2First) {
        b->FirstAttachStatus = NmrClientAttachProvider(NmrBindingHandle, b, &ClientDispatchV2,
                                                       &ProviderBindingContext,
                                                       &ProviderDispatch);
        if (NT_SUCCESS(b->FirstAttachStatus))
            goto attached;
    }
    Status = NmrClientAttachProvider(NmrBindingHandle, b, &ClientDispatchV1,
                                     &ProviderBindingContext, &ProviderDispatch);
    if (!NT_SUCCESS(Status))
        return Status;
attached:
    b->ProviderBindingContext = ProviderBindingContext;
    b->ProviderDispatch = ProviderDispatch;
    InterlockedExchange(&b->Attached, 1);
    return STATUS_SUCCESS;
}

static NTSTATUS NTAPI ClientDetachProvider(PVOID ClientBindingContext)
{
    CLIENT_BINDING *b = ClientBindingContext;

    InterlockedIncrement(&b->DetachCalls);
    if (ClientDetachResult == STATUS_PENDING && ClientCompletesInsideDetach)
        NmrClientDetachProviderComplete(b->NmrBindingHandle);
    return ClientDetachResult;
}

static VOID NTAPI ClientCleanupBindingContext(PVOID ClientBindingContext)
{
    CLIENT_BINDING *b = ClientBindingContext;

    InterlockedIncrement(&b->CleanupCalls);
    InterlockedExchange(&b->Attached, 0);
}

static const NPI_CLIENT_CHARACTERISTICS ClientCharacteristics = {
    0,
    sizeof(NPI_CLIENT_CHARACTERISTICS),
    ClientAttachProvider,
    ClientDetachProvider,
    ClientCleanupBindingContext,
    {0, sizeof(NPI_REGISTRATION_INSTANCE), &TEST_NPI_ID, &ClientModuleId, 0, NULL}};

static const TEST_CLIENT_CHARACTERISTICS RefusedClientNpiCharacteristics = {TRUE};

static const NPI_CLIENT_CHARACTERISTICS RefusedClientCharacteristics = {
    0,
    sizeof(NPI_CLIENT_CHARACTERISTICS),
    ClientAttachProvider,
    ClientDetachProvider,
    ClientCleanupBindingContext,
    {0, sizeof(NPI_REGISTRATION_INSTANCE), &TEST_NPI_ID, &ClientModuleId, 0,
     &RefusedClientNpiCharacteristics}};

static const NPI_CLIENT_CHARACTERISTICS OtherNpiClientCharacteristics = {
    0,
    sizeof(NPI_CLIENT_CHARACTERISTICS),
    ClientAttachProvider,
    ClientDetachProvider,
    NULL,
    {0, sizeof(NPI_REGISTRATION_INSTANCE), &OTHER_NPI_ID, &ClientModuleId, 0, NULL}};

/* ---------------- harness side ---------------- */

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_SEQ_CST)

static void reset_modules(void)
{
    memset(Provider.Bindings, 0, sizeof(Provider.Bindings));
    Provider.AttachCalls = 0;
    Provider.Refused = 0;
    ProviderDetachResult = STATUS_SUCCESS;
    ClientDetachResult = STATUS_SUCCESS;
    ClientCompletesInsideDetach = FALSE;
    ProviderCompletesInsideDetach = FALSE;
}

static void client_init(CLIENT_CONTEXT *c)
{
    memset(c, 0, sizeof(*c));
    c->Magic = 'CLNT';
    c->SupportedVersion = 1;
}

static PROVIDER_BINDING *provider_binding_for(HANDLE h)
{
    for (int i = 0; i < 4; i++)
        if (LOAD(Provider.Bindings[i].InUse) && Provider.Bindings[i].NmrBindingHandle == h)
            return &Provider.Bindings[i];
    return NULL;
}

