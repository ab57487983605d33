/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* inaddr.h: the IPv4 address type (IN_ADDR, tag `in_addr`) with the WDK's member names and
 * the BSD-style accessor macros (s_addr, s_net, ...), which are macros here as on Windows. */
#ifndef _OWSK_INADDR_H_
#define _OWSK_INADDR_H_

#include <ntdef.h>

/* Four bytes in network order, viewable as bytes, 16-bit words or one 32-bit value. */
typedef struct in_addr {
    union {
        struct {
            UCHAR s_b1;
            UCHAR s_b2;
            UCHAR s_b3;
            UCHAR s_b4;
        } S_un_b;
        struct {
            USHORT s_w1;
            USHORT s_w2;
        } S_un_w;
        ULONG S_addr;
    } S_un;
} IN_ADDR, *PIN_ADDR, *LPIN_ADDR;

/* The classic names. They are macros (as in the WDK), so a driver must not mix these headers
 * with a libc <netinet/in.h>. */
#define s_addr  S_un.S_addr        /* the whole address; most code uses only this */
#define s_host  S_un.S_un_b.s_b2   /* host on an IMP */
#define s_net   S_un.S_un_b.s_b1   /* network */
#define s_imp   S_un.S_un_w.s_w2   /* IMP */
#define s_impno S_un.S_un_b.s_b4   /* IMP number */
#define s_lh    S_un.S_un_b.s_b3   /* logical host */

#endif /* _OWSK_INADDR_H_ */
