/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ws2ipdef.h: IPv4/IPv6-specific socket definitions with Windows names, values and layouts:
 * SOCKADDR_IN6, SOCKADDR_INET, the IPPROTO_IP/IPV6/TCP/UDP option numbers, multicast requests,
 * packet-info control payloads and the IN6_* address helpers (our own inline code). The
 * in6addr_any/in6addr_loopback data objects are deliberately not declared: use the
 * IN6ADDR_*_INIT initialisers or the IN6ADDR_SET* helpers. */
#ifndef _WS2IPDEF_
#define _WS2IPDEF_

#include <ntdef.h>
#include <string.h>
#include <ws2def.h>
#include <in6addr.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- IPv6 socket address (28 bytes) ---- */
typedef struct sockaddr_in6 {
    ADDRESS_FAMILY sin6_family;     /* AF_INET6 (23) */
    USHORT sin6_port;               /* network byte order */
    ULONG sin6_flowinfo;
    IN6_ADDR sin6_addr;
    union {
        ULONG sin6_scope_id;
        SCOPE_ID sin6_scope_struct;
    };
} SOCKADDR_IN6_LH, *PSOCKADDR_IN6_LH, *LPSOCKADDR_IN6_LH;

/* The pre-Vista form: same layout with a plain scope id. */
typedef struct sockaddr_in6_w2ksp1 {
    short sin6_family;
    USHORT sin6_port;
    ULONG sin6_flowinfo;
    struct in6_addr sin6_addr;
    ULONG sin6_scope_id;
} SOCKADDR_IN6_W2KSP1, *PSOCKADDR_IN6_W2KSP1, *LPSOCKADDR_IN6_W2KSP1;

typedef SOCKADDR_IN6_LH SOCKADDR_IN6;
typedef SOCKADDR_IN6_LH *PSOCKADDR_IN6;
typedef SOCKADDR_IN6_LH *LPSOCKADDR_IN6;

/* Either family, discriminated by si_family (which overlays both sin*_family fields). */
typedef union _SOCKADDR_INET {
    SOCKADDR_IN Ipv4;
    SOCKADDR_IN6 Ipv6;
    ADDRESS_FAMILY si_family;
} SOCKADDR_INET, *PSOCKADDR_INET;

typedef struct _sockaddr_in6_pair {
    PSOCKADDR_IN6 SourceAddress;
    PSOCKADDR_IN6 DestinationAddress;
} SOCKADDR_IN6_PAIR, *PSOCKADDR_IN6_PAIR;

/* Initialisers for an IN6_ADDR, usable on their own or positionally inside a SOCKADDR_IN6:
 * `SOCKADDR_IN6 a = { AF_INET6, port, 0, IN6ADDR_ANY_INIT, 0 };`. Fully braced so that
 * -Wmissing-braces stays quiet. */
#define IN6ADDR_ANY_INIT        { { { 0 } } }
#define IN6ADDR_LOOPBACK_INIT   { { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } } }

#define INET_ADDRSTRLEN     22
#define INET6_ADDRSTRLEN    65

/* ---- IPPROTO_IP options ---- */
#define IP_OPTIONS                  1
#define IP_HDRINCL                  2
#define IP_TOS                      3
#define IP_TTL                      4
#define IP_MULTICAST_IF             9
#define IP_MULTICAST_TTL            10
#define IP_MULTICAST_LOOP           11
#define IP_ADD_MEMBERSHIP           12
#define IP_DROP_MEMBERSHIP          13
#define IP_DONTFRAGMENT             14
#define IP_ADD_SOURCE_MEMBERSHIP    15
#define IP_DROP_SOURCE_MEMBERSHIP   16
#define IP_BLOCK_SOURCE             17
#define IP_UNBLOCK_SOURCE           18
#define IP_PKTINFO                  19
#define IP_HOPLIMIT                 21
#define IP_RECVTTL                  21
#define IP_RECEIVE_BROADCAST        22
#define IP_RECVIF                   24
#define IP_RECVDSTADDR              25
#define IP_IFLIST                   28
#define IP_ADD_IFLIST               29
#define IP_DEL_IFLIST               30
#define IP_UNICAST_IF               31
#define IP_RTHDR                    32
#define IP_GET_IFLIST               33
#define IP_RECVRTHDR                38
#define IP_TCLASS                   39
#define IP_RECVTCLASS               40
#define IP_RECVTOS                  40
#define IP_ORIGINAL_ARRIVAL_IF      47
#define IP_ECN                      50
#define IP_PKTINFO_EX               51
#define IP_WFP_REDIRECT_RECORDS     60
#define IP_WFP_REDIRECT_CONTEXT     70
#define IP_MTU_DISCOVER             71
#define IP_MTU                      73
#define IP_NRT_INTERFACE            74
#define IP_RECVERR                  75
#define IP_USER_MTU                 76

#define IP_UNSPECIFIED_TYPE_OF_SERVICE  -1

#define IP_DEFAULT_MULTICAST_TTL    1
#define IP_DEFAULT_MULTICAST_LOOP   1
#define IP_MAX_MEMBERSHIPS          20

/* ---- IPPROTO_IPV6 options ---- */
#define IPV6_HOPOPTS                1
#define IPV6_HDRINCL                2
#define IPV6_UNICAST_HOPS           4
#define IPV6_MULTICAST_IF           9
#define IPV6_MULTICAST_HOPS         10
#define IPV6_MULTICAST_LOOP         11
#define IPV6_ADD_MEMBERSHIP         12
#define IPV6_JOIN_GROUP             IPV6_ADD_MEMBERSHIP
#define IPV6_DROP_MEMBERSHIP        13
#define IPV6_LEAVE_GROUP            IPV6_DROP_MEMBERSHIP
#define IPV6_DONTFRAG               14
#define IPV6_PKTINFO                19
#define IPV6_HOPLIMIT               21
#define IPV6_PROTECTION_LEVEL       23
#define IPV6_RECVIF                 24
#define IPV6_RECVDSTADDR            25
#define IPV6_CHECKSUM               26
#define IPV6_V6ONLY                 27
#define IPV6_IFLIST                 28
#define IPV6_ADD_IFLIST             29
#define IPV6_DEL_IFLIST             30
#define IPV6_UNICAST_IF             31
#define IPV6_RTHDR                  32
#define IPV6_GET_IFLIST             33
#define IPV6_RECVRTHDR              38
#define IPV6_TCLASS                 39
#define IPV6_RECVTCLASS             40
#define IPV6_ECN                    50
#define IPV6_PKTINFO_EX             51
#define IPV6_WFP_REDIRECT_RECORDS   60
#define IPV6_WFP_REDIRECT_CONTEXT   70
#define IPV6_MTU_DISCOVER           71
#define IPV6_MTU                    72
#define IPV6_NRT_INTERFACE          74
#define IPV6_RECVERR                75
#define IPV6_USER_MTU               76

#define IP_UNSPECIFIED_HOP_LIMIT    -1
#define IP_PROTECTION_LEVEL         IPV6_PROTECTION_LEVEL

#define PROTECTION_LEVEL_UNRESTRICTED       10
#define PROTECTION_LEVEL_EDGERESTRICTED     20
#define PROTECTION_LEVEL_RESTRICTED         30
#define PROTECTION_LEVEL_DEFAULT            PROTECTION_LEVEL_EDGERESTRICTED

/* Protocol-independent multicast (RFC 3678) option numbers. */
#define MCAST_JOIN_GROUP            41
#define MCAST_LEAVE_GROUP           42
#define MCAST_BLOCK_SOURCE          43
#define MCAST_UNBLOCK_SOURCE        44
#define MCAST_JOIN_SOURCE_GROUP     45
#define MCAST_LEAVE_SOURCE_GROUP    46

/* ---- IPPROTO_TCP options (TCP_NODELAY is in ws2def.h) ---- */
#define TCP_EXPEDITED_1122              0x0002
#define TCP_KEEPALIVE                   3
#define TCP_MAXSEG                      4
#define TCP_MAXRT                       5
#define TCP_STDURG                      6
#define TCP_NOURG                       7
#define TCP_ATMARK                      8
#define TCP_NOSYNRETRIES                9
#define TCP_TIMESTAMPS                  10
#define TCP_OFFLOAD_PREFERENCE          11
#define TCP_CONGESTION_ALGORITHM        12
#define TCP_DELAY_FIN_ACK               13
#define TCP_MAXRTMS                     14
#define TCP_FASTOPEN                    15
#define TCP_KEEPCNT                     16
#define TCP_KEEPIDLE                    TCP_KEEPALIVE
#define TCP_KEEPINTVL                   17
#define TCP_FAIL_CONNECT_ON_ICMP_ERROR  18
#define TCP_ICMP_ERROR_INFO             19

#define TCP_OFFLOAD_NO_PREFERENCE       0
#define TCP_OFFLOAD_NOT_PREFERRED       1
#define TCP_OFFLOAD_PREFERRED           2

/* ---- IPPROTO_UDP options ---- */
#define UDP_NOCHECKSUM          1
#define UDP_CHECKSUM_COVERAGE   20

/* ---- option payloads ---- */
typedef struct ip_mreq {
    IN_ADDR imr_multiaddr;
    IN_ADDR imr_interface;
} IP_MREQ, *PIP_MREQ;

typedef struct ip_mreq_source {
    IN_ADDR imr_multiaddr;
    IN_ADDR imr_sourceaddr;
    IN_ADDR imr_interface;
} IP_MREQ_SOURCE, *PIP_MREQ_SOURCE;

typedef struct ipv6_mreq {
    IN6_ADDR ipv6mr_multiaddr;
    ULONG ipv6mr_interface;         /* interface index */
} IPV6_MREQ, *PIPV6_MREQ;

/* Control-message payloads for IP_PKTINFO / IPV6_PKTINFO (Windows layouts, not Linux's). */
typedef struct in_pktinfo {
    IN_ADDR ipi_addr;               /* destination address of the datagram */
    ULONG ipi_ifindex;              /* receiving interface */
} IN_PKTINFO, *PIN_PKTINFO;

typedef struct in6_pktinfo {
    IN6_ADDR ipi6_addr;
    ULONG ipi6_ifindex;
} IN6_PKTINFO, *PIN6_PKTINFO;

/* ---- IN6_ADDR predicates and setters (bytes are in network order) ---- */
FORCEINLINE BOOLEAN IN6_ADDR_EQUAL(const IN6_ADDR *x, const IN6_ADDR *y)
{
    return memcmp(x, y, sizeof(IN6_ADDR)) == 0;
}

FORCEINLINE BOOLEAN IN6_IS_ADDR_UNSPECIFIED(const IN6_ADDR *a)
{
    static const IN6_ADDR zero = IN6ADDR_ANY_INIT;
    return IN6_ADDR_EQUAL(a, &zero);
}

FORCEINLINE BOOLEAN IN6_IS_ADDR_LOOPBACK(const IN6_ADDR *a)
{
    static const IN6_ADDR loopback = IN6ADDR_LOOPBACK_INIT;
    return IN6_ADDR_EQUAL(a, &loopback);
}

FORCEINLINE BOOLEAN IN6_IS_ADDR_MULTICAST(const IN6_ADDR *a)
{
    return a->u.Byte[0] == 0xff;
}

FORCEINLINE BOOLEAN IN6_IS_ADDR_LINKLOCAL(const IN6_ADDR *a)
{
    return a->u.Byte[0] == 0xfe && (a->u.Byte[1] & 0xc0) == 0x80;
}

FORCEINLINE BOOLEAN IN6_IS_ADDR_SITELOCAL(const IN6_ADDR *a)
{
    return a->u.Byte[0] == 0xfe && (a->u.Byte[1] & 0xc0) == 0xc0;
}

/* ::ffff:a.b.c.d */
FORCEINLINE BOOLEAN IN6_IS_ADDR_V4MAPPED(const IN6_ADDR *a)
{
    static const UCHAR prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    return memcmp(a->u.Byte, prefix, sizeof(prefix)) == 0;
}

/* ::a.b.c.d, excluding :: and ::1 */
FORCEINLINE BOOLEAN IN6_IS_ADDR_V4COMPAT(const IN6_ADDR *a)
{
    static const UCHAR prefix[12] = { 0 };
    return memcmp(a->u.Byte, prefix, sizeof(prefix)) == 0 &&
           !(a->u.Byte[12] == 0 && a->u.Byte[13] == 0 && a->u.Byte[14] == 0 &&
             (a->u.Byte[15] == 0 || a->u.Byte[15] == 1));
}

FORCEINLINE BOOLEAN IN6_IS_ADDR_MC_NODELOCAL(const IN6_ADDR *a)
{
    return IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0x0f) == 1;
}

FORCEINLINE BOOLEAN IN6_IS_ADDR_MC_LINKLOCAL(const IN6_ADDR *a)
{
    return IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0x0f) == 2;
}

FORCEINLINE BOOLEAN IN6_IS_ADDR_MC_SITELOCAL(const IN6_ADDR *a)
{
    return IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0x0f) == 5;
}

FORCEINLINE BOOLEAN IN6_IS_ADDR_MC_ORGLOCAL(const IN6_ADDR *a)
{
    return IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0x0f) == 8;
}

FORCEINLINE BOOLEAN IN6_IS_ADDR_MC_GLOBAL(const IN6_ADDR *a)
{
    return IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0x0f) == 0xe;
}

FORCEINLINE VOID IN6_SET_ADDR_UNSPECIFIED(PIN6_ADDR a)
{
    memset(a, 0, sizeof(IN6_ADDR));
}

FORCEINLINE VOID IN6_SET_ADDR_LOOPBACK(PIN6_ADDR a)
{
    memset(a, 0, sizeof(IN6_ADDR));
    a->u.Byte[15] = 1;
}

/* ---- SOCKADDR_IN6 helpers ---- */
FORCEINLINE VOID IN6ADDR_SETANY(PSOCKADDR_IN6 a)
{
    a->sin6_family = AF_INET6;
    a->sin6_port = 0;
    a->sin6_flowinfo = 0;
    IN6_SET_ADDR_UNSPECIFIED(&a->sin6_addr);
    a->sin6_scope_id = 0;
}

FORCEINLINE VOID IN6ADDR_SETLOOPBACK(PSOCKADDR_IN6 a)
{
    a->sin6_family = AF_INET6;
    a->sin6_port = 0;
    a->sin6_flowinfo = 0;
    IN6_SET_ADDR_LOOPBACK(&a->sin6_addr);
    a->sin6_scope_id = 0;
}

FORCEINLINE BOOLEAN IN6ADDR_ISANY(const SOCKADDR_IN6 *a)
{
    return IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr);
}

FORCEINLINE BOOLEAN IN6ADDR_ISLOOPBACK(const SOCKADDR_IN6 *a)
{
    return IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
}

FORCEINLINE BOOLEAN IN6ADDR_ISEQUAL(const SOCKADDR_IN6 *a, const SOCKADDR_IN6 *b)
{
    return a->sin6_scope_id == b->sin6_scope_id && IN6_ADDR_EQUAL(&a->sin6_addr, &b->sin6_addr);
}

FORCEINLINE BOOLEAN IN6ADDR_ISUNSPECIFIED(const SOCKADDR_IN6 *a)
{
    return a->sin6_scope_id == 0 && IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr);
}

#ifdef __cplusplus
}
#endif

#endif /* _WS2IPDEF_ */
