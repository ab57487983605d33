/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ip2string.h: the Rtl conversions between IPv4/IPv6 addresses and their text forms (ANSI
 * and UTF-16), with the WDK's prototypes (implemented in src/rtl). Addresses and ports are
 * in network byte order. */
#ifndef _IP2STRING_
#define _IP2STRING_

#include <ntdef.h>
#include <inaddr.h>
#include <in6addr.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- IPv4 ---- */

/* Writes dotted-decimal text (at most 16 characters with the NUL); returns the NUL's address. */
NTSYSAPI PSTR NTAPI RtlIpv4AddressToStringA(
    _In_ const struct in_addr *Addr,
    _Out_writes_(16) PSTR S);

NTSYSAPI PWSTR NTAPI RtlIpv4AddressToStringW(
    _In_ const struct in_addr *Addr,
    _Out_writes_(16) PWSTR S);

/* "a.b.c.d" or "a.b.c.d:port" (Port != 0); *AddressStringLength is in characters, NUL
 * included; too small a buffer gives STATUS_INVALID_PARAMETER and the needed length. */
NTSYSAPI NTSTATUS NTAPI RtlIpv4AddressToStringExA(
    _In_ const struct in_addr *Address,
    _In_ USHORT Port,
    _Out_writes_to_(*AddressStringLength, *AddressStringLength) PSTR AddressString,
    _Inout_ PULONG AddressStringLength);

NTSYSAPI NTSTATUS NTAPI RtlIpv4AddressToStringExW(
    _In_ const struct in_addr *Address,
    _In_ USHORT Port,
    _Out_writes_to_(*AddressStringLength, *AddressStringLength) PWSTR AddressString,
    _Inout_ PULONG AddressStringLength);

/* Strict accepts only four decimal parts; otherwise the inet_addr forms are accepted too. */
NTSYSAPI NTSTATUS NTAPI RtlIpv4StringToAddressA(
    _In_ PCSTR S,
    _In_ BOOLEAN Strict,
    _Out_ PCSTR *Terminator,
    _Out_ struct in_addr *Addr);

NTSYSAPI NTSTATUS NTAPI RtlIpv4StringToAddressW(
    _In_ PCWSTR S,
    _In_ BOOLEAN Strict,
    _Out_ PCWSTR *Terminator,
    _Out_ struct in_addr *Addr);

NTSYSAPI NTSTATUS NTAPI RtlIpv4StringToAddressExA(
    _In_ PCSTR AddressString,
    _In_ BOOLEAN Strict,
    _Out_ struct in_addr *Address,
    _Out_ PUSHORT Port);

NTSYSAPI NTSTATUS NTAPI RtlIpv4StringToAddressExW(
    _In_ PCWSTR AddressString,
    _In_ BOOLEAN Strict,
    _Out_ struct in_addr *Address,
    _Out_ PUSHORT Port);

/* ---- IPv6 ---- */

/* Writes RFC 5952-style text (at most 46 characters with the NUL); returns the NUL's address. */
NTSYSAPI PSTR NTAPI RtlIpv6AddressToStringA(
    _In_ const struct in6_addr *Addr,
    _Out_writes_(46) PSTR S);

NTSYSAPI PWSTR NTAPI RtlIpv6AddressToStringW(
    _In_ const struct in6_addr *Addr,
    _Out_writes_(46) PWSTR S);

/* "addr", "addr%scope", or "[addr%scope]:port" when Port != 0. */
NTSYSAPI NTSTATUS NTAPI RtlIpv6AddressToStringExA(
    _In_ const struct in6_addr *Address,
    _In_ ULONG ScopeId,
    _In_ USHORT Port,
    _Out_writes_to_(*AddressStringLength, *AddressStringLength) PSTR AddressString,
    _Inout_ PULONG AddressStringLength);

NTSYSAPI NTSTATUS NTAPI RtlIpv6AddressToStringExW(
    _In_ const struct in6_addr *Address,
    _In_ ULONG ScopeId,
    _In_ USHORT Port,
    _Out_writes_to_(*AddressStringLength, *AddressStringLength) PWSTR AddressString,
    _Inout_ PULONG AddressStringLength);

NTSYSAPI NTSTATUS NTAPI RtlIpv6StringToAddressA(
    _In_ PCSTR S,
    _Out_ PCSTR *Terminator,
    _Out_ struct in6_addr *Addr);

NTSYSAPI NTSTATUS NTAPI RtlIpv6StringToAddressW(
    _In_ PCWSTR S,
    _Out_ PCWSTR *Terminator,
    _Out_ struct in6_addr *Addr);

NTSYSAPI NTSTATUS NTAPI RtlIpv6StringToAddressExA(
    _In_ PCSTR AddressString,
    _Out_ struct in6_addr *Address,
    _Out_ PULONG ScopeId,
    _Out_ PUSHORT Port);

NTSYSAPI NTSTATUS NTAPI RtlIpv6StringToAddressExW(
    _In_ PCWSTR AddressString,
    _Out_ struct in6_addr *Address,
    _Out_ PULONG ScopeId,
    _Out_ PUSHORT Port);

/* ---- generic names: UTF-16 when UNICODE is defined ---- */
#ifdef UNICODE
#define RtlIpv4AddressToString      RtlIpv4AddressToStringW
#define RtlIpv4AddressToStringEx    RtlIpv4AddressToStringExW
#define RtlIpv4StringToAddress      RtlIpv4StringToAddressW
#define RtlIpv4StringToAddressEx    RtlIpv4StringToAddressExW
#define RtlIpv6AddressToString      RtlIpv6AddressToStringW
#define RtlIpv6AddressToStringEx    RtlIpv6AddressToStringExW
#define RtlIpv6StringToAddress      RtlIpv6StringToAddressW
#define RtlIpv6StringToAddressEx    RtlIpv6StringToAddressExW
#else
#define RtlIpv4AddressToString      RtlIpv4AddressToStringA
#define RtlIpv4AddressToStringEx    RtlIpv4AddressToStringExA
#define RtlIpv4StringToAddress      RtlIpv4StringToAddressA
#define RtlIpv4StringToAddressEx    RtlIpv4StringToAddressExA
#define RtlIpv6AddressToString      RtlIpv6AddressToStringA
#define RtlIpv6AddressToStringEx    RtlIpv6AddressToStringExA
#define RtlIpv6StringToAddress      RtlIpv6StringToAddressA
#define RtlIpv6StringToAddressEx    RtlIpv6StringToAddressExA
#endif

#ifdef __cplusplus
}
#endif

#endif /* _IP2STRING_ */
