/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntifs.h: the file-system/filter header, accepted so drivers that include it instead of
 * ntddk.h compile. It provides exactly what ntddk.h provides.
 * Leaves out: file-system structures and DDIs (Fs*, Cc*, Fsrtl*, Se* security). */
#ifndef _OWSK_NTIFS_H_
#define _OWSK_NTIFS_H_

#include <ntddk.h>

#define _NTIFS_

#endif /* _OWSK_NTIFS_H_ */
