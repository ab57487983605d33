/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netioddk.h: the Network Module Registrar (NMR) interface: NPI identifiers, registration
 * instances, client/provider characteristics, the attach/detach/cleanup callback types and
 * the Nmr* functions (implemented in src/nmr). */
#ifndef _NETIODDK_
#define _NETIODDK_

#include <ntdef.h>
#include <netiodef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A network programming interface is named by a GUID. */
typedef GUID NPIID;
typedef const NPIID *PNPIID;

/* An NPI binding as seen from one side: the peer's handle and dispatch table. */
typedef struct _NPI {
    HANDLE Handle;
    const VOID *Dispatch;
} NPI;

/* Describes one registered implementation (client or provider) of an NPI. */
typedef struct _NPI_REGISTRATION_INSTANCE {
    USHORT Version;                 /* 0 */
    USHORT Size;                    /* sizeof(NPI_REGISTRATION_INSTANCE) */
    PNPIID NpiId;
    PNPI_MODULEID ModuleId;
    ULONG Number;                   /* tells several implementations of one NPI apart */
    const VOID *NpiSpecificCharacteristics;  /* optional; for WSK a WSK_PROVIDER_CHARACTERISTICS */
} NPI_REGISTRATION_INSTANCE;

typedef const NPI_REGISTRATION_INSTANCE *PNPI_REGISTRATION_INSTANCE;

/* ---- client callbacks ---- */
typedef NTSTATUS NTAPI NPI_CLIENT_ATTACH_PROVIDER_FN(
    _In_ HANDLE NmrBindingHandle,
    _In_ PVOID ClientContext,
    _In_ PNPI_REGISTRATION_INSTANCE ProviderRegistrationInstance);
typedef NPI_CLIENT_ATTACH_PROVIDER_FN *PNPI_CLIENT_ATTACH_PROVIDER_FN;

/* Returns STATUS_SUCCESS, or STATUS_PENDING and later NmrClientDetachProviderComplete. */
typedef NTSTATUS NTAPI NPI_CLIENT_DETACH_PROVIDER_FN(
    _In_ PVOID ClientBindingContext);
typedef NPI_CLIENT_DETACH_PROVIDER_FN *PNPI_CLIENT_DETACH_PROVIDER_FN;

typedef VOID NTAPI NPI_CLIENT_CLEANUP_BINDING_CONTEXT_FN(
    _In_ PVOID ClientBindingContext);
typedef NPI_CLIENT_CLEANUP_BINDING_CONTEXT_FN *PNPI_CLIENT_CLEANUP_BINDING_CONTEXT_FN;

/* ---- provider callbacks ---- */
typedef NTSTATUS NTAPI NPI_PROVIDER_ATTACH_CLIENT_FN(
    _In_ HANDLE NmrBindingHandle,
    _In_ PVOID ProviderContext,
    _In_ PNPI_REGISTRATION_INSTANCE ClientRegistrationInstance,
    _In_ PVOID ClientBindingContext,
    _In_ const VOID *ClientDispatch,
    _Out_ PVOID *ProviderBindingContext,
    _Out_ const VOID **ProviderDispatch);
typedef NPI_PROVIDER_ATTACH_CLIENT_FN *PNPI_PROVIDER_ATTACH_CLIENT_FN;

/* Returns STATUS_SUCCESS, or STATUS_PENDING and later NmrProviderDetachClientComplete. */
typedef NTSTATUS NTAPI NPI_PROVIDER_DETACH_CLIENT_FN(
    _In_ PVOID ProviderBindingContext);
typedef NPI_PROVIDER_DETACH_CLIENT_FN *PNPI_PROVIDER_DETACH_CLIENT_FN;

typedef VOID NTAPI NPI_PROVIDER_CLEANUP_BINDING_CONTEXT_FN(
    _In_ PVOID ProviderBindingContext);
typedef NPI_PROVIDER_CLEANUP_BINDING_CONTEXT_FN *PNPI_PROVIDER_CLEANUP_BINDING_CONTEXT_FN;

/* ---- characteristics (must stay resident while registered) ---- */
typedef struct _NPI_CLIENT_CHARACTERISTICS {
    USHORT Version;                 /* 0 */
    USHORT Length;                  /* sizeof(NPI_CLIENT_CHARACTERISTICS) */
    PNPI_CLIENT_ATTACH_PROVIDER_FN ClientAttachProvider;
    PNPI_CLIENT_DETACH_PROVIDER_FN ClientDetachProvider;
    PNPI_CLIENT_CLEANUP_BINDING_CONTEXT_FN ClientCleanupBindingContext;  /* optional */
    NPI_REGISTRATION_INSTANCE ClientRegistrationInstance;
} NPI_CLIENT_CHARACTERISTICS;

typedef const NPI_CLIENT_CHARACTERISTICS *PNPI_CLIENT_CHARACTERISTICS;

typedef struct _NPI_PROVIDER_CHARACTERISTICS {
    USHORT Version;                 /* 0 */
    USHORT Length;                  /* sizeof(NPI_PROVIDER_CHARACTERISTICS) */
    PNPI_PROVIDER_ATTACH_CLIENT_FN ProviderAttachClient;
    PNPI_PROVIDER_DETACH_CLIENT_FN ProviderDetachClient;
    PNPI_PROVIDER_CLEANUP_BINDING_CONTEXT_FN ProviderCleanupBindingContext;  /* optional */
    NPI_REGISTRATION_INSTANCE ProviderRegistrationInstance;
} NPI_PROVIDER_CHARACTERISTICS;

typedef const NPI_PROVIDER_CHARACTERISTICS *PNPI_PROVIDER_CHARACTERISTICS;

/* ---- provider side ---- */
_IRQL_requires_(PASSIVE_LEVEL)
OWSK_EXPORT NTSTATUS NTAPI NmrRegisterProvider(
    _In_ PNPI_PROVIDER_CHARACTERISTICS ProviderCharacteristics,
    _In_opt_ PVOID ProviderContext,
    _Out_ PHANDLE NmrProviderHandle);

_IRQL_requires_max_(DISPATCH_LEVEL)
OWSK_EXPORT NTSTATUS NTAPI NmrDeregisterProvider(
    _In_ HANDLE NmrProviderHandle);

_IRQL_requires_max_(APC_LEVEL)
OWSK_EXPORT NTSTATUS NTAPI NmrWaitForProviderDeregisterComplete(
    _In_ HANDLE NmrProviderHandle);

_IRQL_requires_max_(DISPATCH_LEVEL)
OWSK_EXPORT VOID NTAPI NmrProviderDetachClientComplete(
    _In_ HANDLE NmrBindingHandle);

/* ---- client side ---- */
_IRQL_requires_(PASSIVE_LEVEL)
OWSK_EXPORT NTSTATUS NTAPI NmrRegisterClient(
    _In_ PNPI_CLIENT_CHARACTERISTICS ClientCharacteristics,
    _In_opt_ PVOID ClientContext,
    _Out_ PHANDLE NmrClientHandle);

_IRQL_requires_max_(DISPATCH_LEVEL)
OWSK_EXPORT NTSTATUS NTAPI NmrDeregisterClient(
    _In_ HANDLE NmrClientHandle);

_IRQL_requires_max_(APC_LEVEL)
OWSK_EXPORT NTSTATUS NTAPI NmrWaitForClientDeregisterComplete(
    _In_ HANDLE NmrClientHandle);

/* Called from ClientAttachProvider; returns what the provider's ProviderAttachClient
 * returned. */
_IRQL_requires_(PASSIVE_LEVEL)
OWSK_EXPORT NTSTATUS NTAPI NmrClientAttachProvider(
    _In_ HANDLE NmrBindingHandle,
    _In_ PVOID ClientBindingContext,
    _In_ const VOID *ClientDispatch,
    _Out_ PVOID *ProviderBindingContext,
    _Out_ const VOID **ProviderDispatch);

_IRQL_requires_max_(DISPATCH_LEVEL)
OWSK_EXPORT VOID NTAPI NmrClientDetachProviderComplete(
    _In_ HANDLE NmrBindingHandle);

#ifdef __cplusplus
}
#endif

#endif /* _NETIODDK_ */
