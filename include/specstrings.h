/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* specstrings.h: the WDK spells part of the annotation set here; openwsk keeps all
 * of it in sal.h, so this header only includes that one. */
#ifndef _OWSK_SPECSTRINGS_H_
#define _OWSK_SPECSTRINGS_H_

#include <sal.h>

#endif
