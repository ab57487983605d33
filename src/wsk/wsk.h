/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The WSK provider's interface to the other rooms: start/stop (called by owsk_host_start),
 * per-driver socket accounting for leak reports. Socket internals stay in src/wsk. */
#ifndef OWSK_WSK_H
#define OWSK_WSK_H

#include <stdint.h>

/* Registers the WSK provider with NMR (NPI_WSK_INTERFACE_ID) so WskRegister/
 * WskCaptureProviderNPI can attach. The loops must already run. Idempotent.
 * Returns 0 or a negative errno. Thread: any, PASSIVE_LEVEL. */
int owsk_wsk_provider_start(void);
/* Deregisters the provider (waits for NMR detach). Sockets still open are left to their
 * owners; call after every driver is unloaded. Thread: any, PASSIVE_LEVEL. */
void owsk_wsk_provider_stop(void);

/* Sockets created by the driver with this owner id and not yet freed (0 = the host). */
uint64_t owsk_wsk_sockets_outstanding(unsigned owner_id);

#endif
