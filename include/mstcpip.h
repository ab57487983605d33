/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mstcpip.h: Microsoft TCP/IP extensions drivers use: the vendor IOCTLs (SIO_KEEPALIVE_VALS
 * and friends) with their payloads, and the IN4/IN6/INETADDR address helpers (our own inline
 * code). Leaves out the user-mode-only parts (RCVALL sniffing helpers' APIs, TCP_INFO). */
#ifndef _MSTCPIP_
#define _MSTCPIP_

#include <ntdef.h>
#include <string.h>
#include <ws2def.h>
#include <ws2ipdef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* SIO_KEEPALIVE_VALS input: times in milliseconds. */
struct tcp_keepalive {
    ULONG onoff;
    ULONG keepalivetime;
    ULONG keepaliveinterval;
};

/* ---- vendor IOCTLs ---- */
#define SIO_RCVALL                  _WSAIOW(IOC_VENDOR, 1)
#define SIO_RCVALL_MCAST            _WSAIOW(IOC_VENDOR, 2)
#define SIO_RCVALL_IGMPMCAST        _WSAIOW(IOC_VENDOR, 3)
#define SIO_KEEPALIVE_VALS          _WSAIOW(IOC_VENDOR, 4)
#define SIO_ABSORB_RTRALERT         _WSAIOW(IOC_VENDOR, 5)
#define SIO_UCAST_IF                _WSAIOW(IOC_VENDOR, 6)
#define SIO_LIMIT_BROADCASTS        _WSAIOW(IOC_VENDOR, 7)
#define SIO_INDEX_BIND              _WSAIOW(IOC_VENDOR, 8)
#define SIO_INDEX_MCASTIF           _WSAIOW(IOC_VENDOR, 9)
#define SIO_INDEX_ADD_MCAST         _WSAIOW(IOC_VENDOR, 10)
#define SIO_INDEX_DEL_MCAST         _WSAIOW(IOC_VENDOR, 11)
#define SIO_RCVALL_MCAST_IF         _WSAIOW(IOC_VENDOR, 13)
#define SIO_RCVALL_IF               _WSAIOW(IOC_VENDOR, 14)
#define SIO_LOOPBACK_FAST_PATH      _WSAIOW(IOC_VENDOR, 16)
#define SIO_TCP_INITIAL_RTO         _WSAIOW(IOC_VENDOR, 17)
#define SIO_APPLY_TRANSPORT_SETTING _WSAIOW(IOC_VENDOR, 19)
#define SIO_QUERY_TRANSPORT_SETTING _WSAIOW(IOC_VENDOR, 20)
#define SIO_CPU_AFFINITY            _WSAIOW(IOC_VENDOR, 21)
#define SIO_TCP_SET_ICW             _WSAIOW(IOC_VENDOR, 22)
#define SIO_TCP_SET_ACK_FREQUENCY   _WSAIOW(IOC_VENDOR, 23)
#define SIO_SET_PRIORITY_HINT       _WSAIOW(IOC_VENDOR, 24)
#define SIO_PRIORITY_HINT           SIO_SET_PRIORITY_HINT
#define SIO_TCP_INFO                _WSAIORW(IOC_VENDOR, 39)

typedef enum {
    RCVALL_OFF = 0,
    RCVALL_ON = 1,
    RCVALL_SOCKETLEVELONLY = 2,
    RCVALL_IPLEVEL = 3
} RCVALL_VALUE, *PRCVALL_VALUE;

#define RCVALL_MAX  RCVALL_IPLEVEL

typedef struct {
    RCVALL_VALUE Mode;
    ULONG Interface;
} RCVALL_IF, *PRCVALL_IF;

/* SIO_TCP_INITIAL_RTO input. */
typedef struct _TCP_INITIAL_RTO_PARAMETERS {
    USHORT Rtt;                     /* milliseconds */
    UCHAR MaxSynRetransmissions;
} TCP_INITIAL_RTO_PARAMETERS, *PTCP_INITIAL_RTO_PARAMETERS;

#define TCP_INITIAL_RTO_UNSPECIFIED_RTT                     ((USHORT)-1)
#define TCP_INITIAL_RTO_UNSPECIFIED_MAX_SYN_RETRANSMISSIONS ((UCHAR)-1)
#define TCP_INITIAL_RTO_DEFAULT_RTT                         (0)
#define TCP_INITIAL_RTO_DEFAULT_MAX_SYN_RETRANSMISSIONS     (0)
#define TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS              ((UCHAR)-2)

/* ---- IPv4 address predicates (IN_ADDR bytes are in network order) ---- */
FORCEINLINE BOOLEAN IN4_ADDR_EQUAL(const IN_ADDR *a, const IN_ADDR *b)
{
    return a->s_addr == b->s_addr;
}

FORCEINLINE BOOLEAN IN4_UNALIGNED_ADDR_EQUAL(const IN_ADDR *a, const IN_ADDR *b)
{
    return memcmp(a, b, sizeof(IN_ADDR)) == 0;
}

FORCEINLINE BOOLEAN IN4_IS_ADDR_UNSPECIFIED(const IN_ADDR *a)
{
    return a->s_addr == INADDR_ANY;
}

FORCEINLINE BOOLEAN IN4_IS_UNALIGNED_ADDR_UNSPECIFIED(const IN_ADDR *a)
{
    IN_ADDR copy;
    memcpy(&copy, a, sizeof(copy));
    return IN4_IS_ADDR_UNSPECIFIED(&copy);
}

/* 127.0.0.0/8 */
FORCEINLINE BOOLEAN IN4_IS_ADDR_LOOPBACK(const IN_ADDR *a)
{
    return a->s_net == 127;
}

FORCEINLINE BOOLEAN IN4_IS_ADDR_BROADCAST(const IN_ADDR *a)
{
    return a->s_addr == INADDR_BROADCAST;
}

/* 224.0.0.0/4 */
FORCEINLINE BOOLEAN IN4_IS_ADDR_MULTICAST(const IN_ADDR *a)
{
    return (a->s_net & 0xf0) == 0xe0;
}

/* 169.254.0.0/16 */
FORCEINLINE BOOLEAN IN4_IS_ADDR_LINKLOCAL(const IN_ADDR *a)
{
    return a->S_un.S_un_b.s_b1 == 169 && a->S_un.S_un_b.s_b2 == 254;
}

/* IPv4 has no site-local scope. */
FORCEINLINE BOOLEAN IN4_IS_ADDR_SITELOCAL(const IN_ADDR *a)
{
    (void)a;
    return FALSE;
}

/* 10/8, 172.16/12, 192.168/16 */
FORCEINLINE BOOLEAN IN4_IS_ADDR_RFC1918(const IN_ADDR *a)
{
    UCHAR b1 = a->S_un.S_un_b.s_b1, b2 = a->S_un.S_un_b.s_b2;
    return b1 == 10 || (b1 == 172 && (b2 & 0xf0) == 16) || (b1 == 192 && b2 == 168);
}

/* 224.0.0.0/24 */
FORCEINLINE BOOLEAN IN4_IS_ADDR_MC_LINKLOCAL(const IN_ADDR *a)
{
    return a->S_un.S_un_b.s_b1 == 224 && a->S_un.S_un_b.s_b2 == 0 && a->S_un.S_un_b.s_b3 == 0;
}

/* 239.0.0.0/8 */
FORCEINLINE BOOLEAN IN4_IS_ADDR_MC_ADMINLOCAL(const IN_ADDR *a)
{
    return a->S_un.S_un_b.s_b1 == 239;
}

/* ---- SOCKADDR_IN helpers ---- */
FORCEINLINE BOOLEAN IN4ADDR_ISANY(const SOCKADDR_IN *a)
{
    return IN4_IS_ADDR_UNSPECIFIED(&a->sin_addr);
}

FORCEINLINE BOOLEAN IN4ADDR_ISLOOPBACK(const SOCKADDR_IN *a)
{
    return IN4_IS_ADDR_LOOPBACK(&a->sin_addr);
}

FORCEINLINE BOOLEAN IN4ADDR_ISEQUAL(const SOCKADDR_IN *a, const SOCKADDR_IN *b)
{
    return IN4_ADDR_EQUAL(&a->sin_addr, &b->sin_addr);
}

FORCEINLINE BOOLEAN IN4ADDR_ISUNSPECIFIED(const SOCKADDR_IN *a)
{
    return IN4ADDR_ISANY(a);
}

FORCEINLINE VOID IN4ADDR_SETANY(PSOCKADDR_IN a)
{
    a->sin_family = AF_INET;
    a->sin_port = 0;
    a->sin_addr.s_addr = INADDR_ANY;
    memset(a->sin_zero, 0, sizeof(a->sin_zero));
}

FORCEINLINE VOID IN4ADDR_SETLOOPBACK(PSOCKADDR_IN a)
{
    a->sin_family = AF_INET;
    a->sin_port = 0;
    a->sin_addr.S_un.S_un_b.s_b1 = 127;
    a->sin_addr.S_un.S_un_b.s_b2 = 0;
    a->sin_addr.S_un.S_un_b.s_b3 = 0;
    a->sin_addr.S_un.S_un_b.s_b4 = 1;
    memset(a->sin_zero, 0, sizeof(a->sin_zero));
}

/* ---- v4-mapped IPv6 addresses ---- */
FORCEINLINE VOID IN6_SET_ADDR_V4MAPPED(PIN6_ADDR a6, const IN_ADDR *a4)
{
    memset(a6, 0, sizeof(IN6_ADDR));
    a6->u.Byte[10] = 0xff;
    a6->u.Byte[11] = 0xff;
    memcpy(&a6->u.Byte[12], a4, sizeof(IN_ADDR));
}

FORCEINLINE const IN_ADDR *IN6_GET_ADDR_V4MAPPED(const IN6_ADDR *a6)
{
    return (const IN_ADDR *)(const void *)&a6->u.Byte[12];
}

FORCEINLINE VOID IN6ADDR_SETV4MAPPED(PSOCKADDR_IN6 a6, const IN_ADDR *a4, SCOPE_ID scope,
                                     USHORT port)
{
    a6->sin6_family = AF_INET6;
    a6->sin6_port = port;
    a6->sin6_flowinfo = 0;
    IN6_SET_ADDR_V4MAPPED(&a6->sin6_addr, a4);
    a6->sin6_scope_struct = scope;
}

/* ---- family-independent helpers over SOCKADDR (AF_INET or AF_INET6 only) ---- */
FORCEINLINE BOOLEAN INETADDR_ISANY(const SOCKADDR *a)
{
    if (a->sa_family == AF_INET6)
        return IN6ADDR_ISANY((const SOCKADDR_IN6 *)(const void *)a);
    return IN4ADDR_ISANY((const SOCKADDR_IN *)(const void *)a);
}

FORCEINLINE BOOLEAN INETADDR_ISLOOPBACK(const SOCKADDR *a)
{
    if (a->sa_family == AF_INET6)
        return IN6ADDR_ISLOOPBACK((const SOCKADDR_IN6 *)(const void *)a);
    return IN4ADDR_ISLOOPBACK((const SOCKADDR_IN *)(const void *)a);
}

FORCEINLINE VOID INETADDR_SETANY(PSOCKADDR a)
{
    if (a->sa_family == AF_INET6)
        IN6ADDR_SETANY((PSOCKADDR_IN6)(void *)a);
    else
        IN4ADDR_SETANY((PSOCKADDR_IN)(void *)a);
}

FORCEINLINE VOID INETADDR_SETLOOPBACK(PSOCKADDR a)
{
    if (a->sa_family == AF_INET6)
        IN6ADDR_SETLOOPBACK((PSOCKADDR_IN6)(void *)a);
    else
        IN4ADDR_SETLOOPBACK((PSOCKADDR_IN)(void *)a);
}

/* The address bytes of either family. */
FORCEINLINE const UCHAR *INETADDR_ADDRESS(const SOCKADDR *a)
{
    if (a->sa_family == AF_INET6)
        return ((const SOCKADDR_IN6 *)(const void *)a)->sin6_addr.u.Byte;
    return (const UCHAR *)&((const SOCKADDR_IN *)(const void *)a)->sin_addr;
}

/* Port in network byte order; sin_port and sin6_port share an offset. */
FORCEINLINE USHORT INETADDR_PORT(const SOCKADDR *a)
{
    return ((const SOCKADDR_IN *)(const void *)a)->sin_port;
}

FORCEINLINE VOID INETADDR_SET_PORT(PSOCKADDR a, USHORT Port)
{
    ((PSOCKADDR_IN)(void *)a)->sin_port = Port;
}

FORCEINLINE BOOLEAN INETADDR_ISEQUAL(const SOCKADDR *a, const SOCKADDR *b)
{
    if (a->sa_family != b->sa_family)
        return FALSE;
    if (a->sa_family == AF_INET6)
        return IN6ADDR_ISEQUAL((const SOCKADDR_IN6 *)(const void *)a,
                               (const SOCKADDR_IN6 *)(const void *)b);
    return IN4ADDR_ISEQUAL((const SOCKADDR_IN *)(const void *)a,
                           (const SOCKADDR_IN *)(const void *)b);
}

FORCEINLINE BOOLEAN INETADDR_ISUNSPECIFIED(const SOCKADDR *a)
{
    if (a->sa_family == AF_INET6)
        return IN6ADDR_ISUNSPECIFIED((const SOCKADDR_IN6 *)(const void *)a);
    return IN4ADDR_ISUNSPECIFIED((const SOCKADDR_IN *)(const void *)a);
}

#ifdef __cplusplus
}
#endif

#endif /* _MSTCPIP_ */
