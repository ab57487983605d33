/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Driver-side helpers of the WSK conformance tests: what a WDK test driver would write
 * (register, capture, synchronous calls through the dispatch tables with a reusable IRP,
 * MDLs over its buffers). Only documented DDIs are used; host start/stop is the host API. */
#ifndef OWSK_TESTS_WSK_T_H
#define OWSK_TESTS_WSK_T_H

#include <ntddk.h>
#include <wsk.h>

#include "owsk_test.h"

#define T_WAIT 5000 /* ms: every wait in the suite has this deadline unless stated */

extern WSK_REGISTRATION t_reg;
extern WSK_PROVIDER_NPI t_npi;
extern const WSK_CLIENT_DISPATCH t_client_dispatch;

/* Starts the host (loops + provider), registers and captures the provider NPI. */
void t_wsk_start(void);
/* Releases the NPI, deregisters (waits for every socket) and stops the host. */
void t_wsk_stop(void);

#define T_LD(s) ((const WSK_PROVIDER_LISTEN_DISPATCH *)(s)->Dispatch)
#define T_CD(s) ((const WSK_PROVIDER_CONNECTION_DISPATCH *)(s)->Dispatch)
#define T_SD(s) ((const WSK_PROVIDER_STREAM_DISPATCH *)(s)->Dispatch)
#define T_BD(s) ((const WSK_PROVIDER_BASIC_DISPATCH *)(s)->Dispatch)

/* An IRP whose completion sets an event and records the global completion order. */
struct t_irp {
    PIRP irp;
    KEVENT ev;
    LONG seq;   /* order of completion (1, 2, ...), 0 = not completed */
    LONG done;  /* completions seen (must end at 1) */
    KIRQL irql; /* IRQL the completion routine ran at */
};
extern LONG t_seq;
void t_irp_init(struct t_irp *t);
PIRP t_irp_arm(struct t_irp *t);
/* Waits for completion; returns Status, or STATUS_TIMEOUT (and fails) after ms. */
NTSTATUS t_irp_wait(struct t_irp *t, unsigned ms);
/* true if it completed within ms (no failure recorded otherwise). */
BOOLEAN t_irp_wait_quiet(struct t_irp *t, unsigned ms);
void t_irp_free(struct t_irp *t);
/* Waits for t after a call that returned r; checks a non-pending r equals the final
 * status. Returns the final status. */
NTSTATUS t_sync_irp_ok(NTSTATUS r, struct t_irp *t);

/* Windows SOCKADDR for 127.0.0.1 / ::1 (or the wildcard) and a port (host order). */
void t_addr(SOCKADDR_STORAGE *ss, int v6, int port);
void t_any(SOCKADDR_STORAGE *ss, int v6);
USHORT t_port(const SOCKADDR_STORAGE *ss);

PMDL t_mdl(void *p, size_t len);

/* Synchronous helpers (fail the test on a stuck IRP). */
PWSK_SOCKET t_socket(ADDRESS_FAMILY af, ULONG flags, PVOID ctx, const VOID *disp, NTSTATUS *ret_st);
NTSTATUS t_close(PWSK_SOCKET s);
/* Listener bound to loopback:0 (listen category), *ret_port = the port it got. */
PWSK_SOCKET t_listener(int v6, int *ret_port, PVOID ctx, const WSK_CLIENT_LISTEN_DISPATCH *disp);
/* Connection socket bound to the wildcard and connected to loopback:port. */
PWSK_SOCKET t_connect(int v6, int port, PVOID ctx, const WSK_CLIENT_CONNECTION_DISPATCH *disp,
                      NTSTATUS *ret_st);
PWSK_SOCKET t_accept(PWSK_SOCKET listener, PVOID ctx, const WSK_CLIENT_CONNECTION_DISPATCH *disp,
                     SOCKADDR_STORAGE *local, SOCKADDR_STORAGE *remote);
NTSTATUS t_send(PWSK_SOCKET s, const void *buf, size_t len, ULONG flags, ULONG_PTR *ret_info);
NTSTATUS t_recv(PWSK_SOCKET s, void *buf, size_t len, ULONG flags, ULONG_PTR *ret_info);
NTSTATUS t_disconnect(PWSK_SOCKET s, ULONG flags);
NTSTATUS t_setopt(PWSK_SOCKET s, ULONG level, ULONG code, ULONG value);
NTSTATUS t_getopt(PWSK_SOCKET s, ULONG level, ULONG code, ULONG *ret_value);
NTSTATUS t_event(PWSK_SOCKET s, ULONG mask);

#endif
