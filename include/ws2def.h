/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ws2def.h: protocol-independent socket definitions with Windows names, values and layouts
 * (address families, socket types, IPPROTO, SOL_SOCKET options, MSG_*, SOCKADDR, control
 * messages, ADDRINFO*, AI_/NI_/NS_, the Winsock IOCTL encoding). Leaves out the Winsock
 * user-mode API (winsock2.h) and htons/htonl, which the WDK does not provide either. */
#ifndef _WS2DEF_
#define _WS2DEF_

#include <ntdef.h>
#include <inaddr.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- address families (Windows numbering: AF_INET6 is 23, not Linux's 10) ---- */
typedef USHORT ADDRESS_FAMILY;

#define AF_UNSPEC       0
#define AF_UNIX         1
#define AF_INET         2
#define AF_IMPLINK      3
#define AF_PUP          4
#define AF_CHAOS        5
#define AF_NS           6
#define AF_IPX          AF_NS
#define AF_ISO          7
#define AF_OSI          AF_ISO
#define AF_ECMA         8
#define AF_DATAKIT      9
#define AF_CCITT        10
#define AF_SNA          11
#define AF_DECnet       12
#define AF_DLI          13
#define AF_LAT          14
#define AF_HYLINK       15
#define AF_APPLETALK    16
#define AF_NETBIOS      17
#define AF_VOICEVIEW    18
#define AF_FIREFOX      19
#define AF_UNKNOWN1     20
#define AF_BAN          21
#define AF_ATM          22
#define AF_INET6        23
#define AF_CLUSTER      24
#define AF_12844        25
#define AF_IRDA         26
#define AF_NETDES       28
#define AF_TCNPROCESS   29
#define AF_TCNMESSAGE   30
#define AF_ICLFXBM      31
#define AF_BTH          32
#define AF_LINK         33
#define AF_HYPERV       34
#define AF_MAX          35

/* ---- socket types ---- */
#define SOCK_STREAM     1
#define SOCK_DGRAM      2
#define SOCK_RAW        3
#define SOCK_RDM        4
#define SOCK_SEQPACKET  5

/* ---- socket-level options (level SOL_SOCKET) ---- */
#define SOL_SOCKET      0xffff

#define SO_DEBUG        0x0001
#define SO_ACCEPTCONN   0x0002
#define SO_REUSEADDR    0x0004
#define SO_KEEPALIVE    0x0008
#define SO_DONTROUTE    0x0010
#define SO_BROADCAST    0x0020
#define SO_USELOOPBACK  0x0040
#define SO_LINGER       0x0080
#define SO_OOBINLINE    0x0100
/* The negated forms are Windows' spelling for "the opposite option". */
#define SO_DONTLINGER        ((int)(~SO_LINGER))
#define SO_EXCLUSIVEADDRUSE  ((int)(~SO_REUSEADDR))

#define SO_SNDBUF       0x1001
#define SO_RCVBUF       0x1002
#define SO_SNDLOWAT     0x1003
#define SO_RCVLOWAT     0x1004
#define SO_SNDTIMEO     0x1005
#define SO_RCVTIMEO     0x1006
#define SO_ERROR        0x1007
#define SO_TYPE         0x1008
#define SO_BSP_STATE    0x1009

#define SO_GROUP_ID        0x2001
#define SO_GROUP_PRIORITY  0x2002
#define SO_MAX_MSG_SIZE    0x2003

#define SO_CONDITIONAL_ACCEPT   0x3002
#define SO_PAUSE_ACCEPT         0x3003
#define SO_COMPARTMENT_ID       0x3004
#define SO_RANDOMIZE_PORT       0x3005
#define SO_PORT_SCALABILITY     0x3006
#define SO_REUSE_UNICASTPORT    0x3007
#define SO_REUSE_MULTICASTPORT  0x3008

/* Options private to the Winsock Kernel start here (SO_WSK_* in wsk.h). */
#define WSK_SO_BASE     0x4000

/* TCP_NODELAY lives here as in the WDK; the other IPPROTO_TCP options are in ws2ipdef.h. */
#define TCP_NODELAY     0x0001

/* Backlog: "as many as the system allows", and the Windows hint encoding. */
#define SOMAXCONN             0x7fffffff
#define SOMAXCONN_HINT(b)     (-(b))

/* ---- message flags (Windows values; Linux differs for WAITALL, TRUNC, CTRUNC) ---- */
#define MSG_OOB             0x0001
#define MSG_PEEK            0x0002
#define MSG_DONTROUTE       0x0004
#define MSG_WAITALL         0x0008
#define MSG_PUSH_IMMEDIATE  0x0020
#define MSG_PARTIAL         0x8000
#define MSG_TRUNC           0x0100
#define MSG_CTRUNC          0x0200
#define MSG_BCAST           0x0400
#define MSG_MCAST           0x0800
#define MSG_ERRQUEUE        0x1000
#define MSG_MAXIOVLEN       16

/* ---- IP protocol numbers ---- */
#define IPPROTO_IP      0

typedef enum {
    IPPROTO_HOPOPTS = 0,
    IPPROTO_ICMP = 1,
    IPPROTO_IGMP = 2,
    IPPROTO_GGP = 3,
    IPPROTO_IPV4 = 4,
    IPPROTO_ST = 5,
    IPPROTO_TCP = 6,
    IPPROTO_CBT = 7,
    IPPROTO_EGP = 8,
    IPPROTO_IGP = 9,
    IPPROTO_PUP = 12,
    IPPROTO_UDP = 17,
    IPPROTO_IDP = 22,
    IPPROTO_RDP = 27,
    IPPROTO_IPV6 = 41,
    IPPROTO_ROUTING = 43,
    IPPROTO_FRAGMENT = 44,
    IPPROTO_ESP = 50,
    IPPROTO_AH = 51,
    IPPROTO_ICMPV6 = 58,
    IPPROTO_NONE = 59,
    IPPROTO_DSTOPTS = 60,
    IPPROTO_ND = 77,
    IPPROTO_ICLFXBM = 78,
    IPPROTO_PIM = 103,
    IPPROTO_PGM = 113,
    IPPROTO_L2TP = 115,
    IPPROTO_SCTP = 132,
    IPPROTO_RAW = 255,
    IPPROTO_MAX = 256,
    /* Values the Windows stack reserves for itself. */
    IPPROTO_RESERVED_RAW = 257,
    IPPROTO_RESERVED_IPSEC = 258,
    IPPROTO_RESERVED_IPSECOFFLOAD = 259,
    IPPROTO_RESERVED_WNV = 260,
    IPPROTO_RESERVED_MAX = 261
} IPPROTO, *PIPROTO;

#define IPPORT_RESERVED         1024
#define IPPORT_USERRESERVED     5000

/* ---- well-known IPv4 addresses, host byte order ---- */
#define INADDR_ANY          ((ULONG)0x00000000)
#define INADDR_LOOPBACK     0x7f000001
#define INADDR_BROADCAST    ((ULONG)0xffffffff)
#define INADDR_NONE         0xffffffff

#define IN_CLASSA(i)        (((LONG)(i) & 0x80000000) == 0)
#define IN_CLASSA_NET       0xff000000
#define IN_CLASSA_NSHIFT    24
#define IN_CLASSA_HOST      0x00ffffff
#define IN_CLASSA_MAX       128
#define IN_CLASSB(i)        (((LONG)(i) & 0xc0000000) == 0x80000000)
#define IN_CLASSB_NET       0xffff0000
#define IN_CLASSB_NSHIFT    16
#define IN_CLASSB_HOST      0x0000ffff
#define IN_CLASSB_MAX       65536
#define IN_CLASSC(i)        (((LONG)(i) & 0xe0000000) == 0xc0000000)
#define IN_CLASSC_NET       0xffffff00
#define IN_CLASSC_NSHIFT    8
#define IN_CLASSC_HOST      0x000000ff
#define IN_CLASSD(i)        (((LONG)(i) & 0xf0000000) == 0xe0000000)
#define IN_CLASSD_NET       0xf0000000
#define IN_CLASSD_NSHIFT    28
#define IN_CLASSD_HOST      0x0fffffff
#define IN_MULTICAST(i)     IN_CLASSD(i)

/* ---- socket addresses ---- */
typedef struct sockaddr {
    ADDRESS_FAMILY sa_family;
    CHAR sa_data[14];
} SOCKADDR, *PSOCKADDR, *LPSOCKADDR;

typedef struct sockaddr_in {
    ADDRESS_FAMILY sin_family;
    USHORT sin_port;                /* network byte order */
    IN_ADDR sin_addr;
    CHAR sin_zero[8];
} SOCKADDR_IN, *PSOCKADDR_IN;

/* 128 bytes, 8-byte aligned: big enough and aligned enough for any address family. */
#define _SS_MAXSIZE     128
#define _SS_ALIGNSIZE   (sizeof(LONGLONG))
#define _SS_PAD1SIZE    (_SS_ALIGNSIZE - sizeof(USHORT))
#define _SS_PAD2SIZE    (_SS_MAXSIZE - (sizeof(USHORT) + _SS_PAD1SIZE + _SS_ALIGNSIZE))

typedef struct sockaddr_storage {
    ADDRESS_FAMILY ss_family;
    CHAR __ss_pad1[_SS_PAD1SIZE];
    LONGLONG __ss_align;
    CHAR __ss_pad2[_SS_PAD2SIZE];
} SOCKADDR_STORAGE_LH, *PSOCKADDR_STORAGE_LH, *LPSOCKADDR_STORAGE_LH;

typedef SOCKADDR_STORAGE_LH SOCKADDR_STORAGE;
typedef SOCKADDR_STORAGE_LH *PSOCKADDR_STORAGE;
typedef SOCKADDR_STORAGE_LH *LPSOCKADDR_STORAGE;

/* ---- IPv6 scope identifiers (used by SOCKADDR_IN6 in ws2ipdef.h) ---- */
typedef enum {
    ScopeLevelInterface = 1,
    ScopeLevelLink = 2,
    ScopeLevelSubnet = 3,
    ScopeLevelAdmin = 4,
    ScopeLevelSite = 5,
    ScopeLevelOrganization = 8,
    ScopeLevelGlobal = 14,
    ScopeLevelCount = 16
} SCOPE_LEVEL;

/* A 28-bit zone index plus a 4-bit SCOPE_LEVEL, or the whole 32-bit value. */
typedef struct {
    union {
        struct {
            ULONG Zone : 28;
            ULONG Level : 4;
        };
        ULONG Value;
    };
} SCOPE_ID, *PSCOPE_ID;

#define SCOPEID_UNSPECIFIED_INIT    { 0 }

/* ---- address lists (SIO_ADDRESS_LIST_QUERY output) ---- */
typedef struct _SOCKET_ADDRESS {
    LPSOCKADDR lpSockaddr;
    int iSockaddrLength;
} SOCKET_ADDRESS, *PSOCKET_ADDRESS, *LPSOCKET_ADDRESS;

typedef struct _SOCKET_ADDRESS_LIST {
    int iAddressCount;
    SOCKET_ADDRESS Address[1];
} SOCKET_ADDRESS_LIST, *PSOCKET_ADDRESS_LIST, *LPSOCKET_ADDRESS_LIST;

#define SIZEOF_SOCKET_ADDRESS_LIST(AddressCount)                                           \
    (offsetof(SOCKET_ADDRESS_LIST, Address) + (AddressCount) * sizeof(SOCKET_ADDRESS))

typedef struct _CSADDR_INFO {
    SOCKET_ADDRESS LocalAddr;
    SOCKET_ADDRESS RemoteAddr;
    int iSocketType;
    int iProtocol;
} CSADDR_INFO, *PCSADDR_INFO, *LPCSADDR_INFO;

/* ---- scatter/gather buffers and messages ---- */
typedef struct _WSABUF {
    ULONG len;
    CHAR *buf;
} WSABUF, *LPWSABUF;

typedef struct _WSAMSG {
    LPSOCKADDR name;
    int namelen;
    LPWSABUF lpBuffers;
    ULONG dwBufferCount;
    WSABUF Control;
    ULONG dwFlags;
} WSAMSG, *PWSAMSG, *LPWSAMSG;

/* ---- control messages (ancillary data) ----
 * Windows layout: a SIZE_T length then level and type; records and their data are aligned to
 * 8 bytes on 64-bit. Levels and types carry Windows values (IPPROTO_IP/IP_PKTINFO 19 ...). */
typedef struct _WSACMSGHDR {
    SIZE_T cmsg_len;                /* header + data, without trailing padding */
    int cmsg_level;
    int cmsg_type;
    /* followed by UCHAR cmsg_data[] */
} WSACMSGHDR, *PWSACMSGHDR, *LPWSACMSGHDR;

typedef WSACMSGHDR CMSGHDR, *PCMSGHDR;

#define WSA_CMSGHDR_ALIGN(length)                                                          \
    (((length) + __alignof__(WSACMSGHDR) - 1) & ~(__alignof__(WSACMSGHDR) - 1))
#define WSA_CMSGDATA_ALIGN(length)                                                         \
    (((length) + sizeof(ULONGLONG) - 1) & ~(sizeof(ULONGLONG) - 1))

#define WSA_CMSG_FIRSTHDR(msg)                                                             \
    (((msg)->Control.len >= sizeof(WSACMSGHDR)) ? (LPWSACMSGHDR)(void *)(msg)->Control.buf \
                                                : (LPWSACMSGHDR)NULL)

#define WSA_CMSG_NXTHDR(msg, cmsg)                                                         \
    (((cmsg) == NULL)                                                                      \
         ? WSA_CMSG_FIRSTHDR(msg)                                                          \
         : ((((PUCHAR)(cmsg) + WSA_CMSGHDR_ALIGN((cmsg)->cmsg_len) + sizeof(WSACMSGHDR)) > \
             (PUCHAR)((msg)->Control.buf) + (msg)->Control.len)                            \
                ? (LPWSACMSGHDR)NULL                                                       \
                : (LPWSACMSGHDR)(void *)((PUCHAR)(cmsg) +                                  \
                                         WSA_CMSGHDR_ALIGN((cmsg)->cmsg_len))))

#define WSA_CMSG_DATA(cmsg)     ((PUCHAR)(cmsg) + WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR)))
#define WSA_CMSG_SPACE(length)  (WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR) + WSA_CMSGHDR_ALIGN(length)))
#define WSA_CMSG_LEN(length)    (WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR)) + (length))

#define CMSGHDR_ALIGN   WSA_CMSGHDR_ALIGN
#define CMSGDATA_ALIGN  WSA_CMSGDATA_ALIGN
#define CMSG_FIRSTHDR   WSA_CMSG_FIRSTHDR
#define CMSG_NXTHDR     WSA_CMSG_NXTHDR
#define CMSG_DATA       WSA_CMSG_DATA
#define CMSG_SPACE      WSA_CMSG_SPACE
#define CMSG_LEN        WSA_CMSG_LEN

/* ---- name resolution ---- */
#define AI_PASSIVE                  0x00000001
#define AI_CANONNAME                0x00000002
#define AI_NUMERICHOST              0x00000004
#define AI_NUMERICSERV              0x00000008
#define AI_DNS_ONLY                 0x00000010
#define AI_ALL                      0x00000100
#define AI_ADDRCONFIG               0x00000400
#define AI_V4MAPPED                 0x00000800
#define AI_NON_AUTHORITATIVE        0x00004000
#define AI_SECURE                   0x00008000
#define AI_RETURN_PREFERRED_NAMES   0x00010000
#define AI_FQDN                     0x00020000
#define AI_FILESERVER               0x00040000
#define AI_DISABLE_IDN_ENCODING     0x00080000

typedef struct addrinfo {
    int ai_flags;                   /* AI_* */
    int ai_family;                  /* AF_* (Windows numbering) */
    int ai_socktype;                /* SOCK_* */
    int ai_protocol;                /* IPPROTO_* */
    size_t ai_addrlen;
    char *ai_canonname;
    struct sockaddr *ai_addr;
    struct addrinfo *ai_next;
} ADDRINFOA, *PADDRINFOA;

typedef struct addrinfoW {
    int ai_flags;
    int ai_family;
    int ai_socktype;
    int ai_protocol;
    size_t ai_addrlen;
    PWSTR ai_canonname;
    struct sockaddr *ai_addr;
    struct addrinfoW *ai_next;
} ADDRINFOW, *PADDRINFOW;

typedef struct addrinfoexA {
    int ai_flags;
    int ai_family;
    int ai_socktype;
    int ai_protocol;
    size_t ai_addrlen;
    char *ai_canonname;
    struct sockaddr *ai_addr;
    void *ai_blob;
    size_t ai_bloblen;
    GUID *ai_provider;
    struct addrinfoexA *ai_next;
} ADDRINFOEXA, *PADDRINFOEXA, *LPADDRINFOEXA;

typedef struct addrinfoexW {
    int ai_flags;
    int ai_family;
    int ai_socktype;
    int ai_protocol;
    size_t ai_addrlen;
    PWSTR ai_canonname;
    struct sockaddr *ai_addr;
    void *ai_blob;
    size_t ai_bloblen;
    GUID *ai_provider;
    struct addrinfoexW *ai_next;
} ADDRINFOEXW, *PADDRINFOEXW, *LPADDRINFOEXW;

/* Name spaces (WskGetAddressInfo's NameSpace). */
#define NS_ALL          0
#define NS_SAP          1
#define NS_NDS          2
#define NS_PEER_BROWSE  3
#define NS_SLP          5
#define NS_DHCP         6
#define NS_TCPIP_LOCAL  10
#define NS_TCPIP_HOSTS  11
#define NS_DNS          12
#define NS_NETBT        13
#define NS_WINS         14
#define NS_NLA          15
#define NS_BTH          16
#define NS_NBP          20
#define NS_MS           30
#define NS_STDA         31
#define NS_NTDS         32
#define NS_EMAIL        37
#define NS_PNRPNAME     38
#define NS_PNRPCLOUD    39
#define NS_X500         40
#define NS_NIS          41
#define NS_NISPLUS      42
#define NS_WRQ          50
#define NS_NETDES       60

/* getnameinfo / WskGetNameInfo flags and buffer sizes. */
#define NI_NOFQDN       0x01
#define NI_NUMERICHOST  0x02
#define NI_NAMEREQD     0x04
#define NI_NUMERICSERV  0x08
#define NI_DGRAM        0x10

#define NI_MAXHOST      1025
#define NI_MAXSERV      32

/* ---- Winsock IOCTL encoding ---- */
#define IOCPARM_MASK    0x7f
#define IOC_VOID        0x20000000
#define IOC_OUT         0x40000000
#define IOC_IN          0x80000000
#define IOC_INOUT       (IOC_IN | IOC_OUT)

#define IOC_UNIX        0x00000000
#define IOC_WS2         0x08000000
#define IOC_PROTOCOL    0x10000000
#define IOC_VENDOR      0x18000000
#define IOC_WSK         (IOC_WS2 | 0x07000000)

#define _WSAIO(x, y)    (IOC_VOID | (x) | (y))
#define _WSAIOR(x, y)   (IOC_OUT | (x) | (y))
#define _WSAIOW(x, y)   (IOC_IN | (x) | (y))
#define _WSAIORW(x, y)  (IOC_INOUT | (x) | (y))

#define SIO_ASSOCIATE_HANDLE                _WSAIOW(IOC_WS2, 1)
#define SIO_ENABLE_CIRCULAR_QUEUEING        _WSAIO(IOC_WS2, 2)
#define SIO_FIND_ROUTE                      _WSAIOR(IOC_WS2, 3)
#define SIO_FLUSH                           _WSAIO(IOC_WS2, 4)
#define SIO_GET_BROADCAST_ADDRESS           _WSAIOR(IOC_WS2, 5)
#define SIO_GET_EXTENSION_FUNCTION_POINTER  _WSAIORW(IOC_WS2, 6)
#define SIO_GET_QOS                         _WSAIORW(IOC_WS2, 7)
#define SIO_GET_GROUP_QOS                   _WSAIORW(IOC_WS2, 8)
#define SIO_MULTIPOINT_LOOPBACK             _WSAIOW(IOC_WS2, 9)
#define SIO_MULTICAST_SCOPE                 _WSAIOW(IOC_WS2, 10)
#define SIO_SET_QOS                         _WSAIOW(IOC_WS2, 11)
#define SIO_SET_GROUP_QOS                   _WSAIOW(IOC_WS2, 12)
#define SIO_TRANSLATE_HANDLE                _WSAIORW(IOC_WS2, 13)
#define SIO_ROUTING_INTERFACE_QUERY         _WSAIORW(IOC_WS2, 20)
#define SIO_ROUTING_INTERFACE_CHANGE        _WSAIOW(IOC_WS2, 21)
#define SIO_ADDRESS_LIST_QUERY              _WSAIOR(IOC_WS2, 22)
#define SIO_ADDRESS_LIST_CHANGE             _WSAIO(IOC_WS2, 23)
#define SIO_QUERY_TARGET_PNP_HANDLE         _WSAIOR(IOC_WS2, 24)
#define SIO_ADDRESS_LIST_SORT               _WSAIORW(IOC_WS2, 25)

#ifdef __cplusplus
}
#endif

#endif /* _WS2DEF_ */
