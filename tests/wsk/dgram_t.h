/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Driver-side helpers of the datagram conformance tests: what a WDK test driver writes to
 * create, bind and use a WSK datagram socket synchronously (one IRP per call, waited on with a
 * deadline). Builds on wsk_t.h. */
#ifndef OWSK_TESTS_DGRAM_T_H
#define OWSK_TESTS_DGRAM_T_H

#include "wsk_t.h"

#define T_DD(s) ((const WSK_PROVIDER_DATAGRAM_DISPATCH *)(s)->Dispatch)

/* A datagram socket of family af (2 or 23); NULL (and *ret_st) on failure. */
PWSK_SOCKET d_socket(ADDRESS_FAMILY af, PVOID ctx, const WSK_CLIENT_DATAGRAM_DISPATCH *disp,
                     NTSTATUS *ret_st);
/* Binds to loopback (or the wildcard if any) port 0; returns the status, *ret_port the port. */
NTSTATUS d_bind(PWSK_SOCKET s, int v6, int any, int *ret_port);
NTSTATUS d_sendto(PWSK_SOCKET s, const void *buf, size_t len, const SOCKADDR_STORAGE *to,
                  ULONG_PTR *ret_info);
/* A receive with every output; ctl/ctl_len/ctl_flags may be NULL. */
NTSTATUS d_recvfrom(PWSK_SOCKET s, void *buf, size_t len, SOCKADDR_STORAGE *from, void *ctl,
                    ULONG *ctl_len, ULONG *ctl_flags, ULONG_PTR *ret_info);
/* WskIoctl with a SOCKADDR (sa NULL / size 0 = clear). */
NTSTATUS d_ioctl(PWSK_SOCKET s, ULONG code, const SOCKADDR_STORAGE *sa, SIZE_T size);
NTSTATUS d_setopt_buf(PWSK_SOCKET s, ULONG level, ULONG code, const void *buf, SIZE_T size);

#endif
