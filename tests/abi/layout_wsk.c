/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pins the network-side WDK headers (wsk.h, netioddk.h, ws2def.h, ws2ipdef.h, mstcpip.h) to
 * the x64 Windows layouts and values: sizes and member offsets of every WSK/NMR structure and
 * dispatch table, the socket-address types, and the constants drivers pass through WSK. The
 * runtime part checks what static asserts cannot: aliasing of the basic-dispatch prefix, the
 * GUID bytes, the CMSG walk and the inline address helpers. */
#include <stddef.h>
#include <string.h>

#include <wsk.h>
#include <mstcpip.h>
#include <ip2string.h>

#include "owsk_test.h"

#define SIZE(T, n)      _Static_assert(sizeof(T) == (n), "sizeof(" #T ") == " #n)
#define OFF(T, m, o)    _Static_assert(offsetof(T, m) == (o), "offsetof(" #T ", " #m ") == " #o)
#define VAL(x, v)       _Static_assert((x) == (v), #x " == " #v)

/* ---- base widths the layouts depend on (LLP64) ---- */
SIZE(ULONG, 4);
SIZE(USHORT, 2);
SIZE(SIZE_T, 8);
SIZE(PVOID, 8);
SIZE(GUID, 16);
SIZE(KSPIN_LOCK, 8);

/* ---- §2.1 WSK structures ---- */
SIZE(WSK_SOCKET, 8);
OFF(WSK_SOCKET, Dispatch, 0);
SIZE(PWSK_CLIENT, 8);
SIZE(WSK_CLIENT_NPI, 16);
OFF(WSK_CLIENT_NPI, ClientContext, 0);
OFF(WSK_CLIENT_NPI, Dispatch, 8);
SIZE(WSK_PROVIDER_NPI, 16);
OFF(WSK_PROVIDER_NPI, Client, 0);
OFF(WSK_PROVIDER_NPI, Dispatch, 8);
SIZE(WSK_REGISTRATION, 24);
OFF(WSK_REGISTRATION, ReservedRegistrationState, 0);
OFF(WSK_REGISTRATION, ReservedRegistrationContext, 8);
OFF(WSK_REGISTRATION, ReservedRegistrationLock, 16);
SIZE(WSK_PROVIDER_CHARACTERISTICS, 4);
OFF(WSK_PROVIDER_CHARACTERISTICS, HighestVersion, 0);
OFF(WSK_PROVIDER_CHARACTERISTICS, LowestVersion, 2);
SIZE(WSK_BUF, 24);
OFF(WSK_BUF, Mdl, 0);
OFF(WSK_BUF, Offset, 8);
OFF(WSK_BUF, Length, 16);
SIZE(WSK_BUF_LIST, 32);
OFF(WSK_BUF_LIST, Next, 0);
OFF(WSK_BUF_LIST, Buffer, 8);
SIZE(WSK_DATA_INDICATION, 32);
OFF(WSK_DATA_INDICATION, Next, 0);
OFF(WSK_DATA_INDICATION, Buffer, 8);
SIZE(WSK_DATAGRAM_INDICATION, 56);
OFF(WSK_DATAGRAM_INDICATION, Next, 0);
OFF(WSK_DATAGRAM_INDICATION, Buffer, 8);
OFF(WSK_DATAGRAM_INDICATION, ControlInfo, 32);
OFF(WSK_DATAGRAM_INDICATION, ControlInfoLength, 40);
OFF(WSK_DATAGRAM_INDICATION, RemoteAddress, 48);
SIZE(WSK_INSPECT_ID, 16);
OFF(WSK_INSPECT_ID, Key, 0);
OFF(WSK_INSPECT_ID, SerialNumber, 8);
SIZE(WSK_EVENT_CALLBACK_CONTROL, 16);
OFF(WSK_EVENT_CALLBACK_CONTROL, NpiId, 0);
OFF(WSK_EVENT_CALLBACK_CONTROL, EventMask, 8);
SIZE(WSK_EXTENSION_CONTROL_IN, 24);
OFF(WSK_EXTENSION_CONTROL_IN, NpiId, 0);
OFF(WSK_EXTENSION_CONTROL_IN, ClientContext, 8);
OFF(WSK_EXTENSION_CONTROL_IN, ClientDispatch, 16);
SIZE(WSK_EXTENSION_CONTROL_OUT, 16);
OFF(WSK_EXTENSION_CONTROL_OUT, ProviderContext, 0);
OFF(WSK_EXTENSION_CONTROL_OUT, ProviderDispatch, 8);
SIZE(WSK_TRANSPORT, 28);
OFF(WSK_TRANSPORT, Version, 0);
OFF(WSK_TRANSPORT, SocketType, 2);
OFF(WSK_TRANSPORT, Protocol, 4);
OFF(WSK_TRANSPORT, AddressFamily, 8);
OFF(WSK_TRANSPORT, ProviderId, 12);
SIZE(WSK_TDI_MAP, 16);
OFF(WSK_TDI_MAP, SocketType, 0);
OFF(WSK_TDI_MAP, AddressFamily, 2);
OFF(WSK_TDI_MAP, Protocol, 4);
OFF(WSK_TDI_MAP, TdiDeviceName, 8);
SIZE(WSK_TDI_MAP_INFO, 16);
OFF(WSK_TDI_MAP_INFO, ElementCount, 0);
OFF(WSK_TDI_MAP_INFO, Map, 8);
SIZE(CMSGHDR, 16);
SIZE(WSACMSGHDR, 16);
OFF(CMSGHDR, cmsg_len, 0);
OFF(CMSGHDR, cmsg_level, 8);
OFF(CMSGHDR, cmsg_type, 12);
SIZE(WSK_INSPECT_ACTION, 4);
SIZE(WSK_CONTROL_SOCKET_TYPE, 4);

/* ---- §1.2/§1.3 client-level tables ---- */
SIZE(WSK_PROVIDER_DISPATCH, 56);
OFF(WSK_PROVIDER_DISPATCH, Version, 0);
OFF(WSK_PROVIDER_DISPATCH, Reserved, 2);
OFF(WSK_PROVIDER_DISPATCH, WskSocket, 8);
OFF(WSK_PROVIDER_DISPATCH, WskSocketConnect, 16);
OFF(WSK_PROVIDER_DISPATCH, WskControlClient, 24);
OFF(WSK_PROVIDER_DISPATCH, WskGetAddressInfo, 32);
OFF(WSK_PROVIDER_DISPATCH, WskFreeAddressInfo, 40);
OFF(WSK_PROVIDER_DISPATCH, WskGetNameInfo, 48);
SIZE(WSK_CLIENT_DISPATCH, 16);
OFF(WSK_CLIENT_DISPATCH, Version, 0);
OFF(WSK_CLIENT_DISPATCH, Reserved, 2);
OFF(WSK_CLIENT_DISPATCH, WskClientEvent, 8);

/* ---- §1.4 provider socket tables ---- */
SIZE(WSK_PROVIDER_BASIC_DISPATCH, 16);
OFF(WSK_PROVIDER_BASIC_DISPATCH, WskControlSocket, 0);
OFF(WSK_PROVIDER_BASIC_DISPATCH, WskCloseSocket, 8);

SIZE(WSK_PROVIDER_LISTEN_DISPATCH, 48);
OFF(WSK_PROVIDER_LISTEN_DISPATCH, Basic, 0);
OFF(WSK_PROVIDER_LISTEN_DISPATCH, WskControlSocket, 0);
OFF(WSK_PROVIDER_LISTEN_DISPATCH, WskCloseSocket, 8);
OFF(WSK_PROVIDER_LISTEN_DISPATCH, WskBind, 16);
OFF(WSK_PROVIDER_LISTEN_DISPATCH, WskAccept, 24);
OFF(WSK_PROVIDER_LISTEN_DISPATCH, WskInspectComplete, 32);
OFF(WSK_PROVIDER_LISTEN_DISPATCH, WskGetLocalAddress, 40);

SIZE(WSK_PROVIDER_DATAGRAM_DISPATCH, 64);
OFF(WSK_PROVIDER_DATAGRAM_DISPATCH, Basic, 0);
OFF(WSK_PROVIDER_DATAGRAM_DISPATCH, WskControlSocket, 0);
OFF(WSK_PROVIDER_DATAGRAM_DISPATCH, WskCloseSocket, 8);
OFF(WSK_PROVIDER_DATAGRAM_DISPATCH, WskBind, 16);
OFF(WSK_PROVIDER_DATAGRAM_DISPATCH, WskSendTo, 24);
OFF(WSK_PROVIDER_DATAGRAM_DISPATCH, WskReceiveFrom, 32);
OFF(WSK_PROVIDER_DATAGRAM_DISPATCH, WskRelease, 40);
OFF(WSK_PROVIDER_DATAGRAM_DISPATCH, WskGetLocalAddress, 48);
OFF(WSK_PROVIDER_DATAGRAM_DISPATCH, WskSendMessages, 56);

SIZE(WSK_PROVIDER_CONNECTION_DISPATCH, 104);
OFF(WSK_PROVIDER_CONNECTION_DISPATCH, Basic, 0);
OFF(WSK_PROVIDER_CONNECTION_DISPATCH, WskControlSocket, 0);
OFF(WSK_PROVIDER_CONNECTION_DISPATCH, WskCloseSocket, 8);
OFF(WSK_PROVIDER_CONNECTION_DISPATCH, WskBind, 16);
OFF(WSK_PROVIDER_CONNECTION_DISPATCH, WskConnect, 24);
OFF(WSK_PROVIDER_CONNECTION_DISPATCH, WskGetLocalAddress, 32);
OFF(WSK_PROVIDER_CONNECTION_DISPATCH, WskGetRemoteAddress, 40);
OFF(WSK_PROVIDER_CONNECTION_DISPATCH, WskSend, 48);
OFF(WSK_PROVIDER_CONNECTION_DISPATCH, WskReceive, 56);
OFF(WSK_PROVIDER_CONNECTION_DISPATCH, WskDisconnect, 64);
OFF(WSK_PROVIDER_CONNECTION_DISPATCH, WskRelease, 72);
OFF(WSK_PROVIDER_CONNECTION_DISPATCH, WskConnectEx, 80);
OFF(WSK_PROVIDER_CONNECTION_DISPATCH, WskSendEx, 88);
OFF(WSK_PROVIDER_CONNECTION_DISPATCH, WskReceiveEx, 96);

SIZE(WSK_PROVIDER_STREAM_DISPATCH, 120);
OFF(WSK_PROVIDER_STREAM_DISPATCH, Basic, 0);
OFF(WSK_PROVIDER_STREAM_DISPATCH, WskControlSocket, 0);
OFF(WSK_PROVIDER_STREAM_DISPATCH, WskCloseSocket, 8);
OFF(WSK_PROVIDER_STREAM_DISPATCH, WskBind, 16);
OFF(WSK_PROVIDER_STREAM_DISPATCH, WskAccept, 24);
OFF(WSK_PROVIDER_STREAM_DISPATCH, WskConnect, 32);
OFF(WSK_PROVIDER_STREAM_DISPATCH, WskListen, 40);
OFF(WSK_PROVIDER_STREAM_DISPATCH, WskSend, 48);
OFF(WSK_PROVIDER_STREAM_DISPATCH, WskReceive, 56);
OFF(WSK_PROVIDER_STREAM_DISPATCH, WskDisconnect, 64);
OFF(WSK_PROVIDER_STREAM_DISPATCH, WskRelease, 72);
OFF(WSK_PROVIDER_STREAM_DISPATCH, WskGetLocalAddress, 80);
OFF(WSK_PROVIDER_STREAM_DISPATCH, WskGetRemoteAddress, 88);
OFF(WSK_PROVIDER_STREAM_DISPATCH, WskConnectEx, 96);
OFF(WSK_PROVIDER_STREAM_DISPATCH, WskSendEx, 104);
OFF(WSK_PROVIDER_STREAM_DISPATCH, WskReceiveEx, 112);

/* ---- §1.6 client socket tables ---- */
SIZE(WSK_CLIENT_LISTEN_DISPATCH, 24);
OFF(WSK_CLIENT_LISTEN_DISPATCH, WskAcceptEvent, 0);
OFF(WSK_CLIENT_LISTEN_DISPATCH, WskInspectEvent, 8);
OFF(WSK_CLIENT_LISTEN_DISPATCH, WskAbortEvent, 16);
SIZE(WSK_CLIENT_DATAGRAM_DISPATCH, 8);
OFF(WSK_CLIENT_DATAGRAM_DISPATCH, WskReceiveFromEvent, 0);
SIZE(WSK_CLIENT_CONNECTION_DISPATCH, 24);
OFF(WSK_CLIENT_CONNECTION_DISPATCH, WskReceiveEvent, 0);
OFF(WSK_CLIENT_CONNECTION_DISPATCH, WskDisconnectEvent, 8);
OFF(WSK_CLIENT_CONNECTION_DISPATCH, WskSendBacklogEvent, 16);
SIZE(WSK_CLIENT_STREAM_DISPATCH, 16);
OFF(WSK_CLIENT_STREAM_DISPATCH, Listen, 0);
OFF(WSK_CLIENT_STREAM_DISPATCH, Connect, 8);

/* ---- §4.1 NMR ---- */
SIZE(NPIID, 16);
SIZE(NPI_MODULEID_TYPE, 4);
SIZE(NPI_MODULEID, 24);
OFF(NPI_MODULEID, Length, 0);
OFF(NPI_MODULEID, Type, 4);
OFF(NPI_MODULEID, Guid, 8);
OFF(NPI_MODULEID, IfLuid, 8);
SIZE(NPI_REGISTRATION_INSTANCE, 40);
OFF(NPI_REGISTRATION_INSTANCE, Version, 0);
OFF(NPI_REGISTRATION_INSTANCE, Size, 2);
OFF(NPI_REGISTRATION_INSTANCE, NpiId, 8);
OFF(NPI_REGISTRATION_INSTANCE, ModuleId, 16);
OFF(NPI_REGISTRATION_INSTANCE, Number, 24);
OFF(NPI_REGISTRATION_INSTANCE, NpiSpecificCharacteristics, 32);
SIZE(NPI_CLIENT_CHARACTERISTICS, 72);
OFF(NPI_CLIENT_CHARACTERISTICS, Version, 0);
OFF(NPI_CLIENT_CHARACTERISTICS, Length, 2);
OFF(NPI_CLIENT_CHARACTERISTICS, ClientAttachProvider, 8);
OFF(NPI_CLIENT_CHARACTERISTICS, ClientDetachProvider, 16);
OFF(NPI_CLIENT_CHARACTERISTICS, ClientCleanupBindingContext, 24);
OFF(NPI_CLIENT_CHARACTERISTICS, ClientRegistrationInstance, 32);
SIZE(NPI_PROVIDER_CHARACTERISTICS, 72);
OFF(NPI_PROVIDER_CHARACTERISTICS, Version, 0);
OFF(NPI_PROVIDER_CHARACTERISTICS, Length, 2);
OFF(NPI_PROVIDER_CHARACTERISTICS, ProviderAttachClient, 8);
OFF(NPI_PROVIDER_CHARACTERISTICS, ProviderDetachClient, 16);
OFF(NPI_PROVIDER_CHARACTERISTICS, ProviderCleanupBindingContext, 24);
OFF(NPI_PROVIDER_CHARACTERISTICS, ProviderRegistrationInstance, 32);
SIZE(NPI, 16);
OFF(NPI, Handle, 0);
OFF(NPI, Dispatch, 8);

/* ---- §2.9 socket addresses and option payloads ---- */
SIZE(IN_ADDR, 4);
SIZE(IN6_ADDR, 16);
SIZE(SCOPE_ID, 4);
SIZE(SOCKADDR, 16);
OFF(SOCKADDR, sa_family, 0);
OFF(SOCKADDR, sa_data, 2);
SIZE(SOCKADDR_IN, 16);
OFF(SOCKADDR_IN, sin_family, 0);
OFF(SOCKADDR_IN, sin_port, 2);
OFF(SOCKADDR_IN, sin_addr, 4);
OFF(SOCKADDR_IN, sin_zero, 8);
SIZE(SOCKADDR_IN6, 28);
OFF(SOCKADDR_IN6, sin6_family, 0);
OFF(SOCKADDR_IN6, sin6_port, 2);
OFF(SOCKADDR_IN6, sin6_flowinfo, 4);
OFF(SOCKADDR_IN6, sin6_addr, 8);
OFF(SOCKADDR_IN6, sin6_scope_id, 24);
OFF(SOCKADDR_IN6, sin6_scope_struct, 24);
SIZE(SOCKADDR_IN6_W2KSP1, 28);
SIZE(SOCKADDR_STORAGE, 128);
OFF(SOCKADDR_STORAGE, ss_family, 0);
OFF(SOCKADDR_STORAGE, __ss_align, 8);
_Static_assert(_Alignof(SOCKADDR_STORAGE) == 8, "SOCKADDR_STORAGE is 8-byte aligned");
SIZE(SOCKADDR_INET, 28);
OFF(SOCKADDR_INET, Ipv4, 0);
OFF(SOCKADDR_INET, Ipv6, 0);
OFF(SOCKADDR_INET, si_family, 0);
SIZE(SOCKET_ADDRESS, 16);
OFF(SOCKET_ADDRESS, lpSockaddr, 0);
OFF(SOCKET_ADDRESS, iSockaddrLength, 8);
SIZE(SOCKET_ADDRESS_LIST, 24);
OFF(SOCKET_ADDRESS_LIST, Address, 8);
SIZE(WSABUF, 16);
OFF(WSABUF, len, 0);
OFF(WSABUF, buf, 8);
SIZE(WSAMSG, 56);
OFF(WSAMSG, name, 0);
OFF(WSAMSG, namelen, 8);
OFF(WSAMSG, lpBuffers, 16);
OFF(WSAMSG, dwBufferCount, 24);
OFF(WSAMSG, Control, 32);
OFF(WSAMSG, dwFlags, 48);
SIZE(ADDRINFOA, 48);
SIZE(ADDRINFOW, 48);
OFF(ADDRINFOA, ai_addrlen, 16);
OFF(ADDRINFOA, ai_canonname, 24);
OFF(ADDRINFOA, ai_addr, 32);
OFF(ADDRINFOA, ai_next, 40);
SIZE(ADDRINFOEXW, 72);
SIZE(ADDRINFOEXA, 72);
OFF(ADDRINFOEXW, ai_flags, 0);
OFF(ADDRINFOEXW, ai_family, 4);
OFF(ADDRINFOEXW, ai_socktype, 8);
OFF(ADDRINFOEXW, ai_protocol, 12);
OFF(ADDRINFOEXW, ai_addrlen, 16);
OFF(ADDRINFOEXW, ai_canonname, 24);
OFF(ADDRINFOEXW, ai_addr, 32);
OFF(ADDRINFOEXW, ai_blob, 40);
OFF(ADDRINFOEXW, ai_bloblen, 48);
OFF(ADDRINFOEXW, ai_provider, 56);
OFF(ADDRINFOEXW, ai_next, 64);
SIZE(IN_PKTINFO, 8);
OFF(IN_PKTINFO, ipi_ifindex, 4);
SIZE(IN6_PKTINFO, 20);
OFF(IN6_PKTINFO, ipi6_ifindex, 16);
SIZE(IP_MREQ, 8);
OFF(IP_MREQ, imr_interface, 4);
SIZE(IPV6_MREQ, 20);
OFF(IPV6_MREQ, ipv6mr_interface, 16);
SIZE(struct tcp_keepalive, 12);
SIZE(TCP_INITIAL_RTO_PARAMETERS, 4);

/* ---- §2.3–2.8 WSK constants ---- */
VAL(MAKE_WSK_VERSION(1, 0), 0x0100);
VAL(WSK_MAJOR_VERSION(0x0102), 1);
VAL(WSK_MINOR_VERSION(0x0102), 2);
VAL(WSK_NO_WAIT, 0);
VAL(WSK_INFINITE_WAIT, 0xFFFFFFFFu);
VAL(WSK_FLAG_BASIC_SOCKET, 0x0);
VAL(WSK_FLAG_LISTEN_SOCKET, 0x1);
VAL(WSK_FLAG_CONNECTION_SOCKET, 0x2);
VAL(WSK_FLAG_DATAGRAM_SOCKET, 0x4);
VAL(WSK_FLAG_STREAM_SOCKET, 0x8);
VAL(WSK_FLAG_NODELAY, 0x2);
VAL(WSK_FLAG_OOB, 0x1);
VAL(WSK_FLAG_WAITALL, 0x2);
VAL(WSK_FLAG_DRAIN, 0x4);
VAL(WSK_FLAG_ABORTIVE, 0x1);
VAL(WSK_FLAG_AT_DISPATCH_LEVEL, 0x8);
VAL(WSK_FLAG_RELEASE_ASAP, 0x2);
VAL(WSK_FLAG_ENTIRE_MESSAGE, 0x4);
VAL(WSK_EVENT_SEND_BACKLOG, 0x10);
VAL(WSK_EVENT_RECEIVE, 0x40);
VAL(WSK_EVENT_DISCONNECT, 0x80);
VAL(WSK_EVENT_RECEIVE_FROM, 0x100);
VAL(WSK_EVENT_ACCEPT, 0x200);
VAL(WSK_EVENT_DISABLE, 0x80000000u);
VAL(WSK_TRANSPORT_LIST_QUERY, 2);
VAL(WSK_TRANSPORT_LIST_CHANGE, 3);
VAL(WSK_CACHE_SD, 4);
VAL(WSK_RELEASE_SD, 5);
VAL(WSK_TDI_DEVICENAME_MAPPING, 6);
VAL(WSK_SET_STATIC_EVENT_CALLBACKS, 7);
VAL(WSK_TDI_BEHAVIOR, 8);
VAL(WSK_TDI_BEHAVIOR_BYPASS_TDI, 0x1);
VAL(WskSetOption, 0);
VAL(WskGetOption, 1);
VAL(WskIoctl, 2);
VAL(WskControlMax, 3);
VAL(WskInspectReject, 0);
VAL(WskInspectAccept, 1);
VAL(WskInspectPend, 2);
VAL(WskInspectMax, 3);
VAL(WSK_SO_BASE, 0x4000);
VAL(SO_WSK_SECURITY, 0x4001);
VAL(SO_WSK_EVENT_CALLBACK, 0x4002);
VAL(IOC_VOID, 0x20000000);
VAL(IOC_OUT, 0x40000000);
VAL(IOC_IN, 0x80000000u);
VAL(IOC_INOUT, 0xC0000000u);
VAL(IOC_WS2, 0x08000000);
VAL(IOC_WSK, 0x0F000000);
VAL(IOC_VENDOR, 0x18000000);
VAL(SIO_WSK_SET_REMOTE_ADDRESS, 0x8F000001u);
VAL(SIO_WSK_REGISTER_EXTENSION, 0xCF000002u);
VAL(SIO_WSK_QUERY_IDEAL_SEND_BACKLOG, 0x4F000003);
VAL(SIO_WSK_QUERY_RECEIVE_BACKLOG, 0x4F000004);
VAL(SIO_WSK_QUERY_INSPECT_ID, 0x4F000005);
VAL(SIO_WSK_SET_SENDTO_ADDRESS, 0x8F000006u);
VAL(SIO_WSK_SET_TCP_SILENT_MODE, 0x2F000007);
VAL(SIO_ADDRESS_LIST_QUERY, 0x48000016);
VAL(SIO_ADDRESS_LIST_CHANGE, 0x28000017);
VAL(SIO_ADDRESS_LIST_SORT, 0xC8000019u);
VAL(SIO_KEEPALIVE_VALS, 0x98000004u);
VAL(MIT_GUID, 1);
VAL(MIT_IF_LUID, 2);

/* ---- §2.5/§2.9 Windows socket values (several differ from Linux) ---- */
VAL(AF_UNSPEC, 0);
VAL(AF_INET, 2);
VAL(AF_INET6, 23);
VAL(SOCK_STREAM, 1);
VAL(SOCK_DGRAM, 2);
VAL(SOCK_RAW, 3);
VAL(IPPROTO_IP, 0);
VAL(IPPROTO_ICMP, 1);
VAL(IPPROTO_TCP, 6);
VAL(IPPROTO_UDP, 17);
VAL(IPPROTO_IPV6, 41);
VAL(IPPROTO_ICMPV6, 58);
VAL(IPPROTO_RAW, 255);
VAL(SOL_SOCKET, 0xffff);
VAL(SO_REUSEADDR, 0x4);
VAL(SO_KEEPALIVE, 0x8);
VAL(SO_BROADCAST, 0x20);
VAL(SO_LINGER, 0x80);
VAL(SO_DONTLINGER, (int)0xFFFFFF7F);
VAL(SO_EXCLUSIVEADDRUSE, (int)0xFFFFFFFB);
VAL(SO_SNDBUF, 0x1001);
VAL(SO_RCVBUF, 0x1002);
VAL(SO_SNDTIMEO, 0x1005);
VAL(SO_RCVTIMEO, 0x1006);
VAL(SO_ERROR, 0x1007);
VAL(SO_TYPE, 0x1008);
VAL(SO_CONDITIONAL_ACCEPT, 0x3002);
VAL(SOMAXCONN, 0x7fffffff);
VAL(IPV6_V6ONLY, 27);
VAL(IPV6_UNICAST_HOPS, 4);
VAL(IPV6_PKTINFO, 19);
VAL(IPV6_JOIN_GROUP, 12);
VAL(IP_TTL, 4);
VAL(IP_PKTINFO, 19);
VAL(IP_ADD_MEMBERSHIP, 12);
VAL(TCP_NODELAY, 1);
VAL(TCP_KEEPALIVE, 3);
VAL(TCP_KEEPIDLE, 3);
VAL(TCP_KEEPCNT, 16);
VAL(TCP_KEEPINTVL, 17);
VAL(TCP_FASTOPEN, 15);
VAL(UDP_CHECKSUM_COVERAGE, 20);
VAL(MSG_OOB, 0x1);
VAL(MSG_PEEK, 0x2);
VAL(MSG_WAITALL, 0x8);
VAL(MSG_PUSH_IMMEDIATE, 0x20);
VAL(MSG_TRUNC, 0x100);
VAL(MSG_CTRUNC, 0x200);
VAL(MSG_BCAST, 0x400);
VAL(MSG_MCAST, 0x800);
VAL(MSG_PARTIAL, 0x8000);
VAL(INADDR_ANY, 0);
VAL(INADDR_LOOPBACK, 0x7f000001);
VAL(INADDR_BROADCAST, 0xffffffffu);
VAL(NS_ALL, 0);
VAL(NS_DNS, 12);
VAL(AI_PASSIVE, 0x1);
VAL(AI_CANONNAME, 0x2);
VAL(AI_NUMERICHOST, 0x4);
VAL(AI_NUMERICSERV, 0x8);
VAL(AI_ALL, 0x100);
VAL(AI_ADDRCONFIG, 0x400);
VAL(AI_V4MAPPED, 0x800);
VAL(NI_NOFQDN, 0x1);
VAL(NI_NUMERICHOST, 0x2);
VAL(NI_NAMEREQD, 0x4);
VAL(NI_NUMERICSERV, 0x8);
VAL(NI_DGRAM, 0x10);
VAL(NI_MAXHOST, 1025);
VAL(NI_MAXSERV, 32);
VAL(INET_ADDRSTRLEN, 22);
VAL(INET6_ADDRSTRLEN, 65);

/* A distinct function per slot, so aliasing can be told apart from "all NULL". */
static NTSTATUS WSKAPI fake_control(PWSK_SOCKET Socket, WSK_CONTROL_SOCKET_TYPE RequestType,
                                    ULONG ControlCode, ULONG Level, SIZE_T InputSize,
                                    PVOID InputBuffer, SIZE_T OutputSize, PVOID OutputBuffer,
                                    SIZE_T *OutputSizeReturned, PIRP Irp)
{
    return STATUS_NOT_IMPLEMENTED;
}

static NTSTATUS WSKAPI fake_close(PWSK_SOCKET Socket, PIRP Irp)
{
    return STATUS_SUCCESS;
}

static void check_basic_prefix_aliases(void)
{
    WSK_PROVIDER_LISTEN_DISPATCH l;
    WSK_PROVIDER_DATAGRAM_DISPATCH d;
    WSK_PROVIDER_CONNECTION_DISPATCH c;
    WSK_PROVIDER_STREAM_DISPATCH s;

    memset(&l, 0, sizeof(l));
    memset(&d, 0, sizeof(d));
    memset(&c, 0, sizeof(c));
    memset(&s, 0, sizeof(s));

    /* Written through one spelling, read through the other. */
    l.WskControlSocket = fake_control;
    l.WskCloseSocket = fake_close;
    CHECK(l.Basic.WskControlSocket == fake_control);
    CHECK(l.Basic.WskCloseSocket == fake_close);

    d.Basic.WskControlSocket = fake_control;
    d.Basic.WskCloseSocket = fake_close;
    CHECK(d.WskControlSocket == fake_control);
    CHECK(d.WskCloseSocket == fake_close);

    c.WskCloseSocket = fake_close;
    CHECK(c.Basic.WskCloseSocket == fake_close);
    CHECK(c.Basic.WskControlSocket == NULL);

    s.Basic.WskCloseSocket = fake_close;
    CHECK(s.WskCloseSocket == fake_close);

    /* A client reaches the table through WSK_SOCKET::Dispatch, as the basic prefix. */
    WSK_SOCKET sock = { &c };
    const WSK_PROVIDER_BASIC_DISPATCH *basic = (const WSK_PROVIDER_BASIC_DISPATCH *)sock.Dispatch;
    CHECK(basic->WskCloseSocket == fake_close);
    CHECK_STATUS(((const WSK_PROVIDER_CONNECTION_DISPATCH *)sock.Dispatch)->WskCloseSocket(&sock, NULL),
                 STATUS_SUCCESS);

    /* Designated initialisers through either spelling, as a provider writes its tables. */
    static const WSK_PROVIDER_LISTEN_DISPATCH by_basic = {
        .Basic = { .WskControlSocket = fake_control, .WskCloseSocket = fake_close },
    };
    static const WSK_PROVIDER_DATAGRAM_DISPATCH by_member = {
        .WskControlSocket = fake_control,
        .WskCloseSocket = fake_close,
    };
    CHECK(by_basic.WskCloseSocket == fake_close);
    CHECK(by_member.Basic.WskControlSocket == fake_control);
}

/* {2227E803-8D8B-11D4-ABAD-009027719E09} laid out in memory. */
static const UCHAR wsk_npi_bytes[16] = { 0x03, 0xE8, 0x27, 0x22, 0x8B, 0x8D, 0xD4, 0x11,
                                         0xAB, 0xAD, 0x00, 0x90, 0x27, 0x71, 0x9E, 0x09 };

static void check_npi_id(void)
{
    static const NPIID expected = { 0x2227E803, 0x8D8B, 0x11D4,
                                    { 0xAB, 0xAD, 0x00, 0x90, 0x27, 0x71, 0x9E, 0x09 } };
    CHECK(memcmp(&expected, wsk_npi_bytes, sizeof(wsk_npi_bytes)) == 0);

    /* The object the provider (src/wsk) exports, as drivers link against it. */
    CHECK(memcmp(&NPI_WSK_INTERFACE_ID, wsk_npi_bytes, sizeof(wsk_npi_bytes)) == 0);

    NPI_MODULEID a = { sizeof(NPI_MODULEID), MIT_GUID, { expected } };
    NPI_MODULEID b = a;
    CHECK(a.Length == 24 && a.Type == MIT_GUID && memcmp(&a.Guid, wsk_npi_bytes, 16) == 0);
    CHECK(NmrIsEqualNpiModuleId(&a, &b));
    b.Guid.Data4[7] ^= 1;
    CHECK(!NmrIsEqualNpiModuleId(&a, &b));
    b = a;
    b.Type = MIT_IF_LUID;
    CHECK(!NmrIsEqualNpiModuleId(&a, &b));
}

/* The ECHO sample's positional initialiser: { AF_INET6, port, 0, IN6ADDR_ANY_INIT, 0 }. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-braces"
static const SOCKADDR_IN6 echo_any = { AF_INET6, 0x3930, 0, IN6ADDR_ANY_INIT, 0 };
#pragma GCC diagnostic pop
static const SOCKADDR_IN6 echo_loop = { AF_INET6, 0x3930, 0, IN6ADDR_LOOPBACK_INIT, { 5 } };

static void check_addresses(void)
{
    CHECK_UINT(echo_any.sin6_family, 23);
    CHECK_UINT(echo_any.sin6_port, 0x3930);
    CHECK(IN6ADDR_ISANY(&echo_any));
    CHECK(IN6ADDR_ISUNSPECIFIED(&echo_any));
    CHECK(!IN6ADDR_ISLOOPBACK(&echo_any));
    CHECK(IN6ADDR_ISLOOPBACK(&echo_loop));
    CHECK_UINT(echo_loop.sin6_scope_id, 5);
    CHECK_UINT(echo_loop.sin6_addr.s6_addr[15], 1);
    CHECK_UINT(echo_loop.sin6_addr.s6_bytes[0], 0);

    SOCKADDR_IN6 six;
    t_poison(&six, sizeof(six));
    IN6ADDR_SETLOOPBACK(&six);
    CHECK(IN6ADDR_ISLOOPBACK(&six) && six.sin6_port == 0 && six.sin6_scope_id == 0);
    CHECK(INETADDR_ISLOOPBACK((const SOCKADDR *)&six));
    IN6ADDR_SETANY(&six);
    CHECK(INETADDR_ISANY((const SOCKADDR *)&six));

    /* s_addr and friends are the WDK's macros over the S_un union. */
    IN_ADDR v4;
    v4.S_un.S_un_b.s_b1 = 127;
    v4.S_un.S_un_b.s_b2 = 0;
    v4.S_un.S_un_b.s_b3 = 0;
    v4.S_un.S_un_b.s_b4 = 1;
    CHECK_UINT(v4.s_net, 127);
    CHECK_UINT(v4.s_impno, 1);
    CHECK(IN4_IS_ADDR_LOOPBACK(&v4));
    CHECK(!IN4_IS_ADDR_MULTICAST(&v4));

    SOCKADDR_IN sin;
    t_poison(&sin, sizeof(sin));
    IN4ADDR_SETLOOPBACK(&sin);
    INETADDR_SET_PORT((PSOCKADDR)&sin, 0x5000);
    CHECK_UINT(sin.sin_family, AF_INET);
    CHECK(IN4_ADDR_EQUAL(&sin.sin_addr, &v4));
    CHECK_UINT(INETADDR_PORT((const SOCKADDR *)&sin), 0x5000);
    CHECK(memcmp(INETADDR_ADDRESS((const SOCKADDR *)&sin), "\x7f\x00\x00\x01", 4) == 0);

    IN6_ADDR mapped;
    IN6_SET_ADDR_V4MAPPED(&mapped, &v4);
    CHECK(IN6_IS_ADDR_V4MAPPED(&mapped));
    CHECK(IN4_ADDR_EQUAL(IN6_GET_ADDR_V4MAPPED(&mapped), &v4));
    CHECK(!IN6_IS_ADDR_V4MAPPED(&echo_loop.sin6_addr));

    SOCKADDR_INET inet;
    memset(&inet, 0, sizeof(inet));
    inet.Ipv6.sin6_family = AF_INET6;
    CHECK_UINT(inet.si_family, AF_INET6);
}

/* Windows control-message arithmetic: 16-byte header, data and records 8-byte aligned. */
static void check_cmsg(void)
{
    CHECK_UINT(CMSG_LEN(sizeof(IN_PKTINFO)), 24);
    CHECK_UINT(CMSG_SPACE(sizeof(IN_PKTINFO)), 24);
    CHECK_UINT(CMSG_LEN(sizeof(IN6_PKTINFO)), 36);
    CHECK_UINT(CMSG_SPACE(sizeof(IN6_PKTINFO)), 40);
    CHECK_UINT(CMSG_SPACE(1), 24);

    ULONGLONG storage[16];
    WSAMSG msg;
    memset(&msg, 0, sizeof(msg));
    memset(storage, 0, sizeof(storage));
    msg.Control.buf = (CHAR *)storage;
    msg.Control.len = (ULONG)(CMSG_SPACE(sizeof(IN6_PKTINFO)) + CMSG_SPACE(sizeof(ULONG)));

    PCMSGHDR first = CMSG_FIRSTHDR(&msg);
    CHECK(first == (PCMSGHDR)(void *)storage);
    first->cmsg_len = CMSG_LEN(sizeof(IN6_PKTINFO));
    first->cmsg_level = IPPROTO_IPV6;
    first->cmsg_type = IPV6_PKTINFO;
    CHECK((PUCHAR)CMSG_DATA(first) == (PUCHAR)storage + 16);

    PCMSGHDR second = CMSG_NXTHDR(&msg, first);
    CHECK((PUCHAR)second == (PUCHAR)storage + 40);
    second->cmsg_len = CMSG_LEN(sizeof(ULONG));
    CHECK(CMSG_NXTHDR(&msg, second) == NULL);
    PCMSGHDR none = NULL;   /* the macro reads ->cmsg_len, so it needs a typed pointer */
    CHECK(CMSG_NXTHDR(&msg, none) == first);

    msg.Control.len = sizeof(CMSGHDR) - 1;
    CHECK(CMSG_FIRSTHDR(&msg) == NULL);
}

int main(void)
{
    check_basic_prefix_aliases();
    check_npi_id();
    check_addresses();
    check_cmsg();
    return t_done();
}
