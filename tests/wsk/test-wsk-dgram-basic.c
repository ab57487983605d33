/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Datagram sockets through WSK_PROVIDER_DATAGRAM_DISPATCH against plain Linux UDP peers, over
 * IPv4 and IPv6: bind first, send/receive one datagram per IRP (0 bytes included), sender's
 * address in Windows numbering, truncation (MSG_TRUNC), packet info in the Windows layout,
 * pending/cancelled/closed receives, WskSendMessages, and bad input. */
#include <string.h>

#include "dgram_t.h"
#include "lxudp.h"

static void unbound(int v6)
{
    SOCKADDR_STORAGE to, a;
    char buf[8];
    NTSTATUS st;
    PWSK_SOCKET s = d_socket(v6 ? AF_INET6 : AF_INET, NULL, NULL, &st);

    CHECK_STATUS(st, STATUS_SUCCESS);
    if (!s)
        return;
    /* A datagram socket sends and receives only once bound; the state error is returned
     * and the IRP completed with it (the WskConnect-before-bind rule, WINE-T). */
    t_addr(&to, v6, 9);
    CHECK_STATUS(d_sendto(s, "x", 1, &to, NULL), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(d_recvfrom(s, buf, sizeof(buf), NULL, NULL, NULL, NULL, NULL),
                 STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(d_ioctl(s, SIO_WSK_SET_SENDTO_ADDRESS, &to, sizeof(to)),
                 STATUS_INVALID_DEVICE_STATE);
    {
        struct t_irp q;

        t_irp_init(&q);
        st = T_DD(s)->WskGetLocalAddress(s, (PSOCKADDR)&a, t_irp_arm(&q));
        CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_INVALID_DEVICE_STATE);
        t_irp_free(&q);
    }
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
}

static void exchange(int v6)
{
    SOCKADDR_STORAGE to, from;
    unsigned char big[1472], got[1500];
    char buf[64];
    ULONG_PTR info;
    int port, lport, lfd, sport;
    ssize_t k;
    PWSK_SOCKET s = d_socket(v6 ? AF_INET6 : AF_INET, NULL, NULL, NULL);

    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_STATUS(d_bind(s, v6, 0, &port), STATUS_SUCCESS);
    CHECK(port > 0);
    lfd = lxu_socket(v6, &lport);
    CHECK(lfd >= 0);

    /* WSK -> Linux: Information is the bytes sent, the peer sees our port. */
    t_addr(&to, v6, lport);
    CHECK_STATUS(d_sendto(s, "hello", 5, &to, &info), STATUS_SUCCESS);
    CHECK_UINT(info, 5);
    k = lxu_recv(lfd, buf, sizeof(buf), T_WAIT, &sport);
    CHECK_INT(k, 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK_INT(sport, port);
    /* A zero-length datagram is a datagram (WSK_BUF with a NULL Mdl and Length 0). */
    CHECK_STATUS(d_sendto(s, NULL, 0, &to, &info), STATUS_SUCCESS);
    CHECK_UINT(info, 0);
    CHECK_INT(lxu_recv(lfd, buf, sizeof(buf), T_WAIT, NULL), 0);
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (unsigned char)(i * 7 + 1);
    CHECK_STATUS(d_sendto(s, big, sizeof(big), &to, &info), STATUS_SUCCESS);
    CHECK_UINT(info, sizeof(big));
    CHECK_INT(lxu_recv(lfd, got, sizeof(got), T_WAIT, NULL), sizeof(big));
    CHECK(memcmp(got, big, sizeof(big)) == 0);

    /* Linux -> WSK: one datagram per IRP, sender in the socket's Windows family. */
    CHECK_INT(lxu_sendto(lfd, v6, port, "one", 3), 3);
    CHECK_INT(lxu_sendto(lfd, v6, port, "", 0), 0);
    CHECK_INT(lxu_sendto(lfd, v6, port, "three", 5), 5);
    t_poison(&from, sizeof(from));
    memset(buf, 0, sizeof(buf));
    CHECK_STATUS(d_recvfrom(s, buf, sizeof(buf), &from, NULL, NULL, NULL, &info),
                 STATUS_SUCCESS);
    CHECK_UINT(info, 3);
    CHECK_STR(buf, "one");
    CHECK_INT(from.ss_family, v6 ? AF_INET6 : AF_INET);
    CHECK_INT(t_port(&from), lport);
    CHECK_STATUS(d_recvfrom(s, buf, sizeof(buf), &from, NULL, NULL, NULL, &info),
                 STATUS_SUCCESS);
    CHECK_UINT(info, 0);
    memset(buf, 0, sizeof(buf));
    CHECK_STATUS(d_recvfrom(s, buf, sizeof(buf), NULL, NULL, NULL, NULL, &info),
                 STATUS_SUCCESS);
    CHECK_UINT(info, 5);
    CHECK_STR(buf, "three");

    /* Truncation: the IRP succeeds with the bytes that fit and MSG_TRUNC in ControlFlags
     * (DDI: PFN_WSK_RECEIVE_FROM ControlFlags; see docs/compatibility.md). */
    {
        ULONG clen = 0, cflags = 0xdeadbeef;

        CHECK_INT(lxu_sendto(lfd, v6, port, big, 100), 100);
        CHECK_STATUS(d_recvfrom(s, buf, 10, &from, NULL, &clen, &cflags, &info),
                     STATUS_SUCCESS);
        CHECK_UINT(info, 10);
        CHECK(memcmp(buf, big, 10) == 0);
        CHECK_UINT(cflags & MSG_TRUNC, MSG_TRUNC);
        CHECK_UINT(clen, 0);
        /* The rest of a truncated datagram is gone: the next IRP gets the next datagram. */
        CHECK_INT(lxu_sendto(lfd, v6, port, "next", 4), 4);
        cflags = 0xdeadbeef;
        CHECK_STATUS(d_recvfrom(s, buf, sizeof(buf), NULL, NULL, &clen, &cflags, &info),
                     STATUS_SUCCESS);
        CHECK_UINT(info, 4);
        CHECK_UINT(cflags, 0);
    }
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    lxu_close(lfd);
}

/* IP_PKTINFO / IPV6_PKTINFO: Windows levels, type 19, IN_PKTINFO {addr, ifindex} or
 * IN6_PKTINFO, in CMSGHDR records (ws2def.h / ws2ipdef.h layouts). */
static void pktinfo(int v6)
{
    union {
        unsigned char b[128];
        CMSGHDR h;
    } ctl;
    SOCKADDR_STORAGE from;
    char buf[16];
    ULONG clen, cflags;
    ULONG_PTR info;
    int port, lport, lfd;
    PWSK_SOCKET s = d_socket(v6 ? AF_INET6 : AF_INET, NULL, NULL, NULL);

    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_STATUS(d_bind(s, v6, 0, &port), STATUS_SUCCESS);
    CHECK_STATUS(t_setopt(s, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_PKTINFO : IP_PKTINFO, 1),
                 STATUS_SUCCESS);
    {
        ULONG v = 0;

        CHECK_STATUS(t_getopt(s, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_PKTINFO : IP_PKTINFO,
                              &v),
                     STATUS_SUCCESS);
        CHECK_UINT(v, 1);
    }
    lfd = lxu_socket(v6, &lport);
    CHECK_INT(lxu_sendto(lfd, v6, port, "pi", 2), 2);
    clen = sizeof(ctl.b);
    cflags = 0xdeadbeef;
    t_poison(&ctl, sizeof(ctl));
    CHECK_STATUS(d_recvfrom(s, buf, sizeof(buf), &from, ctl.b, &clen, &cflags, &info),
                 STATUS_SUCCESS);
    CHECK_UINT(info, 2);
    CHECK_UINT(cflags, 0);
    if (!v6) {
        IN_PKTINFO pi;

        CHECK_UINT(clen, CMSG_SPACE(sizeof(IN_PKTINFO)));
        CHECK_UINT(ctl.h.cmsg_len, CMSG_LEN(sizeof(IN_PKTINFO)));
        CHECK_INT(ctl.h.cmsg_level, IPPROTO_IP);
        CHECK_INT(ctl.h.cmsg_type, IP_PKTINFO);
        memcpy(&pi, CMSG_DATA(&ctl.h), sizeof(pi));
        CHECK_UINT(pi.ipi_addr.S_un.S_un_b.s_b1, 127);
        CHECK_UINT(pi.ipi_addr.S_un.S_un_b.s_b4, 1);
        CHECK(pi.ipi_ifindex > 0);
    } else {
        IN6_PKTINFO pi;

        CHECK_UINT(clen, CMSG_SPACE(sizeof(IN6_PKTINFO)));
        CHECK_UINT(ctl.h.cmsg_len, CMSG_LEN(sizeof(IN6_PKTINFO)));
        CHECK_INT(ctl.h.cmsg_level, IPPROTO_IPV6);
        CHECK_INT(ctl.h.cmsg_type, IPV6_PKTINFO);
        memcpy(&pi, CMSG_DATA(&ctl.h), sizeof(pi));
        CHECK(IN6_IS_ADDR_LOOPBACK(&pi.ipi6_addr));
        CHECK(pi.ipi6_ifindex > 0);
    }
    /* A control buffer too small for the record: MSG_CTRUNC, no record. */
    CHECK_INT(lxu_sendto(lfd, v6, port, "pi", 2), 2);
    clen = 8;
    cflags = 0;
    CHECK_STATUS(d_recvfrom(s, buf, sizeof(buf), &from, ctl.b, &clen, &cflags, &info),
                 STATUS_SUCCESS);
    CHECK_UINT(cflags & MSG_CTRUNC, MSG_CTRUNC);
    CHECK_UINT(clen, 0);
    /* Turned off: no control data. */
    CHECK_STATUS(t_setopt(s, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_PKTINFO : IP_PKTINFO, 0),
                 STATUS_SUCCESS);
    CHECK_INT(lxu_sendto(lfd, v6, port, "pi", 2), 2);
    clen = sizeof(ctl.b);
    CHECK_STATUS(d_recvfrom(s, buf, sizeof(buf), &from, ctl.b, &clen, &cflags, &info),
                 STATUS_SUCCESS);
    CHECK_UINT(clen, 0);

    /* Sending with IP_PKTINFO control data picks the source address. */
    {
        union {
            unsigned char b[64];
            CMSGHDR h;
        } sc;
        SOCKADDR_STORAGE to;
        WSK_BUF b;
        struct t_irp q;
        NTSTATUS st;
        int sport = 0;

        memset(&sc, 0, sizeof(sc));
        t_addr(&to, v6, lport);
        if (!v6) {
            IN_PKTINFO pi;

            memset(&pi, 0, sizeof(pi));
            pi.ipi_addr.S_un.S_un_b.s_b1 = 127;
            pi.ipi_addr.S_un.S_un_b.s_b4 = 1;
            sc.h.cmsg_len = CMSG_LEN(sizeof(pi));
            sc.h.cmsg_level = IPPROTO_IP;
            sc.h.cmsg_type = IP_PKTINFO;
            memcpy(CMSG_DATA(&sc.h), &pi, sizeof(pi));
        } else {
            IN6_PKTINFO pi;

            memset(&pi, 0, sizeof(pi));
            pi.ipi6_addr.u.Byte[15] = 1;
            sc.h.cmsg_len = CMSG_LEN(sizeof(pi));
            sc.h.cmsg_level = IPPROTO_IPV6;
            sc.h.cmsg_type = IPV6_PKTINFO;
            memcpy(CMSG_DATA(&sc.h), &pi, sizeof(pi));
        }
        b.Mdl = t_mdl("ctl", 3);
        b.Offset = 0;
        b.Length = 3;
        t_irp_init(&q);
        st = T_DD(s)->WskSendTo(s, &b, 0, (PSOCKADDR)&to, (ULONG)sc.h.cmsg_len, &sc.h,
                                t_irp_arm(&q));
        CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_SUCCESS);
        CHECK_UINT(q.irp->IoStatus.Information, 3);
        CHECK_INT(lxu_recv(lfd, buf, sizeof(buf), T_WAIT, &sport), 3);
        CHECK_INT(sport, port);
        /* An unknown control record is refused. */
        sc.h.cmsg_type = 77;
        st = T_DD(s)->WskSendTo(s, &b, 0, (PSOCKADDR)&to, (ULONG)sc.h.cmsg_len, &sc.h,
                                t_irp_arm(&q));
        CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_INVALID_PARAMETER);
        (void)st;
        t_irp_free(&q);
        IoFreeMdl(b.Mdl);
    }
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    lxu_close(lfd);
}

/* Receives queue FIFO, can be cancelled, and are cancelled by WskCloseSocket. */
static void pending(void)
{
    char b1[16], b2[16], b3[16];
    WSK_BUF w1, w2, w3;
    struct t_irp r1, r2, r3;
    int port, lport, lfd;
    NTSTATUS st;
    PWSK_SOCKET s = d_socket(AF_INET, NULL, NULL, NULL);

    CHECK_STATUS(d_bind(s, 0, 0, &port), STATUS_SUCCESS);
    lfd = lxu_socket(0, &lport);
    w1.Mdl = t_mdl(b1, sizeof(b1)); w1.Offset = 0; w1.Length = sizeof(b1);
    w2.Mdl = t_mdl(b2, sizeof(b2)); w2.Offset = 0; w2.Length = sizeof(b2);
    w3.Mdl = t_mdl(b3, sizeof(b3)); w3.Offset = 0; w3.Length = sizeof(b3);
    t_irp_init(&r1);
    t_irp_init(&r2);
    t_irp_init(&r3);
    st = T_DD(s)->WskReceiveFrom(s, &w1, 0, NULL, NULL, NULL, NULL, t_irp_arm(&r1));
    CHECK_STATUS(st, STATUS_PENDING);
    st = T_DD(s)->WskReceiveFrom(s, &w2, 0, NULL, NULL, NULL, NULL, t_irp_arm(&r2));
    CHECK_STATUS(st, STATUS_PENDING);
    st = T_DD(s)->WskReceiveFrom(s, &w3, 0, NULL, NULL, NULL, NULL, t_irp_arm(&r3));
    CHECK_STATUS(st, STATUS_PENDING);
    /* Cancel the second: the first still gets the first datagram. */
    IoCancelIrp(r2.irp); /* TRUE or FALSE: the request may not be queued yet */
    CHECK_STATUS(t_irp_wait(&r2, T_WAIT), STATUS_CANCELLED);
    CHECK_UINT(r2.irp->IoStatus.Information, 0);
    CHECK_INT(lxu_sendto(lfd, 0, port, "A", 1), 1);
    CHECK_STATUS(t_irp_wait(&r1, T_WAIT), STATUS_SUCCESS);
    CHECK_UINT(r1.irp->IoStatus.Information, 1);
    CHECK_INT(b1[0], 'A');
    CHECK(!t_irp_wait_quiet(&r3, 50));
    /* Close cancels the last one, and completes after it. */
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    CHECK_STATUS(t_irp_wait(&r3, T_WAIT), STATUS_CANCELLED);
    CHECK_INT(r3.done, 1);
    t_irp_free(&r1);
    t_irp_free(&r2);
    t_irp_free(&r3);
    IoFreeMdl(w1.Mdl);
    IoFreeMdl(w2.Mdl);
    IoFreeMdl(w3.Mdl);
    lxu_close(lfd);
}

/* SIO_WSK_SET_SENDTO_ADDRESS (default destination) and SIO_WSK_SET_REMOTE_ADDRESS (fixed
 * peer: filters what is received) (wsk-reference 3.10). */
static void fixed_addresses(int v6)
{
    SOCKADDR_STORAGE a, from;
    char buf[16];
    ULONG_PTR info;
    int port, p1, p2, f1, f2, sport, port_after;
    PWSK_SOCKET s = d_socket(v6 ? AF_INET6 : AF_INET, NULL, NULL, NULL);

    CHECK_STATUS(d_bind(s, v6, 0, &port), STATUS_SUCCESS);
    f1 = lxu_socket(v6, &p1);
    f2 = lxu_socket(v6, &p2);
    /* No address and none fixed. */
    CHECK_STATUS(d_sendto(s, "x", 1, NULL, NULL), STATUS_INVALID_PARAMETER);
    /* Both IOCTLs need an IRP. */
    t_addr(&a, v6, p1);
    CHECK_STATUS(T_DD(s)->WskControlSocket(s, WskIoctl, SIO_WSK_SET_SENDTO_ADDRESS, 0, sizeof(a),
                                           &a, 0, NULL, NULL, NULL),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(d_ioctl(s, SIO_WSK_SET_SENDTO_ADDRESS, &a, sizeof(a)), STATUS_SUCCESS);
    CHECK_STATUS(d_sendto(s, "s1", 2, NULL, &info), STATUS_SUCCESS);
    CHECK_INT(lxu_recv(f1, buf, sizeof(buf), T_WAIT, &sport), 2);
    CHECK_INT(sport, port);
    /* An explicit address still wins. */
    t_addr(&a, v6, p2);
    CHECK_STATUS(d_sendto(s, "s2", 2, &a, &info), STATUS_SUCCESS);
    CHECK_INT(lxu_recv(f2, buf, sizeof(buf), T_WAIT, NULL), 2);
    /* Size 0 clears it. */
    CHECK_STATUS(d_ioctl(s, SIO_WSK_SET_SENDTO_ADDRESS, NULL, 0), STATUS_SUCCESS);
    CHECK_STATUS(d_sendto(s, "x", 1, NULL, NULL), STATUS_INVALID_PARAMETER);
    /* A too-short SOCKADDR is refused. */
    t_addr(&a, v6, p1);
    CHECK_STATUS(d_ioctl(s, SIO_WSK_SET_REMOTE_ADDRESS, &a, 4), STATUS_INVALID_PARAMETER);

    /* Fixed remote: sends default to it, datagrams from others are discarded. */
    CHECK_STATUS(d_ioctl(s, SIO_WSK_SET_REMOTE_ADDRESS, &a, sizeof(a)), STATUS_SUCCESS);
    CHECK_STATUS(d_sendto(s, "r1", 2, NULL, &info), STATUS_SUCCESS);
    CHECK_UINT(info, 2);
    CHECK_INT(lxu_recv(f1, buf, sizeof(buf), T_WAIT, NULL), 2);
    CHECK_INT(lxu_sendto(f2, v6, port, "no", 2), 2);
    CHECK_INT(lxu_sendto(f1, v6, port, "yes", 3), 3);
    memset(buf, 0, sizeof(buf));
    CHECK_STATUS(d_recvfrom(s, buf, sizeof(buf), &from, NULL, NULL, NULL, &info),
                 STATUS_SUCCESS);
    CHECK_STR(buf, "yes");
    CHECK_INT(t_port(&from), p1);
    /* Cleared: anyone again, and the socket keeps its port. */
    CHECK_STATUS(d_ioctl(s, SIO_WSK_SET_REMOTE_ADDRESS, NULL, 0), STATUS_SUCCESS);
    {
        struct t_irp q;

        t_irp_init(&q);
        memset(&a, 0, sizeof(a));
        T_DD(s)->WskGetLocalAddress(s, (PSOCKADDR)&a, t_irp_arm(&q));
        CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_SUCCESS);
        port_after = t_port(&a);
        CHECK_INT(port_after, port);
        t_irp_free(&q);
    }
    CHECK_INT(lxu_sendto(f2, v6, port, "two", 3), 3);
    memset(buf, 0, sizeof(buf));
    CHECK_STATUS(d_recvfrom(s, buf, sizeof(buf), &from, NULL, NULL, NULL, &info),
                 STATUS_SUCCESS);
    CHECK_STR(buf, "two");
    CHECK_INT(t_port(&from), p2);
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    lxu_close(f1);
    lxu_close(f2);
}

/* WskSendMessages: each list element is one datagram; one completion, Information = total. */
static void send_messages(void)
{
    WSK_BUF_LIST l[3];
    static const char *msg[3] = {"alpha", "", "gamma!"};
    SOCKADDR_STORAGE to;
    struct t_irp q;
    char buf[16];
    int port, lport, lfd;
    NTSTATUS st;
    PWSK_SOCKET s = d_socket(AF_INET, NULL, NULL, NULL);

    CHECK_STATUS(d_bind(s, 0, 0, &port), STATUS_SUCCESS);
    lfd = lxu_socket(0, &lport);
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(msg[i]);

        l[i].Next = i < 2 ? &l[i + 1] : NULL;
        l[i].Buffer.Mdl = n ? t_mdl((void *)msg[i], n) : NULL;
        l[i].Buffer.Offset = 0;
        l[i].Buffer.Length = n;
    }
    t_addr(&to, 0, lport);
    t_irp_init(&q);
    st = T_DD(s)->WskSendMessages(s, l, 0, (PSOCKADDR)&to, 0, NULL, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_SUCCESS);
    if (st != STATUS_PENDING)
        CHECK_STATUS(st, STATUS_SUCCESS);
    CHECK_INT(q.done, 1);
    CHECK_UINT(q.irp->IoStatus.Information, 11);
    for (int i = 0; i < 3; i++) {
        memset(buf, 0, sizeof(buf));
        CHECK_INT(lxu_recv(lfd, buf, sizeof(buf), T_WAIT, NULL), strlen(msg[i]));
        CHECK_STR(buf, msg[i]);
    }
    /* NULL list, bad flags. */
    st = T_DD(s)->WskSendMessages(s, NULL, 0, (PSOCKADDR)&to, 0, NULL, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_INVALID_PARAMETER);
    st = T_DD(s)->WskSendMessages(s, l, 1, (PSOCKADDR)&to, 0, NULL, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_NOT_SUPPORTED);
    t_irp_free(&q);
    for (int i = 0; i < 3; i++)
        if (l[i].Buffer.Mdl)
            IoFreeMdl(l[i].Buffer.Mdl);
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    lxu_close(lfd);
}

/* AF_INET6 with IPV6_V6ONLY = 0 bound to the wildcard: IPv4 peers appear v4-mapped, and an
 * AF_INET destination is accepted. */
static void dual_stack(void)
{
    SOCKADDR_STORAGE from, to;
    char buf[16];
    ULONG_PTR info;
    int port, lport, lfd, sport;
    PWSK_SOCKET s = d_socket(AF_INET6, NULL, NULL, NULL);

    CHECK_STATUS(t_setopt(s, IPPROTO_IPV6, IPV6_V6ONLY, 0), STATUS_SUCCESS);
    CHECK_STATUS(d_bind(s, 1, 1, &port), STATUS_SUCCESS);
    lfd = lxu_socket(0, &lport);
    CHECK_INT(lxu_sendto(lfd, 0, port, "v4", 2), 2);
    CHECK_STATUS(d_recvfrom(s, buf, sizeof(buf), &from, NULL, NULL, NULL, &info),
                 STATUS_SUCCESS);
    CHECK_INT(from.ss_family, AF_INET6);
    CHECK(IN6_IS_ADDR_V4MAPPED(&((SOCKADDR_IN6 *)&from)->sin6_addr));
    CHECK_INT(t_port(&from), lport);
    /* Reply to the mapped address, then to a plain AF_INET one. */
    CHECK_STATUS(d_sendto(s, "r1", 2, &from, &info), STATUS_SUCCESS);
    CHECK_INT(lxu_recv(lfd, buf, sizeof(buf), T_WAIT, &sport), 2);
    CHECK_INT(sport, port);
    t_addr(&to, 0, lport);
    CHECK_STATUS(d_sendto(s, "r2", 2, &to, &info), STATUS_SUCCESS);
    CHECK_INT(lxu_recv(lfd, buf, sizeof(buf), T_WAIT, NULL), 2);
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    lxu_close(lfd);
}

static void bad_input(void)
{
    SOCKADDR_STORAGE to;
    WSK_BUF b;
    struct t_irp q;
    char buf[4];
    NTSTATUS st;
    PWSK_SOCKET s;

    /* Category/type/protocol mismatches. */
    t_irp_init(&q);
    st = t_npi.Dispatch->WskSocket(t_npi.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                   WSK_FLAG_DATAGRAM_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                   t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_NOT_SUPPORTED);
    st = t_npi.Dispatch->WskSocket(t_npi.Client, 99, SOCK_DGRAM, IPPROTO_UDP,
                                   WSK_FLAG_DATAGRAM_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                   t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_NOT_SUPPORTED);

    s = d_socket(AF_INET, NULL, NULL, NULL);
    CHECK_STATUS(d_bind(s, 0, 0, NULL), STATUS_SUCCESS);
    /* A second bind is a state error. */
    CHECK_STATUS(d_bind(s, 0, 0, NULL), STATUS_INVALID_DEVICE_STATE);
    b.Mdl = t_mdl(buf, sizeof(buf));
    b.Offset = 0;
    b.Length = sizeof(buf);
    /* NULL IRP: refused synchronously, nothing completed. */
    t_addr(&to, 0, 9);
    CHECK_STATUS(T_DD(s)->WskSendTo(s, &b, 0, (PSOCKADDR)&to, 0, NULL, NULL),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(T_DD(s)->WskReceiveFrom(s, &b, 0, NULL, NULL, NULL, NULL, NULL),
                 STATUS_INVALID_PARAMETER);
    /* Wrong family on an IPv4 socket. */
    t_addr(&to, 1, 9);
    st = T_DD(s)->WskSendTo(s, &b, 0, (PSOCKADDR)&to, 0, NULL, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(st, STATUS_INVALID_PARAMETER);
    /* Reserved flags. */
    t_addr(&to, 0, 9);
    st = T_DD(s)->WskSendTo(s, &b, 1, (PSOCKADDR)&to, 0, NULL, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_NOT_SUPPORTED);
    st = T_DD(s)->WskReceiveFrom(s, &b, 1, NULL, NULL, NULL, NULL, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_NOT_SUPPORTED);
    /* NULL WSK_BUF; Length beyond the MDL chain; an oversized datagram. */
    st = T_DD(s)->WskSendTo(s, NULL, 0, (PSOCKADDR)&to, 0, NULL, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_INVALID_PARAMETER);
    b.Length = 1u << 20;
    st = T_DD(s)->WskSendTo(s, &b, 0, (PSOCKADDR)&to, 0, NULL, t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_INVALID_PARAMETER);
    b.Length = sizeof(buf);
    {
        static unsigned char huge[70000];
        WSK_BUF hb = {t_mdl(huge, sizeof(huge)), 0, sizeof(huge)};

        st = T_DD(s)->WskSendTo(s, &hb, 0, (PSOCKADDR)&to, 0, NULL, t_irp_arm(&q));
        CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_BUFFER_OVERFLOW); /* EMSGSIZE */
        IoFreeMdl(hb.Mdl);
    }
    /* A datagram socket has no WskConnect-style IOCTLs of connection sockets. */
    {
        SIZE_T v;

        st = T_DD(s)->WskControlSocket(s, WskIoctl, SIO_WSK_QUERY_RECEIVE_BACKLOG, 0, 0, NULL,
                                       sizeof(v), &v, NULL, t_irp_arm(&q));
        CHECK(!NT_SUCCESS(t_irp_wait(&q, T_WAIT)));
    }
    /* Release of something never indicated. */
    {
        WSK_DATAGRAM_INDICATION bogus;

        memset(&bogus, 0, sizeof(bogus));
        CHECK_STATUS(T_DD(s)->WskRelease(s, &bogus), STATUS_INVALID_PARAMETER);
        CHECK_STATUS(T_DD(s)->WskRelease(s, NULL), STATUS_INVALID_PARAMETER);
    }
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    t_irp_free(&q);
    IoFreeMdl(b.Mdl);
}

/* Options of datagram sockets, with Windows levels and numbers. */
static void options(void)
{
    ULONG v;
    int port;
    PWSK_SOCKET s = d_socket(AF_INET, NULL, NULL, NULL);

    CHECK_STATUS(t_setopt(s, SOL_SOCKET, SO_BROADCAST, 1), STATUS_SUCCESS);
    CHECK_STATUS(t_getopt(s, SOL_SOCKET, SO_BROADCAST, &v), STATUS_SUCCESS);
    CHECK_UINT(v != 0, 1);
    CHECK_STATUS(t_setopt(s, SOL_SOCKET, SO_RCVBUF, 65536), STATUS_SUCCESS);
    CHECK_STATUS(t_getopt(s, SOL_SOCKET, SO_RCVBUF, &v), STATUS_SUCCESS);
    CHECK_UINT(v, 65536);
    CHECK_STATUS(t_setopt(s, IPPROTO_IP, IP_TTL, 7), STATUS_SUCCESS);
    CHECK_STATUS(t_getopt(s, IPPROTO_IP, IP_TTL, &v), STATUS_SUCCESS);
    CHECK_UINT(v, 7);
    CHECK_STATUS(t_setopt(s, IPPROTO_IP, IP_MULTICAST_TTL, 3), STATUS_SUCCESS);
    CHECK_STATUS(t_getopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &v), STATUS_SUCCESS);
    CHECK_UINT(v, 3);
    CHECK_STATUS(d_bind(s, 0, 1, &port), STATUS_SUCCESS);

    /* Multicast on loopback: join 239.255.42.99 on 127.0.0.1, receive with MSG_MCAST. */
    {
        IP_MREQ m;
        NTSTATUS st;

        memset(&m, 0, sizeof(m));
        m.imr_multiaddr.S_un.S_un_b.s_b1 = 239;
        m.imr_multiaddr.S_un.S_un_b.s_b2 = 255;
        m.imr_multiaddr.S_un.S_un_b.s_b3 = 42;
        m.imr_multiaddr.S_un.S_un_b.s_b4 = 99;
        m.imr_interface.S_un.S_un_b.s_b1 = 127;
        m.imr_interface.S_un.S_un_b.s_b4 = 1;
        CHECK_STATUS(d_setopt_buf(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, 4),
                     STATUS_INVALID_PARAMETER);
        st = d_setopt_buf(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m));
        if (st == STATUS_SUCCESS) {
            char buf[16];
            ULONG clen = 0, cflags = 0;
            ULONG_PTR info;
            int lfd = lxu_socket(0, NULL);

            CHECK_INT(lxu_mcast_loopback(lfd), 0);
            CHECK_INT(lxu_sendto4(lfd, "239.255.42.99", port, "mc", 2), 2);
            CHECK_STATUS(d_recvfrom(s, buf, sizeof(buf), NULL, NULL, &clen, &cflags, &info),
                         STATUS_SUCCESS);
            CHECK_UINT(info, 2);
            CHECK_UINT(cflags & MSG_MCAST, MSG_MCAST);
            CHECK_STATUS(d_setopt_buf(s, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof(m)),
                         STATUS_SUCCESS);
            lxu_close(lfd);
        } else {
            /* Some sandboxes (gVisor) have no multicast on loopback: counted, not failed. */
            TODO_OWSK(st == STATUS_SUCCESS);
        }
    }
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
}

/* Basic sockets: the control-only table; options work, nothing else is offered. */
static void basic_socket(void)
{
    struct t_irp q;
    NTSTATUS st;
    ULONG v = 0;
    PWSK_SOCKET s;

    t_irp_init(&q);
    st = t_npi.Dispatch->WskSocket(t_npi.Client, AF_INET, SOCK_DGRAM, IPPROTO_UDP,
                                   WSK_FLAG_BASIC_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                   t_irp_arm(&q));
    CHECK_STATUS(t_irp_wait(&q, T_WAIT), STATUS_SUCCESS);
    if (st != STATUS_PENDING)
        CHECK_STATUS(st, STATUS_SUCCESS);
    s = (PWSK_SOCKET)q.irp->IoStatus.Information;
    t_irp_free(&q);
    if (!s)
        return;
    CHECK_STATUS(t_setopt(s, SOL_SOCKET, SO_RCVBUF, 32768), STATUS_SUCCESS);
    CHECK_STATUS(t_getopt(s, SOL_SOCKET, SO_RCVBUF, &v), STATUS_SUCCESS);
    CHECK_UINT(v, 32768);
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
}

int main(void)
{
    t_wsk_start();
    unbound(0);
    unbound(1);
    exchange(0);
    exchange(1);
    pktinfo(0);
    pktinfo(1);
    pending();
    fixed_addresses(0);
    fixed_addresses(1);
    send_messages();
    dual_stack();
    bad_input();
    options();
    basic_socket();
    t_wsk_stop();
    return t_done();
}
