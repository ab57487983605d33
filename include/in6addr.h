/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* in6addr.h: the IPv6 address type (IN6_ADDR, tag `in6_addr`) with the WDK's union `u` and
 * the RFC 2553 / WDK accessor macros (s6_addr, s6_bytes, s6_words). */
#ifndef _OWSK_IN6ADDR_H_
#define _OWSK_IN6ADDR_H_

#include <ntdef.h>

/* Sixteen bytes in network order. */
typedef struct in6_addr {
    union {
        UCHAR Byte[16];
        USHORT Word[8];
    } u;
} IN6_ADDR, *PIN6_ADDR, *LPIN6_ADDR;

/* Older spelling of the tag. */
#define in_addr6 in6_addr

/* RFC 2553 names, mapped onto the union. */
#define _S6_un   u
#define _S6_u8   Byte
#define s6_addr  _S6_un._S6_u8

/* The WDK's own short names. */
#define s6_bytes u.Byte
#define s6_words u.Word

#endif /* _OWSK_IN6ADDR_H_ */
