/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nmr internals other rooms may use: counts for leak reports and shutdown checks. The
 * registrar itself is reached only through the Nmr* DDIs (include/netioddk.h). */
#ifndef OWSK_NMR_H
#define OWSK_NMR_H

/* Registered clients and providers (including ones deregistering whose
 * NmrWaitFor*DeregisterComplete has not returned yet), and live bindings. Thread: any. */
unsigned owsk_nmr_modules_outstanding(void);
unsigned owsk_nmr_bindings_outstanding(void);

#endif
