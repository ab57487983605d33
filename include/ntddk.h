/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntddk.h: what a legacy (non-PnP) kernel driver includes. All the DDIs openwsk provides are
 * declared in wdm.h; this header adds the _NTDDK_ marker some sources test.
 * Leaves out: the ntddk-only surface (process/thread information classes, HAL, BIOS, ...). */
#ifndef _OWSK_NTDDK_H_
#define _OWSK_NTDDK_H_

#include <wdm.h>

#define _NTDDK_

#endif /* _OWSK_NTDDK_H_ */
